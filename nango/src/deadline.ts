/**
 * The overall deadline of a call, as plain decisions both lines' retry drivers take: how long the
 * next backoff may last, and whether (and for how long) the next attempt may run. An attempt never
 * starts once a backoff was cut to the deadline, whatever the timer that ended that backoff says
 * about the time (a timer may wake a millisecond early, and "1 ms left" must not start a request).
 */

/** A backoff cut to the time left before the deadline; `reachesDeadline` when it was cut. */
export interface Backoff {
  readonly millis: number
  readonly reachesDeadline: boolean
}

/** The backoff the schedule asked for, cut to the time left before the deadline. */
export const backoffWithin = (delayMillis: number, now: number, deadline: number): Backoff => {
  const left = Math.max(0, deadline - now)
  return delayMillis >= left ? { millis: left, reachesDeadline: true } : { millis: delayMillis, reachesDeadline: false }
}

/**
 * How long the next attempt may run: its own limit, or the time left if that is shorter; `undefined`
 * when no attempt may start, because the deadline has passed or the backoff before it reached it.
 */
export const nextAttemptMillis = (
  now: number,
  deadline: number,
  attemptMillis: number,
  backoffReachedDeadline: boolean,
): number | undefined => {
  const left = deadline - now
  if (backoffReachedDeadline || left <= 0) return undefined
  return Math.min(left, attemptMillis)
}
