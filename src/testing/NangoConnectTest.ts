/**
 * Test layers for code that uses `NangoConnect`, `NangoConnections`, `NangoProxy`, `NangoSyncs`, `NangoActions` and `NangoWebhook`: a
 * Nango-compatible emulator, on a loopback socket or in memory, and the services wired to it, with a handle to seed and inspect it, set its
 * rate limit and inject faults. Tokens expire on the layer's `Clock`, so `TestClock` drives them.
 *
 * @since 0.1.0
 */
import { clockMillis, currentClock, promiseRunner, ServiceTag, transportError, unwrapLayer } from "#effect"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as FetchHttpClient from "#effect/FetchHttpClient"
import * as HttpClient from "#effect/HttpClient"
import type * as HttpClientRequest from "#effect/HttpClientRequest"
import * as HttpClientResponse from "#effect/HttpClientResponse"
import * as Layer from "#effect/Layer"
import * as Redacted from "#effect/Redacted"
import * as Stream from "#effect/Stream"
import { nullBodyStatuses } from "../internal/transport.js"
import * as NangoActions from "../NangoActions.js"
import * as NangoConnect from "../NangoConnect.js"
import * as NangoConnections from "../NangoConnections.js"
import * as NangoProxy from "../NangoProxy.js"
import * as NangoSyncs from "../NangoSyncs.js"
import * as NangoWebhook from "../NangoWebhook.js"
import {
  type ActionOutcome,
  type ActionRun,
  type CompletedSession,
  type CompleteSessionOptions,
  type Options as EmulatorOptions,
  NangoEmulator,
  type Outcome,
  type ProviderAnswer,
  type ProviderRequest,
  type SyncRunOptions,
  type SyncRunReport,
  type WebhookDelivery,
} from "./NangoEmulator.js"

// -----------------------------------------------------------------------------
// Service Identifier
// -----------------------------------------------------------------------------

/**
 * The running emulator behind a test layer: seed it, inspect what it received, inject faults.
 *
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends ServiceTag<Emulator, NangoEmulator>()("effect-nango/testing/Emulator") {}

// -----------------------------------------------------------------------------
// Options
// -----------------------------------------------------------------------------

/**
 * The emulator's options, and the client's (its secret key and base URL are the emulator's).
 *
 * @since 0.1.0
 * @category options
 */
export interface Options extends Omit<EmulatorOptions, "now" | "sleep" | "providers" | "actions"> {
  readonly client?: Omit<NangoConnect.Options, "secretKey" | "baseUrl">
  /**
   * The providers the proxy calls, by integration: each answers a request with a value, or with
   * an `Effect` (which may take its time on the layer's `Clock`). Default: an echo, as JSON.
   */
  readonly providers?: Readonly<Record<string, Provider>>
  /**
   * The actions Nango runs, by integration and name: each a function of its input returning its
   * outcome as a value or an `Effect` (an async action may take its time on the layer's `Clock`),
   * or `"disabled"`. Default: none.
   */
  readonly actions?: Readonly<Record<string, Readonly<Record<string, ActionHandler | "disabled">>>>
}

/**
 * An action as a test plays it: its outcome for an input, as a value or an `Effect`.
 *
 * @since 0.5.0
 * @category models
 */
export type ActionHandler = (input: unknown, run: ActionRun) => ActionOutcome | Effect.Effect<ActionOutcome>

/**
 * A provider as a test plays it: the answer to what the provider received, as a value or an `Effect`.
 *
 * @since 0.4.0
 * @category models
 */
export type Provider = (request: ProviderRequest) => ProviderAnswer | Effect.Effect<ProviderAnswer>

/**
 * The emulator's options for a kit layer: its time and the proxy's waits on the layer's `Clock`
 * (so `TestClock` drives token expiry and the server's retry backoff), and the providers' effects
 * run with the layer's services.
 */
const emulatorOptions = Effect.gen(function* () {
  const clock = yield* currentClock
  const runPromise = yield* promiseRunner<never>()
  return (options: Options): EmulatorOptions => {
    const { client: _, providers = {}, actions = {}, ...rest } = options
    /** A value, or the promise of an effect run with the layer's services. */
    const settled = <A>(value: A | Effect.Effect<A>) => (Effect.isEffect(value) ? runPromise(value) : value)
    return {
      ...rest,
      now: () => clockMillis(clock),
      sleep: (millis) => runPromise(Effect.sleep(Duration.millis(millis))),
      providers: Object.fromEntries(
        Object.entries(providers).map(([integration, provider]) => [
          integration,
          (request: ProviderRequest) => settled(provider(request)),
        ]),
      ),
      actions: Object.fromEntries(
        Object.entries(actions).map(([integration, named]) => [
          integration,
          Object.fromEntries(
            Object.entries(named).map(([name, handler]) => [
              name,
              handler === "disabled" ? handler : (input: unknown, run: ActionRun) => settled(handler(input, run)),
            ]),
          ),
        ]),
      ),
    }
  }
})

