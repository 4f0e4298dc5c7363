/**
 * `NangoConnections` against the emulator, over real HTTP on both transports: every method, every
 * status the server (0.71.4) answers on its endpoint, the ids and queries as they are sent, the
 * limits at their edges, and what is refused before anything is sent.
 */
import type { NangoConnections, NangoConnectionsError, NangoConnectionsSchema } from "effect-nango"
import { NangoWebhook } from "effect-nango/webhooks"
import {
  collect,
  describe,
  Effect,
  Exit,
  expect,
  Fiber,
  fork,
  it,
  Redacted,
  realPause,
  Schedule,
  TestClock,
} from "#line"
import { itWithSleeps, recordingTracer, setupConnections, waitForSleep, waitUntil } from "./support.js"

const github = { providerConfigKey: "github" }
const readOnlyKey = "6f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
const scoped = {
  keyScopes: { [readOnlyKey]: ["environment:connections:read", "environment:connections:list"] },
}

/** The requests the emulator received on `/connections…`, as sent: method, encoded path and query. */
const sent = (emulator: { readonly requests: ReadonlyArray<{ method: string; path: string; search: string }> }) =>
  emulator.requests.map((request) => `${request.method} ${request.path}${request.search}`)

/** The access token of OAuth 2 credentials, or undefined for any other kind. */
const accessToken = (credentials: NangoConnectionsSchema.Credentials): string | undefined =>
  "type" in credentials && credentials.type === "OAUTH2" ? Redacted.value(credentials.access_token) : undefined

