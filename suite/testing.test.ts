/**
 * effect-nango/testing: both test layers (loopback socket and in memory) behave alike, through
 * the same public API a user's tests use.
 */

import { NangoConnect, NangoProxy } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"
import { NangoWebhook } from "effect-nango/webhooks"
import {
  Duration,
  describe,
  Effect,
  expect,
  Fiber,
  fork,
  HttpClientRequest,
  type Layer,
  Redacted,
  TestClock,
} from "#line"
import { fixtureText, itWithSleeps, waitForSleep } from "./support.js"

const user = { end_user: { id: "user-42" } }
const layers: ReadonlyArray<
  readonly [string, (options?: NangoConnectTest.Options) => Layer.Layer<NangoConnectTest.Services>]
> = [
  ["socket", NangoConnectTest.layer],
  ["in memory", NangoConnectTest.layerInMemory],
]

describe.each(layers)("NangoConnectTest.%s", (_, layer) => {
  const nango = NangoConnect.NangoConnect
  const emulator = NangoConnectTest.Emulator

  itWithSleeps("runs the life cycle and records what was created and deleted", () =>
    Effect.gen(function* () {
      const client = yield* nango
      const session = yield* client.createConnectSession(user)
      const details = yield* client.getConnectSession(session.token)
      yield* client.deleteConnectSession(session.token)
      const handle = yield* emulator
      expect(details.endUser?.id).toBe("user-42")
      expect(handle.created).toHaveLength(1)
      expect(handle.deleted).toEqual([Redacted.value(session.token)])
      expect(handle.requests.map((request) => request.method)).toEqual(["POST", "GET", "DELETE"])
    }).pipe(Effect.provide(layer())),
  )

  itWithSleeps("answers what production would: host policy as BadRequest, the tag limit refused before sending", () =>
    Effect.gen(function* () {
      const client = yield* nango
      const blocked = yield* Effect.flip(
        client.createConnectSession({ ...user, webhook_url_override: "http://169.254.169.254/latest" }),
      )
      expect(blocked).toMatchObject({
        _tag: "BadRequest",
        errors: [{ message: "This webhook URL is not allowed.", path: ["webhook_url_override"] }],
      })
      const tooManyTags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "v"]))
      const refused = yield* Effect.flip(client.createConnectSession({ ...user, tags: tooManyTags }))
      expect(refused._tag).toBe("InvalidInput")
      expect((yield* emulator).requests).toHaveLength(1)
    }).pipe(Effect.provide(layer())),
  )

  itWithSleeps("provides a NangoWebhook that verifies what the emulator delivers, with Redacted or plain tokens", () =>
    Effect.gen(function* () {
      const client = yield* nango
      const webhooks = yield* NangoWebhook.NangoWebhook
      const received: Array<string> = []
      const deliverTo = (delivery: { readonly body: string; readonly headers: NangoWebhook.Headers }) =>
        webhooks.verify(delivery.body, delivery.headers).pipe(
          Effect.map((webhook) => {
            received.push(webhook.type)
            return 200
          }),
          Effect.orElseSucceed(() => 401),
        )
      const first = yield* client.createConnectSession(user)
      const second = yield* client.createConnectSession(user)
      yield* NangoConnectTest.completeSession(first.token, { integration: "github", deliverTo })
      yield* NangoConnectTest.completeSession(Redacted.value(second.token), { integration: "github", deliverTo })
      expect(received).toEqual(["auth", "auth"])
      // A webhook signed with another key is refused by the kit's verifier.
      const forged = { body: '{"type":"auth"}', headers: { "x-nango-hmac-sha256": "0".repeat(64) } }
      expect((yield* Effect.flip(webhooks.verify(forged.body, forged.headers)))._tag).toBe("InvalidSignature")
    }).pipe(Effect.provide(layer())),
  )

  itWithSleeps("expires tokens on the TestClock", () =>
    Effect.gen(function* () {
      const client = yield* nango
      const session = yield* client.createConnectSession(user)
      yield* TestClock.adjust("29 minutes")
      yield* client.getConnectSession(session.token)
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(client.getConnectSession(session.token))
      expect(error).toMatchObject({ _tag: "Unauthorized", code: "unknown_connect_session_token" })
    }).pipe(Effect.provide(layer())),
  )

  itWithSleeps("is seeded with integrations and connections", () =>
    Effect.gen(function* () {
      const client = yield* nango
      const rejected = yield* Effect.flip(client.createConnectSession({ ...user, allowed_integrations: ["slack"] }))
      expect(rejected._tag).toBe("BadRequest")
      const handle = yield* emulator
      handle.addIntegrations(["slack"])
      handle.addConnections([{ connection_id: "conn-1", integration_id: "slack" }])
      yield* client.createConnectSession({ ...user, allowed_integrations: ["slack"] })
      const reconnect = yield* client.createReconnectSession({ connection_id: "conn-1", integration_id: "slack" })
      expect((yield* client.getConnectSession(reconnect.token)).isReconnecting).toBe(true)
    }).pipe(Effect.provide(layer({ integrations: ["github"] }))),
  )

  itWithSleeps("answers 429 past the rate limit it is given", () =>
    Effect.gen(function* () {
      const client = yield* nango
      const handle = yield* emulator
      handle.setRateLimit({ points: 1 })
      yield* client.createConnectSession(user)
      const limited = yield* Effect.flip(client.createConnectSession(user))
      expect(limited).toMatchObject({ _tag: "RateLimited", code: "too_many_request" })
    }).pipe(Effect.provide(layer({ client: { retry: { maxRetryAfter: "1 second" } } }))),
  )

  itWithSleeps("injects faults: a status N times, a drop, a cut body, a hang", () =>
    Effect.gen(function* () {
      const client = yield* nango
      const handle = yield* emulator
      const session = yield* client.createConnectSession(user)

      handle.injectFault({ status: 503, times: 1, body: fixtureText("error-500-server-error.json") })
      const fiber = yield* fork(client.getConnectSession(session.token))
      yield* TestClock.adjust(yield* waitForSleep("200 millis", "40 millis"))
      expect((yield* Fiber.join(fiber)).endUser?.id).toBe("user-42")

      handle.injectFault({ drop: true })
      expect(yield* Effect.flip(client.createConnectSession(user))).toMatchObject({ _tag: "TransportError" })

      handle.injectFault({ status: 200, body: '{"data":{"endUser":null}}', cut: { afterBytes: 4, and: "reset" } })
      expect(yield* Effect.flip(client.deleteConnectSession(session.token))).toBeDefined()

      handle.injectFault({ hang: true })
      const hanging = yield* fork(client.createConnectSession(user))
      yield* waitForSleep("10 seconds")
      yield* TestClock.adjust(Duration.seconds(10))
      expect(yield* Effect.flip(Fiber.join(hanging))).toMatchObject({ _tag: "TimeoutError", scope: "attempt" })
    }).pipe(Effect.provide(layer())),
  )

  itWithSleeps(
    "plays the provider behind the proxy: an Effect provider, and Nango's retries on the layer's clock",
    () =>
      Effect.gen(function* () {
        const proxy = yield* NangoProxy.NangoProxy
        const handle = yield* emulator
        handle.seedConnection({ connection_id: "c1", provider_config_key: "github" })
        const client = yield* proxy.client({ connectionId: "c1", providerConfigKey: "github", retries: 2 })
        const fiber = yield* fork(
          Effect.flatMap(
            client.execute(HttpClientRequest.put("/items/1").pipe(HttpClientRequest.bodyText("v2", "text/plain"))),
            (response) => Effect.map(response.text, (text) => [response.status, text] as const),
          ),
        )
        // The server waits 3 s, then 6 s, between its attempts: on the TestClock.
        yield* TestClock.adjust(yield* waitForSleep("3 seconds"))
        yield* TestClock.adjust(yield* waitForSleep("6 seconds"))
        expect(yield* Fiber.join(fiber)).toEqual([200, "stored v2 on attempt 3"])
        expect(handle.proxied.map((request) => [request.method, request.url, request.body, request.attempt])).toEqual([
          ["PUT", "/items/1", "v2", 1],
          ["PUT", "/items/1", "v2", 2],
          ["PUT", "/items/1", "v2", 3],
        ])
      }).pipe(
        Effect.provide(
          layer({
            providers: {
              github: (request) =>
                request.attempt < 3
                  ? Effect.succeed({ status: 503, body: "busy" })
                  : Effect.succeed({ status: 200, body: `stored ${request.body} on attempt ${request.attempt}` }),
            },
          }),
        ),
      ),
  )
})
