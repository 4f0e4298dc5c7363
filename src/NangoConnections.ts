/**
 * The connections client: read a connection with its credentials, list and find connections by
 * tag, patch, delete, and set their metadata. Each call is an `Effect` with a typed error channel,
 * on the same engine as `NangoConnect` (retry, timeouts, spans, body cap, the undici fast path).
 *
 * @since 0.3.0
 */
import { type ConfigError, type DurationInput, decodeUnknownCheck, paginate, ServiceTag } from "#effect"
import * as Effect from "#effect/Effect"
import type * as HttpClient from "#effect/HttpClient"
import * as Layer from "#effect/Layer"
import * as Option from "#effect/Option"
import * as Redacted from "#effect/Redacted"
import type * as Schedule from "#effect/Schedule"
import * as Stream from "#effect/Stream"
import {
  type ConnectionMethod,
  connectionIdIssue,
  connectionIdsIssues,
  connectionPath,
  connectionsPath,
  connectionTarget,
  deleteRefinements,
  getParams,
  getRefinements,
  listTarget,
  maxPageSize,
  metadataPath,
  nextPage,
  patchRefinements,
} from "../nango/src/connection-requests.js"
import { prepareBody } from "../nango/src/json-body.js"
import { connectionBodyIssues, connectionPatchIssues, listQueryIssues } from "../nango/src/rules.js"
import * as Awaiting from "./internal/awaiting.js"
import * as Check from "./internal/check.js"
import {
  type BodyRules,
  checkInput,
  expectSuccess,
  fromEnvironment,
  makeClient,
  noRules,
  readJson,
  withChecked,
} from "./internal/client.js"
import * as Endpoint from "./internal/endpoint.js"
import type * as Errors from "./internal/errors.js"
import { invalid } from "./internal/options.js"
import * as NangoConnect from "./NangoConnect.js"
import { type InvalidInput, NotFound } from "./NangoConnectError.js"
import {
  type AwaitConnectionError,
  type DeleteConnectionError,
  type GetConnectionError,
  InvalidCredentials,
  type ListConnectionsError,
  type MetadataError,
  type NangoConnectionsError,
  type PatchConnectionError,
  UnknownIntegration,
} from "./NangoConnectionsError.js"
import {
  AwaitConnectionQuery,
  Connection,
  ConnectionList,
  type ConnectionSummary,
  DeleteConnectionOptions,
  GetConnectionOptions,
  ListConnectionsQuery,
  MetadataInput,
  PatchConnectionInput,
} from "./NangoConnectionsSchema.js"
import type { NangoWebhook } from "./NangoWebhookSchema.js"

// -----------------------------------------------------------------------------
// Service Interface
// -----------------------------------------------------------------------------

/**
 * The operations of the connections client. Each returns an `Effect` (or a `Stream`) whose error
 * channel lists exactly the failures that call can produce. Ids and keys are percent-encoded.
 *
 * @since 0.3.0
 * @category models
 */