describe("getConnection", () => {
  it.effect("reads a connection with its credentials; the id is percent-encoded and the query is the server's", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const stored = emulator.seedConnection({
        connection_id: "team a/b{c}'\"=",
        provider_config_key: "github",
        tags: { plan: "pro" },
        metadata: { seats: 3 },
      })
      const connection = yield* connections.getConnection("team a/b{c}'\"=", github)
      expect(sent(emulator)).toEqual(["GET /connections/team%20a%2Fb%7Bc%7D'%22%3D?provider_config_key=github"])
      expect(connection.connection_id).toBe("team a/b{c}'\"=")
      expect(connection.tags).toEqual({ plan: "pro" })
      expect(connection.metadata).toEqual({ seats: 3 })
      expect(connection.created_at).toBeInstanceOf(Date)
      expect(connection.created_at?.getTime()).toBe(stored.created_at)
      expect(accessToken(connection.credentials)).toBe(stored.credentials.access_token)
      // The secret stays Redacted in every rendering of the value.
      expect(JSON.stringify(connection)).not.toContain(String(stored.credentials.access_token))
      expect(String(connection.credentials)).not.toContain(String(stored.credentials.access_token))
    }),
  )

  it.effect("sends a flag only when true; a forced refresh issues new credentials", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const stored = emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const before = String(stored.credentials.access_token)
      yield* connections.getConnection("c1", { ...github, forceRefresh: false, refreshToken: false })
      const refreshed = yield* connections.getConnection("c1", { ...github, forceRefresh: true, refreshToken: true })
      expect(sent(emulator)).toEqual([
        "GET /connections/c1?provider_config_key=github",
        "GET /connections/c1?provider_config_key=github&force_refresh=true&refresh_token=true",
      ])
      expect(accessToken(refreshed.credentials)).not.toBe(before)
      expect("refresh_token" in refreshed.credentials && refreshed.credentials.refresh_token).toBeTruthy()
    }),
  )

  it.effect("without the read_credentials scope: credentials are {}, and a refresh is Forbidden", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections(scoped, { secretKey: readOnlyKey })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const connection = yield* connections.getConnection("c1", github)
      expect(connection.credentials).toEqual({})
      const refused = yield* Effect.flip(connections.getConnection("c1", { ...github, forceRefresh: true }))
      expect(refused._tag).toBe("Forbidden")
      expect(refused._tag === "Forbidden" && refused.status).toBe(403)
    }),
  )

  it.effect("an unknown connection is NotFound (404); an unknown integration is UnknownIntegration (400)", () =>
    Effect.gen(function* () {
      const { connections } = yield* setupConnections()
      const missing = yield* Effect.flip(connections.getConnection("nope", github))
      expect(missing._tag).toBe("NotFound")
      expect(missing._tag === "NotFound" && [missing.status, missing.code]).toEqual([404, "not_found"])
      expect(missing.message).toContain("GET /connections/{connectionId}")
      const unknown = yield* Effect.flip(connections.getConnection("nope", { providerConfigKey: "jira" }))
      expect(unknown._tag).toBe("UnknownIntegration")
      expect(unknown._tag === "UnknownIntegration" && [unknown.status, unknown.code]).toEqual([
        400,
        "unknown_provider_config",
      ])
    }),
  )

  it.effect("a refused refresh is InvalidCredentials (400) and an exhausted one (424), each with the connection", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const stored = emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", tags: { a: "b" } })
      emulator.setRefresh("c1", "github", "fails")
      const failed = yield* Effect.flip(connections.getConnection("c1", { ...github, forceRefresh: true }))
      expect(failed._tag).toBe("InvalidCredentials")
      if (failed._tag !== "InvalidCredentials") return
      expect([failed.status, failed.code]).toEqual([400, "invalid_credentials"])
      expect([failed.connectionId, failed.providerConfigKey]).toEqual(["c1", "github"])
      const connection = failed.connection === undefined ? undefined : Redacted.value(failed.connection)
      expect(connection?.connection_id).toBe("c1")
      expect(connection?.tags).toEqual({ a: "b" })
      expect(connection?.credentials).toEqual({})
      expect(connection?.errors.map((error) => error.type)).toEqual(["auth"])
      expect(JSON.stringify(failed)).not.toContain(String(stored.credentials.access_token))

      emulator.setRefresh("c1", "github", "exhausted")
      const exhausted = yield* Effect.flip(connections.getConnection("c1", github))
      expect(exhausted._tag).toBe("InvalidCredentials")
      expect(exhausted._tag === "InvalidCredentials" && [exhausted.status, exhausted.connectionId]).toEqual([424, "c1"])
    }),
  )

  it.live("real time: a plain read is retried after a 500; a forced refresh is not", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections({}, { retry: { baseDelay: 1, maxDelay: 1 } })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      emulator.injectFault({ method: "GET", path: "/connections/c1", status: 500, times: 1 })
      yield* connections.getConnection("c1", github)
      expect(emulator.requests).toHaveLength(2)
      emulator.injectFault({ method: "GET", path: "/connections/c1", status: 500, times: 1 })
      const failed = yield* Effect.flip(connections.getConnection("c1", { ...github, forceRefresh: true }))
      expect(failed._tag).toBe("ServerError")
      expect(emulator.requests).toHaveLength(3)
    }),
  )

  it.effect("ids no URL can carry to the connection are refused, with nothing sent; the longest id is sent", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      for (const id of ["", ".", "..", "a".repeat(256), "tab\there", "é", "a?b", "a#b", "a%b"]) {
        const refused = yield* Effect.flip(connections.getConnection(id, github))
        expect(refused._tag).toBe("InvalidInput")
        expect(refused._tag === "InvalidInput" && refused.input).toBe("connectionId")
      }
      expect(emulator.requests).toEqual([])
      for (const id of ["a".repeat(255), "...", "metadata", "a.b"]) {
        const missing = yield* Effect.flip(connections.getConnection(id, github))
        expect(missing._tag).toBe("NotFound")
      }
      expect(emulator.requests).toHaveLength(4)
    }),
  )

  it.effect("options are checked before anything is sent", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const bad = [
        {},
        { providerConfigKey: "" },
        { providerConfigKey: "git/hub" },
        { providerConfigKey: "a".repeat(256) },
        { ...github, forceRefresh: "yes" },
        { ...github, extra: 1 },
      ] as unknown as ReadonlyArray<NangoConnectionsSchema.GetConnectionOptions>
      for (const options of bad) {
        const refused = yield* Effect.flip(connections.getConnection("c1", options))
        expect(refused._tag === "InvalidInput" && refused.input).toBe("query")
      }
      expect(emulator.requests).toEqual([])
      const longest = yield* Effect.flip(connections.getConnection("c1", { providerConfigKey: "a".repeat(255) }))
      expect(longest._tag).toBe("UnknownIntegration")
    }),
  )

  it.live("real time: a dropped connection, a timeout and an undecodable body name the template, never the id", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections(
        {},
        { retry: { maxAttempts: 1 }, timeout: { attempt: "200 millis" } },
      )
      emulator.seedConnection({ connection_id: "secret-customer", provider_config_key: "github" })
      const path = "/connections/secret-customer"
      emulator.injectFault({ method: "GET", path, drop: true, times: 1 })
      emulator.injectFault({ method: "GET", path, hang: true, times: 1 })
      emulator.injectFault({ method: "GET", path, status: 200, body: '{"id":"not a number"}', times: 1 })
      const failures = []
      for (let index = 0; index < 3; index++) {
        failures.push(yield* Effect.flip(connections.getConnection("secret-customer", github)))
      }
      expect(failures.map((failure) => failure._tag)).toEqual(["TransportError", "TimeoutError", "ResponseDecodeError"])
      for (const failure of failures) {
        expect("path" in failure && failure.path).toBe("/connections/{connectionId}")
        expect(JSON.stringify(failure)).not.toContain("secret-customer")
        expect(failure.message).not.toContain("secret-customer")
      }
    }),
  )

  it.effect("its span names the template, never the id", () =>
    Effect.gen(function* () {
      const { tracer, recorded } = yield* recordingTracer
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "secret-customer", provider_config_key: "github" })
      yield* connections.getConnection("secret-customer", github).pipe(Effect.withTracer(tracer))
      const span = recorded().find((candidate) => candidate.name === "NangoConnections.getConnection")
      expect(span?.attributes.get("url.path")).toBe("/connections/{connectionId}")
      expect(span?.attributes.get("http.response.status_code")).toBe(200)
      expect(JSON.stringify([...(span?.attributes.values() ?? [])])).not.toContain("secret-customer")
    }),
  )
})

