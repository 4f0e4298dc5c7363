/**
 * The Effect 4 line's adapter, imported by the shared sources (`src/`) as `#effect`: what Effect 3
 * and Effect 4 call differently, as one name with the same meaning on both lines
 * (`effect3/line/effect.ts` is the other side). Effect's modules themselves come one by one as
 * `#effect/Effect`, `#effect/Schema`, … (`line/effect/`), so that bundlers still tree-shake them.
 * Nothing else of the client knows its major.
 */
import type * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Check } from "../src/internal/check.js"

/** Which major this adapter serves. */
export const line = "effect4" as const

// -----------------------------------------------------------------------------
// Types
// -----------------------------------------------------------------------------

/** What a duration option accepts (`Duration.Input`). */
export type DurationInput = Duration.Input
/** The error of a `Config` that could not be read. */
export type ConfigError = Config.ConfigError
/** A schema that decodes an `I` into an `A`. */
export type Codec<A, I = A> = Schema.Codec<A, I>
/** Why a value did not decode or encode. */
export type SchemaError = Schema.SchemaError
/** A failure while reading a server request's body. */
export type ServerRequestError = HttpServerError.HttpServerError
/** A failure while reading a client response's body. */
export type ResponseError = HttpClientError.HttpClientError
/** A subscription to a `PubSub`. */
export type Subscription<A> = PubSub.Subscription<A>
/** A schedule that `Effect.retry` drives with failures of type `E`. */
export type RetrySchedule<E> = Schedule.Schedule<Duration.Duration, E>

// -----------------------------------------------------------------------------
// Services and layers
// -----------------------------------------------------------------------------

/** A service's tag class: `class X extends ServiceTag<X, Shape>()("id") {}`. */
export const ServiceTag =
  <Self, Shape>() =>
  <const Id extends string>(id: Id): Context.ServiceClass<Self, Id, Shape> =>
    Context.Service<Self, Shape>()(id)

/** A layer built by a scoped effect (its finalizers run when the layer is released). */
export const scopedLayer: <I, S, E, R>(
  tag: Context.Key<I, S>,
  effect: Effect.Effect<S, E, R>,
) => Layer.Layer<I, E, Exclude<R, Scope.Scope>> = Layer.effect

/** A layer built by a scoped effect that returns a layer. */
export const unwrapLayer: <A, E1, R1, E, R>(
  self: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>,
) => Layer.Layer<A, E | E1, R1 | Exclude<R, Scope.Scope>> = Layer.unwrap

/** The environment's string variable `name`. */
export const configString = Config.String
/** The environment's secret variable `name`, redacted. */
export const configRedacted = Config.Redacted

/** A `ConfigError` for variable `name`, whose value `message` refuses. */
export const invalidConfig = (name: string, message: string): ConfigError =>
  new Config.ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer([name], new SchemaIssue.InvalidValue({ message }))),
  )

// -----------------------------------------------------------------------------
// Effects
// -----------------------------------------------------------------------------

/** An effect resumed by a callback, which returns its cleanup (`Effect.callback`). */
export const callback: <A, E>(
  register: (resume: (effect: Effect.Effect<A, E>) => void) => Effect.Effect<void>,
) => Effect.Effect<A, E> = (register) => Effect.callback((resume) => register(resume))

/** Recovers from any failure (`Effect.catch`). */
export const catchAll: <A, E, R, A2, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (error: E) => Effect.Effect<A2, E2, R2>,
) => Effect.Effect<A | A2, E2, R | R2> = Effect.catch

/** Fails with `onTimeout()` when `self` takes longer than `duration`. */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  options: { readonly duration: DurationInput; readonly onTimeout: () => E2 },
): Effect.Effect<A, E | E2, R> =>
  Effect.timeoutOrElse(self, { duration: options.duration, orElse: () => Effect.fail(options.onTimeout()) })

/** The current `Clock` service. */
export const currentClock: Effect.Effect<Clock.Clock> = Effect.clockWith(Effect.succeed)

/** A clock's time in milliseconds, read synchronously. */
export const clockMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

/** What every client span is opened with, besides its kind and attributes. */
export const spanDefaults = {} as const

/** A function that runs an effect needing `R` as a promise, with the calling fiber's services. */
export const promiseRunner = <R>(): Effect.Effect<<A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>, never, R> =>
  Effect.map(Effect.context<R>(), (context) => Effect.runPromiseWith(context))

// -----------------------------------------------------------------------------
// Durations, schedules, streams, subscriptions
// -----------------------------------------------------------------------------

/** Decodes any duration input, or undefined when it is not one. */
export const durationOf = (input: unknown): Duration.Duration | undefined =>
  Option.getOrUndefined(Duration.fromInput(input as Duration.Input))

/**
 * A retry schedule from `base`: at most `maxRetries` retries, while `retryOn` holds for the
 * failure, each delay changed by `delay` given the failure.
 */
