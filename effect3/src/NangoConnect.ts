/**
 * The Connect-session client: create, reconnect, read and delete Nango Connect sessions, each
 * call an `Effect` with a typed error channel, built on the `HttpClient` you provide and carrying
 * retry and timeout policies.
 *
 * @since 0.1.0
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { tokenIssue } from "../../nango/src/failure.js"
import { cutForSchema, prepareBody } from "../../nango/src/json-body.js"
import { type SessionOperation, sessionBodyIssues } from "../../nango/src/rules.js"
import * as Endpoint from "./internal/endpoint.js"
import * as Errors from "./internal/errors.js"
import { invalid, resolveOptions } from "./internal/options.js"
import * as Transport from "./internal/transport.js"
import type {
  CreateConnectSessionError,
  DeleteConnectSessionError,
  GetConnectSessionError,
  InvalidInput,
  ResponseDecodeError,
  TransportError,
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
export class NangoConnect extends Context.Tag("effect-nango/NangoConnect")<NangoConnect, Service>() {}

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
  readonly baseDelay?: Duration.DurationInput
  /** The longest backoff delay. Default 2 s. */
  readonly maxDelay?: Duration.DurationInput
  /** The longest `Retry-After` the client waits; a longer one fails with `RateLimited` at once. Default 10 s. */
  readonly maxRetryAfter?: Duration.DurationInput
}

/**
 * How long a call may take.
 *
 * @since 0.1.0
 * @category options
 */
export interface TimeoutOptions {
  /** The longest one attempt may take, response body included. Default 10 s. */
  readonly attempt?: Duration.DurationInput
  /** The longest the call may take, every attempt and backoff included. Default 30 s. */
  readonly total?: Duration.DurationInput
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
   * Adds the `@effect/platform` HTTP span and its `traceparent`/`b3` headers to every request.
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

/** A credential as the Authorization header carries it: the only place a credential is sent. */
const bearer = (credential: string) => `Bearer ${credential}`

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

/** Where a session is read and deleted, with its own token. */
const sessionPath = "/connect/session"

/**
 * Reads a 2xx body as JSON, decodes it and keeps its `data`; any other status becomes its typed
 * error. The decoder is built once per endpoint.
 */
const readData = <A, I, S extends Errors.DocumentedStatus>(
  schema: Schema.Schema<{ readonly data: A }, I>,
  documented: ReadonlyArray<S>,
  maxBytes: number,
) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (
    response: Transport.IncomingResponse,
    label: Transport.RequestLabel,
  ): Effect.Effect<A, Errors.ResponseFailure<S> | TransportError | ResponseDecodeError> =>
    response.status < 200 || response.status > 299
      ? Errors.responseFailure(documented, response, label)
      : Either.match(
          response.body === undefined
            ? Either.left([`(root): body larger than ${maxBytes} bytes`])
            : Either.flatMap(Errors.parseJsonBody(response.body), (json) =>
                Either.mapLeft(decode(json), Errors.describeIssues),
              ),
          {
            onLeft: (issues) => Effect.fail(Errors.decodeFailure(label, response.status, issues)),
            onRight: (body) => Effect.succeed(body.data),
          },
        )
}

/**
 * Checks and encodes a session body before anything is sent: keys whose value is `undefined` are
 * left out (as JSON does), a value JSON would change silently is refused, then the schema, then the
 * server's rules that it could only answer with a 500 (see `nango/src/rules.ts`).
 */
const encodeBody = <A, I>(schema: Schema.Schema<A, I>, operation: SessionOperation) => {
  const encode = Schema.encodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  return (body: A): Either.Either<string, InvalidInput> => {
    const prepared = prepareBody(body)
    if (prepared.issues.length > 0) return Either.left(invalid("body", prepared.issues))
    // The schema check recurses: it sees the body cut at a safe depth, and the cut parts come back.
    const schemaView = cutForSchema(prepared)
    const encodedCut = encode(schemaView.cut)
    if (Either.isLeft(encodedCut)) return Either.left(invalid("body", Errors.describeIssues(encodedCut.left)))
    const encoded = schemaView.restore(encodedCut.right)
    const issues = sessionBodyIssues(encoded, operation, prepared.unstorable)
    return issues.length > 0 ? Either.left(invalid("body", issues)) : Either.right(JSON.stringify(encoded))
  }
}

/** Sends a session body once it is checked and encoded to JSON; a refused body sends nothing. */
const withBody =
  <A, B, E>(encode: (body: A) => Either.Either<string, InvalidInput>, send: (json: string) => Effect.Effect<B, E>) =>
  (body: A): Effect.Effect<B, E | InvalidInput> =>
    Effect.suspend((): Effect.Effect<B, E | InvalidInput> => {
      const encoded = encode(body)
      return Either.isLeft(encoded) ? Effect.fail(encoded.left) : send(encoded.right)
    })

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
    const { secretKey, baseUrl, retry, attemptTimeout, totalTimeout, maxBytes, propagateTraceContext } =
      yield* resolveOptions(options, defaults)
    const requestInit = Option.getOrElse(yield* Effect.serviceOption(FetchHttpClient.RequestInit), () => ({}))
    const transport = Transport.fromHttpClient(
      yield* HttpClient.HttpClient,
      { baseUrl, maxBytes, propagateTraceContext },
      requestInit,
    )
    const policies: Endpoint.Policies = { transport, retry, attemptTimeout, totalTimeout }
    const getSession = Endpoint.make(policies, {
      name: "getConnectSession",
      method: "GET",
      path: sessionPath,
      idempotent: true,
      onResponse: readData(ConnectSessionDetailsResponse, [400, 401, 404], maxBytes),
    })
    /** The two POSTs that make a session, with the secret key; the server may act on either, so neither is idempotent. */
    const sessionMaker = (name: string, path: string) =>
      Endpoint.make(policies, {
        name,
        method: "POST",
        path,
        idempotent: false,
        onResponse: readData(ConnectSessionResponse, [400, 401, 403], maxBytes),
      })
    const createSession = sessionMaker("createConnectSession", "/connect/sessions")
    const reconnectSession = sessionMaker("createReconnectSession", "/connect/sessions/reconnect")
    const deleteSession = Endpoint.make(policies, {
      name: "deleteConnectSession",
      method: "DELETE",
      path: sessionPath,
      idempotent: false,
      onResponse: (response, label) =>
        response.status >= 200 && response.status <= 299
          ? Effect.void
          : Errors.responseFailure([400, 401, 404], response, label),
    })
    const encodeCreate = encodeBody(CreateConnectSessionInput, "create")
    const encodeReconnect = encodeBody(CreateReconnectSessionInput, "reconnect")
    const secretBearer = bearer(Redacted.value(secretKey))

    return NangoConnect.of({
      getConnectSession: (token) => withToken(token, (authorization) => getSession(authorization, undefined)),
      createConnectSession: withBody(encodeCreate, (json) => createSession(secretBearer, json)),
      createReconnectSession: withBody(encodeReconnect, (json) => reconnectSession(secretBearer, json)),
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
): Layer.Layer<NangoConnect, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    NangoConnect,
    Effect.gen(function* () {
      const secretKey = yield* Config.redacted("NANGO_SECRET_KEY")
      const baseUrl = yield* Config.string("NANGO_HOST").pipe(Config.withDefault(defaults.baseUrl))
      return yield* make({ ...options, secretKey, baseUrl }).pipe(
        Effect.mapError((error) =>
          ConfigError.InvalidData([error.input === "secretKey" ? "NANGO_SECRET_KEY" : "NANGO_HOST"], error.message),
        ),
      )
    }),
  )
