/**
 * The emulator against the live server's contract: the bodies in nango/fixtures/connect/ where
 * the server's own tests pin them, plus token format, expiry, delete and the rate limiter.
 */
import { describe, expect, it } from "vitest"
import type { NangoEmulator } from "../src/emulator.js"
import { fixture, start } from "./support.js"

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

const call = async (
  emulator: NangoEmulator,
  method: string,
  path: string,
  options: { bearer?: string; body?: unknown; rawBody?: string; contentType?: string } = {},
): Promise<Answer> => {
  const headers: Record<string, string> = {}
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  if (body !== undefined || options.contentType !== undefined) {
    headers["content-type"] = options.contentType ?? "application/json"
  }
  const response = await fetch(`${emulator.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text === "" ? undefined : JSON.parse(text),
  }
}

const createSession = async (emulator: NangoEmulator, body: unknown) => {
  const answer = await call(emulator, "POST", "/connect/sessions", { bearer: emulator.secretKey, body })
  expect(answer.status).toBe(201)
  return (answer.json as { data: { token: string; connect_link: string; expires_at: string } }).data
}

describe("sessions", () => {
  it("issues an 86-character token, a connect link and a 30-minute expiry", async () => {
    const now = 1_750_000_000_000
    const emulator = await start({ now: () => now, connectUrl: "https://connect.nango.dev" })
    const session = await createSession(emulator, { end_user: { id: "u" } })
    expect(session.token).toMatch(/^nango_connect_session_[a-f0-9]{64}$/)
    expect(session.token).toHaveLength(86)
    expect(session.connect_link).toBe(`https://connect.nango.dev/?session_token=${session.token}`)
    expect(session.expires_at).toBe(new Date(now + 30 * 60 * 1000).toISOString())
  })

  it("answers GET with the live body the server's integration test pins (self-hosted)", async () => {
    const emulator = await start()
    const session = await createSession(emulator, {
      end_user: { id: "knownId", email: "a@b.com" },
      allowed_integrations: ["github"],
    })
    const answer = await call(emulator, "GET", "/connect/session", { bearer: session.token })
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual(fixture("get-session-200-self-hosted.json"))
  })

  it("stores allowed_integrations: [] as no restriction: GET omits it and any integration completes", async () => {
    const emulator = await start({ integrations: ["github", "slack"] })
    const session = await createSession(emulator, { end_user: { id: "u" }, allowed_integrations: [] })
    const answer = await call(emulator, "GET", "/connect/session", { bearer: session.token })
    expect(answer.status).toBe(200)
    expect(Object.keys((answer.json as { data: object }).data)).not.toContain("allowed_integrations")
    const completed = await emulator.completeSession(session.token, { integration: "slack" })
    expect(completed.connectionId).toEqual(expect.any(String))
    // One integration named: only that one.
    const one = await createSession(emulator, { end_user: { id: "u" }, allowed_integrations: ["github"] })
    expect(
      ((await call(emulator, "GET", "/connect/session", { bearer: one.token })).json as { data: object }).data,
    ).toMatchObject({ allowed_integrations: ["github"] })
    await expect(emulator.completeSession(one.token, { integration: "slack" })).rejects.toThrow()
  })

  it("answers GET for a tags-only session on Cloud with endUser null and no websocketsPath", async () => {
    const emulator = await start({ cloud: true })
    const session = await createSession(emulator, fixture("request-create-session-tags-only.json"))
    const answer = await call(emulator, "GET", "/connect/session", { bearer: session.token })
    expect(answer.json).toEqual(fixture("get-session-200-cloud-tags-only.json"))
  })

  it("expires a session after 30 minutes, as unknown", async () => {
    let now = 1_750_000_000_000
    const emulator = await start({ now: () => now })
    const session = await createSession(emulator, { end_user: { id: "u" } })
    now += 30 * 60 * 1000 - 1
    expect((await call(emulator, "GET", "/connect/session", { bearer: session.token })).status).toBe(200)
    now += 1
    const expired = await call(emulator, "GET", "/connect/session", { bearer: session.token })
    expect(expired.json).toEqual(fixture("error-401-unknown-connect-session-token.json"))
  })

  it("deletes with 204 and no body; the token then gives 401, a second delete too", async () => {
    const emulator = await start()
    const session = await createSession(emulator, { end_user: { id: "u" } })
    const deleted = await call(emulator, "DELETE", "/connect/session", { bearer: session.token })
    expect(deleted.status).toBe(204)
    expect(deleted.text).toBe("")
    expect(deleted.headers.get("content-type")).toBeNull()
    const again = await call(emulator, "DELETE", "/connect/session", { bearer: session.token })
    expect(again.status).toBe(401)
    expect(again.json).toEqual(fixture("error-401-unknown-connect-session-token.json"))
  })
})

