/**
 * Nango's proxy (`/proxy/*`, any method) as the server (0.71.4) implements it, with the emulator
 * playing the provider too: the live server refuses to call a loopback address, so a test's
 * provider is a function the emulator calls in its place (`providers`, by integration; an echo by
 * default). Headers named `Nango-Proxy-<X>` reach the provider as `<x>` and nothing else does; the
 * connection's credential is injected as the server injects it per auth mode, under the caller's
 * forwarded headers; a body reaches the provider only for POST, PUT, PATCH and DELETE, re-sent as
 * the server re-sends it. With `Retries`, the server's own retries and backoff are played. A 2xx
 * keeps only four of the provider's headers, an error keeps them all; Nango's own refusals come first.
 */
import { bodyMethods, forwardPrefix } from "../proxy-requests.js"
import type { Issue } from "../validation.js"
import { retriedNetworkCodes } from "../webhook-delivery.js"
import { unknownIntegration } from "./connection-queries.js"
import type { Connections } from "./connections.js"
import { invalid, type Reply } from "./replies.js"
import type {
  ProviderAnswer,
  Provider as ProviderFunction,
  ProviderReply,
  ProviderRequest,
  ProxiedRequest,
  StoredConnection,
} from "./types.js"

/** The default provider: answers 200 with what it received (its body as text), as JSON. */
export const echoProvider: ProviderFunction = (request) => ({
  status: 200,
  headers: { "content-type": "application/json", "x-request-id": "echo-1" },
  body: JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body: request.body }),
})

/** The provider headers a 2xx keeps (the flag `proxy-forward-all-response-headers` off, its default). */
const keptOnSuccess = ["content-type", "x-request-id", "x-correlation-id", "mcp-session-id"]

/** The hosts a `Base-Url-Override` may not name (the server's default denylist, in part). */
const deniedHosts = new Set(["169.254.169.254", "metadata.google.internal", "localhost", "127.0.0.1", "[::1]"])

/** How long after a failed refresh the server refuses to try again (`connection_refresh_backoff`). */
const refreshBackoffMs = 30_000

/** The server's wait before retry `n` (0-based): 3 s, doubling, capped at 10 minutes. */
export const serverBackoffMs = (retry: number): number => Math.min(3_000 * 2 ** retry, 600_000)

/** The proxy's own headers, checked as its zod schema checks them. */
const headerIssues = (headers: Readonly<Record<string, string>>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  for (const name of ["provider-config-key", "connection-id"]) {
    if (headers[name] === undefined) {
      issues.push({ code: "invalid_type", message: "Invalid input: expected string, received undefined", path: [name] })
    }
  }
  const retries = headers.retries
  if (retries !== undefined && !Number.isFinite(Number(retries))) {
    issues.push({ code: "invalid_type", message: "Invalid input: expected number, received NaN", path: ["retries"] })
  }
  const retryOn = headers["retry-on"]
  if (retryOn !== undefined && !/^\d+(,\d+)*$/.test(retryOn)) {
    issues.push({
      code: "invalid_format",
      message: "Invalid string: must match pattern /^\\d+(,\\d+)*$/",
      path: ["retry-on"],
    })
  }
  const override = headers["base-url-override"]
  if (override !== undefined && override !== "" && !URL.canParse(override)) {
    issues.push({ code: "invalid_format", message: "Invalid URL", path: ["base-url-override"] })
  }
  return issues
}

/** The headers forwarded to the provider: those named `Nango-Proxy-<X>`, as `<x>`. */
const forwardedHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const forwarded: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(forwardPrefix) && name.length > forwardPrefix.length) {
      forwarded[name.slice(forwardPrefix.length)] = value
    }
  }
  return forwarded
}

/** The credential the server injects for a connection's auth mode (`buildProxyHeaders`). */
const injectedHeaders = (connection: StoredConnection): Record<string, string> => {
  const credentials = connection.credentials as Record<string, unknown>
  switch (credentials.type) {
    case "OAUTH2":
    case "APP":
      return { authorization: `Bearer ${String(credentials.access_token)}` }
    case "OAUTH2_CC":
    case "JWT":
    case "SIGNATURE":
    case "TWO_STEP":
      return { authorization: `Bearer ${String(credentials.token)}` }
    case "BASIC": {
      const pair = `${String(credentials.username)}:${String(credentials.password ?? "")}`
      return { authorization: `Basic ${Buffer.from(pair, "utf8").toString("base64")}` }
    }
    default:
      // API_KEY and the rest: only a provider's own templates inject anything.
      return {}
  }
}

/** A failure of Nango's, in its envelope. */
const nangoError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
})

/** The body the provider receives, as the server re-sends what Express and multer parsed. */
const resentBody = (
  method: string,
  headers: Readonly<Record<string, string>>,
  bytes: Uint8Array,
): { readonly bytes: Uint8Array | undefined; readonly contentType?: string } => {
  if (!bodyMethods.has(method)) return { bytes: undefined }
  const contentType = headers["content-type"] ?? ""
  const text = () => new TextDecoder().decode(bytes)
  if (contentType.startsWith("application/json") && bytes.length > 0) {
    // Parsed by express.json, serialised again by axios: the same JSON, not the same bytes.
    return { bytes: new TextEncoder().encode(JSON.stringify(JSON.parse(text()))) }
  }
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return { bytes: new TextEncoder().encode(new URLSearchParams(text()).toString()) }
  }
  if (
    contentType.startsWith("multipart/form-data") &&
    headers[`${forwardPrefix}content-type`] === "multipart/form-data"
  ) {
    // Rebuilt by the server as a new form: the provider gets a form with its boundary.
    return { bytes, contentType }
  }
  return { bytes }
}

