/**
 * The emulator's models: what it records, the faults it injects, what it stores and its options.
 *
 * @since 0.1.0
 */
import type { DeliveryReport, WebhookTarget } from "../webhook-delivery.js"

/**
 * A request the emulator received: enough to count and inspect calls, never a credential.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceivedRequest {
  readonly method: string
  /** The path as sent, still percent-encoded. */
  readonly path: string
  /** The query as sent, with its `?` (empty when there was none). */
  readonly search: string
  readonly hasAuthorization: boolean
  /** The names of the headers sent, lowercased (their values are not kept). */
  readonly headerNames: ReadonlyArray<string>
  readonly body: unknown
}

/**
 * A fault the emulator answers with instead of the real handler, for the next `times` requests
 * that match `method`/`path` (any, when unset).
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault {
  readonly status?: number
  readonly body?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Waits this long before answering; with no status, the real handler answers after it. */
  readonly delayMs?: number
  /** Never answers (the connection stays open until the client gives up or the server closes). */
  readonly hang?: boolean
  /** Destroys the socket without answering. */
  readonly drop?: boolean
  /**
   * Sends the status, headers (with the full `Content-Length`) and only the first `afterBytes` of
   * the body, then resets the connection or stalls.
   */
  readonly cut?: { readonly afterBytes: number; readonly and: "reset" | "stall" }
  /** Sends the body chunked, with no `Content-Length`. */
  readonly chunked?: boolean
  /**
   * Sends the body chunked, with no `Content-Length`, in pieces of this many bytes, each written on
   * its own turn of the event loop, so that a multi-byte character falls across pieces. Without a
   * `status`, the real answer is sent this way.
   */
  readonly chunkBytes?: number
  readonly times?: number
  readonly method?: string
  readonly path?: string
}

/**
 * A request as the emulator receives it, from a socket or from the in-memory client.
 *
 * @since 0.1.0
 * @category models
 */
export interface IncomingRequest {
  readonly method: string
  /** The path and query, e.g. `/connect/session?x=1`. */
  readonly url: string
  /** Headers by lowercase name. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** The body's bytes, when they are not only text (the proxy forwards binary bodies as sent). */
  readonly bytes?: Uint8Array
}

/**
 * What the emulator does with a request: answer it (perhaps cut short), hang, or drop the connection.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | {
      readonly _tag: "Reply"
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly body: string | Uint8Array
      readonly cut?: Fault["cut"]
      readonly chunked?: boolean
      readonly chunkBytes?: number
    }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Drop" }

/**
 * A session as the emulator stores it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredSession {
  readonly token: string
  readonly expiresAt: number
  readonly endUser: Record<string, unknown> | null
  readonly organization: Record<string, unknown> | null
  readonly allowedIntegrations: ReadonlyArray<string> | undefined
  readonly integrationsConfigDefaults: Record<string, Record<string, unknown>> | undefined
  readonly overrides: Record<string, Record<string, unknown>> | undefined
  readonly isReconnecting: boolean
  /** The tags the session stores: derived from its end user (and organization), with its own `tags` over them. */
  readonly tags: Record<string, string>
  /** The session's `webhook_url_override`, which replaces the environment's webhook URL. */
  readonly webhookUrlOverride: string | undefined
}

/**
 * How the end user's visit to the Connect UI ends, for `completeSession`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompleteSessionOptions {
  /** The integration (`providerConfigKey`) the end user connects; it must exist and be allowed. */
  readonly integration: string
  /** The new connection's id. Default: a random UUID, as Nango makes one. */
  readonly connectionId?: string
  /** The provider behind the integration. Default: the integration's id. */
  readonly provider?: string
  /** Default `OAUTH2`. */
  readonly authMode?: string
  /** When given, the authorization fails with this error and no connection is made. */
  readonly error?: { readonly type: string; readonly description: string }
  /** Where the webhook goes, instead of the session's override or the emulator's `webhookUrl`. */
  readonly deliverTo?: WebhookTarget
}

/**
 * A sync run for `runSync`: which records it writes and deletes, and where its `sync` webhook goes.
 *
 * @since 0.5.0
 * @category models
 */
export interface SyncRunOptions {
  readonly connectionId: string
  readonly providerConfigKey: string
  readonly model: string
  /** The sync's name in the webhook. Default: the model's name. */
  readonly syncName?: string
  /** Default `base`. */
  readonly variant?: string
  /** Records the run saves, each with a string `id`. */
  readonly upsert?: ReadonlyArray<Record<string, unknown>>
  /** Ids of records the run deletes. */
  readonly delete?: ReadonlyArray<string>
  /** Where the webhook goes, instead of the emulator's `webhookUrl`. */
  readonly deliverTo?: WebhookTarget
}

/**
 * What `runSync` did: what changed, when the run started and, when there was somewhere to send it, the webhook.
 *
 * @since 0.5.0
 * @category models
 */
