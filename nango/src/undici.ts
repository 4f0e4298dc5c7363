/**
 * undici, loaded by the part used. The package's index loads every undici feature (fetch,
 * WebSocket, caches, mocks, interceptors: some 110 modules); the fast path needs only the `Agent`
 * class, a third of that load. undici 7 publishes no `exports` map, and the class has kept its
 * file's path since 6.0; `suite/node-transport.test.ts` checks it is the class the index exports.
 */
import type * as Undici from "undici"
import Agent from "undici/lib/dispatcher/agent.js"

/** undici's `Agent`: the same class as `undici.Agent`, without loading the rest of undici. */
export const AgentClass: typeof Undici.Agent = Agent

/** Makes an undici `Agent` with its defaults (a keep-alive pool per origin). */
export const makeAgent = (): Undici.Agent => new AgentClass()

let whole: Promise<typeof Undici> | undefined

/** The whole undici package, loaded on first use: for the generic `HttpClient` path only. */
export const loadUndici = (): Promise<typeof Undici> => {
  whole ??= import("undici")
  return whole
}
