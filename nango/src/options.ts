/**
 * The client's options as any JavaScript value may hold them: read once, field by field (a getter
 * or a proxy that throws is an issue, not a crash), with the checks that need no Effect module.
 * Each line decodes the durations and the secret key in its own idiom, with the messages here.
 */
import { checkBaseUrl } from "./base-url.js"

/** The options' fields, read once; durations and the secret key still as given. */
interface RawOptions {
  readonly secretKey: unknown
  readonly baseUrl: string | undefined
  readonly maxAttempts: number | undefined
  readonly baseDelay: unknown
  readonly maxDelay: unknown
  readonly maxRetryAfter: unknown
  readonly attempt: unknown
  readonly total: unknown
  readonly maxResponseBytes: number | undefined
  readonly propagateTraceContext: boolean
  readonly allowInsecureHttp: boolean
}

/** What the line checks: the durations by their paths. */
const durationFields = [
  ["retry.baseDelay", "baseDelay"],
  ["retry.maxDelay", "maxDelay"],
  ["retry.maxRetryAfter", "maxRetryAfter"],
  ["timeout.attempt", "attempt"],
  ["timeout.total", "total"],
] as const

/** How the client words an option it refuses; no message shows the value. */
const optionMessages = {
  object: "expected an object",
  duration: 'expected a duration that is not negative (a Duration, milliseconds, or a string such as "2 seconds")',
  maxAttempts: "expected an integer of at least 1",
  maxResponseBytes: "expected an integer of at least 0",
  boolean: "expected a boolean",
  baseUrl: "expected a string",
  secretKey: "expected a string or a Redacted string; the value is not shown",
  unreadable: "could not be read",
} as const

type Fields = Record<string, unknown>

/** Reads `object[key]`; an object that is not one, or a getter that throws, is recorded as an issue. */
const reader = (issues: Array<string>) => {
  const read = (object: unknown, key: string, path: string): unknown => {
    try {
      return (object as Fields)[key]
    } catch {
      issues.push(`${path}: ${optionMessages.unreadable}`)
      return undefined
    }
  }
  const group = (object: unknown, key: string): unknown => {
    const value = read(object, key, key)
    if (value === undefined) return {}
    if (typeof value === "object" && value !== null) return value
    issues.push(`${key}: ${optionMessages.object}`)
    return {}
  }
  return { read, group }
}

const isInteger = (value: unknown, min: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min

/** Reads the options; the issues name each refused field by its path. */
const readOptions = (options: unknown): { readonly raw: RawOptions; readonly issues: ReadonlyArray<string> } => {
  const issues: Array<string> = []
  const { read, group } = reader(issues)
  const given = typeof options === "object" && options !== null ? options : {}
  if (given !== options) issues.push(`(root): ${optionMessages.object}`)
  const retry = group(given, "retry")
  const timeout = group(given, "timeout")
  const optional = <A>(value: unknown, path: string, ok: (value: unknown) => value is A, message: string) => {
    if (value === undefined || ok(value)) return value as A | undefined
    issues.push(`${path}: ${message}`)
    return undefined
  }
  const flag = (key: string) =>
    optional(read(given, key, key), key, (value) => typeof value === "boolean", optionMessages.boolean) === true
  const raw: RawOptions = {
    secretKey: read(given, "secretKey", "secretKey"),
    baseUrl: optional(
      read(given, "baseUrl", "baseUrl"),
      "baseUrl",
      (value): value is string => typeof value === "string",
      optionMessages.baseUrl,
    ),
    maxAttempts: optional(
      read(retry, "maxAttempts", "retry.maxAttempts"),
      "retry.maxAttempts",
      (value) => isInteger(value, 1),
      optionMessages.maxAttempts,
    ),
    baseDelay: read(retry, "baseDelay", "retry.baseDelay"),
    maxDelay: read(retry, "maxDelay", "retry.maxDelay"),
    maxRetryAfter: read(retry, "maxRetryAfter", "retry.maxRetryAfter"),
    attempt: read(timeout, "attempt", "timeout.attempt"),
    total: read(timeout, "total", "timeout.total"),
    maxResponseBytes: optional(
      read(given, "maxResponseBytes", "maxResponseBytes"),
      "maxResponseBytes",
      (value) => isInteger(value, 0),
      optionMessages.maxResponseBytes,
    ),
    propagateTraceContext: flag("propagateTraceContext"),
    allowInsecureHttp: flag("allowInsecureHttp"),
  }
  return { raw, issues }
}

/** What a line decodes in its own idiom: a duration, and the secret key. */
export interface LineDecoders<D, K> {
  /** A duration that is given, not negative and not NaN; `undefined` when it is not one. */
  readonly duration: (input: unknown) => D | undefined
  /** The secret key when it is a string (or a line's redacted string) that can go in a header. */
  readonly secretKey: (input: unknown) => K | undefined
}

/** The options with every default filled in, in a line's own types. */
export interface ResolvedOptions<D, K> {
  readonly secretKey: K
  readonly baseUrl: string
  readonly retry: {
    readonly maxAttempts: number
    readonly baseDelay: D
    readonly maxDelay: D
    readonly maxRetryAfter: D
  }
  readonly attemptTimeout: D
  readonly totalTimeout: D
  readonly maxBytes: number
  readonly propagateTraceContext: boolean
}

/** The defaults the options fall back to, in a line's own duration type. */
export interface OptionDefaults<D> {
  readonly baseUrl: string
  readonly maxResponseBytes: number
  readonly retry: {
    readonly maxAttempts: number
    readonly baseDelay: D
    readonly maxDelay: D
    readonly maxRetryAfter: D
  }
  readonly timeout: { readonly attempt: D; readonly total: D }
}

/** Why options were refused: which input (the key, the base URL, or the rest) and the issues by path. */
export interface RefusedOptions {
  readonly input: "secretKey" | "baseUrl" | "options"
  readonly issues: ReadonlyArray<string>
}

/**
 * Resolves options: the secret key first, then the base URL, then the rest, each refused as its
 * own input. A line gives its decoders and turns the outcome into its own error.
 */
export const resolveOptionsWith = <D, K>(
  options: unknown,
  defaults: OptionDefaults<D>,
  decode: LineDecoders<D, K>,
): ResolvedOptions<D, K> | RefusedOptions => {
  const { raw, issues: read } = readOptions(options)
  const issues = [...read]
  const secretKey = decode.secretKey(raw.secretKey)
  if (secretKey === undefined) {
    return {
      input: "secretKey",
      issues: ["expected a non-empty key of visible ASCII characters; the value is not shown"],
    }
  }
  const checked = checkBaseUrl(raw.baseUrl ?? defaults.baseUrl, raw.allowInsecureHttp)
  if (checked.issue !== undefined) return { input: "baseUrl", issues: [checked.issue] }
  const given = { ...defaults.retry, attempt: defaults.timeout.attempt, total: defaults.timeout.total }
  const durations = { ...given }
  for (const [path, key] of durationFields) {
    const duration = raw[key] === undefined ? given[key] : decode.duration(raw[key])
    if (duration === undefined) issues.push(`${path}: ${optionMessages.duration}`)
    else durations[key] = duration
  }
  if (issues.length > 0) return { input: "options", issues }
  return {
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
  }
}