export interface SyncRunReport {
  readonly results: { readonly added: number; readonly updated: number; readonly deleted: number }
  /** The webhook's `modifiedAfter`. */
  readonly modifiedAfter: string
  readonly webhook: DeliveryReport | undefined
}

/**
 * What `completeSession` did: the connection and, when there was somewhere to send it, the webhook.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompletedSession {
  readonly connectionId: string
  readonly webhook: DeliveryReport | undefined
}

/**
 * How the emulator behaves.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /** Accepted environment secret keys (UUID v4). Default: one random key, see `secretKey`. */
  readonly secretKeys?: ReadonlyArray<string>
  /** Keys that authenticate but have no scope at all (every endpoint answers 403). */
  readonly keysWithoutScope?: ReadonlyArray<string>
  /**
   * Keys that authenticate with the given scopes only, as keys made in Nango's dashboard with
   * explicit scopes (`environment:connections:read`, `environment:connections:read_credentials`, …).
   */
  readonly keyScopes?: Readonly<Record<string, ReadonlyArray<string>>>
  /** Integrations that exist. Default `["github"]`. */
  readonly integrations?: ReadonlyArray<string>
  /** Existing connections a reconnect session can target. */
  readonly connections?: ReadonlyArray<{ readonly connection_id: string; readonly integration_id: string }>
  /** Requests per account per window before a 429. Default: no limit. */
  readonly rateLimit?: { readonly points: number; readonly windowMs?: number }
  /** Behave as Nango Cloud (no `websocketsPath` in GET). Default false (self-hosted). */
  readonly cloud?: boolean
  /** The Connect UI base of `connect_link`. Default `http://localhost:3009`. */
  readonly connectUrl?: string
  /** A path prefix the emulator strips, as a reverse proxy mounted under a sub-path would. */
  readonly basePath?: string
  /** How long the server keeps an idle keep-alive connection. Default 61 s, as the live server. */
  readonly keepAliveTimeoutMs?: number
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number
  /** The environment's webhook URL (Nango's `primary_url`). Default: none, so no webhook is sent. */
  readonly webhookUrl?: string
  /** The environment's webhook signing key. Default: a random UUID, see `webhookSigningKey`. */
  readonly webhookSigningKey?: string
  /** The waits between webhook attempts. Default Nango's: 3 s, then 6 s. */
  readonly webhookRetryDelaysMs?: ReadonlyArray<number>
  /** The environment's name, as webhooks carry it. Default `dev`. */
  readonly environment?: string
  /**
   * The providers the proxy calls, by integration: the emulator plays them, since Nango's proxy
   * refuses a loopback provider. Default: an echo of what the provider received, as JSON.
   */
  readonly providers?: Readonly<Record<string, Provider>>
  /** How the proxy waits between its own retries. Default: real time (`setTimeout`). */
  readonly sleep?: (millis: number) => Promise<void>
  /**
   * The actions Nango runs, by integration and name: each a function of its input, or
   * `"disabled"`. Default: none, so every trigger is 404 `not_found`.
   */
  readonly actions?: Readonly<Record<string, Readonly<Record<string, ActionHandler | "disabled">>>>
  /**
   * The syncs each integration declares, by name, with the models each writes: every connection
   * of the integration has them. `runSync` adds the sync it plays. Default: none.
   */
  readonly syncs?: Readonly<Record<string, Readonly<Record<string, ReadonlyArray<string>>>>>
}

/**
 * One `POST /sync/trigger` the emulator accepted: the integration, the connection (none: every
 * connection), the syncs named (none: all), and whether it resets them or empties their records.
 *
 * @since 0.5.0
 * @category models
 */
export interface TriggeredSync {
  readonly providerConfigKey: string
  readonly connectionId: string | undefined
  readonly syncs: ReadonlyArray<{ readonly name: string; readonly variant: string }>
  readonly reset: boolean
  readonly emptyCache: boolean
}

/**
 * One run of an action, as its handler is told it: which action, for which connection, and
 * which attempt (an async action is run again after a failure, up to `maxRetries` times).
 *
 * @since 0.5.0
 * @category models
 */
export interface ActionRun {
  readonly name: string
  readonly connectionId: string
  readonly providerConfigKey: string
  readonly async: boolean
  readonly maxRetries: number
  readonly attempt: number
}

/**
 * What an action ends with: its output (any JSON; none sends an empty body), or a failure with
 * Nango's code (`invalid_action_input`, `script_http_error`, `script_aborted`, …), its `payload`,
 * and for `script_http_error` the provider's answer (`upstream`).
 *
 * @since 0.5.0
 * @category models
 */
export type ActionOutcome =
  | { readonly output?: unknown }
  | {
      readonly error: string
      readonly message?: string
      readonly payload?: unknown
      readonly upstream?: unknown
    }

