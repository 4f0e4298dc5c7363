/**
 * The proxy client's engine: a caller's request becomes a request to Nango's proxy when it is
 * executed (so headers added by the caller's own `mapRequest` are forwarded too), Nango's own
 * answers become typed errors, and the provider's answers come back untouched, told of the
 * caller's request (never of the one that carried the secret key).
 */
import { causedError, retryWhile, ServiceTag, spanDefaults, timeoutFail, transportCauseOf, withRequest } from "#effect"
import * as Clock from "#effect/Clock"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as HttpClient from "#effect/HttpClient"
import type * as HttpClientError from "#effect/HttpClientError"
import * as HttpClientRequest from "#effect/HttpClientRequest"
import type * as HttpClientResponse from "#effect/HttpClientResponse"
import * as Option from "#effect/Option"
import * as Schedule from "#effect/Schedule"
import * as UrlParams from "#effect/UrlParams"
import { describeTransportFailure } from "../../nango/src/error-code.js"
import { isTransient } from "../../nango/src/failure.js"
import { maxNangoBodyBytes, mayBeNango, type ProxyFailure, proxyFailureOf } from "../../nango/src/proxy-failure.js"
import {
  callerRequestIssues,
  proxyHeaders,
  proxyPrefix,
  proxyTarget,
  settingsHeaders,
} from "../../nango/src/proxy-requests.js"
import { announcedWaitMillis } from "../../nango/src/rules.js"
import type { NangoProxyError } from "../NangoProxyError.js"
import type { ProxySettings } from "../NangoProxySchema.js"
import { timedOut } from "./endpoint.js"
import { envelopeOf } from "./errors.js"
import { invalid } from "./options.js"
import { nangoError } from "./proxy-errors.js"
import { asCallers, readUpTo, withBody } from "./proxy-response.js"
import { type ResolvedRetry, rateLimitWait } from "./retry.js"
import type { RequestLabel } from "./transport.js"

/** What every proxy client of one service shares: the transport to Nango and the policies. */
export interface Engine {
  /** The `HttpClient` to Nango, its tracing settled. */
  readonly http: HttpClient.HttpClient
  readonly baseUrl: string
  /** The secret key's `Authorization` value. */
  readonly secretBearer: string
  readonly retry: ResolvedRetry
  readonly attemptTimeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
}

/** The connection a client calls through, and its proxy settings. */
export interface Target {
  readonly connectionId: string
  readonly providerConfigKey: string
  readonly settings: ProxySettings
}

/**
 * Proxy settings for the requests of one effect, laid over the client's (`NangoProxy.withSettings`).
 */
export class RequestSettings extends ServiceTag<RequestSettings, ProxySettings>()(
  "effect-nango/NangoProxy/RequestSettings",
) {}

/** One of the client's own failures on its way out, with Nango's response when there was one. */
class Failed {
  constructor(
    readonly error: NangoProxyError,
    readonly response?: HttpClientResponse.HttpClientResponse,
  ) {}
}

/** What an attempt fails with before its failure is reported. */
type AttemptError = Failed | HttpClientError.HttpClientError

/** Whether a failed attempt may be tried again: only what Nango cannot have passed to the provider. */
const retriable =
  (policy: ResolvedRetry) =>
  (failure: AttemptError): boolean => {
    if (!(failure instanceof Failed)) {
      const transport = transportCauseOf(failure)
      const connectionFailed =
        transport !== undefined && describeTransportFailure(transport.cause, "request", "").connectionFailed
      return isTransient({ _tag: "TransportError", connectionFailed }, undefined, false, 0)
    }
    const { error } = failure
    const wait = error._tag === "RateLimited" && error.retryAfter !== undefined ? error.retryAfter : undefined
    return isTransient(
      error,
      wait === undefined ? undefined : Duration.toMillis(wait),
      false,
      Duration.toMillis(policy.maxRetryAfter),
    )
  }

/** The schedule of the client's own retries: Nango's 429 and 503, and a connection never opened. */
const retrySchedule = (policy: ResolvedRetry) =>
  retryWhile(Schedule.exponential(policy.baseDelay).pipe(Schedule.jittered), {
    maxRetries: policy.maxAttempts - 1,
    retryOn: retriable(policy),
    delay: (failure: AttemptError, delay) => {
      const capped = Duration.min(delay, policy.maxDelay)
      const error = failure instanceof Failed ? failure.error : undefined
      return error?._tag === "RateLimited" && error.retryAfter !== undefined
        ? Duration.max(capped, rateLimitWait(error.retryAfter))
        : capped
    },
  })

/** The settings of one request: the client's, with those of `withSettings` over them. */
const settingsOf = (target: Target) =>
  Effect.map(Effect.serviceOption(RequestSettings), (perRequest) =>
    Option.match(perRequest, { onNone: () => target.settings, onSome: (own) => ({ ...target.settings, ...own }) }),
  )

/**
 * How a client reports a failure of its own (Nango's answer, a refused request, a timeout): as
 * itself, or as the platform's `HttpClientError` whose cause it is, with the response if any.
 */
export type Report<E> = (
  error: NangoProxyError,
  caller: HttpClientRequest.HttpClientRequest,
  response?: HttpClientResponse.HttpClientResponse,
) => E

