/**
 * effect-nango/webhooks: Nango's own signed webhooks verify and decode; a flipped byte, a wrong
 * key or a stripped header each give their typed error; rotation and the legacy signature; no key
 * and no body text in any error; the HttpServerRequest entry point; layerConfig.
 */

import { readdirSync, readFileSync } from "node:fs"
import { inspect } from "node:util"
import { NangoWebhook } from "effect-nango/webhooks"
import { configLayer, describe, Effect, expect, HttpServerRequest, it, Layer, Redacted } from "#line"
import { sign } from "../nango/src/webhook-signing.js"

const fixturesDir = new URL("../nango/fixtures/webhooks/", import.meta.url)
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(name, fixturesDir), "utf8")) as {
    readonly headers: Record<string, string>
    readonly rawBody: string
  }
const fixtures = readdirSync(fixturesDir).filter((name) => name.endsWith(".json"))
const signingKey = "00000000-0000-4000-8000-000000000000"
const keys = { signingKeys: [Redacted.make(signingKey)] }
const otherKey = "11111111-1111-4111-8111-111111111111"

/** A body signed as Nango signs it, with both headers. */
const signed = async (value: unknown, key = signingKey) => {
  const body = JSON.stringify(value)
  const signature = await sign(key, body)
  return { body, headers: { "X-Nango-Hmac-Sha256": signature.hmac, "X-Nango-Signature": signature.legacy } }
}

const withoutHeader = (headers: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name))

describe("Nango's own webhooks", () => {
  it("has the fixtures", () => {
    expect(fixtures).toEqual(["auth-creation-success.json", "sync-success.json"])
  })

  it.effect.each(fixtures)("%s verifies and decodes, from a string or bytes, with headers in any casing", (name) =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture(name)
      const fromString = yield* NangoWebhook.verify(rawBody, headers, keys)
      const lowerCased = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), [value]]))
      const fromBytes = yield* NangoWebhook.verify(new TextEncoder().encode(rawBody), lowerCased, keys)
      expect(fromBytes).toEqual(fromString)
      expect(fromString.type).toBe(JSON.parse(rawBody).type)
      // One Redacted key, not in an array, is taken as well.
      const single = yield* NangoWebhook.verify(rawBody, headers, { signingKeys: Redacted.make(signingKey) })
      expect(single).toEqual(fromString)
    }),
  )

  it.effect("the auth webhook carries the connection, the end user and the session's tags", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("auth-creation-success.json")
      const webhook = yield* NangoWebhook.verify(rawBody, headers, keys)
      if (webhook.type !== "auth" || !webhook.success) return expect.unreachable()
      expect(webhook.connectionId).toBe("a1b2c3d4-0000-4000-8000-00000000c0de")
      expect(webhook.operation).toBe("creation")
      expect(webhook.endUser).toEqual({
        endUserId: "user-123",
        endUserEmail: "jane@example.com",
        organizationId: "org-456",
        tags: { plan: "pro" },
      })
      expect(webhook.tags?.end_user_id).toBe("user-123")
    }),
  )
})

