/**
 * The provider's API through Nango's proxy, as an Effect `HttpClient` for each connection: the
 * application keeps its own request building, schemas, retries, rate limiting and tracing, and any
 * code written against `HttpClient` runs through Nango unchanged. Nango's own answers (an unknown
 * connection, credentials it could not refresh, its rate limit, …) are typed errors, told apart
 * from the provider's answers by status and code; the provider's answers come back untouched.
 *
 * @since 0.4.0
 */
import { type ConfigError, causedError, ServiceTag, withRequestInit, withTracing } from "#effect"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as FetchHttpClient from "#effect/FetchHttpClient"
import * as HttpClient from "#effect/HttpClient"
import type * as HttpClientError from "#effect/HttpClientError"
import * as Layer from "#effect/Layer"
import * as Option from "#effect/Option"
import * as Redacted from "#effect/Redacted"
import * as Check from "./internal/check.js"
import { bearer, checkInput, fromEnvironment, noRules } from "./internal/client.js"
import { resolveOptions } from "./internal/options.js"
import { type Engine, makeProxyClient, RequestSettings } from "./internal/proxy.js"
import * as NangoConnect from "./NangoConnect.js"
import type { InvalidInput } from "./NangoConnectError.js"
import type { NangoProxyError } from "./NangoProxyError.js"
import { ClientOptions, ProxySettings } from "./NangoProxySchema.js"

// -----------------------------------------------------------------------------
// Service Interface
// -----------------------------------------------------------------------------

/**
 * An `HttpClient` whose requests go to one connection's provider through Nango: it fails with the
 * platform's `HttpClientError` (on the way to Nango) or with one of Nango's own answers.
 *
 * @since 0.4.0
 * @category models
 */
export type ProxyClient = HttpClient.HttpClient.With<HttpClientError.HttpClientError | NangoProxyError>

/**
 * The operations of the proxy service.
 *
 * @since 0.4.0
 * @category models
 */
export interface Service {
  /**
   * An `HttpClient` for one connection. A request's URL is a path at the provider (`/user?x=1`,
   * sent to Nango as `/proxy/user?x=1`, path and query as given); each of its headers reaches the
   * provider (as `Nango-Proxy-<name>`), those added later by the caller's own `mapRequest` too;
   * Nango injects the connection's credential. Fails with `InvalidInput` for bad options.
   *
   * @example
   * ```ts
   * const github = yield* proxy.client({ connectionId: "conn-1", providerConfigKey: "github" })
   * const user = yield* github.get("/user").pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(User)))
   * ```
   */
  readonly client: (options: ClientOptions) => Effect.Effect<ProxyClient, InvalidInput>
  /**
   * The same client, failing only with the platform's `HttpClientError`, for code that knows
   * nothing else: Nango's own answers are the error's `cause` (read it with `NangoProxy.nangoFailure`).
   *
   * @example
   * ```ts
   * const http = yield* proxy.httpClient({ connectionId: "conn-1", providerConfigKey: "github" })
   * ```
   */
  readonly httpClient: (options: ClientOptions) => Effect.Effect<HttpClient.HttpClient, InvalidInput>
}

// -----------------------------------------------------------------------------
// Service Identifier
// -----------------------------------------------------------------------------

/**
 * The proxy service; provide it with `NangoProxy.layer` or `NangoProxy.layerConfig`.
 *
 * @since 0.4.0
 * @category tags
 */
export class NangoProxy extends ServiceTag<NangoProxy, Service>()("effect-nango/NangoProxy") {}

/**
 * What `make` and `layer` need: the same options as `NangoConnect`.
 *
 * @since 0.4.0
 * @category options
 */
export type Options = NangoConnect.Options

/**
 * The defaults of the proxy: those of `NangoConnect`, with longer timeouts, since a provider may
 * take its time and Nango's own retries (`retries`) wait 3 s, then 6 s, … while the request stays open.
 *
 * @since 0.4.0
 * @category options
 */
export const defaults = {
  ...NangoConnect.defaults,
  timeout: { attempt: Duration.seconds(30), total: Duration.seconds(60) },
}

// -----------------------------------------------------------------------------
// Settings per request
// -----------------------------------------------------------------------------

const checkSettings = checkInput(ProxySettings, noRules, "options")

/**
 * Runs `effect` with proxy settings laid over its client's, for the requests it makes (for
 * example Nango's own retries for one idempotent call). Fails with `InvalidInput` for bad settings.
 *
 * @since 0.4.0
 * @category combinators
 * @example
 * ```ts
 * const page = yield* github.get("/repos").pipe(NangoProxy.withSettings({ retries: 2 }))
 * ```
 */
