/**
 * The overall deadline's decisions, at their edges: a backoff that ends before the deadline is
 * kept, one that reaches it is cut and ends the call; an attempt gets the time left, and none
 * starts after a cut backoff even when the timer woke a millisecond early.
 */
import { describe, expect, it } from "vitest"
import { backoffWithin, nextAttemptMillis } from "../src/deadline.js"

describe("backoffWithin", () => {
  it("keeps a backoff that ends a millisecond before the deadline", () => {
    expect(backoffWithin(99, 1000, 1100)).toEqual({ millis: 99, reachesDeadline: false })
  })

  it("cuts a backoff that ends at the deadline or after it, and says so", () => {
    expect(backoffWithin(100, 1000, 1100)).toEqual({ millis: 100, reachesDeadline: true })
    expect(backoffWithin(5000, 1000, 1100)).toEqual({ millis: 100, reachesDeadline: true })
  })

  it("waits not at all once the deadline has passed", () => {
    expect(backoffWithin(10, 1200, 1100)).toEqual({ millis: 0, reachesDeadline: true })
  })
})

describe("nextAttemptMillis", () => {
  it("gives the attempt its own limit when more time is left", () => {
    expect(nextAttemptMillis(1000, 2001, 1000, false)).toBe(1000)
  })

  it("cuts the attempt to the time left", () => {
    expect(nextAttemptMillis(1000, 1500, 1000, false)).toBe(500)
    expect(nextAttemptMillis(1000, 1001, 1000, false)).toBe(1)
  })

  it("starts no attempt at the deadline or past it", () => {
    expect(nextAttemptMillis(1100, 1100, 1000, false)).toBeUndefined()
    expect(nextAttemptMillis(1101, 1100, 1000, false)).toBeUndefined()
  })

  it("starts no attempt after a backoff cut to the deadline, even when its timer woke early", () => {
    expect(nextAttemptMillis(1099, 1100, 1000, true)).toBeUndefined()
  })
})