export const retryWhile = <E>(
  base: Schedule.Schedule<Duration.Duration>,
  options: {
    readonly maxRetries: number
    readonly retryOn: (error: E) => boolean
    readonly delay: (error: E, delay: Duration.Duration) => Duration.Duration
  },
): RetrySchedule<E> =>
  (base as Schedule.Schedule<Duration.Duration, E>).pipe(
    Schedule.while(({ attempt, input }) => attempt <= options.maxRetries && options.retryOn(input)),
    Schedule.modifyDelay(({ duration, input }) =>
      Effect.succeed(options.delay(input, Duration.fromInputUnsafe(duration))),
    ),
  )

/** The same schedule, each delay replaced by what `delay` makes of it. */
export const modifyDelay = <E>(
  schedule: RetrySchedule<E>,
  delay: (delay: Duration.Duration) => Effect.Effect<Duration.Duration>,
): RetrySchedule<E> => schedule.pipe(Schedule.modifyDelay(({ duration }) => delay(Duration.fromInputUnsafe(duration))))

/** A stream of pages: `page` gives one page's items and the state of the next page, if any. */
export const paginate = <S, A, E, R>(
  initial: S,
  page: (state: S) => Effect.Effect<readonly [ReadonlyArray<A>, Option.Option<S>], E, R>,
): Stream.Stream<A, E, R> => Stream.paginate(initial, page)

/** Takes the next message of a subscription. */
export const take = <A>(subscription: Subscription<A>): Effect.Effect<A> => PubSub.take(subscription)

// -----------------------------------------------------------------------------
// HTTP client
// -----------------------------------------------------------------------------

/** The `HttpClientError` of a request that failed on the way (`reason: Transport`). */
export const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })

/** What an `HttpClientError` failed with when the request never got a response; undefined otherwise. */
export const transportCauseOf = (error: HttpClientError.HttpClientError): { readonly cause: unknown } | undefined =>
  error.reason._tag === "TransportError" ? { cause: error.reason.cause } : undefined

/** The same failure, told of `request` (the caller's) instead of the request that was sent. */
export const withRequest = (
  error: HttpClientError.HttpClientError,
  request: HttpClientRequest.HttpClientRequest,
): HttpClientError.HttpClientError => {
  const { reason } = error
  const fields = {
    request,
    cause: reason.cause,
    ...(reason.description === undefined ? {} : { description: reason.description }),
  }
  switch (reason._tag) {
    case "TransportError":
      return new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError(fields) })
    case "EncodeError":
      return new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError(fields) })
    case "InvalidUrlError":
      return new HttpClientError.HttpClientError({ reason: new HttpClientError.InvalidUrlError(fields) })
    default:
      return error
  }
}

/**
 * The platform's error for a failure the client found itself, as its `cause`: of the response when
 * there is one (`StatusCode`), else of the request (`Transport`).
 */
export const causedError = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse | undefined,
  cause: unknown,
  description: string,
): HttpClientError.HttpClientError =>
  new HttpClientError.HttpClientError({
    reason:
      response === undefined
        ? new HttpClientError.TransportError({ request, cause, description })
        : new HttpClientError.StatusCodeError({ request, response, cause, description }),
  })

/** The web `Response` a response was made from, when it has one (`HttpClientResponse.toWeb`). */
export const webResponseOf = (response: HttpClientResponse.HttpClientResponse): globalThis.Response | undefined =>
  Option.getOrUndefined(HttpClientResponse.toWeb(response))

/** Whether a response error says only that the body was empty. */
export const isEmptyBody = (error: ResponseError): boolean => error.reason._tag === "EmptyBodyError"

/** The client with its HTTP span and trace headers, or with neither. */
export const withTracing = (client: HttpClient.HttpClient, propagate: boolean): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, (effect) =>
    propagate
      ? Effect.provideService(effect, HttpClient.TracerPropagationEnabled, true)
      : Effect.provideService(effect, HttpClient.TracerDisabledWhen, () => true),
  )

/** `FetchHttpClient`'s `RequestInit` for the effects of this client. */
export const withRequestInit = (client: HttpClient.HttpClient, init: globalThis.RequestInit): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, (effect) => Effect.provideService(effect, FetchHttpClient.RequestInit, init))

// -----------------------------------------------------------------------------
// Schema
// -----------------------------------------------------------------------------

/** A union of literals. */
export const Literals = <const L extends ReadonlyArray<SchemaAST.LiteralValue>>(literals: L) =>
  Schema.Literals(literals)

/** A union of schemas. */
export const Union = <const Members extends ReadonlyArray<Schema.Top>>(members: Members) => Schema.Union(members)

/** A record of keys to values. */
export const Record = <K extends Schema.Record.Key, V extends Schema.Top>(key: K, value: V) => Schema.Record(key, value)

/** A struct whose other keys are `rest`. */
export const StructWithRest = <
  const Fields extends Schema.Struct.Fields,
  const R extends Schema.StructWithRest.Records[number],
