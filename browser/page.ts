/**
 * The browser check's page: what a custom Connect UI does, on FetchHttpClient.layer. It reads the
 * emulator's URL and (test-only) secret key from the query, creates a session, reads it back with
 * its token, shows the typed error for an unknown token, deletes it, and writes what happened to
 * <pre id="result"> as JSON.
 */
import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { NangoConnect } from "../src/index.js"

const params = new URLSearchParams(location.search)
const NangoLive = NangoConnect.layer({
  baseUrl: params.get("nango") ?? "",
  secretKey: Redacted.make(params.get("key") ?? ""),
}).pipe(Layer.provide(FetchHttpClient.layer))

const program = Effect.gen(function* () {
  const nango = yield* NangoConnect.NangoConnect
  const session = yield* nango.createConnectSession({ end_user: { id: "browser-user" } })
  const details = yield* nango.getConnectSession(session.token)
  const unknownToken = yield* Effect.match(nango.getConnectSession(`nango_connect_session_${"0".repeat(64)}`), {
    onFailure: (error) => ({ tag: error._tag, code: "code" in error ? error.code : undefined }),
    onSuccess: () => "found",
  })
  yield* nango.deleteConnectSession(session.token)
  const afterDelete = yield* Effect.match(nango.getConnectSession(session.token), {
    onFailure: (error) => error._tag,
    onSuccess: () => "found",
  })
  return { endUser: details.endUser?.id, unknownToken, afterDelete }
})

const show = (value: unknown) => {
  const pre = document.createElement("pre")
  pre.id = "result"
  pre.textContent = JSON.stringify(value)
  document.body.append(pre)
}

program.pipe(
  Effect.provide(NangoLive),
  Effect.match({ onSuccess: show, onFailure: (error) => show({ failed: error._tag, message: error.message }) }),
  Effect.runPromise,
)
