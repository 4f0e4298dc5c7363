/**
 * The emulator's `/connections` endpoints answer as the live server (0.71.4) does
 * (docs/nango-server.md, "Connections"): scopes, credentials only with `read_credentials`,
 * refresh that succeeds, fails or is exhausted, list filters and pages, patch, delete, metadata
 * and import, with the server's statuses, codes and messages where they differ from its spec.
 */
import { describe, expect, it } from "vitest"
import type { NangoEmulator } from "../src/emulator.js"
import { start } from "./support.js"

const readOnlyKey = "6f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
const noScopeKey = "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b"

interface Answer {
  readonly status: number
  // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, read field by field by the assertions
  readonly json: any
}

const call = async (
  emulator: NangoEmulator,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly key?: string } = {},
): Promise<Answer> => {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? emulator.secretKey}`,
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text === "" ? undefined : JSON.parse(text) }
}

const emulatorWith = () =>
  start({
    integrations: ["github", "slack"],
    keyScopes: { [readOnlyKey]: ["environment:connections:read", "environment:connections:list"] },
    keysWithoutScope: [noScopeKey],
  })

describe("GET /connections/{id}", () => {
  it("answers the connection with its credentials, times in +00:00, refresh tokens left out unless asked", async () => {
    const emulator = await emulatorWith()
    emulator.seedConnection({ connection_id: "team a/b", provider_config_key: "github", tags: { plan: "pro" } })
    const path = `/connections/${encodeURIComponent("team a/b")}?provider_config_key=github`
    const { status, json } = await call(emulator, "GET", path)
    expect(status).toBe(200)
    expect(json).toMatchObject({ connection_id: "team a/b", provider_config_key: "github", tags: { plan: "pro" } })
    expect(json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/)
    expect(json.credentials).toMatchObject({ type: "OAUTH2", access_token: expect.any(String) })
    expect(json.credentials.refresh_token).toBeUndefined()
    expect(json.credentials.raw.refresh_token).toBeUndefined()
    const withRefresh = await call(emulator, "GET", `${path}&refresh_token=true`)
    expect(withRefresh.json.credentials.refresh_token).toEqual(expect.any(String))
  })

  it("gives {} as credentials to a key without read_credentials, and 403 for a refresh flag", async () => {
    const emulator = await emulatorWith()
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
    const path = "/connections/c1?provider_config_key=github"
    expect((await call(emulator, "GET", path, { key: readOnlyKey })).json.credentials).toEqual({})
    const flagged = await call(emulator, "GET", `${path}&force_refresh=true`, { key: readOnlyKey })
    expect(flagged).toEqual({
      status: 403,
      json: {
        error: {
          code: "forbidden",
          message: "Credential and refresh options require the environment:connections:read_credentials scope",
        },
      },
    })
    expect(await call(emulator, "GET", path, { key: noScopeKey })).toEqual({
      status: 403,
      json: {
        error: {
          code: "forbidden",
          message:
            "Insufficient scope. Required one of: environment:connections:read or environment:connections:read_credentials",
        },
      },
    })
  })

  it("answers 400 unknown_provider_config for an unknown integration and 404 for an unknown connection", async () => {
    const emulator = await emulatorWith()
    expect(await call(emulator, "GET", "/connections/c1?provider_config_key=nope")).toEqual({
      status: 400,
      json: { error: { code: "unknown_provider_config", message: "Provider does not exists" } },
    })
    expect(await call(emulator, "GET", "/connections/c1?provider_config_key=github")).toEqual({
      status: 404,
      json: { error: { code: "not_found", message: "Failed to find connection" } },
    })
  })

  it("refuses a missing provider_config_key, an unknown query key and a bad boolean with invalid_query_params", async () => {
    const emulator = await emulatorWith()
    for (const query of [
      "",
      "?provider_config_key=github&env=dev",
      "?provider_config_key=github&force_refresh=maybe",
    ]) {
      const { status, json } = await call(emulator, "GET", `/connections/c1${query}`)
      expect(status).toBe(400)
      expect(json.error.code).toBe("invalid_query_params")
    }
  })

  it("refreshes on force_refresh; a failing refresh is 400 and an exhausted one 424, with the connection", async () => {
    const emulator = await emulatorWith()
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
    const path = "/connections/c1?provider_config_key=github"
    const before = (await call(emulator, "GET", path)).json.credentials.access_token
    const after = (await call(emulator, "GET", `${path}&force_refresh=true`)).json.credentials.access_token
    expect(after).not.toBe(before)
    emulator.setRefresh("c1", "github", "fails")
    const failed = await call(emulator, "GET", `${path}&force_refresh=true`)
    expect(failed.status).toBe(400)
    expect(failed.json.error).toMatchObject({
      code: "invalid_credentials",
      payload: { connection: { connection_id: "c1", credentials: {} } },
    })
    expect(failed.json.error.payload.connection.errors).toHaveLength(1)
    emulator.setRefresh("c1", "github", "exhausted")
    expect(await call(emulator, "GET", path)).toMatchObject({
      status: 424,
      json: {
        error: { code: "invalid_credentials", message: "The refresh limit has been reached for this connection." },
      },
    })
  })
})

describe("GET /connections", () => {
  it("filters by tags (all must match), integration and search; newest first; limit and page", async () => {
    let now = Date.UTC(2026, 11, 1)
    const emulator = await start({ integrations: ["github", "slack"], now: () => now })
    for (const [id, integration, team] of [
      ["a", "github", "red"],
      ["b", "slack", "red"],
      ["c", "github", "blue"],
    ] as const) {
      now += 1000
      emulator.seedConnection({ connection_id: id, provider_config_key: integration, tags: { team, plan: "pro" } })
    }
    const ids = async (query: string) =>
      (await call(emulator, "GET", `/connections${query}`)).json.connections.map(
        (connection: { connection_id: string }) => connection.connection_id,
      )
    expect(await ids("")).toEqual(["c", "b", "a"])
    expect(await ids("?tags[team]=red&tags[plan]=pro")).toEqual(["b", "a"])
    expect(await ids("?tags[TEAM]=red&integrationId=github")).toEqual(["a"])
    expect(await ids("?integrationId=slack, github")).toEqual(["c", "b", "a"])
    expect(await ids("?search=B")).toEqual(["b"])
    expect(await ids("?limit=2")).toEqual(["c", "b"])
    expect(await ids("?limit=2&page=1")).toEqual(["a"])
    const item = (await call(emulator, "GET", "/connections?limit=1")).json.connections[0]
    expect(item.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/)
    expect(item.credentials).toBeUndefined()
  })

  it("searches as the server's ILIKE does: `_` and `%` are wildcards, a backslash escapes, case ignored", async () => {
    const emulator = await emulatorWith()
    for (const id of ["live-oauth-1", "live_oauth", "LIVEXOAUTH", "100%", "other"]) {
      emulator.seedConnection({ connection_id: id, provider_config_key: "github" })
    }
    const ids = async (search: string) =>
      (await call(emulator, "GET", `/connections?search=${encodeURIComponent(search)}`)).json.connections
        .map((connection: { connection_id: string }) => connection.connection_id)
        .sort()
    expect(await ids("live_oauth")).toEqual(["LIVEXOAUTH", "live-oauth-1", "live_oauth"])
    expect(await ids("live\\_oauth")).toEqual(["live_oauth"])
    expect(await ids("live%1")).toEqual(["live-oauth-1"])
    expect(await ids("0\\%")).toEqual(["100%"])
    expect(await ids("Oauth-")).toEqual(["live-oauth-1"])
    expect(await ids("(")).toEqual([])
  })

  it("answers a NUL in any filter with the server's unhandled-error 500, as PostgreSQL refuses it", async () => {
    const emulator = await emulatorWith()
    for (const query of [
      "search=a%00b",
      "connectionId=a%00",
      "endUserId=%00",
      "endUserOrganizationId=x%00",
      "tags[team]=%00",
    ]) {
      const answer = await call(emulator, "GET", `/connections?${query}`)
      expect([answer.status, answer.json.error.code]).toEqual([500, "generic_error_support"])
    }
    expect((await call(emulator, "GET", "/connections?search=a%20b")).status).toBe(200)
  })

  it("takes a limit of 2000 and refuses 2001 and 0", async () => {
    const emulator = await emulatorWith()
    expect((await call(emulator, "GET", "/connections?limit=2000")).status).toBe(200)
    expect((await call(emulator, "GET", "/connections?limit=2001")).status).toBe(400)
    expect((await call(emulator, "GET", "/connections?limit=0")).status).toBe(400)
  })
})

describe("PATCH and DELETE /connections/{id}", () => {
  it("replaces the tags whole, with those derived from end_user; {} clears them", async () => {
    const emulator = await emulatorWith()
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", tags: { old: "x" } })
    const path = "/connections/c1?provider_config_key=github"
    expect(await call(emulator, "PATCH", path, { body: { tags: { Team: "red" } } })).toEqual({
      status: 200,
      json: { success: true },
    })
    expect(emulator.connections[0]?.tags).toEqual({ team: "red" })
    await call(emulator, "PATCH", path, { body: { end_user: { id: "u1" } } })
    expect(emulator.connections[0]?.tags).toEqual({ end_user_id: "u1" })
    await call(emulator, "PATCH", path, { body: { tags: {} } })
    expect(emulator.connections[0]?.tags).toEqual({})
    expect((await call(emulator, "PATCH", path, { body: { nope: 1 } })).json.error.code).toBe("invalid_body")
  })

  it("counts the tags derived from end_user toward the limit of 10: 10 pass, 11 are a 400 with no errors array", async () => {
    const emulator = await emulatorWith()
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", tags: { old: "x" } })
    const path = "/connections/c1?provider_config_key=github"
    const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`t${index}`, "v"]))
    expect((await call(emulator, "PATCH", path, { body: { tags: tags(9), end_user: { id: "u" } } })).status).toBe(200)
    expect(Object.keys(emulator.connections[0]?.tags ?? {})).toHaveLength(10)
    // An explicit tag over a derived one does not count twice.
    const same = { ...tags(9), end_user_id: "u2" }
    expect((await call(emulator, "PATCH", path, { body: { tags: same, end_user: { id: "u" } } })).status).toBe(200)
    expect(await call(emulator, "PATCH", path, { body: { tags: tags(10), end_user: { id: "u" } } })).toEqual({
      status: 400,
      json: { error: { code: "invalid_body", message: "Tags cannot contain more than 10 keys" } },
    })
  })

  it("routes PATCH /connections/metadata in any case to the metadata merge, never to a connection", async () => {
    const emulator = await emulatorWith()
    const seeded = { connection_id: "METADATA", provider_config_key: "github", tags: { old: "x" }, metadata: { a: 1 } }
    emulator.seedConnection(seeded)
    // The metadata endpoint takes no query: its own 400, and the connection is left as it was.
    const answer = await call(emulator, "PATCH", "/connections/METADATA?provider_config_key=github", {
      body: { tags: {} },
    })
    expect([answer.status, answer.json.error.code]).toEqual([400, "invalid_query_params"])
    const merged = await call(emulator, "PATCH", "/connections/Metadata", {
      body: { connection_id: "METADATA", provider_config_key: "github", metadata: { b: 2 } },
    })
    expect(merged.status).toBe(200)
    expect(emulator.connections[0]?.tags).toEqual({ old: "x" })
    expect(emulator.connections[0]?.metadata).toEqual({ a: 1, b: 2 })
    expect((await call(emulator, "GET", "/connections/METADATA?provider_config_key=github")).status).toBe(200)
  })

  it("deletes with 200 {success: true}; an unknown connection or integration is 400 unknown_connection, no message", async () => {
    const emulator = await emulatorWith()
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
    expect(await call(emulator, "DELETE", "/connections/c1?provider_config_key=github")).toEqual({
      status: 200,
      json: { success: true },
    })
    for (const path of ["/connections/c1?provider_config_key=github", "/connections/c1?provider_config_key=nope"]) {
      expect(await call(emulator, "DELETE", path)).toEqual({
        status: 400,
        json: { error: { code: "unknown_connection" } },
      })
    }
  })
})

describe("/connections/metadata", () => {
  it("POST replaces (201), PATCH merges shallowly (200), both echo the body; an unknown id is 404 and changes nothing", async () => {
    const emulator = await emulatorWith()
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
    emulator.seedConnection({ connection_id: "c2", provider_config_key: "github" })
    const set = { connection_id: ["c1", "c2"], provider_config_key: "github", metadata: { a: { x: 1 }, b: 2 } }
    expect(await call(emulator, "POST", "/connections/metadata", { body: set })).toEqual({ status: 201, json: set })
    const merge = { connection_id: "c1", provider_config_key: "github", metadata: { a: { y: 1 } } }
    expect(await call(emulator, "PATCH", "/connections/metadata", { body: merge })).toEqual({
      status: 200,
      json: merge,
    })
    expect(emulator.connections.map((connection) => connection.metadata)).toEqual([
      { a: { y: 1 }, b: 2 },
      { a: { x: 1 }, b: 2 },
    ])
    const missing = await call(emulator, "POST", "/connections/metadata", {
      body: { connection_id: ["c1", "zz"], provider_config_key: "github", metadata: { c: 3 } },
    })
    expect(missing.status).toBe(404)
    expect(missing.json.error.message).toMatch(/No actions were taken on any of the connections/)
    expect(emulator.connections[0]?.metadata).toEqual({ a: { y: 1 }, b: 2 })
  })
})

describe("POST /connections (import)", () => {
  it("imports with 201 and the full credentials, times ending in Z, raw a copy of the credentials", async () => {
    const emulator = await emulatorWith()
    const credentials = { type: "OAUTH2", access_token: "tok", refresh_token: "ref" }
    const imported = await call(emulator, "POST", "/connections", {
      body: { provider_config_key: "github", connection_id: "imp", credentials, tags: { Team: "red" } },
    })
    expect(imported.status).toBe(201)
    expect(imported.json).toMatchObject({
      connection_id: "imp",
      tags: { team: "red" },
      metadata: {},
      credentials: { ...credentials, raw: credentials },
    })
    expect(imported.json.created_at).toMatch(/Z$/)
    expect(
      (await call(emulator, "POST", "/connections", { body: { provider_config_key: "nope", credentials } })).json,
    ).toEqual({
      error: { code: "not_found", message: "Integration does not exist" },
    })
  })
})

describe("connections from sessions", () => {
  it("completeSession makes the connection with the session's tags and end user; reconnect can target it", async () => {
    const emulator = await emulatorWith()
    const created = await call(emulator, "POST", "/connect/sessions", {
      body: { end_user: { id: "u1", email: "a@example.com" }, tags: { plan: "pro" } },
    })
    const { connectionId } = await emulator.completeSession(created.json.data.token, { integration: "github" })
    const connection = (await call(emulator, "GET", `/connections/${connectionId}?provider_config_key=github`)).json
    expect(connection.tags).toEqual({ end_user_id: "u1", end_user_email: "a@example.com", plan: "pro" })
    expect(connection.end_user).toMatchObject({ id: "u1", email: "a@example.com" })
    const reconnect = await call(emulator, "POST", "/connect/sessions/reconnect", {
      body: { connection_id: connectionId, integration_id: "github" },
    })
    expect(reconnect.status).toBe(201)
  })
})
