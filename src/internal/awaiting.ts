/**
 * `awaitConnection`: the connection an end user makes through a Connect session, found as soon as
 * the application hands over the verified `auth` webhook that announces it, and otherwise by
 * polling the listing on a schedule, until a deadline (the wait is `waiting.ts`). Which webhook
 * announces which connection: `nango/src/connection-requests.ts`.
 */
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as Schedule from "#effect/Schedule"
import { type AwaitedConnection, announces, authNoticeOf } from "../../nango/src/connection-requests.js"
import type { InvalidInput } from "../NangoConnectError.js"
import { AwaitConnectionTimeout, type ListConnectionsError } from "../NangoConnectionsError.js"
import type { ConnectionSummary, ListConnectionsQuery } from "../NangoConnectionsSchema.js"
import { makeWaiter, resolvePolicy } from "./waiting.js"

/** The default poll: every 2 seconds. */
export const defaultSchedule: Schedule.Schedule<unknown> = Schedule.spaced(Duration.seconds(2))

/** The default deadline: 5 minutes, time for an end user to go through a provider's consent screens. */
export const defaultTimeout = Duration.minutes(5)

/** Why `since` cannot be read, if it cannot. */
const sinceIssues = (given: Record<string, unknown>): ReadonlyArray<string> => {
  const since = given.since
  return since !== undefined && !(since instanceof Date && !Number.isNaN(since.getTime()))
    ? ["since: expected a valid Date"]
    : []
}

/** Lists one page of connections. */
type ListPage = (query: ListConnectionsQuery) => Effect.Effect<ReadonlyArray<ConnectionSummary>, ListConnectionsError>

/** What one `awaitConnection` waits for: the query, and the earliest creation that counts. */
interface Awaited {
  readonly query: AwaitedConnection
  readonly since: number | undefined
}

/** Builds `receiveWebhook` and `awaitConnection` on one list call. */
export const makeAwaiter = (listPage: ListPage) => {
  /** The newest connection that matches the query (the listing is newest first). */
  const newest = (query: ListConnectionsQuery) => Effect.map(listPage({ ...query, limit: 1 }), (items) => items[0])
  return Effect.map(
    makeWaiter({
      noticeOf: authNoticeOf,
      poll: ({ query, since }: Awaited) =>
        Effect.map(newest(query), (found) =>
          found !== undefined && (since === undefined || (found.created !== null && found.created.getTime() >= since))
            ? found
            : undefined,
        ),
      onNotice: ({ query }, webhook) =>
        announces(webhook, query)
          ? newest({ connectionId: webhook.connectionId, integrationId: webhook.providerConfigKey })
          : undefined,
      timedOut: (_, timeout) =>
        new AwaitConnectionTimeout({
          timeout,
          message: `No connection with the awaited tags appeared within ${Duration.format(timeout)}`,
        }),
      spanName: "NangoConnections.awaitConnection",
    }),
    (waiter) => ({
      receiveWebhook: waiter.receiveWebhook,
      awaitConnection: (
        awaited: AwaitedConnection,
        options: unknown,
      ): Effect.Effect<ConnectionSummary, ListConnectionsError | AwaitConnectionTimeout | InvalidInput> =>
        Effect.suspend(() => {
          const policy = resolvePolicy(options, { schedule: defaultSchedule, timeout: defaultTimeout }, sinceIssues)
          if (!("schedule" in policy)) return Effect.fail(policy)
          const since = (options as { readonly since?: Date } | undefined)?.since
          return waiter.await({ query: awaited, since: since?.getTime() }, policy)
        }),
    }),
  )
}
