/**
 * The typed failures of webhook verification. None carries a signing key, a signature or the
 * body's text.
 *
 * @since 0.1.0
 */
import { Literals } from "#effect"
import * as Schema from "#effect/Schema"

/**
 * The request carries no signature header that may be checked (`X-Nango-Hmac-Sha256`, or the legacy
 * `X-Nango-Signature` when it is allowed).
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingSignature extends Schema.TaggedError<MissingSignature>()("MissingSignature", {
  message: Schema.String,
}) {}

/**
 * The signature matches none of the signing keys: the body was changed, or signed with another key.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidSignature extends Schema.TaggedError<InvalidSignature>()("InvalidSignature", {
  message: Schema.String,
}) {}

/**
 * The body is correctly signed but is not JSON, or not a webhook Nango sends; `issues` name the
 * paths, never the values.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidWebhookBody extends Schema.TaggedError<InvalidWebhookBody>()("InvalidWebhookBody", {
  issues: Schema.Array(Schema.String),
  message: Schema.String,
}) {}

/**
 * What `verify` was given cannot be read: a body that is not a string or `Uint8Array`, headers that
 * are not an object, or signing keys that are not `Redacted` strings. A mistake in the calling
 * code, not in the request; the value is never shown.
 *
 * @since 0.3.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  /** Which input was refused. */
  input: Literals(["body", "headers", "signingKeys"]),
  message: Schema.String,
}) {}

/**
 * Any failure of webhook verification.
 *
 * @since 0.1.0
 * @category errors
 */
export type NangoWebhookError = MissingSignature | InvalidSignature | InvalidWebhookBody | InvalidInput
