/**
 * Nango's proxy (`/proxy/*`, any method) as the server (0.71.4) implements it, with the emulator
 * playing the provider too: the live server refuses to call a loopback address, so a test's
 * provider is a function the emulator calls in its place (`providers`, by integration; an echo by
 * default). Headers named `Nango-Proxy-<X>` reach the provider as `<x>` and nothing else does; the
 * connection's credential is injected as the server injects it per auth mode, under the caller's
 * forwarded headers; a body reaches the provider only for POST, PUT, PATCH and DELETE. A 2xx keeps
 * only four of the provider's headers, an error keeps them all; Nango's own refusals come first.
 */
import { bodyMethods, forwardPrefix } from "../proxy-requests.js"
import type { Issue } from "../validation.js"
import { unknownIntegration } from "./connection-queries.js"
import type { Connections } from "./connections.js"
import { invalid, type Reply } from "./replies.js"
import type { Provider, ProviderReply, StoredConnection } from "./types.js"

/** The default provider: answers 200 with what it received, as JSON. */
export const echoProvider: Provider = (request) => ({
  status: 200,
  headers: { "content-type": "application/json", "x-request-id": "echo-1" },
  body: JSON.stringify(request),
})

/** The provider headers a 2xx keeps (the flag `proxy-forward-all-response-headers` off, its default). */
const keptOnSuccess = ["content-type", "x-request-id", "x-correlation-id", "mcp-session-id"]

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
      return { authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(pair)))}` }
    }
    default:
      // API_KEY and the rest: only a provider's own templates inject anything.
      return {}
  }
}

/** Why the connection cannot be used, as the server answers before calling the provider. */
const credentialFailure = (connection: StoredConnection): Reply | undefined => {
  if (connection.refresh === "ok") return undefined
  const exhausted = connection.refresh === "exhausted"
  return {
    status: exhausted ? 424 : 400,
    body: {
      error: {
        code: "server_error",
        message: `Failed to get connection credentials: '${exhausted ? "refresh_exhausted" : "refresh_failed"}'`,
      },
    },
  }
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

/** Answers one `/proxy` request once the key is known to have the `environment:proxy` scope. */
export const answerProxy = (
  connections: Connections,
  providers: Readonly<Record<string, Provider>>,
  request: {
    readonly method: string
    readonly url: URL
    readonly headers: Readonly<Record<string, string>>
    readonly body: string
  },
): Reply => {
  const issues = headerIssues(request.headers)
  if (issues.length > 0) return invalid("invalid_headers", issues)
  const integration = request.headers["provider-config-key"] as string
  if (!connections.hasIntegration(integration)) return { ...unknownIntegration, status: 404 }
  const connection = connections.find(request.headers["connection-id"] as string, integration)
  if (connection === undefined) {
    return { status: 400, body: { error: { code: "server_error", message: "Failed to get connection" } } }
  }
  const failed = credentialFailure(connection)
  if (failed !== undefined) return failed
  const provider = providers[integration] ?? echoProvider
  const endpoint = request.url.pathname.slice("/proxy".length) || "/"
  return passBack(
    provider({
      method: request.method,
      url: `${endpoint}${request.url.search}`,
      headers: { ...injectedHeaders(connection), ...forwardedHeaders(request.headers) },
      body: bodyMethods.has(request.method) ? request.body : undefined,
    }),
  )
}
