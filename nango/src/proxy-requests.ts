/**
 * How a request to the provider becomes a request to Nango's proxy (`/proxy/*`), in plain
 * TypeScript for both lines: which of the caller's headers are forwarded and under which name, the
 * proxy's own headers made from the client's settings, which requests are refused before sending,
 * and which methods a server-side retry cannot double.
 */

/** Where the proxy listens on the Nango host: a request for `/user` goes to `/proxy/user`. */
export const proxyPrefix = "/proxy"

/** The prefix under which the proxy forwards a header: `Nango-Proxy-Accept` reaches the provider as `accept`. */
export const forwardPrefix = "nango-proxy-"

/**
 * Headers that describe the hop to Nango, not the request to the provider: never forwarded. The
 * body's `content-length` is the server's to compute once it re-sends the body.
 */
const hopHeaders = new Set([
  "connection",
  "content-length",
  "host",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
])

/** The methods whose body the server forwards to the provider (`methodDataAllowed`). */
export const bodyMethods: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"])

/** The methods a repeat of which leaves the provider as one call would (RFC 9110 §9.2.2). */
const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "QUERY"])

/** Whether a second call of `method` could do something a first did not (a POST or a PATCH). */
export const isWrite = (method: string): boolean => !idempotentMethods.has(method.toUpperCase())

/** What the proxy client may be told per client or per request: Nango's own proxy headers. */
export interface ProxySettings {
  /** How many times Nango itself retries the provider call (header `Retries`). */
  readonly retries?: number | undefined
  /** Statuses Nango retries besides its defaults (header `Retry-On`). */
  readonly retryOn?: ReadonlyArray<number> | undefined
  /** Another base URL for the provider (header `Base-Url-Override`). */
  readonly baseUrlOverride?: string | undefined
  /** Header `Decompress`. */
  readonly decompress?: boolean | undefined
  /** Whether Nango re-sends the credential when the provider redirects (`Forward-Headers-On-Redirect`). */
  readonly forwardHeadersOnRedirect?: boolean | undefined
}

/** The proxy's own headers for the settings given; a setting left out sends nothing. */
export const settingsHeaders = (settings: ProxySettings): Record<string, string> => {
  const headers: Record<string, string> = {}
  if (settings.retries !== undefined) headers.retries = String(settings.retries)
  if (settings.retryOn !== undefined && settings.retryOn.length > 0) headers["retry-on"] = settings.retryOn.join(",")
  if (settings.baseUrlOverride !== undefined) headers["base-url-override"] = settings.baseUrlOverride
  if (settings.decompress !== undefined) headers.decompress = String(settings.decompress)
  if (settings.forwardHeadersOnRedirect !== undefined) {
    headers["forward-headers-on-redirect"] = String(settings.forwardHeadersOnRedirect)
  }
  return headers
}

/** Why a base-URL override cannot be sent: the server takes an absolute URL only. */
export const baseUrlOverrideIssue = (value: string): string | undefined => {
  try {
    new URL(value)
  } catch {
    return "baseUrlOverride: expected an absolute URL such as https://api.example.com"
  }
  return /^[\x20-\x7e]+$/.test(value) ? undefined : "baseUrlOverride: expected ASCII characters only"
}

/** A request as the proxy client sees it: the caller's method, URL and final headers. */
export interface CallerRequest {
  readonly method: string
  /** The URL as the caller gave it, its query included. */
  readonly url: string
  /** The caller's headers, by lowercase name. */
  readonly headers: Readonly<Record<string, string>>
  /** Whether the request has a body. */
  readonly hasBody: boolean
}

/** What the caller allowed beyond the defaults. */
export interface CallerAllowances {
  /** A caller's `Authorization` header replaces the credential Nango injects: refused unless true. */
  readonly allowAuthorization: boolean
  /** Server-side retries of a POST or PATCH may repeat a write: refused unless true. */
  readonly allowRetriedWrites: boolean
  /** The number of server-side retries asked for this request. */
  readonly retries: number
}

/** A URL with a scheme (`https:`), or one that names a host (`//host/…`): not a path at the provider. */
const absoluteUrl = /^([a-zA-Z][a-zA-Z0-9+.-]*:|\/\/)/

/**
 * Why a request cannot go through the proxy as it is, each issue naming what to change; none
 * when it can. Nothing here shows a header's value or the URL.
 */
export const callerRequestIssues = (request: CallerRequest, allowed: CallerAllowances): ReadonlyArray<string> => {
  const issues: Array<string> = []
  if (absoluteUrl.test(request.url)) {
    issues.push(
      "url: expected a path at the provider, such as /user; an absolute URL is refused (set baseUrlOverride for another host)",
    )
  }
  if (request.headers.authorization !== undefined && !allowed.allowAuthorization) {
    issues.push(
      "headers.authorization: it would replace the credential Nango injects; set allowAuthorization: true to send it",
    )
  }
  if (request.hasBody && !bodyMethods.has(request.method)) {
    issues.push(`body: Nango forwards a body only for POST, PUT, PATCH and DELETE, not for ${request.method}`)
  }
  if (allowed.retries > 0 && isWrite(request.method) && !allowed.allowRetriedWrites) {
    issues.push(
      `retries: Nango would retry this ${request.method} as it retries any method, and a repeated write may be applied twice; set allowRetriedWrites: true to ask for it`,
    )
  }
  return issues
}

/** The path and query sent to Nango for a caller's URL and its serialised query parameters. */
export const proxyTarget = (url: string, params: string): string => {
  const path = url.startsWith("/") || url.startsWith("?") || url === "" ? url : `/${url}`
  const query = params === "" ? "" : `${path.includes("?") ? "&" : "?"}${params}`
  return `${proxyPrefix}${path}${query}`
}

/**
 * The headers sent to Nango for the caller's: each forwarded one as `Nango-Proxy-<name>` (the
 * body's content type too, and kept as is for Nango's own body parser), then the proxy's own
 * headers and the connection's, which no caller header can replace.
 */
export const proxyHeaders = (
  caller: Readonly<Record<string, string>>,
  own: Readonly<Record<string, string>>,
  multipart: boolean,
): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(caller)) {
    if (hopHeaders.has(name)) continue
    headers[`${forwardPrefix}${name}`] = value
    if (name === "content-type") headers[name] = value
  }
  // Nango rebuilds a multipart body only when the forwarded type is exactly this.
  if (multipart) headers[`${forwardPrefix}content-type`] = "multipart/form-data"
  return { ...headers, ...own }
}
