/**
 * The undici transport on the Node this suite runs on (CI runs it on every supported Node), in a
 * fresh process each time, with and without a global `fetch` before its first call; and a failing
 * dispatcher gives a typed `TransportError`, never a defect. The fast path loads undici's `Agent`
 * alone, not undici's index (every undici feature), and that `Agent` is the class undici exports.
 */

import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { NangoConnect, NangoConnections } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import * as NangoHttpClient from "effect-nango/undici"
import * as undici from "undici"
import {
  configLayer,
  describe,
  Effect,
  expect,
  HttpClient,
  HttpClientRequest,
  it,
  Layer,
  line,
  lineRoot,
  Redacted,
} from "#line"
import { AgentClass, loadUndici } from "../nango/src/undici.js"

const program = fileURLToPath(new URL("programs/undici-after-fetch.ts", import.meta.url))
const run = (mode: "fresh" | "fetch-first") =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", program, mode], {
      cwd: fileURLToPath(lineRoot),
      encoding: "utf8",
      timeout: 30_000,
    }),
  ) as {
    readonly line: string
    readonly node: string
    readonly outcome: unknown
    readonly requests: number
    readonly undiciIndexLoaded: boolean
  }

/** An application-wide `HttpClient` that fails every request and counts them. */
const applicationClient = () => {
  let calls = 0
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make(() => {
      calls++
      return Effect.die(new Error("the application's HttpClient"))
    }),
  )
  return { layer, calls: () => calls }
}

describe(`undici transport on Node ${process.version}`, () => {
  it.each(["fresh", "fetch-first"] as const)(
    "works in a %s process",
    (mode) => {
      const result = run(mode)
      expect(result.node).toBe(process.version)
      // The fresh process ran this line's client on this line's Effect (its tsconfig maps #effect).
      expect(result.line).toBe(line)
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

  it.live("the layer's scope closes even when a response's body was never read", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make({
        providers: { github: () => ({ status: 200, body: "x".repeat(8 * 1024 * 1024) }) },
      })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const response = yield* Effect.scoped(
        Effect.gen(function* () {
          const http = yield* Layer.build(NangoHttpClient.layerUndici())
          // A large answer left unread: its socket is still busy when the scope ends.
          return yield* HttpClient.get(`${emulator.url}/proxy/big`, {
            headers: {
              authorization: `Bearer ${emulator.secretKey}`,
              "connection-id": "c1",
              "provider-config-key": "github",
            },
          }).pipe(Effect.provide(http))
        }),
      ).pipe(Effect.timeout("5 seconds"))
      expect(response.status).toBe(200)
    }),
  )

  it.effect("sends a web FormData as multipart, with its boundary", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const client = NangoHttpClient.make()
      const form = new FormData()
      form.append("a", "1")
      yield* client.execute(
        HttpClientRequest.post(`${emulator.url}/proxy/form`).pipe(
          HttpClientRequest.bodyFormData(form),
          HttpClientRequest.setHeaders({
            authorization: `Bearer ${emulator.secretKey}`,
            "connection-id": "c1",
            "provider-config-key": "github",
            "nango-proxy-content-type": "multipart/form-data",
          }),
        ),
      )
      const received = emulator.proxied[0]
      expect(received?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
      expect(received?.body).toContain('name="a"')
    }),
  )

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
      const application = applicationClient()
      const create = Effect.flatMap(NangoConnect.NangoConnect, (nango) =>
        nango.createConnectSession({ end_user: { id: "u" } }),
      )
      const options = { secretKey: emulator.secretKey, baseUrl: emulator.url }
      yield* create.pipe(Effect.provide(Layer.merge(NangoHttpClient.layerNangoConnect(options), application.layer)))
      expect(application.calls()).toBe(0)
      expect(emulator.requests).toHaveLength(1)
      // The plain layer takes the application's client, as an Effect user would expect.
      const onApplicationClient = yield* Effect.exit(
        create.pipe(Effect.provide(NangoConnect.layer(options).pipe(Layer.provide(application.layer)))),
      )
      expect(onApplicationClient._tag).toBe("Failure")
      expect(application.calls()).toBe(1)
    }),
  )

  it.effect("layerNango provides both services on its own transport, and layerNangoConfig from the environment", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const application = applicationClient()
      const both = Effect.gen(function* () {
        const nango = yield* NangoConnect.NangoConnect
        const connections = yield* NangoConnections.NangoConnections
        yield* nango.createConnectSession({ tags: { end_user_id: "u" } })
        return yield* connections.getConnection("c1", { providerConfigKey: "github" })
      })
      const options = { secretKey: emulator.secretKey, baseUrl: emulator.url }
      const read = yield* both.pipe(Effect.provide(Layer.merge(NangoHttpClient.layerNango(options), application.layer)))
      expect(read.connection_id).toBe("c1")
      const environment = configLayer({ NANGO_SECRET_KEY: emulator.secretKey, NANGO_HOST: emulator.url })
      yield* both.pipe(Effect.provide(NangoHttpClient.layerNangoConfig().pipe(Layer.provide(environment))))
      expect(application.calls()).toBe(0)
      expect(emulator.requests.map((request) => request.method)).toEqual(["POST", "GET", "POST", "GET"])
    }),
  )
})
