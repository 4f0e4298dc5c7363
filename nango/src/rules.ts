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

/** The longest tag key, and the longest tag value, the server keeps. */
export const maxTagKeyLength = 64
export const maxTagValueLength = 255

/** What a tag key looks like: a letter, then letters, digits and `_ - . /`. */
export const tagKeyPattern = /^[a-zA-Z][a-zA-Z0-9_\-./]*$/

/** An integration id (`provider_config_key`), as the server's `providerConfigKeySchema` checks it. */
export const integrationIdPattern = /^[a-zA-Z0-9~:.@ _-]+$/

/** A UUID as zod checks it (RFC 9562 variants, and the nil and max UUIDs): a record's id in a cursor, an action run's id. */
export const uuidPattern =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/

/** A connection id, as the server's `connectionIdSchema` checks it (at most 255 characters besides). */
export const connectionIdPattern = /^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$/

/** How the client words a connection id outside {@link connectionIdPattern}. */
export const connectionIdMessage = "a connection id uses letters, digits, spaces and the punctuation the server allows"

/** An email as the server's validator (zod 4) accepts it; the pattern needs 6 characters, so zod's minimum of 5 adds nothing. */
export const emailPattern =
  /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/

/** The session endpoint a body goes to: create and reconnect derive tags from `organization` differently. */
export type SessionOperation = "create" | "reconnect"

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

/** Whether a set of lowercased tags passes the server's tag rules (count, non-empty values, the email tag). */
const isValidTagSet = (tags: Record<string, string>): boolean => {
  const values = Object.values(tags)
  const email = tags.end_user_email
  return (
    values.length <= maxEffectiveTags &&
    values.every((value) => value.length > 0) &&
    (email === undefined || emailPattern.test(email))
  )
}

/** The base tags: `end_user_id`, `end_user_email`, `end_user_display_name`, `organization_id`, `organization_display_name`. */
const baseTags = (endUser: Record<string, unknown> | undefined, organization: Record<string, unknown> | undefined) => {
  const base: Record<string, string> = {}
  const put = (key: string, value: unknown) => {
    // An empty string derives no tag; a long one is cut to the longest value.
    if (typeof value === "string" && value !== "") base[key] = value.slice(0, maxTagValueLength)
  }
  put("end_user_id", endUser?.id)
  put("end_user_email", endUser?.email)
  put("end_user_display_name", endUser?.display_name)
  put("organization_id", organization?.id)
  put("organization_display_name", organization?.display_name)
  return base
}

/** `end_user.tags` as the server reads them: string values, keys lowercased and cut, bad keys skipped. */
const endUserOwnTags = (endUser: Record<string, unknown> | undefined) => {
  const own: Record<string, string> = {}
  for (const [rawKey, value] of Object.entries(record(endUser?.tags) ?? {})) {
    const key = rawKey.toLowerCase().slice(0, maxTagKeyLength)
    if (typeof value === "string" && tagKeyPattern.test(key)) own[key] = value.slice(0, maxTagValueLength)
  }
  return own
}

/**
 * The tags the server derives from `end_user` and `organization` (docs/nango-server.md, "Tags"):
 * the base tags, then `end_user.tags` over them. The end user's own tags are left out whole when
 * the two together exceed the limit or break a tag rule (an empty value, say); when even the base
 * tags break one, nothing is derived.
 */
export const derivedTags = (
  endUser: Record<string, unknown> | undefined,
  organization: Record<string, unknown> | undefined,
): Record<string, string> => {
  const base = baseTags(endUser, organization)
  const merged = { ...base, ...endUserOwnTags(endUser) }
  return isValidTagSet(merged) ? merged : isValidTagSet(base) ? base : {}
}

/** The derived tags with a body's `tags` over them, keys lowercased: the set the server stores. */
const withTagsOver = (derived: Record<string, string>, tags: unknown): Record<string, string> => {
  for (const [key, value] of Object.entries(record(tags) ?? {})) {
    if (typeof value === "string") derived[key.toLowerCase()] = value
  }
  return derived
}

/**
 * The tags the server stores for a session body: the derived tags with the body's `tags` over
 * them, keys lowercased. `organization` derives tags on create only beside an `end_user`; on
 * reconnect, always.
 */
export const effectiveTags = (body: unknown, operation: SessionOperation): Record<string, string> => {
  const input = record(body) ?? {}
  const endUser = record(input.end_user)
  const organization = operation === "reconnect" || endUser !== undefined ? record(input.organization) : undefined
  return withTagsOver(derivedTags(endUser, organization), input.tags)
}

/** The effective-tag rule, as an issue when a body breaks it. */
export const effectiveTagsIssue = (body: unknown, operation: SessionOperation): string | undefined => {
  const count = Object.keys(effectiveTags(body, operation)).length
  return count > maxEffectiveTags
    ? `tags: the server merges the tags it derives from end_user and organization with tags, and the merge may hold at most ${maxEffectiveTags} keys; this body makes ${count}`
    : undefined
}

/**
 * The tags a `PATCH /connections/{id}` body gives the connection: when it sets `end_user` or
 * `tags`, the tags derived from `end_user` with `tags` over them (keys lowercased), which replace
 * the stored ones whole; undefined when it sets neither and the tags stay as they are.
 */