export const withSettings =
  (settings: ProxySettings) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | InvalidInput, R> =>
    Effect.suspend((): Effect.Effect<A, E | InvalidInput, R> => {
      const checked = checkSettings(settings)
      return checked.ok ? Effect.provideService(effect, RequestSettings, checked.value) : Effect.fail(checked.error)
    })

/**
 * Nango's own failure behind a platform `HttpClientError` of `httpClient`, if it is one.
 *
 * @since 0.4.0
 * @category errors
 */
export const nangoFailure = (error: HttpClientError.HttpClientError): Option.Option<NangoProxyError> => {
  const cause: unknown = (error as { readonly cause?: unknown }).cause
  return typeof cause === "object" && cause !== null && proxyTags.has((cause as { readonly _tag?: unknown })._tag)
    ? Option.some(cause as NangoProxyError)
    : Option.none()
}

const proxyTags = new Set<unknown>([
  "InvalidProxyHeaders",
  "BaseUrlOverrideRefused",
  "UnsupportedProvider",
  "UnknownIntegration",
  "UnknownConnection",
  "InvalidCredentials",
  "RefreshBackoff",
  "PlanLimit",
  "Unauthorized",
  "Forbidden",
  "RateLimited",
  "ProviderUnreachable",
  "ServerError",
  "TimeoutError",
  "InvalidInput",
])

// -----------------------------------------------------------------------------
// Constructor
// -----------------------------------------------------------------------------

const checkClient = checkInput(ClientOptions, noRules, "options")

/**
 * Builds the service from options, on the `HttpClient` in context; fails with `InvalidInput` as
 * `NangoConnect.make` does.
 *
 * @since 0.4.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const resolved = yield* Check.toEffect(resolveOptions(options, defaults))
    const requestInit = Option.getOrElse(yield* Effect.serviceOption(FetchHttpClient.RequestInit), () => ({}))
    // Redirects are the provider's answer: Nango follows them itself, so a 3xx comes back as it is.
    const http = withTracing(
      withRequestInit(yield* HttpClient.HttpClient, { ...requestInit, redirect: "manual" }),
      resolved.propagateTraceContext,
    )
    const engine: Engine = {
      http,
      baseUrl: resolved.baseUrl,
      secretBearer: bearer(Redacted.value(resolved.secretKey)),
      retry: resolved.retry,
      attemptTimeout: resolved.attemptTimeout,
      totalTimeout: resolved.totalTimeout,
    }
    const target = (clientOptions: ClientOptions) =>
      Effect.map(Check.toEffect(checkClient(clientOptions)), ({ connectionId, providerConfigKey, ...settings }) => ({
        connectionId,
        providerConfigKey,
        settings,
      }))
    return NangoProxy.of({
      client: (clientOptions) =>
        Effect.map(target(clientOptions), (checked) =>
          makeProxyClient(engine, checked, (error): NangoProxyError => error),
        ),
      httpClient: (clientOptions) =>
        Effect.map(
          target(clientOptions),
          (checked): HttpClient.HttpClient =>
            makeProxyClient(engine, checked, (error, caller, response) =>
              causedError(caller, response, error, error.message),
            ),
        ),
    })
  })

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Provides `NangoProxy` from options; needs an `HttpClient` (for example `FetchHttpClient.layer`).
 *
 * @since 0.4.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<NangoProxy, InvalidInput, HttpClient.HttpClient> =>
  Layer.effect(NangoProxy, make(options))

/**
 * Provides `NangoProxy` from the environment: `NANGO_SECRET_KEY` (redacted) and `NANGO_HOST`
 * (default `https://api.nango.dev`); other options are passed as they are.
 *
 * @since 0.4.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "secretKey" | "baseUrl"> = {},
): Layer.Layer<NangoProxy, ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    NangoProxy,
    fromEnvironment(defaults.baseUrl, (settings) => make({ ...options, ...settings })),
  )

/**
 * Provides `HttpClient.HttpClient` itself for one connection, through Nango, for code that only
 * knows `HttpClient` (a generated OpenAPI client, a library): see `Service.httpClient`.
 *
 * @since 0.4.0
 * @category layers
 */
export const layerHttpClient = (options: ClientOptions): Layer.Layer<HttpClient.HttpClient, InvalidInput, NangoProxy> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function* () {
      const proxy = yield* NangoProxy
      return yield* proxy.httpClient(options)
    }),
  )
