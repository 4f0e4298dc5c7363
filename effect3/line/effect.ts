/**
 * The Effect 3 line's adapter, imported by the shared sources (`../src/`) as `#effect`: what
 * Effect 3 and Effect 4 call differently, as one name with the same meaning on both lines
 * (`../line/effect.ts` is the other side). Effect's modules themselves come one by one as
 * `#effect/Effect`, `#effect/Schema`, … (`line/effect/`). Nothing else of the client knows its major.
 */
import {
  FetchHttpClient,
  HttpClient,
  HttpClientError,
  type HttpClientRequest,
  type HttpClientResponse,
  type HttpServerError,
} from "@effect/platform"
import {
  Chunk,
  type Clock,
  Config,
  ConfigError as ConfigErrors,
  Context,
  Duration,
  Effect,
  Either,
  type FastCheck,
  Layer,
  Option,
  ParseResult,
  type Queue,
  Runtime,
  Schedule,
  Schema,
  type Scope,
  Stream,
} from "effect"
import type * as SchemaAST from "effect/SchemaAST"
import type { Check } from "../../src/internal/check.js"

/** Which major this adapter serves. */
export const line = "effect3" as const

// -----------------------------------------------------------------------------
// Types
// -----------------------------------------------------------------------------

/** What a duration option accepts (`Duration.DurationInput`). */
export type DurationInput = Duration.DurationInput
/** The error of a `Config` that could not be read. */
export type ConfigError = ConfigErrors.ConfigError
/** A schema that decodes an `I` into an `A`. */
export type Codec<A, I = A> = Schema.Schema<A, I>
/** Why a value did not decode or encode. */
export type SchemaError = ParseResult.ParseError
/** A failure while reading a server request's body. */
export type ServerRequestError = HttpServerError.RequestError
/** A failure while reading a client response's body. */
export type ResponseError = HttpClientError.ResponseError
/** A subscription to a `PubSub`. */
export type Subscription<A> = Queue.Dequeue<A>
/** A schedule that `Effect.retry` drives with failures of type `E`. */
export type RetrySchedule<E> = Schedule.Schedule<unknown, E>

// -----------------------------------------------------------------------------
// Services and layers
// -----------------------------------------------------------------------------

/** A service's tag class: `class X extends ServiceTag<X, Shape>()("id") {}`. */
export const ServiceTag =
  <Self, Shape>() =>
  <const Id extends string>(id: Id): Context.TagClass<Self, Id, Shape> =>
    Context.Tag(id)<Self, Shape>()

/** A layer built by a scoped effect (its finalizers run when the layer is released). */
export const scopedLayer: <I, S, E, R>(
  tag: Context.Tag<I, S>,
  effect: Effect.Effect<S, E, R>,
) => Layer.Layer<I, E, Exclude<R, Scope.Scope>> = Layer.scoped

/** A layer built by a scoped effect that returns a layer. */
export const unwrapLayer: <A, E1, R1, E, R>(
  self: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>,
) => Layer.Layer<A, E | E1, R1 | Exclude<R, Scope.Scope>> = Layer.unwrapScoped

/** The environment's string variable `name`. */
export const configString = Config.string
/** The environment's secret variable `name`, redacted. */
export const configRedacted = Config.redacted

/** A `ConfigError` for variable `name`, whose value `message` refuses. */
export const invalidConfig = (name: string, message: string): ConfigError => ConfigErrors.InvalidData([name], message)

// -----------------------------------------------------------------------------
// Effects
// -----------------------------------------------------------------------------

/** An effect resumed by a callback, which returns its cleanup (`Effect.async`). */
export const callback: <A, E>(
  register: (resume: (effect: Effect.Effect<A, E>) => void) => Effect.Effect<void>,
) => Effect.Effect<A, E> = (register) => Effect.async((resume) => register(resume))

/** Recovers from any failure (`Effect.catchAll`). */
export const catchAll: <A, E, R, A2, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (error: E) => Effect.Effect<A2, E2, R2>,
) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAll

/** Fails with `onTimeout()` when `self` takes longer than `duration`. */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  options: { readonly duration: DurationInput; readonly onTimeout: () => E2 },
): Effect.Effect<A, E | E2, R> => Effect.timeoutFail(self, options)

/** The current `Clock` service. */
export const currentClock: Effect.Effect<Clock.Clock> = Effect.clock

/** A clock's time in milliseconds, read synchronously. */
export const clockMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

/** What every client span is opened with, besides its kind and attributes: no stack trace to capture. */
export const spanDefaults = { captureStackTrace: false } as const

/** A function that runs an effect needing `R` as a promise, with the calling fiber's services. */
export const promiseRunner = <R>(): Effect.Effect<<A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>, never, R> =>
  Effect.map(Effect.runtime<R>(), (runtime) => Runtime.runPromise(runtime))

