/**
 * A local, Nango-compatible server for the four Connect-session endpoints, on `node:http` and
 * 127.0.0.1: token format and 30-minute expiry, the 401 codes, validation 400s with `errors[]`,
 * 204 on delete, 429 with `Retry-After` past a configured limit, CORS, and injectable faults.
 * It backs the demo and the tests, and is meant to become `effect-nango/testing`.
 *
 * @since 0.1.0
 */
import { randomBytes, randomUUID } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { effectiveTags, maxEffectiveTags, unstorablePaths } from "./rules.js"
import {
  type Issue,
  validateCreateBody,
  validateDeprecatedWebhookUrls,
  validateEmptyQuery,
  validateReconnectBody,
} from "./validation.js"
import {
  authWebhookBody,
  type DeliveryReport,
  defaultRetryDelaysMs,
  deliverWebhook,
  type WebhookTarget,
} from "./webhook-delivery.js"

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * A request the emulator received: enough to count and inspect calls, never a credential.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly hasAuthorization: boolean
  /** The names of the headers sent, lowercased (their values are not kept). */
  readonly headerNames: ReadonlyArray<string>
  readonly body: unknown
}

/**
 * A fault the emulator answers with instead of the real handler, for the next `times` requests
 * that match `method`/`path` (any, when unset).
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault {
  readonly status?: number
  readonly body?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Waits this long before answering; with no status, the real handler answers after it. */
  readonly delayMs?: number
  /** Never answers (the connection stays open until the client gives up or the server closes). */
  readonly hang?: boolean
  /** Destroys the socket without answering. */
  readonly drop?: boolean
  /**
   * Sends the status, headers (with the full `Content-Length`) and only the first `afterBytes` of
   * the body, then resets the connection or stalls.
   */
  readonly cut?: { readonly afterBytes: number; readonly and: "reset" | "stall" }
  /** Sends the body chunked, with no `Content-Length`. */
  readonly chunked?: boolean
  readonly times?: number
  readonly method?: string
  readonly path?: string
}

/**
 * A request as the emulator receives it, from a socket or from the in-memory client.
 *
 * @since 0.1.0
 * @category models
 */
export interface IncomingRequest {
  readonly method: string
  /** The path and query, e.g. `/connect/session?x=1`. */
  readonly url: string
  /** Headers by lowercase name. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * What the emulator does with a request: answer it (perhaps cut short), hang, or drop the connection.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | {
      readonly _tag: "Reply"
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly body: string
      readonly cut?: Fault["cut"]
      readonly chunked?: boolean
    }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Drop" }

/**
 * A session as the emulator stores it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredSession {
  readonly token: string
  readonly expiresAt: number
  readonly endUser: Record<string, unknown> | null
  readonly organization: Record<string, unknown> | null
  readonly allowedIntegrations: ReadonlyArray<string> | undefined
  readonly integrationsConfigDefaults: Record<string, Record<string, unknown>> | undefined
  readonly overrides: Record<string, Record<string, unknown>> | undefined
  readonly isReconnecting: boolean
  readonly tags: Record<string, string>
  /** The session's `webhook_url_override`, which replaces the environment's webhook URL. */
  readonly webhookUrlOverride: string | undefined
}

/**
 * How the end user's visit to the Connect UI ends, for `completeSession`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompleteSessionOptions {
  /** The integration (`providerConfigKey`) the end user connects; it must exist and be allowed. */
  readonly integration: string
  /** The new connection's id. Default: a random UUID, as Nango makes one. */
  readonly connectionId?: string
  /** The provider behind the integration. Default: the integration's id. */
  readonly provider?: string
  /** Default `OAUTH2`. */
  readonly authMode?: string
  /** When given, the authorization fails with this error and no connection is made. */
  readonly error?: { readonly type: string; readonly description: string }
  /** Where the webhook goes, instead of the session's override or the emulator's `webhookUrl`. */
  readonly deliverTo?: WebhookTarget
}