export const patchedTags = (body: unknown): Record<string, string> | undefined => {
  const input = record(body) ?? {}
  if (input.end_user === undefined && input.tags === undefined) return undefined
  return withTagsOver(derivedTags(record(input.end_user), undefined), input.tags)
}

/** The effective-tag rule of a connection patch, as an issue when a body breaks it. */
export const patchedTagsIssue = (body: unknown): string | undefined => {
  const count = Object.keys(patchedTags(body) ?? {}).length
  return count > maxEffectiveTags
    ? `tags: the server merges the tags it derives from end_user with tags, and the merge may hold at most ${maxEffectiveTags} keys; this patch makes ${count}`
    : undefined
}

// -----------------------------------------------------------------------------
// Strings the server cannot store
// -----------------------------------------------------------------------------

/** A UTF-16 surrogate without its pair. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A NUL or any surrogate, paired or not: a string without one is storable. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL is what it looks for
const mayBeUnstorable = /[\u0000\uD800-\uDFFF]/

/** Whether the server can store a string (PostgreSQL text and JSON refuse NUL and lone surrogates). */
export const isStorable = (text: string): boolean =>
  // Most strings hold neither a NUL nor any surrogate: one scan tells, before the precise check.
  !mayBeUnstorable.test(text) || (!text.includes("\u0000") && !loneSurrogate.test(text))

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
  const host = hostname.toLowerCase().replace(/\.+$/, "")
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
 * Whether the server keeps the string at `path` of a session body as it is: it stores
 * `webhook_url_override` as a parsed URL (percent-encoded) and drops the keys of an `overrides`
 * entry it does not know, so neither needs to be storable.
 */
const isStoredAsSent = (path: Path): boolean =>
  path[0] !== "webhook_url_override" && !(path[0] === "overrides" && path.length > 2 && path[2] !== "docs_connect")

/** Why a string at `path` is refused: the server cannot store it (or, in a query, search for it). The value is not shown. */
const unstorableIssue = (path: Path, cannot = "store"): string =>
  `${formatPath(path)}: contains a NUL character or an unpaired surrogate, which the server cannot ${cannot}; the value is not shown`

/**
 * The server's rule for a connection body (`PATCH /connections/{id}`, metadata) beyond its schema:
 * no string it would store but cannot (`webhook_url_override` is stored parsed, so it may hold one).
 */
export const connectionBodyIssues = (unstorable: ReadonlyArray<Path>): ReadonlyArray<string> =>
  unstorable.filter((path) => path[0] !== "webhook_url_override").map((path) => unstorableIssue(path))

/**
 * The server's rule for a connection patch beyond its schema: no string it would store but cannot,
 * and at most 10 tags once those derived from `end_user` are merged in.
 */
export const connectionPatchIssues = (body: unknown, unstorable: ReadonlyArray<Path>): ReadonlyArray<string> => {
  const tags = patchedTagsIssue(body)
  return [...connectionBodyIssues(unstorable), ...(tags === undefined ? [] : [tags])]
}

/**
 * The server's rule for the strings of a listing's query (`search`, the ids, the tags): none with
 * a NUL or an unpaired surrogate, which the database cannot compare (a 500) or a URL cannot carry
 * unchanged. The value is not shown.
 */
export const listQueryIssues = (unstorable: ReadonlyArray<Path>): ReadonlyArray<string> =>
  unstorable.map((path) => unstorableIssue(path, "search for"))

/** The paths of the strings of a session body that the server would store but cannot. */
export const unstorableSessionPaths = (body: unknown): Array<Path> => unstorablePaths(body).filter(isStoredAsSent)

/** The deprecated `connection_config.webhook_url` of each entry of `integrations_config_defaults`, with its path. */
const deprecatedWebhookUrls = (body: unknown): ReadonlyArray<readonly [string, unknown]> =>
  Object.entries(record(record(body)?.integrations_config_defaults) ?? {}).flatMap(([id, defaults]) => {
    const config = record(record(defaults)?.connection_config)
    return config === undefined || config.webhook_url === undefined
      ? []
      : [[`integrations_config_defaults.${id}.connection_config.webhook_url`, config.webhook_url] as const]
  })

/**
 * The server's rules that a session body (create or reconnect) must meet beyond its schema, as the
 * client checks them before sending: strings the server cannot store (`unstorable`, when the
 * caller's walk already found them), the effective tag limit, and the stable checks on the
 * deprecated `connection_config.webhook_url`. Values are never shown.
 */
export const sessionBodyIssues = (
  body: unknown,
  operation: SessionOperation,
  unstorable: ReadonlyArray<Path> = unstorablePaths(body),
): ReadonlyArray<string> => {
  const issues = unstorable.filter(isStoredAsSent).map((path) => unstorableIssue(path))
  for (const [path, webhookUrl] of deprecatedWebhookUrls(body)) {
    const problem = typeof webhookUrl === "string" ? localWebhookUrlProblem(webhookUrl) : "not-a-string"
    if (problem !== undefined) issues.push(`${path}: ${webhookUrlMessages[problem]}`)
  }
  const tags = effectiveTagsIssue(body, operation)
  if (tags !== undefined) issues.push(tags)
  return issues
}

/** How the client words a webhook URL it refuses. */
export const webhookUrlMessages: Record<LocalWebhookUrlProblem | "not-a-string", string> = {
  "not-a-string": "a webhook URL must be a string",
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
