/**
 * Edges, on the transport the suite runs on (vitest runs this file on FetchHttpClient and again on
 * the undici transport): every documented status of every endpoint, the base URL's path prefix,
 * the response-body cap on both sides of its limit, the GET fields decoded at run time, and no
 * credential in a transport failure.
 */

import type { NangoConnectError } from "effect-nango"
import { describe, Effect, expect, it, Redacted } from "#line"
import { setup, transportName, unknownToken } from "./support.js"

const user = { end_user: { id: "user-42" } }
const seeded = { integrations: ["github"], connections: [{ connection_id: "conn-1", integration_id: "github" }] }
type Endpoint = "get" | "create" | "reconnect" | "delete"

/** The tag each status gives on each endpoint: the documented client errors, then the common rules. */
const documented: Record<Endpoint, Record<number, string>> = {
  get: { 400: "BadRequest", 401: "Unauthorized", 404: "NotFound" },
  create: { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden" },
  reconnect: { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden" },
  delete: { 400: "BadRequest", 401: "Unauthorized", 404: "NotFound" },
}
const tagOf = (endpoint: Endpoint, status: number) =>
  documented[endpoint][status] ?? (status === 429 ? "RateLimited" : status >= 500 ? "ServerError" : "UnexpectedStatus")

const cases = (["get", "create", "reconnect", "delete"] as const).flatMap((endpoint) =>
  [400, 401, 403, 404, 409, 415, 429, 500, 502, 503].map((status) => ({
    endpoint,
    status,
    tag: tagOf(endpoint, status),
  })),
)

describe(`every documented status of every endpoint (${transportName})`, () => {
  it.effect.each(cases)("$endpoint answered $status gives $tag", ({ endpoint, status, tag }) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded, { retry: { maxAttempts: 1 } })
      const session = yield* nango.createConnectSession(user)
      emulator.injectFault({
        status,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ error: { code: "some_code", message: "from the server" } }),
      })
      const call: Effect.Effect<unknown, NangoConnectError.NangoConnectError> =
        endpoint === "get"
          ? nango.getConnectSession(session.token)
          : endpoint === "delete"
            ? nango.deleteConnectSession(session.token)
            : endpoint === "create"
              ? nango.createConnectSession(user)
              : nango.createReconnectSession({ connection_id: "conn-1", integration_id: "github" })
      const error = yield* Effect.flip(call)
      expect(error).toMatchObject({ _tag: tag, status, code: "some_code", serverMessage: "from the server" })
    }),
  )
})

describe(`the base URL's path prefix (${transportName})`, () => {
  it.effect("is kept on every endpoint, with no trailing slash, one, or two", () =>
    Effect.gen(function* () {
      for (const suffix of ["", "/", "//"]) {
        const { emulator, nango } = yield* setup({ ...seeded, basePath: "/nango/api" }, {}, undefined, suffix)
        expect(emulator.url).toMatch(/\/nango\/api$/)
        const session = yield* nango.createConnectSession(user)
        yield* nango.createReconnectSession({ connection_id: "conn-1", integration_id: "github" })
        yield* nango.getConnectSession(session.token)
        yield* nango.deleteConnectSession(session.token)
        expect(emulator.requests.map((request) => request.path)).toEqual([
          "/connect/sessions",
          "/connect/sessions/reconnect",
          "/connect/session",
          "/connect/session",
        ])
      }
    }),
  )
})

describe(`the response-body cap, on both sides of it (${transportName})`, () => {
  // A valid GET body padded with spaces to an exact size.
  const bodyOf = (size: number) => {
    const json = JSON.stringify({ data: { endUser: { id: "user-42" } } })
    return json + " ".repeat(size - json.length)
  }
  const cap = 4096
  it.effect.each([
    { framing: "Content-Length", chunked: false },
    { framing: "chunked", chunked: true },
  ])("$framing: a body of exactly the cap is read, one byte more is refused unread", ({ chunked }) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { maxResponseBytes: cap, retry: { maxAttempts: 1 } })
      const session = yield* nango.createConnectSession(user)
      emulator.injectFault({ status: 200, body: bodyOf(cap), chunked, headers: { "content-type": "application/json" } })
      const atCap = yield* nango.getConnectSession(session.token)
      expect(atCap.endUser?.id).toBe("user-42")
      emulator.injectFault({
        status: 200,
        body: bodyOf(cap + 1),
        chunked,
        headers: { "content-type": "application/json" },
      })
      const over = yield* Effect.flip(nango.getConnectSession(session.token))
      expect(over).toMatchObject({ _tag: "ResponseDecodeError", issues: [`(root): body larger than ${cap} bytes`] })
    }),
  )

  it.effect("a cap of 0 is honoured as 0, not replaced by the default: any body is refused", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { maxResponseBytes: 0, retry: { maxAttempts: 1 } })
      const created = yield* Effect.flip(nango.createConnectSession(user))
      expect(created).toMatchObject({ _tag: "ResponseDecodeError", issues: ["(root): body larger than 0 bytes"] })
      // Even the smallest JSON body is over the cap.
      emulator.injectFault({ status: 200, body: "0", headers: { "content-type": "application/json" } })
      const over = yield* Effect.flip(nango.getConnectSession(unknownToken))
      expect(over).toMatchObject({ _tag: "ResponseDecodeError", issues: ["(root): body larger than 0 bytes"] })
    }),
  )
})