/**
 * What `completeSession` did: the connection and, when there was somewhere to send it, the webhook.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompletedSession {
  readonly connectionId: string
  readonly webhook: DeliveryReport | undefined
}

/**
 * How the emulator behaves.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /** Accepted environment secret keys (UUID v4). Default: one random key, see `secretKey`. */
  readonly secretKeys?: ReadonlyArray<string>
  /** Keys that authenticate but lack the `environment:connect_sessions:write` scope (403). */
  readonly keysWithoutScope?: ReadonlyArray<string>
  /** Integrations that exist. Default `["github"]`. */
  readonly integrations?: ReadonlyArray<string>
  /** Existing connections a reconnect session can target. */
  readonly connections?: ReadonlyArray<{ readonly connection_id: string; readonly integration_id: string }>
  /** Requests per account per window before a 429. Default: no limit. */
  readonly rateLimit?: { readonly points: number; readonly windowMs?: number }
  /** Behave as Nango Cloud (no `websocketsPath` in GET). Default false (self-hosted). */
  readonly cloud?: boolean
  /** The Connect UI base of `connect_link`. Default `http://localhost:3009`. */
  readonly connectUrl?: string
  /** A path prefix the emulator strips, as a reverse proxy mounted under a sub-path would. */
  readonly basePath?: string
  /** How long the server keeps an idle keep-alive connection. Default 61 s, as the live server. */
  readonly keepAliveTimeoutMs?: number
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number
  /** The environment's webhook URL (Nango's `primary_url`). Default: none, so no webhook is sent. */
  readonly webhookUrl?: string
  /** The environment's webhook signing key. Default: a random UUID, see `webhookSigningKey`. */
  readonly webhookSigningKey?: string
  /** The waits between webhook attempts. Default Nango's: 3 s, then 6 s. */
  readonly webhookRetryDelaysMs?: ReadonlyArray<number>
  /** The environment's name, as webhooks carry it. Default `dev`. */
  readonly environment?: string
}

// -----------------------------------------------------------------------------
// Responses
// -----------------------------------------------------------------------------

const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "Authorization, Etag, Content-Type, Content-Length, X-Nango-Signature, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
}

const authMessages = {
  missing_auth_header: "Authentication failed. The request is missing the Authorization header.",
  malformed_auth_header: "Authentication failed. The Authorization header is malformed.",
  invalid_secret_key_format: "Authentication failed. The provided secret key is not a UUID v4.",
  unknown_account: "Authentication failed. The provided authorization header does not match any account.",
  invalid_connect_session_token_format:
    "Authentication failed. The provided connect session token is not following correct format: nango_connect_session_RANDOM)",
  unknown_connect_session_token:
    "Authentication failed. The provided connect session token does not match any account.",
} as const

type AuthCode = keyof typeof authMessages

interface Reply {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

const authFailure = (code: AuthCode): Reply => ({
  status: 401,
  body: { error: { message: authMessages[code], code, payload: {} } },
})

const invalid = (code: "invalid_body" | "invalid_query_params", errors: ReadonlyArray<Issue>): Reply => ({
  status: 400,
  body: { error: { code, errors } },
})

const secretKeyPattern = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/i
const tokenPattern = /^nango_connect_session_[a-f0-9]{64}$/

/** A session lives 30 minutes, as on the live server. */
export const sessionTtlMs = 30 * 60 * 1000

// -----------------------------------------------------------------------------
// Emulator
// -----------------------------------------------------------------------------

/**
 * A running emulator: its URL, the secret key it accepts, what it received, and its controls.
 *
 * @since 0.1.0
 * @category models
 */
export class NangoEmulator {
  /** The base URL, `http://127.0.0.1:<port>` followed by the base path, if any. */
  readonly url: string
  /** The first accepted secret key. */
  readonly secretKey: string
  /** Every request received, in order. */
  readonly requests: Array<ReceivedRequest> = []
  /** Sessions by token, deleted ones removed. */
  readonly sessions = new Map<string, StoredSession>()

  /** Every session created, in order, deleted ones included. */
  readonly created: Array<StoredSession> = []
  /** The tokens of the sessions deleted, in order. */
  readonly deleted: Array<string> = []
  /** The environment's webhook signing key: what the receiver verifies signatures with. */
  readonly webhookSigningKey: string
  /** Every webhook sent, in order, with its attempts. */
  readonly webhooks: Array<DeliveryReport> = []

