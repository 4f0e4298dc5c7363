/**
 * The client's options resolved before anything is built: read once and safely (see
 * `nango/src/options.ts`), every default filled in, or `InvalidInput` naming what was refused.
 */
import { Duration, Either, Option, Redacted } from "effect"
import { checkBaseUrl } from "../../../nango/src/base-url.js"
import { headerSafe } from "../../../nango/src/failure.js"
import { durationFields, optionMessages, readOptions } from "../../../nango/src/options.js"
import { InvalidInput } from "../NangoConnectError.js"
import type { ResolvedRetry } from "./retry.js"

/** Builds an `InvalidInput` whose message lists its issues. */
export const invalid = (input: InvalidInput["input"], issues: ReadonlyArray<string>) =>
  new InvalidInput({ input, issues, message: `Invalid ${input}: ${issues.join("; ")}` })

/** The options with every default filled in. */
export interface Resolved {
  readonly secretKey: Redacted.Redacted<string>
  readonly baseUrl: string
  readonly retry: ResolvedRetry
  readonly attemptTimeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
  readonly maxBytes: number
  readonly propagateTraceContext: boolean
}

/** The defaults the options fall back to. */
export interface Defaults {
  readonly baseUrl: string
  readonly maxResponseBytes: number
  readonly retry: Omit<ResolvedRetry, "maxAttempts"> & { readonly maxAttempts: number }
  readonly timeout: { readonly attempt: Duration.Duration; readonly total: Duration.Duration }
}

/** A duration that is given, not negative and not NaN; `undefined` when it is not one. */
const durationOf = (input: unknown): Duration.Duration | undefined => {
  // Milliseconds: NaN and negative numbers are refused before the decoder turns them into a duration.
  if (typeof input === "number" && !(input >= 0)) return undefined
  const decoded = Option.getOrUndefined(Duration.decodeUnknown(input))
  return decoded === undefined || Duration.toMillis(decoded) < 0 || Number.isNaN(Duration.toMillis(decoded))
    ? undefined
    : decoded
}

/** The secret key as a `Redacted` string that can go in a header, or undefined. */
const secretKeyOf = (input: unknown): Redacted.Redacted<string> | undefined => {
  try {
    const value: unknown = Redacted.isRedacted(input) ? Redacted.value(input) : input
    return typeof value === "string" && headerSafe.test(value) ? Redacted.make(value) : undefined
  } catch {
    return undefined
  }
}

/** Resolves options: the secret key, then the base URL, then the rest, each refused by its input. */
export const resolveOptions = (options: unknown, defaults: Defaults): Either.Either<Resolved, InvalidInput> => {
  const { raw, issues: read } = readOptions(options)
  const issues = [...read]
  const secretKey = secretKeyOf(raw.secretKey)
  if (secretKey === undefined) {
    return Either.left(
      invalid("secretKey", ["expected a non-empty key of visible ASCII characters; the value is not shown"]),
    )
  }
  const checked = checkBaseUrl(raw.baseUrl ?? defaults.baseUrl, raw.allowInsecureHttp)
  if (checked.issue !== undefined) return Either.left(invalid("baseUrl", [checked.issue]))
  const given = { ...defaults.retry, attempt: defaults.timeout.attempt, total: defaults.timeout.total }
  const durations = {} as Record<(typeof durationFields)[number][1], Duration.Duration>
  for (const [path, key] of durationFields) {
    const duration = raw[key] === undefined ? given[key] : durationOf(raw[key])
    if (duration === undefined) issues.push(`${path}: ${optionMessages.duration}`)
    durations[key] = duration ?? given[key]
  }
  if (issues.length > 0) return Either.left(invalid("options", issues))
  return Either.right({
    secretKey,
    baseUrl: checked.baseUrl,
    retry: {
      maxAttempts: raw.maxAttempts ?? defaults.retry.maxAttempts,
      baseDelay: durations.baseDelay,
      maxDelay: durations.maxDelay,
      maxRetryAfter: durations.maxRetryAfter,
    },
    attemptTimeout: durations.attempt,
    totalTimeout: durations.total,
    maxBytes: raw.maxResponseBytes ?? defaults.maxResponseBytes,
    propagateTraceContext: raw.propagateTraceContext,
  })
}
