/**
 * A wait for something Nango announces by webhook and that can also be polled for: it ends as
 * soon as the application hands over a verified webhook that announces it (then read at once), or
 * when a poll on the caller's schedule finds it, or fails at its deadline. `awaitConnection` (the
 * `auth` webhook) and `awaitActionResult` (the `async_action` webhook) are both this wait.
 */
import { type Subscription, take, timeoutFail } from "#effect"
import type * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as PubSub from "#effect/PubSub"
import * as Schedule from "#effect/Schedule"
import type { InvalidInput } from "../NangoConnectError.js"
import { decodeDuration, invalid } from "./options.js"

/** When to poll again and until when: the caller's options, checked. */
export interface WaitPolicy {
  readonly schedule: Schedule.Schedule<unknown>
  readonly timeout: Duration.Duration
}

/** Reads a wait's `schedule` and `timeout` safely (a getter may throw), or names what is wrong. */
export const resolvePolicy = (
  options: unknown,
  defaults: WaitPolicy,
  extraIssues: (given: Record<string, unknown>) => ReadonlyArray<string> = () => [],
): WaitPolicy | InvalidInput => {
  try {
    const given = (options ?? {}) as Record<string, unknown>
    const issues: Array<string> = [...extraIssues(given)]
    const schedule = given.schedule ?? defaults.schedule
    if (!Schedule.isSchedule(schedule)) issues.push("schedule: expected a Schedule")
    const timeout = given.timeout === undefined ? defaults.timeout : decodeDuration(given.timeout)
    if (timeout === undefined) issues.push("timeout: expected a duration of zero or more")
    if (issues.length > 0) return invalid("options", issues)
    return { schedule: schedule as Schedule.Schedule<unknown>, timeout: timeout as Duration.Duration }
  } catch {
    return invalid("options", ["(root): the options could not be read"])
  }
}

/** A poll that found nothing yet: the schedule decides whether to poll again. */
class NotYet {
  readonly _tag = "NotYet"
}

/** Whether a poll's failure is only that nothing was found yet (told by tag: Effect 3 may copy the value). */
const isNotYet = (error: { readonly _tag: string }): error is NotYet => error._tag === "NotYet"

/** What one kind of wait is made of. */
export interface Waiting<Notice, Awaited, A, E, T> {
  /** The notice a handed-over webhook carries, when it is one this wait cares about. */
  readonly noticeOf: (webhook: unknown) => Notice | undefined
  /** One poll: what is awaited, when it is there. */
  readonly poll: (awaited: Awaited) => Effect.Effect<A | undefined, E>
  /** After a notice: the read it calls for, when it announces what is awaited (undefined: it does not). */
  readonly onNotice: (awaited: Awaited, notice: Notice) => Effect.Effect<A | undefined, E> | undefined
  /** The error of a wait that reached its deadline. */
  readonly timedOut: (awaited: Awaited, timeout: Duration.Duration) => T
  /** The wait's span. */
  readonly spanName: string
}

/**
 * Builds the hand-over (`receiveWebhook`) and the wait (`await`). A wait subscribes to the
 * handed-over webhooks before its first poll, so none is missed between them.
 */
export const makeWaiter = <Notice, Awaited, A, E extends { readonly _tag: string }, T>(
  waiting: Waiting<Notice, Awaited, A, E, T>,
) =>
  Effect.map(PubSub.unbounded<Notice>(), (webhooks) => {
    const polled = (awaited: Awaited, policy: WaitPolicy) =>
      Effect.flatMap(waiting.poll(awaited), (found) =>
        found === undefined ? Effect.fail(new NotYet()) : Effect.succeed(found),
      ).pipe(
        Effect.retry({ schedule: policy.schedule, while: isNotYet }),
        // The schedule has ended: from now on only a webhook, or the deadline, ends the wait.
        Effect.catchIf(isNotYet, () => Effect.never),
      )

    const announced = (awaited: Awaited, subscription: Subscription<Notice>) => {
      const next: Effect.Effect<A, E> = Effect.flatMap(take(subscription), (notice) => {
        const read = waiting.onNotice(awaited, notice)
        return read === undefined
          ? next
          : Effect.flatMap(read, (found) => (found === undefined ? next : Effect.succeed(found)))
      })
      return next
    }

    return {
      receiveWebhook: (webhook: unknown): Effect.Effect<void> =>
        Effect.suspend(() => {
          const notice = waiting.noticeOf(webhook)
          return notice === undefined ? Effect.void : Effect.asVoid(PubSub.publish(webhooks, notice))
        }),
      await: (awaited: Awaited, policy: WaitPolicy): Effect.Effect<A, E | T> =>
        Effect.scoped(
          Effect.flatMap(PubSub.subscribe(webhooks), (subscription) =>
            Effect.raceFirst(announced(awaited, subscription), polled(awaited, policy)),
          ),
        ).pipe(
          (wait) =>
            timeoutFail(wait, { duration: policy.timeout, onTimeout: () => waiting.timedOut(awaited, policy.timeout) }),
          Effect.withSpan(waiting.spanName),
        ),
    }
  })
