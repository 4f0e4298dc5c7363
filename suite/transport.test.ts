import * as NangoHttpClient from "effect-nango/undici"
import { describe, Effect, expect, FetchHttpClient, HttpClient, it, Transport } from "#line"

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
