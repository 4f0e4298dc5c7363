// `npm test`: both lines' suites, the Effect 4 line's then the Effect 3 line's, each run even when
// the other failed, and one closing line "N passed, N failed" over both. Exits non-zero when a
// test failed or a suite did not run. Extra arguments go to both vitest runs (a file filter, -t …).
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
// Each vitest run writes its JSON report there (see vitest.config.ts); CI sets its own folder.
const reports = process.env.VITEST_REPORT_DIR ?? mkdtempSync(join(tmpdir(), "effect-nango-test-"))
const env = { ...process.env, VITEST_REPORT_DIR: reports }
const node = process.versions.node.split(".")[0]
const args = process.argv.slice(2)

const lines = [
  { name: "effect4", run: () => spawnSync("npx", ["vitest", "run", ...args], { cwd: root, env, stdio: "inherit" }) },
  {
    name: "effect3",
    run: () =>
      spawnSync(process.execPath, ["scripts/effect3.mjs", "exec", "--", "vitest", "run", ...args], {
        cwd: root,
        env,
        stdio: "inherit",
      }),
  },
]

let passed = 0
let failed = 0
let broken = false
for (const line of lines) {
  console.log(`\n== ${line.name} line`)
  const { status } = line.run()
  const report = join(reports, `${line.name}-node${node}.json`)
  if (!existsSync(report)) {
    console.log(`${line.name}: no report (vitest exited ${status})`)
    broken = true
    continue
  }
  const result = JSON.parse(readFileSync(report, "utf8"))
  console.log(`${line.name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`)
  passed += result.numPassedTests
  failed += result.numFailedTests
  if (status !== 0 || result.numTotalTests === 0) broken = true
}
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 || broken ? 1 : 0
