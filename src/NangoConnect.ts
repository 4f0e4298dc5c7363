/**
 * The Connect-session client: create, reconnect, read and delete Nango Connect sessions, each
 * call an `Effect` with a typed error channel, built on the `HttpClient` you provide and carrying
 * retry and timeout policies.
 *
 * @since 0.1.0
 */
import { type ConfigError, type DurationInput, ServiceTag } from "#effect"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import type * as HttpClient from "#effect/HttpClient"
import * as Layer from "#effect/Layer"
import * as Redacted from "#effect/Redacted"
import { tokenIssue } from "../nango/src/failure.js"
import { type SessionOperation, sessionBodyIssues } from "../nango/src/rules.js"
import {
  type BodyRules,
  bearer,
  checkInput,
  expectSuccess,
  fromEnvironment,
  makeClient,
  readJson,
  withChecked,
} from "./internal/client.js"
import * as Endpoint from "./internal/endpoint.js"
import { invalid } from "./internal/options.js"
import type {
  CreateConnectSessionError,
  DeleteConnectSessionError,
  GetConnectSessionError,
  InvalidInput,
} from "./NangoConnectError.js"
import {
  type ConnectSession,
  type ConnectSessionDetails,
  ConnectSessionDetailsResponse,
  ConnectSessionResponse,
  CreateConnectSessionInput,
  CreateReconnectSessionInput,
  connectSessionTokenPattern,
} from "./NangoConnectSchema.js"

// -----------------------------------------------------------------------------
// Service Interface
// -----------------------------------------------------------------------------

/**
 * A connect-session token, as returned in `ConnectSession.token` or as a plain string.
 *
 * @since 0.1.0
 * @category models
 */
export type SessionToken = Redacted.Redacted<string> | string

/**
 * The operations of the client. Each returns an `Effect` whose error channel lists exactly the
 * failures that call can produce.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Reads a session with its own token (`GET /connect/session`): what a Connect UI calls.
   *
   * @example
   * ```ts
   * const details = yield* nango.getConnectSession(session.token)
   * console.log(details.endUser?.id)
   * ```
   */
  readonly getConnectSession: (token: SessionToken) => Effect.Effect<ConnectSessionDetails, GetConnectSessionError>
  /**
   * Creates a session for an end user with the secret key (`POST /connect/sessions`).
   *
   * @example
   * ```ts
   * const session = yield* nango.createConnectSession({ end_user: { id: "user-42" } })
   * ```
   */
  readonly createConnectSession: (
    body: CreateConnectSessionInput,
  ) => Effect.Effect<ConnectSession, CreateConnectSessionError>
  /**
   * Creates a session that re-authorizes an existing connection (`POST /connect/sessions/reconnect`).
   *
   * @example
   * ```ts
   * const session = yield* nango.createReconnectSession({ connection_id: "abc", integration_id: "github" })
   * ```
   */
  readonly createReconnectSession: (
    body: CreateReconnectSessionInput,
  ) => Effect.Effect<ConnectSession, CreateConnectSessionError>
  /**
   * Ends a session with its own token (`DELETE /connect/session`); the token stops working.
   *
   * @example
   * ```ts
   * yield* nango.deleteConnectSession(session.token)
   * ```
   */
  readonly deleteConnectSession: (token: SessionToken) => Effect.Effect<void, DeleteConnectSessionError>
}

// -----------------------------------------------------------------------------
// Service Identifier
// -----------------------------------------------------------------------------

/**
 * The Connect-session client service; provide it with `NangoConnect.layer` or `NangoConnect.layerConfig`.
 *
 * @since 0.1.0
 * @category tags
 */
export class NangoConnect extends ServiceTag<NangoConnect, Service>()("effect-nango/NangoConnect") {}

// -----------------------------------------------------------------------------
// Options
// -----------------------------------------------------------------------------

/**
 * How failed attempts are retried. Only transient failures are retried (see the README).
 *
 * @since 0.1.0
 * @category options
 */
export interface RetryOptions {
  /** Attempts in all, the first included; `1` turns retries off. Default 3. */
  readonly maxAttempts?: number
  /** The first backoff delay, doubled on each retry, with ±20% jitter. Default 200 ms. */
  readonly baseDelay?: DurationInput
  /** The longest backoff delay. Default 2 s. */
  readonly maxDelay?: DurationInput
  /** The longest `Retry-After` the client waits; a longer one fails with `RateLimited` at once. Default 10 s. */
  readonly maxRetryAfter?: DurationInput
}

/**
 * How long a call may take.
 *
 * @since 0.1.0
 * @category options
 */
export interface TimeoutOptions {
  /** The longest one attempt may take, response body included. Default 10 s. */
  readonly attempt?: DurationInput
  /** The longest the call may take, every attempt and backoff included. Default 30 s. */
  readonly total?: DurationInput
}

