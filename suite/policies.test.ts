import { Clock, Duration, describe, Effect, expect, Fiber, fork, isDone, it, TestClock } from "#line"
import {
  driveClock,
  itWithSleeps,
  recordingTracer,
  setup,
  transportName,
  unknownToken,
  waitForSleep,
  waitUntil,
} from "./support.js"

const user = { end_user: { id: "user-42" } }
const unavailable = {
  status: 503,
  body: JSON.stringify({ error: { code: "server_error", message: "Service Unavailable" } }),
}

describe("retry", () => {
  itWithSleeps("retries a 503 after a jittered backoff of ~200 ms, then succeeds", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const session = yield* nango.createConnectSession(user)
      emulator.injectFault({ ...unavailable, method: "GET" })
      const fiber = yield* fork(nango.getConnectSession(session.token))
      const delay = yield* waitForSleep("200 millis", "40 millis")
      expect(emulator.requestsTo("GET", "/connect/session")).toHaveLength(1)
      yield* TestClock.adjust(delay)
      const details = yield* Fiber.join(fiber)
      expect(details.endUser?.id).toBe("user-42")
      expect(emulator.requestsTo("GET", "/connect/session")).toHaveLength(2)
    }),
  )

  itWithSleeps("jitters the backoff, so clients that failed together do not retry together", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const delays: Array<number> = []
      for (let i = 0; i < 6; i++) {
        emulator.injectFault(unavailable)
        const fiber = yield* fork(nango.getConnectSession(unknownToken))
        const delay = yield* waitForSleep("200 millis", "40 millis")
        delays.push(delay)
        yield* TestClock.adjust(delay)
        yield* Effect.flip(Fiber.join(fiber))
      }
      expect(new Set(delays).size).toBeGreaterThan(1)
    }),
  )

  itWithSleeps("doubles the backoff on each retry", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const session = yield* nango.createConnectSession(user)
      emulator.injectFault({ ...unavailable, method: "GET", times: 2 })
      const fiber = yield* fork(nango.getConnectSession(session.token))
      yield* TestClock.adjust(yield* waitForSleep("200 millis", "40 millis"))
      yield* TestClock.adjust(yield* waitForSleep("400 millis", "80 millis"))
      yield* Fiber.join(fiber)
      expect(emulator.requestsTo("GET", "/connect/session")).toHaveLength(3)
    }),
  )

  itWithSleeps("waits Retry-After plus the second the server floors away, for a POST too", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      emulator.injectFault({
        status: 429,
        headers: { "retry-after": "5", "content-type": "application/json" },
        body: JSON.stringify({ error: { code: "too_many_request", method: "POST", path: "/connect/sessions" } }),
      })
      const fiber = yield* fork(nango.createConnectSession(user))
      yield* waitForSleep("6 seconds")
      yield* TestClock.adjust("5999 millis")
      expect(emulator.requests).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      expect(emulator.requests).toHaveLength(2)
    }),
  )

  itWithSleeps("honours Retry-After given as an HTTP date", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const now = yield* Clock.currentTimeMillis
      emulator.injectFault({ status: 429, headers: { "retry-after": new Date(now + 7000).toUTCString() } })
      const fiber = yield* fork(nango.createConnectSession(user))
      yield* TestClock.adjust(yield* waitForSleep("8 seconds"))
      yield* Fiber.join(fiber)
      expect(emulator.requests).toHaveLength(2)
    }),
  )

  itWithSleeps("caps each backoff at maxDelay, jitter included", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(
        {},
        { retry: { maxAttempts: 3, baseDelay: "1 second", maxDelay: "1500 millis" } },
      )
      emulator.injectFault({ ...unavailable, times: 2 })
      const fiber = yield* fork(nango.getConnectSession(unknownToken))
      // The first backoff is 1 s ± 20%; the second would be 2 s ± 20%, which the cap cuts to 1.5 s.
      yield* TestClock.adjust(yield* waitForSleep("1 second", "200 millis"))
      expect(yield* waitForSleep("1500 millis", "1000 millis")).toBeCloseTo(1500, 6)
      yield* TestClock.adjust("1500 millis")
      yield* Effect.flip(Fiber.join(fiber))
      expect(emulator.requests).toHaveLength(3)
    }),
  )

  itWithSleeps("honours a Retry-After equal to the cap, and fails at once one second over it", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxRetryAfter: "5 seconds" } })
      emulator.injectFault({ status: 429, headers: { "retry-after": "5" } })
      const fiber = yield* fork(nango.createConnectSession(user))
      yield* TestClock.adjust(yield* waitForSleep("6 seconds"))
      yield* Fiber.join(fiber)
      expect(emulator.requests).toHaveLength(2)
      emulator.injectFault({ status: 429, headers: { "retry-after": "6" } })
      const over = yield* Effect.flip(nango.createConnectSession(user))
      expect(over._tag).toBe("RateLimited")
      expect(emulator.requests).toHaveLength(3)
    }),
  )

  itWithSleeps("a Retry-After past the cap fails at once with RateLimited and its delay", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxRetryAfter: "10 seconds" } })
      emulator.injectFault({ status: 429, headers: { "retry-after": "3600" } })
      const error = yield* Effect.flip(nango.createConnectSession(user))
      expect(error._tag).toBe("RateLimited")
      expect(error._tag === "RateLimited" && error.retryAfter && Duration.toSeconds(error.retryAfter)).toBe(3600)
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  itWithSleeps("a 429 from the emulator's own limiter is absorbed when the window reopens", () =>
    Effect.gen(function* () {
      let now = 1_000_000
      const { emulator, nango } = yield* setup({ rateLimit: { points: 1, windowMs: 2000 }, now: () => now })
      yield* nango.createConnectSession(user)
      const fiber = yield* fork(nango.createConnectSession(user))
      yield* waitForSleep("3 seconds")
      now += 3000
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(fiber)
      expect(emulator.requests).toHaveLength(3)
    }),
  )

  itWithSleeps("a 429 whose floored Retry-After would land inside the window succeeds on the 2nd attempt", () =>
    Effect.gen(function* () {
      let now = 1_000_000
      const { emulator, nango } = yield* setup({ rateLimit: { points: 1, windowMs: 2000 }, now: () => now })
      yield* nango.createConnectSession(user)
      now += 500
      const fiber = yield* fork(nango.createConnectSession(user))
      // 1.5 s are left in the window; the server says Retry-After: 1.
      yield* waitForSleep("2 seconds")
      // Waiting exactly Retry-After would arrive here, still inside the window: the server refuses
      // again with Retry-After: 0, and a client that trusts it spends its attempts in this window.
      now += 1000
      const early = yield* Effect.promise(() =>
        fetch(`${emulator.url}/connect/sessions`, {
          method: "POST",
          headers: { authorization: `Bearer ${emulator.secretKey}`, "content-type": "application/json" },
          body: JSON.stringify(user),
        }),
      )
      expect([early.status, early.headers.get("retry-after")]).toEqual([429, "0"])
      now += 1000
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      expect(emulator.requestsTo("POST", "/connect/sessions").map((request) => request.path)).toHaveLength(4)
      expect(emulator.created).toHaveLength(2)
    }),
  )

  itWithSleeps("without Retry-After, waits until X-RateLimit-Reset plus a second", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const now = yield* Clock.currentTimeMillis
      const reset = String(Math.floor((now + 4000) / 1000))
      emulator.injectFault({ status: 429, headers: { "x-ratelimit-reset": reset } })
      const fiber = yield* fork(nango.createConnectSession(user))
      yield* TestClock.adjust(yield* waitForSleep("5 seconds", "1 second"))
      yield* Fiber.join(fiber)
      expect(emulator.requests).toHaveLength(2)
    }),
  )

  itWithSleeps("X-RateLimit-Reset is an epoch time: read at today's clock, not at 1970", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 11, 1, 12, 0, 0, 400))
      const { emulator, nango } = yield* setup()
      const now = yield* Clock.currentTimeMillis
      // The reset falls at 12:00:04 (epoch seconds), 3.6 s from now; the client waits a second more.
      emulator.injectFault({ status: 429, headers: { "x-ratelimit-reset": String(Math.floor((now + 3600) / 1000)) } })
      const fiber = yield* fork(nango.createConnectSession(user))
      yield* TestClock.adjust(yield* waitForSleep("4600 millis", "1 millis"))
      yield* Fiber.join(fiber)
      expect(emulator.requests).toHaveLength(2)
    }),
  )

  itWithSleeps(
    "a 429 with neither Retry-After nor X-RateLimit-Reset is retried after the ordinary backoff, POST too",
    () =>
      Effect.gen(function* () {
        const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 2 } })
        emulator.injectFault({ status: 429, times: 100 })
        const fiber = yield* fork(nango.createConnectSession(user))
        yield* TestClock.adjust(yield* waitForSleep("200 millis", "40 millis"))
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error._tag === "RateLimited" && error.retryAfter).toBeUndefined()
        expect(emulator.requests).toHaveLength(2)
      }),
  )

  itWithSleeps(
    "a Retry-After whose wait plus the floored second passes the deadline fails at once; one that fits waits",
    () =>
      Effect.gen(function* () {
        // Retry-After: 2 means a wait of 3 s; a deadline at 2.5 s falls inside the added second.
        const tight = yield* setup({}, { timeout: { total: "2500 millis" } })
        tight.emulator.injectFault({ status: 429, headers: { "retry-after": "2" } })
        const refused = yield* Effect.flip(tight.nango.createConnectSession(user))
        expect(refused._tag).toBe("RateLimited")
        expect(tight.emulator.requests).toHaveLength(1)
        const roomy = yield* setup({}, { timeout: { total: "3100 millis" } })
        roomy.emulator.injectFault({ status: 429, headers: { "retry-after": "2" } })
        const fiber = yield* fork(roomy.nango.createConnectSession(user))
        yield* TestClock.adjust(yield* waitForSleep("3 seconds"))
        yield* Fiber.join(fiber)
        expect(roomy.emulator.requests).toHaveLength(2)
      }),
  )

  itWithSleeps("gives up after maxAttempts with the last ServerError", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 3 } })
      emulator.injectFault({ ...unavailable, times: 100 })
      const error = yield* Effect.flip(driveClock(nango.getConnectSession(unknownToken), "1 second"))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, code: "server_error" })
      expect(emulator.requests).toHaveLength(3)
    }),
  )

  it.effect.each([400, 401, 403, 404, 415])("never retries a %i", (status) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 5 } })
      emulator.injectFault({ status, times: 100, body: JSON.stringify({ error: { code: "x" } }) })
      yield* Effect.flip(driveClock(nango.getConnectSession(unknownToken), "1 second"))
      yield* Effect.flip(driveClock(nango.createConnectSession(user), "1 second"))
      yield* Effect.flip(driveClock(nango.deleteConnectSession(unknownToken), "1 second"))
      expect(emulator.requests).toHaveLength(3)
    }),
  )

  itWithSleeps("retries a 500 on GET but not on POST or DELETE, which the server may have acted on", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 3 } })
      emulator.injectFault({ status: 500, times: 100 })
      yield* Effect.flip(driveClock(nango.createConnectSession(user), "1 second"))
      expect(emulator.requestsTo("POST", "/connect/sessions")).toHaveLength(1)
      yield* Effect.flip(driveClock(nango.deleteConnectSession(unknownToken), "1 second"))
      expect(emulator.requestsTo("DELETE", "/connect/session")).toHaveLength(1)
      yield* Effect.flip(driveClock(nango.getConnectSession(unknownToken), "1 second"))
      expect(emulator.requestsTo("GET", "/connect/session")).toHaveLength(3)
    }),
  )

  itWithSleeps("retries a 503 on POST, which the server did not act on", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      emulator.injectFault(unavailable)
      const session = yield* driveClock(nango.createConnectSession(user), "1 second")
      expect(session.expires_at).toBeInstanceOf(Date)
      expect(emulator.requests).toHaveLength(2)
    }),
  )

  itWithSleeps("retries a dropped connection on GET but not on POST", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 3 } })
      emulator.injectFault({ drop: true, times: 100 })
      const onPost = yield* Effect.flip(driveClock(nango.createConnectSession(user), "1 second"))
      expect(onPost).toMatchObject({ _tag: "TransportError", connectionFailed: false })
      expect(emulator.requests).toHaveLength(1)
      yield* Effect.flip(driveClock(nango.getConnectSession(unknownToken), "1 second"))
      expect(emulator.requests).toHaveLength(4)
    }),
  )

  itWithSleeps("retries a POST whose connection could not be opened, as the span's attempt count shows", () =>
    Effect.gen(function* () {
      const { tracer, recorded } = yield* recordingTracer
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 3 } })
      yield* Effect.promise(() => emulator.close())
      const error = yield* Effect.flip(
        driveClock(nango.createConnectSession(user).pipe(Effect.withTracer(tracer)), "1 second"),
      )
      expect(error).toMatchObject({ _tag: "TransportError", connectionFailed: true })
      expect(recorded()[0]?.attributes.get("nango.attempts")).toBe(3)
    }),
  )
})