export interface Service {
  /**
   * Reads one connection with its credentials (`GET /connections/{id}`); a key without the
   * `read_credentials` scope gets `credentials: {}`. Bad credentials fail with `InvalidCredentials`,
   * which carries the connection. A `forceRefresh` call is never retried after the server may have
   * acted on it.
   *
   * @example
   * ```ts
   * const connection = yield* connections.getConnection("conn-1", { providerConfigKey: "github" })
   * if (connection.credentials.type === "OAUTH2") use(Redacted.value(connection.credentials.access_token))
   * ```
   */
  readonly getConnection: (
    connectionId: string,
    options: GetConnectionOptions,
  ) => Effect.Effect<Connection, GetConnectionError>
  /**
   * Lists one page of connections (`GET /connections`), newest first, without credentials.
   *
   * @example
   * ```ts
   * const page = yield* connections.listConnections({ tags: { team: "blue" }, limit: 100 })
   * ```
   */
  readonly listConnections: (
    query?: ListConnectionsQuery,
  ) => Effect.Effect<ReadonlyArray<ConnectionSummary>, ListConnectionsError>
  /**
   * Every connection that matches, page after page (`limit` per page, 2,000 by default, from
   * `page`, 0 by default); the stream ends after the first page shorter than its limit.
   *
   * @example
   * ```ts
   * const all = yield* Stream.runCollect(connections.streamConnections({ integrationId: "github" }))
   * ```
   */
  readonly streamConnections: (query?: ListConnectionsQuery) => Stream.Stream<ConnectionSummary, ListConnectionsError>
  /**
   * Changes a connection's tags, end user or webhook URL (`PATCH /connections/{id}`). Tags are
   * replaced whole, as the server does: `tags: {}` clears them.
   *
   * @example
   * ```ts
   * yield* connections.patchConnection("conn-1", { providerConfigKey: "github", tags: { plan: "pro" } })
   * ```
   */
  readonly patchConnection: (
    connectionId: string,
    input: PatchConnectionInput,
  ) => Effect.Effect<void, PatchConnectionError>
  /**
   * Deletes a connection (`DELETE /connections/{id}`); an unknown connection or integration is `NotFound`.
   *
   * @example
   * ```ts
   * yield* connections.deleteConnection("conn-1", { providerConfigKey: "github" })
   * ```
   */
  readonly deleteConnection: (
    connectionId: string,
    options: DeleteConnectionOptions,
  ) => Effect.Effect<void, DeleteConnectionError>
  /**
   * Replaces the metadata of one connection or several (`POST /connections/metadata`); if any id
   * is unknown, nothing is written and the call fails with `NotFound`.
   *
   * @example
   * ```ts
   * yield* connections.setMetadata(["a", "b"], { providerConfigKey: "github", metadata: { plan: "pro" } })
   * ```
   */
  readonly setMetadata: (
    connectionId: string | ReadonlyArray<string>,
    input: MetadataInput,
  ) => Effect.Effect<void, MetadataError>
  /**
   * Merges keys into the metadata of one connection or several (`PATCH /connections/metadata`),
   * one level deep: a nested object given replaces the stored one.
   *
   * @example
   * ```ts
   * yield* connections.updateMetadata("conn-1", { providerConfigKey: "github", metadata: { seats: 3 } })
   * ```
   */
  readonly updateMetadata: (
    connectionId: string | ReadonlyArray<string>,
    input: MetadataInput,
  ) => Effect.Effect<void, MetadataError>
  /**
   * Waits for the connection an end user makes through a Connect session created with `tags`:
   * resolved as soon as `receiveWebhook` is handed the verified `auth` webhook that announces it,
   * and otherwise by polling `GET /connections` on `options.schedule` (every 2 s by default); fails
   * with `AwaitConnectionTimeout` at `options.timeout` (5 minutes by default). A connection found by
   * polling counts only if created at or after `options.since`, when given.
   *
   * @example
   * ```ts
   * const connection = yield* connections.awaitConnection({ tags: { end_user_id: "user-42" } })
   * ```
   */
  readonly awaitConnection: (
    query: AwaitConnectionQuery,
    options?: AwaitOptions,
  ) => Effect.Effect<ConnectionSummary, AwaitConnectionError>
  /**
   * Hands a verified webhook to the service: a successful `auth` webhook ends every
   * `awaitConnection` waiting for its connection. Any other webhook is ignored.
   *
   * @example
   * ```ts
   * const webhook = yield* NangoWebhook.verify(body, headers, { signingKeys })
   * yield* connections.receiveWebhook(webhook)
   * ```
   */
  readonly receiveWebhook: (webhook: NangoWebhook) => Effect.Effect<void>
}

// -----------------------------------------------------------------------------
// Service Identifier
// -----------------------------------------------------------------------------

/**
 * The connections client service; provide it with `NangoConnections.layer` or `NangoConnections.layerConfig`.
 *
 * @since 0.3.0
 * @category tags
 */
export class NangoConnections extends ServiceTag<NangoConnections, Service>()("effect-nango/NangoConnections") {}

/**
 * What `make` and `layer` need: the same options as `NangoConnect`.
 *
 * @since 0.3.0
 * @category options
 */
export type Options = NangoConnect.Options

/**
 * How `awaitConnection` waits: what counts, how often the listing is polled, and for how long.
 *
 * @since 0.3.0
 * @category options
 */
export interface AwaitOptions {
  /** Only a connection created at or after this instant counts when found by polling (one whose `created` Nango left out never does). */
  readonly since?: Date
  /** When to poll `GET /connections` again after a poll found nothing. Default: every 2 seconds. */
  readonly schedule?: Schedule.Schedule<unknown>
  /** The deadline, from the call: then the wait fails with `AwaitConnectionTimeout`. Default 5 minutes. */
  readonly timeout?: DurationInput
}

// -----------------------------------------------------------------------------
// Errors by status and code
// -----------------------------------------------------------------------------

const decodeConnection = decodeUnknownCheck(Connection)