describe("typed failures", () => {
  it.effect("a flipped byte, a wrong key, a stripped header", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("auth-creation-success.json")
      const flipped = rawBody.replace('"success":true', '"success":tru3')
      expect((yield* Effect.flip(NangoWebhook.verify(flipped, headers, keys)))._tag).toBe("InvalidSignature")
      const bytes = new TextEncoder().encode(rawBody)
      bytes[10] = (bytes[10] as number) ^ 1
      expect((yield* Effect.flip(NangoWebhook.verify(bytes, headers, keys)))._tag).toBe("InvalidSignature")
      const wrongKey = { signingKeys: [Redacted.make(otherKey)] }
      expect((yield* Effect.flip(NangoWebhook.verify(rawBody, headers, wrongKey)))._tag).toBe("InvalidSignature")
      const stripped = withoutHeader(headers, "x-nango-hmac-sha256")
      expect((yield* Effect.flip(NangoWebhook.verify(rawBody, stripped, keys)))._tag).toBe("MissingSignature")
      const garbled = { ...headers, "X-Nango-Hmac-Sha256": "not hex" }
      expect((yield* Effect.flip(NangoWebhook.verify(rawBody, garbled, keys)))._tag).toBe("InvalidSignature")
    }),
  )

  it.effect("a correctly signed body that is not a Nango webhook", () =>
    Effect.gen(function* () {
      const notJson = "hello"
      const notJsonSignature = yield* Effect.promise(() => sign(signingKey, notJson))
      const error = yield* Effect.flip(
        NangoWebhook.verify(notJson, { "x-nango-hmac-sha256": notJsonSignature.hmac }, keys),
      )
      expect(error).toMatchObject({ _tag: "InvalidWebhookBody", issues: ["(root): not JSON"] })
      const other = yield* Effect.promise(() => signed({ type: "connection.deleted", secretValue: "Zq9-secret" }))
      const otherError = yield* Effect.flip(NangoWebhook.verify(other.body, other.headers, keys))
      expect(otherError._tag).toBe("InvalidWebhookBody")
      expect(String(otherError) + JSON.stringify(otherError)).not.toContain("Zq9-secret")
    }),
  )

  it.effect("no error shows a signing key, a signature or the body", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("auth-creation-success.json")
      const errors = [
        yield* Effect.flip(NangoWebhook.verify(`${rawBody} `, headers, keys)),
        yield* Effect.flip(NangoWebhook.verify(rawBody, headers, { signingKeys: Redacted.make(otherKey) })),
        yield* Effect.flip(NangoWebhook.verify(rawBody, {}, keys)),
      ]
      for (const error of errors) {
        const rendered = [
          String(error),
          error.message,
          JSON.stringify(error),
          inspect(error),
          String(error.stack),
        ].join("\n")
        for (const secret of [signingKey, otherKey, headers["X-Nango-Hmac-Sha256"] as string, "jane@example.com"]) {
          expect(rendered).not.toContain(secret)
        }
      }
    }),
  )
})

describe("keys and signatures", () => {
  it.effect("accepts the previous key during a rotation, in any position", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("sync-success.json")
      const rotated = { signingKeys: [Redacted.make(otherKey), Redacted.make(signingKey)] }
      expect((yield* NangoWebhook.verify(rawBody, headers, rotated)).type).toBe("sync")
    }),
  )

  it.effect.each([0, 1, 2])("accepts the signing key at position %i of three, and refuses when none signed", (at) =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("sync-success.json")
      const others = [otherKey, "33333333-3333-4333-8333-333333333333"]
      const list = [...others.slice(0, at), signingKey, ...others.slice(at)].map((key) => Redacted.make(key))
      expect((yield* NangoWebhook.verify(rawBody, headers, { signingKeys: list })).type).toBe("sync")
      const unsigned = { signingKeys: others.map((key) => Redacted.make(key)) }
      expect((yield* Effect.flip(NangoWebhook.verify(rawBody, headers, unsigned)))._tag).toBe("InvalidSignature")
    }),
  )

  it.effect("layerConfig verifies with the current key while previous keys are configured", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("auth-creation-success.json")
      const env = {
        NANGO_WEBHOOK_SIGNING_KEY: signingKey,
        NANGO_WEBHOOK_PREVIOUS_SIGNING_KEYS: `${otherKey},22222222-2222-4222-8222-222222222222`,
      }
      const live = NangoWebhook.layerConfig().pipe(Layer.provide(configLayer(env)))
      const webhook = yield* Effect.flatMap(NangoWebhook.NangoWebhook, (service) =>
        service.verify(rawBody, headers),
      ).pipe(Effect.provide(live))
      expect(webhook.type).toBe("auth")
    }),
  )

  it.effect.each([
    ["a body that is a number", 42, undefined, undefined, "body"],
    ["a parsed body instead of the raw one", { type: "sync" }, undefined, undefined, "body"],
    ["headers that are null", undefined, null, undefined, "headers"],
    ["a signing key that is not Redacted", undefined, undefined, { signingKeys: [signingKey] }, "signingKeys"],
    ["no signing keys at all", undefined, undefined, {}, "signingKeys"],
  ] as const)("%s: InvalidInput naming that input, the key never shown", ([, body, headers, options, input]) =>
    Effect.gen(function* () {
      const signed = fixture("sync-success.json")
      const error = yield* Effect.flip(
        NangoWebhook.verify(
          (body ?? signed.rawBody) as string,
          (headers === undefined ? signed.headers : headers) as unknown as NangoWebhook.Headers,
          (options ?? keys) as unknown as NangoWebhook.VerifyOptions,
        ),
      )
      expect(error).toMatchObject({ _tag: "InvalidInput", input })
      expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(signingKey)
    }),
  )

  it.effect("a Node Buffer is a raw body like any Uint8Array", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("sync-success.json")
      expect((yield* NangoWebhook.verify(Buffer.from(rawBody), headers, keys)).type).toBe("sync")
    }),
  )

  it.effect("accepts the legacy X-Nango-Signature only when allowed", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("sync-success.json")
      const legacyOnly = withoutHeader(headers, "x-nango-hmac-sha256")
      expect((yield* Effect.flip(NangoWebhook.verify(rawBody, legacyOnly, keys)))._tag).toBe("MissingSignature")
      const allowed = { ...keys, allowLegacySignature: true }
      expect((yield* NangoWebhook.verify(rawBody, legacyOnly, allowed)).type).toBe("sync")
      const wrongLegacy = { ...legacyOnly, "X-Nango-Signature": "0".repeat(64) }
      expect((yield* Effect.flip(NangoWebhook.verify(rawBody, wrongLegacy, allowed)))._tag).toBe("InvalidSignature")
    }),
  )
})