  private readonly faults: Array<Fault & { remaining: number }> = []
  private readonly sockets = new Set<Socket>()
  private accepted = 0
  private readonly secretKeys: ReadonlySet<string>
  private readonly keysWithoutScope: ReadonlySet<string>
  private readonly integrations: Set<string>
  private readonly connections: Array<{ readonly connection_id: string; readonly integration_id: string }>
  private rateLimit: Options["rateLimit"]
  private readonly now: () => number
  private readonly window = { startedAt: 0, used: 0 }

  private constructor(
    private readonly server: Http.Server | undefined,
    private readonly options: Options,
  ) {
    if (server === undefined) {
      this.url = `http://nango.localhost${options.basePath ?? ""}`
    } else {
      server.on("connection", (socket) => {
        this.sockets.add(socket)
        this.accepted++
        socket.once("close", () => this.sockets.delete(socket))
      })
      const port = (server.address() as AddressInfo).port
      this.url = `http://127.0.0.1:${port}${options.basePath ?? ""}`
    }
    const keys = options.secretKeys ?? [randomUUID()]
    this.secretKey = keys[0] ?? randomUUID()
    this.secretKeys = new Set(keys.map((key) => key.toLowerCase()))
    this.keysWithoutScope = new Set((options.keysWithoutScope ?? []).map((key) => key.toLowerCase()))
    this.integrations = new Set(options.integrations ?? ["github"])
    this.connections = [...(options.connections ?? [])]
    this.rateLimit = options.rateLimit
    this.now = options.now ?? Date.now
    this.webhookSigningKey = options.webhookSigningKey ?? randomUUID()
  }

