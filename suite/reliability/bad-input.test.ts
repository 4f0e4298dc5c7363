/**
 * Bad input: each rejected with a typed error before anything is sent (the emulator counts what
 * it received); and, property-based, every body the request schemas accept is one the emulator
 * accepts, and every body the emulator answers decodes.
 */

import { NangoConnect, type NangoConnectError, NangoConnectSchema } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import { afterAll, attempt, describe, Effect, expect, FetchHttpClient, it, Redacted, samples } from "#line"
import { setup } from "../support.js"

const token = `nango_connect_session_${"ab".repeat(32)}`
const user = { end_user: { id: "user-42" } }

/** Bad tokens, each given to GET and to DELETE. */
const badTokens: ReadonlyArray<readonly [string, string]> = [
  ["an empty token", ""],
  ["a token with CR/LF", `${token}\r\nx-injected: 1`],
  ["a token with a trailing LF", `${token}\n`],
  ["a token with a space", `nango_connect_session_ ${"ab".repeat(32)}`],
  ["a token with a NUL", `${token}\u0000`],
  ["a token with non-ASCII", `nango_connect_session_${"é".repeat(64)}`],
  ["a token in uppercase hex", `nango_connect_session_${"AB".repeat(32)}`],
  ["a secret key as token", "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"],
  ["a token with the scheme", `Bearer ${token}`],
]

/** Bad bodies for POST /connect/sessions. */
const badCreateBodies: ReadonlyArray<readonly [string, unknown]> = [
  ["unknown top-level keys", { ...user, foo: 1, bar: 2 }],
  ["an unknown end_user key", { end_user: { id: "u", phone: "123" } }],
  ["an unknown organization key", { ...user, organization: { id: "o", size: 3 } }],
  ["no end_user and no tags", { allowed_integrations: ["github"] }],
  ["an empty body", {}],
  ["an email that is not an email", { end_user: { id: "u", email: "ada-at-example.com" } }],
  ["an email under 5 characters", { end_user: { id: "u", email: "a@b" } }],
  ["more than 10 tags", { tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) }],
  [
    "more than 10 end_user tags",
    { end_user: { id: "u", tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) } },
  ],
  ["an end_user id over 255 characters", { end_user: { id: "x".repeat(256) } }],
  ["an empty end_user id", { end_user: { id: "" } }],
  ["a display name over 255", { end_user: { id: "u", display_name: "x".repeat(256) } }],
  ["an organization id over 255", { ...user, organization: { id: "x".repeat(256) } }],
  ["an integration id over 255", { ...user, allowed_integrations: ["x".repeat(256)] }],
  ["an integration id with a slash", { ...user, allowed_integrations: ["git/hub"] }],
  ["a tag key starting with a digit", { tags: { "1st": "v" } }],
  ["a tag value over 255", { tags: { plan: "x".repeat(256) } }],
  ["an empty top-level tag value", { tags: { plan: "" } }],
  ["duplicate tag keys after lowercasing", { tags: { Plan: "a", PLAN: "b" } }],
  ["duplicate end_user.tags keys after lowercasing", { end_user: { id: "u", tags: { team: "a", Team: "b" } } }],
  ["an end_user_email tag that is not an email", { tags: { END_USER_EMAIL: "nope" } }],
  ["a webhook URL on nango.dev", { ...user, webhook_url_override: "https://hooks.nango.dev/x" }],
  ["a webhook URL that is not a URL", { ...user, webhook_url_override: "not a url" }],
  [
    "a non-string authorization param",
    { ...user, integrations_config_defaults: { github: { authorization_params: { a: 1 } } } },
  ],
  [
    "a connection_config value JSON cannot carry",
    { ...user, integrations_config_defaults: { github: { connection_config: { n: Number.NaN } } } },
  ],
  ["a body that is not an object", ["end_user"]],
]

/** Bad bodies for POST /connect/sessions/reconnect. */
const badReconnectBodies: ReadonlyArray<readonly [string, unknown]> = [
  ["no ids", {}],
  ["allowed_integrations", { connection_id: "c", integration_id: "github", allowed_integrations: ["github"] }],
  ["a connection id with a newline", { connection_id: "a\nb", integration_id: "github" }],
  ["a connection id over 255", { connection_id: "c".repeat(256), integration_id: "github" }],
]