// -----------------------------------------------------------------------------
// Durations, schedules, streams, subscriptions
// -----------------------------------------------------------------------------

/** Decodes any duration input, or undefined when it is not one. */
export const durationOf = (input: unknown): Duration.Duration | undefined =>
  Option.getOrUndefined(Duration.decodeUnknown(input))

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
  base.pipe(
    Schedule.intersect(Schedule.recurs(options.maxRetries)),
    Schedule.intersect(Schedule.identity<E>()),
    Schedule.whileInput(options.retryOn),
    Schedule.modifyDelay(([, error], delay) => options.delay(error, delay)),
  )

/** The same schedule, each delay replaced by what `delay` makes of it. */
export const modifyDelay = <E>(
  schedule: RetrySchedule<E>,
  delay: (delay: Duration.Duration) => Effect.Effect<Duration.Duration>,
): RetrySchedule<E> => schedule.pipe(Schedule.modifyDelayEffect((_, duration) => delay(duration)))

/** A stream of pages: `page` gives one page's items and the state of the next page, if any. */
export const paginate = <S, A, E, R>(
  initial: S,
  page: (state: S) => Effect.Effect<readonly [ReadonlyArray<A>, Option.Option<S>], E, R>,
): Stream.Stream<A, E, R> =>
  Stream.paginateChunkEffect(initial, (state) =>
    Effect.map(page(state), ([items, next]) => [Chunk.fromIterable(items), next] as const),
  )

/** Takes the next message of a subscription. */
export const take = <A>(subscription: Subscription<A>): Effect.Effect<A> => subscription.take

// -----------------------------------------------------------------------------
// HTTP client
// -----------------------------------------------------------------------------

/** The `HttpClientError` of a request that failed on the way (`reason: Transport`). */
export const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause })

/** What an `HttpClientError` failed with when the request never got a response; undefined otherwise. */
export const transportCauseOf = (error: HttpClientError.HttpClientError): { readonly cause: unknown } | undefined =>
  error._tag === "RequestError" && error.reason === "Transport" ? { cause: error.cause } : undefined

/** The same failure, told of `request` (the caller's) instead of the request that was sent. */
export const withRequest = (
  error: HttpClientError.HttpClientError,
  request: HttpClientRequest.HttpClientRequest,
): HttpClientError.HttpClientError =>
  error._tag === "RequestError"
    ? new HttpClientError.RequestError({
        request,
        reason: error.reason,
        cause: error.cause,
        ...(error.description === undefined ? {} : { description: error.description }),
      })
    : error

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
  response === undefined
    ? new HttpClientError.RequestError({ request, reason: "Transport", cause, description })
    : new HttpClientError.ResponseError({ request, response, reason: "StatusCode", cause, description })

/** The web `Response` a response was made from, when it has one (`HttpClientResponse.fromWeb` keeps it as `source`). */
export const webResponseOf = (response: HttpClientResponse.HttpClientResponse): globalThis.Response | undefined => {
  const source: unknown = (response as { readonly source?: unknown }).source
  return typeof Response !== "undefined" && source instanceof Response ? source : undefined
}

/** Whether a response error says only that the body was empty. */
export const isEmptyBody = (error: ResponseError): boolean => error.reason === "EmptyBody"

/** The client with its HTTP span and trace headers, or with neither. */
export const withTracing = (client: HttpClient.HttpClient, propagate: boolean): HttpClient.HttpClient =>
  propagate ? HttpClient.withTracerPropagation(client, true) : HttpClient.withTracerDisabledWhen(client, () => true)

/** `FetchHttpClient`'s `RequestInit` for the effects of this client. */
export const withRequestInit = (client: HttpClient.HttpClient, init: globalThis.RequestInit): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, Effect.provideService(FetchHttpClient.RequestInit, init))

// -----------------------------------------------------------------------------
// Schema
// -----------------------------------------------------------------------------

/** A union of literals. */
export const Literals = <const L extends ReadonlyArray<SchemaAST.LiteralValue>>(literals: L) =>
  Schema.Literal(...literals)

/** A union of schemas. */
export const Union = <const Members extends ReadonlyArray<Schema.Schema.All>>(members: Members) =>
  Schema.Union(...members)

/** A record of keys to values. */
export const Record = <K extends Schema.Schema.All, V extends Schema.Schema.All>(key: K, value: V) =>
  Schema.Record({ key, value })

/** A struct whose other keys are `rest`. */
export const StructWithRest = <const Fields extends Schema.Struct.Fields, const R extends Schema.IndexSignature.Record>(
  fields: Fields,
  rest: R,
) => Schema.Struct(fields, rest)

/** A value kept `Redacted` once decoded. */
export const RedactedFromValue = <S extends Schema.Schema.Any>(value: S) => Schema.Redacted(value)

