/**
 * Conformance: every case in nango/fixtures/connect/README.md is replayed against the emulator
 * (on both test layers' transport: real HTTP) and checked for status, `code` and body shape, or
 * is named below as not emulated, with the reason. A fixture in neither list fails the test.
 */
import { readdirSync } from "node:fs"
import { describe, expect, it } from "vitest"
import type { Options } from "../src/emulator.js"
import { fixture, fixturesDir, start } from "./support.js"

interface Replay {
  readonly method: string
  readonly path: string
  /** Which credential: a fresh session's token, the secret key, another string, or none. */
  readonly auth: "token" | "secret" | "none" | string
  readonly body?: unknown
  readonly rawBody?: string
  readonly contentType?: string
  readonly options?: Options
  /** The body the session behind "token" is created with. Default: the server test's own. */
  readonly session?: unknown
  /** Calls made first (on the same credential), e.g. to pass a rate limit or delete a session. */
  readonly before?: number
  readonly status: number
  /** Compare the whole body (true), or only its shape: the same keys and `code` (false). */
  readonly exact: boolean
}

const scopeless = "0b9a8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d"
const replays: Record<string, Replay> = {
  "create-session-201.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: fixture("request-create-session.json"),
    status: 201,
    exact: false,
  },
  "reconnect-session-201.json": {
    method: "POST",
    path: "/connect/sessions/reconnect",
    auth: "secret",
    body: fixture("request-reconnect-session.json"),
    options: { connections: [{ connection_id: "7f2c1d8e-4b1a-4a55-9d0e-3c6a9b1f2e44", integration_id: "github" }] },
    status: 201,
    exact: false,
  },
  "get-session-200-self-hosted.json": {
    method: "GET",
    path: "/connect/session",
    auth: "token",
    status: 200,
    exact: false,
  },
  "get-session-200-cloud-tags-only.json": {
    method: "GET",
    path: "/connect/session",
    auth: "token",
    options: { cloud: true },
    session: fixture("request-create-session-tags-only.json"),
    status: 200,
    exact: true,
  },
  "error-400-invalid-body-missing-end-user.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: {},
    status: 400,
    exact: true,
  },
  "error-400-invalid-body-missing-end-user-id.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: { end_user: {} },
    status: 400,
    exact: true,
  },
  "error-400-invalid-body-unrecognized-key.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: { end_user: { id: "u" }, foo: 1 },
    status: 400,
    exact: true,
  },
  "error-400-invalid-body-integration-not-found.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: { end_user: { id: "u" }, allowed_integrations: ["random"] },
    status: 400,
    exact: true,
  },
  "error-400-invalid-body-tags.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: { end_user: { id: "u" }, tags: { "123invalid": "x" } },
    status: 400,
    exact: true,
  },
  "error-400-invalid-body-too-many-tags.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: { end_user: { id: "u" }, tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) },
    status: 400,
    exact: true,
  },
  "error-400-invalid-body-reconnect-missing-ids.json": {
    method: "POST",
    path: "/connect/sessions/reconnect",
    auth: "secret",
    body: {},
    status: 400,
    exact: true,
  },
  "error-400-reconnect-connection-not-found.json": {
    method: "POST",
    path: "/connect/sessions/reconnect",
    auth: "secret",
    body: { connection_id: "x", integration_id: "github" },
    status: 400,
    exact: true,
  },
  "error-400-invalid-query-params.json": {
    method: "GET",
    path: "/connect/session?foo=bar",
    auth: "token",
    status: 400,
    exact: true,
  },
  "error-400-invalid-json.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    rawBody: '{"end_user":',
    status: 400,
    exact: false,
  },
  "error-401-missing-auth-header.json": {
    method: "DELETE",
    path: "/connect/session",
    auth: "none",
    status: 401,
    exact: true,
  },
  "error-401-invalid-connect-session-token-format.json": {
    method: "GET",
    path: "/connect/session",
    auth: "secret",
    status: 401,
    exact: true,
  },
  "error-401-unknown-connect-session-token.json": {
    method: "DELETE",
    path: "/connect/session",
    auth: "token",
    before: 1,
    status: 401,
    exact: true,
  },
  "error-401-invalid-secret-key-format.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "token",
    body: {},
    status: 401,
    exact: true,
  },
  "error-401-unknown-account.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
    body: {},
    status: 401,
    exact: true,
  },
  "error-403-insufficient-scope.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: scopeless,
    body: { end_user: { id: "u" } },
    options: { keysWithoutScope: [scopeless] },
    status: 403,
    exact: true,
  },
  "error-415-invalid-content-type.json": {
    method: "DELETE",
    path: "/connect/session",
    auth: "token",
    contentType: "text/plain",
    rawBody: "x",
    status: 415,
    exact: true,
  },
  "error-429-too-many-request.json": {
    method: "POST",
    path: "/connect/sessions",
    auth: "secret",
    body: { end_user: { id: "u" } },
    options: { rateLimit: { points: 1 } },
    before: 1,
    status: 429,
    exact: true,
  },
}

