/**
 * A local, Nango-compatible server for the four Connect-session endpoints, on `node:http` and
 * 127.0.0.1: token format and 30-minute expiry, the 401 codes, validation 400s with `errors[]`,
 * 204 on delete, 429 with `Retry-After` past a configured limit, CORS, and injectable faults.
 * It backs the demo, the tests and `effect-nango/testing`. This module is the server and its
 * controls; each concern is a module of `emulator/`: the models (`types`), the replies and request
 * helpers (`replies`), the router (`router`), the sessions (`sessions`), faults and the rate
 * limiter (`faults`), the socket (`socket`); webhook delivery is `webhook-delivery.ts`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Actions } from "./emulator/actions.js"
import { sampleCredentials } from "./emulator/connection-records.js"
import { Faults, playFault, RateLimiter } from "./emulator/faults.js"
import { ProxyEndpoint } from "./emulator/proxy.js"
import { type RecordChanges, Records, type RecordsTarget, type StoredRecord } from "./emulator/records.js"
import { parseJson, toOutcome } from "./emulator/replies.js"
import * as Router from "./emulator/router.js"
import { connectionEndUser, Sessions } from "./emulator/sessions.js"
import { readRequest, writeOutcome } from "./emulator/socket.js"
import { Syncs } from "./emulator/syncs.js"
import type {
  CompletedSession,
  CompleteSessionOptions,
  Fault,
  IncomingRequest,
  Options,
  Outcome,
  ProxiedRequest,
  ReceivedRequest,
  RefreshBehaviour,
  SeedConnection,
  StoredConnection,
  StoredSession,
  SyncRunOptions,
  SyncRunReport,
  TriggeredAction,
  TriggeredSync,
} from "./emulator/types.js"
import {
  asyncActionWebhookBody,
  authWebhookBody,
  type DeliveryReport,
  defaultRetryDelaysMs,
  deliverWebhook,
  syncWebhookBody,
  type WebhookTarget,
} from "./webhook-delivery.js"

export type { RecordChanges, RecordsTarget, StoredRecord } from "./emulator/records.js"
export { sessionTtlMs } from "./emulator/sessions.js"
export type * from "./emulator/types.js"

/** Each accepted key's scopes: every scope, none (`keysWithoutScope`), or the ones `keyScopes` gives. */
const keyScopes = (keys: ReadonlyArray<string>, options: Options): ReadonlyMap<string, ReadonlyArray<string>> =>
  new Map([
    ...keys.map((key) => [key.toLowerCase(), ["environment:*"]] as const),
    ...(options.keysWithoutScope ?? []).map((key) => [key.toLowerCase(), []] as const),
    ...Object.entries(options.keyScopes ?? {}).map(([key, scopes]) => [key.toLowerCase(), scopes] as const),
  ])

/** Waits in real time. */
const realSleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/**
 * A running emulator: its URL, the secret key it accepts, what it received, and its controls.
 *
 * @since 0.1.0
 * @category models
 */
export class NangoEmulator {
  /** The base URL, `http://127.0.0.1:<port>` followed by the base path, if any. */
  readonly url: string
  /** The first accepted secret key. */
  readonly secretKey: string
  /** Every request received, in order. */
  readonly requests: Array<ReceivedRequest> = []
  /** Sessions by token, deleted ones removed. */
  readonly sessions: Map<string, StoredSession>
  /** Every session created, in order, deleted ones included. */
  readonly created: Array<StoredSession>
  /** The tokens of the sessions deleted, in order. */
  readonly deleted: Array<string>
  /** The environment's webhook signing key: what the receiver verifies signatures with. */
  readonly webhookSigningKey: string
  /** Every webhook sent, in order, with its attempts. */
  readonly webhooks: Array<DeliveryReport> = []
  /** Every request a provider received through the proxy, in order, retries included. */
  readonly proxied: Array<ProxiedRequest>

