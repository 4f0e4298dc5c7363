/**
 * The client's spans through @effect/opentelemetry, captured by OpenTelemetry's in-memory
 * exporter: names, attributes, parentage, and no secret anywhere in them.
 */

import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { NangoConnect } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"
import { describe, Effect, expect, it, Layer, NodeSdk, Redacted } from "#line"

describe("OpenTelemetry", () => {
  it.live("exports one client span per call, under the caller's span, with no secret", () =>
    Effect.gen(function* () {
      const exporter = new InMemorySpanExporter()
      const tracing = NodeSdk.layer(() => ({
        resource: { serviceName: "test" },
        spanProcessor: new SimpleSpanProcessor(exporter),
      }))
      // Read the spans before the layer shuts the SDK down (shutdown empties the exporter).
      const { token, secretKey, spans } = yield* Effect.gen(function* () {
        const nango = yield* NangoConnect.NangoConnect
        const emulator = yield* NangoConnectTest.Emulator
        const session = yield* nango.createConnectSession({ end_user: { id: "user-42" } })
        yield* nango.getConnectSession(session.token)
        yield* Effect.flip(nango.getConnectSession(`nango_connect_session_${"0".repeat(64)}`))
        return { token: Redacted.value(session.token), secretKey: emulator.secretKey }
      }).pipe(
        Effect.withSpan("caller"),
        Effect.map((ids) => ({ ...ids, spans: [...exporter.getFinishedSpans()] })),
        Effect.provide(Layer.merge(NangoConnectTest.layer(), tracing)),
        Effect.scoped,
      )

      const byName = (name: string) => spans.filter((span) => span.name === name)
      const caller = byName("caller")[0]
      expect(byName("NangoConnect.createConnectSession")).toHaveLength(1)
      expect(byName("NangoConnect.getConnectSession")).toHaveLength(2)
      const [ok, failed] = byName("NangoConnect.getConnectSession")
      expect(ok?.attributes).toEqual({
        "http.request.method": "GET",
        "url.path": "/connect/session",
        "http.response.status_code": 200,
        "nango.attempts": 1,
      })
      expect(failed?.attributes["http.response.status_code"]).toBe(401)
      expect(failed?.status.code).toBe(2) // ERROR
      for (const span of spans.filter((span) => span.name.startsWith("NangoConnect."))) {
        expect(span.parentSpanContext?.spanId).toBe(caller?.spanContext().spanId)
      }
      const exported = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events, span.status]))
      expect(exported).not.toContain(token)
      expect(exported).not.toContain(secretKey)
    }),
  )
})
