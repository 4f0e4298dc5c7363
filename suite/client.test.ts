import { readdirSync } from "node:fs"
import { NangoConnect, type NangoConnectError } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import undiciPackage from "undici/package.json" with { type: "json" }
import { Duration, describe, Effect, Exit, expect, FetchHttpClient, it, Redacted, unexpectedKeyIssue } from "#line"
import { fixture, fixturesDir, fixtureText, recordingTracer, setup, unknownToken } from "./support.js"

const user = { end_user: { id: "user-42", email: "ada@example.com", display_name: "Ada Lovelace" } }

describe("the session life cycle", () => {
  it.effect("creates, reads and deletes a session; the token stops working after the delete", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const session = yield* nango.createConnectSession({
        ...user,
        organization: { id: "org-7", display_name: "Analytical Engines Ltd" },
        allowed_integrations: ["github"],
      })
      const token = Redacted.value(session.token)
      expect(token).toMatch(/^nango_connect_session_[a-f0-9]{64}$/)
      expect(emulator.sessions.has(token)).toBe(true)
      expect(session.connect_link && Redacted.value(session.connect_link)).toBe(
        `http://localhost:3009/?session_token=${token}`,
      )
      expect(session.expires_at.getTime() - Date.now()).toBeGreaterThan(29 * 60 * 1000)

      const details = yield* nango.getConnectSession(session.token)
      expect(details.endUser).toEqual({
        id: "user-42",
        email: "ada@example.com",
        display_name: "Ada Lovelace",
        tags: null,
        organization: { id: "org-7", display_name: "Analytical Engines Ltd" },
      })
      expect(details.allowed_integrations).toEqual(["github"])
      expect(details.websocketsPath).toBe("/")

      yield* nango.deleteConnectSession(token)
      expect(emulator.sessions.has(token)).toBe(false)
      const gone = yield* Effect.flip(nango.getConnectSession(session.token))
      expect(gone._tag).toBe("Unauthorized")
      expect(gone._tag === "Unauthorized" && gone.code).toBe("unknown_connect_session_token")
    }),
  )

  it.effect("sends each credential where the live server expects it", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const session = yield* nango.createConnectSession({ tags: { end_user_id: "user-42" } })
      yield* nango.getConnectSession(session.token)
      yield* nango.deleteConnectSession(session.token)
      expect(emulator.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        "POST /connect/sessions",
        "GET /connect/session",
        "DELETE /connect/session",
      ])
      // The emulator answers 401 to a wrong credential kind, so three successes prove the routing.
      expect(emulator.requests.every((request) => request.hasAuthorization)).toBe(true)
      expect(emulator.requests[1]?.headerNames).not.toContain("content-type")
    }),
  )

  it.effect("creates a reconnect session for an existing connection", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({ connections: [{ connection_id: "conn-1", integration_id: "github" }] })
      const session = yield* nango.createReconnectSession({
        connection_id: "conn-1",
        integration_id: "github",
        ...user,
      })
      const details = yield* nango.getConnectSession(session.token)
      expect(details.isReconnecting).toBe(true)
      expect(details.allowed_integrations).toEqual(["github"])
      expect(emulator.requestsTo("POST", "/connect/sessions/reconnect")).toHaveLength(1)
    }),
  )

  it.effect("keeps the path prefix of a base URL", () =>
    Effect.gen(function* () {
      for (const suffix of ["", "/"]) {
        const emulator = yield* NangoEmulator.make({ basePath: "/nango/api" })
        const nango = yield* NangoConnect.make({
          secretKey: emulator.secretKey,
          baseUrl: `${emulator.url}${suffix}`,
        }).pipe(Effect.provide(FetchHttpClient.layer))
        expect(emulator.url).toMatch(/\/nango\/api$/)
        const session = yield* nango.createConnectSession(user)
        const details = yield* nango.getConnectSession(session.token)
        expect(details.endUser?.id).toBe("user-42")
        yield* nango.deleteConnectSession(session.token)
        expect(emulator.requests).toHaveLength(3)
      }
    }),
  )
})