/**
 * What `make` and `layer` need.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /** The environment's secret key, sent as the bearer of the two POSTs. */
  readonly secretKey: Redacted.Redacted<string> | string
  /** Where Nango is; a path prefix is kept. Default `https://api.nango.dev`. */
  readonly baseUrl?: string
  /** Retry policy; see {@link RetryOptions}. */
  readonly retry?: RetryOptions
  /** Timeout policy; see {@link TimeoutOptions}. */
  readonly timeout?: TimeoutOptions
  /**
   * Adds the `effect/http` HTTP span and its `traceparent`/`b3` headers to every request.
   * Off by default: the client's own span per call is always there. On, calls take the generic
   * `HttpClient` pipeline (which carries the propagation) rather than the undici fast path.
   */
  readonly propagateTraceContext?: boolean
  /** The largest response body read, in bytes; a larger one fails without being buffered. Default 1 MiB. */
  readonly maxResponseBytes?: number
  /**
   * Allows a plain `http:` base URL on a host that is not loopback, which sends the secret key in
   * clear. Off by default; turn it on for a self-hosted Nango on a private network.
   */
  readonly allowInsecureHttp?: boolean
}

/**
 * The defaults of every policy.
 *
 * @since 0.1.0
 * @category options
 */
export const defaults = {
  baseUrl: "https://api.nango.dev",
  maxResponseBytes: 1024 * 1024,
  retry: {
    maxAttempts: 3,
    baseDelay: Duration.millis(200),
    maxDelay: Duration.seconds(2),
    maxRetryAfter: Duration.seconds(10),
  },
  timeout: {
    attempt: Duration.seconds(10),
    total: Duration.seconds(30),
  },
} as const

// -----------------------------------------------------------------------------
// Constructor
// -----------------------------------------------------------------------------

/** Runs `use` with a session token's bearer, once the token is checked; nothing is sent for a bad one. */
const withToken = <A, E>(
  token: SessionToken,
  use: (authorization: string) => Effect.Effect<A, E>,
): Effect.Effect<A, E | InvalidInput> =>
  Effect.suspend((): Effect.Effect<A, E | InvalidInput> => {
    const value = Redacted.isRedacted(token) ? Redacted.value(token) : token
    return typeof value === "string" && connectSessionTokenPattern.test(value)
      ? use(bearer(value))
      : Effect.fail(invalid("token", [tokenIssue]))
  })

/** Keeps a response's `data`. */
const pickData = <A>(body: { readonly data: A }): A => body.data

/** The server's rules for a session body beyond its schema (`nango/src/rules.ts`). */
const sessionRules =
  (operation: SessionOperation): BodyRules =>
  (encoded, unstorable) =>
    sessionBodyIssues(encoded, operation, unstorable)

/** Where a session is read and deleted, with its own token. */
const sessionPath = "/connect/session"

/**
 * Builds the client from options, on the `HttpClient` in context. Fails with `InvalidInput` when
 * the secret key cannot go in a header, or the base URL is not an http(s) URL or is plain http to
 * a host that is not loopback (unless `allowInsecureHttp`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const { policies, maxBytes, secretBearer } = yield* makeClient(options, defaults)
    const getSession = Endpoint.make(policies, {
      name: "NangoConnect.getConnectSession",
      method: "GET",
      path: sessionPath,
      idempotent: true,
      onResponse: readJson(ConnectSessionDetailsResponse, pickData, [400, 401, 404], maxBytes),
    })
    /** The two POSTs that make a session, with the secret key; the server may act on either, so neither is idempotent. */
    const sessionMaker = (name: string, path: string) =>
      Endpoint.make(policies, {
        name: `NangoConnect.${name}`,
        method: "POST",
        path,
        idempotent: false,
        onResponse: readJson(ConnectSessionResponse, pickData, [400, 401, 403], maxBytes),
      })
    const createSession = sessionMaker("createConnectSession", "/connect/sessions")
    const reconnectSession = sessionMaker("createReconnectSession", "/connect/sessions/reconnect")
    const deleteSession = Endpoint.make(policies, {
      name: "NangoConnect.deleteConnectSession",
      method: "DELETE",
      path: sessionPath,
      idempotent: false,
      onResponse: expectSuccess([400, 401, 404]),
    })
    const checkCreate = checkInput(CreateConnectSessionInput, sessionRules("create"))
    const checkReconnect = checkInput(CreateReconnectSessionInput, sessionRules("reconnect"))

    return NangoConnect.of({
      getConnectSession: (token) => withToken(token, (authorization) => getSession(authorization, undefined)),
      createConnectSession: withChecked(checkCreate, (body) => createSession(secretBearer, JSON.stringify(body))),
      createReconnectSession: withChecked(checkReconnect, (body) =>
        reconnectSession(secretBearer, JSON.stringify(body)),
      ),
      deleteConnectSession: (token) => withToken(token, (authorization) => deleteSession(authorization, undefined)),
    })
  })

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Provides `NangoConnect` from options; needs an `HttpClient` (for example `FetchHttpClient.layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<NangoConnect, InvalidInput, HttpClient.HttpClient> =>
  Layer.effect(NangoConnect, make(options))

/**
 * Provides `NangoConnect` from the environment: `NANGO_SECRET_KEY` (redacted) and `NANGO_HOST`
 * (default `https://api.nango.dev`); other options are passed as they are.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "secretKey" | "baseUrl"> = {},
): Layer.Layer<NangoConnect, ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    NangoConnect,
    fromEnvironment(defaults.baseUrl, (settings) => make({ ...options, ...settings })),
  )
