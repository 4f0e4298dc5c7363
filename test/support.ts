/**
 * Test support: a client wired to a fresh emulator over real HTTP on 127.0.0.1, a tracer that
 * records spans, the fixtures, and a driver for `TestClock` while real I/O is in flight.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Layer, Redacted, type Scope, Tracer } from "effect"
import { FetchHttpClient, type HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import * as undici from "undici"
import { NangoConnect } from "../src/index.js"
import * as NangoHttpClient from "../src/NangoHttpClient.js"
import * as NangoEmulator from "../src/testing/NangoEmulator.js"

/** The recorded Nango bodies, kept in the repository under `nango/fixtures/connect/`. */
export const fixturesDir = fileURLToPath(new URL("../nango/fixtures/connect/", import.meta.url))

/** Reads a fixture's text. */
export const fixtureText = (name: string): string => readFileSync(join(fixturesDir, name), "utf8")

/** Reads and parses a fixture. */
export const fixture = (name: string): unknown => JSON.parse(fixtureText(name))

/** A valid-format token no emulator has issued. */
export const unknownToken = `nango_connect_session_${"ab".repeat(32)}`

/**
 * Starts an emulator for the test's scope and a client pointed at it through `FetchHttpClient`.
 */
export const setup = (
  emulatorOptions: NangoEmulator.Options = {},
  clientOptions: Partial<NangoConnect.Options> = {},
  transport: Layer.Layer<HttpClient.HttpClient> = defaultTransport,
  /** Appended to the emulator's URL to make the base URL (e.g. a trailing slash). */
  baseUrlSuffix = "",
) =>
  Effect.gen(function* () {
    const emulator = yield* NangoEmulator.make(emulatorOptions)
    // Built in the test's scope: a transport that owns a dispatcher keeps it open until the test ends.
    const http = yield* Layer.build(transport)
    const nango = yield* NangoConnect.make({
      secretKey: Redacted.make(emulator.secretKey),
      baseUrl: emulator.url + baseUrlSuffix,
      ...clientOptions,
    }).pipe(Effect.provide(http))
    return { emulator, nango }
  })

/**
 * The transport the suite runs on: `FetchHttpClient.layer` (global fetch), or the undici fast
 * path when `NANGO_TEST_TRANSPORT=undici` (the vitest project "undici" sets it).
 */
export const transportName = process.env.NANGO_TEST_TRANSPORT === "undici" ? "undici" : "fetch"

/**
 * `FetchHttpClient` on the `undici` package's fetch: what the README recommends on Node 20, whose
 * bundled fetch keeps the socket of an aborted request open until the server answers.
 */
export const undiciFetch: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer.pipe(
  Layer.provide(Layer.succeed(FetchHttpClient.Fetch, undici.fetch as unknown as typeof globalThis.fetch)),
)

/** A 5 ms pause in real time, whatever clock the test runs on. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

/** Waits, in real time, until `condition` holds (at most ~5 s). */
export const waitUntil = (condition: () => boolean, what: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      if (condition()) return
      yield* realPause
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

/** When each pending sleep under {@link recordSleeps} wakes, in clock milliseconds. */
const pendingSleeps = new Set<number>()

/**
 * Runs a test under a `Clock` that delegates to the `TestClock` and records every sleep, so that
 * {@link waitForSleep} can see a backoff before the test moves the clock. (Effect 4's `TestClock`
 * does not list its pending sleeps.)
 */
export const recordSleeps = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.clockWith((clock) => {
    pendingSleeps.clear()
    // Inherits the TestClock's own methods (adjust, setTime, …), and wraps its sleep.
    const recording: Clock.Clock = Object.create(clock, {
      sleep: {
        value: (duration: Duration.Duration) =>
          Effect.suspend(() => {
            const wakeAt = clock.currentTimeMillisUnsafe() + Duration.toMillis(duration)
            pendingSleeps.add(wakeAt)
            return Effect.ensuring(
              clock.sleep(duration),
              Effect.sync(() => pendingSleeps.delete(wakeAt)),
            )
          }),
      },
    })
    return Effect.provideService(effect, Clock.Clock, recording)
  })

/**
 * Waits until the fiber has scheduled a `TestClock` sleep of `delay` (± `tolerance`) from now:
 * how a test sees a backoff or `Retry-After` wait before it lets the clock move. Needs
 * {@link recordSleeps} around the test.
 */
export const waitForSleep = (delay: Duration.Input, tolerance: Duration.Input = 0) =>
  Effect.gen(function* () {
    const wanted = Duration.toMillis(Duration.fromInputUnsafe(delay))
    const slack = Duration.toMillis(Duration.fromInputUnsafe(tolerance))
    for (let i = 0; i < 1000; i++) {
      const now = yield* Clock.currentTimeMillis
      const found = [...pendingSleeps].find((wakeAt) => Math.abs(wakeAt - now - wanted) <= slack)
      if (found !== undefined) return found - now
      yield* realPause
    }
    return yield* Effect.die(new Error(`no sleep of ${Duration.format(Duration.fromInputUnsafe(delay))} was scheduled`))
  })

/** Runs `effect` in a fiber, moving the `TestClock` by `step` each time the fiber waits on it. */
export const driveClock = <A, E>(effect: Effect.Effect<A, E>, step: Duration.Input) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    for (let i = 0; i < 5000; i++) {
      if (fiber.pollUnsafe() !== undefined) break
      yield* realPause
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

/** A span as the recording tracer keeps it. */
export interface RecordedSpan {
  readonly name: string
  readonly attributes: ReadonlyMap<string, unknown>
  readonly events: ReadonlyArray<unknown>
}

/** A tracer that records every span it opens, for assertions on names and attributes. */
export const recordingTracer = Effect.gen(function* () {
  const native = yield* Effect.tracer
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span(options) {
      const span = native.span(options)
      spans.push(span)
      return span
    },
    ...(native.context === undefined ? {} : { context: native.context }),
  })
  const recorded = (): ReadonlyArray<RecordedSpan> =>
    spans.map((span) => ({
      name: span.name,
      attributes: span.attributes,
      events: (span as unknown as { events?: ReadonlyArray<unknown> }).events ?? [],
    }))
  return { tracer, recorded }
})

/** The transport `setup` uses unless told otherwise. */
const defaultTransport: Layer.Layer<HttpClient.HttpClient> =
  transportName === "undici" ? NangoHttpClient.layerUndici() : FetchHttpClient.layer

/** `it.effect` under {@link recordSleeps}: for tests that wait for a backoff with {@link waitForSleep}. */
export const itWithSleeps = <A, E>(name: string, self: () => Effect.Effect<A, E, Scope.Scope>) =>
  it.effect(name, () => recordSleeps(self()))