describe("typed errors from the server's own rules", () => {
  it.effect("Unauthorized for an unknown token and for an unknown secret key", () =>
    Effect.gen(function* () {
      const { nango } = yield* setup()
      const unknownSession = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(unknownSession).toMatchObject({ _tag: "Unauthorized", status: 401, code: "unknown_connect_session_token" })

      const { nango: stranger } = yield* setup({}, { secretKey: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a" })
      const unknownKey = yield* Effect.flip(stranger.createConnectSession(user))
      expect(unknownKey).toMatchObject({ _tag: "Unauthorized", status: 401, code: "unknown_account" })
    }),
  )

  it.effect("BadRequest with the server's errors[] when an integration does not exist", () =>
    Effect.gen(function* () {
      const { nango } = yield* setup()
      const error = yield* Effect.flip(nango.createConnectSession({ ...user, allowed_integrations: ["gitlab"] }))
      expect(error).toMatchObject({
        _tag: "BadRequest",
        status: 400,
        code: "invalid_body",
        method: "POST",
        path: "/connect/sessions",
        errors: [{ code: "custom", message: "Integration does not exist", path: ["allowed_integrations", "0"] }],
      })
    }),
  )

  it.effect("BadRequest with the server's message for an unknown connection", () =>
    Effect.gen(function* () {
      const { nango } = yield* setup()
      const error = yield* Effect.flip(
        nango.createReconnectSession({ connection_id: "nope", integration_id: "github" }),
      )
      expect(error).toMatchObject({
        _tag: "BadRequest",
        code: "invalid_body",
        serverMessage: "ConnectionID or IntegrationId does not exists",
      })
    }),
  )

  it.effect("Forbidden for a key without the connect-sessions scope", () =>
    Effect.gen(function* () {
      const key = "0b9a8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d"
      const { nango } = yield* setup({ keysWithoutScope: [key] }, { secretKey: key })
      const error = yield* Effect.flip(nango.createConnectSession(user))
      expect(error).toMatchObject({ _tag: "Forbidden", status: 403, code: "forbidden" })
    }),
  )

  it.effect("RateLimited with the Retry-After delay once the limit is passed", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({ rateLimit: { points: 1 } }, { retry: { maxAttempts: 1 } })
      yield* nango.createConnectSession(user)
      const error = yield* Effect.flip(nango.createConnectSession(user))
      expect(error._tag).toBe("RateLimited")
      if (error._tag !== "RateLimited") return
      expect(error.code).toBe("too_many_request")
      expect(error.retryAfter).toBeDefined()
      expect(emulator.requests).toHaveLength(2)
    }),
  )
})

/** Which tag each status gives on each endpoint, as documented by the server and the spec. */
const expectedTag = (endpoint: "get" | "create" | "delete", status: number): string => {
  const documented: Record<string, ReadonlyArray<number>> = {
    get: [400, 401, 404],
    create: [400, 401, 403],
    delete: [400, 401, 404],
  }
  if (status === 429) return "RateLimited"
  if (status >= 500) return "ServerError"
  if (!documented[endpoint]?.includes(status)) return "UnexpectedStatus"
  return { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound" }[status] ?? "?"
}

const errorFixtures = readdirSync(fixturesDir).filter((name) => name.startsWith("error-"))

describe("typed errors for every fixture body", () => {
  it("covers every error fixture", () => {
    expect(errorFixtures.length).toBeGreaterThanOrEqual(26)
  })

  for (const name of errorFixtures) {
    const status = Number(name.split("-")[1])
    for (const endpoint of ["get", "create", "delete"] as const) {
      const tag = expectedTag(endpoint, status)
      it.effect(`${name} on ${endpoint} gives ${tag}`, () =>
        Effect.gen(function* () {
          const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
          const session = yield* nango.createConnectSession(user)
          emulator.injectFault({
            status,
            body: fixtureText(name),
            headers: { "content-type": "application/json; charset=utf-8", "retry-after": "3" },
          })
          const call: Effect.Effect<unknown, NangoConnectError.NangoConnectError> =
            endpoint === "get"
              ? nango.getConnectSession(session.token)
              : endpoint === "delete"
                ? nango.deleteConnectSession(session.token)
                : nango.createConnectSession(user)
          const error = yield* Effect.flip(call)
          const body = fixture(name) as { error: { code: string; message?: string; errors?: unknown } }
          expect(error).toMatchObject({
            _tag: tag,
            status,
            code: body.error.code,
            method: endpoint === "get" ? "GET" : endpoint === "delete" ? "DELETE" : "POST",
            path: endpoint === "create" ? "/connect/sessions" : "/connect/session",
          })
          expect((error as { serverMessage?: string }).serverMessage).toBe(body.error.message)
          expect((error as { errors?: unknown }).errors).toEqual(body.error.errors)
          if (error._tag === "RateLimited") expect(error.retryAfter && Duration.toSeconds(error.retryAfter)).toBe(3)
        }),
      )
    }
  }

  it.effect("a 4xx/5xx whose body is not the envelope still gives its tag, without a code", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
      emulator.injectFault({
        status: 502,
        body: "<html><body>Bad Gateway</body></html>",
        headers: { "content-type": "text/html" },
      })
      const error = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(error).toMatchObject({ _tag: "ServerError", status: 502 })
      expect((error as { code?: string }).code).toBeUndefined()
    }),
  )
})

