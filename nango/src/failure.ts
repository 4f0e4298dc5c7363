/**
 * How both lines' clients classify, describe and retry a failed call, in plain TypeScript: which
 * tag a non-2xx status becomes, the message each error carries, which failures are transient, and
 * the text of a schema issue. Each line only builds its own error classes, `Duration`s and
 * schedules from these.
 */

/** The documented client-error statuses and the tag of the error each becomes. */
export const statusTags = { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound" } as const

/** A client-error status an endpoint can document. */
export type DocumentedStatus = keyof typeof statusTags

/** The tags a response becomes by its status and Nango's code together, beyond what the status says. */
export type RefinedTag =
  | "InvalidCredentials"
  | "UnknownIntegration"
  | "UnknownConnection"
  | "NotFound"
  | "UnknownAction"
  | "ActionDisabled"
  | "ActionPending"
  | "InvalidActionInput"
  | "InvalidActionOutput"
  | "ActionOutputTooLarge"
  | "ActionAborted"
  | "ActionHttpError"
  | "ActionFailed"
  | "SyncNotFound"

/**
 * A response that means more than its status on one endpoint: `status` with Nango's `code` (any
 * code when unset) becomes `tag`. Checked before the status alone, so a 400 can be `NotFound`.
 */
export interface Refinement<T extends RefinedTag = RefinedTag> {
  readonly status: number
  readonly code?: string
  readonly tag: T
}

/** The tag a non-2xx status becomes on an endpoint that documents `documented` and `refinements`. */
export const failureTag = <S extends DocumentedStatus, T extends RefinedTag = never>(
  status: number,
  documented: ReadonlyArray<S>,
  code?: string,
  refinements: ReadonlyArray<Refinement<T>> = [],
): "RateLimited" | "ServerError" | "UnexpectedStatus" | S | T => {
  for (const refinement of refinements) {
    if (refinement.status === status && (refinement.code === undefined || refinement.code === code)) {
      return refinement.tag
    }
  }
  if (status === 429) return "RateLimited"
  if (status >= 500 && status <= 599) return "ServerError"
  return (documented as ReadonlyArray<number>).includes(status) ? (status as S) : "UnexpectedStatus"
}

/** The request an outcome belongs to, as errors report it. */
export interface RequestLabel {
  readonly method: string
  readonly path: string
}

/** The error envelope's fields a message names. */
export interface EnvelopeSummary {
  readonly code: string
  readonly message?: string | undefined
}

/**
 * The message of a response's error: what happened, the status and the server's code, where, and
 * the server's own message. `retryAfter` is the formatted wait a 429 announced, if any.
 */
export const describeResponseFailure = (
  tag: "RateLimited" | "ServerError" | "UnexpectedStatus" | DocumentedStatus | RefinedTag,
  status: number,
  envelope: EnvelopeSummary | undefined,
  where: RequestLabel,
  retryAfter?: string,
): string => {
  const what =
    tag === "RateLimited"
      ? retryAfter === undefined
        ? "Nango rate limit reached"
        : `Nango rate limit reached, retry after ${retryAfter}`
      : tag === "ServerError"
        ? "Nango server error"
        : tag === "UnexpectedStatus"
          ? "Unexpected status from Nango"
          : `Nango answered ${typeof tag === "number" ? statusTags[tag] : tag}`
  const label = envelope === undefined ? `${status}` : `${status} ${envelope.code}`
  const serverMessage = envelope?.message === undefined ? "" : `: ${envelope.message}`
  return `${what} (${label}) on ${where.method} ${where.path}${serverMessage}`
}

/** A failed attempt as the retry decision sees it: the fields of the client's errors it reads. */
export interface AttemptFailure {
  readonly _tag: string
  readonly status?: number
  readonly connectionFailed?: boolean
  readonly scope?: string
}

/**
 * Whether a failed attempt may be tried again. A call that is not idempotent (the POSTs, and
 * DELETE, whose repeat answers 401) is retried only when the server cannot have acted on it:
 * a 429 (the limiter runs before the handler), a 503, or a connection that was never opened.
 * A 429 is retried only when its announced wait (`retryAfterMillis`) is within `maxRetryAfterMillis`.
 */
export const isTransient = (
  failure: AttemptFailure,
  retryAfterMillis: number | undefined,
  idempotent: boolean,
  maxRetryAfterMillis: number,
): boolean => {
  switch (failure._tag) {
    case "RateLimited":
      return retryAfterMillis === undefined || retryAfterMillis <= maxRetryAfterMillis
    case "ServerError":
      return idempotent || failure.status === 503
    case "TransportError":
      return idempotent || failure.connectionFailed === true
    case "TimeoutError":
      return idempotent && failure.scope === "attempt"
    default:
      return false
  }
}

/**
 * One schema issue as the client reports it: its path (or `(root)`) and what was expected, with
 * the actual value cut out, since a body may hold a token or a client secret.
 */
export const issueLine = (path: ReadonlyArray<unknown> | undefined, message: string): string =>
  `${path === undefined || path.length === 0 ? "(root)" : path.map(String).join(".")}: ${message
    .replace(/,? (got|actual) [\s\S]*$/, "")
    .replace(/ \| undefined$/, "")}`

/** Characters a header value may hold: visible ASCII, no space, CR or LF. */
export const headerSafe = /^[\x21-\x7e]+$/

/** Why a session token is refused, without the token. */
export const tokenIssue = "expected nango_connect_session_ followed by 64 lowercase hex digits; the value is not shown"
