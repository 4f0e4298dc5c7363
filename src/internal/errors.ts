/**
 * Maps what the transport and the server answered into the package's typed errors. Nothing here
 * reads or copies a request header, so no credential can reach an error.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { announcedWaitMillis } from "../../nango/src/rules.js"
import {
  BadRequest,
  Forbidden,
  NotFound,
  RateLimited,
  ResponseDecodeError,
  ServerError,
  Unauthorized,
  UnexpectedStatus,
} from "../NangoConnectError.js"
import { ErrorEnvelope } from "../NangoConnectSchema.js"
import type { IncomingResponse, RequestLabel } from "./transport.js"

// -----------------------------------------------------------------------------
// Status errors
// -----------------------------------------------------------------------------

const statusErrors = {
  400: BadRequest,
  401: Unauthorized,
  403: Forbidden,
  404: NotFound,
} as const

/** The tag of each documented status's error, for its message. */
const statusNames = { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound" } as const

/** A client-error status an endpoint can document. */
export type DocumentedStatus = keyof typeof statusErrors

/** The error class of a documented status. */
export type StatusError<S extends DocumentedStatus> = InstanceType<(typeof statusErrors)[S]>

/** What a non-2xx response can turn into when an endpoint documents `S`. */
export type ResponseFailure<S extends DocumentedStatus> = StatusError<S> | RateLimited | ServerError | UnexpectedStatus

const decodeEnvelope = Schema.decodeUnknownResult(Schema.fromJsonString(ErrorEnvelope))

/**
 * The wait a 429 announces: `Retry-After` (delay-seconds or an HTTP date), else
 * `X-RateLimit-Reset`, measured against the effect's clock. Undefined when neither is readable.
 */
export const parseRetryAfter = (response: IncomingResponse, nowMillis: number): Duration.Duration | undefined => {
  const millis = announcedWaitMillis(response.header("retry-after"), response.header("x-ratelimit-reset"), nowMillis)
  return millis === undefined ? undefined : Duration.millis(millis)
}

/**
 * Turns a non-2xx response into its typed error. The body is read as text and decoded as the
 * error envelope when it is one; a body that is not (an HTML page from a proxy) leaves `code` unset.
 */
export const responseFailure = <S extends DocumentedStatus>(
  documented: ReadonlyArray<S>,
  response: IncomingResponse,
  request: RequestLabel,
): Effect.Effect<never, ResponseFailure<S>> =>
  Effect.gen(function* () {
    const text = response.body ?? ""
    const envelope = Result.getOrUndefined(decodeEnvelope(text))?.error
    const status = response.status
    const where = `${request.method} ${request.path}`
    const label = envelope === undefined ? `${status}` : `${status} ${envelope.code}`
    const fields = {
      method: request.method,
      path: request.path,
      status,
      ...(envelope === undefined
        ? {}
        : {
            code: envelope.code,
            ...(envelope.message === undefined ? {} : { serverMessage: envelope.message }),
            ...(envelope.errors === undefined ? {} : { errors: envelope.errors }),
          }),
    }
    const describe = (what: string) =>
      `${what} (${label}) on ${where}${envelope?.message === undefined ? "" : `: ${envelope.message}`}`

    if (status === 429) {
      const retryAfter = parseRetryAfter(response, yield* Clock.currentTimeMillis)
      return yield* new RateLimited({
        ...fields,
        ...(retryAfter === undefined ? {} : { retryAfter }),
        message: describe(
          retryAfter === undefined
            ? "Nango rate limit reached"
            : `Nango rate limit reached, retry after ${Duration.format(retryAfter)}`,
        ),
      })
    }
    if (status >= 500 && status <= 599) {
      return yield* new ServerError({ ...fields, message: describe("Nango server error") })
    }
    if ((documented as ReadonlyArray<number>).includes(status)) {
      const ErrorClass = statusErrors[status as S]
      return yield* Effect.fail(
        new ErrorClass({
          ...fields,
          message: describe(`Nango answered ${statusNames[status as S]}`),
        }) as StatusError<S>,
      )
    }
    return yield* new UnexpectedStatus({ ...fields, message: describe("Unexpected status from Nango") })
  })

// -----------------------------------------------------------------------------
// Decode errors
// -----------------------------------------------------------------------------

/** Renders issues with their messages, never the values that failed: those may be credentials. */
const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => {
    switch (issue._tag) {
      case "MissingKey":
        return "Missing key"
      case "UnexpectedKey":
        return "Expected no excess property"
      default:
        return SchemaIssue.defaultLeafHook(issue)
    }
  },
})

/**
 * Describes where a body failed its schema: each issue's path and what was expected, with the
 * actual values cut out, since a body may hold a token or a client secret.
 */
export const describeIssues = (error: Schema.SchemaError): ReadonlyArray<string> => [
  ...new Set(
    formatIssues(error.issue).issues.map(
      (issue) =>
        `${issue.path === undefined || issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")}: ${issue.message.replace(/,? (got|actual) [\s\S]*$/, "").replace(/ \| undefined$/, "")}`,
    ),
  ),
]

/** Parses a body as JSON; a failure is reported without the body's text. */
export const parseJsonBody = (text: string): Result.Result<unknown, ReadonlyArray<string>> =>
  Result.try({ try: () => JSON.parse(text) as unknown, catch: () => ["(root): not JSON"] })

/** Builds the error for a 2xx whose body is not JSON or not the expected shape. */
export const decodeFailure = (
  request: RequestLabel,
  status: number,
  issues: ReadonlyArray<string>,
): ResponseDecodeError =>
  new ResponseDecodeError({
    method: request.method,
    path: request.path,
    status,
    issues,
    message: `Nango's ${status} response to ${request.method} ${request.path} does not match its schema: ${issues.join("; ")}`,
  })
