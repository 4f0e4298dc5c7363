import { NangoConnect } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import * as NangoHttpClient from "effect-nango/undici"
import {
  describe,
  Effect,
  Exit,
  expect,
  FetchHttpClient,
  HttpClient,
  it,
  Layer,
  Redacted,
  Scope,
  Transport,
} from "#line"
import { undiciFetch, waitUntil } from "./support.js"

const options = { baseUrl: "http://127.0.0.1:1", maxBytes: 1024, propagateTraceContext: false }
const transportOf = (client: HttpClient.HttpClient, propagateTraceContext = false) =>
  Transport.fromHttpClient(client, { ...options, propagateTraceContext }, {})

describe("transport selection", () => {
  it.effect("the undici client is driven directly; fetch and trace propagation take the HttpClient pipeline", () =>
    Effect.gen(function* () {
      const undici = NangoHttpClient.make()
      const fetch = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
      expect(transportOf(undici).timesItself).toBe(true)
      expect(transportOf(undici, true).timesItself).toBe(false)
      expect(transportOf(fetch).timesItself).toBe(false)
      // A client derived from the undici one (user middleware) loses the direct path, on purpose.
      expect(transportOf(undici.pipe(HttpClient.mapRequest((request) => request))).timesItself).toBe(false)
    }),
  )
})

describe("a caller's RequestInit", () => {
  it.effect.each([
    { fetch: "global fetch", layer: FetchHttpClient.layer },
    { fetch: "undici's fetch", layer: undiciFetch },
  ])("cannot turn redirects back on ($fetch)", ({ layer }) =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const nango = yield* NangoConnect.make({
        secretKey: Redacted.make(emulator.secretKey),
        baseUrl: emulator.url,
      }).pipe(
        Effect.provide(layer),
        Effect.provideService(FetchHttpClient.RequestInit, { redirect: "follow", keepalive: false }),
      )
      emulator.injectFault({ status: 302, headers: { location: "/connect/sessions-moved" } })
      const error = yield* Effect.flip(nango.createConnectSession({ end_user: { id: "u" } }))
      expect(error).toMatchObject({ _tag: "UnexpectedStatus", status: 302 })
      expect(emulator.requests.map((request) => request.path)).toEqual(["/connect/sessions"])
    }),
  )
})

describe("the undici transport's own Agent", () => {
  it.effect("lives as long as its layer's scope: open while in use, closed with the scope", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const scope = yield* Scope.make()
      const http = yield* Layer.buildWithScope(NangoHttpClient.layerUndici(), scope)
      const nango = yield* NangoConnect.make({
        secretKey: Redacted.make(emulator.secretKey),
        baseUrl: emulator.url,
      }).pipe(Effect.provide(http))
      yield* nango.createConnectSession({ end_user: { id: "u" } })
      // Keep-alive: the socket stays open between calls while the scope is open.
      expect(emulator.openConnections).toBe(1)
      yield* Scope.close(scope, Exit.void)
      yield* waitUntil(() => emulator.openConnections === 0, "the Agent's socket to close")
      const afterClose = yield* Effect.flip(nango.createConnectSession({ end_user: { id: "u" } }))
      expect(afterClose).toMatchObject({ _tag: "TransportError" })
      expect(emulator.requests).toHaveLength(1)
    }),
  )
})
