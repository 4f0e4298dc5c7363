// The webhook server of the README, on the Effect 3 line, kept here so that the type check proves
// it compiles (not run by npm test).
import { createServer } from "node:http"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { NangoWebhook, type NangoWebhookSchema } from "effect-nango/webhooks"

// Your work: idempotent, since Nango may deliver the same webhook up to three times.
const storeConnection = (webhook: NangoWebhookSchema.NangoWebhook) => Effect.logInfo("webhook", webhook.type)

const router = HttpRouter.empty.pipe(
  HttpRouter.post(
    "/webhooks/nango",
    Effect.gen(function* () {
      const webhooks = yield* NangoWebhook.NangoWebhook
      const webhook = yield* webhooks.fromRequest // the raw body, verified against the signing keys
      yield* Effect.forkDaemon(storeConnection(webhook)) // answer 2xx at once; do the work after
      return HttpServerResponse.empty({ status: 204 })
    }).pipe(
      Effect.catchTags({
        MissingSignature: () => HttpServerResponse.empty({ status: 401 }),
        InvalidSignature: () => HttpServerResponse.empty({ status: 401 }),
        // Signed by Nango but of a kind this code does not know: acknowledge, so it is not retried.
        InvalidWebhookBody: () => HttpServerResponse.empty({ status: 204 }),
      }),
    ),
  ),
)

// NANGO_WEBHOOK_SIGNING_KEY (and, during a rotation, NANGO_WEBHOOK_PREVIOUS_SIGNING_KEYS)
const ServerLive = router.pipe(
  HttpServer.serve(),
  Layer.provide(NangoWebhook.layerConfig()),
  Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })),
)

export const main = () => NodeRuntime.runMain(Layer.launch(ServerLive))
