/**
 * Rules of Nango's server that both the client (to refuse a body before sending it) and the
 * emulator (to answer as the server does) apply: the effective tag limit, the strings the server
 * cannot store, webhook URLs, and which values JSON carries faithfully. Pure functions, no Node
 * API, no Effect: each line's client runs them in the browser too.
 */

/** A path into a request body, as the client's and the server's issues name it. */
export type Path = ReadonlyArray<string>

/** Renders a path as `a.b.c`, or `(root)`. */
export const formatPath = (path: Path): string => (path.length === 0 ? "(root)" : path.join("."))

// -----------------------------------------------------------------------------
// Tags
// -----------------------------------------------------------------------------

/** The most tags a session may carry once the server has merged them. */
export const maxEffectiveTags = 10

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

/**
 * The tags the server stores for a session body: the ones it derives from `end_user` (`end_user_id`,
 * `end_user_email`, `end_user_display_name`, and each `end_user.tags` entry) and from
 * `organization` (`organization_id`, `organization_display_name`, only with an `end_user`),
 * merged with the top-level `tags`, a top-level key replacing a derived key of the same name.
 * Keys are lowercased, as the server stores them.
 */
export const effectiveTags = (body: unknown): Record<string, string> => {
  const input = record(body) ?? {}
  const merged: Record<string, string> = {}
  const put = (key: string, value: unknown) => {
    if (typeof value === "string") merged[key.toLowerCase()] = value
  }
  const endUser = record(input.end_user)
  if (endUser !== undefined) {
    put("end_user_id", endUser.id)
    put("end_user_email", endUser.email)
    put("end_user_display_name", endUser.display_name)
    for (const [key, value] of Object.entries(record(endUser.tags) ?? {})) put(key, value)
    const organization = record(input.organization)
    if (organization !== undefined) {
      put("organization_id", organization.id)
      put("organization_display_name", organization.display_name)
    }
  }
  for (const [key, value] of Object.entries(record(input.tags) ?? {})) put(key, value)
  return merged
}

/** The effective-tag rule, as an issue when a body breaks it. */
export const effectiveTagsIssue = (body: unknown): string | undefined => {
  const count = Object.keys(effectiveTags(body)).length
  return count > maxEffectiveTags
    ? `tags: the server merges the tags it derives from end_user and organization with tags, and the merge may hold at most ${maxEffectiveTags} keys; this body makes ${count}`
    : undefined
}

// -----------------------------------------------------------------------------
// Strings the server cannot store
// -----------------------------------------------------------------------------

/** A UTF-16 surrogate without its pair. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Whether the server can store a string (PostgreSQL text and JSON refuse NUL and lone surrogates). */
export const isStorable = (text: string): boolean => !text.includes("\u0000") && !loneSurrogate.test(text)

/**
 * The paths of every string (and key) in a JSON value that the server cannot store, in document
 * order. Iterative, so that a deep value cannot overflow the stack.
 */
export const unstorablePaths = (value: unknown, path: Path = []): Array<Path> => {
  const found: Array<Path> = []
  const stack: Array<readonly [unknown, Path]> = [[value, path]]
  while (stack.length > 0) {
    const [current, at] = stack.pop() as readonly [unknown, Path]
    if (typeof current === "string") {
      if (!isStorable(current)) found.push(at)
      continue
    }
    const entries = Array.isArray(current)
      ? current.map((item, index) => [String(index), item] as const)
      : Object.entries(record(current) ?? {})
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, item] = entries[index] as readonly [string, unknown]
      if (!Array.isArray(current) && !isStorable(key)) found.push([...at, key])
      else stack.push([item, [...at, key]])
    }
  }
  return found
}

// -----------------------------------------------------------------------------
// Webhook URLs
// -----------------------------------------------------------------------------

/** Why a webhook URL is refused, or undefined when it is not. */
export type WebhookUrlProblem = LocalWebhookUrlProblem | "host-policy"

/** The webhook URL problems that are stable and local, which the client refuses before sending. */
export type LocalWebhookUrlProblem = "not-a-url" | "scheme" | "nango-domain"

/** Whether a hostname is on Nango's own domain, with or without the trailing dot. */
const isNangoHost = (hostname: string) => {
  const host = hostname.toLowerCase().replace(/\.$/, "")
  return host === "nango.dev" || host.endsWith(".nango.dev")
}

const ipv4 = (hostname: string): ReadonlyArray<number> | undefined => {
  const parts = hostname.split(".")
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined
  const numbers = parts.map(Number)
  return numbers.every((n) => n <= 255) ? numbers : undefined
}

/** Addresses the server's outbound policy refuses: loopback, private, link-local, unspecified. */
const isPrivateIpv4 = ([a = 0, b = 0]: ReadonlyArray<number>) =>
  a === 0 ||
  a === 10 ||
  a === 127 ||
  (a === 169 && b === 254) ||
  (a === 172 && b >= 16 && b <= 31) ||
  (a === 192 && b === 168)