/** The connection a 424 or a failed refresh carries in `error.payload.connection`, when it decodes. */
const payloadConnection = (payload: unknown): Connection | undefined =>
  typeof payload === "object" && payload !== null && "connection" in payload
    ? Check.getOrUndefined(decodeConnection(payload.connection))
    : undefined

const getRefined: Errors.Refined<"InvalidCredentials" | "UnknownIntegration", InvalidCredentials | UnknownIntegration> =
  {
    refinements: getRefinements,
    make: (tag, fields, { payload }) => {
      if (tag === "UnknownIntegration") return new UnknownIntegration(fields)
      const connection = payloadConnection(payload)
      return new InvalidCredentials(
        connection === undefined
          ? fields
          : {
              ...fields,
              connectionId: connection.connection_id,
              providerConfigKey: connection.provider_config_key,
              connection: Redacted.make(connection),
            },
      )
    },
  }

const patchRefined: Errors.Refined<"UnknownIntegration", UnknownIntegration> = {
  refinements: patchRefinements,
  make: (_, fields) => new UnknownIntegration(fields),
}

const deleteRefined: Errors.Refined<"NotFound", NotFound> = {
  refinements: deleteRefinements,
  make: (_, fields) => new NotFound(fields),
}

// -----------------------------------------------------------------------------
// Input
// -----------------------------------------------------------------------------

/** Runs `use` with a connection id once it is checked; nothing is sent for a bad one. */
const withConnectionId = <A, E>(
  connectionId: string,
  method: ConnectionMethod,
  use: (connectionId: string) => Effect.Effect<A, E>,
): Effect.Effect<A, E | InvalidInput> =>
  Effect.suspend((): Effect.Effect<A, E | InvalidInput> => {
    const issue = connectionIdIssue(connectionId, method)
    return issue === undefined ? use(connectionId) : Effect.fail(invalid("connectionId", [issue]))
  })

/** Reads one id or an array of them, safely, each checked (`nango/src/connection-requests.ts`). */
const checkConnectionIds = (value: unknown): Check.Check<string | ReadonlyArray<string>, InvalidInput> => {
  const prepared = prepareBody(value)
  const issues = prepared.issues.length > 0 ? prepared.issues : connectionIdsIssues(prepared.body)
  return issues.length > 0
    ? Check.fail(invalid("connectionId", issues))
    : Check.succeed(prepared.body as string | ReadonlyArray<string>)
}

/** The server's rule for a metadata body: no string it would store but cannot. */
const metadataRules: BodyRules = (_, unstorable) => connectionBodyIssues(unstorable)

/** The server's rule for a listing's query: no string it cannot search for. */
const listRules: BodyRules = (_, unstorable) => listQueryIssues(unstorable)

// -----------------------------------------------------------------------------
// Endpoints
// -----------------------------------------------------------------------------

/** The endpoints of the connections client, built once per client. */
const endpointsOf = (policies: Endpoint.Policies, maxBytes: number) => {
  const endpoint = <A, E extends NangoConnectionsError>(definition: Endpoint.Definition<A, E>) =>
    Endpoint.make(policies, { ...definition, name: `NangoConnections.${definition.name}` })
  const getConnection = (idempotent: boolean) =>
    endpoint({
      name: "getConnection",
      method: "GET",
      path: connectionPath,
      idempotent,
      onResponse: readJson(Connection, (connection) => connection, [400, 401, 403, 404], maxBytes, getRefined),
    })
  const read = getConnection(true)
  // A forced refresh changes the credentials: a repeat after the server may have acted is not harmless.
  const readRefreshing = getConnection(false)
  const list = endpoint({
    name: "listConnections",
    method: "GET",
    path: connectionsPath,
    idempotent: true,
    onResponse: readJson(ConnectionList, (body) => body.connections, [400, 401, 403], maxBytes),
  })
  // Setting the same tags or metadata twice leaves the same state: these are idempotent.
  const patch = endpoint({
    name: "patchConnection",
    method: "PATCH",
    path: connectionPath,
    idempotent: true,
    onResponse: expectSuccess([400, 401, 403, 404], patchRefined),
  })
  // A repeated DELETE answers unknown_connection: not idempotent as the server answers it.
  const remove = endpoint({
    name: "deleteConnection",
    method: "DELETE",
    path: connectionPath,
    idempotent: false,
    onResponse: expectSuccess([400, 401, 403, 404], deleteRefined),
  })
  const metadata = (name: string, method: "POST" | "PATCH") =>
    endpoint({ name, method, path: metadataPath, idempotent: true, onResponse: expectSuccess([400, 401, 403, 404]) })
  const setMetadata = metadata("setMetadata", "POST")
  const updateMetadata = metadata("updateMetadata", "PATCH")
  return { read, readRefreshing, list, patch, remove, setMetadata, updateMetadata }
}

