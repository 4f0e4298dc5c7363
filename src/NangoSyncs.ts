/**
 * The synced-data client: read the records Nango's syncs keep, one page at a time or as a
 * `Stream` that follows the cursor to the end, and the records a `sync` webhook announces; start
 * syncs and read their status. Each
 * call is an `Effect` or a `Stream` with a typed error channel, on the same engine as
 * `NangoConnect` (retry, timeouts, spans, body cap, the undici fast path).
 *
 * @since 0.5.0
 */
import { type Codec, type ConfigError, decodeUnknownCheck, paginate, ServiceTag } from "#effect"
import * as Clock from "#effect/Clock"
import * as Effect from "#effect/Effect"
import type * as HttpClient from "#effect/HttpClient"
import * as Layer from "#effect/Layer"
import * as Option from "#effect/Option"
import * as Stream from "#effect/Stream"
import {
  connectionHeaders,
  modifiedAfterIssue,
  type RecordsQuery,
  recordsPath,
  recordsRefinements,
  recordsTarget,
} from "../nango/src/records-requests.js"
import {
  syncStatusPath,
  syncStatusTarget,
  triggerSyncBody,
  triggerSyncPath,
  triggerSyncRefinements,
} from "../nango/src/sync-requests.js"
import * as Check from "./internal/check.js"
import {
  checkInput,
  expectSuccess,
  fromEnvironment,
  makeClient,
  noRules,
  readJson,
  withChecked,
} from "./internal/client.js"
import * as Endpoint from "./internal/endpoint.js"
import * as Errors from "./internal/errors.js"
import { invalid } from "./internal/options.js"
import * as NangoConnect from "./NangoConnect.js"
import type { InvalidInput } from "./NangoConnectError.js"
import type { UnknownConnection } from "./NangoProxyError.js"
import { type ListRecordsError, SyncNotFound, type SyncStatusError, type TriggerSyncError } from "./NangoSyncsError.js"
import {
  ListRecordsQuery,
  type NangoRecord,
  RecordEnvelope,
  type RecordsPage,
  RecordsPageBody,
  type SyncStatus,
  SyncStatusBody,
  SyncStatusQuery,
  TriggerSyncInput,
} from "./NangoSyncsSchema.js"
import type { SyncWebhookSuccess } from "./NangoWebhookSchema.js"

/** A successful `sync` webhook, as `NangoWebhook` decodes it. */
type SyncSuccess = typeof SyncWebhookSuccess.Type

// -----------------------------------------------------------------------------
// Service Interface
// -----------------------------------------------------------------------------

/**
 * A record of a model read without a schema of its own: its fields as Nango stores them.
 *
 * @since 0.5.0
 * @category models
 */
export type UnknownRecord = { readonly [field: string]: unknown }

/**
 * What `streamChanges` takes besides the webhook: the kinds of change and the page size.
 *
 * @since 0.5.0
 * @category options
 */
export type ChangesOptions = Pick<ListRecordsQuery, "filter" | "limit">

/**
 * The operations of the synced-data client. Each record is decoded with the model's schema when
 * one is given (its `id` and `_nango_metadata` always are); reading is at least once: a record
 * changed while the pages are read moves to the end and comes again, newer.
 *
 * @since 0.5.0
 * @category models
 */
export interface Service {
  /**
   * Reads one page of a model's records (`GET /records`), oldest change first, and the cursor
   * of the next page (`null` on the last one).
   *
   * @example
   * ```ts
   * const page = yield* syncs.listRecords({ providerConfigKey: "github", connectionId: "conn-1", model: "Issue" }, Issue)
   * ```
   */
  readonly listRecords: <A = UnknownRecord, I = unknown>(
    query: ListRecordsQuery,
    model?: Codec<A, I>,
  ) => Effect.Effect<RecordsPage<A>, ListRecordsError>
  /**
   * Every record that matches, page after page, following `next_cursor` to the end. After a
   * failure, a new stream from the last record handled (`cursor: record._nango_metadata.cursor`)
   * goes on strictly after it.
   *
   * @example
   * ```ts
   * yield* syncs.streamRecords({ providerConfigKey: "github", connectionId: "conn-1", model: "Issue" }, Issue).pipe(
   *   Stream.runForEach((issue) => store.upsert(issue)),
   * )
   * ```
   */
  readonly streamRecords: <A = UnknownRecord, I = unknown>(
    query: ListRecordsQuery,
    model?: Codec<A, I>,
  ) => Stream.Stream<NangoRecord<A>, ListRecordsError>
  /**
   * The records a successful `sync` webhook announces: that connection's model (and variant),
   * changed at or after the webhook's `modifiedAfter` (the run's start), as `streamRecords` reads them.
   *
   * @example
   * ```ts
   * if (webhook.type === "sync" && webhook.success) yield* Stream.runForEach(syncs.streamChanges(webhook, Issue), save)
   * ```
   */
  readonly streamChanges: <A = UnknownRecord, I = unknown>(
    webhook: SyncSuccess,
    model?: Codec<A, I>,
    options?: ChangesOptions,
  ) => Stream.Stream<NangoRecord<A>, ListRecordsError>
  /**
   * Starts syncs now (`POST /sync/trigger`): for one connection, or for every connection of the
   * integration that has them; `reset` runs them from scratch, `emptyCache` also removes their
   * records. Never retried once Nango may have acted on it.
   *
   * @example
   * ```ts
   * yield* syncs.triggerSync({ providerConfigKey: "github", connectionId: "c1", syncs: ["issues"], reset: true })
   * ```
   */
  readonly triggerSync: (input: TriggerSyncInput) => Effect.Effect<void, TriggerSyncError>
  /**
   * Reads the status of syncs (`GET /sync/status`): every sync of the integration (`"*"`) or the
   * ones named, for one connection or every connection.
   *
   * @example
   * ```ts
   * const [issues] = yield* syncs.syncStatus({ providerConfigKey: "github", connectionId: "c1", syncs: ["issues"] })
   * ```
   */
  readonly syncStatus: (query: SyncStatusQuery) => Effect.Effect<ReadonlyArray<SyncStatus>, SyncStatusError>
}

