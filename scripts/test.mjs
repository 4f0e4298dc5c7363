// `npm test`: both lines' suites, run side by side (each vitest runs its files in one worker, so
// two lines fill a 2-core machine), each run even when the other failed, and one closing line
// "N passed, N failed" over both. The Effect 4 line's output is shown as it comes; the Effect 3
// line's is held and shown whole after it. Exits non-zero when a test failed or a suite did not
// run. Extra arguments go to both vitest runs (a file filter, -t …).
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
// Each vitest run writes its JSON report there (see vitest.config.ts); CI sets its own folder.
const reports = process.env.VITEST_REPORT_DIR ?? mkdtempSync(join(tmpdir(), "effect-nango-test-"))
const env = { ...process.env, VITEST_REPORT_DIR: reports, FORCE_COLOR: process.stdout.isTTY ? "1" : "0" }
const node = process.versions.node.split(".")[0]
const args = process.argv.slice(2)

/** Runs a command; its output goes to the terminal as it comes (`live`) or is kept and returned. */
const run = (command, commandArgs, live) =>
  new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    const held = []
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => (live ? process.stdout.write(chunk) : held.push(chunk)))
    }
    child.on("close", (status) => resolve({ status, output: Buffer.concat(held).toString() }))
  })

// The Effect 3 line's dependencies first (installed from its lock file when missing or stale).
const install = await run(process.execPath, ["scripts/effect3.mjs", "exec", "--", "node", "--version"], true)
const lines = [
  { name: "effect4", command: "npx", args: ["vitest", "run", ...args] },
  {
    name: "effect3",
    command: process.execPath,
    args: ["scripts/effect3.mjs", "exec", "--", "vitest", "run", ...args],
  },
]
console.log("\n== effect4 line (the effect3 line runs beside it; its output follows)")
const runs = lines.map((line, index) => run(line.command, line.args, index === 0))
const results = await Promise.all(runs)
console.log("\n== effect3 line")
process.stdout.write(results[1].output)

let passed = 0
let failed = 0
let broken = install.status !== 0
for (const [index, line] of lines.entries()) {
  const { status } = results[index]
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
