/**
 * The emulator's synced records and `GET /records`, as the server and its Postgres store answer:
 * the strict query, the connection headers, order by `(updated_at, id)`, `modified_after` as
 * "updated at or after", the `filter` combinations as the store builds them, pages of `limit`
 * with a cursor that means "strictly after", and the store's 500 for a cursor it cannot read.
 * Timestamps have microseconds and are written as Postgres' `to_json` writes them.
 */
import { randomUUID } from "node:crypto"
import {
  decodeCursor,
  defaultRecordsLimit,
  encodeCursor,
  lookbackMillis,
  maxCursorLength,
  maxRecordIdLength,
  maxRecordIds,
  maxRecordsLimit,
  utcDateTimePattern,
} from "../records-requests.js"
import {
  checkQuery,
  connectionIdRule,
  headerQuery,
  integrationRule,
  lengthRule,
  numberRule,
  type QueryRule,
  readQuery,
} from "./connection-queries.js"
import type { Connections } from "./connections.js"
import { invalid, type Reply } from "./replies.js"

/** One stored record: its payload, the store's ids and its timestamps in microseconds. */
export interface StoredRecord {
  /** The store's own id, which orders records updated in the same microsecond. */
  readonly uuid: string
  readonly externalId: string
  payload: Record<string, unknown>
  readonly createdMicros: number
  updatedMicros: number
  deletedMicros: number | null
}

/** Which records a seed or a sync run writes: whole payloads with their `id`, or ids to delete. */
export interface RecordsTarget {
  readonly connectionId: string
  readonly providerConfigKey: string
  readonly model: string
  /** The sync's variant; `base` or none is the model itself. */
  readonly variant?: string | undefined
}

/** What one write changed, counted as the sync webhook counts it. */
export interface RecordChanges {
  readonly added: number
  readonly updated: number
  readonly deleted: number
}

/** A timestamp in microseconds as Postgres' `to_json` writes a `timestamptz` in UTC. */
export const postgresTimestamp = (micros: number): string => {
  const iso = new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)
  const fraction = String(micros % 1_000_000)
    .padStart(6, "0")
    .replace(/0+$/, "")
  return `${iso}${fraction === "" ? "" : `.${fraction}`}+00:00`
}

/** The last action the store reports for a record. */
const lastAction = (record: StoredRecord): "ADDED" | "UPDATED" | "DELETED" =>
  record.deletedMicros !== null ? "DELETED" : record.createdMicros === record.updatedMicros ? "ADDED" : "UPDATED"

/** The record as `GET /records` returns it: its payload, `id` forced to the external id, and `_nango_metadata`. */
const present = (record: StoredRecord) => {
  const lastModifiedAt = postgresTimestamp(record.updatedMicros)
  return {
    ...record.payload,
    id: record.externalId,
    _nango_metadata: {
      first_seen_at: postgresTimestamp(record.createdMicros),
      last_modified_at: lastModifiedAt,
      last_action: lastAction(record),
      deleted_at: record.deletedMicros === null ? null : postgresTimestamp(record.deletedMicros),
      pruned_at: null,
      cursor: encodeCursor(lastModifiedAt, record.uuid),
    },
  }
}

/** Whether a record passes `filter`, combination by combination as the store writes its SQL. */
const passesFilter = (record: StoredRecord, filter: string): boolean => {
  const upper = filter.toUpperCase()
  const deleted = record.deletedMicros !== null
  const added = record.createdMicros === record.updatedMicros
  if (upper.includes("ADDED") && upper.includes("UPDATED")) return !deleted
  if (upper.includes("UPDATED") && upper.includes("DELETED")) return !deleted && !added
  if (upper.includes("ADDED") && upper.includes("DELETED")) return !deleted && added
  if (upper === "ADDED") return !deleted && added
  if (upper === "UPDATED") return !deleted && !added
  if (upper === "DELETED") return deleted
  return true
}

const filterWords = new Set(["added", "updated", "deleted", "ADDED", "UPDATED", "DELETED"])

