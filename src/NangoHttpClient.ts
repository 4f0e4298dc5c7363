/**
 * The Node transport: an `HttpClient` on `undici` (keep-alive pool, no redirects, abort on
 * interruption) that also carries a direct path the Connect-session client takes, skipping the
 * generic request/response pipeline. It sends through its own undici dispatcher, never the
 * process-wide one. Node only; elsewhere provide `FetchHttpClient.layer`.
 *
 * @since 0.1.0
 */
import { Readable } from "node:stream"
import type * as undici from "undici"
import { type ConfigError, callback, scopedLayer, transportError } from "#effect"
import * as Effect from "#effect/Effect"
import * as HttpClient from "#effect/HttpClient"
import type * as HttpClientRequest from "#effect/HttpClientRequest"
import * as HttpClientResponse from "#effect/HttpClientResponse"
import * as Layer from "#effect/Layer"
import * as Stream from "#effect/Stream"
import { exchange, splitBase } from "../nango/src/exchange.js"
import { loadUndici, makeAgent } from "../nango/src/undici.js"
import type { FastPath, IncomingResponse } from "./internal/transport.js"
import { FastPathKey, nullBodyStatuses, transportFailure } from "./internal/transport.js"
import * as NangoActions from "./NangoActions.js"
import * as NangoConnect from "./NangoConnect.js"
import type { InvalidInput, TimeoutError, TransportError } from "./NangoConnectError.js"
import * as NangoConnections from "./NangoConnections.js"
import * as NangoProxy from "./NangoProxy.js"
import * as NangoSyncs from "./NangoSyncs.js"

// -----------------------------------------------------------------------------
// Options
// -----------------------------------------------------------------------------

/**
 * How the undici transport connects.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /**
   * The undici dispatcher (pool, proxy, mock) to send through; you keep it and close it. Default:
   * one `Agent` of the transport's own (closed with the layer's scope under `layerUndici`).
   */
  readonly dispatcher?: undici.Dispatcher
}

// -----------------------------------------------------------------------------
// Fast path
// -----------------------------------------------------------------------------

/** One attempt on the shared exchange, as an `Effect` that aborts the request when interrupted. */
const makeFastPath =
  (dispatcher: undici.Dispatcher): FastPath =>
  (baseUrl, maxBytes) => {
    const { origin, prefix } = splitBase(baseUrl)
    return (request, timer) => {
      const label = { method: request.method, path: request.path }
      const headers: Record<string, string> = {
        ...request.headers,
        accept: "application/json",
        authorization: request.authorization,
      }
      if (request.body !== undefined) headers["content-type"] = "application/json"
      const outgoing = {
        origin,
        path: prefix + (request.target ?? request.path),
        method: request.method,
        headers,
        body: request.body,
      }
      return callback<IncomingResponse, TransportError | TimeoutError>((resume) => {
        const cancel = exchange(dispatcher, outgoing, maxBytes, timer?.millis, {
          onResponse: (response) => resume(Effect.succeed(response)),
          onError: (cause, phase) => resume(Effect.fail(transportFailure(cause, phase, label))),
          onTimeout: () => resume(Effect.fail((timer as NonNullable<typeof timer>).onTimeout())),
        })
        return Effect.sync(cancel)
      })
    }
  }

// -----------------------------------------------------------------------------
// Constructor
// -----------------------------------------------------------------------------

/**
 * A request body as undici sends it: bytes, a stream, or a form encoded as multipart with its
 * boundary in the content type (undici takes only its own `FormData` class, not the global one).
 */
const undiciBody = (
  body: HttpClientRequest.HttpClientRequest["body"],
): { readonly body: Uint8Array | Readable | null; readonly contentType?: string } => {
  switch (body._tag) {
    case "Empty":
      return { body: null }
    case "Uint8Array":
      return { body: body.body }
    case "FormData": {
      const encoded = new Response(body.formData)
      return {
        body: Readable.fromWeb(encoded.body as never),
        contentType: encoded.headers.get("content-type") ?? "multipart/form-data",
      }
    }
    case "Stream":
      return { body: Readable.fromWeb(Stream.toReadableStream(body.stream) as never) }
    default:
      throw new Error(`undici transport: unsupported body ${body._tag}`)
  }
}

/** The dispatcher `make` uses when given none: the transport's own, made on first use. */
let sharedAgent: undici.Agent | undefined
const ownAgent = () => {
  sharedAgent ??= makeAgent()
  return sharedAgent
}

