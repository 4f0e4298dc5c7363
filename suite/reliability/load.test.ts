/**
 * Interruption and load: interrupted calls release their connections and retry no more; 10,000
 * calls at concurrency 256 finish with no error, no leaked socket or fiber and flat memory; a
 * burst past the rate limit is absorbed by the retry policy within its attempt bound.
 */

import * as NangoHttpClient from "effect-nango/undici"
import { catchAll, describe, Effect, expect, Fiber, fork, it, leftBehind, TestClock } from "#line"
import { recordingTracer, setup, undiciFetch, unknownToken, waitUntil } from "../support.js"

const user = { end_user: { id: "user-42" } }

/** The figures RELIABILITY.md quotes. */
const loadFigures = { interrupted: 50, calls: 10_000, concurrency: 256, burst: 300 }

const heapAfterGc = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

const transports = [
  ["NangoHttpClient.layerUndici", NangoHttpClient.layerUndici()],
  ["FetchHttpClient on undici's fetch", undiciFetch],
] as const

describe("interruption", () => {
  it.effect.each(transports)(
    `%s: ${loadFigures.interrupted} calls interrupted mid-request leave no socket open and retry no more`,
    ([, transport]) =>
      Effect.gen(function* () {
        const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 5 } }, transport)
        emulator.injectFault({ hang: true, times: 10_000 })
        const fiber = yield* fork(
          Effect.forEach(Array.from({ length: loadFigures.interrupted }), () => nango.getConnectSession(unknownToken), {
            concurrency: "unbounded",
            discard: true,
          }),
        )
        yield* waitUntil(() => emulator.requests.length === loadFigures.interrupted, "every request to arrive")
        expect(emulator.openConnections).toBeGreaterThan(0)
        yield* Fiber.interrupt(fiber)
        yield* waitUntil(() => emulator.openConnections === 0, "every connection to close")
        yield* TestClock.adjust("10 minutes")
        expect(emulator.requests).toHaveLength(loadFigures.interrupted)
        yield* waitUntil(() => emulator.openConnections === 0, "every connection to stay closed")
      }),
  )
})

describe("load", () => {
  it.live(
    `real time: ${loadFigures.calls} calls at concurrency ${loadFigures.concurrency}: no error, no leaked socket or fiber, flat memory`,
    () =>
      Effect.gen(function* () {
        const { emulator, nango } = yield* setup({ keepAliveTimeoutMs: 3000 }, {}, NangoHttpClient.layerUndici())
        const session = yield* nango.createConnectSession(user)
        const run = (count: number) =>
          Effect.forEach(Array.from({ length: count }), () => nango.getConnectSession(session.token), {
            concurrency: loadFigures.concurrency,
            discard: true,
          })
        yield* run(2_000) // warm-up: the pool's sockets, JIT, caches
        emulator.requests.splice(0)
        const baseline = heapAfterGc()

        // The line counts what the run left running (a Supervisor's fibers, or Effect 4's live timers).
        const { value: failures, leftRunning } = yield* leftBehind(
          run(loadFigures.calls).pipe(
            Effect.as(0),
            catchAll(() => Effect.succeed(1)),
          ),
        )
        expect(failures).toBe(0)
        expect(emulator.requests).toHaveLength(loadFigures.calls)
        expect(leftRunning).toBe(0)
        // Keep-alive: connections are reused, not opened per call...
        expect(emulator.acceptedConnections).toBeLessThan(loadFigures.calls / 10)
        // ...and none is left busy: once idle, the server's keep-alive timeout closes every one.
        yield* waitUntil(() => emulator.openConnections === 0, "every connection to go idle and close")

        emulator.requests.splice(0)
        const growthMb = (heapAfterGc() - baseline) / 1024 / 1024
        expect(growthMb).toBeLessThan(8)
        console.info(
          `[reliability] load (layerUndici): ${loadFigures.calls} calls at concurrency ${loadFigures.concurrency}, 0 errors, ` +
            `${emulator.acceptedConnections} connections opened in all, nothing left running, heap growth ${growthMb.toFixed(1)} MB`,
        )
      }).pipe(Effect.scoped),
    60_000,
  )

  it.live(
    `real time: a burst of ${loadFigures.burst} past the rate limit is absorbed within the attempt bound`,
    () =>
      Effect.gen(function* () {
        const { tracer, recorded } = yield* recordingTracer
        // The limiter's clock stands still until every first attempt has arrived, however slowly a
        // loaded machine sends them: the burst always meets the limit, in one window; then it runs.
        let releasedAt: number | undefined
        const limiterNow = () => (releasedAt === undefined ? 0 : Date.now() - releasedAt)
        const { emulator, nango } = yield* setup(
          { rateLimit: { points: 120, windowMs: 1000 }, now: limiterNow },
          { retry: { maxAttempts: 6, baseDelay: "200 millis", maxDelay: "1 second" } },
        )
        const release = Effect.gen(function* () {
          while (emulator.requests.length < loadFigures.burst) yield* Effect.sleep("5 millis")
          releasedAt = Date.now()
        })
        const [sessions] = yield* Effect.all(
          [
            Effect.forEach(
              Array.from({ length: loadFigures.burst }),
              () => nango.createConnectSession(user).pipe(Effect.withTracer(tracer)),
              { concurrency: "unbounded" },
            ),
            release,
          ],
          { concurrency: "unbounded" },
        )
        expect(sessions).toHaveLength(loadFigures.burst)
        const attempts = recorded().map((span) => span.attributes.get("nango.attempts") as number)
        expect(attempts).toHaveLength(loadFigures.burst)
        expect(Math.max(...attempts)).toBeLessThanOrEqual(6)
        expect(Math.max(...attempts)).toBeGreaterThan(1) // the limit was really hit
        expect(emulator.requests.length).toBe(attempts.reduce((sum, n) => sum + n, 0))
        console.info(
          `[reliability] burst: ${loadFigures.burst} calls against a limit of 120/s, all succeeded, ` +
            `at most ${Math.max(...attempts)} attempts (bound 6), ${emulator.requests.length - loadFigures.burst} 429s absorbed`,
        )
      }).pipe(Effect.scoped),
    30_000,
  )
})
