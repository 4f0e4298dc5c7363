/**
 * The Effect 3 line's adapter for the shared suite (`suite/`): everything the suite needs from
 * Effect, in this line's idiom. The suite imports `#line`, which each line's vitest config and
 * tsconfig point at its own adapter, so one test file runs, and is type-checked, on both lines.
 */
import { it as effectIt, expect } from "@effect/vitest"
import {
  Arbitrary,
  Chunk,
  type ConfigError,
  ConfigProvider,
  Duration,
  Effect,
  Either,
  FastCheck,
  type Fiber,
  Layer,
  Logger,
  LogLevel,
  Schema,
  type Scope,
  Stream as StreamModule,
  Supervisor,
  TestClock,
  TestServices,
  Tracer,
} from "effect"
import type { TestAPI } from "vitest"

export { NodeSdk } from "@effect/opentelemetry"
export {
  FetchHttpClient,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse,
  HttpServerRequest,
} from "@effect/platform"
export { afterAll, describe, expect, expectTypeOf } from "@effect/vitest"
export {
  Cause,
  Clock,
  ConfigProvider,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Logger,
  Option,
  Redacted,
  Schedule,
  Schema,
  Scope,
  Stream,
  TestClock,
  Tracer,
} from "effect"
export * as Transport from "../../src/internal/transport.js"

/** This line's folder (the one holding its `package.json`), as a file URL. */
export const lineRoot = new URL("../", import.meta.url)

/** The demo `npm start` runs, from `lineRoot`: the root's, as Effect 3 code (scripts/effect3-examples.ts). */
export const demoPath = "generated/demo/main.ts"

/** Which line runs the suite. */
export const line = "effect3" as const

/** Runs a stream to its end and keeps its elements, in order. */
export const collect = <A, E, R>(stream: StreamModule.Stream<A, E, R>) =>
  Effect.map(StreamModule.runCollect(stream), Chunk.toReadonlyArray)

/** `it`, whose `it.effect` runs a scoped test on the `TestClock`, as Effect 4's does (Effect 3's `it.scoped`). */
export const it = new Proxy(effectIt, {
  get: (target, key, receiver) =>
    key === "effect" ? target.scoped : key === "live" ? target.scopedLive : Reflect.get(target, key, receiver),
}) as unknown as TestAPI &
  Omit<typeof effectIt, "effect" | "live"> & {
    readonly effect: typeof effectIt.scoped
    readonly live: typeof effectIt.scopedLive
  }

/** Forks a child of the current fiber (`Effect.fork`). */
export const fork = Effect.fork

/** Whether a fiber has ended, without waiting for it. */
export const isDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): boolean => fiber.unsafePoll() !== null

/** The outcome of an effect as a value: `Success` with `success`, or `Failure` with `failure`, as Effect 4's `Effect.result`. */
export const attempt = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.map(Effect.either(self), fromEither)

/** An outcome as a value: `Success` with `success`, or `Failure` with `failure`. */
export type Outcome<A, E> =
  | { readonly _tag: "Success"; readonly success: A }
  | { readonly _tag: "Failure"; readonly failure: E }

/** Turns an `Either` into an {@link Outcome}. */
const fromEither = <A, E>(either: Either.Either<A, E>): Outcome<A, E> =>
  Either.match(either, {
    onLeft: (failure) => ({ _tag: "Failure", failure }),
    onRight: (success) => ({ _tag: "Success", success }),
  })

/** Decodes a value with a schema, as an {@link Outcome}. */
export const decodeOutcome = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
  fromEither(Schema.decodeUnknownEither(schema)(value))

/** Encodes a value with a schema, refusing excess properties and reporting every issue, as an {@link Outcome}. */
export const encodeStrictOutcome = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
  fromEither(Schema.encodeUnknownEither(schema, { onExcessProperty: "error", errors: "all" })(value))

/** The issue text Schema gives for an unexpected key at `path` (Effect 3's wording, which lists the keys expected). */
export const unexpectedKeyIssue = (path: string): unknown =>
  expect.stringMatching(new RegExp(`^${path}: is unexpected, expected: "end_user" \\| `))

/** Recovers from any failure (`Effect.catchAll`). */
export const catchAll = Effect.catchAll

/** A layer whose `ConfigProvider` reads the given environment. */
export const configLayer = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

/** Whether a `ConfigError` says a variable is missing (Effect 3: `MissingData`). */
export const missingConfig = (error: ConfigError.ConfigError): boolean => error._op === "MissingData"

/** Whether a `ConfigError` says a variable is there but malformed (Effect 3: `InvalidData`). */
export const malformedConfig = (error: ConfigError.ConfigError): boolean => error._op === "InvalidData"

/** Captures every log line, at every level, as the logfmt, JSON and pretty loggers print it. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(
      Logger.logfmtLogger.log(options),
      Logger.jsonLogger.log(options),
      String(Logger.stringLogger.log(options)),
    )
  })
  const layer = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  return { lines, layer }
}

/** Values Schema's Arbitrary derives from a schema (through fast-check), with a fixed seed. */
export const samples = <A, I>(schema: Schema.Schema<A, I>, count: number) =>
  Effect.sync(() => FastCheck.sample(Arbitrary.make(schema), { numRuns: count, seed: 20261125 }))

/** Runs `effect` and counts the fibers it left running (a Supervisor tracks them). */
export const leftBehind = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const supervisor = yield* Supervisor.track
    const value = yield* Effect.supervised(effect, supervisor)
    return { value, leftRunning: (yield* supervisor.value).length }
  })

/** A 5 ms pause in real time, whatever clock the test runs on. */
export const realPause = TestServices.provideLive(Effect.sleep("5 millis"))

/**
 * Waits until the fiber has scheduled a `TestClock` sleep of `delay` (± `tolerance`) from now:
 * how a test sees a backoff or `Retry-After` wait before it lets the clock move.
 */
export const waitForSleep = (delay: Duration.DurationInput, tolerance: Duration.DurationInput = 0) =>
  Effect.gen(function* () {
    const wanted = Duration.toMillis(delay)
    const slack = Duration.toMillis(tolerance)
    for (let i = 0; i < 1000; i++) {
      const now = yield* TestClock.currentTimeMillis
      const found = Chunk.toReadonlyArray(yield* TestClock.sleeps()).find(
        (wakeAt) => Math.abs(wakeAt - now - wanted) <= slack,
      )
      if (found !== undefined) return found - now
      yield* realPause
    }
    return yield* Effect.dieMessage(`no sleep of ${Duration.format(delay)} was scheduled`)
  })

/** `it.effect` for tests that wait for a backoff with {@link waitForSleep} (Effect 3's `TestClock` lists its sleeps). */
export const itWithSleeps = <A, E>(name: string, self: () => Effect.Effect<A, E, Scope.Scope>) =>
  effectIt.scoped(name, self)

/** A tracer that keeps every span it opens (the suite's `recordingTracer` reads them). */
export const spanRecorder = Effect.gen(function* () {
  const native = yield* Effect.tracer
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: (f, fiber) => native.context(f, fiber),
  })
  return { tracer, spans: spans as ReadonlyArray<Tracer.Span> }
})
