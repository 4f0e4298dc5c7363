/**
 * The demo: Nango's Connect flow, tags first. A session is created and read, an unknown token
 * gives a typed error, the session is deleted; then, with a second session, the end user connects,
 * the verified `auth` webhook is handed over, the connection is awaited and read, and the
 * provider's API is called with it through Nango's proxy (`GET /user`, or `NANGO_DEMO_PROXY_PATH`,
 * decoded with a Schema when it is GitHub's user). It runs
 * against the embedded Nango emulator, or against a real Nango when NANGO_SECRET_KEY and NANGO_HOST
 * are both set (then you connect an integration yourself, through the Connect link it writes to a
 * file only you can read).
 */

import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Console, Effect, type Layer, Redacted, Schema } from "effect"
import { HttpClientResponse } from "effect/http"
import { NangoConnect, NangoConnections, type NangoConnectSchema, NangoProxy } from "../src/index.js"
import * as NangoHttpClient from "../src/NangoHttpClient.js"
import * as NangoWebhook from "../src/NangoWebhook.js"
import * as NangoEmulator from "../src/testing/NangoEmulator.js"

/** How the end user connects: the emulator plays it, or a person opens the Connect link. */
type Connect = (
  session: NangoConnectSchema.ConnectSession,
) => Effect.Effect<void, never, NangoConnections.NangoConnections>

const tags = { end_user_id: "demo-user", source: "effect-nango-demo" }

const sessionLifeCycle = Effect.gen(function* () {
  const nango = yield* NangoConnect.NangoConnect
  const session = yield* nango.createConnectSession({ tags })
  yield* Console.log(`1. created a session, token ${session.token}, expires ${session.expires_at.toISOString()}`)

  const details = yield* nango.getConnectSession(session.token)
  yield* Console.log(
    `2. read it back with its own token: ${details.endUser ? `end user ${details.endUser.id}` : "no end user, tags only"}`,
  )

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
  const gone = yield* nango.getConnectSession(session.token).pipe(
    Effect.as("still there?!"),
    Effect.catchTag("Unauthorized", (error) => Effect.succeed(`gone: ${error._tag} ${error.code}`)),
  )
  yield* Console.log(`4. deleted it; reading it again: ${gone}`)
})

const connectionFlow = (connect: Connect) =>
  Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const connections = yield* NangoConnections.NangoConnections
    const session = yield* nango.createConnectSession({ tags })
    yield* connect(session)

    const found = yield* connections.awaitConnection({ tags: { end_user_id: tags.end_user_id } })
    yield* Console.log(`6. awaited: connection ${found.connection_id} of ${found.provider_config_key}`)

    const connection = yield* connections.getConnection(found.connection_id, {
      providerConfigKey: found.provider_config_key,
    })
    const kind = "type" in connection.credentials ? connection.credentials.type : "none"
    yield* Console.log(
      `7. read it: ${kind} credentials, ${JSON.stringify(connection.credentials)}, tags ${JSON.stringify(connection.tags)}`,
    )
    yield* callProvider(found.connection_id, found.provider_config_key)
  })

/** The part of a GitHub user the demo reads. */
const GitHubUser = Schema.Struct({ login: Schema.String, id: Schema.Number })

/** Calls the provider's API with the connection, through Nango's proxy: Nango injects its credentials. */
const callProvider = (connectionId: string, providerConfigKey: string) =>
  Effect.gen(function* () {
    const proxy = yield* NangoProxy.NangoProxy
    const provider = yield* proxy.client({ connectionId, providerConfigKey })
    const path = process.env.NANGO_DEMO_PROXY_PATH ?? "/user"
    const response = yield* provider.get(path, { headers: { accept: "application/json" } })
    const described = yield* Effect.matchEffect(HttpClientResponse.schemaBodyJson(GitHubUser)(response), {
      onSuccess: (user) => Effect.succeed(`GitHub user ${user.login} (id ${user.id})`),
      // Another provider's answer: only its size is shown, since it may describe a person.
      onFailure: () => Effect.map(response.text, (text) => `${text.length} characters`),
    })
    yield* Console.log(
      `8. called ${providerConfigKey}'s API through Nango: GET ${path} answered ${response.status}, ${described}`,
    )
  }).pipe(
    Effect.matchEffect({
      onSuccess: () => Effect.void,
      onFailure: (error) =>
        Console.log(`8. calling the provider through Nango failed: ${error._tag}: ${error.message}`),
    }),
  )

/** The embedded emulator: the end user connects at once, and the signed webhook is verified and handed over. */
const embedded = Effect.gen(function* () {
  // The emulator plays GitHub too: Nango's proxy calls it with the connection's access token.
  const emulator = yield* NangoEmulator.make({
    providers: {
      github: (request) =>
        request.url === "/user" && request.headers.authorization?.startsWith("Bearer ")
          ? {
              status: 200,
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ login: "demo-user", id: 4242, name: "Demo User" }),
            }
          : { status: 404, headers: { "content-type": "application/json" }, body: '{"message":"Not Found"}' },
    },
  })
  yield* Console.log(`Embedded Nango emulator on ${emulator.url} (set NANGO_SECRET_KEY and NANGO_HOST for a real one)`)
  const signingKeys = [Redacted.make(emulator.webhookSigningKey)]
  const connect: Connect = (session) =>
    Effect.flatMap(NangoConnections.NangoConnections, (connections) =>
      Effect.promise(() =>
        emulator.completeSession(Redacted.value(session.token), {
          integration: "github",
          deliverTo: (delivery) =>
            NangoWebhook.verify(delivery.body, delivery.headers, { signingKeys }).pipe(
              Effect.flatMap(connections.receiveWebhook),
              Effect.as(200),
              Effect.catchTags({ InvalidWebhookBody: () => Effect.succeed(200) }),
              Effect.orElseSucceed(() => 401),
              Effect.runPromise,
            ),
        }),
      ).pipe(Effect.andThen(Console.log("5. the end user connected github; Nango sent the signed auth webhook"))),
    )
  const layer = NangoHttpClient.layerNango({ secretKey: Redacted.make(emulator.secretKey), baseUrl: emulator.url })
  return { layer, connect }
})

/** A real Nango: a person opens the Connect link, and the wait polls (or gets your webhooks). */
const real = Effect.gen(function* () {
  yield* Console.log(`Nango at ${process.env.NANGO_HOST}`)
  // The Connect link holds the session token, so it is never printed: it goes to a file only you can read.
  const connect: Connect = (session) =>
    Effect.flatMap(
      Effect.sync(() => {
        const file = join(mkdtempSync(join(tmpdir(), "effect-nango-demo-")), "connect-link.txt")
        writeFileSync(file, `${Redacted.value(session.connect_link ?? session.token)}\n`, { mode: 0o600 })
        return file
      }),
      (file) => Console.log(`5. open the Connect link in ${file} and connect an integration; waiting up to 5 minutes`),
    )
  return { layer: NangoHttpClient.layerNangoConfig(), connect }
})

const realNango = process.env.NANGO_SECRET_KEY !== undefined && process.env.NANGO_HOST !== undefined

Effect.scoped(
  Effect.gen(function* () {
    const { layer, connect } = yield* realNango ? real : embedded
    yield* Effect.provide(
      Effect.andThen(sessionLifeCycle, connectionFlow(connect)),
      layer as Layer.Layer<
        NangoConnect.NangoConnect | NangoConnections.NangoConnections | NangoProxy.NangoProxy,
        unknown
      >,
    )
  }),
)
  .pipe(Effect.runPromise)
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
