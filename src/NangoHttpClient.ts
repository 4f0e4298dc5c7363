/**
 * The Node transport: an `HttpClient` on `undici` (keep-alive pool, no redirects, abort on
 * interruption) that also carries a direct path the Connect-session client takes, skipping the
 * generic request/response pipeline. Node only; elsewhere provide `FetchHttpClient.layer`.
 *
 * @since 0.1.0
 */
import { Readable } from "node:stream"
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"
import * as undici from "undici"
import { transportFailure } from "./internal/errors.js"
import { type FastPath, FastPathKey, type IncomingResponse } from "./internal/transport.js"
import type { TimeoutError, TransportError } from "./NangoConnectError.js"

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
  /** The undici dispatcher (pool, proxy, mock) to send through. Default: undici's global one. */
  readonly dispatcher?: undici.Dispatcher
}

// -----------------------------------------------------------------------------
// Fast path
// -----------------------------------------------------------------------------

/** Where a base URL sends requests: its origin, and the path prefix to keep. */
const splitBase = (base: string) => {
  const url = new URL(base)
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, "") }
}

/**
 * One attempt straight on undici's dispatcher: no `Readable`, no `AbortSignal`, the body gathered
 * in memory up to the cap. Interruption aborts the request (undici then closes the socket); the
 * timer, when given, is a plain `setTimeout` that aborts it and fails with its `TimeoutError`.
 */
const makeFastPath =
  (dispatcher: undici.Dispatcher | undefined): FastPath =>
  (baseUrl, maxBytes) => {
    const { origin, prefix } = splitBase(baseUrl)
    return (request, timer) => {
      const label = { method: request.method, path: request.path }
      const headers: Record<string, string> = { accept: "application/json", authorization: request.authorization }
      if (request.body !== undefined) headers["content-type"] = "application/json"
      return Effect.async<IncomingResponse, TransportError | TimeoutError>((resume) => {
        let controller: undici.Dispatcher.DispatchController | undefined
        let done = false
        let phase: "request" | "response" = "request"
        let status = 0
        let responseHeaders: Record<string, string | Array<string> | undefined> = {}
        let chunks: Array<Buffer> = []
        let size = 0
        let tooLarge = false
        const finish = (outcome: Effect.Effect<IncomingResponse, TransportError | TimeoutError>) => {
          if (done) return
          done = true
          if (handle !== undefined) clearTimeout(handle)
          resume(outcome)
        }
        const handle =
          timer === undefined
            ? undefined
            : setTimeout(() => {
                finish(Effect.fail(timer.onTimeout()))
                controller?.abort(new Error("effect-nango: attempt timed out"))
              }, timer.millis)
        const respond = (body: string | undefined) =>
          finish(
            Effect.succeed({
              status,
              header: (name: string) => {
                const value = responseHeaders[name]
                return Array.isArray(value) ? value.join(", ") : value
              },
              body,
            }),
          )
        ;(dispatcher ?? undici.getGlobalDispatcher()).dispatch(
          {
            origin,
            path: prefix + request.path,
            method: request.method,
            headers,
            body: request.body ?? null,
            // A repeated attempt is the client's decision, never the pool's.
            idempotent: false,
          },
          {
            onRequestStart(dispatchController) {
              controller = dispatchController
              if (done) dispatchController.abort(new Error("effect-nango: interrupted"))
            },
            onResponseStart(dispatchController, statusCode, incoming) {
              phase = "response"
              status = statusCode
              responseHeaders = incoming
              const declared = incoming["content-length"]
              if (typeof declared === "string" && Number(declared) > maxBytes) {
                tooLarge = true
                dispatchController.abort(new Error("effect-nango: body over the cap"))
              }
            },
            onResponseData(dispatchController, chunk) {
              size += chunk.length
              if (size > maxBytes) {
                tooLarge = true
                chunks = []
                dispatchController.abort(new Error("effect-nango: body over the cap"))
              } else chunks.push(chunk)
            },
            onResponseEnd() {
              respond(
                chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8"),
              )
            },
            onResponseError(_, error) {
              if (tooLarge) respond(undefined)
              else finish(Effect.fail(transportFailure(error, phase, label)))
            },
          },
        )
        return Effect.sync(() => {
          done = true
          if (handle !== undefined) clearTimeout(handle)
          controller?.abort(new Error("effect-nango: interrupted"))
        })
      })
    }
  }

// -----------------------------------------------------------------------------
// Constructor
// -----------------------------------------------------------------------------

/** Statuses whose response has no body, which a web `Response` must not be given. */
const nullBodyStatuses = new Set([101, 204, 205, 304])

/**
 * Builds an `HttpClient` on undici. Any code can use it as an ordinary `HttpClient`; the
 * Connect-session client recognises it and takes its direct path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): HttpClient.HttpClient => {
  const dispatcher = options.dispatcher
  const client = HttpClient.make((request, url, signal) =>
    Effect.tryPromise({
      try: async () => {
        const body =
          request.body._tag === "Uint8Array" ? request.body.body : request.body._tag === "Empty" ? null : undefined
        if (body === undefined) throw new Error(`undici transport: unsupported body ${request.body._tag}`)
        const response = await undici.request(url, {
          method: request.method,
          headers: request.headers,
          body,
          signal,
          ...(dispatcher === undefined ? {} : { dispatcher }),
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
      catch: (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause }),
    }).pipe(Effect.map((response) => HttpClientResponse.fromWeb(request, response))),
  )
  return Object.assign(client, { [FastPathKey]: makeFastPath(dispatcher) })
}

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Provides `HttpClient.HttpClient` on undici: the fast, Node-only transport for `NangoConnect`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUndici = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(options))