// -----------------------------------------------------------------------------
// In-memory transport
// -----------------------------------------------------------------------------

const never = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))

/** Turns the emulator's outcome into a web `Response`, a reset or a hang, as a socket would. */
const toResponse = async (outcome: Outcome, signal: AbortSignal): Promise<Response> => {
  if (outcome._tag === "Hang") return never(signal)
  if (outcome._tag === "Drop") throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } })
  const bytes = (
    typeof outcome.body === "string" ? new TextEncoder().encode(outcome.body) : outcome.body
  ) as Uint8Array<ArrayBuffer>
  const cut = outcome.cut
  const body =
    cut === undefined
      ? nullBodyStatuses.has(outcome.status)
        ? null
        : bytes
      : new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.subarray(0, cut.afterBytes))
            if (cut.and === "reset")
              controller.error(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))
            else signal.addEventListener("abort", () => controller.error(signal.reason))
          },
        })
  // A whole body declares its length, as the socket's does (the proxy client reads Nango's answers by it).
  const headers =
    body instanceof Uint8Array ? { ...outcome.headers, "content-length": String(bytes.length) } : outcome.headers
  return new Response(body, { status: outcome.status, headers })
}

/** A request body's bytes and content type, as a socket would carry them (a form encoded, a stream read whole). */
const bodyBytes = async (
  body: HttpClientRequest.HttpClientRequest["body"],
): Promise<{ readonly bytes: Uint8Array; readonly contentType?: string }> => {
  const read = async (init: BodyInit, contentType?: string) => {
    const response = new Response(init)
    const type = contentType ?? response.headers.get("content-type") ?? undefined
    return { bytes: new Uint8Array(await response.arrayBuffer()), ...(type === undefined ? {} : { contentType: type }) }
  }
  switch (body._tag) {
    case "Uint8Array":
      return { bytes: body.body, contentType: body.contentType }
    case "FormData":
      return read(body.formData)
    case "Stream":
      return read(Stream.toReadableStream(body.stream), body.contentType)
    default:
      return { bytes: new Uint8Array() }
  }
}

/**
 * An `HttpClient` that answers from the emulator with no socket: the same behaviour, faults
 * included, for fast unit tests.
 *
 * @since 0.1.0
 * @category constructors
 */
export const inMemoryClient = (emulator: NangoEmulator): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) =>
    Effect.tryPromise({
      try: async () => {
        const { bytes, contentType } = await bodyBytes(request.body)
        const headers: Record<string, string> = { ...request.headers }
        if (contentType !== undefined) headers["content-type"] = contentType
        const body = new TextDecoder().decode(bytes)
        const outcome = await Promise.race([
          emulator.exchange({ method: request.method, url: url.pathname + url.search, headers, body, bytes }),
          never(signal),
        ])
        return toResponse(outcome, signal)
      },
      catch: (cause) => transportError(request, cause),
    }).pipe(Effect.map((response) => HttpClientResponse.fromWeb(request, response))),
  )

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Every service a kit layer provides.
 *
 * @since 0.3.0
 * @category layers
 */
export type Services =
  | NangoConnect.NangoConnect
  | NangoConnections.NangoConnections
  | NangoProxy.NangoProxy
  | NangoSyncs.NangoSyncs
  | NangoActions.NangoActions
  | NangoWebhook.NangoWebhook
  | Emulator

/**
 * Every client, wired to the emulator with its secret key, and `NangoWebhook` with its signing key,
 * so that a webhook route under test verifies what `completeSession` delivers with no wiring.
 */
const clientLayer = (emulator: NangoEmulator, options: Options) => {
  const clientOptions = { ...options.client, secretKey: emulator.secretKey, baseUrl: emulator.url }
  return Layer.mergeAll(
    NangoConnect.layer(clientOptions),
    NangoConnections.layer(clientOptions),
    NangoProxy.layer(clientOptions),
    NangoSyncs.layer(clientOptions),
    NangoActions.layer(clientOptions),
    NangoWebhook.layer({ signingKeys: Redacted.make(emulator.webhookSigningKey) }),
  ).pipe(Layer.orDie)
}

