// The README's "Your own HTTP server, end to end" example, run by `npm test`: the production layer
// pointed at an emulator on a real socket, and the signed webhook delivered to your server's URL.
import { createServer } from "node:http"
import { expect, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { NangoConnect } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import * as NangoHttpClient from "effect-nango/undici"
import { NangoWebhook } from "effect-nango/webhooks"

// Your server: verifies the raw body of Nango's webhook, then records the new connection.
const startServer = (signingKey: string, received: Array<string>) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ readonly url: string; readonly close: () => void }>((resolve) => {
          const server = createServer((request, response) => {
            const chunks: Array<Buffer> = []
            request.on("data", (chunk: Buffer) => chunks.push(chunk))
            request.on("end", () => {
              const verified = NangoWebhook.verify(Buffer.concat(chunks), request.headers, {
                signingKeys: [Redacted.make(signingKey)],
              })
              Effect.runPromiseExit(verified).then((exit) => {
                if (Exit.isSuccess(exit) && exit.value.type === "auth") received.push(exit.value.connectionId)
                response.writeHead(Exit.isSuccess(exit) ? 204 : 401).end()
              })
            })
          })
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number }
            resolve({ url: `http://127.0.0.1:${port}/webhooks/nango`, close: () => server.close() })
          })
        }),
    ),
    (server) => Effect.sync(server.close),
  )

it.effect("a user connects: session over the production layer, signed webhook to our server", () =>
  Effect.gen(function* () {
    const emulator = yield* NangoEmulator.make() // a real socket on 127.0.0.1, closed with the test
    const received: Array<string> = []
    const server = yield* startServer(emulator.webhookSigningKey, received)
    // The production layer, pointed at the emulator instead of NANGO_HOST.
    const NangoLive = NangoHttpClient.layerNangoConnect({ secretKey: emulator.secretKey, baseUrl: emulator.url })

    const session = yield* Effect.flatMap(NangoConnect.NangoConnect, (nango) =>
      nango.createConnectSession({ tags: { end_user_id: "user-42" } }),
    ).pipe(Effect.provide(NangoLive))
    const completed = yield* Effect.promise(() =>
      emulator.completeSession(Redacted.value(session.token), { integration: "github", deliverTo: server.url }),
    )

    expect(completed.webhook?.attempts).toEqual([{ status: 204 }])
    expect(received).toEqual([completed.connectionId])
  }).pipe(Effect.scoped),
)
