/**
 * `NangoProxy` against the emulator over real HTTP: the provider's answer comes back untouched,
 * Nango's own answers are typed errors, and requests the proxy would mangle are refused unsent.
 */
import { NangoProxy } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import { describe, Effect, expect, FetchHttpClient, HttpClient, it, Layer, Redacted } from "#line"

const setupProxy = (emulatorOptions: NangoEmulator.Options = {}) =>
  Effect.gen(function* () {
    const emulator = yield* NangoEmulator.make({ integrations: ["github"], ...emulatorOptions })
    const http = yield* Layer.build(FetchHttpClient.layer)
    const proxy = yield* NangoProxy.make({ secretKey: Redacted.make(emulator.secretKey), baseUrl: emulator.url }).pipe(
      Effect.provide(http),
    )
    return { emulator, proxy }
  })

describe("NangoProxy", () => {
  it.effect("sends a path and query as given, forwards headers, and returns the provider's answer", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* setupProxy()
      const stored = emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const github = yield* proxy.client({ connectionId: "c1", providerConfigKey: "github" })
      const response = yield* github.get("/user?q=a%20b", { headers: { accept: "application/json" } })
      expect(response.status).toBe(200)
      const received = (yield* response.json) as { url: string; headers: Record<string, string> }
      expect(received.url).toBe("/user?q=a%20b")
      expect(received.headers.accept).toBe("application/json")
      expect(received.headers.authorization).toBe(`Bearer ${String(stored.credentials.access_token)}`)
      expect(JSON.stringify(received)).not.toContain(emulator.secretKey)
    }),
  )

  it.effect("an unknown connection is UnknownConnection; an Authorization header is refused unsent", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* setupProxy()
      const github = yield* proxy.client({ connectionId: "nobody", providerConfigKey: "github" })
      const unknown = yield* Effect.flip(github.get("/user"))
      expect(unknown._tag).toBe("UnknownConnection")
      const before = emulator.requests.length
      const refused = yield* Effect.flip(github.get("/user", { headers: { authorization: "Bearer x" } }))
      expect(refused._tag).toBe("InvalidInput")
      expect(emulator.requests.length).toBe(before)
    }),
  )

  it.effect("a provider's 404 is a response, not an error", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* setupProxy({
        providers: {
          github: () => ({
            status: 404,
            headers: { "content-type": "application/json" },
            body: '{"message":"Not Found"}',
          }),
        },
      })
      emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      const http = yield* proxy.httpClient({ connectionId: "c1", providerConfigKey: "github" })
      const response = yield* HttpClient.get("/repos/x").pipe(Effect.provideService(HttpClient.HttpClient, http))
      expect(response.status).toBe(404)
      expect(yield* response.text).toBe('{"message":"Not Found"}')
    }),
  )
})
