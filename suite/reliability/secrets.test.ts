/**
 * The secret-leak scan: every error tag, and a successful call with tracing and logging on, is
 * rendered every way a user might, and neither the secret key nor the session token may appear.
 */

import { NangoActions, NangoConnect, type NangoConnectError, type NangoProxySchema } from "effect-nango"
import {
  Cause,
  captureLogs,
  configLayer,
  describe,
  Effect,
  Exit,
  expect,
  FetchHttpClient,
  Fiber,
  fork,
  it,
  Layer,
  malformedConfig,
  Redacted,
  Schema,
  TestClock,
} from "#line"
import {
  connectErrorTags,
  credentialTypes,
  fixtureText,
  recordingTracer,
  renderings,
  secretsIn,
  setup,
  setupActions,
  setupConnections,
  setupProxy,
  setupSyncs,
  waitUntil,
} from "../support.js"

const user = { end_user: { id: "user-42" } }

const expectClean = (texts: ReadonlyArray<readonly [string, string]>, secrets: ReadonlyArray<string>) => {
  for (const [how, text] of texts) {
    for (const secret of secrets) {
      expect(text.includes(secret) ? `${how} shows a secret` : "clean").toBe("clean")
    }
  }
}

/** Logs each error and checks that neither any rendering of it nor any log line shows a secret. */
const expectErrorsClean = (errors: ReadonlyArray<unknown>, secrets: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { lines, layer } = captureLogs()
    for (const error of errors) {
      yield* Effect.logError("call failed", error).pipe(Effect.provide(layer))
      expectClean(renderings(error), secrets)
    }
    expectClean(
      lines.map((line) => ["log", line] as const),
      secrets,
    )
  })

/** Produces one error of each tag while a real secret key and a real session token are in play. */
const everyError = Effect.gen(function* () {
  const { emulator, nango } = yield* setup(
    { keysWithoutScope: [] },
    { retry: { maxAttempts: 1 }, timeout: { attempt: "1 second" } },
  )
  const session = yield* nango.createConnectSession(user)
  const token = Redacted.value(session.token)
  const errors: Array<NangoConnectError.NangoConnectError> = []
  const fail = <A, E extends NangoConnectError.NangoConnectError>(effect: Effect.Effect<A, E>) =>
    Effect.flatMap(Effect.flip(effect), (error) => Effect.sync(() => errors.push(error)))
  const inject = (status: number, body: string, headers: Record<string, string> = {}) =>
    emulator.injectFault({ status, body, headers: { "content-type": "application/json", ...headers } })

  yield* fail(nango.createConnectSession({ ...user, allowed_integrations: ["unknown-integration"] })) // BadRequest
  inject(401, fixtureText("error-401-unknown-connect-session-token.json"))
  yield* fail(nango.getConnectSession(session.token)) // Unauthorized
  inject(403, fixtureText("error-403-insufficient-scope.json"))
  yield* fail(nango.createConnectSession(user)) // Forbidden
  inject(404, fixtureText("error-404-end-user-not-found.json"))
  yield* fail(nango.getConnectSession(session.token)) // NotFound
  inject(429, fixtureText("error-429-too-many-request.json"), { "retry-after": "60" })
  yield* fail(nango.createConnectSession(user)) // RateLimited
  inject(500, fixtureText("error-500-generic-error-support.json"))
  yield* fail(nango.deleteConnectSession(session.token)) // ServerError
  inject(415, fixtureText("error-415-invalid-content-type.json"))
  yield* fail(nango.getConnectSession(session.token)) // UnexpectedStatus
  emulator.injectFault({ drop: true })
  yield* fail(nango.getConnectSession(session.token)) // TransportError
  emulator.injectFault({ hang: true })
  const hanging = yield* fork(fail(nango.getConnectSession(session.token)))
  yield* waitUntil(() => emulator.requests.length >= 9, "the hanging request")
  yield* TestClock.adjust("1 second")
  yield* Fiber.join(hanging) // TimeoutError
  emulator.injectFault({
    status: 201,
    body: JSON.stringify({ data: { token, connect_link: `x?session_token=${token}`, expires_at: "soon" } }),
  })
  yield* fail(nango.createConnectSession(user)) // ResponseDecodeError, with the token in the body
  yield* fail(nango.getConnectSession(`${token}\r\n`)) // InvalidInput, with the token in the input
  return { errors, secrets: [emulator.secretKey, token] }
})

