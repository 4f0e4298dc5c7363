/**
 * The retry schedule: transient failures only, exponential backoff with jitter, a bounded number
 * of attempts, and the server's `Retry-After` honoured up to a cap.
 */
import { type RetrySchedule, retryWhile } from "#effect"
import * as Clock from "#effect/Clock"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as Schedule from "#effect/Schedule"
import { type AttemptFailure, isTransient as isTransientFailure } from "../../nango/src/failure.js"
import { rateLimitSlackMillis } from "../../nango/src/rules.js"

/**
 * What the retry decision reads of a failed call: its tag and the fields of `AttemptFailure`, and
 * the wait a `RateLimited` announced. Every error an endpoint can fail with has this shape.
 */
export interface RetriedFailure extends AttemptFailure {
  readonly retryAfter?: Duration.Duration | undefined
}

/**
 * How long to wait after a 429 that announced `retryAfter`: a second more than it says, since the
 * server floors it to whole seconds and the window would otherwise still be closed.
 */
export const rateLimitWait = (retryAfter: Duration.Duration): Duration.Duration =>
  Duration.sum(retryAfter, Duration.millis(rateLimitSlackMillis))

/** Retry settings with every default filled in. */
export interface ResolvedRetry {
  readonly maxAttempts: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
}

/**
 * Whether a failed attempt may be tried again: only what the server cannot have acted on, unless
 * the call is idempotent (the rule is `isTransient` of `nango/src/failure.ts`).
 */
export const isTransient = (error: RetriedFailure, idempotent: boolean, policy: ResolvedRetry): boolean =>
  isTransientFailure(
    error,
    error._tag === "RateLimited" && error.retryAfter !== undefined ? Duration.toMillis(error.retryAfter) : undefined,
    idempotent,
    Duration.toMillis(policy.maxRetryAfter),
  )

/** The schedule that drives `Effect.retry` for one call. */
export const retrySchedule = (policy: ResolvedRetry, idempotent: boolean): RetrySchedule<RetriedFailure> =>
  retryWhile(Schedule.exponential(policy.baseDelay).pipe(Schedule.jittered), {
    maxRetries: policy.maxAttempts - 1,
    retryOn: (error: RetriedFailure) => isTransient(error, idempotent, policy),
    delay: (error, delay) => {
      const capped = Duration.min(delay, policy.maxDelay)
      return error._tag === "RateLimited" && error.retryAfter !== undefined
        ? Duration.max(capped, rateLimitWait(error.retryAfter))
        : capped
    },
  })

/**
 * Whether the wait a 429 asks for still ends before the call's deadline. When it does not, the
 * call fails at once with `RateLimited` (and its delay) instead of sleeping into a `TimeoutError`.
 */
export const retryAfterFits =
  (deadlineMillis: number) =>
  (error: RetriedFailure): boolean | Effect.Effect<boolean> =>
    error._tag !== "RateLimited" || error.retryAfter === undefined
      ? true
      : Effect.map(
          Clock.currentTimeMillis,
          (now) => now + Duration.toMillis(rateLimitWait(error.retryAfter as Duration.Duration)) < deadlineMillis,
        )