/** The provider's answer as the proxy passes it back. */
const passBack = (reply: ProviderReply): Reply => {
  const success = reply.status >= 200 && reply.status <= 299
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    const lower = name.toLowerCase()
    if (success ? keptOnSuccess.includes(lower) : lower !== "transfer-encoding") headers[lower] = value
  }
  return { status: reply.status, headers, raw: reply.status === 204 ? "" : (reply.body ?? "") }
}

/** Nango's 500 when the provider did not answer: axios' error, serialised. */
const unreachableReply = (method: string, code: string): Reply => ({
  status: 500,
  body: { message: `connect ${code}`, code, method: method.toLowerCase() },
})

/** Whether the server retries after this answer, given `Retry-On`. */
const retried = (answer: ProviderAnswer, retryOn: ReadonlyArray<number>): boolean =>
  "unreachable" in answer
    ? retriedNetworkCodes.has(answer.unreachable)
    : answer.status >= 500 || answer.status === 429 || answer.status === 401 || retryOn.includes(answer.status)

/** A `/proxy` request as the emulator reads it. */
export interface ProxyRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array
}

/** The proxy: its providers, what they received, and each connection's last failed refresh. */
export class ProxyEndpoint {
  /** Every request a provider received, in order. */
  readonly received: Array<ProxiedRequest> = []
  private readonly refreshFailedAt = new Map<StoredConnection, number>()

  constructor(
    private readonly connections: Connections,
    private readonly providers: Readonly<Record<string, ProviderFunction>>,
    private readonly now: () => number,
    private readonly sleep: (millis: number) => Promise<void>,
  ) {}

  /** Answers one `/proxy` request once the key is known to have the `environment:proxy` scope. */
  answer(request: ProxyRequest): Reply | Promise<Reply> {
    const { headers } = request
    const issues = headerIssues(headers)
    if (issues.length > 0) return invalid("invalid_headers", issues)
    const override = headers["base-url-override"] || undefined
    if (override !== undefined && deniedHosts.has(new URL(override).host)) {
      return nangoError(400, "base_url_override_not_allowed", "The base URL override is not allowed")
    }
    const integration = headers["provider-config-key"] as string
    if (!this.connections.hasIntegration(integration)) return { ...unknownIntegration, status: 404 }
    const connection = this.connections.find(headers["connection-id"] as string, integration)
    if (connection === undefined) return nangoError(400, "server_error", "Failed to get connection")
    const refused = this.credentialFailure(connection)
    if (refused !== undefined) return refused
    if (connection.provider === "unauthenticated" && override === undefined) {
      return nangoError(400, "unsupported_provider", "The provider has no base URL: send Base-Url-Override")
    }
    return this.call(request, connection, override)
  }

  /** Why the connection's credentials cannot be used, as the server answers before the call. */
  private credentialFailure(connection: StoredConnection): Reply | undefined {
    if (connection.refresh === "ok") return undefined
    if (connection.refresh === "exhausted") {
      return nangoError(424, "server_error", "Failed to get connection credentials: 'refresh_exhausted'")
    }
    const failedAt = this.refreshFailedAt.get(connection)
    const now = this.now()
    if (failedAt !== undefined && now - failedAt < refreshBackoffMs) {
      return nangoError(424, "connection_refresh_backoff", "The last refresh failed less than 30 seconds ago")
    }
    this.refreshFailedAt.set(connection, now)
    return nangoError(400, "server_error", "Failed to get connection credentials: 'refresh_failed'")
  }

  /** Calls the provider, retrying as the server does when told to, and passes its answer back. */
  private async call(request: ProxyRequest, connection: StoredConnection, baseUrl: string | undefined) {
    const { method, headers } = request
    const provider = this.providers[connection.provider_config_key] ?? echoProvider
    const body = resentBody(method, headers, request.bytes)
    const forwarded = { ...injectedHeaders(connection), ...forwardedHeaders(headers) }
    const sent = body.contentType === undefined ? forwarded : { ...forwarded, "content-type": body.contentType }
    const endpoint = request.url.pathname.slice("/proxy".length) || "/"
    const retries = Math.max(0, Math.floor(Number(headers.retries ?? "0")))
    const retryOn = (headers["retry-on"] ?? "")
      .split(",")
      .filter((code) => code !== "")
      .map(Number)
    for (let attempt = 1; ; attempt++) {
      const providerRequest: ProviderRequest = {
        method,
        url: `${endpoint}${request.url.search}`,
        headers: sent,
        body: body.bytes === undefined ? undefined : new TextDecoder().decode(body.bytes),
        bytes: body.bytes,
        baseUrl,
        attempt,
      }
      this.received.push({
        ...providerRequest,
        providerConfigKey: connection.provider_config_key,
        connectionId: connection.connection_id,
      })
      const answer = await provider(providerRequest)
      if (attempt > retries || !retried(answer, retryOn)) {
        return "unreachable" in answer ? unreachableReply(method, answer.unreachable) : passBack(answer)
      }
      await this.sleep(serverBackoffMs(attempt - 1))
    }
  }
}
