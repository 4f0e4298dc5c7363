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

describe("the tag count is Nango's", () => {
  const tagsOf = (count: number, prefix = "k") => tags(count, prefix)
  /** Creates (or reconnects) with `body`; the failure, the requests and the tags the server stored. */
  const send = (operation: "create" | "reconnect", body: Record<string, unknown>) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded)
      const call =
        operation === "create"
          ? nango.createConnectSession(body as CreateBody)
          : nango.createReconnectSession({
              connection_id: "conn-1",
              integration_id: "github",
              ...body,
            } as NangoConnectSchema.CreateReconnectSessionInput)
      const error = yield* call.pipe(
        Effect.as(undefined),
        catchAll((failure) => Effect.succeed(failure)),
      )
      return { error, requests: emulator.requests.length, stored: emulator.created[0]?.tags }
    })

  it.effect.each([
    {
      name: "an empty display_name derives no tag",
      body: { end_user: { id: "tm", display_name: "" }, tags: tagsOf(9) },
      stored: { end_user_id: "tm", ...tagsOf(9) },
    },
    {
      name: "an empty email is not a tag either (none given)",
      body: { end_user: { id: "tm", display_name: "T" }, tags: tagsOf(8) },
      stored: { end_user_id: "tm", end_user_display_name: "T", ...tagsOf(8) },
    },
    {
      name: "an empty organization id derives no tag",
      body: { end_user: { id: "tm" }, organization: { id: "" }, tags: tagsOf(9) },
      stored: { end_user_id: "tm", ...tagsOf(9) },
    },
    {
      name: "end_user.tags that do not fit beside the base tags are left out whole",
      body: { end_user: { id: "tm", tags: tagsOf(10, "e") } },
      stored: { end_user_id: "tm" },
    },
    {
      name: "end_user.tags that just fit are kept",
      body: { end_user: { id: "tm", tags: tagsOf(9, "e") } },
      stored: { end_user_id: "tm", ...tagsOf(9, "e") },
    },
    {
      name: "an empty end_user.tags value leaves all of end_user.tags out",
      body: { end_user: { id: "tm", tags: { a: "", b: "x" } }, tags: tagsOf(9) },
      stored: { end_user_id: "tm", ...tagsOf(9) },
    },
    {
      name: "organization without end_user derives nothing on create",
      body: { tags: tagsOf(10), organization: { id: "o", display_name: "O" } },
      stored: tagsOf(10),
    },
    {
      name: "a top-level key replaces a derived one of any case",
      body: { end_user: { id: "tm", tags: { Team: "a" } }, tags: { TEAM: "b", END_USER_ID: "x", ...tagsOf(8) } },
      stored: { end_user_id: "x", team: "b", ...tagsOf(8) },
    },
  ])("create: $name; the body is sent and the server stores what Nango stores", ({ body, stored }) =>
    Effect.gen(function* () {
      const outcome = yield* send("create", body)
      expect(outcome.error).toBeUndefined()
      expect(outcome.requests).toBe(1)
      expect(outcome.stored).toEqual(stored)
    }),
  )

  it.effect("reconnect: organization without end_user derives tags, so 8 top-level tags are sent", () =>
    Effect.gen(function* () {
      const outcome = yield* send("reconnect", { organization: { id: "o", display_name: "O" }, tags: tagsOf(8) })
      expect(outcome.error).toBeUndefined()
      expect(outcome.stored).toEqual({ organization_id: "o", organization_display_name: "O", ...tagsOf(8) })
    }),
  )

  it.effect.each([
    { operation: "reconnect" as const, body: { organization: { id: "o", display_name: "O" }, tags: tagsOf(9) } },
    { operation: "create" as const, body: { end_user: { id: "tm", display_name: "D" }, tags: tagsOf(9) } },
    {
      operation: "create" as const,
      body: { end_user: { id: "tm", tags: tagsOf(8, "e") }, organization: { id: "o" }, tags: { k0: "v" } },
    },
  ])("$operation: a body that makes 11 tags is refused before sending, with the count", ({ operation, body }) =>
    Effect.gen(function* () {
      const outcome = yield* send(operation, body)
      expect(outcome.requests).toBe(0)
      expect(outcome.error).toMatchObject({
        _tag: "InvalidInput",
        issues: [expect.stringMatching(/^tags: .*at most 10 keys; this body makes 11$/)],
      })
    }),
  )
})

describe("webhook URLs and stored strings, as Nango treats them", () => {
  it.effect.each([
    { url: "https://evil.nango.dev../h", refused: "a webhook URL cannot point to Nango's domain (nango.dev)" },
    { url: "https://NANGO.dev/h", refused: "a webhook URL cannot point to Nango's domain (nango.dev)" },
    { url: "https://notnango.dev/h", refused: undefined },
    { url: "https://nango.dev.example.com/h", refused: undefined },
  ])("webhook_url_override $url", ({ url, refused }) =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({ end_user: { id: "u" }, webhook_url_override: url })
      if (refused === undefined) {
        expect(error).toBeUndefined()
        expect(requests).toHaveLength(1)
      } else {
        expect(requests).toHaveLength(0)
        expect(error).toMatchObject({ _tag: "InvalidInput", issues: [`webhook_url_override: ${refused}`] })
      }
    }),
  )

  it.effect.each([{ value: 42 }, { value: null }, { value: { href: "https://example.com" } }])(
    "the deprecated connection_config.webhook_url as $value is refused as not a string",
    ({ value }) =>
      Effect.gen(function* () {
        const { error, requests } = yield* attempt(withConfig({ webhook_url: value }))
        expect(requests).toHaveLength(0)
        expect(error).toMatchObject({
          _tag: "InvalidInput",
          issues: ["integrations_config_defaults.github.connection_config.webhook_url: a webhook URL must be a string"],
        })
      }),
  )

  it.effect("a NUL in webhook_url_override is sent: the server stores the URL percent-encoded", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded)
      yield* nango.createConnectSession({ end_user: { id: "u" }, webhook_url_override: "https://example.com/h\u0000k" })
      expect(emulator.requests).toHaveLength(1)
      expect(emulator.created[0]?.webhookUrlOverride).toBe("https://example.com/h%00k")
    }),
  )

  it.effect("a NUL in an unknown overrides key is sent: the server drops the key", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded)
      yield* nango.createConnectSession({
        end_user: { id: "u" },
        overrides: { github: { docs_connect: "", theme: "da\u0000rk" } },
      } as CreateBody)
      expect(emulator.requests).toHaveLength(1)
      expect(emulator.created[0]?.overrides).toEqual({ github: { docs_connect: "" } })
    }),
  )

  it.effect("a NUL in overrides.<id>.docs_connect, which the server stores, is refused by its path", () =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({
        end_user: { id: "u" },
        overrides: { github: { docs_connect: "https://docs.example.com/\u0000" } },
      })
      expect(requests).toHaveLength(0)
      expect(error).toMatchObject({
        _tag: "InvalidInput",
        issues: [expect.stringMatching(/^overrides\.github\.docs_connect: contains a NUL/)],
      })
    }),
  )

  it.effect.each([
    { email: "a.b@example.com", sent: true },
    { email: "a..b@example.com", sent: false },
    { email: ".a@example.com", sent: false },
  ])("end_user.email $email", ({ email, sent }) =>
    Effect.gen(function* () {
      const { error, requests } = yield* attempt({ end_user: { id: "u", email } })
      expect(requests).toHaveLength(sent ? 1 : 0)
      if (sent) expect(error).toBeUndefined()
      else expect(error).toMatchObject({ _tag: "InvalidInput", input: "body" })
    }),
  )
})