describe(`the GET body, decoded at run time (${transportName})`, () => {
  it.effect("keeps allowed_integrations, integrations_config_defaults, overrides and isReconnecting", () =>
    Effect.gen(function* () {
      const { nango } = yield* setup(seeded)
      const session = yield* nango.createConnectSession({
        ...user,
        allowed_integrations: ["github"],
        integrations_config_defaults: { github: { user_scopes: "repo", authorization_params: { prompt: "consent" } } },
        overrides: { github: { docs_connect: "" } },
      })
      const details = yield* nango.getConnectSession(session.token)
      expect(details.allowed_integrations).toEqual(["github"])
      // The server does not send user_scopes back.
      expect(details.integrations_config_defaults).toEqual({ github: { authorization_params: { prompt: "consent" } } })
      expect(details.overrides).toEqual({ github: { docs_connect: "" } })
      expect(details.isReconnecting).toBeUndefined()
      const reconnect = yield* nango.createReconnectSession({ connection_id: "conn-1", integration_id: "github" })
      expect((yield* nango.getConnectSession(reconnect.token)).isReconnecting).toBe(true)
    }),
  )
})

describe(`no credential in a transport failure (${transportName})`, () => {
  it.effect.each([
    { fault: "a dropped connection", options: { drop: true } },
    {
      fault: "a body cut off by a reset",
      options: { status: 200, body: '{"data":{"endUser"', cut: { afterBytes: 5, and: "reset" as const } },
    },
  ])("$fault, on GET (token) and POST (secret key)", ({ options }) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup({}, { retry: { maxAttempts: 1 } })
      const session = yield* nango.createConnectSession(user)
      const token = Redacted.value(session.token)
      emulator.injectFault({ ...options, times: 2 })
      const errors = [
        yield* Effect.flip(nango.getConnectSession(session.token)),
        yield* Effect.flip(nango.createConnectSession(user)),
      ]
      for (const error of errors) {
        expect(error._tag).toBe("TransportError")
        const rendered = [String(error), error.message, JSON.stringify(error), String(error.stack)].join("\n")
        expect(rendered).not.toContain(token)
        expect(rendered).not.toContain(emulator.secretKey)
        expect(rendered).not.toMatch(/bearer/i)
      }
    }),
  )
})

describe(`2xx is success, whatever the exact status (${transportName})`, () => {
  it.effect.each([
    { status: 200, body: "{}" },
    { status: 200, body: "" },
    { status: 299, body: "" },
  ])("DELETE answered $status with body '$body' deletes", ({ status, body }) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded)
      const session = yield* nango.createConnectSession(user)
      emulator.injectFault({ status, body, method: "DELETE", headers: { "content-type": "application/json" } })
      yield* nango.deleteConnectSession(session.token)
      expect(emulator.requestsTo("DELETE", "/connect/session")).toHaveLength(1)
    }),
  )

  it.effect("DELETE answered 300 is UnexpectedStatus", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded)
      const session = yield* nango.createConnectSession(user)
      emulator.injectFault({ status: 300, method: "DELETE" })
      const error = yield* Effect.flip(nango.deleteConnectSession(session.token))
      expect(error).toMatchObject({ _tag: "UnexpectedStatus", status: 300 })
    }),
  )
})

describe(`a body in arbitrary chunkings (${transportName})`, () => {
  // Two-, three- and four-byte characters, so that every chunk size splits some character.
  const name = "Zoë Ærø — 日本語 🎉🇫🇷"
  it.effect.each([1, 2, 3, 5, 7])("decodes multi-byte characters split across %i-byte chunks", (chunkBytes) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup(seeded)
      const session = yield* nango.createConnectSession({ end_user: { id: "u", display_name: name } })
      emulator.injectFault({ method: "GET", chunkBytes })
      const details = yield* nango.getConnectSession(session.token)
      expect(details.endUser?.display_name).toBe(name)
    }),
  )
})