/** `modified_after` (and `delta`): a zod datetime in UTC, within the last 12 months at `nowMillis`. */
const modifiedAfterRule = (nowMillis: number): QueryRule => ({
  check: (value) =>
    !utcDateTimePattern.test(value)
      ? "Invalid ISO datetime"
      : Date.parse(value) < nowMillis - lookbackMillis
        ? "must be within the last 12 months"
        : undefined,
})

/** The rules of the server's strict query schema for `GET /records`. */
const recordsRules = (nowMillis: number): Record<string, QueryRule> => ({
  model: { required: true, check: () => undefined },
  variant: { check: () => undefined },
  delta: modifiedAfterRule(nowMillis),
  modified_after: modifiedAfterRule(nowMillis),
  limit: numberRule(1, maxRecordsLimit),
  filter: {
    check: (value) =>
      value.split(",").every((word) => filterWords.has(word))
        ? undefined
        : 'Invalid option: expected one of "added"|"updated"|"deleted"|"ADDED"|"UPDATED"|"DELETED"',
  },
  cursor: lengthRule(1, maxCursorLength),
  ids: { repeatable: { maxItems: maxRecordIds }, ...lengthRule(1, maxRecordIdLength) },
})

/** The query's issues as the server's strict schema reports them, and the values it read. */
const readRecordsQuery = (params: URLSearchParams, nowMillis: number) => {
  const query = readQuery(params)
  const { issues, read } = checkQuery(query, recordsRules(nowMillis))
  return {
    issues,
    model: read.model ?? "",
    variant: read.variant,
    modifiedAfter: read.delta ?? read.modified_after,
    limit: read.limit === undefined ? defaultRecordsLimit : Number(read.limit),
    filter: read.filter,
    cursor: read.cursor,
    ids: query.values.get("ids"),
  }
}

/** The connection headers, as the server's strict schema over them checks them. */
const connectionHeaderRules = { "connection-id": connectionIdRule, "provider-config-key": integrationRule }

/** Where the store keeps a model's records for one connection: its internal id, the model, and the variant unless `base`. */
const storeKey = (connection: number, model: string, variant: string | undefined): string =>
  `${connection}|${model}${variant === undefined || variant === "base" ? "" : `::${variant}`}`

/** The synced records of every connection and model, and the `GET /records` endpoint. */
export class Records {
  private readonly byKey = new Map<string, Array<StoredRecord>>()
  private lastMicros = 0

  constructor(
    private readonly connections: Connections,
    private readonly now: () => number,
  ) {}

  /** The store's key of a model's records for one connection: by its internal id, as the store keys them. */
  private keyOf(target: RecordsTarget): string {
    const connection = this.connections.find(target.connectionId, target.providerConfigKey)
    if (connection === undefined) {
      throw new Error(`no connection "${target.connectionId}" for "${target.providerConfigKey}"`)
    }
    return storeKey(connection.id, target.model, target.variant)
  }

  /** A microsecond timestamp later than every earlier one, so that writes stay ordered. */
  private tick(): number {
    this.lastMicros = Math.max(this.now() * 1000, this.lastMicros + 1)
    return this.lastMicros
  }

  /** The records of one model, in the store's order. */
  list(target: RecordsTarget): ReadonlyArray<StoredRecord> {
    return this.byKey.get(this.keyOf(target)) ?? []
  }

  /** Writes whole payloads (each with a string `id`): new ones are added, changed ones updated, deleted ones revived. */
  upsert(target: RecordsTarget, payloads: ReadonlyArray<Record<string, unknown>>): RecordChanges {
    const key = this.keyOf(target)
    const stored = this.byKey.get(key) ?? []
    this.byKey.set(key, stored)
    let added = 0
    let updated = 0
    for (const payload of payloads) {
      const externalId = payload.id
      if (typeof externalId !== "string" || externalId === "") throw new Error("every record needs a string id")
      const existing = stored.find((record) => record.externalId === externalId)
      if (existing === undefined) {
        const micros = this.tick()
        stored.push({
          uuid: randomUUID(),
          externalId,
          payload,
          createdMicros: micros,
          updatedMicros: micros,
          deletedMicros: null,
        })
        added++
      } else if (existing.deletedMicros !== null || JSON.stringify(existing.payload) !== JSON.stringify(payload)) {
        existing.payload = payload
        existing.deletedMicros = null
        existing.updatedMicros = this.tick()
        updated++
      }
    }
    return { added, updated, deleted: 0 }
  }