describe("listConnections and streamConnections", () => {
  it.effect("filters by tags and integrations, newest first, as the server's qs reads them", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "old", provider_config_key: "github", tags: { team: "a b&c" } })
      emulator.seedConnection({ connection_id: "other", provider_config_key: "github", tags: { team: "x" } })
      emulator.seedConnection({ connection_id: "new", provider_config_key: "slack", tags: { team: "a b&c" } })
      const page = yield* connections.listConnections({ tags: { Team: "a b&c" }, integrationId: ["github", "slack"] })
      expect(page.map((item) => item.connection_id)).toEqual(["new", "old"])
      expect(page[0]?.created).toBeInstanceOf(Date)
      expect(sent(emulator)).toEqual(["GET /connections?tags%5BTeam%5D=a+b%26c&integrationId=github%2Cslack"])
      const all = yield* connections.listConnections()
      expect(all).toHaveLength(3)
      expect(sent(emulator)[1]).toBe("GET /connections")
    }),
  )

  it.effect(
    "limit 1 to 2,000, page 0 or more, filters of 1 to 255: the edges sent, past them refused, nothing sent",
    () =>
      Effect.gen(function* () {
        const { emulator, connections } = yield* setupConnections()
        const longest = "a".repeat(255)
        for (const query of [
          { limit: 1 },
          { limit: 2000 },
          { page: 0 },
          { limit: 5, page: 3 },
          { search: longest, connectionId: longest, endUserId: "a", endUserOrganizationId: longest },
        ]) {
          yield* connections.listConnections(query)
        }
        expect(emulator.requests).toHaveLength(5)
        const tooLong = "a".repeat(256)
        for (const query of [
          { limit: 0 },
          { limit: 2001 },
          { page: -1 },
          { limit: Number.NaN },
          { search: "" },
          { search: tooLong },
          { connectionId: "" },
          { connectionId: tooLong },
          { endUserId: "" },
          { endUserId: tooLong },
          { endUserOrganizationId: "" },
          { endUserOrganizationId: tooLong },
          { integrationId: [] },
          { integrationId: "" },
        ]) {
          const refused = yield* Effect.flip(connections.listConnections(query))
          expect(refused._tag === "InvalidInput" && refused.input).toBe("query")
        }
        expect(emulator.requests).toHaveLength(5)
      }),
  )

  it.effect("a NUL or an unpaired surrogate in any filter is refused, unshown, with nothing sent; a pair is sent", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      for (const bad of ["a\u0000b", "a\uD800b", "\uDC00"]) {
        for (const query of [
          { search: bad },
          { connectionId: bad },
          { endUserId: bad },
          { endUserOrganizationId: bad },
          { tags: { team: bad } },
        ]) {
          const refused = yield* Effect.flip(connections.listConnections(query))
          expect(refused._tag === "InvalidInput" && refused.input).toBe("query")
          expect(refused.message).toMatch(/NUL character or an unpaired surrogate/)
          expect(refused.message).not.toContain(bad)
          const waited = yield* Effect.flip(connections.awaitConnection({ tags: { team: bad } }))
          expect(waited._tag === "InvalidInput" && waited.input).toBe("query")
        }
      }
      expect(emulator.requests).toEqual([])
      yield* connections.listConnections({ search: "ada 😀", tags: { team: "😀" } })
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  it.effect("search is sent as given: `_` and `%` are the server's wildcards (live_oauth finds live-oauth-1)", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "live-oauth-1", provider_config_key: "github" })
      emulator.seedConnection({ connection_id: "live_oauth", provider_config_key: "github" })
      const found = yield* connections.listConnections({ search: "live_oauth" })
      expect(found.map((item) => item.connection_id).sort()).toEqual(["live-oauth-1", "live_oauth"])
      expect(sent(emulator)).toEqual(["GET /connections?search=live_oauth"])
    }),
  )

  it.effect("the stream reads page after page and stops after the first short page", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      for (const id of ["c1", "c2", "c3", "c4", "c5"]) {
        emulator.seedConnection({ connection_id: id, provider_config_key: "github" })
      }
      const all = yield* collect(connections.streamConnections({ limit: 2 }))
      expect(all.map((item) => item.connection_id)).toEqual(["c5", "c4", "c3", "c2", "c1"])
      expect(sent(emulator)).toEqual([
        "GET /connections?limit=2&page=0",
        "GET /connections?limit=2&page=1",
        "GET /connections?limit=2&page=2",
      ])
      // A last page exactly full is followed by one empty page.
      const even = yield* collect(connections.streamConnections({ limit: 5 }))
      expect(even).toHaveLength(5)
      expect(sent(emulator).slice(3)).toEqual(["GET /connections?limit=5&page=0", "GET /connections?limit=5&page=1"])
      // Without a limit, pages are the largest the server answers.
      yield* collect(connections.streamConnections())
      expect(sent(emulator)[5]).toBe("GET /connections?limit=2000&page=0")
    }),
  )

  it.effect("a key without the list scope is Forbidden", () =>
    Effect.gen(function* () {
      const { connections } = yield* setupConnections(
        { keyScopes: { [readOnlyKey]: ["environment:connections:read"] } },
        { secretKey: readOnlyKey },
      )
      const refused = yield* Effect.flip(connections.listConnections())
      expect(refused._tag).toBe("Forbidden")
      const streamed = yield* Effect.flip(collect(connections.streamConnections()))
      expect(streamed._tag).toBe("Forbidden")
    }),
  )
})