/** Every tag a proxy client fails with. */
const proxyErrorTags = [
  "UnknownConnection",
  "InvalidCredentials",
  "RefreshBackoff",
  "UnknownIntegration",
  "UnsupportedProvider",
  "BaseUrlOverrideRefused",
  "InvalidProxyHeaders",
  "PlanLimit",
  "Unauthorized",
  "Forbidden",
  "RateLimited",
  "ProviderUnreachable",
  "ServerError",
  "TimeoutError",
  "InvalidInput",
]

/**
 * Produces one proxy error of each tag while the secret key, a connection's access token and a
 * secret the caller put in its query and headers are in play.
 */
const everyProxyError = Effect.gen(function* () {
  const { emulator, proxy } = yield* setupProxy(
    { providers: { github: () => ({ unreachable: "ECONNREFUSED" }) } },
    { retry: { maxAttempts: 1 }, timeout: { attempt: "1 second" } },
  )
  const stored = emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
  for (const id of ["bad", "backoff"]) emulator.seedConnection({ connection_id: id, provider_config_key: "github" })
  emulator.setRefresh("bad", "github", "exhausted")
  emulator.setRefresh("backoff", "github", "fails")
  const callerSecret = "caller_secret_0123456789abcdef"
  const errors: Array<{ readonly _tag: string }> = []
  const call = (options: Partial<NangoProxySchema.ClientOptions> = {}, headers: Record<string, string> = {}) =>
    Effect.flatMap(
      Effect.flip(
        Effect.flatMap(proxy.client({ connectionId: "c1", providerConfigKey: "github", ...options }), (client) =>
          client.get(`/user?access_token=${callerSecret}`, { headers }),
        ),
      ),
      (error) => Effect.sync(() => errors.push(error)),
    )
  const inject = (status: number, body: string, headers: Record<string, string> = {}) =>
    emulator.injectFault({ status, body, headers: { "content-type": "application/json", ...headers } })

  yield* call({ connectionId: "nobody" }) // UnknownConnection
  yield* call({ connectionId: "bad" }) // InvalidCredentials
  yield* call({ connectionId: "backoff" }) // InvalidCredentials again
  yield* call({ connectionId: "backoff" }) // RefreshBackoff
  yield* call({ providerConfigKey: "jira" }) // UnknownIntegration
  inject(400, '{"error":{"code":"unsupported_provider","message":"no base URL"}}')
  yield* call() // UnsupportedProvider
  yield* call({ baseUrlOverride: "http://169.254.169.254/" }) // BaseUrlOverrideRefused
  inject(400, '{"error":{"code":"invalid_headers","errors":[{"path":["retries"]}]}}')
  yield* call() // InvalidProxyHeaders
  inject(402, '{"error":{"code":"plan_limit","message":"capped"}}')
  yield* call() // PlanLimit
  inject(
    401,
    fixtureText("error-401-unknown-connect-session-token.json").replace(
      "unknown_connect_session_token",
      "unknown_account",
    ),
  )
  yield* call() // Unauthorized
  inject(403, fixtureText("error-403-insufficient-scope.json"))
  yield* call() // Forbidden
  inject(429, fixtureText("error-429-too-many-request.json"), { "retry-after": "60" })
  yield* call() // RateLimited
  yield* call() // ProviderUnreachable
  emulator.injectFault({ status: 500, body: "" })
  yield* call() // ServerError
  emulator.injectFault({ hang: true })
  const hanging = yield* fork(call())
  yield* waitUntil(() => emulator.requests.length >= 13, "the hanging request")
  yield* TestClock.adjust("1 second")
  yield* Fiber.join(hanging) // TimeoutError
  yield* call({}, { authorization: `Bearer ${callerSecret}` }) // InvalidInput
  return { errors, secrets: [emulator.secretKey, String(stored.credentials.access_token), callerSecret] }
})

/** The tags `listRecords` can fail with, each produced by `everyRecordsError`. */
const recordsErrorTags = [
  "UnknownConnection",
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "RateLimited",
  "ServerError",
  "ResponseDecodeError",
  "TimeoutError",
  "InvalidInput",
]

/** A model whose `token` is a number: the stored token fails it. */
const Numbered = Schema.Struct({ token: Schema.Number })

/**
 * Produces one records error of each tag while the secret key and a record holding a token are in
 * play, with a span recorder on.
 */
