// Run in a fresh Node process by test/node-transport.test.ts: the undici transport's first call,
// optionally after the process has used the global fetch (which, on Node 22, installs Node's own
// bundled undici as the process-wide dispatcher). Prints one JSON line: the call's outcome, and
// whether undici's index (every undici feature, loaded only for the generic HttpClient path) was loaded.
import { createRequire } from "node:module"
import { Effect, Exit, Layer } from "effect"
import { NangoEmulator } from "../../nango/src/emulator.js"
import { NangoConnect } from "../../src/index.js"
import * as NangoHttpClient from "../../src/NangoHttpClient.js"

const emulator = await NangoEmulator.start()
if (process.argv[2] === "fetch-first") await (await fetch(`${emulator.url}/connect/session`)).text()
const program = Effect.gen(function* () {
  const nango = yield* NangoConnect.NangoConnect
  const session = yield* nango.createConnectSession({ end_user: { id: "after-fetch" } })
  const details = yield* nango.getConnectSession(session.token)
  return details.endUser?.id
})
const live = NangoConnect.layer({ secretKey: emulator.secretKey, baseUrl: emulator.url }).pipe(
  Layer.provide(NangoHttpClient.layerUndici()),
)
const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(live)))
console.log(
  JSON.stringify({
    node: process.version,
    outcome: Exit.isSuccess(exit) ? exit.value : String(exit.cause),
    requests: emulator.requests.length,
    undiciIndexLoaded: Object.keys(createRequire(import.meta.url).cache).some((file) =>
      /[\\/]undici[\\/]index\.js$/.test(file),
    ),
  }),
)
await emulator.close()
