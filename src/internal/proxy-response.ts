/**
 * The provider's response as the proxy client returns it: the same status, headers and body
 * (streamed as it came, or the bytes already read), told of the caller's request, so that nothing
 * the caller holds refers to the request that carried the secret key.
 */
import { webResponseOf } from "#effect"
import * as Effect from "#effect/Effect"
import type * as HttpClientRequest from "#effect/HttpClientRequest"
import * as HttpClientResponse from "#effect/HttpClientResponse"
import * as Stream from "#effect/Stream"
import { nullBodyStatuses } from "./transport.js"

/** A response's headers as web `Headers`: the web response's own when there is one (repeated `set-cookie` kept). */
const headersOf = (response: HttpClientResponse.HttpClientResponse): Headers =>
  webResponseOf(response)?.headers ?? new Headers(Object.entries(response.headers))

/** The provider's response, its body still unread, as a response to the caller's request. */
export const asCallers = (
  response: HttpClientResponse.HttpClientResponse,
  caller: HttpClientRequest.HttpClientRequest,
): HttpClientResponse.HttpClientResponse => {
  const web =
    webResponseOf(response) ??
    new Response(nullBodyStatuses.has(response.status) ? null : Stream.toReadableStream(response.stream), {
      status: response.status,
      headers: headersOf(response),
    })
  return HttpClientResponse.fromWeb(caller, web)
}

/** The provider's response whose body was read to tell it from Nango's, with those bytes as its body. */
export const withBody = (
  response: HttpClientResponse.HttpClientResponse,
  caller: HttpClientRequest.HttpClientRequest,
  bytes: Uint8Array,
): HttpClientResponse.HttpClientResponse =>
  HttpClientResponse.fromWeb(
    caller,
    new Response(nullBodyStatuses.has(response.status) ? null : (bytes as Uint8Array<ArrayBuffer>), {
      status: response.status,
      headers: headersOf(response),
    }),
  )

/** A body read as far as a limit: whole when it was no longer, else the response with its body intact. */
export type ReadUpTo =
  | { readonly _tag: "Whole"; readonly bytes: Uint8Array }
  | { readonly _tag: "Longer"; readonly response: HttpClientResponse.HttpClientResponse }

const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

/**
 * Reads the provider's (or Nango's) body until it ends or passes `limit` bytes: the bytes when it
 * ended, else the response as the caller's, its body the bytes read followed by the rest, still
 * streamed. Fails with what broke the body off.
 */
export const readUpTo = (
  response: HttpClientResponse.HttpClientResponse,
  caller: HttpClientRequest.HttpClientRequest,
  limit: number,
): Effect.Effect<ReadUpTo, unknown> =>
  Effect.tryPromise({
    try: async (): Promise<ReadUpTo> => {
      if (nullBodyStatuses.has(response.status)) return { _tag: "Whole", bytes: new Uint8Array() }
      const body = webResponseOf(response)?.body ?? Stream.toReadableStream(response.stream)
      if (body === null) return { _tag: "Whole", bytes: new Uint8Array() }
      const reader = body.getReader()
      const chunks: Array<Uint8Array> = []
      let total = 0
      while (total <= limit) {
        const next = await reader.read()
        if (next.done) return { _tag: "Whole", bytes: concat(chunks, total) }
        chunks.push(next.value)
        total += next.value.length
      }
      const rest = new ReadableStream<Uint8Array>({
        start: (controller) => {
          for (const chunk of chunks) controller.enqueue(chunk)
        },
        pull: async (controller) => {
          const next = await reader.read()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        },
        cancel: (reason) => reader.cancel(reason),
      })
      const web = new Response(rest, { status: response.status, headers: headersOf(response) })
      return { _tag: "Longer", response: HttpClientResponse.fromWeb(caller, web) }
    },
    catch: (cause) => cause,
  })
