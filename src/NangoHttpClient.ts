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
import { decodeChunks, type FastPath, FastPathKey, type IncomingResponse } from "./internal/transport.js"
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

type UndiciResponse = Awaited<ReturnType<typeof undici.request>>

const headerOf = (response: UndiciResponse, name: string): string | undefined => {
  const value = response.headers[name]
  return Array.isArray(value) ? value.join(", ") : value
}

/** Reads an undici body as text; undefined (and the body dropped) when it passes `maxBytes`. */
const readText = async (response: UndiciResponse, maxBytes: number): Promise<string | undefined> => {
  const declared = headerOf(response, "content-length")
  if (declared !== undefined) {
    if (Number(declared) > maxBytes) {
      response.body.destroy()
      return undefined
    }
    return response.body.text()
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.length
    if (size > maxBytes) {
      response.body.destroy()
      return undefined
    }
    chunks.push(chunk)
  }
  return decodeChunks(chunks, size)
}

/**
 * One attempt as one promise: send, then read the whole body. Interruption aborts it (and undici
 * closes the socket); the timer, when given, aborts it too and fails with its `TimeoutError`.
 */
const makeFastPath =
  (dispatcher: undici.Dispatcher | undefined): FastPath =>
  (url, request, maxBytes, timer) => {
    const label = { method: request.method, path: request.path }
    const headers: Record<string, string> = { accept: "application/json", authorization: request.authorization }
    if (request.body !== undefined) headers["content-type"] = "application/json"
    return Effect.async<IncomingResponse, TransportError | TimeoutError>((resume, interrupted) => {
      const controller = new AbortController()
      let settled = false
      let phase: "request" | "response" = "request"
      const handle =
        timer === undefined
          ? undefined
          : setTimeout(() => {
              settled = true
              controller.abort()
              resume(Effect.fail(timer.onTimeout()))
            }, timer.millis)
      const abort = () => controller.abort()
      interrupted.addEventListener("abort", abort)
      undici
        .request(url, {
          method: request.method,
          headers,
          body: request.body ?? null,
          signal: controller.signal,
          ...(dispatcher === undefined ? {} : { dispatcher }),
        })
        .then(async (response) => {
          phase = "response"
          const body = await readText(response, maxBytes)
          return { status: response.statusCode, header: (name: string) => headerOf(response, name), body }
        })
        .then(
          (response) => {
            if (settled) return
            settled = true
            clearTimeout(handle)
            interrupted.removeEventListener("abort", abort)
            resume(Effect.succeed(response))
          },
          (cause) => {
            if (settled) return
            settled = true
            clearTimeout(handle)
            interrupted.removeEventListener("abort", abort)
            resume(Effect.fail(transportFailure(cause, phase, label)))
          },
        )
    })
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
        const webBody = nullBodyStatuses.has(response.statusCode)
          ? (await response.body.dump(), null)
          : (Readable.toWeb(response.body) as unknown as ReadableStream<Uint8Array>)
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
