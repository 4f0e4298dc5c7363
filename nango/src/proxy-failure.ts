/**
 * Which answers of the proxy are Nango's own and which are the provider's, in plain TypeScript for
 * both lines. Nango passes the provider's status, headers and body back unmarked, and several of
 * its own failures share their status with a provider's (400, 401, 403, 404, 429, 500), so an
 * answer is Nango's only when its status and its body's code together are one of Nango's
 * (server 0.71.4, `allProxy.ts`); everything else is the provider's answer.
 */

/** The tag of each failure Nango itself answers on the proxy. */
export type ProxyFailureTag =
  | "InvalidProxyHeaders"
  | "BaseUrlOverrideRefused"
  | "UnsupportedProvider"
  | "UnknownIntegration"
  | "UnknownConnection"
  | "InvalidCredentials"
  | "RefreshBackoff"
  | "PlanLimit"
  | "Unauthorized"
  | "Forbidden"
  | "RateLimited"
  | "ProviderUnreachable"
  | "ServerError"

/** One of Nango's own answers, as read from its body. */
export interface ProxyFailure {
  readonly tag: ProxyFailureTag
  readonly status: number
  readonly code?: string
  readonly serverMessage?: string
}

/**
 * The statuses Nango's own answers come with: only a response with one of these and a small body
 * (declared, or found by reading at most one byte past the limit) is read before it is returned.
 */
export const nangoStatuses: ReadonlySet<number> = new Set([400, 401, 402, 403, 404, 424, 429, 500, 503])

/** The largest body read to tell Nango's answer from the provider's; Nango's own are far smaller. */
export const maxNangoBodyBytes = 64 * 1024

/**
 * Whether a response may be Nango's own, from its status and declared length: a length over the
 * limit rules it out; no length (a chunked or re-compressed answer) leaves it to the body's size.
 */
export const mayBeNango = (status: number, contentLength: string | undefined): boolean =>
  nangoStatuses.has(status) &&
  (contentLength === undefined || !/^\d+$/.test(contentLength) || Number(contentLength) <= maxNangoBodyBytes)

/** The codes of a proxy configuration Nango cannot build (`ProxyError`), all 400. */
const configurationCodes = new Set([
  "unsupported_provider",
  "missing_api_url",
  "invalid_query_params",
  "unsupported_auth",
  "invalid_certificate_or_key_format",
])

/** The codes of Nango's secret-key authentication, all 401. */
const authenticationCodes = new Set([
  "missing_auth_header",
  "malformed_auth_header",
  "invalid_secret_key_format",
  "unknown_account",
  "invalid_secret_key",
])

/** The codes of Nango's own failures on its 5xx. */
const serverCodes = new Set(["server_error", "generic_error_support", "internal_server_error"])

/** The tag of an `{error: {code, message}}` envelope at `status`, when the pair is Nango's. */
const envelopeTag = (status: number, code: string, message: string | undefined): ProxyFailureTag | undefined => {
  switch (status) {
    case 400:
      if (code === "invalid_headers") return "InvalidProxyHeaders"
      if (code === "base_url_override_disabled" || code === "base_url_override_not_allowed") {
        return "BaseUrlOverrideRefused"
      }
      if (configurationCodes.has(code)) return "UnsupportedProvider"
      if (code === "failed_to_get_connection") return "InvalidCredentials"
      if (code === "server_error" && message === "Failed to get connection") return "UnknownConnection"
      break
    case 401:
      if (authenticationCodes.has(code)) return "Unauthorized"
      break
    case 402:
      if (code === "plan_limit") return "PlanLimit"
      break
    case 403:
      if (code === "forbidden") return "Forbidden"
      break
    case 404:
      if (code === "unknown_provider_config") return "UnknownIntegration"
      break
    case 424:
      if (code === "connection_refresh_backoff") return "RefreshBackoff"
      break
    case 429:
      if (code === "too_many_request") return "RateLimited"
      break
  }
  // A refresh that failed answers with the refresh error's own status (400, 424, …).
  if (code === "server_error" && message?.startsWith("Failed to get connection credentials") === true) {
    return status >= 400 && status <= 499 ? "InvalidCredentials" : undefined
  }
  return status >= 500 && serverCodes.has(code) ? "ServerError" : undefined
}

/** The network codes Nango reports when the provider could not be reached (axios' `code`). */
const networkCode = /^(E[A-Z0-9_]+|UND_ERR_[A-Z_]+|ERR_[A-Z0-9_]+)$/

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Nango's own failure for a response whose body (read whole, as text) may be Nango's, or
 * undefined when the response is the provider's.
 */
export const proxyFailureOf = (status: number, body: string): ProxyFailure | undefined => {
  // An internal error: Express' empty 500.
  if (body === "") return status === 500 ? { tag: "ServerError", status } : undefined
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return undefined
  }
  if (!isRecord(json)) return undefined
  const error = json.error
  if (isRecord(error) && typeof error.code === "string") {
    const message = typeof error.message === "string" ? error.message : undefined
    const tag = envelopeTag(status, error.code, message)
    return tag === undefined
      ? undefined
      : { tag, status, code: error.code, ...(message === undefined ? {} : { serverMessage: message }) }
  }
  // The provider did not answer: Nango's 500 with axios' error, `{message, code, status, method}`.
  if (status === 500 && typeof json.code === "string" && networkCode.test(json.code) && "method" in json) {
    return { tag: "ProviderUnreachable", status, code: json.code }
  }
  return undefined
}