// -----------------------------------------------------------------------------
// Service Identifier
// -----------------------------------------------------------------------------

/**
 * The synced-data client service; provide it with `NangoSyncs.layer` or `NangoSyncs.layerConfig`.
 *
 * @since 0.5.0
 * @category tags
 */
export class NangoSyncs extends ServiceTag<NangoSyncs, Service>()("effect-nango/NangoSyncs") {}

/**
 * What `make` and `layer` need: the same options as `NangoConnect`.
 *
 * @since 0.5.0
 * @category options
 */
export type Options = NangoConnect.Options

/**
 * The defaults: those of `NangoConnect`, with a larger body cap (16 MiB), since a page holds up to
 * 10,000 records.
 *
 * @since 0.5.0
 * @category options
 */
export const defaults = { ...NangoConnect.defaults, maxResponseBytes: 16 * 1024 * 1024 }

// -----------------------------------------------------------------------------
// Input
// -----------------------------------------------------------------------------

const checkQuery = checkInput(ListRecordsQuery, noRules, "query")
const checkTrigger = checkInput(TriggerSyncInput, noRules)
const checkStatus = checkInput(SyncStatusQuery, noRules, "query")

/**
 * Checks a query as the server would (its schema, then `modifiedAfter` against the clock) and
 * gives what is sent; nothing is sent for a refused one.
 */
const checkedQuery = (
  query: ListRecordsQuery,
): Effect.Effect<RecordsQuery & { readonly connectionId: string; readonly providerConfigKey: string }, InvalidInput> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const read = withDateAsText(query)
    const checked = read.ok ? checkQuery(read.value) : read
    if (!checked.ok) return Effect.fail(checked.error)
    const { modifiedAfter } = checked.value
    const issue = modifiedAfter === undefined ? undefined : modifiedAfterIssue(modifiedAfter, now)
    return issue === undefined ? Effect.succeed(checked.value) : Effect.fail(invalid("query", [issue]))
  })

/** The query with a `Date` given for `modifiedAfter` as its ISO text, read safely (a getter may throw). */
const withDateAsText = (query: ListRecordsQuery): Check.Check<typeof ListRecordsQuery.Type, InvalidInput> => {
  try {
    const modifiedAfter = (query as { readonly modifiedAfter?: unknown } | null | undefined)?.modifiedAfter
    if (!(modifiedAfter instanceof Date)) return Check.succeed(query as typeof ListRecordsQuery.Type)
    return Number.isNaN(modifiedAfter.getTime())
      ? Check.fail(invalid("query", ["modifiedAfter: an invalid Date"]))
      : Check.succeed({ ...query, modifiedAfter: modifiedAfter.toISOString() })
  } catch {
    return Check.fail(invalid("query", ["(root): the query could not be read"]))
  }
}

// -----------------------------------------------------------------------------
// Records
// -----------------------------------------------------------------------------

const decodeEnvelope = decodeUnknownCheck(RecordEnvelope)

/**
 * Decodes each record of a page: its model's fields with `model`, its `id` and `_nango_metadata`
 * always. A record that fails is named by its index and field, never by its values.
 */
const decodeRecords = <A, I>(model: Codec<A, I> | undefined) => {
  const decodeModel = model === undefined ? undefined : decodeUnknownCheck(model)
  return (records: ReadonlyArray<unknown>): Check.Check<ReadonlyArray<NangoRecord<A>>, ReadonlyArray<string>> => {
    const decoded: Array<NangoRecord<A>> = []
    for (let index = 0; index < records.length; index++) {
      const record = records[index]
      const envelope = decodeEnvelope(record)
      const fields = decodeModel === undefined ? Check.succeed(record as A) : decodeModel(record)
      if (!envelope.ok || !fields.ok) {
        const issues = [
          ...(envelope.ok ? [] : Errors.describeIssues(envelope.error)),
          ...(fields.ok ? [] : Errors.describeIssues(fields.error)),
        ]
        return Check.fail(issues.map((issue) => `records.${index}.${issue.replace(/^\(root\)(: )?/, "")}`))
      }
      decoded.push({ ...fields.value, ...envelope.value } as NangoRecord<A>)
    }
    return Check.succeed(decoded)
  }
}

