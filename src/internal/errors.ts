/**
 * Maps what the transport and the server answered into the package's typed errors. Nothing here
 * reads or copies a request header, so no credential can reach an error.
 */
import { decodeUnknownCheck, issuesOf, parseJson, type SchemaError } from "#effect"
import * as Clock from "#effect/Clock"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import type * as Failure from "../../nango/src/failure.js"
import { describeResponseFailure, failureTag, issueLine } from "../../nango/src/failure.js"
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
import { ErrorEnvelope, type ValidationIssue } from "../NangoConnectSchema.js"
import { UnknownConnection } from "../NangoProxyError.js"
import * as Check from "./check.js"
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

/** A client-error status an endpoint can document. */
export type DocumentedStatus = keyof typeof statusErrors & Failure.DocumentedStatus

/** The error class of a documented status. */
export type StatusError<S extends DocumentedStatus> = InstanceType<(typeof statusErrors)[S]>

/** What a non-2xx response can turn into when an endpoint documents `S`. */
export type ResponseFailure<S extends DocumentedStatus> = StatusError<S> | RateLimited | ServerError | UnexpectedStatus

/** The fields every error of a response carries, its message included. */
export interface ResponseFields {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly code?: string
  readonly serverMessage?: string
  readonly errors?: ReadonlyArray<ValidationIssue>
  readonly message: string
}

/**
 * The responses an endpoint reads by status and code together (`nango/src/failure.ts`), and how
 * it builds their errors from the fields and Nango's `error.payload`.
 */
export interface Refined<T extends Failure.RefinedTag, R> {
  readonly refinements: ReadonlyArray<Failure.Refinement<T>>
  readonly make: (tag: T, fields: ResponseFields, envelope: EnvelopeDetails) => R
}

/** What Nango's error envelope carries beyond its code and message: its `payload`, and `upstream` for an action. */
export interface EnvelopeDetails {
  readonly payload: unknown
  readonly upstream: unknown
}

/**
 * A refined failure whose typed error the call builds, since only the call knows what it names
 * (the connection, the action): the tag, the response's fields and the envelope's details.
 */
export class Unnamed<T extends Failure.RefinedTag = Failure.RefinedTag> {
  readonly _tag = "Unnamed"
  constructor(
    readonly tag: T,
    readonly fields: ResponseFields,
    readonly envelope: EnvelopeDetails,
  ) {}
}

/** Refinements whose failures come back `Unnamed`, for the call to name. */
export const unnamed = <T extends Failure.RefinedTag>(
  refinements: ReadonlyArray<Failure.Refinement<T>>,
): Refined<T, Unnamed<T>> => ({
  refinements,
  make: (tag, fields, envelope) => new Unnamed(tag, fields, envelope),
})

/** The `UnknownConnection` of an unnamed failure, naming the connection the call was for. */
export const unknownConnection = (
  failure: Unnamed,
  connection: { readonly connectionId?: string | undefined; readonly providerConfigKey: string } | undefined,
): UnknownConnection =>
  new UnknownConnection({
    ...failure.fields,
    connectionId: connection?.connectionId ?? "",
    providerConfigKey: connection?.providerConfigKey ?? "",
  })

const decodeEnvelope = decodeUnknownCheck(parseJson(ErrorEnvelope))

/** Nango's error envelope in a body, when the body is one. */
export const envelopeOf = (body: string) => Check.getOrUndefined(decodeEnvelope(body))?.error

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
 * Which tag and which message: `nango/src/failure.ts`.
 */
export const responseFailure = <S extends DocumentedStatus, T extends Failure.RefinedTag = never, R = never>(
  documented: ReadonlyArray<S>,
  response: IncomingResponse,
  request: RequestLabel,
  refined?: Refined<T, R>,
): Effect.Effect<never, ResponseFailure<S> | R> =>
  Effect.gen(function* () {
    const envelope = envelopeOf(response.body ?? "")
    const status = response.status
    const tag = failureTag(status, documented, envelope?.code, refined?.refinements)
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
    const message = (retryAfter?: Duration.Duration) =>
      describeResponseFailure(tag, status, envelope, request, retryAfter && Duration.format(retryAfter))
    switch (tag) {
      case "RateLimited": {
        const retryAfter = parseRetryAfter(response, yield* Clock.currentTimeMillis)
        return yield* new RateLimited({
          ...fields,
          ...(retryAfter === undefined ? {} : { retryAfter }),
          message: message(retryAfter),
        })
      }
      case "ServerError":
        return yield* new ServerError({ ...fields, message: message() })
      case "UnexpectedStatus":
        return yield* new UnexpectedStatus({ ...fields, message: message() })
      default: {
        if (typeof tag !== "number") {
          return yield* Effect.fail(
            (refined as Refined<T, R>).make(
              tag,
              { ...fields, message: message() },
              { payload: envelope?.payload, upstream: envelope?.upstream },
            ),
          )
        }
        const ErrorClass = statusErrors[tag]
        return yield* Effect.fail(new ErrorClass({ ...fields, message: message() }) as StatusError<S>)
      }
    }
  })

// -----------------------------------------------------------------------------
// Decode errors
// -----------------------------------------------------------------------------

/**
 * Describes where a body failed its schema: each issue's path and what was expected, with the
 * actual values cut out, since a body may hold a token or a client secret.
 */
export const describeIssues = (error: SchemaError): ReadonlyArray<string> => [
  ...new Set(issuesOf(error).map((issue) => issueLine(issue.path, issue.message))),
]

/** Parses a body as JSON; a failure is reported without the body's text. */
export const parseJsonBody = (text: string): Check.Check<unknown, ReadonlyArray<string>> =>
  Check.attempt(
    () => JSON.parse(text) as unknown,
    () => ["(root): not JSON"],
  )

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
