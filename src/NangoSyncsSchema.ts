/**
 * Effect Schemas of Nango's synced records as `GET /records` answers them (each record's own
 * fields, its `id`, and `_nango_metadata` decoded: dates, the last action, the cursor), and of
 * what `listRecords` takes, with the bounds the server enforces.
 *
 * @since 0.5.0
 */
import {
  between,
  DateFromString,
  Literals,
  maxItems,
  maxLength,
  minItems,
  minLength,
  orDefault,
  Record,
  refine,
  Union,
} from "#effect"
import * as Schema from "#effect/Schema"
import {
  cursorIssue,
  maxCursorLength,
  maxRecordIdLength,
  maxRecordIds,
  maxRecordsLimit,
  recordActions,
} from "../nango/src/records-requests.js"
import { ConnectionId, IntegrationId } from "./NangoConnectSchema.js"

/** A field that decodes to `null` when Nango leaves it out or sends `null`. */
const orNull = <S extends Parameters<typeof orDefault>[0]>(schema: S) => orDefault(Schema.NullOr(schema), () => null)

/**
 * What Nango keeps about a record: when it was first seen and last changed, its last change
 * (`ADDED`, `UPDATED` or `DELETED`), when it was deleted or pruned, and its `cursor`, from which a
 * read resumes strictly after this record.
 *
 * @since 0.5.0
 * @category records
 */
export const RecordMetadata = Schema.Struct({
  first_seen_at: DateFromString,
  last_modified_at: DateFromString,
  last_action: Literals(["ADDED", "UPDATED", "DELETED"]),
  deleted_at: orNull(DateFromString),
  pruned_at: orNull(DateFromString),
  cursor: Schema.String,
})

/**
 * What Nango keeps about a record.
 *
 * @since 0.5.0
 * @category records
 */
export type RecordMetadata = typeof RecordMetadata.Type

/**
 * The part of every record the client decodes whatever the model: its `id` (Nango's external id,
 * always a string) and `_nango_metadata`.
 *
 * @since 0.5.0
 * @category records
 */
export const RecordEnvelope = Schema.Struct({ id: Schema.String, _nango_metadata: RecordMetadata })

/**
 * A synced record: the fields of its model (`A`, as the caller's schema decodes them), its `id`
 * and `_nango_metadata`.
 *
 * @since 0.5.0
 * @category records
 */
export type NangoRecord<A> = A & typeof RecordEnvelope.Type

/**
 * A page of `GET /records` before each record is decoded with its model's schema.
 *
 * @since 0.5.0
 * @category records
 */
export const RecordsPageBody = Schema.Struct({
  records: Schema.Array(Schema.Unknown),
  next_cursor: Schema.NullOr(Schema.String),
})

/**
 * One page of records and the cursor of the next page (`null` on the last one).
 *
 * @since 0.5.0
 * @category records
 */
export interface RecordsPage<A> {
  readonly records: ReadonlyArray<NangoRecord<A>>
  readonly next_cursor: string | null
}

/**
 * A kind of change: what `filter` selects.
 *
 * @since 0.5.0
 * @category requests
 */
export const RecordAction = Literals(recordActions)

/**
 * A cursor Nango wrote: 1–1,000 characters, and a form its store can read (a malformed one is
 * Nango's 500, so it is refused before sending).
 *
 * @since 0.5.0
 * @category requests
 */
export const RecordsCursor = Schema.String.pipe(
  maxLength(maxCursorLength),
  refine((cursor: string) => cursorIssue(cursor) ?? true),
)

/**
 * Which records of a connection's model to read, as the server takes them: `variant` (`base` is
 * the model itself), `modifiedAfter` (changed at or after it, within the last 365 days; a `Date`
 * or an ISO date-time in UTC), `filter` (the kinds of change), `ids` (at most 100, each 1–256
 * characters), `limit` per page (1–10,000; the server's default is 100) and `cursor` (read
 * strictly after the record that carries it).
 *
 * @since 0.5.0
 * @category requests
 */
