/**
 * The emulator's `/proxy/*` answers as the server (0.71.4) implements it (see
 * nango/src/emulator/proxy.ts), with the emulator playing the provider: Nango's own refusals
 * first (auth, scope, headers, integration, connection, credentials), then what the provider
 * receives (only `Nango-Proxy-*` headers, the credential per auth mode, the body only for the
 * methods that carry one, path and query as sent), then what comes back.
 */
import { describe, expect, it } from "vitest"
import type { ProviderRequest } from "../src/emulator/types.js"
import type { NangoEmulator, Options } from "../src/emulator.js"
import { start } from "./support.js"

const proxyOnly = "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b"
const connectionsOnly = "6f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"

const emulatorWith = async (options: Options = {}) => {
  const emulator = await start({
    integrations: ["github", "jira"],
    keyScopes: { [proxyOnly]: ["environment:proxy"], [connectionsOnly]: ["environment:connections:*"] },
    ...options,
  })
  emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
  return emulator
}

const proxy = async (
  emulator: NangoEmulator,
  method: string,
  path: string,
  options: { readonly headers?: Record<string, string>; readonly body?: string; readonly key?: string } = {},
) => {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? emulator.secretKey}`,
      "connection-id": "c1",
      "provider-config-key": "github",
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text }
}

/** What the echo provider received, from its answer. */
const received = (text: string): ProviderRequest => JSON.parse(text) as ProviderRequest

describe("Nango's own refusals, before the provider is called", () => {
  it("needs the secret key and the environment:proxy scope", async () => {
    const emulator = await emulatorWith()
    expect((await proxy(emulator, "GET", "/proxy/user", { key: "" })).status).toBe(401)
    expect((await proxy(emulator, "GET", "/proxy/user", { key: proxyOnly })).status).toBe(200)
    const refused = await proxy(emulator, "GET", "/proxy/user", { key: connectionsOnly })
    expect([refused.status, JSON.parse(refused.text).error.code]).toEqual([403, "forbidden"])
  })

  it("answers 400 invalid_headers without Connection-Id or Provider-Config-Key, or with a bad Retry-On", async () => {
    const emulator = await emulatorWith()
    const response = await fetch(`${emulator.url}/proxy/user`, {
      headers: { authorization: `Bearer ${emulator.secretKey}` },
    })
    const body = (await response.json()) as { error: { code: string; errors: Array<{ path: Array<string> }> } }
    expect([response.status, body.error.code]).toEqual([400, "invalid_headers"])
    expect(body.error.errors.map((issue) => issue.path[0])).toEqual(["provider-config-key", "connection-id"])
    for (const headers of [{ "retry-on": "5xx" }, { retries: "many" }]) {
      expect((await proxy(emulator, "GET", "/proxy/user", { headers })).status).toBe(400)
    }
    expect(
      (await proxy(emulator, "GET", "/proxy/user", { headers: { "retry-on": "429,503", retries: "2" } })).status,
    ).toBe(200)
  })

  it("tells an unknown integration (404), an unknown connection (400 server_error) and bad credentials (424, 400) apart", async () => {
    const emulator = await emulatorWith()
    const code = async (headers: Record<string, string>) => {
      const answer = await proxy(emulator, "GET", "/proxy/user", { headers })
      return [answer.status, JSON.parse(answer.text).error.code]
    }
    expect(await code({ "provider-config-key": "slack" })).toEqual([404, "unknown_provider_config"])
    expect(await code({ "connection-id": "c9" })).toEqual([400, "server_error"])
    expect(await code({ "provider-config-key": "jira" })).toEqual([400, "server_error"])
    emulator.setRefresh("c1", "github", "exhausted")
    expect(await code({})).toEqual([424, "server_error"])
    emulator.setRefresh("c1", "github", "fails")
    expect(await code({})).toEqual([400, "server_error"])
  })
})

describe("what the provider receives", () => {
  it("only Nango-Proxy-* headers, renamed; the connection's credential under them; path and query as sent", async () => {
    const emulator = await emulatorWith()
    const stored = emulator.connections[0]?.credentials as { access_token: string }
    const answer = await proxy(emulator, "GET", "/proxy/repos/a%2Fb/issues?state=open&labels=a,b", {
      headers: { accept: "text/plain", "nango-proxy-accept": "application/vnd.github+json", "x-trace": "1" },
    })
    const request = received(answer.text)
    expect(request.url).toBe("/repos/a%2Fb/issues?state=open&labels=a,b")
    expect(request.headers).toEqual({
      authorization: `Bearer ${stored.access_token}`,
      accept: "application/vnd.github+json",
    })
    // A forwarded Authorization replaces Nango's credential, as the server does.
    const own = await proxy(emulator, "GET", "/proxy/user", { headers: { "nango-proxy-authorization": "Bearer mine" } })
    expect(received(own.text).headers.authorization).toBe("Bearer mine")
  })

  it("the credential of each auth mode: Bearer for OAuth 2, Basic for BASIC, nothing for API_KEY", async () => {
    const emulator = await emulatorWith()
    const basic = emulator.seedConnection({
      connection_id: "basic",
      provider_config_key: "github",
      credentialType: "BASIC",
    })
    emulator.seedConnection({ connection_id: "key", provider_config_key: "github", credentialType: "API_KEY" })
    const { username, password } = basic.credentials as { username: string; password: string }
    const authorization = async (connectionId: string) =>
      received((await proxy(emulator, "GET", "/proxy/user", { headers: { "connection-id": connectionId } })).text)
        .headers.authorization
    expect(await authorization("basic")).toBe(`Basic ${btoa(`${username}:${password}`)}`)
    expect(await authorization("key")).toBeUndefined()
  })

  it("a body only for POST, PUT, PATCH and DELETE, as sent; none for GET", async () => {
    const emulator = await emulatorWith()
    const body = '{"title":"x"}'
    const headers = { "content-type": "application/json", "nango-proxy-content-type": "application/json" }
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(received((await proxy(emulator, method, "/proxy/issues", { headers, body })).text).body).toBe(body)
    }
    const form = await proxy(emulator, "POST", "/proxy/form", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=1&b=2",
    })
    expect(received(form.text).body).toBe("a=1&b=2")
    // fetch cannot send a GET body; the emulator's rule is checked on the method alone.
    expect(received((await proxy(emulator, "GET", "/proxy/issues")).text).body).toBeUndefined()
  })
})

describe("what comes back", () => {
  it("a 2xx keeps the provider's status and body but only four of its headers; an error keeps them all", async () => {
    const emulator = await emulatorWith({
      providers: {
        github: (request) =>
          request.url === "/fail"
            ? {
                status: 403,
                headers: { "content-type": "application/json", "x-ratelimit-remaining": "0", "retry-after": "60" },
                body: '{"message":"API rate limit exceeded"}',
              }
            : {
                status: 201,
                headers: {
                  "content-type": "text/plain",
                  "x-request-id": "r1",
                  "x-correlation-id": "c1",
                  "mcp-session-id": "m1",
                  "x-ratelimit-remaining": "99",
                  etag: "e",
                },
                body: "created",
              },
      },
    })
    const created = await proxy(emulator, "POST", "/proxy/ok", { body: "x" })
    expect([created.status, created.text]).toEqual([201, "created"])
    expect(created.headers.get("x-request-id")).toBe("r1")
    expect(created.headers.get("mcp-session-id")).toBe("m1")
    expect(created.headers.get("x-ratelimit-remaining")).toBeNull()
    expect(created.headers.get("etag")).toBeNull()
    const failed = await proxy(emulator, "GET", "/proxy/fail")
    expect([failed.status, failed.text]).toEqual([403, '{"message":"API rate limit exceeded"}'])
    expect(failed.headers.get("x-ratelimit-remaining")).toBe("0")
    expect(failed.headers.get("retry-after")).toBe("60")
  })
})
