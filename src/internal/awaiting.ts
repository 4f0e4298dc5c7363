/**
 * `awaitConnection`: the connection an end user makes through a Connect session, found as soon as
 * the application hands over the verified `auth` webhook that announces it, and otherwise by
 * polling the listing on a schedule, until a deadline. Which webhook announces which connection:
 * `nango/src/connection-requests.ts`.
 */
import { type Subscription, take, timeoutFail } from "#effect"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as PubSub from "#effect/PubSub"
import * as Schedule from "#effect/Schedule"
import {
  type AuthNotice,
  type AwaitedConnection,
  announces,
  authNoticeOf,
} from "../../nango/src/connection-requests.js"
import type { InvalidInput } from "../NangoConnectError.js"
import { AwaitConnectionTimeout, type ListConnectionsError } from "../NangoConnectionsError.js"
import type { ConnectionSummary, ListConnectionsQuery } from "../NangoConnectionsSchema.js"
import { decodeDuration, invalid } from "./options.js"

/** The default poll: every 2 seconds. */
export const defaultSchedule: Schedule.Schedule<unknown> = Schedule.spaced(Duration.seconds(2))

/** The default deadline: 5 minutes, time for an end user to go through a provider's consent screens. */
export const defaultTimeout = Duration.minutes(5)

/** The options with their defaults, once checked. */
interface Resolved {
  readonly since: number | undefined
  readonly schedule: Schedule.Schedule<unknown>
  readonly timeout: Duration.Duration
}

/** Reads the options safely (a getter may throw), or names what is wrong with them. */
const resolve = (options: unknown): Resolved | InvalidInput => {
  try {
    const given = (options ?? {}) as Record<string, unknown>
    const issues: Array<string> = []
    const since = given.since
    if (since !== undefined && !(since instanceof Date && !Number.isNaN(since.getTime()))) {
      issues.push("since: expected a valid Date")
    }
    const schedule = given.schedule ?? defaultSchedule
    if (!Schedule.isSchedule(schedule)) issues.push("schedule: expected a Schedule")
    const timeout = given.timeout === undefined ? defaultTimeout : decodeDuration(given.timeout)
    if (timeout === undefined) issues.push("timeout: expected a duration of zero or more")
    if (issues.length > 0) return invalid("options", issues)
    return {
      since: since === undefined ? undefined : (since as Date).getTime(),
      schedule: schedule as Schedule.Schedule<unknown>,
      timeout: timeout as Duration.Duration,
    }
  } catch {
    return invalid("options", ["(root): the options could not be read"])
  }
}

/** The error of a wait that reached its deadline. */
const timedOut = (timeout: Duration.Duration) =>
  new AwaitConnectionTimeout({
    timeout,
    message: `No connection with the awaited tags appeared within ${Duration.format(timeout)}`,
  })

/** A poll that found nothing yet: the schedule decides whether to poll again. */
class NotYet {
  readonly _tag = "NotYet"
}

/** Whether a poll's failure is only that nothing was found yet (told by tag: Effect 3 may copy the value). */
const isNotYet = (error: { readonly _tag: string }): error is NotYet => error._tag === "NotYet"

/** Lists one page of connections. */
type ListPage = (query: ListConnectionsQuery) => Effect.Effect<ReadonlyArray<ConnectionSummary>, ListConnectionsError>

/**
 * Builds the hand-over (`receiveWebhook`) and the wait (`awaitConnection`) on one list call. A
 * wait subscribes to the handed-over webhooks before its first poll, so none is missed between them.
 */
export const makeAwaiter = (listPage: ListPage) =>
  Effect.map(PubSub.unbounded<AuthNotice>(), (webhooks) => {
    /** The newest connection that matches the query (the listing is newest first). */
    const newest = (query: ListConnectionsQuery) => Effect.map(listPage({ ...query, limit: 1 }), (items) => items[0])

    const polled = (awaited: AwaitedConnection, resolved: Resolved) =>
      Effect.flatMap(newest(awaited), (found) =>
        found !== undefined &&
        (resolved.since === undefined || (found.created !== null && found.created.getTime() >= resolved.since))
          ? Effect.succeed(found)
          : Effect.fail(new NotYet()),
      ).pipe(
        Effect.retry({ schedule: resolved.schedule, while: isNotYet }),
        // The schedule has ended: from now on only a webhook, or the deadline, ends the wait.
        Effect.catchIf(isNotYet, () => Effect.never),
      )

    const announced = (awaited: AwaitedConnection, subscription: Subscription<AuthNotice>) => {
      const next: Effect.Effect<ConnectionSummary, ListConnectionsError> = Effect.flatMap(
        take(subscription),
        (webhook) =>
          announces(webhook, awaited)
            ? Effect.flatMap(
                newest({ connectionId: webhook.connectionId, integrationId: webhook.providerConfigKey }),
                (found) => (found === undefined ? next : Effect.succeed(found)),
              )
            : next,
      )
      return next
    }

    return {
      receiveWebhook: (webhook: unknown): Effect.Effect<void> =>
        Effect.suspend(() => {
          const notice = authNoticeOf(webhook)
          return notice === undefined ? Effect.void : Effect.asVoid(PubSub.publish(webhooks, notice))
        }),
      awaitConnection: (
        awaited: AwaitedConnection,
        options: unknown,
      ): Effect.Effect<ConnectionSummary, ListConnectionsError | AwaitConnectionTimeout | InvalidInput> =>
        Effect.suspend(() => {
          const resolved = resolve(options)
          if (!("schedule" in resolved)) return Effect.fail(resolved)
          return Effect.scoped(
            Effect.flatMap(PubSub.subscribe(webhooks), (subscription) =>
              Effect.raceFirst(announced(awaited, subscription), polled(awaited, resolved)),
            ),
          ).pipe(
            (waiting) =>
              timeoutFail(waiting, { duration: resolved.timeout, onTimeout: () => timedOut(resolved.timeout) }),
            Effect.withSpan("NangoConnections.awaitConnection"),
          )
        }),
    }
  })
