// The README's example, kept here so that the type check proves it compiles.
import { Console, Duration, Effect, Redacted } from "effect"
import { NangoConnect } from "effect-nango"
import * as NangoHttpClient from "effect-nango/undici"

const onboard = (userId: string) =>
  Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    // Tags identify the end user (Nango deprecates end_user and organization in their favour).
    const session = yield* nango.createConnectSession({ tags: { end_user_id: userId } })
    const details = yield* nango.getConnectSession(session.token)
    yield* Console.log(`session for ${userId}, integrations: ${details.allowed_integrations?.join(", ") ?? "all"}`)
    return Redacted.value(session.connect_link ?? session.token)
  }).pipe(
    Effect.catchTags({
      Unauthorized: (e) => Effect.fail(`check NANGO_SECRET_KEY (${e.code})`),
      BadRequest: (e) => Effect.fail(`Nango rejected the body: ${JSON.stringify(e.errors)}`),
      RateLimited: (e) =>
        Effect.fail(`rate limited, retry in ${e.retryAfter ? Duration.format(e.retryAfter) : "a while"}`),
    }),
  )

// Every service (NangoConnect and NangoConnections) from NANGO_SECRET_KEY (read as Redacted) and
// NANGO_HOST (default https://api.nango.dev), on the Node transport the layer brings; elsewhere:
// NangoConnect.layerConfig() and NangoConnections.layerConfig() with FetchHttpClient.layer
const NangoLive = NangoHttpClient.layerNangoConfig()

export const main = onboard("user-42").pipe(Effect.provide(NangoLive))