/** Fixtures the emulator does not produce, and why (each is still decoded by the client tests). */
const notEmulated: Record<string, string> = {
  "get-session-200-cloud-reconnect.json":
    "needs a reconnect session carrying every optional field; its parts are replayed above",
  "error-400-resource-capped.json": "plan limits (connections_max) are not emulated",
  "error-400-delete-session-failed.json": "only a concurrent double delete reaches it",
  "error-401-malformed-auth-header.json": "HTTP parsers trim the header, so the empty token it needs cannot be sent",
  "error-403-docs-connect-override-forbidden.json": "plans and their docs_connect entitlement are not emulated",
  "error-404-end-user-not-found.json": "end-user rows are not emulated",
  "error-500-server-error.json": "a failed database insert; inject it as a fault",
  "error-500-generic-error-support.json": "an unhandled exception; inject it as a fault",
  "error-500-unhandled-plan-not-found.json": "FLAG_PLAN_ENABLED is not emulated",
}

const keysOf = (value: unknown): unknown =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, keysOf(inner)]))
    : Array.isArray(value)
      ? "array"
      : typeof value

describe("conformance with the fixtures", () => {
  it("every fixture is replayed or named as not emulated", () => {
    const responses = readdirSync(fixturesDir).filter((name) => name.endsWith(".json") && !name.startsWith("request-"))
    expect(responses.filter((name) => !(name in replays) && !(name in notEmulated))).toEqual([])
  })

  it.each(Object.entries(replays))("%s", async (name, replay) => {
    const emulator = await start(replay.options)
    const session = await (async () => {
      const response = await fetch(`${emulator.url}/connect/sessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${emulator.secretKey}`, "content-type": "application/json" },
        // The body getSession.integration.test.ts creates its session with.
        body: JSON.stringify(
          replay.session ?? { end_user: { id: "knownId", email: "a@b.com" }, allowed_integrations: ["github"] },
        ),
      })
      return ((await response.json()) as { data: { token: string } }).data.token
    })()
    if (replay.options?.rateLimit !== undefined) emulator.setRateLimit(replay.options.rateLimit)
    const bearer =
      replay.auth === "token"
        ? session
        : replay.auth === "secret"
          ? emulator.secretKey
          : replay.auth === "none"
            ? undefined
            : replay.auth
    const send = async () => {
      const headers: Record<string, string> = {}
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
      const body = replay.rawBody ?? (replay.body === undefined ? undefined : JSON.stringify(replay.body))
      if (body !== undefined) headers["content-type"] = replay.contentType ?? "application/json"
      const response = await fetch(`${emulator.url}${replay.path}`, {
        method: replay.method,
        headers,
        ...(body === undefined ? {} : { body }),
      })
      const text = await response.text()
      return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as unknown }
    }
    for (let i = 0; i < (replay.before ?? 0); i++) await send()
    const answer = await send()
    const expected = fixture(name) as { error?: { code: string } }
    expect(answer.status).toBe(replay.status)
    if (replay.exact) expect(answer.body).toEqual(expected)
    else expect(keysOf(answer.body)).toEqual(keysOf(expected))
    if (expected.error !== undefined)
      expect((answer.body as { error: { code: string } }).error.code).toBe(expected.error.code)
  })
})