const everyRecordsError = Effect.gen(function* () {
  const { emulator, syncs } = yield* setupSyncs({}, { retry: { maxAttempts: 1 }, timeout: { attempt: "1 second" } })
  emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
  const recordSecret = "record_token_0123456789abcdef"
  const target = { connectionId: "c1", providerConfigKey: "github", model: "Token" }
  emulator.upsertRecords(target, [{ id: "t1", token: recordSecret }])
  const query = target
  const errors: Array<{ readonly _tag: string }> = []
  const call = (override: Partial<typeof query> & { readonly cursor?: string } = {}, model?: typeof Numbered) =>
    Effect.flatMap(Effect.flip(syncs.listRecords({ ...query, ...override }, model)), (error) =>
      Effect.sync(() => errors.push(error)),
    )
  const inject = (status: number, body: string, headers: Record<string, string> = {}) =>
    emulator.injectFault({ status, body, headers: { "content-type": "application/json", ...headers } })
  yield* call({ connectionId: "nobody" }) // UnknownConnection
  inject(400, '{"error":{"code":"invalid_query_params","errors":[{"path":["model"]}]}}')
  yield* call() // BadRequest
  inject(401, '{"error":{"code":"unknown_account"}}')
  yield* call() // Unauthorized
  inject(403, fixtureText("error-403-insufficient-scope.json"))
  yield* call() // Forbidden
  inject(429, fixtureText("error-429-too-many-request.json"), { "retry-after": "60" })
  yield* call() // RateLimited
  inject(500, '{"error":{"code":"server_error","message":"Failed to fetch records"}}')
  yield* call() // ServerError
  yield* call({}, Numbered) // ResponseDecodeError: the token is where a number should be
  emulator.injectFault({ hang: true })
  const hanging = yield* fork(call())
  yield* waitUntil(() => emulator.requests.length >= 8, "the hanging request")
  yield* TestClock.adjust("1 second")
  yield* Fiber.join(hanging) // TimeoutError
  yield* call({ cursor: recordSecret }) // InvalidInput
  return { errors, secrets: [emulator.secretKey, recordSecret] }
})

/** Every failure an action can end with, by its code, and the tag it becomes. */
const actionFailures = {
  invalid_action_input: "InvalidActionInput",
  invalid_action_output: "InvalidActionOutput",
  script_output_too_large: "ActionOutputTooLarge",
  script_aborted: "ActionAborted",
  script_http_error: "ActionHttpError",
  action_script_failure: "ActionFailed",
} as const