describe("every webhook type", () => {
  const common = { from: "nango", connectionId: "c1", providerConfigKey: "github" }
  it.effect.each([
    {
      type: "auth failure",
      value: {
        ...common,
        type: "auth",
        provider: "github",
        authMode: "OAUTH2",
        environment: "dev",
        operation: "refresh",
        success: false,
        error: { type: "refresh_token_external_error", description: "x" },
        tags: {},
      },
    },
    {
      type: "sync failure",
      value: {
        ...common,
        type: "sync",
        syncName: "issues",
        model: "Issue",
        success: false,
        error: { type: "script_error", description: "x" },
        startedAt: "2026-01-01T00:00:00.000Z",
        failedAt: "2026-01-01T00:01:00.000Z",
      },
    },
    { type: "forward", value: { ...common, from: "github", type: "forward", payload: { action: "opened" } } },
    {
      type: "async_action",
      value: { ...common, type: "async_action", payload: { id: "a1", statusUrl: "/action/a1" } },
    },
  ])("$type decodes, keeping the fields the schema does not know", ({ value }) =>
    Effect.gen(function* () {
      const { body, headers } = yield* Effect.promise(() => signed({ ...value, addedLater: 1 }))
      const webhook = yield* NangoWebhook.verify(body, headers, keys)
      expect(webhook).toMatchObject({ type: value.type, addedLater: 1 })
    }),
  )
})

describe("the service", () => {
  it.effect("fromRequest reads the raw body of an HttpServerRequest", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("auth-creation-success.json")
      const request = HttpServerRequest.fromWeb(
        new Request("http://127.0.0.1/webhooks/nango", { method: "POST", headers, body: rawBody }),
      )
      const webhook = yield* NangoWebhook.fromRequest(keys).pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, request),
      )
      expect(webhook.type).toBe("auth")
    }),
  )

  it.effect("layerConfig reads NANGO_WEBHOOK_SIGNING_KEY and the previous keys", () =>
    Effect.gen(function* () {
      const { headers, rawBody } = fixture("auth-creation-success.json")
      const env = {
        NANGO_WEBHOOK_SIGNING_KEY: otherKey,
        NANGO_WEBHOOK_PREVIOUS_SIGNING_KEYS: ` 22222222-2222-4222-8222-222222222222 , ${signingKey}`,
      }
      const live = NangoWebhook.layerConfig().pipe(Layer.provide(configLayer(env)))
      const webhook = yield* Effect.flatMap(NangoWebhook.NangoWebhook, (service) =>
        service.verify(rawBody, headers),
      ).pipe(Effect.provide(live))
      expect(webhook.type).toBe("auth")
      const missing = yield* Effect.flip(
        Effect.provide(NangoWebhook.NangoWebhook, NangoWebhook.layerConfig().pipe(Layer.provide(configLayer({})))),
      )
      expect(String(missing)).toContain("NANGO_WEBHOOK_SIGNING_KEY")
    }),
  )
})
