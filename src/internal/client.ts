/**
 * What both services of this line (`NangoConnect`, `NangoConnections`) build the same way: the
 * transport and policies from the options, the bearer, how a response becomes a value or its
 * typed error, how a body is checked and encoded before anything is sent, and how the
 * environment's variables become options.
 */
import {
  type Codec,
  type ConfigError,
  configRedacted,
  configString,
  decodeUnknownCheck,
  encodeUnknownCheck,
  invalidConfig,
} from "#effect"
import * as Config from "#effect/Config"
import type * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import * as FetchHttpClient from "#effect/FetchHttpClient"
import * as HttpClient from "#effect/HttpClient"
import * as Option from "#effect/Option"
import * as Redacted from "#effect/Redacted"
import type { RefinedTag } from "../../nango/src/failure.js"
import { cutForSchema, prepareBody } from "../../nango/src/json-body.js"
import type { OptionDefaults } from "../../nango/src/options.js"
import type { Path } from "../../nango/src/rules.js"
import type { InvalidInput, ResponseDecodeError, TransportError } from "../NangoConnectError.js"
import * as Check from "./check.js"
import type * as Endpoint from "./endpoint.js"
import * as Errors from "./errors.js"
import { invalid, resolveOptions } from "./options.js"
import * as Transport from "./transport.js"

/** What every endpoint of one service is built from. */
export interface Client {
  readonly policies: Endpoint.Policies
  readonly maxBytes: number
  /** The secret key's `Authorization` value. */
  readonly secretBearer: string
}

/** A credential as the Authorization header carries it: the only place a credential is sent. */
export const bearer = (credential: string) => `Bearer ${credential}`

/**
 * Resolves the options and builds the transport on the `HttpClient` in context (its undici fast
 * path when it has one). Fails with `InvalidInput` for a bad key, base URL or option.
 */
export const makeClient = (
  options: unknown,
  defaults: OptionDefaults<Duration.Duration>,
): Effect.Effect<Client, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const { secretKey, baseUrl, retry, attemptTimeout, totalTimeout, maxBytes, propagateTraceContext } =
      yield* Check.toEffect(resolveOptions(options, defaults))
    const requestInit = Option.getOrElse(yield* Effect.serviceOption(FetchHttpClient.RequestInit), () => ({}))
    const transport = Transport.fromHttpClient(
      yield* HttpClient.HttpClient,
      { baseUrl, maxBytes, propagateTraceContext },
      requestInit,
    )
    return {
      policies: { transport, retry, attemptTimeout, totalTimeout },
      maxBytes,
      secretBearer: bearer(Redacted.value(secretKey)),
    }
  })

/** Whether a status is a success. */
const isSuccess = (status: number) => status >= 200 && status <= 299

/**
 * Reads a 2xx body as JSON, decodes it with `schema` and keeps what `pick` takes; any other status
 * becomes its typed error. The decodeUnknownCheck is built once per endpoint.
 */
export const readJson = <A, I, B, S extends Errors.DocumentedStatus, T extends RefinedTag = never, R = never>(
  schema: Codec<A, I>,
  pick: (body: A) => B,
  documented: ReadonlyArray<S>,
  maxBytes: number,
  refined?: Errors.Refined<T, R>,
) => {
  const decode = decodeUnknownCheck(schema)
  return (
    response: Transport.IncomingResponse,
    label: Transport.RequestLabel,
  ): Effect.Effect<B, Errors.ResponseFailure<S> | R | TransportError | ResponseDecodeError> => {
    if (!isSuccess(response.status)) return Errors.responseFailure(documented, response, label, refined)
    const body = Check.flatMap(
      response.body === undefined
        ? Check.fail([`(root): body larger than ${maxBytes} bytes`])
        : Errors.parseJsonBody(response.body),
      (json) => Check.mapError(decode(json), Errors.describeIssues),
    )
    return body.ok
      ? Effect.succeed(pick(body.value))
      : Effect.fail(Errors.decodeFailure(label, response.status, body.error))
  }
}

/** Takes any 2xx as success, whatever its body; any other status becomes its typed error. */
export const expectSuccess =
  <S extends Errors.DocumentedStatus, T extends RefinedTag = never, R = never>(
    documented: ReadonlyArray<S>,
    refined?: Errors.Refined<T, R>,
  ) =>
  (
    response: Transport.IncomingResponse,
    label: Transport.RequestLabel,
  ): Effect.Effect<void, Errors.ResponseFailure<S> | R> =>
    isSuccess(response.status) ? Effect.void : Errors.responseFailure(documented, response, label, refined)

/** The server's rules a body must meet beyond its schema, given the strings the walk found it cannot store. */
export type BodyRules = (encoded: unknown, unstorable: ReadonlyArray<Path>) => ReadonlyArray<string>

/**
 * Checks and encodes an input before anything is sent: keys whose value is `undefined` are left
 * out (as JSON does), a value JSON would change silently is refused, then the schema, then the
 * server's rules that it could only answer with a 500 (`nango/src/rules.ts`). A refusal is
 * `InvalidInput` for `input`.
 */
export const checkInput = <A, I>(
  schema: Codec<A, I>,
  rules: BodyRules,
  input: "body" | "query" | "options" = "body",
) => {
  const encode = encodeUnknownCheck(schema)
  return (value: A): Check.Check<I, InvalidInput> => {
    const prepared = prepareBody(value)
    if (prepared.issues.length > 0) return Check.fail(invalid(input, prepared.issues))
    // The schema check recurses: it sees the value cut at a safe depth, and the cut parts come back.
    const schemaView = cutForSchema(prepared)
    const encodedCut = encode(schemaView.cut)
    if (!encodedCut.ok) return Check.fail(invalid(input, Errors.describeIssues(encodedCut.error)))
    const encoded = schemaView.restore(encodedCut.value) as I
    const issues = rules(encoded, prepared.unstorable)
    return issues.length > 0 ? Check.fail(invalid(input, issues)) : Check.succeed(encoded)
  }
}

/** No rules beyond the schema. */
export const noRules: BodyRules = () => []

/** Sends an input once it is checked and encoded; a refused input sends nothing. */
export const withChecked =
  <A, I, B, E>(check: (value: A) => Check.Check<I, InvalidInput>, send: (encoded: I) => Effect.Effect<B, E>) =>
  (value: A): Effect.Effect<B, E | InvalidInput> =>
    Effect.suspend((): Effect.Effect<B, E | InvalidInput> => {
      const encoded = check(value)
      return encoded.ok ? send(encoded.value) : Effect.fail(encoded.error)
    })

/**
 * Builds a service from `NANGO_SECRET_KEY` (redacted) and `NANGO_HOST` (default `defaultBaseUrl`);
 * a value `make` refuses becomes a `ConfigError` naming its variable.
 */
export const fromEnvironment = <A, R>(
  defaultBaseUrl: string,
  make: (settings: {
    readonly secretKey: Redacted.Redacted<string>
    readonly baseUrl: string
  }) => Effect.Effect<A, InvalidInput, R>,
): Effect.Effect<A, ConfigError, R> =>
  Effect.gen(function* () {
    const secretKey = yield* configRedacted("NANGO_SECRET_KEY")
    const baseUrl = yield* configString("NANGO_HOST").pipe(Config.withDefault(defaultBaseUrl))
    return yield* make({ secretKey, baseUrl }).pipe(
      Effect.mapError((error) =>
        invalidConfig(error.input === "secretKey" ? "NANGO_SECRET_KEY" : "NANGO_HOST", error.message),
      ),
    )
  })