/**
 * An action as the emulator plays it: its outcome for an input, now or later. A throw is the
 * runtime error Nango reports (`action_script_runtime_error`).
 *
 * @since 0.5.0
 * @category models
 */
export type ActionHandler = (input: unknown, run: ActionRun) => ActionOutcome | Promise<ActionOutcome>

/**
 * One attempt of an action, as the emulator records it.
 *
 * @since 0.5.0
 * @category models
 */
export interface TriggeredAction extends ActionRun {
  readonly input: unknown
}

/**
 * A connection to seed with `seedConnection`.
 *
 * @since 0.3.0
 * @category models
 */
export interface SeedConnection extends NewConnection {
  /**
   * The kind of credentials made with fresh secrets when `credentials` is not given: any of the
   * thirteen types Nango has (`OAUTH2`, the default, `OAUTH1`, `OAUTH2_CC`, `API_KEY`, `BASIC`,
   * `APP`, `CUSTOM`, `TBA`, `JWT`, `BILL`, `TWO_STEP`, `SIGNATURE`, `AWS_SIGV4`), `NONE` for an
   * unauthenticated connection (`{}`), or another name (`{ type, token, raw }`).
   */
  readonly credentialType?: string
}

/**
 * How a connection's credentials behave when refreshed.
 *
 * @since 0.3.0
 * @category models
 */
export type RefreshBehaviour = "ok" | "fails" | "exhausted"

/**
 * An end user as a connection carries it.
 *
 * @since 0.3.0
 * @category models
 */
export interface ConnectionEndUser {
  readonly id: string
  readonly display_name: string | null
  readonly email: string | null
  readonly tags: Record<string, string> | null
  readonly organization: { readonly id: string; readonly display_name: string | null } | null
}

/**
 * A connection as the emulator stores it.
 *
 * @since 0.3.0
 * @category models
 */
export interface StoredConnection {
  readonly id: number
  readonly connection_id: string
  readonly provider_config_key: string
  readonly provider: string
  credentials: Record<string, unknown>
  connection_config: Record<string, unknown>
  metadata: Record<string, unknown> | null
  tags: Record<string, string>
  end_user: ConnectionEndUser | null
  webhook_url_override: string | null
  readonly created_at: number
  updated_at: number
  last_fetched_at: number | null
  errors: Array<{ readonly type: string; readonly log_id: string }>
  refresh: RefreshBehaviour
}

/**
 * What a new connection is made from.
 *
 * @since 0.3.0
 * @category models
 */
export interface NewConnection {
  readonly connection_id: string
  readonly provider_config_key: string
  readonly provider?: string
  readonly credentials?: Record<string, unknown>
  readonly connection_config?: Record<string, unknown>
  readonly metadata?: Record<string, unknown> | null
  readonly tags?: Record<string, string>
  readonly end_user?: ConnectionEndUser | null
  readonly webhook_url_override?: string | null
}

/**
 * What the provider receives: the method, the path and raw query, the forwarded headers
 * (lowercase) with the injected credential, and the body as the server re-sends it.
 *
 * @since 0.4.0
 * @category models
 */
export interface ProviderRequest {
  readonly method: string
  /** The path and raw query, as the caller sent them after `/proxy`. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** The body as UTF-8 text, or undefined when the method forwards none. */
  readonly body: string | undefined
  /** The body's bytes, or undefined when the method forwards none. */
  readonly bytes: Uint8Array | undefined
  /** The `Base-Url-Override` the caller sent, if any. */
  readonly baseUrl: string | undefined
  /** Which attempt this is: 1, then 2, … when the server retries (`Retries`). */
  readonly attempt: number
}

/**
 * A request the provider received, with the connection it was made for.
 *
 * @since 0.4.0
 * @category models
 */
export interface ProxiedRequest extends ProviderRequest {
  readonly providerConfigKey: string
  readonly connectionId: string
}

/**
 * The provider's answer.
 *
 * @since 0.4.0
 * @category models
 */
export interface ProviderReply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  /** The body: text (written as UTF-8) or bytes. */
  readonly body?: string | Uint8Array
}

/**
 * The provider not answering at all: Nango reports the network code (`ECONNREFUSED`, `ETIMEDOUT`, …).
 *
 * @since 0.4.0
 * @category models
 */
export interface ProviderUnreachable {
  readonly unreachable: string
}

/**
 * What a provider does with a request: answers it, or cannot be reached.
 *
 * @since 0.4.0
 * @category models
 */
export type ProviderAnswer = ProviderReply | ProviderUnreachable

/**
 * A provider the emulator plays for one integration: an answer, now or later.
 *
 * @since 0.4.0
 * @category models
 */
export type Provider = (request: ProviderRequest) => ProviderAnswer | Promise<ProviderAnswer>
