/**
 * One request straight on an undici dispatcher, for the Node fast path of both Effect lines:
 * no `Readable`, no `AbortSignal`, the body gathered in memory up to a cap. Plain callbacks, no
 * Effect: each line wraps it in its own async constructor.
 */
import type { Dispatcher } from "undici"

/** A request as the fast path sends it: the base URL's origin and full path already split. */
export interface ExchangeRequest {
  readonly origin: string
  readonly path: string
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

/** A response as the fast path reads it; `body` is undefined when it was larger than the cap. */
export interface ExchangeResponse {
  readonly status: number
  readonly header: (name: string) => string | undefined
  readonly body: string | undefined
}

/** What the exchange reports, exactly once. */
export interface ExchangeCallbacks {
  readonly onResponse: (response: ExchangeResponse) => void
  /** A failure of the transport: before a response came (`request`) or while its body was read. */
  readonly onError: (cause: unknown, phase: "request" | "response") => void
  /** The timer ran out; the request has been aborted. */
  readonly onTimeout: () => void
}

/** Where a base URL sends requests: its origin, and the path prefix to keep. */
export const splitBase = (base: string): { readonly origin: string; readonly prefix: string } => {
  const url = new URL(base)
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, "") }
}

/**
 * Sends one request and reports its outcome once. Returns the function that cancels it (on
 * interruption): undici then closes the socket. A timer, when given, is a plain `setTimeout`
 * that aborts the request and reports `onTimeout`. Anything the dispatcher throws is reported as
 * a transport failure, never thrown.
 */
export const exchange = (
  dispatcher: Dispatcher,
  request: ExchangeRequest,
  maxBytes: number,
  timerMillis: number | undefined,
  callbacks: ExchangeCallbacks,
): (() => void) => {
  let controller: Dispatcher.DispatchController | undefined
  let done = false
  let phase: "request" | "response" = "request"
  let status = 0
  let responseHeaders: Record<string, string | Array<string> | undefined> = {}
  let chunks: Array<Buffer> = []
  let size = 0
  let tooLarge = false
  const settle = (report: () => void) => {
    if (done) return
    done = true
    if (handle !== undefined) clearTimeout(handle)
    report()
  }
  const handle =
    timerMillis === undefined
      ? undefined
      : setTimeout(() => {
          settle(callbacks.onTimeout)
          controller?.abort(new Error("effect-nango: attempt timed out"))
        }, timerMillis)
  const respond = (body: string | undefined) =>
    settle(() =>
      callbacks.onResponse({
        status,
        header: (name) => {
          const value = responseHeaders[name]
          return Array.isArray(value) ? value.join(", ") : value
        },
        body,
      }),
    )
  const handler: Dispatcher.DispatchHandler = {
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
      respond(chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8"))
    },
    onResponseError(_, error) {
      if (tooLarge) respond(undefined)
      else settle(() => callbacks.onError(error, phase))
    },
  }
  try {
    dispatcher.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        // A repeated attempt is the client's decision, never the pool's.
        idempotent: false,
      },
      handler,
    )
  } catch (cause) {
    settle(() => callbacks.onError(cause, "request"))
  }
  return () => {
    done = true
    if (handle !== undefined) clearTimeout(handle)
    controller?.abort(new Error("effect-nango: interrupted"))
  }
}