  private readonly records: Records
  private readonly actions: Actions
  private readonly syncs: Syncs
  /** Every `POST /sync/trigger` accepted, in order. */
  readonly triggeredSyncs: ReadonlyArray<TriggeredSync>
  /** Every action attempt, in order: name, connection, input, async, attempt. */
  readonly triggered: ReadonlyArray<TriggeredAction>
  private readonly faults = new Faults()
  private readonly sockets = new Set<Socket>()
  private accepted = 0
  private readonly store: Sessions
  private readonly limiter: RateLimiter
  private readonly answering: Router.Server
  private readonly now: () => number

  private constructor(
    private readonly server: Http.Server | undefined,
    private readonly options: Options,
  ) {
    if (server === undefined) {
      this.url = `http://nango.localhost${options.basePath ?? ""}`
    } else {
      server.on("connection", (socket) => {
        this.sockets.add(socket)
        this.accepted++
        socket.once("close", () => this.sockets.delete(socket))
      })
      const port = (server.address() as AddressInfo).port
      this.url = `http://127.0.0.1:${port}${options.basePath ?? ""}`
    }
    const keys = options.secretKeys ?? [randomUUID()]
    this.secretKey = keys[0] ?? randomUUID()
    const now = options.now ?? Date.now
    this.now = now
    this.store = new Sessions(options, now)
    this.sessions = this.store.byToken
    this.created = this.store.created
    this.deleted = this.store.deleted
    this.limiter = new RateLimiter(options.rateLimit, now)
    const proxy = new ProxyEndpoint(this.store.connections, options.providers ?? {}, now, options.sleep ?? realSleep)
    this.proxied = proxy.received
    this.records = new Records(this.store.connections, now)
    this.actions = new Actions(this.store.connections, this.store.integrations, options.actions ?? {}, (run) => {
      void this.announceAction(run)
    })
    this.triggered = this.actions.triggered
    this.syncs = new Syncs(this.store.connections, this.store.integrations, this.records, options.syncs ?? {}, now)
    this.triggeredSyncs = this.syncs.triggered
    this.answering = {
      sessions: this.store,
      limiter: this.limiter,
      scopesOf: keyScopes(keys, options),
      proxy: (request) => proxy.answer(request),
      records: (url, headers) => this.records.answer(url, headers),
      triggerAction: (url, headers, body) => this.actions.trigger(url, headers, body),
      actionResult: (id) => this.actions.result(id),
      triggerSync: (url, headers, body) => this.syncs.trigger(url, headers, body),
      syncStatus: (url) => this.syncs.status(url),
    }
    this.webhookSigningKey = options.webhookSigningKey ?? randomUUID()
  }

