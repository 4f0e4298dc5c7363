// The Effect 3 line (effect-nango 0.x, effect3/dist/) as the benchmark drives it. Each line has
// such a module (bench/line-effect4.mjs for the other), so that its imports resolve to its own
// Effect. makeCall returns a function making one call and resolving when it is decoded.

import { Layer, ManagedRuntime } from "effect"
import { NangoConnect, NangoConnections } from "../dist/src/index.js"
import * as NangoHttpClient from "../dist/src/NangoHttpClient.js"

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
  // getConnection runs on layerNango (both services), the session calls on layerNangoConnect.
  const service = call === "connection" ? NangoConnections : NangoConnect
  const own = call === "connection" ? NangoHttpClient.layerNango : NangoHttpClient.layerNangoConnect
  const live = http === undefined ? own(options) : service.layer(options).pipe(Layer.provide(http))
  const runtime = ManagedRuntime.make(live)
  const client = await runtime.runPromise(
    call === "connection" ? NangoConnections.NangoConnections : NangoConnect.NangoConnect,
  )
  // Each call builds its effect, as a server handling requests does: one per incoming token or body.
  const effect =
    call === "create"
      ? () => client.createConnectSession({ end_user: { id: "user-42", email: "ada@example.com" } })
      : call === "connection"
        ? () => client.getConnection(connection.connectionId, { providerConfigKey: connection.providerConfigKey })
        : () => client.getConnectSession(token)
  return () => runtime.runPromise(effect())
}