  /** Starts an emulator on an ephemeral port of 127.0.0.1. */
  static async start(options: Options = {}): Promise<NangoEmulator> {
    let emulator: NangoEmulator | undefined
    const server = Http.createServer((request, response) => {
      void emulator?.handle(request, response)
    })
    server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 61_000
    server.headersTimeout = server.keepAliveTimeout + 1_000
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => resolve())
    })
    emulator = new NangoEmulator(server, options)
    return emulator
  }

  /** An emulator without a socket, answering only through `exchange` (the in-memory client). */
  static inMemory(options: Options = {}): NangoEmulator {
    return new NangoEmulator(undefined, options)
  }

  /** Adds integrations that exist from now on. */
  addIntegrations(ids: ReadonlyArray<string>): void {
    for (const id of ids) this.integrations.add(id)
  }

  /** Adds connections that reconnect sessions can target from now on. */
  addConnections(
    connections: ReadonlyArray<{ readonly connection_id: string; readonly integration_id: string }>,
  ): void {
    this.connections.push(...connections)
  }

  /**
   * Plays the end user connecting an integration through the session's Connect UI, as Nango then
   * does: makes the connection (unless `error` is given), and sends the signed `auth` webhook to
   * `deliverTo`, else the session's `webhook_url_override`, else the emulator's `webhookUrl`, with
   * Nango's headers, body and retries. Throws when the token has no live session or the
   * integration is not one the session allows.
   */
  async completeSession(token: string, options: CompleteSessionOptions): Promise<CompletedSession> {
    const session = this.sessions.get(token)
    if (session === undefined || session.expiresAt <= this.now()) throw new Error("no live session for this token")
    const allowed = session.allowedIntegrations
    if (
      !this.integrations.has(options.integration) ||
      (allowed !== undefined && !allowed.includes(options.integration))
    ) {
      throw new Error(`the session does not allow the integration "${options.integration}"`)
    }
    const connectionId = options.connectionId ?? randomUUID()
    if (options.error === undefined)
      this.connections.push({ connection_id: connectionId, integration_id: options.integration })
    const body = authWebhookBody(
      { endUser: session.endUser, organization: session.organization, topLevelTags: session.tags },
      {
        connectionId,
        providerConfigKey: options.integration,
        provider: options.provider ?? options.integration,
        authMode: options.authMode ?? "OAUTH2",
        environment: this.options.environment ?? "dev",
        operation: session.isReconnecting ? "override" : "creation",
        ...(options.error === undefined ? {} : { error: options.error }),
      },
    )
    const override = session.webhookUrlOverride?.trim() ? session.webhookUrlOverride : undefined
    const url = override ?? this.options.webhookUrl
    const target = options.deliverTo ?? url
    if (target === undefined) return { connectionId, webhook: undefined }
    const webhook = await deliverWebhook(target, body, this.webhookSigningKey, {
      ...(url === undefined ? {} : { url }),
      retryDelaysMs: this.options.webhookRetryDelaysMs ?? defaultRetryDelaysMs,
    })
    this.webhooks.push(webhook)
    return { connectionId, webhook }
  }

  /** Sets (or, with undefined, lifts) the rate limit, starting a fresh window. */
  setRateLimit(limit: Options["rateLimit"]): void {
    this.rateLimit = limit
    this.window.startedAt = this.now()
    this.window.used = 0
  }

  /** How many client connections are open now. */
  get openConnections(): number {
    return this.sockets.size
  }

  /** How many client connections were ever accepted. */
  get acceptedConnections(): number {
    return this.accepted
  }

  /** Stops listening and closes every open connection. */
  close(): Promise<void> {
    const server = this.server
    if (server === undefined) return Promise.resolve()
    return new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  /** Answers the next matching requests with a fault instead of the real handler. */
  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 })
  }

  /** Requests received for one method and path. */
  requestsTo(method: string, path: string): ReadonlyArray<ReceivedRequest> {
    return this.requests.filter((request) => request.method === method && request.path === path)
  }

  // ---------------------------------------------------------------------------
  // Request handling
  // ---------------------------------------------------------------------------

  /**
   * Answers one request, whatever carries it (a socket, or the in-memory `HttpClient`): records
   * it, applies the next matching fault, else routes it as the live server would.
   */
  async exchange(request: IncomingRequest): Promise<Outcome> {
    const url = new URL(request.url, "http://emulator.local")
    const prefix = this.options.basePath
    if (prefix !== undefined) {
      url.pathname = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : "/not-under-base-path"
    }
    const method = request.method
    const headers = request.headers
    // Like express.json: only a JSON content type is parsed; any other body is left unread.
    const parsed = headers["content-type"]?.startsWith("application/json")
      ? parseJson(request.body)
      : { ok: true as const, value: undefined }
    this.requests.push({
      method,
      path: url.pathname,
      hasAuthorization: headers.authorization !== undefined,
      headerNames: Object.keys(headers),
      body: parsed.ok ? parsed.value : request.body,
    })

    const fault = this.takeFault(method, url.pathname)
    if (fault !== undefined) {
      if (fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
      if (fault.hang === true) return { _tag: "Hang" }
      if (fault.drop === true) return { _tag: "Drop" }
      if (fault.status !== undefined) {
        return {
          _tag: "Reply",
          status: fault.status,
          headers: { ...corsHeaders, ...fault.headers },
          body: fault.body ?? "",
          ...(fault.cut === undefined ? {} : { cut: fault.cut }),
          ...(fault.chunked === true ? { chunked: true } : {}),
        }
      }
    }
    const reply = this.route(method, url, headers, parsed)
    const responseHeaders: Record<string, string> = { ...corsHeaders, ...reply.headers }
    if (reply.body === undefined) return { _tag: "Reply", status: reply.status, headers: responseHeaders, body: "" }
    const text = JSON.stringify(reply.body)
    return {
      _tag: "Reply",
      status: reply.status,
      headers: { ...responseHeaders, "content-type": "application/json; charset=utf-8" },
      body: text,
    }
  }

  /** Serves one request that came over a socket. */
  private async handle(request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
    }
    const outcome = await this.exchange({
      method: request.method ?? "GET",
      url: request.url ?? "/",
      headers,
      body: await readBody(request),
    })
    if (outcome._tag === "Hang" || response.destroyed) return
    if (outcome._tag === "Drop") {
      request.socket.destroy()
      return
    }
    const body = Buffer.from(outcome.body)
    if (outcome.cut !== undefined) {
      response.writeHead(outcome.status, { "content-length": String(body.length), ...outcome.headers })
      response.write(body.subarray(0, outcome.cut.afterBytes))
      if (outcome.cut.and === "reset") setTimeout(() => request.socket.destroy(), 5)
      return
    }
    if (outcome.chunked === true) {
      response.writeHead(outcome.status, outcome.headers)
      for (let offset = 0; offset < body.length; offset += 64 * 1024) {
        response.write(body.subarray(offset, offset + 64 * 1024))
      }
      response.end()
      return
    }
    const isJson = outcome.headers["content-type"] !== undefined && outcome.body !== ""
    response.writeHead(
      outcome.status,
      isJson ? { ...outcome.headers, "content-length": String(body.length) } : outcome.headers,
    )
    response.end(body)
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method === method) && (fault.path === undefined || fault.path === path),
    )
    const fault = this.faults[index]
    if (fault === undefined) return undefined
    fault.remaining--
    if (fault.remaining <= 0) this.faults.splice(index, 1)
    return fault
  }

  private route(
    method: string,
    url: URL,
    headers: Readonly<Record<string, string>>,
    body: { ok: true; value: unknown } | { ok: false; message: string },
  ): Reply {
    if (method === "OPTIONS") {
      return {
        status: 204,
        headers: {
          "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE",
          "access-control-allow-headers":
            "Authorization, Content-Type, Accept, Origin, X-Requested-With, Nango-Activity-Log-Id, Nango-Is-Dry-Run, Nango-Is-Sync, Provider-Config-Key, Connection-Id, Sentry-Trace, Baggage",
          "access-control-max-age": "600",
        },
      }
    }
    const endpoint = endpointOf(method, url.pathname)
    if (endpoint === undefined) {
      return { status: 404, body: { error: { code: "not_found", message: `Cannot ${method} ${url.pathname}` } } }
    }
    if (!body.ok) return { status: 400, body: { error: { code: "invalid_json", message: body.message } } }
    const contentType = headers["content-type"]
    if (contentType !== undefined && !contentType.startsWith("application/json")) {
      return {
        status: 415,
        body: { error: { code: "invalid_content_type", message: "Content-Type header must be application/json" } },
      }
    }
    const authorization = headers.authorization
    if (authorization === undefined || authorization === "") return authFailure("missing_auth_header")
    const credential = authorization.split("Bearer ").pop() ?? ""
    if (credential === "") return authFailure("malformed_auth_header")

    if (endpoint === "get" || endpoint === "delete") {
      if (!tokenPattern.test(credential)) return authFailure("invalid_connect_session_token_format")
      const session = this.sessions.get(credential)
      if (session === undefined || session.expiresAt <= this.now()) return authFailure("unknown_connect_session_token")
      return this.limited(method, url.pathname, () => {
        const query = validateEmptyQuery(url.searchParams)
        if (query.length > 0) return invalid("invalid_query_params", query)
        const extra = body.value === undefined || isEmptyObject(body.value) ? [] : validateEmptyBody(body.value)
        if (extra.length > 0) return invalid("invalid_body", extra)
        if (endpoint === "delete") {
          this.sessions.delete(credential)
          this.deleted.push(credential)
          return { status: 204 }
        }
        return { status: 200, body: { data: this.describe(session) } }
      })
    }

    if (!secretKeyPattern.test(credential)) return authFailure("invalid_secret_key_format")
    const key = credential.toLowerCase()
    if (!this.secretKeys.has(key) && !this.keysWithoutScope.has(key)) return authFailure("unknown_account")
    return this.limited(method, url.pathname, () => {
      if (this.keysWithoutScope.has(key)) {
        return {
          status: 403,
          body: {
            error: { code: "forbidden", message: "Insufficient scope. Required: environment:connect_sessions:write" },
          },
        }
      }
      const query = validateEmptyQuery(url.searchParams)
      if (query.length > 0) return invalid("invalid_query_params", query)
      return endpoint === "create" ? this.create(body.value) : this.reconnect(body.value)
    })
  }

  /** Runs the fixed-window rate limiter, then the handler; sets the rate-limit headers. */
  private limited(method: string, path: string, handler: () => Reply): Reply {
    const limit = this.rateLimit
    if (limit === undefined) return handler()
    const windowMs = limit.windowMs ?? 60_000
    const now = this.now()
    if (now - this.window.startedAt >= windowMs) {
      this.window.startedAt = now
      this.window.used = 0
    }
    const msBeforeNext = this.window.startedAt + windowMs - now
    const reset = String(Math.floor((now + msBeforeNext) / 1000))
    this.window.used++
    const rateHeaders = {
      "x-ratelimit-limit": String(limit.points),
      "x-ratelimit-remaining": String(Math.max(0, limit.points - this.window.used)),
      "x-ratelimit-reset": reset,
    }
    if (this.window.used > limit.points) {
      return {
        status: 429,
        headers: { ...rateHeaders, "retry-after": String(Math.floor(msBeforeNext / 1000)) },
        body: { error: { code: "too_many_request", method, path } },
      }
    }
    const reply = handler()
    return { ...reply, headers: { ...rateHeaders, ...reply.headers } }
  }

  private create(body: unknown): Reply {
    const issues = validateCreateBody(body)
    if (issues.length > 0) return invalid("invalid_body", issues)
    const deprecated = validateDeprecatedWebhookUrls(body)
    if (deprecated.length > 0) return invalid("invalid_body", deprecated)
    const input = body as Record<string, unknown>
    const missing = [
      ...((input.allowed_integrations as Array<string> | undefined) ?? []).flatMap((id, index) =>
        this.integrations.has(id) ? [] : [["allowed_integrations", String(index)]],
      ),
      ...this.missingIntegrations(input),
    ]
    if (missing.length > 0) {
      return invalid(
        "invalid_body",
        missing.map((path) => ({ code: "custom", message: "Integration does not exist", path })),
      )
    }
    const allowed = input.allowed_integrations as Array<string> | undefined
    return (
      this.storageFailure(input, false) ??
      this.issue(input, allowed !== undefined && allowed.length > 0 ? allowed : undefined, false)
    )
  }

  private reconnect(body: unknown): Reply {
    const issues = validateReconnectBody(body)
    if (issues.length > 0) return invalid("invalid_body", issues)
    const deprecated = validateDeprecatedWebhookUrls(body)
    if (deprecated.length > 0) return invalid("invalid_body", deprecated)
    const input = body as Record<string, unknown>
    const known = this.connections.some(
      (connection) =>
        connection.connection_id === input.connection_id && connection.integration_id === input.integration_id,
    )
    if (!known) {
      return {
        status: 400,
        body: { error: { code: "invalid_body", message: "ConnectionID or IntegrationId does not exists" } },
      }
    }
    const missing = this.missingIntegrations(input)
    if (missing.length > 0) {
      return invalid(
        "invalid_body",
        missing.map((path) => ({ code: "custom", message: "Integration does not exist", path })),
      )
    }
    return this.storageFailure(input, true) ?? this.issue(input, [input.integration_id as string], true)
  }

  /**
   * What the server's database refuses after validation, answered as the server does with a 500:
   * more than 10 effective tags, or a string holding NUL or an unpaired surrogate (which the
   * reconnect route reports as an unhandled error).
   */
  private storageFailure(input: Record<string, unknown>, isReconnect: boolean): Reply | undefined {
    const failed = {
      status: 500,
      body: { error: { code: "server_error", message: "Failed to create connect session" } },
    }
    if (Object.keys(effectiveTags(input)).length > maxEffectiveTags) return failed
    if (unstorablePaths(input).length === 0) return undefined
    if (!isReconnect) return failed
    const id = randomUUID()
    return {
      status: 500,
      body: {
        error: {
          message: `An error occurred. Please contact support with this unique id: "${id}"`,
          code: "generic_error_support",
          payload: id,
        },
      },
    }
  }

  private missingIntegrations(input: Record<string, unknown>): Array<Array<string>> {
    return (["integrations_config_defaults", "overrides"] as const).flatMap((field) =>
      Object.keys((input[field] as Record<string, unknown> | undefined) ?? {})
        .filter((id) => !this.integrations.has(id))
        .map((id) => [field, id]),
    )
  }

  /** Stores a new session and answers 201 with its token, link and expiry. */
  private issue(
    input: Record<string, unknown>,
    allowed: ReadonlyArray<string> | undefined,
    isReconnecting: boolean,
  ): Reply {
    const token = `nango_connect_session_${randomBytes(32).toString("hex")}`
    const expiresAt = this.now() + sessionTtlMs
    const endUser = (input.end_user as Record<string, unknown> | undefined) ?? null
    const session: StoredSession = {
      token,
      expiresAt,
      endUser,
      organization: endUser === null ? null : ((input.organization as Record<string, unknown> | undefined) ?? null),
      allowedIntegrations: allowed,
      integrationsConfigDefaults: input.integrations_config_defaults as StoredSession["integrationsConfigDefaults"],
      overrides: input.overrides as StoredSession["overrides"],
      isReconnecting,
      webhookUrlOverride: typeof input.webhook_url_override === "string" ? input.webhook_url_override : undefined,
      tags: Object.fromEntries(
        Object.entries((input.tags as Record<string, string> | undefined) ?? {}).map(([key, value]) => [
          key.toLowerCase(),
          value,
        ]),
      ),
    }
    this.sessions.set(token, session)
    this.created.push(session)
    const link = new URL(this.options.connectUrl ?? "http://localhost:3009")
    link.search = ""
    link.hash = ""
    if (!link.pathname.endsWith("/")) link.pathname = `${link.pathname}/`
    link.searchParams.set("session_token", token)
    return {
      status: 201,
      body: { data: { token, connect_link: link.toString(), expires_at: new Date(expiresAt).toISOString() } },
    }
  }

  /** The body of `GET /connect/session`, in the live server's key order. */
  private describe(session: StoredSession): Record<string, unknown> {
    const user = session.endUser
    const organization = session.organization
    const defaults = session.integrationsConfigDefaults
    return {
      endUser:
        user === null
          ? null
          : {
              id: user.id,
              display_name: user.display_name ?? null,
              email: user.email ?? null,
              tags: user.tags ?? null,
              organization:
                organization === null ? null : { id: organization.id, display_name: organization.display_name ?? null },
            },
      connectUISettings: {
        showWatermark: true,
        defaultTheme: "system",
        theme: { light: { primary: "#00B2E3" }, dark: { primary: "#00B2E3" } },
      },
      ...(session.allowedIntegrations === undefined ? {} : { allowed_integrations: session.allowedIntegrations }),
      ...(defaults === undefined
        ? {}
        : {
            integrations_config_defaults: Object.fromEntries(
              Object.entries(defaults).map(([id, entry]) => [
                id,
                {
                  ...(entry.connection_config === undefined ? {} : { connection_config: entry.connection_config }),
                  ...(entry.authorization_params === undefined
                    ? {}
                    : { authorization_params: entry.authorization_params }),
                },
              ]),
            ),
          }),
      ...(session.isReconnecting ? { isReconnecting: true } : {}),
      ...(session.overrides === undefined ? {} : { overrides: session.overrides }),
      ...(this.options.cloud === true ? {} : { websocketsPath: "/" }),
    }
  }
}

// -----------------------------------------------------------------------------
// Helpers
// -----------------------------------------------------------------------------

type Endpoint = "create" | "reconnect" | "get" | "delete"

const endpointOf = (method: string, path: string): Endpoint | undefined => {
  if (method === "POST" && path === "/connect/sessions") return "create"
  if (method === "POST" && path === "/connect/sessions/reconnect") return "reconnect"
  if (method === "GET" && path === "/connect/session") return "get"
  if (method === "DELETE" && path === "/connect/session") return "delete"
  return undefined
}

const readBody = (request: Http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", () => resolve(""))
  })

const parseJson = (raw: string): { ok: true; value: unknown } | { ok: false; message: string } => {
  if (raw === "") return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(raw) }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

const isEmptyObject = (value: unknown) =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0

const validateEmptyBody = (value: unknown): ReadonlyArray<Issue> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.keys(value).map((key) => ({ code: "unrecognized_keys", message: `Unrecognized key: "${key}"`, path: [] }))
    : [{ code: "invalid_type", message: `Invalid input: expected object, received ${typeof value}`, path: [] }]
