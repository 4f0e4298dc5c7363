import { NangoConnectSchema } from "effect-nango"
import { decodeOutcome, describe, encodeStrictOutcome, expect, it, type Outcome, Redacted } from "#line"
import { fixture } from "./support.js"

const decode = decodeOutcome
const encodeStrict = encodeStrictOutcome

/** The value of a successful outcome; a failed one fails the test with its issue. */
const getOrThrow = <A, E>(outcome: Outcome<A, E>): A => {
  if (outcome._tag === "Failure") throw new Error(String(outcome.failure))
  return outcome.success
}

/** A successful outcome of `value`. */
const success = <A>(value: A) => ({ _tag: "Success", success: value })

describe("ConnectSession", () => {
  it("decodes the 201 of create and reconnect, keeping the token redacted and the expiry a Date", () => {
    for (const name of ["create-session-201.json", "reconnect-session-201.json"]) {
      const body = fixture(name) as { data: { token: string; expires_at: string } }
      const session = getOrThrow(decode(NangoConnectSchema.ConnectSessionResponse, body)).data
      expect(Redacted.value(session.token)).toBe(body.data.token)
      expect(String(session.token)).not.toContain("nango_connect_session_")
      expect(session.expires_at.toISOString()).toBe(body.data.expires_at)
    }
  })

  it("rejects a body whose expiry is not a date", () => {
    const body = { data: { token: "t", expires_at: "tomorrow" } }
    expect(decode(NangoConnectSchema.ConnectSessionResponse, body)._tag).toBe("Failure")
  })
})

describe("ConnectSessionDetails", () => {
  it.each([
    "get-session-200-self-hosted.json",
    "get-session-200-cloud-tags-only.json",
    "get-session-200-cloud-reconnect.json",
  ])("decodes the live server's %s", (name) => {
    const body = fixture(name) as { data: Record<string, unknown> }
    const details = getOrThrow(decode(NangoConnectSchema.ConnectSessionDetailsResponse, body)).data
    expect(details.endUser ?? null).toEqual(body.data.endUser)
    expect(details.allowed_integrations).toEqual(body.data.allowed_integrations)
    expect(details.websocketsPath).toEqual(body.data.websocketsPath)
    expect(details.isReconnecting).toEqual(body.data.isReconnecting)
  })

  it("decodes the spec's shape (the ConnectSession fields)", () => {
    const token = `nango_connect_session_${"1".repeat(64)}`
    const body = {
      data: {
        token,
        connect_link: `https://connect.nango.dev/?session_token=${token}`,
        expires_at: "2026-08-21T10:30:00.412Z",
      },
    }
    const details = getOrThrow(decode(NangoConnectSchema.ConnectSessionDetailsResponse, body)).data
    expect(details.token && Redacted.value(details.token)).toBe(token)
    expect(details.expires_at?.toISOString()).toBe("2026-08-21T10:30:00.412Z")
    expect(details.endUser).toBeUndefined()
  })

  it("tolerates fields the server adds later", () => {
    const body = fixture("get-session-200-self-hosted.json") as { data: Record<string, unknown> }
    const extended = { data: { ...body.data, somethingNew: { nested: true } } }
    expect(decode(NangoConnectSchema.ConnectSessionDetailsResponse, extended)._tag).toBe("Success")
  })

  it("rejects a field of the wrong type", () => {
    const body = { data: { endUser: null, isReconnecting: "yes" } }
    expect(decode(NangoConnectSchema.ConnectSessionDetailsResponse, body)._tag).toBe("Failure")
  })
})

describe("ErrorEnvelope", () => {
  it.each([
    "error-400-delete-session-failed.json",
    "error-400-invalid-body-integration-not-found.json",
    "error-400-invalid-body-missing-end-user.json",
    "error-400-invalid-json.json",
    "error-401-unknown-connect-session-token.json",
    "error-403-insufficient-scope.json",
    "error-404-end-user-not-found.json",
    "error-415-invalid-content-type.json",
    "error-429-too-many-request.json",
    "error-500-generic-error-support.json",
  ])("decodes %s, extra fields and all", (name) => {
    const body = fixture(name) as { error: { code: string; message?: string } }
    const envelope = getOrThrow(decode(NangoConnectSchema.ErrorEnvelope, body))
    expect(envelope.error.code).toBe(body.error.code)
    expect(envelope.error.message).toBe(body.error.message)
  })
})

describe("request bodies", () => {
  it.each(["request-create-session.json", "request-create-session-tags-only.json"])(
    "the create schema accepts %s",
    (name) => {
      expect(encodeStrict(NangoConnectSchema.CreateConnectSessionInput, fixture(name))).toEqual(success(fixture(name)))
    },
  )

  it("the reconnect schema accepts the reconnect fixture", () => {
    const body = fixture("request-reconnect-session.json")
    expect(encodeStrict(NangoConnectSchema.CreateReconnectSessionInput, body)).toEqual(success(body))
  })

  const validUser = { id: "user-42" }
  it.each([
    ["no end_user and no tags", {}],
    ["an unknown top-level key", { end_user: validUser, foo: 1 }],
    ["an unknown end_user key", { end_user: { ...validUser, phone: "1" } }],
    ["an empty end_user id", { end_user: { id: "" } }],
    ["an end_user id over 255", { end_user: { id: "x".repeat(256) } }],
    ["an email that is not one", { end_user: { ...validUser, email: "not-an-email" } }],
    ["11 tags", { tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) }],
    ["a tag key starting with a digit", { tags: { "1abc": "v" } }],
    ["a tag key over 64", { tags: { [`k${"x".repeat(64)}`]: "v" } }],
    ["an empty top-level tag value", { tags: { plan: "" } }],
    ["tag keys equal after lowercasing", { tags: { Plan: "a", plan: "b" } }],
    ["an end_user_email tag that is not an email", { tags: { end_user_email: "nope" } }],
    ["an integration id with a slash", { end_user: validUser, allowed_integrations: ["git/hub"] }],
    ["a webhook URL on nango.dev", { end_user: validUser, webhook_url_override: "https://api.nango.dev/hook" }],
    ["a webhook URL that is not a URL", { end_user: validUser, webhook_url_override: "hook" }],
    ["an unknown key in a config default", { end_user: validUser, integrations_config_defaults: { github: { x: 1 } } }],
    [
      "a non-string authorization param",
      { end_user: validUser, integrations_config_defaults: { github: { authorization_params: { a: 1 } } } },
    ],
  ])("the create schema rejects %s", (_, body) => {
    expect(encodeStrict(NangoConnectSchema.CreateConnectSessionInput, body)._tag).toBe("Failure")
  })

  it("the create schema allows empty end_user tag values and an empty organization id, as the server does", () => {
    const body = { end_user: { id: "u", tags: { plan: "" } }, organization: { id: "" } }
    expect(encodeStrict(NangoConnectSchema.CreateConnectSessionInput, body)._tag).toBe("Success")
  })

  it.each([
    ["no ids", {}],
    [
      "allowed_integrations, which reconnect does not take",
      { connection_id: "c", integration_id: "github", allowed_integrations: ["github"] },
    ],
    ["a connection id with a newline", { connection_id: "a\nb", integration_id: "github" }],
  ])("the reconnect schema rejects %s", (_, body) => {
    expect(encodeStrict(NangoConnectSchema.CreateReconnectSessionInput, body)._tag).toBe("Failure")
  })
})
