/**
 * Privacy of errors: an error shows ids and codes, never a person's data. One error of every tag
 * of every client (sessions, connections, webhooks) is produced while a person's name, email and
 * tags are in play (in the request, the server's answer or the webhook), then rendered every way a
 * user might (message, `String`, JSON, `util.inspect`, `Cause.pretty`, each line's loggers), and
 * none of the person's values may appear. What a handler needs stays reachable, `Redacted`.
 */

import { NangoWebhook } from "effect-nango/webhooks"
import { Cause, captureLogs, describe, Effect, expect, Fiber, fork, it, Redacted, TestClock } from "#line"
import { sign } from "../../nango/src/webhook-signing.js"
import { connectErrorTags, renderings, setupConnections, waitUntil } from "../support.js"

/** A person, as an end user, tags and a webhook carry them: none of these values may be shown. */
const person = { id: "user-42", email: "ada.lovelace@example.com", display_name: "Ada Lovelace" }
const personal = [person.email, person.display_name, "analytical-engine", "Lovelace"]
const tags = { end_user_id: person.id, team: "analytical-engine" }

/** Produces one error of each tag of the two clients, with the person's data in play. */
const clientErrors = Effect.gen(function* () {
  const { emulator, connections, nango } = yield* setupConnections(
    {},
    { retry: { maxAttempts: 1 }, timeout: { attempt: "1 second" } },
  )
  const errors: Array<{ readonly _tag: string }> = []
  const fail = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>) =>
    Effect.flatMap(Effect.flip(effect), (error) => Effect.sync(() => errors.push(error)))
  const create = nango.createConnectSession({ end_user: person, tags })
  const inject = (status: number, code: string) =>
    emulator.injectFault({
      status,
      body: JSON.stringify({ error: { code, message: `refused for ${person.id}` } }),
      headers: { "content-type": "application/json" },
    })

  yield* fail(nango.createConnectSession({ end_user: person, tags, allowed_integrations: ["nope"] })) // BadRequest
  for (const [status, code] of [
    [401, "unknown_account"], // Unauthorized
    [403, "insufficient_scope"], // Forbidden
    [429, "too_many_request"], // RateLimited
    [500, "server_error"], // ServerError
    [415, "invalid_content_type"], // UnexpectedStatus
  ] as const) {
    inject(status, code)
    yield* fail(create)
  }
  inject(404, "not_found")
  yield* fail(nango.getConnectSession(`nango_connect_session_${"ab".repeat(32)}`)) // NotFound
  emulator.injectFault({ drop: true })
  yield* fail(create) // TransportError
  emulator.injectFault({ hang: true })
  const hanging = yield* fork(fail(create))
  yield* waitUntil(() => emulator.requests.length >= 9, "the hanging request")
  yield* TestClock.adjust("1 second")
  yield* Fiber.join(hanging) // TimeoutError
  // A body that is the person's connection, but not the expected shape: ResponseDecodeError.
  emulator.injectFault({ status: 200, body: JSON.stringify({ connection_id: 1, end_user: person, tags }) })
  yield* fail(connections.getConnection("c1", { providerConfigKey: "github" }))
  // The person's data in a refused input: InvalidInput.
  yield* fail(nango.createConnectSession({ end_user: { ...person, display_name: `${person.display_name}\u0000` } }))
  yield* fail(connections.listConnections({ search: `${person.email}\u0000` }))
  // The connection Nango sends with a failed refresh holds the person: InvalidCredentials.
  emulator.seedConnection({
    connection_id: "c1",
    provider_config_key: "github",
    tags,
    end_user: { ...person, tags: { team: "analytical-engine" }, organization: null },
  })
  emulator.setRefresh("c1", "github", "exhausted")
  yield* fail(connections.getConnection("c1", { providerConfigKey: "github" }))
  yield* fail(connections.getConnection("c1", { providerConfigKey: "jira" })) // UnknownIntegration
  const sent = emulator.requests.length
  const waiting = yield* fork(
    fail(connections.awaitConnection({ tags: { ...tags, plan: "none" } }, { timeout: "500 millis" })),
  )
  // The wait's deadline is set before its first poll reaches the server.
  yield* waitUntil(() => emulator.requests.length > sent, "the first poll")
  yield* TestClock.adjust("500 millis")
  yield* Fiber.join(waiting) // AwaitConnectionTimeout
  return { errors, emulator }
})

/** One error of each tag of `NangoWebhook`, on webhooks that carry the person. */
const webhookErrors = Effect.gen(function* () {
  const key = "webhook-signing-key"
  const body = JSON.stringify({ type: "auth", connectionId: 42, endUser: { endUserEmail: person.email }, tags })
  const { hmac } = yield* Effect.promise(() => sign(key, body))
  const keys = { signingKeys: Redacted.make(key) }
  return yield* Effect.all([
    Effect.flip(NangoWebhook.verify(body, {}, keys)), // MissingSignature
    Effect.flip(NangoWebhook.verify(body, { "x-nango-hmac-sha256": "0".repeat(64) }, keys)), // InvalidSignature
    Effect.flip(NangoWebhook.verify(body, { "x-nango-hmac-sha256": hmac }, keys)), // InvalidWebhookBody
    Effect.flip(NangoWebhook.verify(body, { "x-nango-hmac-sha256": [hmac, hmac] }, keys)), // InvalidInput
  ])
})

describe("privacy of errors", () => {
  it.effect("no error of any tag shows a person's name, email or tags, however it is rendered or logged", () =>
    Effect.gen(function* () {
      const { lines, layer } = captureLogs()
      const { errors } = yield* clientErrors
      const all = [...errors, ...(yield* webhookErrors)]
      expect(new Set(all.map((error) => error._tag))).toEqual(
        new Set([
          ...connectErrorTags,
          "InvalidCredentials",
          "UnknownIntegration",
          "AwaitConnectionTimeout",
          "MissingSignature",
          "InvalidSignature",
          "InvalidWebhookBody",
        ]),
      )
      for (const error of all) {
        yield* Effect.logError("call failed", error).pipe(Effect.provide(layer))
        yield* Effect.logError(Cause.fail(error)).pipe(Effect.provide(layer))
        for (const [how, text] of [...renderings(error), ...lines.map((line) => ["log", line] as const)]) {
          for (const value of personal) {
            expect(text.includes(value) ? `${error._tag}: ${how} shows ${value}` : "clean").toBe("clean")
          }
        }
      }
    }),
  )

  it.effect("what a handler needs stays reachable: the ids shown, the whole connection Redacted", () =>
    Effect.gen(function* () {
      const { errors } = yield* clientErrors
      const invalid = errors.find((error) => error._tag === "InvalidCredentials")
      if (invalid?._tag !== "InvalidCredentials") return expect.unreachable()
      const error = invalid as unknown as {
        readonly connectionId: string
        readonly providerConfigKey: string
        readonly connection: Redacted.Redacted<{ readonly end_user: { readonly email: string } | null }>
      }
      expect([error.connectionId, error.providerConfigKey]).toEqual(["c1", "github"])
      expect(JSON.stringify(invalid)).toContain('"connectionId":"c1"')
      expect(Redacted.value(error.connection).end_user?.email).toBe(person.email)
    }),
  )
})
