/**
 * Property tests: every public method, driven with generated hostile values (fast-check, a fixed
 * seed), ends in a typed outcome, never a defect. Refused input (`InvalidInput`) sends nothing; a
 * body that is sent never meets a 500, since what the server can only answer with a 500 is
 * refused first. Runs on both lines and, through the suite projects, both transports.
 */
import { readFileSync } from "node:fs"
import { NangoActions, NangoConnect, type NangoConnectSchema } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import { NangoWebhook } from "effect-nango/webhooks"
import fc from "fast-check"
import { catchAll, collect, describe, Effect, Exit, expect, FetchHttpClient, it, Redacted } from "#line"
import { driveClock, setup, setupActions, setupConnections, setupSyncs } from "../support.js"

const seed = 20261201
const runs = 250

const circular = () => {
  const value: Record<string, unknown> = { name: "c" }
  value.self = value
  return value
}
const nested = (levels: number) => {
  let value: unknown = "leaf"
  for (let i = 0; i < levels; i++) value = { a: value }
  return value
}
const throwing = (): unknown =>
  Object.defineProperty({}, "x", {
    enumerable: true,
    get: () => {
      throw new Error("do not read me")
    },
  })
const throwingProxy = (): unknown =>
  new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error("no keys")
      },
      // Symbol keys are left readable: fast-check looks for its own symbols on what it generates.
      get: (_, key) => {
        if (typeof key === "symbol") return undefined
        throw new Error("no values")
      },
    },
  )

/** Odd JavaScript values: every kind fast-check knows, and the shapes JSON cannot carry. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
  }),
  fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, -0, undefined, null, Symbol("s"), () => 1, 1n),
  fc.constantFrom(circular, throwing, throwingProxy, () => JSON.parse('{"__proto__":"v"}')).map((make) => make()),
  fc.integer({ min: 1, max: 5000 }).map(nested),
  fc.array(fc.oneof(fc.integer(), fc.constant(undefined)), { minLength: 1, maxLength: 4 }),
  fc.array(fc.integer(), { maxLength: 4 }).map((items) => Object.assign(new Array(items.length + 1), items)),
  fc.string({ unit: "binary" }),
  fc.string().map((text) => Object.freeze({ text })),
)

/** Often a valid value, sometimes a hostile one. */
const mostly = <A>(valid: fc.Arbitrary<A>) =>
  fc.oneof({ weight: 9, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile })
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/)
const key = fc.oneof(
  { weight: 9, arbitrary: word },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
)
const record = (value: fc.Arbitrary<unknown>) => fc.dictionary(key, value, { maxKeys: 6 })
const valueText = fc.string({ minLength: 1, maxLength: 12 })
const dictionary = (value: fc.Arbitrary<unknown>, maxKeys: number) => fc.dictionary(word, value, { maxKeys })

/** A body the server accepts (or answers with a 400 of its own, for a webhook host it refuses). */
const validBody = (operation: "create" | "reconnect") =>
  fc.record(
    {
      end_user: fc.record(
        {
          id: word,
          email: word.map((name) => `${name}@example.com`),
          display_name: fc.string({ maxLength: 12 }),
          tags: dictionary(fc.string({ maxLength: 8 }), 3),
        },
        { requiredKeys: ["id"] },
      ),
      organization: fc.record({ id: word, display_name: fc.string({ maxLength: 12 }) }, { requiredKeys: ["id"] }),
      tags: dictionary(valueText, 4),
      ...(operation === "create" ? { allowed_integrations: fc.constant(["github"]) } : {}),
      integrations_config_defaults: fc.record({
        github: fc.record(
          {
            connection_config: dictionary(fc.jsonValue({ maxDepth: 2 }), 3),
            authorization_params: dictionary(valueText, 2),
            user_scopes: word,
          },
          { requiredKeys: [] },
        ),
      }),
      overrides: fc.constant({ github: { docs_connect: "" } }),
      webhook_url_override: fc.oneof(fc.webUrl(), fc.constant("")),
      ...(operation === "reconnect"
        ? { connection_id: fc.constant("conn-1"), integration_id: fc.constant("github") }
        : {}),
    },
    { requiredKeys: operation === "reconnect" ? ["connection_id", "integration_id"] : ["end_user"] },
  )