describe("a server that follows the spec", () => {
  it.effect("GET decodes the spec's ConnectSession body", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const token = `nango_connect_session_${"d".repeat(64)}`
      const body = {
        data: {
          token,
          connect_link: `https://connect.example/?session_token=${token}`,
          expires_at: "2026-08-21T10:30:00.412Z",
        },
      }
      emulator.injectFault({ status: 200, body: JSON.stringify(body), headers: { "content-type": "application/json" } })
      const details = yield* nango.getConnectSession(token)
      expect(details.token && Redacted.value(details.token)).toBe(token)
      expect(details.expires_at).toEqual(new Date("2026-08-21T10:30:00.412Z"))
    }),
  )

  it.effect("strict StdError bodies and a 404 on DELETE decode to their tags", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const body = { error: { code: "not_found", message: "Session not found", errors: [] } }
      emulator.injectFault({ status: 404, body: JSON.stringify(body) })
      const error = yield* Effect.flip(nango.deleteConnectSession(unknownToken))
      expect(error).toMatchObject({
        _tag: "NotFound",
        code: "not_found",
        serverMessage: "Session not found",
        errors: [],
      })
    }),
  )
})

describe("bodies that do not decode", () => {
  it.effect("ResponseDecodeError for a 200 that is not JSON, and for JSON of another shape", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
      emulator.injectFault({ status: 200, body: "<html>hello</html>" })
      const notJson = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(notJson).toMatchObject({ _tag: "ResponseDecodeError", status: 200, method: "GET" })

      emulator.injectFault({ status: 200, body: JSON.stringify({ data: { isReconnecting: "yes" } }) })
      const wrongShape = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(wrongShape).toMatchObject({
        _tag: "ResponseDecodeError",
        issues: ["data.isReconnecting: Expected boolean"],
      })
      expect(notJson).toMatchObject({ issues: ["(root): not JSON"] })
    }),
  )

  it.effect("ResponseDecodeError names the failing path but never the token in the body", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
      const token = `nango_connect_session_${"c".repeat(64)}`
      emulator.injectFault({ status: 201, body: JSON.stringify({ data: { token, expires_at: "not a date" } }) })
      const error = yield* Effect.flip(nango.createConnectSession(user))
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error.message).toContain("data.expires_at")
      for (const rendering of [String(error), error.message, JSON.stringify(error)]) {
        expect(rendering).not.toContain(token)
      }
    }),
  )

  it.effect("a 204 where a body is expected is a ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
      emulator.injectFault({ status: 204 })
      const error = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(error).toMatchObject({ _tag: "ResponseDecodeError", status: 204 })
    }),
  )
})