describe("secret-leak scan", () => {
  it.effect("no action error shows the secret key, the input, the payload or the provider's answer", () =>
    Effect.gen(function* () {
      const secret = "person_secret_0123456789abcdef"
      const failing = Object.fromEntries(
        Object.keys(actionFailures).map((code) => [
          code,
          () => ({ error: code, message: "failed", payload: { secret }, upstream: { status: 403, data: secret } }),
        ]),
      )
      const { emulator, actions } = yield* setupActions({ actions: { github: failing } })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const target = { providerConfigKey: "github", connectionId: "c1" }
      const errors: Array<{ readonly _tag: string }> = []
      for (const [code, tag] of Object.entries(actionFailures)) {
        const error = yield* Effect.flip(actions.triggerAction(NangoActions.action(code), target, { secret }))
        expect(error._tag).toBe(tag)
        errors.push(error)
      }
      yield* expectErrorsClean(errors, [secret, emulator.secretKey])
    }),
  )

  it.effect("no records error of any tag shows the secret key or a record's values", () =>
    Effect.gen(function* () {
      const { errors, secrets } = yield* everyRecordsError
      expect(new Set(errors.map((error) => error._tag))).toEqual(new Set(recordsErrorTags))
      yield* expectErrorsClean(errors, secrets)
    }),
  )

  it.effect("no proxy error of any tag shows the secret key, a token, or what the caller sent", () =>
    Effect.gen(function* () {
      const { errors, secrets } = yield* everyProxyError
      expect(new Set(errors.map((error) => error._tag))).toEqual(new Set(proxyErrorTags))
      yield* expectErrorsClean(errors, secrets)
    }),
  )

  it.effect("no error of any tag shows the secret key or the token, however it is rendered or logged", () =>
    Effect.gen(function* () {
      const { lines, layer } = captureLogs()
      const { errors, secrets } = yield* everyError
      expect(new Set(errors.map((error) => error._tag))).toEqual(new Set(connectErrorTags))
      for (const error of errors) {
        yield* Effect.logError("call failed", error).pipe(Effect.provide(layer))
        yield* Effect.logError(Cause.fail(error)).pipe(Effect.provide(layer))
        expectClean(renderings(error), secrets)
      }
      expect(lines.length).toBeGreaterThanOrEqual(errors.length * 2)
      expectClean(
        lines.map((line) => ["log", line] as const),
        secrets,
      )
    }),
  )

  it.effect("a traced, logged life cycle shows no secret in spans, events, exits or logs", () =>
    Effect.gen(function* () {
      const { lines, layer } = captureLogs()
      const { tracer, recorded } = yield* recordingTracer
      for (const propagateTraceContext of [false, true]) {
        const { emulator, nango } = yield* setup({}, { propagateTraceContext })
        const lifeCycle = Effect.gen(function* () {
          const session = yield* nango.createConnectSession(user)
          yield* Effect.log("created", session)
          const details = yield* nango.getConnectSession(session.token)
          yield* Effect.logDebug("details", details)
          yield* nango.deleteConnectSession(session.token)
          const exit = yield* Effect.exit(nango.getConnectSession(session.token))
          yield* Effect.logInfo("exit", exit)
          return { session, exit }
        })
        const { session, exit } = yield* lifeCycle.pipe(
          Effect.withTracer(tracer),
          Effect.provide(layer),
          Effect.withSpan("caller"),
        )
        expect(Exit.isFailure(exit)).toBe(true)
        const secrets = [emulator.secretKey, Redacted.value(session.token)]
        const spans = recorded()
        // With propagation on, effect/http's own HTTP spans are there, and scanned too.
        const httpSpans = spans.filter(
          (span) =>
            span.name !== "caller" &&
            !span.name.startsWith("NangoConnect.") &&
            span.attributes.has("http.request.method"),
        )
        expect(httpSpans.length > 0).toBe(propagateTraceContext)
        expectClean(
          spans.flatMap((span) => [
            ["span name", span.name],
            ["span attributes", JSON.stringify([...span.attributes.entries()])],
            ["span events", JSON.stringify(span.events)],
          ]),
          secrets,
        )
        expectClean(renderings(session), secrets)
        expectClean(renderings(exit), secrets)
        expectClean(
          lines.map((line) => ["log", line] as const),
          secrets,
        )
      }
    }),
  )

  it.effect("no credential of any type shows in a connection, an InvalidCredentials error, spans or logs", () =>
    Effect.gen(function* () {
      const { lines, layer } = captureLogs()
      const { tracer, recorded } = yield* recordingTracer
      const { emulator, connections } = yield* setupConnections()
      for (const type of credentialTypes) {
        const stored = emulator.seedConnection({
          connection_id: type,
          provider_config_key: "github",
          credentialType: type,
        })
        const secrets = [emulator.secretKey, ...secretsIn(stored.credentials)]
        expect(secrets.length).toBeGreaterThan(1)
        const read = Effect.gen(function* () {
          const connection = yield* connections.getConnection(type, { providerConfigKey: "github", refreshToken: true })
          yield* Effect.log("connection", connection)
          // Refreshes exhausted: every read answers 424 with the connection, for every type.
          emulator.setRefresh(type, "github", "exhausted")
          const failed = yield* Effect.flip(connections.getConnection(type, { providerConfigKey: "github" }))
          yield* Effect.logError("credentials went bad", failed)
          return { connection, failed }
        })
        const { connection, failed } = yield* read.pipe(Effect.withTracer(tracer), Effect.provide(layer))
        expect(failed._tag).toBe("InvalidCredentials")
        expectClean([...renderings(connection), ...renderings(connection.credentials), ...renderings(failed)], secrets)
        expectClean(
          recorded().flatMap((span) => [
            ["span attributes", JSON.stringify([...span.attributes.entries()])],
            ["span events", JSON.stringify(span.events)],
          ]),
          secrets,
        )
        expectClean(
          lines.map((line) => ["log", line] as const),
          secrets,
        )
      }
    }),
  )

  it.effect("a malformed NANGO_SECRET_KEY gives a ConfigError that does not show it", () =>
    Effect.gen(function* () {
      const secret = "0b9a8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d\r\n"
      const error = yield* Effect.flip(
        Effect.provide(
          NangoConnect.NangoConnect,
          NangoConnect.layerConfig().pipe(
            Layer.provide(FetchHttpClient.layer),
            Layer.provide(configLayer({ NANGO_SECRET_KEY: secret })),
          ),
        ),
      )
      expect(malformedConfig(error)).toBe(true)
      expectClean(renderings(error), [secret.trim()])
    }),
  )
})