describe("timeouts", () => {
  itWithSleeps("fails an attempt that takes longer than timeout.attempt", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 }, timeout: { attempt: "1 second" } })
      emulator.injectFault({ hang: true })
      const fiber = yield* fork(nango.getConnectSession(unknownToken))
      yield* waitUntil(() => emulator.requests.length === 1, "the request")
      yield* TestClock.adjust("999 millis")
      expect(isDone(fiber)).toBe(false)
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt", method: "GET" })
    }),
  )

  itWithSleeps("a total timeout shorter than the attempt timeout ends the first attempt, as a total timeout", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { timeout: { attempt: "5 seconds", total: "1 second" } })
      emulator.injectFault({ hang: true })
      const fiber = yield* fork(nango.getConnectSession(unknownToken))
      yield* waitUntil(() => emulator.requests.length === 1, "the request")
      yield* TestClock.adjust("999 millis")
      expect(isDone(fiber)).toBe(false)
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total", method: "GET" })
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  itWithSleeps("retries a timed-out GET and keeps the overall deadline", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(
        {},
        { retry: { maxAttempts: 10 }, timeout: { attempt: "1 second", total: "2500 millis" } },
      )
      emulator.injectFault({ hang: true, times: 100 })
      const started = yield* Clock.currentTimeMillis
      const error = yield* Effect.flip(driveClock(nango.getConnectSession(unknownToken), "100 millis"))
      const elapsed = (yield* Clock.currentTimeMillis) - started
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total" })
      expect(elapsed).toBeGreaterThanOrEqual(2500)
      expect(elapsed).toBeLessThan(2700)
      expect(emulator.requests.length).toBeGreaterThanOrEqual(2)
    }),
  )

  itWithSleeps("does not retry a timed-out POST, which the server may have acted on", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 3 }, timeout: { attempt: "1 second" } })
      emulator.injectFault({ hang: true, times: 100 })
      const error = yield* Effect.flip(driveClock(nango.createConnectSession(user), "500 millis"))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt", method: "POST" })
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  it.live("real time: retried attempts that time out end at the overall deadline", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(
        {},
        { retry: { maxAttempts: 10, baseDelay: "10 millis" }, timeout: { attempt: "100 millis", total: "600 millis" } },
      )
      emulator.injectFault({ hang: true, times: 100 })
      const started = Date.now()
      const error = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total" })
      // Bounds that hold on a loaded 2-core machine: a retry happened, and the call ended near its deadline.
      expect(emulator.requests.length).toBeGreaterThanOrEqual(2)
      expect(Date.now() - started).toBeLessThan(3000)
    }).pipe(Effect.scoped),
  )

  it.live("real time: a backoff cut to the overall deadline ends the call there; no attempt starts after it", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(
        {},
        { retry: { baseDelay: "1 second" }, timeout: { total: "150 millis" } },
      )
      const session = yield* nango.createConnectSession(user)
      emulator.injectFault({ ...unavailable, method: "GET" })
      const error = yield* Effect.flip(nango.getConnectSession(session.token))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total", method: "GET" })
      // A request sent at the deadline would have reached the emulator by now.
      yield* Effect.sleep("20 millis")
      expect(emulator.requestsTo("GET", "/connect/session")).toHaveLength(1)
    }).pipe(Effect.scoped),
  )

  it.live("real time: a body that stalls after its first bytes times out the attempt", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 }, timeout: { attempt: "100 millis" } })
      emulator.injectFault({ status: 200, body: '{"data":{"endUser":null}}', cut: { afterBytes: 5, and: "stall" } })
      const error = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt" })
      // Only the undici transport promises to close the socket at once; Node's bundled fetch may
      // keep an aborted request's socket until the server answers (see RELIABILITY.md).
      if (transportName === "undici") {
        yield* waitUntil(() => emulator.openConnections === 0, "the stalled connection to close")
      }
    }).pipe(Effect.scoped),
  )

  it.live("real time: an attempt timeout aborts a hanging request promptly", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 }, timeout: { attempt: "100 millis" } })
      emulator.injectFault({ hang: true })
      const started = Date.now()
      const error = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt" })
      expect(Date.now() - started).toBeLessThan(3000)
    }).pipe(Effect.scoped),
  )
})