/** Bad options for make: a base URL that is not one, plain http off loopback, a key that cannot be a header. */
const badOptions: ReadonlyArray<readonly [string, Partial<NangoConnect.Options>]> = [
  ["a base URL that is not a URL", { baseUrl: "api.nango.dev" }],
  ["a base URL with another scheme", { baseUrl: "ftp://api.nango.dev" }],
  ["a base URL with a query", { baseUrl: "https://api.nango.dev/?x=1" }],
  ["a base URL with a fragment", { baseUrl: "https://api.nango.dev/#top" }],
  ["a base URL with an empty fragment", { baseUrl: "https://api.nango.dev/#" }],
  ["a base URL with an empty query", { baseUrl: "https://api.nango.dev/?" }],
  ["plain http to a host that is not loopback", { baseUrl: "http://nango.example.com" }],
  ["plain http to a private address", { baseUrl: "http://10.0.0.5:3003" }],
  ["an empty secret key", { secretKey: "" }],
  ["a secret key with CR/LF", { secretKey: Redacted.make("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a\r\nx: 1") }],
]

afterAll(() => {
  const inputs = badTokens.length * 2 + badCreateBodies.length + badReconnectBodies.length + badOptions.length
  console.info(`[reliability] bad inputs tried: ${inputs}, each rejected with InvalidInput and nothing sent`)
})

