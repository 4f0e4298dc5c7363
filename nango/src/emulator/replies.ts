/**
 * How the emulator answers: its replies before they are written, the live server's CORS headers,
 * its 401 texts and validation 400s, and the plain helpers that read a request.
 */
import { randomUUID } from "node:crypto"
import type * as Http from "node:http"
import type { Issue } from "../validation.js"
import type { Outcome } from "./types.js"

/** An answer before it is written: status, JSON body (or a raw one) and extra headers. */
export interface Reply {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Record<string, string>
  /** A body written as it is, with only the given headers (the proxy's pass-through of a provider's answer). */
  readonly raw?: string | Uint8Array
}

/** The CORS headers the live server sends on every answer. */
export const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "Authorization, Etag, Content-Type, Content-Length, X-Nango-Signature, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
}

/** The answer to a CORS preflight. */
export const preflight: Reply = {
  status: 204,
  headers: {
    "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE",
    "access-control-allow-headers":
      "Authorization, Content-Type, Accept, Origin, X-Requested-With, Nango-Activity-Log-Id, Nango-Is-Dry-Run, Nango-Is-Sync, Provider-Config-Key, Connection-Id, Sentry-Trace, Baggage",
    "access-control-max-age": "600",
  },
}

const authMessages = {
  missing_auth_header: "Authentication failed. The request is missing the Authorization header.",
  malformed_auth_header: "Authentication failed. The Authorization header is malformed.",
  invalid_secret_key_format: "Authentication failed. The provided secret key is not a UUID v4.",
  unknown_account: "Authentication failed. The provided authorization header does not match any account.",
  invalid_connect_session_token_format:
    "Authentication failed. The provided connect session token is not following correct format: nango_connect_session_RANDOM)",
  unknown_connect_session_token:
    "Authentication failed. The provided connect session token does not match any account.",
} as const

/** The codes of the live server's 401s. */
export type AuthCode = keyof typeof authMessages

/** A 401 with the live server's code and message. */
export const authFailure = (code: AuthCode): Reply => ({
  status: 401,
  body: { error: { message: authMessages[code], code, payload: {} } },
})

/** A 400 listing validation issues, as the server's zod errors. */
export const invalid = (
  code: "invalid_body" | "invalid_query_params" | "invalid_uri_params" | "invalid_headers",
  errors: ReadonlyArray<Issue>,
): Reply => ({
  status: 400,
  body: { error: { code, errors } },
})

/** A 400 for integration ids that do not exist, one issue per path. */
export const unknownIntegrations = (paths: ReadonlyArray<ReadonlyArray<string>>): Reply =>
  invalid(
    "invalid_body",
    paths.map((path) => ({ code: "custom", message: "Integration does not exist", path: [...path] })),
  )

/** The shape of a secret key (a UUID v4). */
export const secretKeyPattern = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/i

/** The shape of a connect session token. */
export const tokenPattern = /^nango_connect_session_[a-f0-9]{64}$/

/** A reply as the outcome the transport writes, its body serialized as JSON. */
export const toOutcome = (reply: Reply): Outcome => {
  const headers: Record<string, string> = { ...corsHeaders, ...reply.headers }
  if (reply.raw !== undefined) return { _tag: "Reply", status: reply.status, headers, body: reply.raw }
  if (reply.body === undefined) return { _tag: "Reply", status: reply.status, headers, body: "" }
  return {
    _tag: "Reply",
    status: reply.status,
    headers: { ...headers, "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(reply.body),
  }
}

/** A request body, parsed like express.json; a body that is not JSON keeps its parser's message. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string }

/** Parses a request body; an empty one is no body. */
export const parseJson = (raw: string): ParsedBody => {
  if (raw === "") return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(raw) }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

/** Whether a value is `{}`. */
export const isEmptyObject = (value: unknown) =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0

/** The issues of a body sent where none is expected (the GET and DELETE of a session). */
export const validateEmptyBody = (value: unknown): ReadonlyArray<Issue> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.keys(value).map((key) => ({ code: "unrecognized_keys", message: `Unrecognized key: "${key}"`, path: [] }))
    : [{ code: "invalid_type", message: `Invalid input: expected object, received ${typeof value}`, path: [] }]

/** Reads a request's whole body, as bytes. */
export const readBody = (request: Http.IncomingMessage): Promise<Uint8Array> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const joined = Buffer.concat(chunks)
      resolve(new Uint8Array(joined.buffer, joined.byteOffset, joined.length))
    })
    request.on("error", () => resolve(new Uint8Array()))
  })

/** The server's answer to an exception no handler caught: 500 `generic_error_support`, a fresh id as payload. */
export const unhandledError = (): Reply => {
  const id = randomUUID()
  return {
    status: 500,
    body: {
      error: {
        message: `An error occurred. Please contact support with this unique id: "${id}"`,
        code: "generic_error_support",
        payload: id,
      },
    },
  }
}
