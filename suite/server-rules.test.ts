/**
 * The client against what the running Nango server accepts and refuses (docs/nango-server.md):
 * it sends what the server accepts, refuses first what the server could only answer with a 500 or
 * would change silently, refuses locally the stable 400 rules, and leaves host policy to the server.
 */

import type { NangoConnectSchema } from "effect-nango"
import { catchAll, describe, Effect, expect, it } from "#line"
import { setup } from "./support.js"

type CreateBody = NangoConnectSchema.CreateConnectSessionInput
const seeded = { integrations: ["github"], connections: [{ connection_id: "conn-1", integration_id: "github" }] }
const tags = (count: number, prefix = "k") =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, "v"]))
const withConfig = (connection_config: Record<string, unknown>) =>
  ({ end_user: { id: "u" }, integrations_config_defaults: { github: { connection_config } } }) as unknown as CreateBody

/** Creates with `body` and returns the failure, or undefined on success, with what the server saw. */
const attempt = (body: unknown) =>
  Effect.gen(function* () {
    const { emulator, nango } = yield* setup(seeded)
    const error = yield* nango.createConnectSession(body as CreateBody).pipe(
      Effect.as(undefined),
      catchAll((failure) => Effect.succeed(failure)),
    )
    return { error, requests: emulator.requests }
  })

describe("bodies the server accepts are sent", () => {
  it.effect("unknown keys inside an overrides entry", () =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({
        end_user: { id: "u" },
        overrides: { github: { docs_connect: "", theme: "dark" } },
      })
      expect(error).toBeUndefined()
      expect(requests).toHaveLength(1)
    }),
  )

  it.effect("keys whose value is undefined, anywhere, are left out as JSON leaves them out", () =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({
        end_user: { id: "u", email: undefined, tags: { team: "a", gone: undefined } },
        organization: undefined,
        tags: { plan: "pro", gone: undefined },
        integrations_config_defaults: {
          github: { user_scopes: undefined, authorization_params: { prompt: "consent", gone: undefined } },
        },
        not_in_the_schema: undefined,
      })
      expect(error).toBeUndefined()
      expect(requests[0]?.body).toEqual({
        end_user: { id: "u", tags: { team: "a" } },
        tags: { plan: "pro" },
        integrations_config_defaults: { github: { authorization_params: { prompt: "consent" } } },
      })
    }),
  )

  it.effect("a webhook URL the server's host policy refuses: the server answers, as BadRequest", () =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({
        end_user: { id: "u" },
        webhook_url_override: "http://10.0.0.1/hook",
      })
      expect(requests).toHaveLength(1)
      expect(error).toMatchObject({
        _tag: "BadRequest",
        errors: [{ message: "This webhook URL is not allowed.", path: ["webhook_url_override"] }],
      })
    }),
  )

  it.effect("a record key named constructor: the server answers, as BadRequest", () =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({ end_user: { id: "u" }, tags: { constructor: "v" } })
      expect(requests).toHaveLength(1)
      expect(error).toMatchObject({ _tag: "BadRequest", errors: [{ code: "invalid_type", path: ["tags"] }] })
    }),
  )
})