describe("patchConnection", () => {
  it.effect("replaces the tags whole, lowercasing their keys; providerConfigKey goes in the query", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const stored = emulator.seedConnection({ connection_id: "c 1", provider_config_key: "github", tags: { a: "1" } })
      yield* connections.patchConnection("c 1", { ...github, tags: { Plan: "pro" } })
      expect(stored.tags).toEqual({ plan: "pro" })
      expect(sent(emulator)).toEqual(["PATCH /connections/c%201?provider_config_key=github"])
      expect(emulator.requests[0]?.body).toEqual({ tags: { Plan: "pro" } })
      yield* connections.patchConnection("c 1", { ...github, tags: {} })
      expect(stored.tags).toEqual({})
    }),
  )

  it.effect("unknown integration, unknown connection, too many tags: each its own error", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const unknown = yield* Effect.flip(connections.patchConnection("c1", { providerConfigKey: "jira", tags: {} }))
      expect(unknown._tag).toBe("UnknownIntegration")
      const missing = yield* Effect.flip(connections.patchConnection("c2", { ...github, tags: {} }))
      expect(missing._tag).toBe("NotFound")
      const ten = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`t${index}`, "v"]))
      yield* connections.patchConnection("c1", { ...github, tags: ten })
    }),
  )

  it.effect("counts the tags derived from end_user as the server does: 10 once merged are sent, 11 refused", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const tags = (count: number) =>
        Object.fromEntries(Array.from({ length: count }, (_, index) => [`t${index}`, "v"]))
      const person = { id: "u", email: "ada@example.com", display_name: "Ada" }
      // Three derived (id, email, name) and seven of its own: ten, sent.
      yield* connections.patchConnection("c1", { ...github, tags: tags(7), end_user: person })
      expect(Object.keys(emulator.connections[0]?.tags ?? {})).toHaveLength(10)
      // A tag of its own over a derived key counts once.
      yield* connections.patchConnection("c1", { ...github, tags: { ...tags(7), END_USER_ID: "u" }, end_user: person })
      expect(emulator.requests).toHaveLength(2)
      for (const input of [
        { ...github, tags: tags(8), end_user: person },
        { ...github, tags: tags(10), end_user: { id: "u" } },
      ]) {
        const refused = yield* Effect.flip(connections.patchConnection("c1", input))
        expect(refused._tag === "InvalidInput" && [refused.input, refused.message]).toEqual([
          "body",
          expect.stringMatching(/at most 10 keys; this patch makes 11/),
        ])
      }
      expect(emulator.requests).toHaveLength(2)
    }),
  )

  it.effect("refuses what the server cannot take, with nothing sent: a PATCH to `metadata`, a bad tag, a NUL", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      for (const id of ["metadata", "METADATA", "Metadata"]) {
        const named = yield* Effect.flip(connections.patchConnection(id, { ...github, tags: {} }))
        expect(named._tag === "InvalidInput" && named.input).toBe("connectionId")
      }
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`t${index}`, "v"]))
      for (const input of [
        { ...github, tags: eleven },
        { ...github, tags: { "1a": "v" } },
        { ...github, end_user: { id: "u", display_name: "a\u0000b" } },
        { ...github, webhook_url_override: "https://api.nango.dev/hook" },
        { ...github, connection_config: {} },
      ]) {
        const refused = yield* Effect.flip(
          connections.patchConnection("c1", input as NangoConnectionsSchema.PatchConnectionInput),
        )
        expect(refused._tag === "InvalidInput" && refused.input).toBe("body")
      }
      expect(emulator.requests).toEqual([])
    }),
  )
})

