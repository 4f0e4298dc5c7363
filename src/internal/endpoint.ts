/**
 * One endpoint of the client, built once per client: its span name and attributes, its timers and
 * its retry schedule. A call only adds its bearer and body. The success path pays for one span,
 * one timer and no retry driver; only a transient failure builds the retries, under the call's
 * overall deadline.
 */
import {
  catchAll,
  clockMillis,
  currentClock,
  modifyDelay,
  type RetrySchedule,
  spanDefaults,
  timeoutFail,
} from "#effect"
import * as Clock from "#effect/Clock"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import { backoffWithin, nextAttemptMillis } from "../../nango/src/deadline.js"
import { TimeoutError, type TransportError } from "../NangoConnectError.js"
import { isTransient, type ResolvedRetry, type RetriedFailure, retryAfterFits, retrySchedule } from "./retry.js"
import type * as Transport from "./transport.js"
import type { RequestLabel } from "./transport.js"

/** What every endpoint of one client shares: the transport and the policies. */
export interface Policies {
  readonly transport: Transport.Transport
  readonly retry: ResolvedRetry
  readonly attemptTimeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
}

/** One endpoint: its span name (`NangoConnect.getConnectSession`), its method and path, and how its response is read. */
export interface Definition<A, E> {
  readonly name: string
  readonly method: Transport.OutgoingRequest["method"]
  readonly path: string
  /** Whether a repeat is harmless; when it is not, only failures the server cannot have acted on are retried. */
  readonly idempotent: boolean
  /** Reads a response, of any status, into the call's value or its typed error. */
  readonly onResponse: (response: Transport.IncomingResponse, label: RequestLabel) => Effect.Effect<A, E>
}

/**
 * A call of one endpoint: its bearer, its encoded JSON body, when the endpoint's path is a
 * template or has a query, the target sent (the path with its encoded id, and the query), and the
 * endpoint's own headers, if any.
 */
export type Endpoint<A, E> = (
  authorization: string,
  body: string | undefined,
  target?: string,
  headers?: Readonly<Record<string, string>>,
) => Effect.Effect<A, E | TimeoutError | TransportError>

/**
 * The `TimeoutError` of a call that ran out of time: one attempt's, or the whole call's. `via` says
 * how the call went (" through Nango's proxy"), when that is not the plain API.
 */
export const timedOut = (
  label: RequestLabel,
  scope: "attempt" | "total",
  timeout: Duration.Duration,
  via = "",
): TimeoutError => {
  const call = `${label.method} ${label.path}${via} took longer than ${Duration.format(timeout)}`
  return new TimeoutError({
    ...label,
    scope,
    timeout,
    message: scope === "attempt" ? `An attempt at ${call}` : `${call} in all`,
  })
}

/** The default Clock: with it, a transport that can arm its own timer does (see `Transport.Timer`). */
const liveClock = Effect.runSync(currentClock)

/** A timer for one attempt: what the transport arms, and the same limit as a `Duration`. */
interface Timer extends Transport.Timer {
  readonly duration: Duration.Duration
}

/** The two timers of an endpoint: one attempt's, and the whole call's. */
const timers = (label: RequestLabel, policies: Policies) => {
  const timer = (scope: "attempt" | "total", timeout: Duration.Duration): Timer => ({
    duration: timeout,
    millis: Duration.toMillis(timeout),
    onTimeout: () => timedOut(label, scope, timeout),
  })
  return { attempt: timer("attempt", policies.attemptTimeout), total: timer("total", policies.totalTimeout) }
}

/**
 * Builds an endpoint. Each call runs in its span (method, path, status, attempts): the first
 * attempt under a single timer, its own limit or the overall one if that is shorter; and only when
 * it fails with something transient, the retries under the overall deadline.
 */
export const make = <A, E extends RetriedFailure>(policies: Policies, definition: Definition<A, E>): Endpoint<A, E> => {
  const { transport } = policies
  const label = { method: definition.method, path: definition.path }
  const spanName = definition.name
  const spanOptions = {
    ...spanDefaults,
    kind: "client",
    attributes: { "http.request.method": label.method, "url.path": label.path },
  } as const
  const schedule = retrySchedule(policies.retry, definition.idempotent)
  const timer = timers(label, policies)
  const first = timer.attempt.millis < timer.total.millis ? timer.attempt : timer.total

  return (authorization, body, target, headers) => {
    const request = { method: definition.method, path: definition.path, target, authorization, body, headers }
    return Effect.useSpan(spanName, spanOptions, (span) =>
      Effect.clockWith((clock) => {
        let attempts = 0
        const attempt = (armed: Timer) => {
          span.attribute("nango.attempts", ++attempts)
          const exchange =
            transport.timesItself && clock === liveClock
              ? transport.send(request, armed)
              : timeoutFail(transport.send(request), { duration: armed.duration, onTimeout: armed.onTimeout })
          return Effect.flatMap(exchange, (response) => {
            span.attribute("http.response.status_code", response.status)
            return definition.onResponse(response, label)
          })
        }
        const deadline = clockMillis(clock) + timer.total.millis
        return catchAll(attempt(first), (error) =>
          isTransient(error, definition.idempotent, policies.retry)
            ? retried({ attempt, firstError: error, deadline, schedule, timer })
            : Effect.fail(error),
        )
      }),
    )
  }
}

/**
 * After a transient failure: the schedule decides on that error first, then drives the next
 * attempts. The overall deadline is kept without a timeout race: each attempt's timer is cut to
 * the time left, each backoff too, and no attempt starts once it has passed or once a backoff was
 * cut to it (nango/src/deadline.ts).
 */
const retried = <A, E extends RetriedFailure>(options: {
  readonly attempt: (timer: Timer) => Effect.Effect<A, E | TimeoutError | TransportError>
  readonly firstError: E | TimeoutError | TransportError
  readonly deadline: number
  readonly schedule: RetrySchedule<RetriedFailure>
  readonly timer: { readonly attempt: Timer; readonly total: Timer }
}): Effect.Effect<A, E | TimeoutError | TransportError> => {
  const { attempt, deadline, timer } = options
  let replayed = false
  // Set by the schedule when it cut a backoff to the deadline: no attempt follows that backoff.
  let reachedDeadline = false
  const next = Effect.suspend(() => {
    if (!replayed) {
      replayed = true
      return Effect.fail(options.firstError)
    }
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const millis = nextAttemptMillis(now, deadline, timer.attempt.millis, reachedDeadline)
      if (millis === undefined) return Effect.fail(timer.total.onTimeout())
      return millis < timer.attempt.millis
        ? attempt({ duration: Duration.millis(millis), millis, onTimeout: timer.total.onTimeout })
        : attempt(timer.attempt)
    })
  })
  const withinDeadline = modifyDelay(options.schedule, (delay) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const backoff = backoffWithin(Duration.toMillis(delay), now, deadline)
      reachedDeadline = backoff.reachesDeadline
      return Duration.millis(backoff.millis)
    }),
  )
  return Effect.retry(next, { schedule: withinDeadline, while: retryAfterFits(deadline) })
}