  /** Starts an emulator on an ephemeral port of 127.0.0.1. */
  static async start(options: Options = {}): Promise<NangoEmulator> {
    let emulator: NangoEmulator | undefined
    const server = Http.createServer(async (request, response) => {
      const outcome = await emulator?.exchange(await readRequest(request))
      if (outcome !== undefined) writeOutcome(request, response, outcome)
    })
    server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 61_000
    server.headersTimeout = server.keepAliveTimeout + 1_000
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => resolve())
    })
    emulator = new NangoEmulator(server, options)
    return emulator
  }

  /** An emulator without a socket, answering only through `exchange` (the in-memory client). */
  static inMemory(options: Options = {}): NangoEmulator {
    return new NangoEmulator(undefined, options)
  }

  /** Adds integrations that exist from now on. */
  addIntegrations(ids: ReadonlyArray<string>): void {
    for (const id of ids) this.store.integrations.add(id)
  }

  /** Adds connections that reconnect sessions can target from now on, with OAuth 2 credentials. */
  addConnections(
    connections: ReadonlyArray<{ readonly connection_id: string; readonly integration_id: string }>,
  ): void {
    for (const { connection_id, integration_id } of connections) {
      this.store.connections.upsert({ connection_id, provider_config_key: integration_id })
    }
  }

  /**
   * Seeds a connection, as an import would: credentials of `credentialType` (default `OAUTH2`)
   * with fresh secrets unless `credentials` are given. Replaces one with the same id and integration.
   */
  seedConnection(input: SeedConnection): StoredConnection {
    const { credentialType, ...connection } = input
    return this.store.connections.upsert({
      ...connection,
      credentials: input.credentials ?? sampleCredentials(credentialType ?? "OAUTH2", this.now()),
    })
  }

  /**
   * Sets how a connection's credentials behave from now on: `"fails"` makes a forced refresh
   * fail (400 `invalid_credentials`), `"exhausted"` makes every read fail (424), as when the
   * refresh limit is reached; `"ok"` heals it. Throws for an unknown connection.
   */
  setRefresh(connectionId: string, integration: string, behaviour: RefreshBehaviour): void {
    const connection = this.store.connections.find(connectionId, integration)
    if (connection === undefined) throw new Error(`no connection "${connectionId}" for "${integration}"`)
    connection.refresh = behaviour
  }

  /**
   * Writes synced records of a connection's model, as a sync run saves them: each payload needs a
   * string `id`; a new id is added, a changed payload updated (it moves to the end of the order),
   * a deleted record revived. Throws for an unknown connection.
   */
  upsertRecords(target: RecordsTarget, records: ReadonlyArray<Record<string, unknown>>): RecordChanges {
    return this.records.upsert(target, records)
  }

  /** Marks synced records deleted (they stay, with `deleted_at`, as Nango keeps them). Throws for an unknown connection. */
  deleteRecords(target: RecordsTarget, ids: ReadonlyArray<string>): RecordChanges {
    return this.records.delete(target, ids)
  }

  /**
   * Plays one run of a sync, as Nango's runner does: notes when it starts, saves and deletes the
   * records it is given, then sends the signed `sync` webhook (`modifiedAfter` = the start) to
   * `deliverTo`, else the emulator's `webhookUrl`. Throws for an unknown connection.
   */
  async runSync(options: SyncRunOptions): Promise<SyncRunReport> {
    const startedAt = new Date(this.now()).toISOString()
    const saved = this.records.upsert(options, options.upsert ?? [])
    const removed = this.records.delete(options, options.delete ?? [])
    const results = { added: saved.added, updated: saved.updated, deleted: removed.deleted }
    const connection = this.store.connections.find(options.connectionId, options.providerConfigKey)
    if (connection !== undefined) {
      const sync = { name: options.syncName ?? options.model, variant: options.variant ?? "base", model: options.model }
      this.syncs.finishRun(connection, sync, results)
    }
    const body = syncWebhookBody({
      connectionId: options.connectionId,
      providerConfigKey: options.providerConfigKey,
      syncName: options.syncName ?? options.model,
      model: options.model,
      variant: options.variant ?? "base",
      startedAt,
      results,
    })
    const webhook = await this.deliver(body, options.deliverTo, this.options.webhookUrl)
    return { results, modifiedAfter: startedAt, webhook }
  }

  /** Sends the `async_action` webhook of a run that ended, to the emulator's `webhookUrl` when it has one. */
  private async announceAction(run: {
    readonly id: string
    readonly connectionId: string
    readonly providerConfigKey: string
  }): Promise<void> {
    await this.deliver(asyncActionWebhookBody(run), undefined, this.options.webhookUrl)
  }

  /**
   * Signs and delivers a webhook, with Nango's headers and retries, to `deliverTo`, else `url`
   * (the URL Nango would use, told to an in-memory handler too), and records it; nothing is sent
   * when there is nowhere to send it.
   */
  private async deliver(
    body: Record<string, unknown>,
    deliverTo: WebhookTarget | undefined,
    url: string | undefined,
  ): Promise<DeliveryReport | undefined> {
    const target = deliverTo ?? url
    if (target === undefined) return undefined
    const webhook = await deliverWebhook(target, body, this.webhookSigningKey, {
      ...(url === undefined ? {} : { url }),
      retryDelaysMs: this.options.webhookRetryDelaysMs ?? defaultRetryDelaysMs,
    })
    this.webhooks.push(webhook)
    return webhook
  }

  /** The synced records of a connection's model, in the order `GET /records` reads them. */
  storedRecords(target: RecordsTarget): ReadonlyArray<StoredRecord> {
    return this.records.list(target)
  }

  /** The live connections, newest last. */
  get connections(): ReadonlyArray<StoredConnection> {
    return this.store.connections.all
  }

  /**
   * Plays the end user connecting an integration through the session's Connect UI, as Nango then
   * does: makes the connection (unless `error` is given), and sends the signed `auth` webhook to
   * `deliverTo`, else the session's `webhook_url_override`, else the emulator's `webhookUrl`, with
   * Nango's headers, body and retries. Throws when the token has no live session or the
   * integration is not one the session allows.
   */
  async completeSession(token: string, options: CompleteSessionOptions): Promise<CompletedSession> {
    const session = this.store.live(token)
    if (session === undefined) throw new Error("no live session for this token")
    const allowed = session.allowedIntegrations
    if (
      !this.store.integrations.has(options.integration) ||
      (allowed !== undefined && !allowed.includes(options.integration))
    ) {
      throw new Error(`the session does not allow the integration "${options.integration}"`)
    }
    const connectionId = options.connectionId ?? randomUUID()
    if (options.error === undefined) {
      this.store.connections.upsert({
        connection_id: connectionId,
        provider_config_key: options.integration,
        provider: options.provider ?? options.integration,
        credentials: sampleCredentials(options.authMode ?? "OAUTH2", this.now()),
        tags: session.tags,
        end_user: connectionEndUser(session),
      })
    }
    const body = authWebhookBody(
      { endUser: session.endUser, organization: session.organization, tags: session.tags },
      {
        connectionId,
        providerConfigKey: options.integration,
        provider: options.provider ?? options.integration,
        authMode: options.authMode ?? "OAUTH2",
        environment: this.options.environment ?? "dev",
        operation: session.isReconnecting ? "override" : "creation",
        ...(options.error === undefined ? {} : { error: options.error }),
      },
    )
    const override = session.webhookUrlOverride?.trim() ? session.webhookUrlOverride : undefined
    const webhook = await this.deliver(body, options.deliverTo, override ?? this.options.webhookUrl)
    return { connectionId, webhook }
  }

  /** Sets (or, with undefined, lifts) the rate limit, starting a fresh window. */
  setRateLimit(limit: Options["rateLimit"]): void {
    this.limiter.set(limit)
  }

  /** How many client connections are open now. */
  get openConnections(): number {
    return this.sockets.size
  }

  /** How many client connections were ever accepted. */
  get acceptedConnections(): number {
    return this.accepted
  }

  /** Stops listening and closes every open connection. */
  close(): Promise<void> {
    const server = this.server
    if (server === undefined) return Promise.resolve()
    return new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  /** Answers the next matching requests with a fault instead of the real handler. */
  injectFault(fault: Fault): void {
    this.faults.inject(fault)
  }

  /** Requests received for one method and path. */
  requestsTo(method: string, path: string): ReadonlyArray<ReceivedRequest> {
    return this.requests.filter((request) => request.method === method && request.path === path)
  }

  /**
   * Answers one request, whatever carries it (a socket, or the in-memory `HttpClient`): records
   * it, applies the next matching fault, else routes it as the live server would.
   */
  async exchange(request: IncomingRequest): Promise<Outcome> {
    const url = new URL(request.url, "http://emulator.local")
    const prefix = this.options.basePath
    if (prefix !== undefined) {
      url.pathname = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : "/not-under-base-path"
    }
    const { method, headers } = request
    // Like express.json: only a JSON content type is parsed; any other body is left unread.
    const parsed = headers["content-type"]?.startsWith("application/json")
      ? parseJson(request.body)
      : { ok: true as const, value: undefined }
    this.requests.push({
      method,
      path: url.pathname,
      search: url.search,
      hasAuthorization: headers.authorization !== undefined,
      headerNames: Object.keys(headers),
      body: parsed.ok ? parsed.value : request.body,
    })
    const fault = this.faults.take(method, url.pathname)
    const faulted = fault === undefined ? undefined : await playFault(fault)
    if (faulted !== undefined) return faulted
    const bytes = request.bytes ?? new TextEncoder().encode(request.body)
    const answer = toOutcome(await Router.route(this.answering, method, url, headers, parsed, bytes))
    return fault?.chunkBytes !== undefined && answer._tag === "Reply"
      ? { ...answer, chunkBytes: fault.chunkBytes }
      : answer
  }
}
