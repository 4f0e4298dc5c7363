// The README's end-to-end example: a session is created, the end user connects, Nango's webhook
// is verified and decoded, and the connection is stored, with no account and no network.
import { expect, it } from "@effect/vitest"
import { Effect, Redacted, Ref } from "effect"
import { NangoConnect } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"
import { NangoWebhook } from "effect-nango/webhooks"

// Your webhook handler: verify the raw body, store the new connection, answer 2xx quickly.
const onNangoWebhook =
  (signingKeys: ReadonlyArray<Redacted.Redacted<string>>, connections: Ref.Ref<ReadonlyArray<string>>) =>
  (body: string, headers: NangoWebhook.Headers) =>
    NangoWebhook.verify(body, headers, { signingKeys }).pipe(
      Effect.flatMap((webhook) =>
        webhook.type === "auth" && webhook.success
          ? Ref.update(connections, (ids) => [...ids, webhook.connectionId])
          : Effect.void,
      ),
      Effect.as(200),
      Effect.catchTags({
        InvalidWebhookBody: () => Effect.succeed(200), // signed, of a kind this code does not know
        MissingSignature: () => Effect.succeed(401),
        InvalidSignature: () => Effect.succeed(401),
        InvalidInput: () => Effect.succeed(500), // our own keys or arguments are wrong: Nango retries
      }),
    )

it.effect("onboards a user: session, connect, verified webhook, stored connection", () =>
  Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const emulator = yield* NangoConnectTest.Emulator
    const connections = yield* Ref.make<ReadonlyArray<string>>([])
    const handle = onNangoWebhook([Redacted.make(emulator.webhookSigningKey)], connections)

    const session = yield* nango.createConnectSession({ end_user: { id: "user-42" }, tags: { plan: "pro" } })
    const completed = yield* NangoConnectTest.completeSession(session.token, {
      integration: "github",
      deliverTo: (delivery) => handle(delivery.body, delivery.headers),
    })

    expect(yield* Ref.get(connections)).toEqual([completed.connectionId])
    expect(completed.webhook?.attempts).toEqual([{ status: 200 }])
  }).pipe(Effect.provide(NangoConnectTest.layerInMemory())),
)
