// The README's effect/http example (Effect 4 only: Effect 3's router is another API), run by
// `npm test`: your webhook route on the Effect 4 router, served on 127.0.0.1, tested against the kit.
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { NangoConnect, NangoConnections } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"
import { NangoWebhook } from "effect-nango/webhooks"

// Your route: Nango's webhook verified by the NangoWebhook service (NangoWebhook.layerConfig() in
// production), then handed to the waits of NangoConnections.
const NangoWebhookRoute = HttpRouter.add(
  "POST",
  "/webhooks/nango",
  Effect.gen(function* () {
    const webhooks = yield* NangoWebhook.NangoWebhook
    const connections = yield* NangoConnections.NangoConnections
    yield* connections.receiveWebhook(yield* webhooks.fromRequest)
    return HttpServerResponse.empty({ status: 204 })
  }).pipe(
    Effect.catchTags({
      InvalidWebhookBody: () => Effect.succeed(HttpServerResponse.empty({ status: 204 })),
      MissingSignature: () => Effect.succeed(HttpServerResponse.empty({ status: 401 })),
      InvalidSignature: () => Effect.succeed(HttpServerResponse.empty({ status: 401 })),
    }),
  ),
)

// The route served on an ephemeral 127.0.0.1 port, on the services of the kit.
const TestLive = HttpRouter.serve(NangoWebhookRoute, { disableListenLog: true, disableLogger: true }).pipe(
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
  Layer.provideMerge(NangoConnectTest.layer()),
)

it.effect("the route verifies Nango's webhook and ends the wait for the connection", () =>
  Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const connections = yield* NangoConnections.NangoConnections
    const route = yield* HttpServer.addressFormattedWith((origin) => Effect.succeed(`${origin}/webhooks/nango`))

    const session = yield* nango.createConnectSession({ tags: { end_user_id: "user-42" } })
    const [found, completed] = yield* Effect.all(
      [
        connections.awaitConnection({ tags: { end_user_id: "user-42" } }),
        NangoConnectTest.completeSession(session.token, { integration: "github", deliverTo: route }),
      ],
      { concurrency: "unbounded" },
    )

    expect(completed.webhook?.attempts).toEqual([{ status: 204 }])
    expect(found.connection_id).toBe(completed.connectionId)
  }).pipe(Effect.provide(TestLive)),
)
