// Package checks, on the built package: publint and @arethetypeswrong/cli on what `npm pack`
// ships, and the size of a bundle that uses only getConnectSession and the errors (effect and
// @effect/platform external), against a budget. Usage: npm run check:package
import { execFileSync } from "node:child_process"
import { gzipSync } from "node:zlib"
import { build } from "esbuild"

/**
 * The budget for the getConnectSession bundle, minified and gzipped, in bytes: 10,087 measured
 * (10,087 / 10,081 on the two lines; BENCHMARKS.md says what the last increases bought), and a little room.
 */
const budgetGzipBytes = 10_150

const run = (command, args) => execFileSync(command, args, { stdio: "inherit" })
run("npx", ["publint", "--strict"])
run("npx", ["attw", "--pack", ".", "--profile", "esm-only"])

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
  external: ["effect", "effect/*"],
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
