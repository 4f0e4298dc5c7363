/**
 * The client's options resolved before anything is built (the rules are `nango/src/options.ts`),
 * decoded with this line's `Duration` and `Redacted`, or `InvalidInput` naming what was refused.
 */
import { durationOf } from "#effect"
import * as Duration from "#effect/Duration"
import * as Redacted from "#effect/Redacted"
import { headerSafe } from "../../nango/src/failure.js"
import {
  type LineDecoders,
  type OptionDefaults,
  type ResolvedOptions,
  resolveOptionsWith,
} from "../../nango/src/options.js"
import { InvalidInput } from "../NangoConnectError.js"
import * as Check from "./check.js"

/** Builds an `InvalidInput` whose message lists its issues. */
export const invalid = (input: InvalidInput["input"], issues: ReadonlyArray<string>) =>
  new InvalidInput({ input, issues, message: `Invalid ${input}: ${issues.join("; ")}` })

/** The options with every default filled in. */
export type Resolved = ResolvedOptions<Duration.Duration, Redacted.Redacted<string>>

/** This line's decoders: its `Duration` and its `Redacted`. */
const decoders: LineDecoders<Duration.Duration, Redacted.Redacted<string>> = {
  duration: (input) => {
    // Milliseconds: NaN and negative numbers are refused before the decoder turns them into a duration.
    if (typeof input === "number" && !(input >= 0)) return undefined
    const decoded = durationOf(input)
    return decoded === undefined || Duration.toMillis(decoded) < 0 || Number.isNaN(Duration.toMillis(decoded))
      ? undefined
      : decoded
  },
  secretKey: (input) => {
    try {
      const value: unknown = Redacted.isRedacted(input) ? Redacted.value(input) : input
      return typeof value === "string" && headerSafe.test(value) ? Redacted.make(value) : undefined
    } catch {
      return undefined
    }
  },
}

/** A duration option decoded with this line's `Duration`; undefined when it is not one, is negative or NaN. */
export const decodeDuration = (input: unknown): Duration.Duration | undefined => decoders.duration(input)

/** Resolves options, or fails with `InvalidInput` for the key, the base URL or the other options. */
export const resolveOptions = (
  options: unknown,
  defaults: OptionDefaults<Duration.Duration>,
): Check.Check<Resolved, InvalidInput> => {
  const resolved = resolveOptionsWith(options, defaults, decoders)
  return "input" in resolved ? Check.fail(invalid(resolved.input, resolved.issues)) : Check.succeed(resolved)
}
