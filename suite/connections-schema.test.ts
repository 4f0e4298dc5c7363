/**
 * The connection schemas against what the server answers (the emulator plays it, see
 * nango/test/connections.test.ts): every credential type decodes with its secrets `Redacted`,
 * the three date forms decode to the same instant, `{}` is "no credentials", an unknown type keeps
 * only its type, and a known type missing a secret fails instead of passing as unknown.
 */
import { NangoConnectionsSchema } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import { decodeOutcome, describe, Effect, expect, it, Redacted } from "#line"
import { credentialTypes, secretsIn } from "./support.js"

const readOnlyKey = "6f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
const created = Date.UTC(2026, 11, 1, 10, 30, 0, 412)

const fetchJson = (emulator: NangoEmulator.NangoEmulator, path: string, key = emulator.secretKey) =>
  Effect.promise(async () => {
    const response = await fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${key}` } })
    return (await response.json()) as Record<string, unknown>
  })

const decode = <A, I>(schema: Parameters<typeof decodeOutcome<A, I>>[0], value: unknown): A => {
  const outcome = decodeOutcome(schema, value)
  if (outcome._tag === "Failure") throw new Error(String(outcome.failure))
  return outcome.success
}

describe("NangoConnectionsSchema.Connection", () => {
  it.effect.each(credentialTypes)(
    "%s credentials decode with every secret Redacted, and no secret in the decoded value's text",
    (type) =>
      Effect.gen(function* () {
        const emulator = yield* NangoEmulator.make({ now: () => created })
        emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", credentialType: type })
        const body = yield* fetchJson(emulator, "/connections/c1?provider_config_key=github&refresh_token=true")
        const secrets = secretsIn(body.credentials)
        expect(secrets.length).toBeGreaterThan(0)
        const connection = decode(NangoConnectionsSchema.Connection, body)
        expect(connection.credentials.type).toBe(type)
        expect(connection.created_at?.getTime()).toBe(created)
        const shown = `${String(connection.credentials)} ${JSON.stringify(connection)} ${JSON.stringify(connection.credentials)}`
        for (const secret of secrets) expect(shown).not.toContain(secret)
        if (connection.credentials.type === "OAUTH2") {
          expect(Redacted.value(connection.credentials.access_token)).toMatch(/^access_/)
          expect(connection.credentials.refresh_token).toBeDefined()
        }
      }),
  )

  it.effect("a key without read_credentials, and an unauthenticated connection, decode as no credentials", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make({
        keyScopes: { [readOnlyKey]: ["environment:connections:read"] },
      })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      emulator.seedConnection({ connection_id: "c2", provider_config_key: "github", credentialType: "NONE" })
      const hidden = yield* fetchJson(emulator, "/connections/c1?provider_config_key=github", readOnlyKey)
      expect(decode(NangoConnectionsSchema.Connection, hidden).credentials).toEqual({})
      const none = yield* fetchJson(emulator, "/connections/c2?provider_config_key=github")
      expect(decode(NangoConnectionsSchema.Connection, none).credentials.type).toBeUndefined()
    }),
  )

  it.effect(
    "an unknown credential type keeps its type and nothing else; BASIC without its fields (an install plugin) keeps only its type; OAUTH2 missing its token fails",
    () =>
      Effect.gen(function* () {
        const emulator = yield* NangoEmulator.make()
        emulator.seedConnection({
          connection_id: "c1",
          provider_config_key: "github",
          credentials: { type: "MCP_OAUTH2", access_token: "Zq9secret" },
        })
        const body = yield* fetchJson(emulator, "/connections/c1?provider_config_key=github")
        const connection = decode(NangoConnectionsSchema.Connection, body)
        expect(connection.credentials).toEqual({ type: "UNKNOWN", name: "MCP_OAUTH2" })
        const plugin = { ...body, credentials: { type: "BASIC", plugin_secret: "Zq9secret" } }
        expect(decode(NangoConnectionsSchema.Connection, plugin).credentials).toEqual({ type: "BASIC" })
        const broken = { ...body, credentials: { type: "OAUTH2" } }
        expect(decodeOutcome(NangoConnectionsSchema.Connection, broken)._tag).toBe("Failure")
      }),
  )

  it.effect("the three date forms decode to the same instant: +00:00, six decimals, Z", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make({ now: () => created })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const one = yield* fetchJson(emulator, "/connections/c1?provider_config_key=github")
      expect(one.created_at).toMatch(/\+00:00$/)
      expect(decode(NangoConnectionsSchema.Connection, one).created_at?.getTime()).toBe(created)
      const list = (yield* fetchJson(emulator, "/connections")).connections as Array<Record<string, unknown>>
      expect(list[0]?.created).toMatch(/\.\d{6}\+00:00$/)
      expect(decode(NangoConnectionsSchema.ConnectionSummary, list[0]).created?.getTime()).toBe(created)
      expect(
        decode(NangoConnectionsSchema.Connection, {
          ...one,
          created_at: new Date(created).toISOString(),
        }).created_at?.getTime(),
      ).toBe(created)
    }),
  )
})

describe("tolerance of what Nango may change", () => {
  const required = ["connection_id", "provider_config_key", "credentials"]

  it.effect("the full shape: every field the server sends today is one the schemas name, and none is missing", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make({ now: () => created })
      emulator.seedConnection({
        connection_id: "c1",
        provider_config_key: "github",
        end_user: {
          id: "u1",
          display_name: "Ada",
          email: "ada@example.com",
          tags: { plan: "pro" },
          organization: { id: "o1", display_name: null },
        },
      })
      const one = yield* fetchJson(emulator, "/connections/c1?provider_config_key=github")
      expect(Object.keys(one).sort()).toEqual(Object.keys(NangoConnectionsSchema.Connection.fields).sort())
      const item = ((yield* fetchJson(emulator, "/connections")).connections as Array<Record<string, unknown>>)[0]
      expect(Object.keys(item ?? {}).sort()).toEqual(
        Object.keys(NangoConnectionsSchema.ConnectionSummary.fields).sort(),
      )
      const endUser = one.end_user as Record<string, unknown>
      expect(Object.keys(endUser).sort()).toEqual(Object.keys(NangoConnectionsSchema.ConnectionEndUser.fields).sort())
    }),
  )

  it.effect("a field left out or sent as null decodes to null, {} or []; the ones a caller needs stay required", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make({ now: () => created })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const one = yield* fetchJson(emulator, "/connections/c1?provider_config_key=github")
      const tolerant = Object.keys(one).filter((key) => !required.includes(key))
      const expected = {
        id: null,
        provider: null,
        errors: [],
        end_user: null,
        tags: {},
        metadata: null,
        connection_config: {},
        webhook_url_override: null,
        created_at: null,
        updated_at: null,
        last_fetched_at: null,
      }
      expect(tolerant.sort()).toEqual(Object.keys(expected).sort())
      for (const key of tolerant) {
        const { [key]: _, ...without } = one
        for (const body of [without, { ...one, [key]: null }]) {
          const decoded = decode(NangoConnectionsSchema.Connection, body) as unknown as Record<string, unknown>
          expect(decoded[key]).toEqual(expected[key as keyof typeof expected])
          expect(decoded.connection_id).toBe("c1")
        }
      }
      // A person's fields inside end_user, and the list item's created, are tolerant the same way.
      const endUser = { id: "u1" }
      const decoded = decode(NangoConnectionsSchema.Connection, { ...one, end_user: endUser })
      expect(decoded.end_user).toEqual({ id: "u1", display_name: null, email: null, tags: null, organization: null })
      const item = ((yield* fetchJson(emulator, "/connections")).connections as Array<Record<string, unknown>>)[0]
      const { created: _, ...undated } = item ?? {}
      expect(decode(NangoConnectionsSchema.ConnectionSummary, undated).created).toBeNull()
      for (const key of required) {
        const { [key]: _, ...without } = one
        expect(decodeOutcome(NangoConnectionsSchema.Connection, without)._tag).toBe("Failure")
        expect(decodeOutcome(NangoConnectionsSchema.Connection, { ...one, [key]: null })._tag).toBe("Failure")
      }
      // Tolerant is not lax: a field present with the wrong type still fails.
      expect(decodeOutcome(NangoConnectionsSchema.Connection, { ...one, tags: "x" })._tag).toBe("Failure")
      expect(decodeOutcome(NangoConnectionsSchema.Connection, { ...one, created_at: "yesterday" })._tag).toBe("Failure")
    }),
  )
})
