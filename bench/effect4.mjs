// The Effect 4 line for the benchmark (bench/line.mjs): its build, dist/, and its own Effect.
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import { lineOf } from "./line.mjs"

export const { name, makeCall, effect, dist } = lineOf({
  name: "effect-nango 1.x (Effect 4)",
  dist: new URL("../dist/src/", import.meta.url),
  effect: { Effect, HttpClient, Layer, ManagedRuntime, Schema },
  httpLayer: async (transport) =>
    transport === "fetch"
      ? (await import("effect/http/FetchHttpClient")).layer
      : (await import("@effect/platform-node/NodeHttpClient")).layerUndici,
})
