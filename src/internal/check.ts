/**
 * The outcome of a pure check: its value, or why it was refused. One small vocabulary for both
 * lines, where Effect 4 has `Result` and Effect 3 `Either`; a check never needs more than this.
 */
import * as Effect from "#effect/Effect"

/** A checked value, or the reason it was refused. */
export type Check<A, E> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: E }

/** A value that passed. */
export const succeed = <A>(value: A): Check<A, never> => ({ ok: true, value })

/** A refusal. */
export const fail = <E>(error: E): Check<never, E> => ({ ok: false, error })

/** Runs `f` on a value that passed. */
export const flatMap = <A, E, B, E2>(self: Check<A, E>, f: (value: A) => Check<B, E2>): Check<B, E | E2> =>
  self.ok ? f(self.value) : self

/** Changes the reason of a refusal. */
export const mapError = <A, E, E2>(self: Check<A, E>, f: (error: E) => E2): Check<A, E2> =>
  self.ok ? self : fail(f(self.error))

/** The value, or undefined for a refusal. */
export const getOrUndefined = <A, E>(self: Check<A, E>): A | undefined => (self.ok ? self.value : undefined)

/** Calls `f`, turning what it throws into a refusal. */
export const attempt = <A, E>(f: () => A, onThrow: (cause: unknown) => E): Check<A, E> => {
  try {
    return succeed(f())
  } catch (cause) {
    return fail(onThrow(cause))
  }
}

/** The check as an effect: its value, or its refusal as the failure. */
export const toEffect = <A, E>(self: Check<A, E>): Effect.Effect<A, E> =>
  self.ok ? Effect.succeed(self.value) : Effect.fail(self.error)