/**
 * Builds an `HttpClient` on undici. Any code can use it as an ordinary `HttpClient`; the
 * Connect-session client recognises it and takes its direct path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): HttpClient.HttpClient => {
  const dispatcher = options.dispatcher ?? ownAgent()
  const client = HttpClient.make((request, url, signal) =>
    Effect.tryPromise({
      try: async () => {
        const { body, contentType } = undiciBody(request.body)
        const response = await (await loadUndici()).request(url, {
          method: request.method,
          headers: contentType === undefined ? request.headers : { ...request.headers, "content-type": contentType },
          body,
          signal,
          dispatcher,
        })
        const headers = new Headers()
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value)
        }
        let webBody: ReadableStream<Uint8Array> | null = null
        if (nullBodyStatuses.has(response.statusCode)) await response.body.dump()
        else webBody = Readable.toWeb(response.body) as unknown as ReadableStream<Uint8Array>
        return new Response(webBody, { status: response.statusCode, headers })
      },
      catch: (cause) => transportError(request, cause),
    }).pipe(Effect.map((response) => HttpClientResponse.fromWeb(request, response))),
  )
  return Object.assign(client, { [FastPathKey]: makeFastPath(dispatcher) })
}

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Provides `HttpClient.HttpClient` on undici: the fast, Node-only transport for `NangoConnect`.
 * Without a dispatcher of yours, it makes an `Agent` for the layer's scope and destroys it after
 * (a response whose body was never read cannot keep the scope from closing).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUndici = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  options.dispatcher === undefined
    ? scopedLayer(
        HttpClient.HttpClient,
        Effect.map(
          Effect.acquireRelease(
            Effect.sync(() => makeAgent()),
            (agent) => Effect.promise(() => agent.destroy()),
          ),
          (dispatcher) => make({ dispatcher }),
        ),
      )
    : Layer.succeed(HttpClient.HttpClient, make(options))

/**
 * Provides `NangoConnect` on its own undici transport, from options: the Node fast path, which an
 * application-wide `HttpClient` cannot replace, since this layer needs none.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNangoConnect = (
  options: NangoConnect.Options & Options,
): Layer.Layer<NangoConnect.NangoConnect, InvalidInput> =>
  NangoConnect.layer(options).pipe(Layer.provide(layerUndici(options)))

/**
 * Provides `NangoConnect` on its own undici transport, from `NANGO_SECRET_KEY` and `NANGO_HOST`
 * (see `NangoConnect.layerConfig`): the Node fast path, which an application-wide `HttpClient`
 * cannot replace.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNangoConnectConfig = (
  options: Omit<NangoConnect.Options, "secretKey" | "baseUrl"> & Options = {},
): Layer.Layer<NangoConnect.NangoConnect, ConfigError> =>
  NangoConnect.layerConfig(options).pipe(Layer.provide(layerUndici(options)))

/**
 * Every client service the combined layers provide.
 *
 * @since 0.4.0
 * @category layers
 */
export type Services =
  | NangoConnect.NangoConnect
  | NangoConnections.NangoConnections
  | NangoProxy.NangoProxy
  | NangoSyncs.NangoSyncs
  | NangoActions.NangoActions

/**
 * Provides every client service (`NangoConnect`, `NangoConnections`, `NangoProxy`, `NangoSyncs`, `NangoActions`) from one set
 * of options on one undici transport of their own (one connection pool, closed with the layer's scope).
 *
 * @since 0.3.0
 * @category layers
 */
export const layerNango = (options: NangoConnect.Options & Options): Layer.Layer<Services, InvalidInput> =>
  Layer.mergeAll(
    NangoConnect.layer(options),
    NangoConnections.layer(options),
    NangoProxy.layer(options),
    NangoSyncs.layer(options),
    NangoActions.layer(options),
  ).pipe(Layer.provide(layerUndici(options)))

/**
 * Provides every client service (`NangoConnect`, `NangoConnections`, `NangoProxy`, `NangoSyncs`, `NangoActions`) from
 * `NANGO_SECRET_KEY` and `NANGO_HOST`, on one undici transport of their own.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerNangoConfig = (
  options: Omit<NangoConnect.Options, "secretKey" | "baseUrl"> & Options = {},
): Layer.Layer<Services, ConfigError> =>
  Layer.mergeAll(
    NangoConnect.layerConfig(options),
    NangoConnections.layerConfig(options),
    NangoProxy.layerConfig(options),
    NangoSyncs.layerConfig(options),
    NangoActions.layerConfig(options),
  ).pipe(Layer.provide(layerUndici(options)))