describe("authentication", () => {
  it("answers the 401 bodies of the fixtures", async () => {
    const emulator = await start()
    const session = await createSession(emulator, { end_user: { id: "u" } })
    const cases: ReadonlyArray<readonly [string, string, string | undefined, string]> = [
      ["POST", "/connect/sessions", undefined, "error-401-missing-auth-header.json"],
      ["GET", "/connect/session", undefined, "error-401-missing-auth-header.json"],
      ["GET", "/connect/session", emulator.secretKey, "error-401-invalid-connect-session-token-format.json"],
      [
        "DELETE",
        "/connect/session",
        session.token.toUpperCase(),
        "error-401-invalid-connect-session-token-format.json",
      ],
      [
        "GET",
        "/connect/session",
        `nango_connect_session_${"0".repeat(64)}`,
        "error-401-unknown-connect-session-token.json",
      ],
      ["POST", "/connect/sessions", session.token, "error-401-invalid-secret-key-format.json"],
      ["POST", "/connect/sessions", "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "error-401-unknown-account.json"],
    ]
    for (const [method, path, bearer, expected] of cases) {
      const answer = await call(emulator, method, path, {
        ...(bearer === undefined ? {} : { bearer }),
        ...(method === "POST" ? { body: {} } : {}),
      })
      expect([method, path, answer.status]).toEqual([method, path, 401])
      expect(answer.json).toEqual(fixture(expected))
    }
  })

  it("answers 403 to a key without the connect-sessions scope", async () => {
    const key = "0b9a8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d"
    const emulator = await start({ keysWithoutScope: [key] })
    const answer = await call(emulator, "POST", "/connect/sessions", {
      bearer: key,
      body: { end_user: { id: "u" } },
    })
    expect(answer.status).toBe(403)
    expect(answer.json).toEqual(fixture("error-403-insufficient-scope.json"))
  })
})

describe("validation", () => {
  const cases: ReadonlyArray<readonly [string, string, unknown, string]> = [
    ["POST", "/connect/sessions", {}, "error-400-invalid-body-missing-end-user.json"],
    ["POST", "/connect/sessions", { end_user: {} }, "error-400-invalid-body-missing-end-user-id.json"],
    [
      "POST",
      "/connect/sessions",
      { end_user: { id: "u" }, foo: "bar" },
      "error-400-invalid-body-unrecognized-key.json",
    ],
    [
      "POST",
      "/connect/sessions",
      { end_user: { id: "u" }, allowed_integrations: ["random"] },
      "error-400-invalid-body-integration-not-found.json",
    ],
    [
      "POST",
      "/connect/sessions",
      { end_user: { id: "u" }, tags: { "123invalid": "x" } },
      "error-400-invalid-body-tags.json",
    ],
    [
      "POST",
      "/connect/sessions",
      { end_user: { id: "u" }, tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) },
      "error-400-invalid-body-too-many-tags.json",
    ],
    ["POST", "/connect/sessions/reconnect", {}, "error-400-invalid-body-reconnect-missing-ids.json"],
    [
      "POST",
      "/connect/sessions/reconnect",
      { connection_id: "nope", integration_id: "github" },
      "error-400-reconnect-connection-not-found.json",
    ],
    ["POST", "/connect/sessions?foo=bar", { end_user: { id: "u" } }, "error-400-invalid-query-params.json"],
  ]

  it.each(cases)("%s %s with %j answers %s", async (method, path, body, expected) => {
    const emulator = await start()
    const answer = await call(emulator, method, path, { bearer: emulator.secretKey, body })
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual(fixture(expected))
    expect(emulator.sessions.size).toBe(0)
  })

  it("answers invalid_json before authentication, and 415 to another content type", async () => {
    const emulator = await start()
    const badJson = await call(emulator, "POST", "/connect/sessions", { rawBody: '{"end_user":' })
    expect(badJson.status).toBe(400)
    expect(badJson.json).toMatchObject({ error: { code: "invalid_json" } })
    const text = await call(emulator, "DELETE", "/connect/session", { rawBody: "hi", contentType: "text/plain" })
    expect(text.status).toBe(415)
    expect(text.json).toEqual(fixture("error-415-invalid-content-type.json"))
  })
})

describe("rate limiter", () => {
  it("answers 429 with Retry-After and the rate-limit headers past the limit", async () => {
    const now = 1_750_000_000_500
    const emulator = await start({ rateLimit: { points: 2 }, now: () => now })
    const body = { end_user: { id: "u" } }
    const first = await call(emulator, "POST", "/connect/sessions", { bearer: emulator.secretKey, body })
    expect(first.headers.get("x-ratelimit-limit")).toBe("2")
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1")
    await call(emulator, "POST", "/connect/sessions", { bearer: emulator.secretKey, body })
    const limited = await call(emulator, "POST", "/connect/sessions", { bearer: emulator.secretKey, body })
    expect(limited.status).toBe(429)
    expect(limited.json).toEqual(fixture("error-429-too-many-request.json"))
    expect(limited.headers.get("retry-after")).toBe("60")
    expect(limited.headers.get("x-ratelimit-reset")).toBe(String(Math.floor((now + 60_000) / 1000)))
    expect(limited.headers.get("access-control-expose-headers")).not.toContain("Retry-After")
    expect(emulator.sessions.size).toBe(2)
  })
})