describe("bodies refused before anything is sent", () => {
  it.effect("a key the schema does not know, with a value", () =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({ end_user: { id: "u" }, not_in_the_schema: 1 })
      expect(error).toMatchObject({ _tag: "InvalidInput", input: "body" })
      expect(requests).toHaveLength(0)
    }),
  )

  class Settings {
    readonly retries = 3
  }
  it.effect.each([
    { kind: "a Date", value: new Date(0) },
    { kind: "a Map", value: new Map([["a", 1]]) },
    { kind: "a Set", value: new Set([1]) },
    { kind: "a class instance", value: new Settings() },
    { kind: "a function", value: () => 1 },
    { kind: "a bigint", value: 1n },
    { kind: "NaN", value: Number.NaN },
    { kind: "Infinity", value: Number.POSITIVE_INFINITY },
    { kind: "-Infinity", value: Number.NEGATIVE_INFINITY },
    { kind: "a Date inside an array", value: [new Date(0)] },
  ])("$kind in connection_config, by its path", ({ value }) =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt(withConfig({ extra: value }))
      expect(requests).toHaveLength(0)
      expect(error).toMatchObject({ _tag: "InvalidInput", input: "body" })
      const issues = error?._tag === "InvalidInput" ? error.issues : []
      expect(issues).toHaveLength(1)
      expect(issues[0]).toMatch(
        /^integrations_config_defaults\.github\.connection_config\.extra(\.0)?: .*cannot be sent as JSON/,
      )
    }),
  )

  it.effect.each([
    { where: "end_user.id", body: { end_user: { id: "u\u0000Zq9" } } },
    { where: "end_user.display_name", body: { end_user: { id: "u", display_name: "\ud800Zq9" } } },
    { where: "tags.team", body: { end_user: { id: "u" }, tags: { team: "Zq9\udc00" } } },
    { where: "organization.id", body: { end_user: { id: "u" }, organization: { id: "\u0000Zq9" } } },
    { where: "integrations_config_defaults.github.connection_config.x", body: withConfig({ x: "a\u0000Zq9" }) },
  ])("a NUL or an unpaired surrogate in $where, named, with the value not shown", ({ where, body }) =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt(body)
      expect(requests).toHaveLength(0)
      expect(error).toMatchObject({ _tag: "InvalidInput" })
      const issues = error?._tag === "InvalidInput" ? error.issues : []
      expect(issues).toEqual([
        `${where}: contains a NUL character or an unpaired surrogate, which the server cannot store; the value is not shown`,
      ])
      expect(error?.message).not.toContain("Zq9")
    }),
  )

  it.effect.each([
    { name: "end_user.id", body: { end_user: { id: "u" } }, max: 9 },
    { name: "id and email", body: { end_user: { id: "u", email: "a@example.com" } }, max: 8 },
    { name: "id and organization", body: { end_user: { id: "u" }, organization: { id: "o" } }, max: 8 },
    {
      name: "id, email and display_name",
      body: { end_user: { id: "u", email: "a@example.com", display_name: "A" } },
      max: 7,
    },
    { name: "id and three end_user.tags", body: { end_user: { id: "u", tags: tags(3, "e") } }, max: 6 },
  ])("the effective tag limit with $name: $max top-level tags are sent, one more is refused", ({ body, max }) =>
    Effect.gen(function* () {
      const atMax = yield* attempt({ ...body, tags: tags(max) })
      expect(atMax.error).toBeUndefined()
      const over = yield* attempt({ ...body, tags: tags(max + 1) })
      expect(over.requests).toHaveLength(0)
      expect(over.error).toMatchObject({
        _tag: "InvalidInput",
        issues: [expect.stringMatching(/^tags: .*at most 10 keys; this body makes 11$/)],
      })
    }),
  )

  it.effect("the effective tag limit on reconnect too", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded)
      const error = yield* Effect.flip(
        nango.createReconnectSession({
          connection_id: "conn-1",
          integration_id: "github",
          end_user: { id: "u" },
          tags: tags(10),
        }),
      )
      expect(error).toMatchObject({ _tag: "InvalidInput", input: "body" })
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect.each([
    { url: "ftp://example.com/hook", message: "a webhook URL must use http or https" },
    { url: "javascript:alert(1)", message: "a webhook URL must use http or https" },
    { url: "https://api.nango.dev./hook", message: "a webhook URL cannot point to Nango's domain (nango.dev)" },
    { url: "not a url", message: "a webhook URL must be an absolute URL or the empty string" },
  ])("webhook_url_override $url", ({ url, message }) =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({ end_user: { id: "u" }, webhook_url_override: url })
      expect(requests).toHaveLength(0)
      expect(error).toMatchObject({ _tag: "InvalidInput", issues: [`webhook_url_override: ${message}`] })
    }),
  )

  it.effect("the deprecated connection_config.webhook_url with another scheme", () =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt(withConfig({ webhook_url: "ftp://example.com" }))
      expect(requests).toHaveLength(0)
      expect(error).toMatchObject({
        _tag: "InvalidInput",
        issues: [
          "integrations_config_defaults.github.connection_config.webhook_url: a webhook URL must use http or https",
        ],
      })
    }),
  )
})
