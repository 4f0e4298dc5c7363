/**
 * The one small interface the client speaks to the network through: send a request, get a status,
 * headers and a size-capped body. Two implementations share it: any `HttpClient` (portable), and
 * the fast path that `NangoHttpClient.layerUndici` attaches to the `HttpClient` it provides.
 */
import { isEmptyBody, type ResponseError, withRequestInit, withTracing } from "#effect"
import * as Effect from "#effect/Effect"
import type * as HttpClient from "#effect/HttpClient"
import * as HttpClientRequest from "#effect/HttpClientRequest"
import type * as HttpClientResponse from "#effect/HttpClientResponse"
import * as Stream from "#effect/Stream"
import { describeTransportFailure } from "../../nango/src/error-code.js"
import type { RequestLabel } from "../../nango/src/failure.js"
import { type TimeoutError, TransportError } from "../NangoConnectError.js"

/** Statuses whose response has no body (a web `Response` must not be given one). */
export const nullBodyStatuses: ReadonlySet<number> = new Set([101, 204, 205, 304])

/**
 * Turns a failure of the transport into `TransportError`: `phase` says whether it happened before
 * a response came (`request`) or while its body was read (`response`).
 */
export const transportFailure = (
  cause: unknown,
  phase: "request" | "response",
  request: RequestLabel,
): TransportError =>
  new TransportError({
    method: request.method,
    path: request.path,
    ...describeTransportFailure(cause, phase, `${request.method} ${request.path}`),
  })

/** The request an outcome belongs to, as errors report it (`nango/src/failure.ts`). */
export type { RequestLabel }

/** A request as the client builds it: everything but the base URL. */
export interface OutgoingRequest {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  /** The path as errors and spans name it; for a connection, the template `/connections/{connectionId}`. */
  readonly path: string
  /** What is sent, when it differs from `path`: the path with the encoded id, and the query. */
  readonly target?: string | undefined
  /** The whole `Authorization` header value. It goes into the header and nowhere else. */
  readonly authorization: string
  /** A JSON body, already encoded. */
  readonly body: string | undefined
  /** Headers of the endpoint besides `Authorization` and the content type (the connection a records call reads). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** A response as the client reads it: status, headers and the whole body, read under the size cap. */
export interface IncomingResponse {
  readonly status: number
  /** A response header by lowercase name. */
  readonly header: (name: string) => string | undefined
  /** The body as text; undefined when it was larger than the cap (it was not buffered). */
  readonly body: string | undefined
}

/** A timer a transport arms itself, inside its own I/O, instead of an `Effect.timeoutFail` around it. */
export interface Timer {
  readonly millis: number
  readonly onTimeout: () => TimeoutError
}

/** Sends one request and reads its response. */
export interface Transport {
  /**
   * `timer` is given only to a transport that `timesItself`, and only when the clock is the live
   * one: its timer then runs inside the same promise as the I/O, which saves the fibers a
   * timeout race costs.
   */
  readonly send: (
    request: OutgoingRequest,
    timer?: Timer,
  ) => Effect.Effect<IncomingResponse, TransportError | TimeoutError>
  readonly timesItself: boolean
}

/** What a transport is built from. */
export interface TransportOptions {
  readonly baseUrl: string
  readonly maxBytes: number
  readonly propagateTraceContext: boolean
}

/** The key under which a fast `HttpClient` carries its direct sender. */
export const FastPathKey: unique symbol = Symbol.for("effect-nango/FastPath")

/**
 * Builds a direct sender for one base URL and body cap; attached to an `HttpClient` under
 * {@link FastPathKey}, and called once, when the client is built.
 */
export type FastPath = (
  baseUrl: string,
  maxBytes: number,
) => (
  request: OutgoingRequest,
  timer: Timer | undefined,
) => Effect.Effect<IncomingResponse, TransportError | TimeoutError>

/** Whether an `HttpClient` carries a fast path. */
const fastPathOf = (client: HttpClient.HttpClient): FastPath | undefined =>
  (client as unknown as { readonly [FastPathKey]?: FastPath })[FastPathKey]

/**
 * The transport for the `HttpClient` in context: its fast path when it has one, else the client
 * itself. `RequestInit` is the `FetchHttpClient` options found where the client is built.
 */
export const fromHttpClient = (
  client: HttpClient.HttpClient,
  options: TransportOptions,
  requestInit: globalThis.RequestInit,
): Transport => {
  const fast = fastPathOf(client)
  if (fast !== undefined && !options.propagateTraceContext) {
    return { send: fast(options.baseUrl, options.maxBytes), timesItself: true }
  }
  const prepared = withTracing(
    // Redirects are not followed: Nango never redirects, and fetch would turn a redirected POST
    // into a GET. The 3xx comes back as UnexpectedStatus. (Read by FetchHttpClient only.)
    withRequestInit(client, { ...requestInit, redirect: "manual" }),
    options.propagateTraceContext,
  )
  return {
    send: (request) => {
      const label = { method: request.method, path: request.path }
      let outgoing = HttpClientRequest.make(request.method)(options.baseUrl + (request.target ?? request.path), {
        headers: { ...request.headers, accept: "application/json", authorization: request.authorization },
      })
      if (request.body !== undefined) outgoing = HttpClientRequest.bodyText(outgoing, request.body, "application/json")
      return Effect.flatMap(
        Effect.mapError(prepared.execute(outgoing), (error) => transportFailure(error.cause, "request", label)),
        (response) =>
          Effect.map(
            readBody(response, options.maxBytes, label),
            (body): IncomingResponse => ({ status: response.status, header: (name) => response.headers[name], body }),
          ),
      )
    },
    timesItself: false,
  }
}

/**
 * Reads a body as text; undefined when it is larger than `maxBytes`: a declared `Content-Length`
 * over the cap is not read at all, and a chunked body is dropped as soon as it passes the cap.
 */
const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  request: RequestLabel,
): Effect.Effect<string | undefined, TransportError> => {
  const failed = (error: ResponseError) => transportFailure(error.cause, "response", request)
  const declared = response.headers["content-length"]
  if (declared !== undefined) {
    return Number(declared) > maxBytes ? Effect.succeed(undefined) : Effect.mapError(response.text, failed)
  }
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return response.stream.pipe(
      Stream.runForEachWhile((chunk) =>
        Effect.sync(() => {
          size += chunk.length
          if (size > maxBytes) return false
          chunks.push(chunk)
          return true
        }),
      ),
      Effect.catchIf(isEmptyBody, () => Effect.void),
      Effect.mapError(failed),
      Effect.map(() => (size > maxBytes ? undefined : decodeChunks(chunks, size))),
    )
  })
}

/** Joins chunks and decodes them as UTF-8, without Node's Buffer, so the client runs in browsers too. */
export const decodeChunks = (chunks: ReadonlyArray<Uint8Array>, size: number): string => {
  const joined = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    joined.set(chunk, offset)
    offset += chunk.length
  }
  return new TextDecoder().decode(joined)
}
