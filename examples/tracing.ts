/**
 * Exporting the client's spans with @effect/opentelemetry, to the console exporter.
 * Runs against the embedded emulator: `npm run example:tracing`.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer } from "effect"
import { NangoConnect } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"

const TracingLive = NodeSdk.layer(() => ({
  resource: { serviceName: "effect-nango-example" },
  spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter()),
}))

const program = Effect.gen(function* () {
  const nango = yield* NangoConnect.NangoConnect
  const session = yield* nango.createConnectSession({ end_user: { id: "user-42" } })
  yield* nango.getConnectSession(session.token)
  yield* nango.deleteConnectSession(session.token)
}).pipe(Effect.withSpan("onboard-user"))

// Trace context goes out with the requests only when asked for (propagateTraceContext).
program.pipe(
  Effect.provide(Layer.merge(NangoConnectTest.layer({ client: { propagateTraceContext: false } }), TracingLive)),
  Effect.runPromise,
)