/** Reads a response that may be Nango's own: its typed error, or the provider's response, bytes intact. */
const answer = (
  response: HttpClientResponse.HttpClientResponse,
  caller: HttpClientRequest.HttpClientRequest,
  label: RequestLabel,
  target: Target,
): Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptError> => {
  if (!mayBeNango(response.status, response.headers["content-length"])) {
    return Effect.succeed(asCallers(response, caller))
  }
  return Effect.matchEffect(readUpTo(response, caller, maxNangoBodyBytes), {
    onFailure: (error) =>
      Effect.fail(causedError(caller, undefined, error, `The response from Nango broke off on ${label.method}`)),
    onSuccess: (read) => {
      if (read._tag === "Longer") return Effect.succeed(read.response)
      const text = new TextDecoder().decode(read.bytes)
      const failure: ProxyFailure | undefined = proxyFailureOf(response.status, text)
      if (failure === undefined) return Effect.succeed(withBody(response, caller, read.bytes))
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const wait = announcedWaitMillis(response.headers["retry-after"], response.headers["x-ratelimit-reset"], now)
        const error = nangoError(failure, label, target, envelopeOf(text)?.errors, wait)
        return Effect.fail(new Failed(error, withBody(response, caller, read.bytes)))
      })
    },
  })
}

/** The caller's request as sent to Nango's proxy, and the label its messages and span use. */
interface Outgoing {
  readonly request: HttpClientRequest.HttpClientRequest
  /** The provider's path as the caller wrote it (no query): what messages name. */
  readonly label: RequestLabel
}

/** Checks the caller's request against the settings, then rewrites it into a request to the proxy. */
const toOutgoing = (
  engine: Engine,
  target: Target,
  settings: ProxySettings,
  caller: HttpClientRequest.HttpClientRequest,
): Effect.Effect<Outgoing, Failed> => {
  const headers = caller.headers as Readonly<Record<string, string>>
  const issues = callerRequestIssues(
    { method: caller.method, url: caller.url, headers, hasBody: caller.body._tag !== "Empty" },
    {
      allowAuthorization: settings.allowAuthorization === true,
      allowRetriedWrites: settings.allowRetriedWrites === true,
      retries: settings.retries ?? 0,
    },
  )
  if (issues.length > 0) return Effect.fail(new Failed(invalid("request", issues)))
  const path = proxyTarget(caller.url, UrlParams.toString(caller.urlParams))
  const own = {
    authorization: engine.secretBearer,
    "connection-id": target.connectionId,
    "provider-config-key": target.providerConfigKey,
    ...settingsHeaders(settings),
  }
  const request = HttpClientRequest.setBody(
    HttpClientRequest.make(caller.method as "GET")(engine.baseUrl + path, {
      headers: proxyHeaders(headers, own, caller.body._tag === "FormData"),
    }),
    caller.body,
  )
  return Effect.succeed({
    request,
    label: { method: caller.method, path: path.slice(proxyPrefix.length).split("?")[0] as string },
  })
}

/** One attempt and its retries, each attempt and the whole under their timeouts. */
const exchange = (
  engine: Engine,
  target: Target,
  schedule: ReturnType<typeof retrySchedule>,
  caller: HttpClientRequest.HttpClientRequest,
  { label, request }: Outgoing,
): Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptError> => {
  const attempt = Effect.flatMap(
    Effect.mapError(engine.http.execute(request), (error) => withRequest(error, caller)),
    (response) =>
      Effect.andThen(
        Effect.annotateCurrentSpan("http.response.status_code", response.status),
        answer(response, caller, label, target),
      ),
  )
  const timed = (effect: typeof attempt, scope: "attempt" | "total") => {
    const duration = scope === "attempt" ? engine.attemptTimeout : engine.totalTimeout
    return timeoutFail(effect, {
      duration,
      onTimeout: () => new Failed(timedOut(label, scope, duration, " through Nango's proxy")),
    })
  }
  return timed(Effect.retry(timed(attempt, "attempt"), { schedule }), "total")
}

/**
 * Builds a client whose requests go to the provider through Nango's proxy, for one connection.
 * The rewrite runs in the client's postprocessing, so it sees each request as finally executed.
 */
export const makeProxyClient = <E>(
  engine: Engine,
  target: Target,
  report: Report<E>,
): HttpClient.HttpClient.With<E | HttpClientError.HttpClientError> => {
  const schedule = retrySchedule(engine.retry)
  const send = (caller: HttpClientRequest.HttpClientRequest) =>
    settingsOf(target).pipe(
      Effect.flatMap((settings) => toOutgoing(engine, target, settings, caller)),
      Effect.flatMap((outgoing) =>
        exchange(engine, target, schedule, caller, outgoing).pipe(
          // The span names the path sent to Nango.
          Effect.withSpan("NangoProxy.request", {
            ...spanDefaults,
            kind: "client",
            attributes: {
              "http.request.method": outgoing.label.method,
              "url.path": proxyPrefix + outgoing.label.path,
              "nango.provider_config_key": target.providerConfigKey,
              "nango.connection_id": target.connectionId,
            },
          }),
        ),
      ),
    )

  return HttpClient.makeWith(
    (request: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
      Effect.flatMap(request, (caller) =>
        Effect.mapError(send(caller), (failure) =>
          failure instanceof Failed ? report(failure.error, caller, failure.response) : failure,
        ),
      ),
    Effect.succeed,
  )
}
