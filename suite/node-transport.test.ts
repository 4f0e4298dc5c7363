/**
 * The undici transport on the Node this suite runs on (CI runs it on every supported Node), in a
 * fresh process each time, with and without a global `fetch` before its first call; and a failing
 * dispatcher gives a typed `TransportError`, never a defect. The fast path loads undici's `Agent`
 * alone, not undici's index (every undici feature), and that `Agent` is the class undici exports.
 */

import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { NangoConnect } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import * as NangoHttpClient from "effect-nango/undici"
import * as undici from "undici"
import { describe, Effect, expect, HttpClient, it, Layer, lineRoot, Redacted } from "#line"
import { AgentClass, loadUndici } from "../nango/src/undici.js"

const program = fileURLToPath(new URL("test/programs/undici-after-fetch.ts", lineRoot))
const run = (mode: "fresh" | "fetch-first") =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", program, mode], { encoding: "utf8", timeout: 30_000 }),
  ) as {
    readonly node: string
    readonly outcome: unknown
    readonly requests: number
    readonly undiciIndexLoaded: boolean
  }

describe(`undici transport on Node ${process.version}`, () => {
  it.each(["fresh", "fetch-first"] as const)(
    "works in a %s process",
    (mode) => {
      const result = run(mode)
      expect(result.node).toBe(process.version)
      expect(result.outcome).toBe("after-fetch")
      expect(result.requests).toBe(mode === "fetch-first" ? 3 : 2)
      expect(result.undiciIndexLoaded).toBe(false)
    },
    30_000,
  )

  it("the Agent loaded alone is undici's own class, and the generic path's undici is the same package", async () => {
    expect(AgentClass).toBe(undici.Agent)
    expect((await loadUndici()).Agent).toBe(undici.Agent)
  })

  it.effect("a dispatcher that throws gives a TransportError, not a defect", () =>
    Effect.gen(function* () {
      class Broken extends undici.Dispatcher {
        override dispatch(): boolean {
          throw new undici.errors.InvalidArgumentError("invalid onRequestStart method")
        }
      }
      const nango = yield* NangoConnect.make({
        secretKey: Redacted.make("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"),
        baseUrl: "http://127.0.0.1:9",
      }).pipe(Effect.provide(NangoHttpClient.layerUndici({ dispatcher: new Broken() })))
      const error = yield* Effect.flip(nango.createConnectSession({ end_user: { id: "u" } }))
      expect(error).toMatchObject({ _tag: "TransportError", connectionFailed: false, method: "POST" })
      expect(error.message).toContain("UND_ERR_INVALID_ARG")
    }),
  )

  it.effect("layerNangoConnect keeps its own transport when the application provides another HttpClient", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      let applicationCalls = 0
      const applicationClient = Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make(() => {
          applicationCalls++
          return Effect.die(new Error("the application's HttpClient"))
        }),
      )
      const create = Effect.flatMap(NangoConnect.NangoConnect, (nango) =>
        nango.createConnectSession({ end_user: { id: "u" } }),
      )
      const options = { secretKey: emulator.secretKey, baseUrl: emulator.url }
      yield* create.pipe(Effect.provide(Layer.merge(NangoHttpClient.layerNangoConnect(options), applicationClient)))
      expect(applicationCalls).toBe(0)
      expect(emulator.requests).toHaveLength(1)
      // The plain layer takes the application's client, as an Effect user would expect.
      const onApplicationClient = yield* Effect.exit(
        create.pipe(Effect.provide(NangoConnect.layer(options).pipe(Layer.provide(applicationClient)))),
      )
      expect(onApplicationClient._tag).toBe("Failure")
      expect(applicationCalls).toBe(1)
    }),
  )
})