describe("bad input is rejected with InvalidInput and nothing is sent", () => {
  it.effect.each(badTokens)("GET and DELETE with %s", ([, bad]) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      for (const error of [
        yield* Effect.flip(nango.getConnectSession(bad)),
        yield* Effect.flip(nango.deleteConnectSession(Redacted.make(bad))),
      ]) {
        expect(error).toMatchObject({ _tag: "InvalidInput", input: "token" })
        if (bad.length > 0) expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(bad)
      }
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect.each(badCreateBodies)("createConnectSession with %s", ([, body]) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const error = yield* Effect.flip(nango.createConnectSession(body as NangoConnectSchema.CreateConnectSessionInput))
      expect(error).toMatchObject({ _tag: "InvalidInput", input: "body" })
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect.each(badReconnectBodies)("createReconnectSession with %s", ([, body]) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const error = yield* Effect.flip(
        nango.createReconnectSession(body as NangoConnectSchema.CreateReconnectSessionInput),
      )
      expect(error).toMatchObject({ _tag: "InvalidInput", input: "body" })
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect.each(badOptions)("make with %s", ([, options]) =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const error = yield* Effect.flip(
        NangoConnect.make({ secretKey: emulator.secretKey, baseUrl: emulator.url, ...options }).pipe(
          Effect.provide(FetchHttpClient.layer),
        ),
      )
      expect(error).toMatchObject({ _tag: "InvalidInput" })
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect("tag keys that differ only in case are sent when each record has one of them", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      yield* nango.createConnectSession({ end_user: { id: "u", tags: { Team: "a" } }, tags: { TEAM: "b", Plan: "p" } })
      expect(emulator.requests).toHaveLength(1)
      expect(emulator.created[0]?.tags).toEqual({ end_user_id: "u", team: "b", plan: "p" })
    }),
  )

  // Each value carries the marker; no issue text may carry it, since a body can hold a secret.
  // (Keys are not values: a path names them, so that the caller can find what was refused.)
  const marker = "Zq9sEcReT"
  it.effect.each([
    ["an email", { end_user: { id: "u", email: `${marker}-at-example.com` } }],
    ["an id over 255", { end_user: { id: marker.repeat(30) } }],
    ["a tag value over 255", { tags: { plan: marker.repeat(30) } }],
    ["an end_user_email tag", { tags: { end_user_email: marker } }],
    ["an integration id", { ...user, allowed_integrations: [`git/${marker}`] }],
    ["a webhook URL", { ...user, webhook_url_override: `https://${marker}.nango.dev/x` }],
    [
      "an authorization param",
      { ...user, integrations_config_defaults: { github: { authorization_params: { a: [marker] } } } },
    ],
    ["a user scope", { ...user, integrations_config_defaults: { github: { user_scopes: { [marker]: 1 } } } }],
    ["a display name of the wrong type", { end_user: { id: "u", display_name: [marker] } }],
    ["an unknown key's value", { ...user, extra: marker }],
  ])("the issue about %s does not carry the value", ([, body]) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const error = yield* Effect.flip(nango.createConnectSession(body as NangoConnectSchema.CreateConnectSessionInput))
      expect(error).toMatchObject({ _tag: "InvalidInput" })
      expect(`${String(error)} ${error.message} ${JSON.stringify(error)}`).not.toContain(marker)
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  const throwingGetter = Object.defineProperty({}, "maxAttempts", {
    enumerable: true,
    get: () => {
      throw new Error("do not read me")
    },
  })
  it.effect.each([
    ["maxAttempts 0", { retry: { maxAttempts: 0 } }, "retry.maxAttempts: expected an integer of at least 1"],
    ["maxAttempts 1.5", { retry: { maxAttempts: 1.5 } }, "retry.maxAttempts: expected an integer of at least 1"],
    ["maxAttempts NaN", { retry: { maxAttempts: Number.NaN } }, "retry.maxAttempts: expected an integer of at least 1"],
    [
      "maxAttempts as a string",
      { retry: { maxAttempts: "3" } },
      "retry.maxAttempts: expected an integer of at least 1",
    ],
    ["a retry getter that throws", { retry: throwingGetter }, "retry.maxAttempts: could not be read"],
    ["retry not an object", { retry: 3 }, "retry: expected an object"],
    ["a negative baseDelay", { retry: { baseDelay: -1 } }, "retry.baseDelay: expected a duration"],
    ["a duration that is no duration", { timeout: { total: "soon" } }, "timeout.total: expected a duration"],
    ["a NaN attempt timeout", { timeout: { attempt: Number.NaN } }, "timeout.attempt: expected a duration"],
    ["maxResponseBytes -1", { maxResponseBytes: -1 }, "maxResponseBytes: expected an integer of at least 0"],
    ["allowInsecureHttp as a string", { allowInsecureHttp: "yes" }, "allowInsecureHttp: expected a boolean"],
    ["propagateTraceContext as a number", { propagateTraceContext: 1 }, "propagateTraceContext: expected a boolean"],
  ] as const)("make with %s: InvalidInput for options, by path", ([, options, issue]) =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const error = yield* Effect.flip(
        NangoConnect.make({
          secretKey: emulator.secretKey,
          baseUrl: emulator.url,
          ...(options as object),
        } as NangoConnect.Options).pipe(Effect.provide(FetchHttpClient.layer)),
      )
      expect(error).toMatchObject({ _tag: "InvalidInput", input: "options" })
      expect(error.issues[0]).toContain(issue)
    }),
  )

  it.effect.each([
    ["maxAttempts 1", { retry: { maxAttempts: 1 } }],
    ["maxResponseBytes 0", { maxResponseBytes: 0 }],
    ["zero durations", { retry: { baseDelay: 0, maxDelay: "0 millis" }, timeout: { attempt: "2 seconds" } }],
    ["booleans", { allowInsecureHttp: false, propagateTraceContext: true }],
  ] as const)("make with %s: accepted", ([, options]) =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      yield* NangoConnect.make({
        secretKey: emulator.secretKey,
        baseUrl: emulator.url,
        ...(options as object),
      } as NangoConnect.Options).pipe(Effect.provide(FetchHttpClient.layer))
    }),
  )

  it.effect.each([
    ["options that are not an object", null, "options"],
    ["a secret key that is a number", { secretKey: 12345 }, "secretKey"],
    ["a base URL that is a number", { secretKey: "k", baseUrl: 1 }, "options"],
  ] as const)("make with %s: InvalidInput", ([, options, input]) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        NangoConnect.make(options as unknown as NangoConnect.Options).pipe(Effect.provide(FetchHttpClient.layer)),
      )
      expect(error).toMatchObject({ _tag: "InvalidInput", input: input === "options" ? expect.any(String) : input })
    }),
  )

  it.effect("plain http off loopback is allowed with allowInsecureHttp, and loopback always", () =>
    Effect.gen(function* () {
      const build = (options: NangoConnect.Options) =>
        NangoConnect.make(options).pipe(Effect.provide(FetchHttpClient.layer))
      const key = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
      yield* build({ secretKey: key, baseUrl: "http://nango.internal:3003", allowInsecureHttp: true })
      for (const baseUrl of [
        "http://localhost:3003",
        "http://127.0.0.1:3003",
        "http://[::1]:3003",
        "http://nango.localhost",
      ]) {
        yield* build({ secretKey: key, baseUrl })
      }
    }),
  )
})

