/**
 * The emulator itself: a `node:http` server on 127.0.0.1 that behaves like Nango's four
 * Connect-session endpoints. Its behaviour is shared by both Effect lines; this module adds the
 * scoped constructor.
 *
 * @since 0.1.0
 */
import * as Effect from "#effect/Effect"
import type * as Scope from "#effect/Scope"
import { NangoEmulator, type Options } from "../../nango/src/emulator.js"

export * from "../../nango/src/emulator.js"
export type {
  DeliveryAttempt,
  DeliveryReport,
  WebhookDelivery,
  WebhookHandler,
  WebhookTarget,
} from "../../nango/src/webhook-delivery.js"

/**
 * Starts an emulator for the enclosing scope; it is closed when the scope ends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<NangoEmulator, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => NangoEmulator.start(options)),
    (emulator) => Effect.promise(() => emulator.close()),
  )