/** Where a hostile value may be put in a session body. */
const paths: ReadonlyArray<ReadonlyArray<string>> = [
  [],
  ["end_user"],
  ["end_user", "id"],
  ["end_user", "email"],
  ["end_user", "display_name"],
  ["end_user", "tags"],
  ["end_user", "tags", "team"],
  ["organization"],
  ["organization", "id"],
  ["tags"],
  ["tags", "plan"],
  ["allowed_integrations", "0"],
  ["integrations_config_defaults", "github", "connection_config", "x"],
  ["integrations_config_defaults", "github", "connection_config", "deep", "er"],
  ["integrations_config_defaults", "github", "authorization_params", "prompt"],
  ["integrations_config_defaults", "github", "user_scopes"],
  ["overrides", "github", "docs_connect"],
  ["overrides", "github", "theme"],
  ["webhook_url_override"],
  ["connection_id"],
  ["unknown_key"],
]

/** A copy of `body` with `value` at `path` (objects made on the way). */
const putAt = (body: unknown, path: ReadonlyArray<string>, value: unknown): unknown => {
  if (path.length === 0) return value
  const [head, ...rest] = path as [string, ...Array<string>]
  const container: Record<string, unknown> =
    typeof body === "object" && body !== null ? { ...(body as Record<string, unknown>) } : {}
  container[head] = putAt(container[head], rest, value)
  return container
}

/** A value that may be wrong for its place: hostile, a string the server cannot store, or an ordinary string. */
const misplaced = fc.oneof(
  hostile,
  fc.string({ unit: "binary", minLength: 1, maxLength: 6 }),
  fc.constantFrom("a\u0000b", "\ud800", "x\udc00y"),
  fc.string(),
)

/**
 * Whether the server received what the caller gave, as JSON carries it: a key whose value is
 * `undefined` left out, numbers equal (`-0` is `0`), everything else the same, in the same place.
 */
const receivedAsGiven = (given: unknown, received: unknown): boolean => {
  if (typeof given === "number") return typeof received === "number" && given === received
  if (typeof given !== "object" || given === null) return Object.is(given, received)
  if (typeof received !== "object" || received === null || Array.isArray(given) !== Array.isArray(received)) {
    return false
  }
  const givenEntries = Object.entries(given).filter(([, value]) => value !== undefined || Array.isArray(given))
  const receivedRecord = received as Record<string, unknown>
  return (
    givenEntries.length === Object.keys(receivedRecord).length &&
    (!Array.isArray(given) || given.length === (received as Array<unknown>).length) &&
    givenEntries.every(
      ([key, value]) => Object.hasOwn(receivedRecord, key) && receivedAsGiven(value, receivedRecord[key]),
    )
  )
}

/** Session bodies: valid ones, and valid ones with one value replaced by a hostile or odd one. */
const bodyFor = (operation: "create" | "reconnect"): fc.Arbitrary<unknown> =>
  fc
    .tuple(validBody(operation), fc.option(fc.tuple(fc.constantFrom(...paths), misplaced), { freq: 3 }))
    .map(([body, change]) => (change === null ? body : putAt(body, change[0], change[1])))

/** Runs `call`; a typed failure becomes its value; returns the tag, or records a defect. */
const outcomeOf = (call: Effect.Effect<unknown, { readonly _tag: string }>) =>
  Effect.map(
    Effect.exit(
      call.pipe(
        Effect.as("Success"),
        catchAll((error) => Effect.succeed(error._tag)),
      ),
    ),
    (exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      console.error("defect:", exit.cause)
      return "defect"
    },
  )

const sample = <A>(arbitrary: fc.Arbitrary<A>) => fc.sample(arbitrary, { numRuns: runs, seed })

