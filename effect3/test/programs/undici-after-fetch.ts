// This line's call for suite/programs/undici-after-fetch.ts (see there): a session created and read
// through NangoConnect.layer on NangoHttpClient.layerUndici.
import { Effect, Exit, Layer } from "effect"
import { NangoConnect } from "effect-nango"
import * as NangoHttpClient from "effect-nango/undici"
import { report } from "../../../suite/programs/undici-after-fetch.js"

await report(async (emulator) => {
  const program = Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const session = yield* nango.createConnectSession({ end_user: { id: "after-fetch" } })
    return (yield* nango.getConnectSession(session.token)).endUser?.id
  })
  const live = NangoConnect.layer({ secretKey: emulator.secretKey, baseUrl: emulator.url }).pipe(
    Layer.provide(NangoHttpClient.layerUndici()),
  )
  const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(live)))
  return Exit.isSuccess(exit) ? exit.value : String(exit.cause)
})