describe("deleteConnection", () => {
  it.effect("deletes; a second delete, or an unknown integration, is NotFound from the server's 400", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      yield* connections.deleteConnection("c1", github)
      expect(emulator.connections).toEqual([])
      expect(sent(emulator)).toEqual(["DELETE /connections/c1?provider_config_key=github"])
      const again = yield* Effect.flip(connections.deleteConnection("c1", github))
      expect(again._tag).toBe("NotFound")
      expect(again._tag === "NotFound" && [again.status, again.code, again.serverMessage]).toEqual([
        400,
        "unknown_connection",
        undefined,
      ])
      const unknown = yield* Effect.flip(connections.deleteConnection("c1", { providerConfigKey: "jira" }))
      expect(unknown._tag).toBe("NotFound")
    }),
  )

  it.effect("refuses the ids a path cannot carry (`.`, `..`, empty, too long) with nothing sent", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      for (const id of [".", "..", "", "a".repeat(256), "a?b"]) {
        const refused = yield* Effect.flip(connections.deleteConnection(id, github))
        expect(refused._tag === "InvalidInput" && refused.input).toBe("connectionId")
      }
      expect(emulator.requests).toEqual([])
      const missing = yield* Effect.flip(connections.deleteConnection("...", github))
      expect(missing._tag).toBe("NotFound")
    }),
  )

  it.effect("is not retried after a 500, which the server may have acted on", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections({}, { retry: { baseDelay: 1, maxDelay: 1 } })
      emulator.injectFault({ method: "DELETE", path: "/connections/c1", status: 500, times: 1 })
      const failed = yield* Effect.flip(connections.deleteConnection("c1", github))
      expect(failed._tag).toBe("ServerError")
      expect(emulator.requests).toHaveLength(1)
    }),
  )
})

describe("setMetadata and updateMetadata", () => {
  it.effect("replaces, then merges one level deep, on one connection or several", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const one = emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const two = emulator.seedConnection({ connection_id: "c2", provider_config_key: "github" })
      yield* connections.setMetadata(["c1", "c2"], { ...github, metadata: { plan: "pro", limits: { seats: 3 } } })
      yield* connections.updateMetadata("c1", { ...github, metadata: { limits: { api: 10 }, region: "eu" } })
      expect(one.metadata).toEqual({ plan: "pro", limits: { api: 10 }, region: "eu" })
      expect(two.metadata).toEqual({ plan: "pro", limits: { seats: 3 } })
      expect(sent(emulator)).toEqual(["POST /connections/metadata", "PATCH /connections/metadata"])
      expect(emulator.requests[1]?.body).toEqual({
        connection_id: "c1",
        provider_config_key: "github",
        metadata: { limits: { api: 10 }, region: "eu" },
      })
      yield* connections.setMetadata([], { ...github, metadata: {} })
      expect(emulator.requests).toHaveLength(3)
    }),
  )

  it.effect("an unknown id among several is NotFound, and nothing is written", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const one = emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", metadata: { a: 1 } })
      const missing = yield* Effect.flip(connections.setMetadata(["c1", "c9"], { ...github, metadata: { b: 2 } }))
      expect(missing._tag).toBe("NotFound")
      expect(missing._tag === "NotFound" && [missing.status, missing.code]).toEqual([404, "unknown_connection"])
      expect(one.metadata).toEqual({ a: 1 })
    }),
  )

  it.effect("refuses bad ids and bodies with nothing sent; `.` and `metadata` are ids like any other in a body", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      for (const ids of ["", ["c1", ""], [42], "a".repeat(256)]) {
        const refused = yield* Effect.flip(
          connections.updateMetadata(ids as ReadonlyArray<string>, { ...github, metadata: {} }),
        )
        expect(refused._tag === "InvalidInput" && refused.input).toBe("connectionId")
      }
      const badMetadata = [{ a: "\u0000" }, { a: Number.NaN }, { b: [undefined] }] as unknown as ReadonlyArray<
        NangoConnectionsSchema.MetadataInput["metadata"]
      >
      for (const metadata of badMetadata) {
        const refused = yield* Effect.flip(connections.setMetadata("c1", { ...github, metadata }))
        expect(refused._tag === "InvalidInput" && refused.input).toBe("body")
      }
      expect(emulator.requests).toEqual([])
      const missing = yield* Effect.flip(connections.setMetadata([".", "metadata"], { ...github, metadata: {} }))
      expect(missing._tag).toBe("NotFound")
    }),
  )
})

