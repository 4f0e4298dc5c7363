// The README's whole Connect flow, tags first: the session, the end user connecting, the verified
// webhook handed over, the connection awaited and read, its token used, and a reconnect session
// once its credentials went bad. It runs against the test kit, with no account and no network.
import { expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { NangoConnect, NangoConnections } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"
import { NangoWebhook } from "effect-nango/webhooks"

// Your webhook route: verify the raw body, hand the webhook over, answer 2xx quickly. In
// production NangoWebhook.layerConfig() provides the verifier; the test kit provides one with the
// emulator's signing key.
const onNangoWebhook = (body: string, headers: NangoWebhook.Headers) =>
  Effect.gen(function* () {
    const webhooks = yield* NangoWebhook.NangoWebhook
    const connections = yield* NangoConnections.NangoConnections
    const webhook = yield* webhooks.verify(body, headers)
    yield* connections.receiveWebhook(webhook)
    return 200
  }).pipe(
    Effect.catchTags({
      InvalidWebhookBody: () => Effect.succeed(200),
      MissingSignature: () => Effect.succeed(401),
      InvalidSignature: () => Effect.succeed(401),
      InvalidInput: () => Effect.succeed(500),
    }),
  )

// Once the end user has been sent to the Connect UI: wait for the connection, read its access
// token; if its credentials went bad, make a session that lets the user reconnect it.
const connectionFor = (userId: string) =>
  Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const connections = yield* NangoConnections.NangoConnections
    const found = yield* connections.awaitConnection({ tags: { end_user_id: userId }, integrationId: "github" })
    return yield* connections.getConnection(found.connection_id, { providerConfigKey: "github" }).pipe(
      Effect.map((connection) => ({
        _tag: "Ready" as const,
        accessToken: connection.credentials.type === "OAUTH2" ? connection.credentials.access_token : undefined,
      })),
      Effect.catchTag("InvalidCredentials", () =>
        Effect.map(
          nango.createReconnectSession({
            connection_id: found.connection_id,
            integration_id: "github",
            tags: { end_user_id: userId },
          }),
          (session) => ({ _tag: "Reconnect" as const, session }),
        ),
      ),
    )
  })

it.effect("connects a user: tags, Connect UI, verified webhook, awaited connection, its token", () =>
  Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const emulator = yield* NangoConnectTest.Emulator

    const session = yield* nango.createConnectSession({ tags: { end_user_id: "user-42" } })
    // The end user connects while the backend waits: the verified webhook ends the wait at once.
    const [ready, completed] = yield* Effect.all(
      [
        connectionFor("user-42"),
        NangoConnectTest.completeSession(session.token, {
          integration: "github",
          deliverTo: (delivery) => onNangoWebhook(delivery.body, delivery.headers),
        }),
      ],
      { concurrency: "unbounded" },
    )
    const stored = emulator.connections.find((connection) => connection.connection_id === completed.connectionId)
    expect(ready._tag === "Ready" && ready.accessToken && Redacted.value(ready.accessToken)).toBe(
      stored?.credentials.access_token,
    )
    expect(completed.webhook?.attempts).toEqual([{ status: 200 }])

    // Later the provider refuses the refresh for good: the user is offered a reconnect.
    emulator.setRefresh(completed.connectionId, "github", "exhausted")
    const again = yield* connectionFor("user-42")
    expect(again._tag).toBe("Reconnect")
  }).pipe(Effect.provide(NangoConnectTest.layerInMemory())),
)
