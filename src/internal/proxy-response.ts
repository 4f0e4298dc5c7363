/**
 * The provider's response as the proxy client returns it: the same status, headers and body
 * (streamed as it came, or the bytes already read), told of the caller's request, so that nothing
 * the caller holds refers to the request that carried the secret key.
 */
import { webResponseOf } from "#effect"
import type * as HttpClientRequest from "#effect/HttpClientRequest"
import * as HttpClientResponse from "#effect/HttpClientResponse"
import * as Stream from "#effect/Stream"

/** Statuses whose response has no body, which a web `Response` must not be given. */
const nullBodyStatuses = new Set([101, 204, 205, 304])

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
