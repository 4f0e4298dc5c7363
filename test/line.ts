/**
 * The Effect 4 line's adapter for the shared suite (`suite/`): everything the suite needs from
 * Effect, in this line's idiom. The suite imports `#line`, which each line's vitest config and
 * tsconfig point at its own adapter, so one test file runs, and is type-checked, on both lines.
 */
import { it as effectIt } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"

export * as NodeSdk from "@effect/opentelemetry/NodeSdk"
export { afterAll, describe, expect, expectTypeOf } from "@effect/vitest"
// Each Effect module by its own path, as this line's sources import them.
export * as Cause from "effect/Cause"
export * as Clock from "effect/Clock"
export * as ConfigProvider from "effect/ConfigProvider"
export * as Duration from "effect/Duration"
export * as Effect from "effect/Effect"
export * as Exit from "effect/Exit"
export * as Fiber from "effect/Fiber"
export * as FetchHttpClient from "effect/http/FetchHttpClient"
export * as HttpClient from "effect/http/HttpClient"
export * as HttpClientRequest from "effect/http/HttpClientRequest"
export * as HttpClientResponse from "effect/http/HttpClientResponse"
export * as HttpServerRequest from "effect/http/HttpServerRequest"
export * as Layer from "effect/Layer"
export * as Logger from "effect/Logger"
export * as Option from "effect/Option"
export * as Redacted from "effect/Redacted"

import type * as Scope from "effect/Scope"

export * as Schedule from "effect/Schedule"
export * as Schema from "effect/Schema"
export * as Scope from "effect/Scope"
export * as Stream from "effect/Stream"
export * as Tracer from "effect/Tracer"
export * as TestClock from "effect/testing/TestClock"
export * as Transport from "../src/internal/transport.js"

/** This line's folder (the one holding its `package.json`), as a file URL. */
export const lineRoot = new URL("../", import.meta.url)

/** The demo `npm start` runs, from `lineRoot`. */
export const demoPath = "demo/main.ts"

/** Which line runs the suite. */
export const line = "effect4" as const

/** Runs a stream to its end and keeps its elements, in order. */
export const collect = <A, E, R>(stream: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Stream.runCollect(stream)

/** `it`, whose `it.effect` runs a scoped test on the `TestClock` (Effect 4's own). */
export const it = effectIt

/** Forks a child of the current fiber (`Effect.forkChild`). */
export const fork = Effect.forkChild

/** Whether a fiber has ended, without waiting for it. */
export const isDone = <A, E>(fiber: Fiber.Fiber<A, E>): boolean => fiber.pollUnsafe() !== undefined

/** The outcome of an effect as a value: `Success` with `success`, or `Failure` with `failure`. */
export const attempt = Effect.result

/** An outcome as a value: `Success` with `success`, or `Failure` with `failure`. */
export type Outcome<A, E> =
  | { readonly _tag: "Success"; readonly success: A }
  | { readonly _tag: "Failure"; readonly failure: E }

/** Decodes a value with a schema, as an {@link Outcome}. */
export const decodeOutcome = <A, I>(schema: Schema.Codec<A, I>, value: unknown): Outcome<A, Schema.SchemaError> =>
  Result.match(Schema.decodeUnknownResult(schema)(value), {
    onSuccess: (success) => ({ _tag: "Success", success }),
    onFailure: (failure) => ({ _tag: "Failure", failure }),
  })

/** Encodes a value with a schema, refusing excess properties and reporting every issue, as an {@link Outcome}. */
export const encodeStrictOutcome = <A, I>(schema: Schema.Codec<A, I>, value: unknown): Outcome<I, Schema.SchemaError> =>
  Result.match(Schema.encodeUnknownResult(schema, { onExcessProperty: "error", errors: "all" })(value), {
    onSuccess: (success) => ({ _tag: "Success", success }),
    onFailure: (failure) => ({ _tag: "Failure", failure }),
  })

/** The issue text Schema gives for an unexpected key at `path` (Effect 4's wording). */
export const unexpectedKeyIssue = (path: string): unknown => `${path}: Expected no excess property`

/** Recovers from any failure (`Effect.catch`). */
export const catchAll = Effect.catch

/** A layer whose `ConfigProvider` reads the given environment. */
export const configLayer = (env: Record<string, string>) =>
  Layer.succeed(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(env))

/** Whether a `ConfigError` says a variable is missing (Effect 4: a schema issue, a string expected where nothing is). */
export const missingConfig = (error: Config.ConfigError): boolean =>
  error.cause._tag === "SchemaError" && error.cause.message.startsWith("Expected string")

/** Whether a `ConfigError` says a variable is there but malformed (Effect 4: any other schema issue). */
export const malformedConfig = (error: Config.ConfigError): boolean =>
  error.cause._tag === "SchemaError" && !missingConfig(error)

/** Captures every log line, at every level, as the logfmt, JSON and pretty loggers print it. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(
      Logger.formatLogFmt.log(options),
      Logger.formatJson.log(options),
      String(Logger.formatSimple.log(options)),
    )
  })
  const layer = Layer.merge(Logger.layer([logger]), Layer.succeed(References.MinimumLogLevel, "All"))
  return { lines, layer }
}

/** Values Schema's own Arbitrary derives from a schema (Effect 4 needs no fast-check), with a fixed seed. */
export const samples = <S extends Schema.Top>(schema: S, count: number) =>
  Arbitrary.sampleEffect(Arbitrary.schema(schema), { count, seed: 20261125 })

/** The timers this process has pending. */
const liveTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

/**
 * Runs `effect` and counts what it left running. Effect 4 has no Supervisor: a fiber left running
 * holds a timer (every attempt timer and backoff is one), so the count is the timers left behind.
 */
export const leftBehind = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const before = liveTimers()
    const value = yield* effect
    return { value, leftRunning: Math.max(0, liveTimers() - before) }
  })

/** A 5 ms pause in real time, whatever clock the test runs on. */
export const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

/** When each pending sleep under {@link recordSleeps} wakes, in clock milliseconds. */
const pendingSleeps = new Set<number>()

/**
 * Runs a test under a `Clock` that delegates to the `TestClock` and records every sleep, so that
 * {@link waitForSleep} can see a backoff before the test moves the clock. (Effect 4's `TestClock`
 * does not list its pending sleeps.)
 */
const recordSleeps = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
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
 * {@link itWithSleeps}.
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

/** `it.effect` for tests that wait for a backoff with {@link waitForSleep}. */
export const itWithSleeps = <A, E>(name: string, self: () => Effect.Effect<A, E, Scope.Scope>) =>
  it.effect(name, () => recordSleeps(self()))

/** A tracer that keeps every span it opens (the suite's `recordingTracer` reads them). */
export const spanRecorder = Effect.gen(function* () {
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
  return { tracer, spans: spans as ReadonlyArray<Tracer.Span> }
})