export const ListRecordsQuery = Schema.Struct({
  providerConfigKey: IntegrationId,
  connectionId: ConnectionId.pipe(minLength(1)),
  model: Schema.String.pipe(minLength(1)),
  variant: Schema.optional(Schema.String.pipe(minLength(1))),
  modifiedAfter: Schema.optional(Schema.String),
  filter: Schema.optional(Schema.Array(RecordAction).pipe(minItems(1))),
  ids: Schema.optional(
    Schema.Array(Schema.String.pipe(minLength(1), maxLength(maxRecordIdLength))).pipe(maxItems(maxRecordIds)),
  ),
  limit: Schema.optional(Schema.Finite.pipe(between(1, maxRecordsLimit))),
  cursor: Schema.optional(RecordsCursor),
})

/**
 * Which records to read; `modifiedAfter` may also be a `Date`.
 *
 * @since 0.5.0
 * @category requests
 */
export type ListRecordsQuery = Omit<typeof ListRecordsQuery.Type, "modifiedAfter"> & {
  readonly modifiedAfter?: Date | string | undefined
}

// -----------------------------------------------------------------------------
// Syncs
// -----------------------------------------------------------------------------

/**
 * A sync: its name (the `base` variant), or its name and variant.
 *
 * @since 0.5.0
 * @category requests
 */
export const SyncSelector = Union([Schema.String, Schema.Struct({ name: Schema.String, variant: Schema.String })])

/**
 * What `triggerSync` starts: the syncs of one integration, for one connection or (without
 * `connectionId`) for every connection that has them. `reset` runs them from scratch (their
 * checkpoints cleared); `emptyCache` also removes the records they keep.
 *
 * @since 0.5.0
 * @category requests
 */
export const TriggerSyncInput = Schema.Struct({
  providerConfigKey: IntegrationId,
  connectionId: Schema.optional(ConnectionId.pipe(minLength(1))),
  syncs: Schema.Array(SyncSelector),
  reset: Schema.optional(Schema.Boolean),
  emptyCache: Schema.optional(Schema.Boolean),
})

/**
 * What `triggerSync` starts.
 *
 * @since 0.5.0
 * @category requests
 */
export type TriggerSyncInput = typeof TriggerSyncInput.Type

/** A sync as the status query can name it: no `,` (the list's separator), no `::` in the name. */
const QueryableName = Schema.String.pipe(
  minLength(1),
  refine((name: string) => !name.includes(",") || "a sync named in a status query cannot hold a comma"),
)

/**
 * Whose status `syncStatus` reads: every sync of the integration (`"*"`) or the ones named, for
 * one connection or every connection.
 *
 * @since 0.5.0
 * @category requests
 */
export const SyncStatusQuery = Schema.Struct({
  providerConfigKey: IntegrationId,
  connectionId: Schema.optional(ConnectionId.pipe(minLength(1))),
  syncs: Union([
    Schema.Literal("*"),
    Schema.Array(
      Union([
        QueryableName.pipe(refine((name: string) => !name.includes("::") || "a sync's name cannot hold ::")),
        Schema.Struct({ name: QueryableName, variant: QueryableName }),
      ]),
    ).pipe(minItems(1)),
  ]),
})

/**
 * Whose status `syncStatus` reads.
 *
 * @since 0.5.0
 * @category requests
 */
export type SyncStatusQuery = typeof SyncStatusQuery.Type

/**
 * The status of one sync of one connection, as `GET /sync/status` reports it. Fields Nango leaves
 * out or sends as `null` decode to `null` (`recordCount` to `{}`).
 *
 * @since 0.5.0
 * @category responses
 */
export const SyncStatus = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  variant: orNull(Schema.String),
  connection_id: orNull(Schema.String),
  status: Literals(["RUNNING", "SUCCESS", "ERROR", "PAUSED", "STOPPED"]),
  type: orNull(Schema.String),
  finishedAt: orNull(DateFromString),
  nextScheduledSyncAt: orNull(DateFromString),
  frequency: orNull(Schema.String),
  latestResult: orNull(Schema.Unknown),
  recordCount: orDefault(Schema.NullOr(Record(Schema.String, Schema.Number)), () => ({})),
  checkpoint: orNull(Schema.Unknown),
})

/**
 * The status of one sync of one connection.
 *
 * @since 0.5.0
 * @category responses
 */
export type SyncStatus = typeof SyncStatus.Type

/**
 * The body of `GET /sync/status`.
 *
 * @since 0.5.0
 * @category responses
 */
export const SyncStatusBody = Schema.Struct({ syncs: Schema.Array(SyncStatus) })
