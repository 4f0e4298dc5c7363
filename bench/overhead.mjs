// In-process: a line's own cost per call, on a transport with no I/O (a canned response), against a
// baseline of one runPromise and a JSON.parse.
// Usage: node bench/overhead.mjs [effect4|effect3] [build]   (after that line's npm run build); `build`
// is another build's folder of the line's compiled src/ (for example an older worktree's), run in this
// same harness on this line's Effect, to compare two builds side by side.
import path from "node:path"
import { pathToFileURL } from "node:url"
import { getSessionBody, secretKey, token } from "./bodies.mjs"
import { lineModules } from "./lines.mjs"

const line = await import(lineModules[process.argv[2] ?? "effect4"])
const { Effect, HttpClient, Layer, ManagedRuntime } = line.effect
const dist = process.argv[3] === undefined ? line.dist : pathToFileURL(`${path.resolve(process.argv[3])}/`)
const { NangoConnect } = await import(new URL("index.js", dist))
const { FastPathKey } = await import(new URL("internal/transport.js", dist))

const canned = { status: 200, header: () => undefined, body: getSessionBody }
const fake = Object.assign(
  HttpClient.make(() => Effect.die("unused")),
  { [FastPathKey]: () => () => Effect.promise(() => Promise.resolve(canned)) },
)
const runtime = ManagedRuntime.make(
  NangoConnect.layer({ secretKey, baseUrl: "http://127.0.0.1:1" }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, fake)),
  ),
)
const nango = await runtime.runPromise(NangoConnect.NangoConnect)
const baseline = Effect.promise(() => Promise.resolve(canned)).pipe(Effect.map(() => JSON.parse(getSessionBody)))
const time = async (label, run, n = 50_000) => {
  for (let i = 0; i < 5_000; i++) await run()
  const cpu = process.cpuUsage()
  for (let i = 0; i < n; i++) await run()
  const used = process.cpuUsage(cpu)
  console.log(`${label}: ${((used.user + used.system) / n).toFixed(1)} µs/call`)
}
console.log(line.name, process.argv[3] === undefined ? "" : `(build: ${process.argv[3]})`)
await time("runPromise(promise + JSON.parse)", () => runtime.runPromise(baseline))
await time("getConnectSession", () => runtime.runPromise(nango.getConnectSession(token)))
process.exit(0)
