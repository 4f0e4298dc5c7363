// Package checks, on the built package of the line whose folder this runs in (the root, or
// effect3/): publint and @arethetypeswrong/cli on what `npm pack` ships, and the size of a bundle
// that uses only getConnectSession and the errors (Effect external), against a budget; on the
// Effect 4 line, the whole browser page too. Usage: npm run check:package
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { build } from "esbuild"

/**
 * The budget for the getConnectSession bundle, minified and gzipped, in bytes: 10,692 / 10,600
 * measured on the two lines since they are built from one source (the line's adapter and the
 * shared check type cost about 600 bytes, the whole browser page 400; BENCHMARKS.md says what the earlier increases bought),
 * and a little room.
 */
const budgetGzipBytes = 10_800

const { name, version } = JSON.parse(readFileSync("package.json", "utf8"))
const effect4 = version.startsWith("1.")
const run = (command, args) => execFileSync(command, args, { stdio: "inherit" })
run("npx", ["publint", "--strict"])

// attw: ESM only, as the package is. Its exit code also counts the resolutions the esm-only profile
// ignores (node10 cannot read `imports`, as it cannot read `exports`), so the problems are read here.
const ignored = new Set(["node10", "node16-cjs"])
// Written to a file: a large report piped to us is cut when attw exits.
const attwReport = () => {
  const file = join(mkdtempSync(join(tmpdir(), "attw-")), "report.json")
  try {
    execFileSync("sh", ["-c", `npx attw --pack . --profile esm-only -f json > "${file}"`])
  } catch {
    // attw exits 1 when it counts a problem: which ones is read below
  }
  return readFileSync(file, "utf8")
}
const attw = JSON.parse(attwReport().replace(/^[^{]*/, ""))
const problems = (attw.analysis.problems ?? []).filter(
  (problem) => !ignored.has(problem.resolutionKind ?? problem.resolutionOption),
)
console.log(`attw (${name} ${version}): ${problems.length} problem(s) for node16 ESM and bundlers`)
if (problems.length > 0) {
  console.error(JSON.stringify(problems, null, 2))
  process.exit(1)
}

const bundle = await build({
  stdin: {
    contents: `
      import * as Effect from "effect/Effect"
      import { NangoConnect, NangoConnectError } from "./dist/src/index.js"
      export const get = (token) => Effect.flatMap(NangoConnect.NangoConnect, (nango) => nango.getConnectSession(token))
      export const isUnauthorized = (error) => error instanceof NangoConnectError.Unauthorized
    `,
    resolveDir: process.cwd(),
    loader: "js",
  },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "neutral",
  // As a user's bundler sees the package: its own package.json resolves #effect, not our tsconfig.
  tsconfigRaw: "{}",
  external: ["effect", "effect/*", "@effect/platform", "@effect/platform/*"],
  write: false,
  metafile: true,
})
const code = bundle.outputFiles[0].contents
const gzip = gzipSync(code).length
const modules = Object.keys(bundle.metafile.inputs).filter((path) => path.startsWith("dist/"))
console.log(
  `getConnectSession bundle: ${code.length} bytes minified, ${gzip} bytes gzipped (budget ${budgetGzipBytes})`,
)
console.log(`modules in it: ${modules.join(", ")}`)
if (modules.some((path) => path.includes("testing/") || path.includes("NangoHttpClient"))) {
  console.error("the bundle pulls in the testing kit or the Node transport: tree-shaking is broken")
  process.exit(1)
}
if (gzip > budgetGzipBytes) {
  console.error(`over budget by ${gzip - budgetGzipBytes} bytes`)
  process.exit(1)
}

if (effect4) {
  // The whole browser bundle of a page calling getConnectSession on FetchHttpClient, effect included.
  // The page imports Effect's modules by path (effect/Effect, …), as a bundle-conscious page does:
  // the "effect" index re-exports every module, which esbuild cannot shake out.
  const page = await build({
    stdin: {
      contents: `
        import * as Effect from "effect/Effect"
        import * as Layer from "effect/Layer"
        import * as FetchHttpClient from "effect/http/FetchHttpClient"
        import { NangoConnect } from "./dist/src/index.js"
        const live = NangoConnect.layer({ secretKey: "k", baseUrl: location.origin }).pipe(Layer.provide(FetchHttpClient.layer))
        Effect.runPromise(
          Effect.flatMap(NangoConnect.NangoConnect, (nango) => nango.getConnectSession(location.hash.slice(1))).pipe(Effect.provide(live)),
        ).then(console.log, console.error)
      `,
      resolveDir: process.cwd(),
      loader: "js",
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
  })
  const pageGzip = gzipSync(page.outputFiles[0].contents).length
  /** What the page bundle aims at, minified and gzipped, effect included. */
  const pageAimGzipBytes = 120_000
  console.log(
    `browser page bundle (getConnectSession on FetchHttpClient, effect included): ${page.outputFiles[0].contents.length} bytes minified, ${pageGzip} bytes gzipped (aim ${pageAimGzipBytes})`,
  )
}