describe("awaitConnection", () => {
  /** How many times the listing was polled. */
  const polls = (emulator: { readonly requests: ReadonlyArray<{ method: string; path: string }> }) =>
    emulator.requests.filter((request) => request.method === "GET" && request.path === "/connections").length

  it.live("real time: finds by polling the connection a tags-only session makes", () =>
    Effect.gen(function* () {
      const { emulator, connections, nango } = yield* setupConnections()
      const session = yield* nango.createConnectSession({ tags: { end_user_id: "u1", team: "blue" } })
      const waiting = yield* fork(
        connections.awaitConnection(
          { tags: { END_USER_ID: "u1" }, integrationId: "github" },
          { schedule: Schedule.spaced("20 millis"), timeout: "5 seconds" },
        ),
      )
      yield* waitUntil(() => polls(emulator) >= 2, "two polls")
      const completed = yield* Effect.promise(() =>
        emulator.completeSession(Redacted.value(session.token), { integration: "github" }),
      )
      const found = yield* Fiber.join(waiting)
      expect(found.connection_id).toBe(completed.connectionId)
      expect(found.tags).toEqual({ end_user_id: "u1", team: "blue" })
      expect(emulator.requests.at(-1)?.search).toBe("?tags%5BEND_USER_ID%5D=u1&integrationId=github&limit=1")
    }),
  )

  it.live("real time: ends within a second of the verified auth webhook handed to it, without polling again", () =>
    Effect.gen(function* () {
      const { emulator, connections, nango } = yield* setupConnections()
      const session = yield* nango.createConnectSession({ tags: { end_user_id: "u1" } })
      const waiting = yield* fork(
        connections.awaitConnection({ tags: { End_User_Id: "u1" } }, { schedule: Schedule.spaced("1 hour") }),
      )
      yield* waitUntil(() => polls(emulator) === 1, "the first poll")
      const signingKeys = [Redacted.make(emulator.webhookSigningKey)]
      let handedAt = 0
      const completed = yield* Effect.promise(() =>
        emulator.completeSession(Redacted.value(session.token), {
          integration: "github",
          deliverTo: (delivery) =>
            Effect.runPromise(
              NangoWebhook.verify(delivery.body, delivery.headers, { signingKeys }).pipe(
                Effect.tap(() => Effect.sync(() => (handedAt = Date.now()))),
                Effect.flatMap(connections.receiveWebhook),
                Effect.as(200),
              ),
            ),
        }),
      )
      const found = yield* Fiber.join(waiting)
      // Under load, a local lookup takes milliseconds; a second is the bound the issue sets.
      expect(Date.now() - handedAt).toBeLessThan(1000)
      expect(found.connection_id).toBe(completed.connectionId)
      // The first poll, then one lookup of the announced connection.
      expect(polls(emulator)).toBe(2)
      expect(emulator.requests.at(-1)?.search).toBe(
        `?integrationId=github&connectionId=${completed.connectionId}&limit=1`,
      )
    }),
  )

  itWithSleeps(
    "ignores webhooks that do not announce it: other tags, another integration, a failure, another kind",
    () =>
      Effect.gen(function* () {
        const { emulator, connections } = yield* setupConnections()
        emulator.seedConnection({ connection_id: "other", provider_config_key: "slack", tags: { end_user_id: "u1" } })
        const mine = { type: "auth", success: true, connectionId: "other", providerConfigKey: "slack" } as const
        const waiting = yield* fork(
          connections.awaitConnection(
            { tags: { end_user_id: "u1" }, integrationId: "github" },
            { schedule: Schedule.spaced("1 hour"), timeout: "1 minute" },
          ),
        )
        yield* waitForSleep("1 hour")
        for (const webhook of [
          { ...mine, tags: { end_user_id: "u1" } },
          { ...mine, providerConfigKey: "github", tags: { end_user_id: "u2" } },
          { ...mine, providerConfigKey: "github", success: false, tags: { end_user_id: "u1" } },
          // success missing, or anything but true: not an announcement.
          { type: "auth", connectionId: "other", providerConfigKey: "github", tags: { end_user_id: "u1" } },
          { ...mine, providerConfigKey: "github", success: "true", tags: { end_user_id: "u1" } },
          { ...mine, providerConfigKey: "github", type: "sync", tags: { end_user_id: "u1" } },
          { type: "auth", success: true, providerConfigKey: "github", tags: { end_user_id: "u1" } },
        ]) {
          yield* connections.receiveWebhook(webhook as unknown as Parameters<typeof connections.receiveWebhook>[0])
        }
        // Real time for a wrongly accepted webhook to end the wait (its lookup), before the deadline.
        for (let turn = 0; turn < 20; turn++) yield* realPause
        yield* TestClock.adjust("1 minute")
        const timedOut = yield* Effect.flip(Fiber.join(waiting))
        expect(timedOut._tag).toBe("AwaitConnectionTimeout")
        expect(polls(emulator)).toBe(1)
      }),
  )

  itWithSleeps("counts, when `since` is given, only a connection created at or after it", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "old", provider_config_key: "github", tags: { end_user_id: "u1" } })
      const since = new Date(Date.now() + 1)
      const options = { schedule: Schedule.spaced("1 second"), timeout: "10 seconds" } as const
      const later = yield* fork(connections.awaitConnection({ tags: { end_user_id: "u1" } }, { ...options, since }))
      // The first poll found the old connection, and the wait goes on.
      yield* waitForSleep("1 second")
      expect(polls(emulator)).toBe(1)
      yield* TestClock.adjust("10 seconds")
      expect((yield* Effect.flip(Fiber.join(later)))._tag).toBe("AwaitConnectionTimeout")
      const any = yield* connections.awaitConnection({ tags: { end_user_id: "u1" } }, options)
      expect(any.connection_id).toBe("old")
    }),
  )

  it.effect("counts a connection created at exactly `since`, to the millisecond", () =>
    Effect.gen(function* () {
      const created = Date.UTC(2026, 11, 5, 9, 30, 0, 417)
      const { emulator, connections } = yield* setupConnections({ now: () => created })
      emulator.seedConnection({ connection_id: "exact", provider_config_key: "github", tags: { end_user_id: "u1" } })
      const found = yield* connections.awaitConnection(
        { tags: { end_user_id: "u1" } },
        { since: new Date(created), timeout: "1 minute" },
      )
      expect(found.connection_id).toBe("exact")
      expect(polls(emulator)).toBe(1)
    }),
  )

  it.live("real time: a webhook handed over while the first poll is still in flight ends the wait", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", tags: { end_user_id: "u1" } })
      // The first poll hangs: only the webhook, received meanwhile, can end the wait.
      emulator.injectFault({ method: "GET", path: "/connections", hang: true, times: 1 })
      const waiting = yield* fork(
        connections.awaitConnection({ tags: { end_user_id: "u1" } }, { schedule: Schedule.spaced("1 hour") }),
      )
      yield* waitUntil(() => polls(emulator) === 1, "the first poll")
      const webhook = {
        type: "auth",
        success: true,
        connectionId: "c1",
        providerConfigKey: "github",
        tags: { end_user_id: "u1" },
      }
      yield* connections.receiveWebhook(webhook as unknown as Parameters<typeof connections.receiveWebhook>[0])
      yield* waitUntil(() => polls(emulator) === 2, "the lookup of the announced connection")
      expect((yield* Fiber.join(waiting)).connection_id).toBe("c1")
    }),
  )

  // The clock moves only once the wait sleeps: a poll's real HTTP time never shifts the schedule.
  itWithSleeps("fails at its deadline with AwaitConnectionTimeout, polling on the schedule until then", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const waiting = yield* fork(connections.awaitConnection({ tags: { a: "b" } }, { timeout: "29 seconds" }))
      // Every 2 seconds by default: at 0, 2, …, 28; then the deadline, at 29.
      for (let poll = 1; poll <= 14; poll++) {
        yield* waitForSleep("2 seconds")
        expect(polls(emulator)).toBe(poll)
        yield* TestClock.adjust("2 seconds")
      }
      yield* waitForSleep("2 seconds")
      expect(polls(emulator)).toBe(15)
      yield* TestClock.adjust("1 second")
      const timedOut = yield* Effect.flip(Fiber.join(waiting))
      expect(timedOut._tag).toBe("AwaitConnectionTimeout")
      expect(timedOut._tag === "AwaitConnectionTimeout" && timedOut.message).toBe(
        "No connection with the awaited tags appeared within 29s",
      )
      expect(polls(emulator)).toBe(15)
      // A schedule that ends leaves the wait to webhooks and the deadline.
      const ended = yield* fork(
        connections.awaitConnection({ tags: { a: "b" } }, { schedule: Schedule.recurs(2), timeout: "1 minute" }),
      )
      yield* waitUntil(() => polls(emulator) === 15 + 3, "three polls")
      yield* waitForSleep("1 minute")
      yield* TestClock.adjust("1 minute")
      expect((yield* Effect.flip(Fiber.join(ended)))._tag).toBe("AwaitConnectionTimeout")
      expect(polls(emulator)).toBe(15 + 3)
    }),
  )

  it.effect("refuses, with nothing sent, no tags, bad tags and options that are not what they say", () =>
    Effect.gen(function* () {
      const { emulator, connections } = yield* setupConnections()
      const queries = [{ tags: {} }, {}, { tags: { "1a": "v" } }, { tags: { a: "b" }, integrationId: "a/b" }]
      for (const query of queries) {
        const refused = yield* Effect.flip(
          connections.awaitConnection(query as NangoConnectionsSchema.AwaitConnectionQuery),
        )
        expect(refused._tag === "InvalidInput" && refused.input).toBe("query")
      }
      for (const options of [{ timeout: "soon" }, { timeout: -1 }, { schedule: 5 }, { since: "yesterday" }]) {
        const refused = yield* Effect.flip(
          connections.awaitConnection({ tags: { a: "b" } }, options as unknown as { readonly timeout?: number }),
        )
        expect(refused._tag === "InvalidInput" && refused.input).toBe("options")
      }
      expect(emulator.requests).toEqual([])
      // Hostile webhooks are ignored, never a defect.
      for (const webhook of [
        null,
        42,
        "auth",
        { type: "auth" },
        Object.defineProperty({}, "type", {
          get: () => {
            throw new Error("no")
          },
        }),
      ]) {
        const exit = yield* Effect.exit(connections.receiveWebhook(webhook as never))
        expect(Exit.isSuccess(exit)).toBe(true)
      }
    }),
  )
})

