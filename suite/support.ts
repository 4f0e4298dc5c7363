/**
 * The shared suite's support: a client wired to a fresh emulator over real HTTP on 127.0.0.1 and
 * the fixtures. What differs between the lines (the clock drivers, the recording tracer) comes
 * from the line's adapter, `#line`, and is re-exported here.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { inspect } from "node:util"
import { NangoActions, NangoConnect, NangoConnections, NangoProxy, NangoSyncs } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import * as NangoHttpClient from "effect-nango/undici"
import * as undici from "undici"
import {
  Cause,
  Effect,
  FetchHttpClient,
  Fiber,
  fork,
  type HttpClient,
  isDone,
  Layer,
  Redacted,
  realPause,
  spanRecorder,
  TestClock,
} from "#line"

/** The recorded Nango bodies, kept in the repository under `nango/fixtures/connect/`. */
export const fixturesDir = fileURLToPath(new URL("../nango/fixtures/connect/", import.meta.url))

/** Reads a fixture's text. */
export const fixtureText = (name: string): string => readFileSync(join(fixturesDir, name), "utf8")

/** Reads and parses a fixture. */
export const fixture = (name: string): unknown => JSON.parse(fixtureText(name))

/** Every credential type Nango has, each of which the emulator makes with fresh secrets. */
export { credentialTypes } from "../nango/src/credentials.js"

/** Every string in a value that looks like a secret the emulator made (`access_<32 hex>`, …). */
export const secretsIn = (value: unknown): Array<string> =>
  JSON.stringify(value).match(/(access|refresh|oauth|secret|cc|key|password|token)_[0-9a-f]{32}/g) ?? []

/** Every tag of `NangoConnectError`: what a scan over "every error" must have produced. */
export const connectErrorTags = [
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "RateLimited",
  "ServerError",
  "UnexpectedStatus",
  "TransportError",
  "TimeoutError",
  "ResponseDecodeError",
  "InvalidInput",
] as const

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
 * Starts an emulator for the test's scope (integrations `github` and `slack`) and the suite's
 * transport (unless told otherwise), and gives the client options pointed at it.
 */
const started = (
  emulatorOptions: NangoEmulator.Options,
  clientOptions: object,
  transport: Layer.Layer<HttpClient.HttpClient>,
) =>
  Effect.gen(function* () {
    const emulator = yield* NangoEmulator.make({ integrations: ["github", "slack"], ...emulatorOptions })
    const http = yield* Layer.build(transport)
    const options = { secretKey: Redacted.make(emulator.secretKey), baseUrl: emulator.url, ...clientOptions }
    return { emulator, http, options }
  })

/** An emulator with a `NangoConnections` and a `NangoConnect` pointed at it. */
export const setupConnections = (
  emulatorOptions: NangoEmulator.Options = {},
  clientOptions: Partial<NangoConnect.Options> = {},
  transport: Layer.Layer<HttpClient.HttpClient> = defaultTransport,
) =>
  Effect.gen(function* () {
    const { emulator, http, options } = yield* started(emulatorOptions, clientOptions, transport)
    const connections = yield* NangoConnections.make(options).pipe(Effect.provide(http))
    const nango = yield* NangoConnect.make(options).pipe(Effect.provide(http))
    return { emulator, connections, nango }
  })

/** An emulator with a `NangoProxy` pointed at it. */
export const setupProxy = (
  emulatorOptions: NangoEmulator.Options = {},
  clientOptions: Partial<NangoProxy.Options> = {},
  transport: Layer.Layer<HttpClient.HttpClient> = defaultTransport,
) =>
  Effect.gen(function* () {
    const { emulator, http, options } = yield* started(emulatorOptions, clientOptions, transport)
    const proxy = yield* NangoProxy.make(options).pipe(Effect.provide(http))
    return { emulator, proxy }
  })

/** An emulator with a `NangoActions` pointed at it. */
export const setupActions = (
  emulatorOptions: NangoEmulator.Options = {},
  clientOptions: Partial<NangoActions.Options> = {},
  transport: Layer.Layer<HttpClient.HttpClient> = defaultTransport,
) =>
  Effect.gen(function* () {
    const { emulator, http, options } = yield* started(emulatorOptions, clientOptions, transport)
    const actions = yield* NangoActions.make(options).pipe(Effect.provide(http))
    return { emulator, actions }
  })

/** An emulator with a `NangoSyncs` pointed at it. */
export const setupSyncs = (
  emulatorOptions: NangoEmulator.Options = {},
  clientOptions: Partial<NangoSyncs.Options> = {},
  transport: Layer.Layer<HttpClient.HttpClient> = defaultTransport,
) =>
  Effect.gen(function* () {
    const { emulator, http, options } = yield* started(emulatorOptions, clientOptions, transport)
    const syncs = yield* NangoSyncs.make(options).pipe(Effect.provide(http))
    return { emulator, syncs }
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

/** Waits, in real time, until `condition` holds (at most ~5 s). */
export const waitUntil = (condition: () => boolean, what: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      if (condition()) return
      yield* realPause
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

/** The transport `setup` uses unless told otherwise. */
const defaultTransport: Layer.Layer<HttpClient.HttpClient> =
  transportName === "undici" ? NangoHttpClient.layerUndici() : FetchHttpClient.layer

export { itWithSleeps, waitForSleep } from "#line"

/** Runs `effect` in a fiber, moving the `TestClock` by `step` each time the fiber waits on it. */
export const driveClock = <A, E>(effect: Effect.Effect<A, E>, step: Parameters<typeof TestClock.adjust>[0]) =>
  Effect.gen(function* () {
    const fiber = yield* fork(effect)
    for (let i = 0; i < 5000; i++) {
      if (isDone(fiber)) break
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
export const recordingTracer = Effect.map(spanRecorder, ({ tracer, spans }) => ({
  tracer,
  recorded: (): ReadonlyArray<RecordedSpan> =>
    spans.map((span) => ({
      name: span.name,
      attributes: span.attributes,
      events: (span as unknown as { events?: ReadonlyArray<unknown> }).events ?? [],
    })),
}))

/** Every way an error or a value gets turned into text, each with its name (the secret and privacy scans). */
export const renderings = (value: unknown): ReadonlyArray<readonly [string, string]> => {
  const cause = Cause.fail(value)
  const out: Array<readonly [string, string]> = [
    ["String", String(value)],
    ["JSON.stringify", JSON.stringify(value) ?? ""],
    ["util.inspect", inspect(value, { depth: 10 })],
    ["Cause.pretty", Cause.pretty(cause)],
    ["JSON of the Cause", JSON.stringify(cause)],
  ]
  if (value instanceof Error) out.push(["message", value.message], ["stack", value.stack ?? ""])
  if (typeof value === "object" && value !== null && "toJSON" in value) {
    out.push(["toJSON", JSON.stringify((value as { toJSON: () => unknown }).toJSON())])
  }
  return out
}
