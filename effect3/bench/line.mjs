// The Effect 3 line (effect-nango 0.x, effect3/dist/) as the benchmark drives it. Each line has
// such a module (bench/line-effect4.mjs for the other), so that its imports resolve to its own
// Effect. makeCall returns a function making one call and resolving when it is decoded.

import { Layer, ManagedRuntime } from "effect"
import { NangoConnect, NangoConnections } from "../dist/effect3/src/index.js"
import * as NangoHttpClient from "../dist/effect3/src/NangoHttpClient.js"

/** The line's name in the tables. */
export const name = "effect-nango 0.x (Effect 3)"

/**
 * One client, on one transport: `own` (layerNangoConnect, or layerNango for getConnection), `fetch`,
 * or `platform-node`;
 * `call` is `get`, `create` or `connection` (getConnection).
 */
export const makeCall = async ({ baseUrl, secretKey, token, transport, call, retry, connection }) => {
  const options = { secretKey, baseUrl, ...(retry === undefined ? {} : { retry }) }
  // Loaded only when used, so that the import cost measured is the line's own.
  const http =
    transport === "own"
      ? undefined
      : transport === "fetch"
        ? (await import("@effect/platform")).FetchHttpClient.layer
        : (await import("@effect/platform-node")).NodeHttpClient.layerUndici
  if (call === "connection") {
    const live =
      http === undefined
        ? NangoHttpClient.layerNango(options)
        : NangoConnections.layer(options).pipe(Layer.provide(http))
    const runtime = ManagedRuntime.make(live)
    const connections = await runtime.runPromise(NangoConnections.NangoConnections)
    const { connectionId, providerConfigKey } = connection
    return () => runtime.runPromise(connections.getConnection(connectionId, { providerConfigKey }))
  }
  const live =
    http === undefined
      ? NangoHttpClient.layerNangoConnect(options)
      : NangoConnect.layer(options).pipe(Layer.provide(http))
  const runtime = ManagedRuntime.make(live)
  const nango = await runtime.runPromise(NangoConnect.NangoConnect)
  // Each call builds its effect, as a server handling requests does: one per incoming token or body.
  const effect =
    call === "create"
      ? () => nango.createConnectSession({ end_user: { id: "user-42", email: "ada@example.com" } })
      : () => nango.getConnectSession(token)
  return () => runtime.runPromise(effect())
}
