/**
 * How both lines read Nango's synced records (`GET /records`), in plain TypeScript: the bounds the
 * server's query schema enforces, the cursor the store decodes (a malformed one is the store's
 * 500, so it is refused before sending), the query string as the server reads it, and which
 * status and code mean more than the status alone. The emulator answers by the same rules.
 */
import type { Refinement } from "./failure.js"
import { uuidPattern } from "./rules.js"

/** Where records are read. */
export const recordsPath = "/records"

/** The page size the server uses when none is given, and its bounds. */
export const defaultRecordsLimit = 100
export const maxRecordsLimit = 10_000

/** At most this many `ids` per call, each 1–256 characters. */
export const maxRecordIds = 100
export const maxRecordIdLength = 256

/** A cursor is 1–1,000 characters. */
export const maxCursorLength = 1000

/** How far back `modified_after` may reach: 365 days. */
export const lookbackMillis = 365 * 24 * 60 * 60 * 1000

/** The kinds of change a record's last action is, and what `filter` takes. */
export const recordActions = ["added", "updated", "deleted"] as const

/** One kind of change. */
export type RecordAction = (typeof recordActions)[number]

/** The refinement of `GET /records`: its 400 `unknown_connection`. */
export const recordsRefinements: ReadonlyArray<Refinement<"UnknownConnection">> = [
  { status: 400, code: "unknown_connection", tag: "UnknownConnection" },
]

// -----------------------------------------------------------------------------
// Dates and cursors, as the server's zod checks them
// -----------------------------------------------------------------------------

/** A calendar date, leap years included (zod's ISO date). */
const dateSource =
  "(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))"
const timeSource = "(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d+)?)?"

/** `modified_after`: an ISO date-time in UTC (`Z`), seconds and fractions optional. */
export const utcDateTimePattern = new RegExp(`^${dateSource}T${timeSource}Z$`)

/** The date-time in a cursor: `Z` or an offset (Postgres writes `+00:00`). */
const offsetDateTimePattern = new RegExp(`^${dateSource}T${timeSource}(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`)

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/**
 * Decodes base64 as Node's `Buffer` does (the store's decoder), then reads the bytes as ASCII:
 * characters outside the alphabet are skipped, `-` and `_` read as `+` and `/`, and the first `=`
 * ends the data. Written out so that the client needs no `Buffer` and runs in browsers.
 */
export const decodeBase64Ascii = (encoded: string): string => {
  let bits = 0
  let value = 0
  let out = ""
  for (const char of encoded) {
    if (char === "=") break
    const index = base64Alphabet.indexOf(char === "-" ? "+" : char === "_" ? "/" : char)
    if (index < 0) continue
    value = (value << 6) | index
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out += String.fromCharCode((value >> bits) & 0x7f)
    }
  }
  return out
}

/** A cursor as the store writes it: base64 of `<last_modified_at>||<record uuid>`. */
export const encodeCursor = (lastModifiedAt: string, id: string): string => btoa(`${lastModifiedAt}||${id}`)

/** A cursor the store can read: its date-time and record id. */
export interface DecodedCursor {
  readonly sort: string
  readonly id: string
}

/** The cursor's parts when the store can read it, undefined when it would answer 500. */
export const decodeCursor = (cursor: string): DecodedCursor | undefined => {
  const parts = decodeBase64Ascii(cursor).split("||")
  if (parts.length !== 2) return undefined
  const [sort, id] = parts as [string, string]
  return offsetDateTimePattern.test(sort) && uuidPattern.test(id) ? { sort, id } : undefined
}

/** Why a cursor cannot be sent, or undefined when it can. */
export const cursorIssue = (cursor: string): string | undefined => {
  if (cursor.length === 0 || cursor.length > maxCursorLength) {
    return `a cursor has 1 to ${maxCursorLength} characters`
  }
  return decodeCursor(cursor) === undefined
    ? "not a cursor Nango wrote (base64 of a date-time and a record id): Nango would answer 500"
    : undefined
}

/** Why `modified_after` cannot be sent at `nowMillis`, or undefined when it can. */
export const modifiedAfterIssue = (modifiedAfter: string, nowMillis: number): string | undefined => {
  if (!utcDateTimePattern.test(modifiedAfter)) {
    return "modifiedAfter is an ISO date-time in UTC, ending in Z (2026-01-15T10:00:00.000Z), or a Date"
  }
  return Date.parse(modifiedAfter) < nowMillis - lookbackMillis
    ? "modifiedAfter must be within the last 365 days"
    : undefined
}

// -----------------------------------------------------------------------------
// The request
// -----------------------------------------------------------------------------

/** One page's query, checked: what `listRecords` sends. */
export interface RecordsQuery {
  readonly model: string
  readonly variant?: string | undefined
  /** An ISO date-time in UTC. */
  readonly modifiedAfter?: string | undefined
  readonly filter?: ReadonlyArray<RecordAction> | undefined
  readonly ids?: ReadonlyArray<string> | undefined
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
}

/** The target of one page: `/records` and its query, `ids` repeated as the server's `qs` reads an array. */
export const recordsTarget = (query: RecordsQuery): string => {
  const params = new URLSearchParams({ model: query.model })
  if (query.variant !== undefined) params.set("variant", query.variant)
  if (query.modifiedAfter !== undefined) params.set("modified_after", query.modifiedAfter)
  if (query.limit !== undefined) params.set("limit", String(query.limit))
  if (query.filter !== undefined) params.set("filter", query.filter.join(","))
  if (query.cursor !== undefined) params.set("cursor", query.cursor)
  for (const id of query.ids ?? []) params.append("ids", id)
  return `${recordsPath}?${params.toString()}`
}

/** The headers that name the connection whose records are read. */
export const connectionHeaders = (connectionId: string, providerConfigKey: string): Record<string, string> => ({
  "connection-id": connectionId,
  "provider-config-key": providerConfigKey,
})