const isPrivateIpv6 = (hostname: string) => {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  if (host === "::" || host === "::1") return true
  if (/^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host)) return true
  const mapped = /^::ffff:(.+)$/.exec(host)?.[1]
  if (mapped === undefined) return false
  const dotted = ipv4(mapped)
  if (dotted !== undefined) return isPrivateIpv4(dotted)
  // WHATWG URL writes an IPv4-mapped address in hex (`::ffff:7f00:1`): its first group holds the
  // address's first two bytes, which are all the private ranges look at.
  const high = /^([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(mapped)?.[1]
  if (high === undefined) return false
  const bytes = Number.parseInt(high, 16)
  return isPrivateIpv4([bytes >> 8, bytes & 255])
}

/**
 * The webhook URL checks that are stable and local, which the client makes before sending:
 * `""` clears the override and passes; otherwise an absolute http(s) URL not on nango.dev.
 */
export const localWebhookUrlProblem = (value: string): LocalWebhookUrlProblem | undefined => {
  if (value === "") return undefined
  if (!URL.canParse(value)) return "not-a-url"
  const url = new URL(value)
  if (url.protocol !== "http:" && url.protocol !== "https:") return "scheme"
  return isNangoHost(url.hostname) ? "nango-domain" : undefined
}

/**
 * Checks a webhook URL as the server does: the local checks, then its outbound-URL policy. The
 * WHATWG URL parser already turns numeric host spellings (`2130706433`, `0x7f000001`) into
 * dotted form.
 */
export const webhookUrlProblem = (value: string): WebhookUrlProblem | undefined => {
  const local = localWebhookUrlProblem(value)
  if (local !== undefined || value === "") return local
  const host = new URL(value).hostname.toLowerCase().replace(/\.$/, "")
  if (host === "localhost" || host.endsWith(".localhost")) return "host-policy"
  const dotted = ipv4(host)
  if (dotted !== undefined ? isPrivateIpv4(dotted) : host.startsWith("[") && isPrivateIpv6(host)) return "host-policy"
  return undefined
}

/** What the server answers for a refused webhook URL: its zod code and message. */
export const webhookUrlIssue = (problem: WebhookUrlProblem): { readonly code: string; readonly message: string } =>
  problem === "not-a-url"
    ? { code: "invalid_union", message: "Invalid input" }
    : problem === "nango-domain"
      ? { code: "custom", message: "Webhook URLs cannot point to Nango's domain (nango.dev)." }
      : { code: "custom", message: "This webhook URL is not allowed." }

// -----------------------------------------------------------------------------
// A whole session body
// -----------------------------------------------------------------------------

/**
 * The server's rules that a session body (create or reconnect) must meet beyond its schema, as the
 * client checks them before sending: strings the server cannot store, the effective tag limit, and
 * the stable checks on the deprecated `connection_config.webhook_url`. Values are never shown.
 */
export const sessionBodyIssues = (body: unknown): ReadonlyArray<string> => {
  const issues = unstorablePaths(body).map(
    (path) =>
      `${formatPath(path)}: contains a NUL character or an unpaired surrogate, which the server cannot store; the value is not shown`,
  )
  for (const [id, defaults] of Object.entries(record(record(body)?.integrations_config_defaults) ?? {})) {
    const webhookUrl = record(record(defaults)?.connection_config)?.webhook_url
    const problem = typeof webhookUrl === "string" ? localWebhookUrlProblem(webhookUrl) : undefined
    if (problem !== undefined) {
      issues.push(`integrations_config_defaults.${id}.connection_config.webhook_url: ${webhookUrlMessages[problem]}`)
    }
  }
  const tags = effectiveTagsIssue(body)
  if (tags !== undefined) issues.push(tags)
  return issues
}

/** How the client words a webhook URL it refuses. */
export const webhookUrlMessages: Record<LocalWebhookUrlProblem, string> = {
  "not-a-url": "a webhook URL must be an absolute URL or the empty string",
  scheme: "a webhook URL must use http or https",
  "nango-domain": "a webhook URL cannot point to Nango's domain (nango.dev)",
}

// -----------------------------------------------------------------------------
// Rate limit
// -----------------------------------------------------------------------------

/**
 * How much longer than its `Retry-After` (or `X-RateLimit-Reset`) a client waits: the server
 * floors both to whole seconds, so the window really ends up to a second later than they say, and
 * a client that waits exactly that long is refused again.
 */
export const rateLimitSlackMillis = 1000

/**
 * The wait a 429 announces, in milliseconds: `Retry-After` as delay-seconds or an HTTP date, else
 * `X-RateLimit-Reset` (epoch seconds), measured against `nowMillis`. Undefined when neither is
 * readable. Without the slack: this is what the server said.
 */
export const announcedWaitMillis = (
  retryAfter: string | undefined,
  rateLimitReset: string | undefined,
  nowMillis: number,
): number | undefined => {
  const after = retryAfter?.trim()
  if (after !== undefined && /^\d+$/.test(after)) return Number(after) * 1000
  if (after !== undefined && after !== "" && !Number.isNaN(Date.parse(after))) {
    return Math.max(0, Date.parse(after) - nowMillis)
  }
  const reset = rateLimitReset?.trim()
  if (reset !== undefined && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - nowMillis)
  return undefined
}
