import { NangoConnect } from "effect-nango"
import { NangoEmulator } from "effect-nango/testing"
import {
  configLayer,
  describe,
  Effect,
  expect,
  FetchHttpClient,
  it,
  Layer,
  malformedConfig,
  missingConfig,
  Redacted,
} from "#line"

const user = { end_user: { id: "user-42" } }

const withEnv = (env: Record<string, string>) => configLayer(env)

describe("layers", () => {
  it.effect("layer(options) provides a working client on FetchHttpClient.layer", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const live = NangoConnect.layer({ secretKey: Redacted.make(emulator.secretKey), baseUrl: emulator.url }).pipe(
        Layer.provide(FetchHttpClient.layer),
      )
      const session = yield* Effect.flatMap(NangoConnect.NangoConnect, (nango) =>
        nango.createConnectSession(user),
      ).pipe(Effect.provide(live))
      expect(emulator.sessions.has(Redacted.value(session.token))).toBe(true)
    }),
  )

  it.effect("layerConfig reads NANGO_SECRET_KEY and NANGO_HOST", () =>
    Effect.gen(function* () {
      const emulator = yield* NangoEmulator.make()
      const live = NangoConnect.layerConfig().pipe(
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(withEnv({ NANGO_SECRET_KEY: emulator.secretKey, NANGO_HOST: emulator.url })),
      )
      yield* Effect.flatMap(NangoConnect.NangoConnect, (nango) => nango.createConnectSession(user)).pipe(
        Effect.provide(live),
      )
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  it.effect("layerConfig builds without NANGO_HOST, defaulting to https://api.nango.dev", () =>
    Effect.gen(function* () {
      // Without the default the layer would fail with MissingData for NANGO_HOST; no request is sent.
      const live = NangoConnect.layerConfig().pipe(
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(withEnv({ NANGO_SECRET_KEY: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a" })),
      )
      const nango = yield* Effect.provide(NangoConnect.NangoConnect, live)
      const error = yield* Effect.flip(nango.getConnectSession("not a token"))
      expect(error._tag).toBe("InvalidInput")
      expect(NangoConnect.defaults.baseUrl).toBe("https://api.nango.dev")
    }),
  )

  it.effect("layerConfig fails with a ConfigError that never shows the key", () =>
    Effect.gen(function* () {
      const build = (env: Record<string, string>) =>
        Effect.flip(
          Effect.provide(
            NangoConnect.NangoConnect,
            NangoConnect.layerConfig().pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(withEnv(env))),
          ),
        )
      const missing = yield* build({})
      expect(missingConfig(missing)).toBe(true)
      expect(String(missing)).toContain("NANGO_SECRET_KEY")
      const secret = "bad key\r\nwith-a-newline"
      const malformed = yield* build({ NANGO_SECRET_KEY: secret })
      expect(malformedConfig(malformed)).toBe(true)
      expect(String(malformed)).toContain("NANGO_SECRET_KEY")
      expect(String(malformed) + JSON.stringify(malformed)).not.toContain("bad key")
      const badHost = yield* build({
        NANGO_SECRET_KEY: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
        NANGO_HOST: "nango.local",
      })
      expect(String(badHost)).toContain("NANGO_HOST")
    }),
  )
})