describe("every public method, driven with generated hostile values", () => {
  it.effect.each(["create", "reconnect"] as const)(
    "%s: a typed outcome; nothing sent when refused; never a 500",
    (operation) =>
      Effect.gen(function* () {
        const { emulator, nango } = yield* setup({
          integrations: ["github"],
          connections: [{ connection_id: "conn-1", integration_id: "github" }],
        })
        const seen = new Map<string, number>()
        for (const value of sample(bodyFor(operation))) {
          const before = emulator.requests.length
          const tag = yield* outcomeOf(
            operation === "create"
              ? nango.createConnectSession(value as NangoConnectSchema.CreateConnectSessionInput)
              : nango.createReconnectSession(value as NangoConnectSchema.CreateReconnectSessionInput),
          )
          seen.set(tag, (seen.get(tag) ?? 0) + 1)
          const sent = emulator.requests.length - before
          expect(tag, "a defect").not.toBe("defect")
          expect(tag, "a body the server could only answer with a 500").not.toBe("ServerError")
          if (tag === "InvalidInput") expect(sent).toBe(0)
          else expect(sent).toBe(1)
          if (tag === "Success") expect(receivedAsGiven(value, emulator.requests.at(-1)?.body)).toBe(true)
        }
        // The generator reaches both sides: bodies refused, and bodies sent.
        expect(seen.get("InvalidInput")).toBeGreaterThan(0)
        expect([...seen.keys()].some((tag) => tag !== "InvalidInput")).toBe(true)
      }),
  )

  it.effect(
    "getConnectSession and deleteConnectSession with any token: a typed outcome; nothing sent when refused",
    () =>
      Effect.gen(function* () {
        const { emulator, nango } = yield* setup()
        const token = fc.oneof(
          hostile,
          fc.string(),
          fc
            .string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 })
            .map((hex) => `nango_connect_session_${hex}`),
        )
        for (const value of sample(token)) {
          for (const call of [
            nango.getConnectSession(value as string),
            nango.deleteConnectSession(value as string),
            nango.deleteConnectSession(Redacted.make(value) as Redacted.Redacted<string>),
          ]) {
            const before = emulator.requests.length
            const tag = yield* outcomeOf(call)
            expect(tag).not.toBe("defect")
            if (tag === "InvalidInput") expect(emulator.requests.length).toBe(before)
          }
        }
      }),
  )

  it.effect("every NangoConnections method with any id and options: a typed outcome; nothing sent when refused", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", metadata: { a: 1 } })
      const id = fc.oneof(
        hostile,
        fc.string({ maxLength: 12 }),
        fc.constantFrom<unknown>("c1", ".", "..", "metadata", "a/b c", "a".repeat(255), "a".repeat(256)),
        fc.array(fc.constantFrom<unknown>("c1", "", ".", 7), { maxLength: 3 }),
      )
      const options = fc.oneof(
        { weight: 1, arbitrary: hostile },
        {
          weight: 4,
          arbitrary: fc.record(
            {
              providerConfigKey: mostly(fc.constantFrom("github", "jira", "", "git/hub")),
              forceRefresh: mostly(fc.boolean()),
              refreshToken: mostly(fc.boolean()),
              tags: mostly(dictionary(valueText, 11)),
              integrationId: mostly(fc.oneof(fc.string({ maxLength: 8 }), fc.array(word, { maxLength: 3 }))),
              search: mostly(fc.string({ maxLength: 8 })),
              limit: mostly(fc.integer({ min: -1, max: 2001 })),
              page: mostly(fc.integer({ min: -1, max: 3 })),
              end_user: mostly(fc.record({ id: valueText })),
              webhook_url_override: mostly(fc.constantFrom("", "https://example.com/h", "https://nango.dev/h")),
              metadata: mostly(record(hostile)),
            },
            { requiredKeys: [] },
          ),
        },
      )
      const seen = new Map<string, number>()
      for (const [givenId, given] of sample(fc.tuple(id, options))) {
        // biome-ignore lint/suspicious/noExplicitAny: hostile values are passed where typed ones belong
        const [anyId, anyOptions] = [givenId as any, given as any]
        for (const call of [
          connections.getConnection(anyId, anyOptions),
          connections.listConnections(anyOptions),
          collect(connections.streamConnections(anyOptions)),
          connections.patchConnection(anyId, anyOptions),
          connections.deleteConnection(anyId, anyOptions),
          connections.setMetadata(anyId, anyOptions),
          connections.updateMetadata(anyId, anyOptions),
          connections.awaitConnection(anyOptions, { timeout: "1 millis", schedule: anyId }),
          connections.receiveWebhook(anyOptions),
        ]) {
          const before = emulator.requests.length
          const tag = yield* outcomeOf(call)
          seen.set(tag, (seen.get(tag) ?? 0) + 1)
          expect(tag, "a defect").not.toBe("defect")
          expect(tag, "a request the server could only answer with a 500").not.toBe("ServerError")
          if (tag === "InvalidInput") expect(emulator.requests.length).toBe(before)
        }
        emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", metadata: { a: 1 } })
      }
      // Both sides are reached: calls refused, calls answered, and some succeeded.
      expect(seen.get("InvalidInput")).toBeGreaterThan(0)
      expect(seen.get("Success")).toBeGreaterThan(0)
    }),
  )

  it.effect("every NangoSyncs and NangoActions method with any query, input and id: a typed outcome", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* setupSyncs({ syncs: { github: { issues: ["Issue"] } } })
      const actionsSetup = yield* setupActions({
        actions: { github: { ping: (input) => ({ output: input ?? null }) } },
      })
      for (const target of [emulator, actionsSetup.emulator]) {
        target.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      }
      emulator.upsertRecords({ connectionId: "c1", providerConfigKey: "github", model: "Issue" }, [{ id: "1" }])
      const now = Date.now()
      const query = fc.oneof(
        { weight: 1, arbitrary: hostile },
        {
          weight: 4,
          arbitrary: fc.record(
            {
              providerConfigKey: mostly(fc.constantFrom("github", "jira", "", "git/hub")),
              connectionId: mostly(fc.constantFrom("c1", "nobody", "", "a".repeat(256))),
              model: mostly(fc.constantFrom("Issue", "", "Other")),
              variant: mostly(fc.constantFrom("base", "v2", "")),
              modifiedAfter: mostly(
                fc.constantFrom<unknown>(
                  new Date(now - 86_400_000),
                  new Date(Number.NaN),
                  new Date(now - 400 * 86_400_000),
                  "2026-12-01T10:00:00Z",
                  "2026-12-01",
                ),
              ),
              filter: mostly(
                fc.array(fc.constantFrom<unknown>("added", "updated", "deleted", "ADDED", 1), { maxLength: 3 }),
              ),
              ids: mostly(fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })),
              limit: mostly(fc.integer({ min: -1, max: 10_001 })),
              cursor: mostly(fc.oneof(fc.string({ maxLength: 12 }), fc.base64String({ maxLength: 40 }))),
              syncs: mostly(
                fc.oneof(
                  fc.constant<unknown>("*"),
                  fc.array(fc.constantFrom<unknown>("issues", "a,b", { name: "issues", variant: "base" }, 3), {
                    maxLength: 3,
                  }),
                ),
              ),
              reset: mostly(fc.boolean()),
              emptyCache: mostly(fc.boolean()),
              maxRetries: mostly(fc.integer({ min: -1, max: 6 })),
            },
            { requiredKeys: [] },
          ),
        },
      )
      const name = fc.oneof(hostile, fc.constantFrom<unknown>("ping", "nope", "bad name", "x".repeat(256)))
      const seen = new Map<string, number>()
      for (const [given, givenName, input] of sample(fc.tuple(query, name, hostile))) {
        // biome-ignore lint/suspicious/noExplicitAny: hostile values are passed where typed ones belong
        const [anyQuery, action] = [given as any, NangoActions.action(givenName as string)]
        const { actions } = actionsSetup
        // A trigger of a sync the connection lacks is Nango's 500: the client cannot know the names.
        const calls: ReadonlyArray<readonly [Effect.Effect<unknown, { readonly _tag: string }>, boolean]> = [
          [syncs.listRecords(anyQuery), true],
          [collect(syncs.streamRecords(anyQuery)), true],
          [syncs.syncStatus(anyQuery), true],
          [syncs.triggerSync(anyQuery), false],
          [actions.triggerAction(action, anyQuery, input), true],
          [actions.triggerActionAsync(action, anyQuery, input, anyQuery), true],
          [actions.getAsyncActionResult(action, anyQuery), true],
          [actions.awaitActionResult(action, anyQuery, { timeout: "1 millis", schedule: anyQuery }), true],
          [actions.receiveWebhook(anyQuery), true],
        ]
        for (const [call, never500] of calls) {
          const before = emulator.requests.length + actionsSetup.emulator.requests.length
          const tag = yield* outcomeOf(call)
          seen.set(tag, (seen.get(tag) ?? 0) + 1)
          expect(tag, "a defect").not.toBe("defect")
          if (never500) expect(tag, "a request the server could only answer with a 500").not.toBe("ServerError")
          if (tag === "InvalidInput") {
            expect(emulator.requests.length + actionsSetup.emulator.requests.length).toBe(before)
          }
        }
      }
      expect(seen.get("InvalidInput")).toBeGreaterThan(0)
      expect(seen.get("Success")).toBeGreaterThan(0)
    }),
  )

  it.effect("NangoConnect.make with any options: InvalidInput, or a client whose calls end typed", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const duration = mostly(fc.constantFrom<unknown>("1 second", 50, 0, "nonsense", -1, Number.NaN))
      const options = fc.record(
        {
          secretKey: mostly(fc.constant(emulator.secretKey)),
          // Loopback only: port 1 refuses the connection.
          baseUrl: mostly(fc.constantFrom(emulator.url, `${emulator.url}//`, "http://127.0.0.1:1", "http://[::1]:1")),
          retry: mostly(
            fc.record(
              {
                maxAttempts: mostly(fc.integer({ min: -1, max: 4 })),
                baseDelay: duration,
                maxDelay: duration,
                maxRetryAfter: duration,
              },
              { requiredKeys: [] },
            ),
          ),
          timeout: mostly(fc.record({ attempt: duration, total: duration }, { requiredKeys: [] })),
          maxResponseBytes: mostly(fc.integer({ min: -1, max: 1 << 21 })),
          propagateTraceContext: mostly(fc.boolean()),
          allowInsecureHttp: mostly(fc.boolean()),
        },
        { requiredKeys: ["secretKey"] },
      )
      for (const value of sample(mostly(options))) {
        const made = yield* Effect.exit(
          NangoConnect.make(value as NangoConnect.Options).pipe(
            Effect.provide(FetchHttpClient.layer),
            Effect.map((client) => ({ client, tag: "Success" })),
            catchAll((error) => Effect.succeed({ client: undefined, tag: error._tag })),
          ),
        )
        if (!Exit.isSuccess(made)) console.error("defect from make:", made.cause)
        expect(Exit.isSuccess(made), "a defect from make").toBe(true)
        if (!Exit.isSuccess(made)) continue
        const client = made.value.client
        if (client === undefined) {
          expect(made.value.tag).toBe("InvalidInput")
          continue
        }
        const call = client.createConnectSession({ end_user: { id: "u" } })
        expect(yield* outcomeOf(driveClock(call, "1 second"))).not.toBe("defect")
      }
      expect(emulator.requests.length).toBeGreaterThan(0)
    }),
  )

  it.effect("NangoWebhook.verify with any body, headers and keys: a typed outcome", () =>
    Effect.gen(function* () {
      const fixture = JSON.parse(
        readFileSync(new URL("../../nango/fixtures/webhooks/sync-success.json", import.meta.url), "utf8"),
      ) as { readonly headers: Record<string, string>; readonly rawBody: string }
      const key = Redacted.make("00000000-0000-4000-8000-000000000000")
      const bodies = fc.oneof(fc.constant(fixture.rawBody), fc.string(), fc.uint8Array(), hostile)
      const headers = fc.oneof(
        fc.constant(fixture.headers),
        record(fc.oneof(fc.string(), fc.array(fc.string()))),
        hostile,
      )
      const keys = fc.oneof(
        fc.constant({ signingKeys: [key] }),
        fc.record({ signingKeys: fc.oneof(fc.constant(key), fc.array(fc.oneof(fc.constant(key), hostile))) }),
        fc.record({ signingKeys: fc.constant([key]), allowLegacySignature: hostile }),
        hostile,
      )
      for (const [rawBody, headerValues, options] of sample(fc.tuple(bodies, headers, keys))) {
        const verified = NangoWebhook.verify(
          rawBody as string,
          headerValues as NangoWebhook.Headers,
          options as NangoWebhook.VerifyOptions,
        )
        expect(yield* outcomeOf(verified)).not.toBe("defect")
        const service = NangoWebhook.make(options as NangoWebhook.VerifyOptions)
        expect(yield* outcomeOf(service.verify(rawBody as string, headerValues as NangoWebhook.Headers))).not.toBe(
          "defect",
        )
      }
    }),
  )
})
