// The Effect 3 line for the benchmark (../../bench/line.mjs): its build, effect3/dist/, and its own Effect.
import { HttpClient } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { lineOf } from "../../bench/line.mjs"

export const { name, makeCall, effect, dist } = lineOf({
  name: "effect-nango 0.x (Effect 3)",
  dist: new URL("../dist/src/", import.meta.url),
  effect: { Effect, HttpClient, Layer, ManagedRuntime, Schema },
  httpLayer: async (transport) =>
    transport === "fetch"
      ? (await import("@effect/platform")).FetchHttpClient.layer
      : (await import("@effect/platform-node")).NodeHttpClient.layerUndici,
})