/**
 * Starts the emulator on an ephemeral 127.0.0.1 port for the layer's scope, and provides a
 * `NangoConnect` and `NangoConnections` talking HTTP to it (on `FetchHttpClient`), a `NangoWebhook`
 * that verifies with its signing key, and the `Emulator` handle.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services> =>
  unwrapLayer(
    Effect.gen(function* () {
      const toEmulator = yield* emulatorOptions
      const emulator = yield* Effect.acquireRelease(
        Effect.promise(() => NangoEmulator.start(toEmulator(options))),
        (started) => Effect.promise(() => started.close()),
      )
      return Layer.merge(
        clientLayer(emulator, options).pipe(Layer.provide(FetchHttpClient.layer)),
        Layer.succeed(Emulator, emulator),
      )
    }),
  )

/**
 * The same emulator with no socket: `NangoConnect` and `NangoConnections` on an in-memory
 * `HttpClient`, `NangoWebhook` with its signing key, and the handle.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerInMemory = (options: Options = {}): Layer.Layer<Services> =>
  unwrapLayer(
    Effect.gen(function* () {
      const toEmulator = yield* emulatorOptions
      const emulator = NangoEmulator.inMemory(toEmulator(options))
      return Layer.merge(
        clientLayer(emulator, options).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, inMemoryClient(emulator))),
        ),
        Layer.succeed(Emulator, emulator),
      )
    }),
  )

// -----------------------------------------------------------------------------
// Playing the end user
// -----------------------------------------------------------------------------

/**
 * Where `completeSession` sends the webhook: a URL, or your handler as an `Effect` given Nango's
 * headers and the raw body, answering with an HTTP status.
 *
 * @since 0.1.0
 * @category models
 */
export type WebhookReceiver<R> = string | ((delivery: WebhookDelivery) => Effect.Effect<number, never, R>)

/**
 * Plays the end user connecting an integration in the Connect UI with the session's token: the
 * emulator makes the connection (or, with `error`, fails), then delivers the signed `auth`
 * webhook, with Nango's headers, body and retries, to `deliverTo` (else the session's
 * `webhook_url_override`, else the emulator's `webhookUrl`). Dies when the token has no live
 * session or the integration is not allowed: a test that does this has a bug.
 *
 * @since 0.1.0
 * @category testing
 */
export const completeSession = <R = never>(
  token: Redacted.Redacted<string> | string,
  options: Omit<CompleteSessionOptions, "deliverTo"> & { readonly deliverTo?: WebhookReceiver<R> },
): Effect.Effect<CompletedSession, never, Emulator | R> =>
  Effect.gen(function* () {
    const emulator = yield* Emulator
    const runPromise = yield* promiseRunner<R>()
    const receiver = options.deliverTo
    const deliverTo =
      receiver === undefined || typeof receiver === "string"
        ? receiver
        : (delivery: WebhookDelivery) => runPromise(receiver(delivery))
    const value = Redacted.isRedacted(token) ? Redacted.value(token) : token
    const { deliverTo: _, ...rest } = options
    return yield* Effect.promise(() =>
      emulator.completeSession(value, { ...rest, ...(deliverTo === undefined ? {} : { deliverTo }) }),
    )
  })

/**
 * Plays one run of a sync: the emulator saves and deletes the records it is given, then delivers
 * the signed `sync` webhook (its `modifiedAfter` is the run's start) to `deliverTo`, else the
 * emulator's `webhookUrl`. Dies for an unknown connection: a test that does this has a bug.
 *
 * @since 0.5.0
 * @category testing
 */
export const runSync = <R = never>(
  options: Omit<SyncRunOptions, "deliverTo"> & { readonly deliverTo?: WebhookReceiver<R> },
): Effect.Effect<SyncRunReport, never, Emulator | R> =>
  Effect.gen(function* () {
    const emulator = yield* Emulator
    const runPromise = yield* promiseRunner<R>()
    const { deliverTo: receiver, ...rest } = options
    const deliverTo =
      receiver === undefined || typeof receiver === "string"
        ? receiver
        : (delivery: WebhookDelivery) => runPromise(receiver(delivery))
    return yield* Effect.promise(() => emulator.runSync({ ...rest, ...(deliverTo === undefined ? {} : { deliverTo }) }))
  })