/** The typed error of a failure, `UnknownConnection` naming the connection the call was for. */
const named = (
  failure: Errors.Unnamed,
  connection: { readonly connectionId?: string | undefined; readonly providerConfigKey: string },
) => (failure.tag === "SyncNotFound" ? new SyncNotFound(failure.fields) : Errors.unknownConnection(failure, connection))

// -----------------------------------------------------------------------------
// Constructor
// -----------------------------------------------------------------------------

/**
 * Builds the client from options, on the `HttpClient` in context; fails with `InvalidInput` as
 * `NangoConnect.make` does.
 *
 * @since 0.5.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const { policies, maxBytes, secretBearer } = yield* makeClient(options, defaults)
    const page = Endpoint.make(policies, {
      name: "NangoSyncs.listRecords",
      method: "GET",
      path: recordsPath,
      idempotent: true,
      onResponse: readJson(
        RecordsPageBody,
        (body) => body,
        [400, 401, 403],
        maxBytes,
        Errors.unnamed(recordsRefinements),
      ),
    })
    // Starting a sync twice runs it twice: only what Nango cannot have acted on is retried.
    const trigger = Endpoint.make(policies, {
      name: "NangoSyncs.triggerSync",
      method: "POST",
      path: triggerSyncPath,
      idempotent: false,
      onResponse: expectSuccess([400, 401, 403], Errors.unnamed(triggerSyncRefinements)),
    })
    const status = Endpoint.make(policies, {
      name: "NangoSyncs.syncStatus",
      method: "GET",
      path: syncStatusPath,
      idempotent: true,
      onResponse: readJson(SyncStatusBody, (body) => body.syncs, [400, 401, 403], maxBytes),
    })

    /** One page of a checked query, each record decoded. */
    const readPage = <A, I>(
      query: RecordsQuery & { readonly connectionId: string; readonly providerConfigKey: string },
      decode: ReturnType<typeof decodeRecords<A, I>>,
    ): Effect.Effect<RecordsPage<A>, ListRecordsError> =>
      page(
        secretBearer,
        undefined,
        recordsTarget(query),
        connectionHeaders(query.connectionId, query.providerConfigKey),
      ).pipe(
        Effect.mapError((error) =>
          error instanceof Errors.Unnamed ? (named(error, query) as UnknownConnection) : error,
        ),
        Effect.flatMap((body) => {
          const records = decode(body.records)
          return records.ok
            ? Effect.succeed({ records: records.value, next_cursor: body.next_cursor })
            : Effect.fail(Errors.decodeFailure({ method: "GET", path: recordsPath }, 200, records.error))
        }),
      )

    const streamRecords = <A = UnknownRecord, I = unknown>(query: ListRecordsQuery, model?: Codec<A, I>) =>
      Stream.unwrap(
        Effect.map(checkedQuery(query), (checked) => {
          const decode = decodeRecords(model)
          return paginate<typeof checked, NangoRecord<A>, ListRecordsError, never>(checked, (current) =>
            Effect.map(readPage(current, decode), ({ records, next_cursor }) => [
              records,
              next_cursor === null ? Option.none() : Option.some({ ...current, cursor: next_cursor }),
            ]),
          )
        }),
      )

    return NangoSyncs.of({
      listRecords: (query, model) =>
        Effect.flatMap(checkedQuery(query), (checked) => readPage(checked, decodeRecords(model))),
      streamRecords,
      streamChanges: (webhook, model, options) => {
        const modifiedAfter = webhook.modifiedAfter ?? webhook.queryTimeStamp ?? undefined
        return streamRecords(
          {
            ...options,
            providerConfigKey: webhook.providerConfigKey,
            connectionId: webhook.connectionId,
            model: webhook.model,
            ...(webhook.syncVariant === undefined ? {} : { variant: webhook.syncVariant }),
            ...(modifiedAfter === undefined ? {} : { modifiedAfter }),
          },
          model,
        )
      },
      triggerSync: withChecked(checkTrigger, (input) =>
        Effect.mapError(trigger(secretBearer, triggerSyncBody(input)), (error) =>
          error instanceof Errors.Unnamed ? named(error, input) : error,
        ),
      ),
      syncStatus: withChecked(checkStatus, (query) => status(secretBearer, undefined, syncStatusTarget(query))),
    })
  })

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Provides `NangoSyncs` from options; needs an `HttpClient` (for example `FetchHttpClient.layer`).
 *
 * @since 0.5.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<NangoSyncs, InvalidInput, HttpClient.HttpClient> =>
  Layer.effect(NangoSyncs, make(options))

/**
 * Provides `NangoSyncs` from the environment: `NANGO_SECRET_KEY` (redacted) and `NANGO_HOST`
 * (default `https://api.nango.dev`); other options are passed as they are.
 *
 * @since 0.5.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "secretKey" | "baseUrl"> = {},
): Layer.Layer<NangoSyncs, ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    NangoSyncs,
    fromEnvironment(NangoConnect.defaults.baseUrl, (settings) => make({ ...options, ...settings })),
  )
