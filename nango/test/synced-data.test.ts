/**
 * The emulator's records, action and sync endpoints refuse at the server's bounds, on both sides
 * of each edge (docs/nango-server.md, "Records", "Actions", "Syncs"): the strict query and header
 * checks a client is spared, since it refuses the same input before sending.
 */
import { describe, expect, it } from "vitest"
import type { NangoEmulator } from "../src/emulator.js"
import { start } from "./support.js"

const get = async (emulator: NangoEmulator, path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${emulator.url}${path}`, {
    headers: { authorization: `Bearer ${emulator.secretKey}`, ...headers },
  })
  return { status: response.status, json: await response.json() }
}

const withConnection = async () => {
  const emulator = await start({ integrations: ["github"], actions: { github: { ping: () => ({ output: 1 }) } } })
  emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
  return emulator
}

const connection = { "connection-id": "c1", "provider-config-key": "github" }
const ids = (count: number, length = 1) =>
  Array.from({ length: count }, (_, index) => `ids=${String(index).padEnd(length, "x")}`).join("&")

describe("GET /records", () => {
  it.each([
    ["model=Issue&limit=1", 200],
    ["model=Issue&limit=10000", 200],
    ["model=Issue&limit=0", 400],
    ["model=Issue&limit=10001", 400],
    [`model=Issue&${ids(100)}`, 200],
    [`model=Issue&${ids(101)}`, 400],
    [`model=Issue&ids=${"x".repeat(256)}`, 200],
    [`model=Issue&ids=${"x".repeat(257)}`, 400],
    [`model=Issue&ids=a&ids=${"x".repeat(257)}`, 400],
    ["model=Issue&cursor=", 400],
    ["model=Issue&filter=added,DELETED", 200],
    ["model=Issue&filter=added,removed", 400],
    ["model=Issue&modified_after=2026-12-01T10:00:00+01:00", 400],
    ["limit=5", 400],
    ["model=Issue&model=Other", 400],
    ["model=Issue&page=2", 400],
  ])("%s: %i", async (query, status) => {
    const emulator = await withConnection()
    const answer = await get(emulator, `/records?${query}`, connection)
    expect([answer.status, answer.json.error?.code]).toEqual(
      status === 200 ? [200, undefined] : [400, "invalid_query_params"],
    )
  })

  it("modified_after exactly 365 days back is taken, a minute more is refused", async () => {
    const now = Date.UTC(2026, 11, 6, 12)
    const emulator = await start({ integrations: ["github"], now: () => now })
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
    const at = (millis: number) =>
      get(emulator, `/records?model=Issue&modified_after=${new Date(millis).toISOString()}`, connection)
    expect((await at(now - 365 * 86_400_000)).status).toBe(200)
    expect((await at(now - 365 * 86_400_000 - 60_000)).json.error.code).toBe("invalid_query_params")
  })

  it("checks the connection headers: missing or malformed is invalid_headers", async () => {
    const emulator = await withConnection()
    expect((await get(emulator, "/records?model=Issue", { "connection-id": "c1" })).json.error.code).toBe(
      "invalid_headers",
    )
    const bad = await get(emulator, "/records?model=Issue", { ...connection, "provider-config-key": "git/hub" })
    expect(bad.json.error).toMatchObject({ code: "invalid_headers", errors: [{ path: ["provider-config-key"] }] })
  })
})

describe("POST /action/trigger and GET /sync/status", () => {
  const trigger = async (emulator: NangoEmulator, headers: Record<string, string>) => {
    const response = await fetch(`${emulator.url}/action/trigger`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${emulator.secretKey}`,
        "content-type": "application/json",
        ...connection,
        ...headers,
      },
      body: JSON.stringify({ action_name: "ping" }),
    })
    return { status: response.status, json: await response.json() }
  }

  it.each([
    [{ "x-max-retries": "0", "x-async": "true" }, 202],
    [{ "x-max-retries": "5", "x-async": "yes" }, 202],
    [{ "x-max-retries": "6" }, 400],
    [{ "x-max-retries": "-1" }, 400],
    [{ "x-async": "maybe" }, 400],
    [{ "connection-id": "" }, 400],
  ])("action headers %o: %i", async (headers, status) => {
    const emulator = await withConnection()
    const answer = await trigger(emulator, headers)
    expect([answer.status, answer.json.error?.code]).toEqual(
      status === 202 ? [202, undefined] : [400, "invalid_headers"],
    )
  })

  it.each([
    ["syncs=*&provider_config_key=github", 200],
    ["syncs=*&provider_config_key=github&connection_id=c1", 200],
    ["provider_config_key=github", 400],
    ["syncs=*&provider_config_key=git/hub", 400],
    ["syncs=*&provider_config_key=github&other=1", 400],
  ])("sync status %s: %i", async (query, status) => {
    const emulator = await withConnection()
    const answer = await get(emulator, `/sync/status?${query}`)
    expect([answer.status, answer.json.error?.code]).toEqual(
      status === 200 ? [200, undefined] : [400, "invalid_query_params"],
    )
  })
})