describe("bad input is rejected before anything is sent", () => {
  const malformedTokens = [
    ["empty", ""],
    ["the secret key", "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"],
    ["uppercase hex", `nango_connect_session_${"AB".repeat(32)}`],
    ["a CR/LF injection", `nango_connect_session_${"ab".repeat(32)}\r\nx-evil: 1`],
    ["too short", "nango_connect_session_abc"],
  ] as const

  it.effect("a malformed token gives InvalidInput on GET and DELETE, and no request", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      for (const [, token] of malformedTokens) {
        const calls: ReadonlyArray<Effect.Effect<unknown, NangoConnectError.NangoConnectError>> = [
          nango.getConnectSession(token),
          nango.deleteConnectSession(Redacted.make(token)),
        ]
        for (const call of calls) {
          const error = yield* Effect.flip(call)
          expect(error).toMatchObject({ _tag: "InvalidInput", input: "token" })
          if (token !== "") expect(JSON.stringify(error) + String(error)).not.toContain(token)
        }
      }
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect("a body is checked when the call runs, each time it runs, not when the effect is built", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const body = { end_user: { id: "user-42" } }
      const create = nango.createConnectSession(body)
      body.end_user.id = "user\u0000"
      const refused = yield* Effect.flip(create)
      expect(refused).toMatchObject({ _tag: "InvalidInput", input: "body" })
      expect(emulator.requests).toHaveLength(0)
      body.end_user.id = "user-43"
      yield* create
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  it.effect("an invalid body gives InvalidInput with the failing paths, and no request", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const missingUser = yield* Effect.flip(nango.createConnectSession({ allowed_integrations: ["github"] }))
      expect(missingUser).toMatchObject({ _tag: "InvalidInput", input: "body" })

      const unknownKey = yield* Effect.flip(nango.createConnectSession({ ...user, foo: 1 } as typeof user))
      expect(unknownKey).toMatchObject({ _tag: "InvalidInput", input: "body" })
      expect(unknownKey._tag === "InvalidInput" && unknownKey.issues).toEqual([unexpectedKeyIssue("foo")])

      const badEmail = yield* Effect.flip(nango.createConnectSession({ end_user: { id: "u", email: "nope" } }))
      expect(badEmail._tag === "InvalidInput" && badEmail.issues).toEqual([
        "end_user.email: must be a valid email address",
      ])

      const secret = "client-secret-value-1234"
      const badParam = yield* Effect.flip(
        nango.createConnectSession({
          ...user,
          integrations_config_defaults: {
            github: {
              connection_config: { oauth_client_secret_override: secret },
              authorization_params: { prompt: 1 as unknown as string },
            },
          },
        }),
      )
      expect(badParam._tag === "InvalidInput" && badParam.issues).toEqual([
        "integrations_config_defaults.github.authorization_params.prompt: Expected string",
      ])
      expect(JSON.stringify(badParam) + String(badParam)).not.toContain(secret)

      const reconnect = yield* Effect.flip(
        nango.createReconnectSession({ connection_id: "", integration_id: "github" }),
      )
      expect(reconnect).toMatchObject({ _tag: "InvalidInput", input: "body" })
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect("a secret key that cannot go in a header, or a base URL that is not one, fails make", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const build = (options: NangoConnect.Options) =>
        Effect.flip(NangoConnect.make(options).pipe(Effect.provide(FetchHttpClient.layer)))
      const badKey = yield* build({ secretKey: Redacted.make("key\r\nx-evil: 1"), baseUrl: emulator.url })
      expect(badKey).toMatchObject({ _tag: "InvalidInput", input: "secretKey" })
      expect(JSON.stringify(badKey) + String(badKey)).not.toContain("key\r\n")
      for (const baseUrl of ["not a url", "ftp://example.com", `${emulator.url}?x=1`]) {
        expect(yield* build({ secretKey: emulator.secretKey, baseUrl })).toMatchObject({ input: "baseUrl" })
      }
      expect(emulator.requests).toHaveLength(0)
    }),
  )
})

describe("transport", () => {
  it.effect("TransportError with connectionFailed when nothing listens", () =>
    Effect.gen(function* () {
      const emulator = yield* Effect.promise(() => NangoEmulator.NangoEmulator.start())
      yield* Effect.promise(() => emulator.close())
      const nango = yield* NangoConnect.make({
        secretKey: emulator.secretKey,
        baseUrl: emulator.url,
        retry: { maxAttempts: 1 },
      }).pipe(Effect.provide(FetchHttpClient.layer))
      const error = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(error).toMatchObject({ _tag: "TransportError", connectionFailed: true, method: "GET" })
    }),
  )

  it.effect("TransportError without connectionFailed when the connection drops after the request", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
      emulator.injectFault({ drop: true })
      const error = yield* Effect.flip(nango.createConnectSession(user))
      expect(error).toMatchObject({ _tag: "TransportError", connectionFailed: false, method: "POST" })
      expect(emulator.requests).toHaveLength(1)
    }),
  )
})

