/**
 * The demo: create a Connect session, read it, show a typed error for an unknown token, delete
 * the session and show that it is gone. It runs against the embedded Nango emulator, or against
 * a real Nango when NANGO_SECRET_KEY and NANGO_HOST are both set.
 */
import type { HttpClient } from "@effect/platform"
import { Console, Effect, Layer, Redacted } from "effect"
import { NangoConnect } from "../src/index.js"
import * as NangoHttpClient from "../src/NangoHttpClient.js"
import * as NangoEmulator from "../src/testing/NangoEmulator.js"

const program = Effect.gen(function* () {
  const nango = yield* NangoConnect.NangoConnect

  const session = yield* nango.createConnectSession({
    end_user: { id: "demo-user", email: "demo@example.com", display_name: "Demo User" },
    tags: { source: "effect-nango-demo" },
  })
  yield* Console.log(`1. created a session, token ${session.token}, expires ${session.expires_at.toISOString()}`)

  const details = yield* nango.getConnectSession(session.token)
  yield* Console.log(`2. read it back: end user ${details.endUser?.id} <${details.endUser?.email}>`)

  const unknownToken = `nango_connect_session_${"0".repeat(64)}`
  const outcome = yield* nango.getConnectSession(unknownToken).pipe(
    Effect.as("found?!"),
    Effect.catchTags({
      Unauthorized: (error) => Effect.succeed(`typed error ${error._tag} ${error.status} ${error.code}`),
      NotFound: (error) => Effect.succeed(`typed error ${error._tag} ${error.status}`),
    }),
  )
  yield* Console.log(`3. an unknown token gives: ${outcome}`)

  yield* nango.deleteConnectSession(session.token)
  yield* Console.log("4. deleted the session")

  const gone = yield* nango.getConnectSession(session.token).pipe(
    Effect.as("still there?!"),
    Effect.catchTag("Unauthorized", (error) => Effect.succeed(`gone: ${error._tag} ${error.code}`)),
  )
  yield* Console.log(`5. reading it again: ${gone}`)
})

const realNango = process.env.NANGO_SECRET_KEY !== undefined && process.env.NANGO_HOST !== undefined

const NangoLive: Layer.Layer<NangoConnect.NangoConnect, unknown, HttpClient.HttpClient> = realNango
  ? Layer.provideMerge(
      NangoConnect.layerConfig(),
      Layer.effectDiscard(Console.log(`Nango at ${process.env.NANGO_HOST}`)),
    )
  : Layer.unwrapScoped(
      Effect.gen(function* () {
        const emulator = yield* NangoEmulator.make()
        yield* Console.log(
          `Embedded Nango emulator on ${emulator.url} (set NANGO_SECRET_KEY and NANGO_HOST for a real one)`,
        )
        return NangoConnect.layer({ secretKey: Redacted.make(emulator.secretKey), baseUrl: emulator.url })
      }),
    )

program
  .pipe(
    Effect.provide(NangoLive.pipe(Layer.provide(NangoHttpClient.layerUndici()))),
    Effect.tapErrorCause(Effect.logError),
    Effect.runPromise,
  )
  .catch(() => {
    process.exitCode = 1
  })
