/**
 * The emulator on a real socket: a `node:http` request read into an `IncomingRequest`, and an
 * `Outcome` written back as the live server would, or as a fault asks (a hang, a dropped
 * connection, a body cut after some bytes, a chunked body).
 */
import type * as Http from "node:http"
import { readBody } from "./replies.js"
import type { IncomingRequest, Outcome } from "./types.js"

/** A `node:http` request as the emulator's `exchange` takes it, its headers joined and its body read. */
export const readRequest = async (request: Http.IncomingMessage): Promise<IncomingRequest> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  const bytes = await readBody(request)
  const body = new TextDecoder().decode(bytes)
  return { method: request.method ?? "GET", url: request.url ?? "/", headers, body, bytes }
}

/** Writes an outcome to the socket the request came on. */
export const writeOutcome = (request: Http.IncomingMessage, response: Http.ServerResponse, outcome: Outcome): void => {
  if (outcome._tag === "Hang" || response.destroyed) return
  if (outcome._tag === "Drop") {
    request.socket.destroy()
    return
  }
  const body = Buffer.from(outcome.body)
  if (outcome.cut !== undefined) {
    response.writeHead(outcome.status, { "content-length": String(body.length), ...outcome.headers })
    response.write(body.subarray(0, outcome.cut.afterBytes))
    if (outcome.cut.and === "reset") setTimeout(() => request.socket.destroy(), 5)
    return
  }
  if (outcome.chunkBytes !== undefined) {
    response.writeHead(outcome.status, outcome.headers)
    writeInPieces(response, body, outcome.chunkBytes, 0)
    return
  }
  if (outcome.chunked === true) {
    response.writeHead(outcome.status, outcome.headers)
    for (let offset = 0; offset < body.length; offset += 64 * 1024) {
      response.write(body.subarray(offset, offset + 64 * 1024))
    }
    response.end()
    return
  }
  // As Express' send: a declared length, except on the statuses that have no body.
  const bodiless = outcome.status < 200 || outcome.status === 204 || outcome.status === 304
  response.writeHead(
    outcome.status,
    bodiless ? outcome.headers : { ...outcome.headers, "content-length": String(body.length) },
  )
  response.end(body)
}

/** Writes `body` from `offset` in pieces of `size` bytes, one per turn of the event loop, then ends. */
const writeInPieces = (response: Http.ServerResponse, body: Buffer, size: number, offset: number): void => {
  if (response.destroyed) return
  if (offset >= body.length) {
    response.end()
    return
  }
  response.write(body.subarray(offset, offset + size))
  setTimeout(() => writeInPieces(response, body, size, offset + size), 1)
}