>(
  fields: Fields,
  rest: R,
) => Schema.StructWithRest(Schema.Struct(fields), [rest])

/** A value kept `Redacted` once decoded. */
export const RedactedFromValue = <S extends Schema.Top>(value: S) => Schema.RedactedFromValue(value)

/** A `Date` decoded from its ISO string. */
export const DateFromString = Schema.DateFromString

/** A struct field decoded by `schema` when present; absent, `undefined` or `null`, it decodes to `fallback()`. */
export const orDefault = <S extends Schema.Top>(schema: S, fallback: () => S["Type"]) =>
  Schema.optional(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(Schema.toType(schema), {
      decode: SchemaGetter.transformOptional((value: Option.Option<S["Type"] | null | undefined>) =>
        Option.some(
          Option.getOrElse(
            Option.filter(value, (present) => present != null),
            fallback,
          ) as S["Type"],
        ),
      ),
      encode: SchemaGetter.passthrough({ strict: false }),
    }),
  )

/** A `Duration` value as it is. */
export const DurationValue = Schema.Duration

/** A check for `pipe`: the schema with `check` added. */
const checking =
  <T>(check: SchemaAST.Check<T>) =>
  <S extends Schema.Top & { readonly Type: T }>(self: S): S["Rebuild"] =>
    self.check(check as SchemaAST.Check<S["Type"]>)

/** Matches `pattern`; otherwise fails with `message`. */
export const pattern = (regex: RegExp, message: string) => checking<string>(Schema.isPattern(regex, { message }))
/** At least `n` characters. */
export const minLength = (n: number) => checking<{ readonly length: number }>(Schema.isMinLength(n))
/** At most `n` characters. */
export const maxLength = (n: number) => checking<{ readonly length: number }>(Schema.isMaxLength(n))
/** At least `n` items. */
export const minItems = (n: number) => checking<{ readonly length: number }>(Schema.isMinLength(n))
/** At most `n` items. */
export const maxItems = (n: number) => checking<{ readonly length: number }>(Schema.isMaxLength(n))
/** At least `n` keys. */
export const minProperties = (n: number, message: string) => checking<object>(Schema.isMinProperties(n, { message }))
/** A number from `minimum` to `maximum`. */
export const between = (minimum: number, maximum: number) => checking<number>(Schema.isBetween({ minimum, maximum }))
/** A number of at least `minimum`. */
export const atLeast = (minimum: number) => checking<number>(Schema.isGreaterThanOrEqualTo(minimum))

/** Holds when `predicate` returns true; a string it returns is the issue (else `message`). */
export const refine = <T>(predicate: (value: T) => boolean | string, message?: string) =>
  checking<T>(Schema.makeFilter(predicate, message === undefined ? undefined : { message }))

/** Effect 3's fast-check needs sampling hints for some checks; Effect 4 samples from the checks. */
export const withSamples = <S>(
  schema: S,
  // biome-ignore lint/suspicious/noExplicitAny: the hint is Effect 3's fast-check; this line ignores it.
  _samples: (fc: any) => unknown,
): S => schema

/** Decodes `from` into `to` with two total functions. */
export const transformSchema = <To extends Schema.Top, From extends Schema.Top>(
  from: From,
  to: To,
  transformation: {
    readonly decode: (input: From["Type"]) => To["Encoded"]
    readonly encode: (input: To["Encoded"]) => From["Type"]
  },
) => from.pipe(Schema.decodeTo(to, SchemaTransformation.transform(transformation)))

/** A schema that reads JSON text and decodes it with `schema`. */
export const parseJson = <S extends Schema.Top>(schema: S) => Schema.fromJsonString(schema)

const fromResult = <A, E>(result: Result.Result<A, E>): Check<A, E> =>
  Result.isSuccess(result) ? { ok: true, value: result.success } : { ok: false, error: result.failure }

/** A synchronous decodeUnknownCheck: its value, or the `SchemaError`. */
export const decodeUnknownCheck = <A, I>(schema: Codec<A, I>) => {
  const decode = Schema.decodeUnknownResult(schema)
  return (input: unknown): Check<A, SchemaError> => fromResult(decode(input))
}

/** A synchronous encoder reporting every issue and refusing excess properties: its value, or the `SchemaError`. */
export const encodeUnknownCheck = <A, I>(schema: Codec<A, I>) => {
  const encode = Schema.encodeUnknownResult(schema, { errors: "all", onExcessProperty: "error" })
  return (input: unknown): Check<I, SchemaError> => fromResult(encode(input))
}

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

/** Each issue of a `SchemaError`: where, and what was expected. */
export const issuesOf = (
  error: SchemaError,
): ReadonlyArray<{ readonly path: ReadonlyArray<unknown> | undefined; readonly message: string }> =>
  formatIssues(error.issue).issues.map(({ path, message }) => ({ path, message }))