describe("secrets", () => {
  it.effect("no error carries the secret key or the token, however it is rendered", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
      const session = yield* nango.createConnectSession(user)
      const token = Redacted.value(session.token)
      emulator.injectFault({ status: 401, body: fixtureText("error-401-unknown-connect-session-token.json") })
      const onGet = yield* Effect.flip(nango.getConnectSession(session.token))
      emulator.injectFault({ status: 500, body: fixtureText("error-500-server-error.json") })
      const onCreate = yield* Effect.flip(nango.createConnectSession(user))
      for (const error of [onGet, onCreate]) {
        for (const rendering of [String(error), error.message, JSON.stringify(error), error.stack ?? ""]) {
          expect(rendering).not.toContain(emulator.secretKey)
          expect(rendering).not.toContain(token)
        }
      }
      expect(String(session)).not.toContain(token)
      expect(JSON.stringify(session)).not.toContain(token)
    }),
  )
})

describe("tracing", () => {
  it.effect("one span per call with method, path, status and attempts, and no secret", () =>
    Effect.gen(function* () {
      const { tracer, recorded } = yield* recordingTracer
      const { emulator, nango } = yield* setup()
      const session = yield* nango.createConnectSession(user).pipe(Effect.withTracer(tracer))
      yield* nango.getConnectSession(session.token).pipe(Effect.withTracer(tracer))
      const spans = recorded()
      expect(spans.map((span) => span.name)).toEqual([
        "NangoConnect.createConnectSession",
        "NangoConnect.getConnectSession",
      ])
      expect(Object.fromEntries(spans[1]?.attributes ?? [])).toEqual({
        "http.request.method": "GET",
        "url.path": "/connect/session",
        "http.response.status_code": 200,
        "nango.attempts": 1,
      })
      const everything = JSON.stringify(spans.map((span) => [...span.attributes.values()]))
      expect(everything).not.toContain(emulator.secretKey)
      expect(everything).not.toContain(Redacted.value(session.token))
      expect(emulator.requests.flatMap((request) => request.headerNames)).not.toContain("traceparent")
    }),
  )

  it.effect("trace context is propagated only when asked for", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { propagateTraceContext: true })
      yield* nango.createConnectSession(user).pipe(Effect.withSpan("caller"))
      expect(emulator.requests[0]?.headerNames).toContain("traceparent")
    }),
  )
})

describe("exits", () => {
  it.effect("a success exit holds the decoded session", () =>
    Effect.gen(function* () {
      const { nango } = yield* setup()
      const exit = yield* Effect.exit(nango.createConnectSession(user))
      expect(Exit.isSuccess(exit)).toBe(true)
    }),
  )
})

describe("the undici package the suite runs on", () => {
  // CI runs the undici suites once more on the other major the package supports (NANGO_TEST_UNDICI,
  // suite/projects.ts), and names the major it expects: this checks the run really is on it.
  it.skipIf(process.env.NANGO_TEST_UNDICI_MAJOR === undefined)("is the major CI names", () => {
    expect(undiciPackage.version.split(".")[0]).toBe(process.env.NANGO_TEST_UNDICI_MAJOR)
  })
})