describe("every status of every connections endpoint", () => {
  const noScopeKey = "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b"
  const unknownKey = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
  type Client = NangoConnections.Service
  type Call = (client: Client) => Effect.Effect<unknown, NangoConnectionsError.NangoConnectionsError>
  /** Each method, called with valid input, and the path the emulator sees for it. */
  const calls: ReadonlyArray<readonly [string, string, string, Call]> = [
    ["getConnection", "GET", "/connections/c1", (c: Client) => c.getConnection("c1", github)],
    ["listConnections", "GET", "/connections", (c: Client) => c.listConnections({ tags: { a: "b" } })],
    ["patchConnection", "PATCH", "/connections/c1", (c: Client) => c.patchConnection("c1", { ...github, tags: {} })],
    ["deleteConnection", "DELETE", "/connections/c1", (c: Client) => c.deleteConnection("c1", github)],
    ["setMetadata", "POST", "/connections/metadata", (c: Client) => c.setMetadata("c1", { ...github, metadata: {} })],
    [
      "updateMetadata",
      "PATCH",
      "/connections/metadata",
      (c: Client) => c.updateMetadata("c1", { ...github, metadata: {} }),
    ],
  ]

  for (const [name, method, path, call] of calls) {
    it.effect(`${name}: 401, 403, 429, a 400 with its items, 415 and 500 each have their tag`, () =>
      Effect.gen(function* () {
        const { emulator, connections } = yield* setupConnections(
          { keysWithoutScope: [noScopeKey] },
          { retry: { maxAttempts: 1 } },
        )
        emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
        yield* call(connections)
        for (const [key, tag, status] of [
          [unknownKey, "Unauthorized", 401],
          [noScopeKey, "Forbidden", 403],
        ] as const) {
          const other = yield* setupConnections(
            {},
            { secretKey: key, baseUrl: emulator.url, retry: { maxAttempts: 1 } },
          )
          const refused = yield* Effect.flip(call(other.connections))
          expect([refused._tag, "status" in refused && refused.status]).toEqual([tag, status])
        }
        const faults = [
          [429, '{"error":{"code":"too_many_request"}}', "RateLimited"],
          [
            400,
            '{"error":{"code":"invalid_body","errors":[{"code":"invalid_type","message":"Invalid input","path":["tags"]}]}}',
            "BadRequest",
          ],
          [415, '{"error":{"code":"invalid_content_type"}}', "UnexpectedStatus"],
          [500, '{"error":{"code":"server_error","message":"Failed"}}', "ServerError"],
        ] as const
        for (const [status, body, tag] of faults) {
          emulator.injectFault({ method, path, status, body, times: 1, headers: { "retry-after": "60" } })
          const failed = yield* Effect.flip(call(connections))
          expect([failed._tag, "status" in failed && failed.status]).toEqual([tag, status])
          if (failed._tag === "BadRequest") expect(failed.errors?.[0]?.path).toEqual(["tags"])
        }
      }),
    )
  }
})