/** A `Date` decoded from its ISO string. */
export const DateFromString = Schema.Date

/** How `orDefault` makes a field optional: `null` and a missing key decode to the fallback. */
export interface DefaultOptions<A> {
  /** `null` decodes to the fallback, as a missing key does. */
  readonly nullable: true
  /** The value the field decodes to when Nango leaves it out or sends `null`. */
  readonly default: () => A
}

/** A struct field decoded by `schema` when present; absent, `undefined` or `null`, it decodes to `fallback()`. */
export const orDefault = <S extends Schema.Schema.Any>(
  schema: S,
  fallback: () => Schema.Schema.Type<S>,
): Schema.optionalWith<S, DefaultOptions<Schema.Schema.Type<S>>> =>
  Schema.optionalWith(schema, { nullable: true, default: fallback })

/** A `Duration` value as it is. */
export const DurationValue = Schema.DurationFromSelf

/** A check for `pipe`: the schema refined by `filter`, for any schema of a `T`. */
type Refinement<T> = <S extends Schema.Schema.Any & { readonly Type: T }>(self: S) => Schema.filter<S>
const checking = <T>(filter: unknown): Refinement<T> => filter as Refinement<T>

/** Matches `pattern`; otherwise fails with `message`. */
export const pattern = (regex: RegExp, message: string) =>
  checking<string>(Schema.pattern(regex, { message: () => message }))
/** At least `n` characters. */
export const minLength = (n: number) => checking<string>(Schema.minLength(n))
/** At most `n` characters. */
export const maxLength = (n: number) => checking<string>(Schema.maxLength(n))
/** At least `n` items. */
export const minItems = (n: number) => checking<ReadonlyArray<unknown>>(Schema.minItems(n))
/** At most `n` items. */
export const maxItems = (n: number) => checking<ReadonlyArray<unknown>>(Schema.maxItems(n))
/** At least `n` keys. */
export const minProperties = (n: number, message: string) =>
  refine((value: object) => Object.keys(value).length >= n || message)
/** A number from `minimum` to `maximum`. */
export const between = (minimum: number, maximum: number) => checking<number>(Schema.between(minimum, maximum))
/** A number of at least `minimum`. */
export const atLeast = (minimum: number) => checking<number>(Schema.greaterThanOrEqualTo(minimum))

/** Holds when `predicate` returns true; a string it returns is the issue (else `message`). */
export const refine = <T>(predicate: (value: T) => boolean | string, message?: string) =>
  checking<T>(
    Schema.filter(
      predicate as (value: unknown) => boolean | string,
      message === undefined ? undefined : { message: () => message },
    ),
  )

/** Effect 3's fast-check needs sampling hints for some checks: `samples` builds the values. */
export const withSamples = <S extends Schema.Annotable.All>(
  schema: S,
  samples: (fc: typeof FastCheck) => FastCheck.Arbitrary<unknown>,
): S =>
  (schema as unknown as { readonly annotations: (annotations: object) => S }).annotations({ arbitrary: () => samples })

/** Decodes `from` into `to` with two total functions. */
export const transformSchema = <To extends Schema.Schema.Any, From extends Schema.Schema.Any>(
  from: From,
  to: To,
  transformation: {
    readonly decode: (input: Schema.Schema.Type<From>) => Schema.Schema.Encoded<To>
    readonly encode: (input: Schema.Schema.Encoded<To>) => Schema.Schema.Type<From>
  },
) => Schema.transform(from, to, { strict: true, ...transformation })

/** A schema that reads JSON text and decodes it with `schema`. */
export const parseJson = <S extends Schema.Schema.Any>(schema: S) => Schema.parseJson(schema)

const fromEither = <A, E>(either: Either.Either<A, E>): Check<A, E> =>
  Either.isRight(either) ? { ok: true, value: either.right } : { ok: false, error: either.left }

/** A synchronous decodeUnknownCheck: its value, or the `SchemaError`. */
export const decodeUnknownCheck = <A, I>(schema: Codec<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (input: unknown): Check<A, SchemaError> => fromEither(decode(input))
}

/** A synchronous encoder reporting every issue and refusing excess properties: its value, or the `SchemaError`. */
export const encodeUnknownCheck = <A, I>(schema: Codec<A, I>) => {
  const encode = Schema.encodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  return (input: unknown): Check<I, SchemaError> => fromEither(encode(input))
}

/** Each issue of a `SchemaError`: where, and what was expected ("Expected undefined" alternatives left out). */
export const issuesOf = (
  error: SchemaError,
): ReadonlyArray<{ readonly path: ReadonlyArray<unknown> | undefined; readonly message: string }> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).filter((issue) => !issue.message.startsWith("Expected undefined"))
