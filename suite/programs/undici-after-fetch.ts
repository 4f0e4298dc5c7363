// Run in a fresh Node process by suite/node-transport.test.ts, from a line's folder (whose tsconfig
// maps #effect/* to that line's Effect): the undici transport's first call, a session created and
// read through NangoConnect.layer on NangoHttpClient.layerUndici, optionally after the process has
// used the global fetch (which, on Node 22, installs Node's own bundled undici as the process-wide
// dispatcher). Prints one JSON line: the call's outcome, and whether undici's index (every undici
// feature, loaded only for the generic HttpClient path) was loaded.
import { createRequire } from "node:module"
import { line } from "#effect"
import * as Effect from "#effect/Effect"
import * as Layer from "#effect/Layer"
import { NangoEmulator } from "../../nango/src/emulator.js"
import { NangoConnect } from "../../src/index.js"
import * as NangoHttpClient from "../../src/NangoHttpClient.js"

/** The call: a session created and read back, or the failure as text. */
const call = (emulator: NangoEmulator): Promise<unknown> => {
  const program = Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const session = yield* nango.createConnectSession({ end_user: { id: "after-fetch" } })
    return (yield* nango.getConnectSession(session.token)).endUser?.id
  })
  const live = NangoConnect.layer({ secretKey: emulator.secretKey, baseUrl: emulator.url }).pipe(
    Layer.provide(NangoHttpClient.layerUndici()),
  )
  return Effect.runPromise(
    program.pipe(
      Effect.provide(live),
      Effect.match({ onFailure: (error) => `${error._tag}: ${error.message}`, onSuccess: (id) => id }),
    ),
  )
}

/** Runs the call against a fresh emulator and prints what the test checks. */
const report = async () => {
  const emulator = await NangoEmulator.start()
  if (process.argv[2] === "fetch-first") await (await fetch(`${emulator.url}/connect/session`)).text()
  const outcome = await call(emulator)
  console.log(
    JSON.stringify({
      line,
      node: process.version,
      outcome,
      requests: emulator.requests.length,
      undiciIndexLoaded: Object.keys(createRequire(import.meta.url).cache).some((file) =>
        /[\\/]undici[\\/]index\.js$/.test(file),
      ),
    }),
  )
  await emulator.close()
}

await report()
