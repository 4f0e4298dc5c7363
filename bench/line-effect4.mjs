// The Effect 4 line (effect-nango 1.x, the root's dist/) as the benchmark drives it. Each line has
// such a module (effect3/bench/line.mjs for the other), so that its imports resolve to its own
// Effect. makeCall returns a function making one call and resolving when it is decoded.

import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Layer, ManagedRuntime } from "effect"
import { FetchHttpClient } from "effect/http"
import { NangoConnect } from "../dist/src/index.js"
import * as NangoHttpClient from "../dist/src/NangoHttpClient.js"

/** The line's name in the tables. */
export const name = "effect-nango 1.x (Effect 4)"

/** One client, on one transport: `own` (layerNangoConnect), `fetch`, or `platform-node`. */
export const makeCall = async ({ baseUrl, secretKey, token, transport, call, retry }) => {
  const options = { secretKey, baseUrl, ...(retry === undefined ? {} : { retry }) }
  const live =
    transport === "own"
      ? NangoHttpClient.layerNangoConnect(options)
      : NangoConnect.layer(options).pipe(
          Layer.provide(transport === "fetch" ? FetchHttpClient.layer : NodeHttpClient.layerUndici),
        )
  const runtime = ManagedRuntime.make(live)
  const nango = await runtime.runPromise(NangoConnect.NangoConnect)
  const effect =
    call === "create"
      ? nango.createConnectSession({ end_user: { id: "user-42", email: "ada@example.com" } })
      : nango.getConnectSession(token)
  return () => runtime.runPromise(effect)
}