  /** Marks records deleted, as a sync's deletion does: they stay, with `deleted_at`, and move to the end. */
  delete(target: RecordsTarget, ids: ReadonlyArray<string>): RecordChanges {
    let deleted = 0
    for (const record of this.list(target)) {
      if (ids.includes(record.externalId) && record.deletedMicros === null) {
        record.deletedMicros = record.updatedMicros = this.tick()
        deleted++
      }
    }
    return { added: 0, updated: 0, deleted }
  }

  /** Removes every record of a model, as a trigger with `emptyCache` does. */
  clear(target: RecordsTarget): void {
    this.byKey.delete(this.keyOf(target))
  }

  /** Answers `GET /records` once the key may read records. */
  answer(url: URL, headers: Readonly<Record<string, string>>): Reply {
    const query = readRecordsQuery(url.searchParams, this.now())
    if (query.issues.length > 0) return invalid("invalid_query_params", query.issues)
    const connectionId = headers["connection-id"]
    const providerConfigKey = headers["provider-config-key"]
    const invalidHeaders = checkQuery(
      headerQuery(headers, Object.keys(connectionHeaderRules)),
      connectionHeaderRules,
    ).issues
    if (invalidHeaders.length > 0) return invalid("invalid_headers", invalidHeaders)
    const connection = this.connections.find(connectionId as string, providerConfigKey as string)
    if (connection === undefined) {
      return {
        status: 400,
        body: {
          error: {
            code: "unknown_connection",
            message: "Provided ConnectionId and ProviderConfigKey does not match a valid connection",
          },
        },
      }
    }
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    if (query.cursor !== undefined && cursor === undefined) {
      return { status: 500, body: { error: { code: "server_error", message: "Failed to fetch records" } } }
    }
    const page = this.page(this.byKey.get(storeKey(connection.id, query.model, query.variant)) ?? [], query, cursor)
    return { status: 200, body: page }
  }

  /** One page: the matching records after the cursor, in order, and the cursor of the last when more follow. */
  private page(
    stored: ReadonlyArray<StoredRecord>,
    query: ReturnType<typeof readRecordsQuery>,
    cursor: { readonly sort: string; readonly id: string } | undefined,
  ) {
    const afterMicros = query.modifiedAfter === undefined ? undefined : Date.parse(query.modifiedAfter) * 1000
    const cursorMicros = cursor === undefined ? undefined : parseMicros(cursor.sort)
    const matching = [...stored]
      .sort((a, b) => a.updatedMicros - b.updatedMicros || (a.uuid < b.uuid ? -1 : 1))
      .filter(
        (record) =>
          (cursor === undefined ||
            record.updatedMicros > (cursorMicros as number) ||
            (record.updatedMicros === cursorMicros && record.uuid > cursor.id)) &&
          (query.ids === undefined || query.ids.includes(record.externalId)) &&
          (afterMicros === undefined || record.updatedMicros >= afterMicros) &&
          (query.filter === undefined || passesFilter(record, query.filter)),
      )
    const records = matching.slice(0, query.limit)
    const last = records[records.length - 1]
    const more = matching.length > query.limit && last !== undefined
    return {
      next_cursor: more ? encodeCursor(postgresTimestamp(last.updatedMicros), last.uuid) : null,
      records: records.map(present),
    }
  }
}

/** Microseconds since the epoch of a date-time with up to six decimals and an offset. */
const parseMicros = (dateTime: string): number => {
  const fraction = /\.(\d+)/.exec(dateTime)?.[1] ?? ""
  const millis = Date.parse(dateTime.replace(/\.\d+/, ""))
  return millis * 1000 + Number(fraction.padEnd(6, "0").slice(0, 6))
}