/** The input checks of each call, built once. */
const checkGet = checkInput(GetConnectionOptions, noRules, "query")
const checkList = checkInput(ListConnectionsQuery, listRules, "query")
// A patch: no string the server cannot store, at most 10 tags once merged with those of end_user.
const checkPatch = checkInput(PatchConnectionInput, connectionPatchIssues)
const checkDelete = checkInput(DeleteConnectionOptions, noRules, "query")
const checkMetadata = checkInput(MetadataInput, metadataRules)
const checkAwait = checkInput(AwaitConnectionQuery, listRules, "query")

// -----------------------------------------------------------------------------
// Constructor
// -----------------------------------------------------------------------------

/**
 * Builds the client from options, on the `HttpClient` in context; fails with `InvalidInput` as
 * `NangoConnect.make` does.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const { policies, maxBytes, secretBearer } = yield* makeClient(options, NangoConnect.defaults)
    const { read, readRefreshing, list, patch, remove, setMetadata, updateMetadata } = endpointsOf(policies, maxBytes)

    const listPage = (query: ListConnectionsQuery) => list(secretBearer, undefined, listTarget(query))
    const awaiter = yield* Awaiting.makeAwaiter(listPage)
    const metadataCall =
      (send: typeof setMetadata) => (connectionId: string | ReadonlyArray<string>, input: MetadataInput) =>
        Effect.suspend(() => {
          const ids = checkConnectionIds(connectionId)
          return ids.ok
            ? withChecked(checkMetadata, ({ providerConfigKey, metadata }) =>
                send(
                  secretBearer,
                  JSON.stringify({ connection_id: ids.value, provider_config_key: providerConfigKey, metadata }),
                ),
              )(input)
            : Effect.fail(ids.error)
        })

    return NangoConnections.of({
      getConnection: (connectionId, options) =>
        withConnectionId(connectionId, "GET", (id) =>
          withChecked(checkGet, (query) =>
            (query.forceRefresh === true ? readRefreshing : read)(
              secretBearer,
              undefined,
              connectionTarget(id, getParams(query)),
            ),
          )(options),
        ),
      listConnections: (query = {}) => withChecked(checkList, listPage)(query),
      streamConnections: (query = {}) =>
        Stream.unwrap(
          Effect.map(Check.toEffect(checkList(query)), (checked) =>
            paginate<ListConnectionsQuery, ConnectionSummary, ListConnectionsError, never>(
              { ...checked, limit: checked.limit ?? maxPageSize, page: checked.page ?? 0 },
              (page) =>
                Effect.map(listPage(page), (items) => {
                  const next = nextPage(page, items.length)
                  return [items, next === undefined ? Option.none() : Option.some(next)] as const
                }),
            ),
          ),
        ),
      patchConnection: (connectionId, input) =>
        withConnectionId(connectionId, "PATCH", (id) =>
          withChecked(checkPatch, ({ providerConfigKey, ...body }) =>
            patch(
              secretBearer,
              JSON.stringify(body),
              connectionTarget(id, [["provider_config_key", providerConfigKey]]),
            ),
          )(input),
        ),
      deleteConnection: (connectionId, options) =>
        withConnectionId(connectionId, "DELETE", (id) =>
          withChecked(checkDelete, ({ providerConfigKey }) =>
            remove(secretBearer, undefined, connectionTarget(id, [["provider_config_key", providerConfigKey]])),
          )(options),
        ),
      setMetadata: metadataCall(setMetadata),
      updateMetadata: metadataCall(updateMetadata),
      awaitConnection: (query, options) =>
        withChecked(checkAwait, (awaited) => awaiter.awaitConnection(awaited, options))(query),
      receiveWebhook: awaiter.receiveWebhook,
    })
  })

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Provides `NangoConnections` from options; needs an `HttpClient` (for example `FetchHttpClient.layer`).
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<NangoConnections, InvalidInput, HttpClient.HttpClient> =>
  Layer.effect(NangoConnections, make(options))

/**
 * Provides `NangoConnections` from the environment: `NANGO_SECRET_KEY` (redacted) and `NANGO_HOST`
 * (default `https://api.nango.dev`); other options are passed as they are.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "secretKey" | "baseUrl"> = {},
): Layer.Layer<NangoConnections, ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    NangoConnections,
    fromEnvironment(NangoConnect.defaults.baseUrl, (settings) => make({ ...options, ...settings })),
  )