/** Integration ids a body refers to, so that the emulator can know them. */
const integrationsOf = (body: {
  readonly allowed_integrations?: ReadonlyArray<string> | undefined
  readonly integrations_config_defaults?: Readonly<Record<string, unknown>> | undefined
  readonly overrides?: Readonly<Record<string, unknown>> | undefined
  readonly integration_id?: string | undefined
}) => [
  ...(body.allowed_integrations ?? []),
  ...Object.keys(body.integrations_config_defaults ?? {}),
  ...Object.keys(body.overrides ?? {}),
  ...(body.integration_id === undefined ? [] : [body.integration_id]),
]

/**
 * Whether the client refused a body only for rules the server answers with a 500: the effective
 * tag limit, and strings it cannot store (NUL, unpaired surrogates).
 */
const refusedForAServer500 = (error: NangoConnectError.NangoConnectError) =>
  error._tag === "InvalidInput" &&
  error.issues.every(
    (issue) => issue.startsWith("tags: the server merges") || issue.includes("which the server cannot store"),
  )

/**
 * Whether the client refused a body only for own `__proto__` keys, which Schema's generated records
 * may hold: a JavaScript object cannot carry one as data, so the client refuses it by design.
 */
const refusedForAProtoKey = (error: NangoConnectError.NangoConnectError) =>
  error._tag === "InvalidInput" && error.issues.every((issue) => issue.includes("an own __proto__ key"))

/** What the emulator answers to a body sent as it is, past the client. */
const rawStatus = (emulator: NangoEmulator.NangoEmulator, path: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${emulator.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${emulator.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    })
    await response.arrayBuffer()
    return response.status
  })

describe("properties", () => {
  it.effect("every create body the schema accepts is accepted by the emulator, and its answers decode", () =>
    Effect.gen(function* () {
      const bodies = yield* samples(NangoConnectSchema.CreateConnectSessionInput, 150)
      const emulator = yield* NangoEmulator.make({ integrations: bodies.flatMap(integrationsOf) })
      const nango = yield* NangoConnect.make({ secretKey: emulator.secretKey, baseUrl: emulator.url }).pipe(
        Effect.provide(FetchHttpClient.layer),
      )
      let refused = 0
      for (const body of bodies) {
        const outcome = yield* attempt(
          Effect.flatMap(nango.createConnectSession(body), (session) => nango.getConnectSession(session.token)),
        )
        if (outcome._tag === "Failure" && refusedForAServer500(outcome.failure)) {
          // Refused before sending: the server could only have answered it with a 500.
          refused++
          expect(yield* rawStatus(emulator, "/connect/sessions", body)).toBe(500)
          continue
        }
        if (outcome._tag === "Failure" && refusedForAProtoKey(outcome.failure)) {
          refused++
          continue
        }
        expect(outcome._tag === "Failure" ? JSON.stringify({ body, error: outcome.failure }) : "accepted").toBe(
          "accepted",
        )
      }
      expect(emulator.sessions.size).toBe(bodies.length - refused)
      expect(emulator.sessions.size).toBeGreaterThan(bodies.length / 4)
    }),
  )

  it.effect("every reconnect body the schema accepts is accepted by the emulator, and its answers decode", () =>
    Effect.gen(function* () {
      const bodies = yield* samples(NangoConnectSchema.CreateReconnectSessionInput, 100)
      const emulator = yield* NangoEmulator.make({
        integrations: bodies.flatMap(integrationsOf),
        connections: bodies.map(({ connection_id, integration_id }) => ({ connection_id, integration_id })),
      })
      const nango = yield* NangoConnect.make({ secretKey: emulator.secretKey, baseUrl: emulator.url }).pipe(
        Effect.provide(FetchHttpClient.layer),
      )
      let accepted = 0
      for (const body of bodies) {
        const outcome = yield* attempt(
          Effect.flatMap(nango.createReconnectSession(body), (session) => nango.getConnectSession(session.token)),
        )
        if (outcome._tag === "Failure" && refusedForAServer500(outcome.failure)) {
          expect(yield* rawStatus(emulator, "/connect/sessions/reconnect", body)).toBe(500)
          continue
        }
        if (outcome._tag === "Failure" && refusedForAProtoKey(outcome.failure)) continue
        expect(outcome._tag === "Failure" ? JSON.stringify({ body, error: outcome.failure }) : "accepted").toBe(
          "accepted",
        )
        accepted++
      }
      expect(accepted).toBeGreaterThan(bodies.length / 4)
    }),
  )
})
