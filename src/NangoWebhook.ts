/**
 * Verified, decoded Nango webhooks: check the raw body's signature against one or more signing
 * keys (the key can be rotated, and Nango may sign with the old one for a few minutes), then
 * decode it as a `NangoWebhook`. From raw bytes and headers, or from an `HttpServerRequest`.
 *
 * @since 0.1.0
 */
import { type ConfigError, configRedacted, decodeUnknownCheck, type ServerRequestError, ServiceTag } from "#effect"
import * as Config from "#effect/Config"
import * as Effect from "#effect/Effect"
import * as HttpServerRequest from "#effect/HttpServerRequest"
import * as Layer from "#effect/Layer"
import * as Option from "#effect/Option"
import * as Redacted from "#effect/Redacted"
import {
  digestFromHex,
  readWebhookInput,
  verifyHmac,
  verifyLegacy,
  type WebhookInput,
} from "../nango/src/webhook-signing.js"
import * as Check from "./internal/check.js"
import { describeIssues, parseJsonBody } from "./internal/errors.js"
import {
  InvalidInput,
  InvalidSignature,
  InvalidWebhookBody,
  MissingSignature,
  type NangoWebhookError,
} from "./NangoWebhookError.js"
import { NangoWebhook as NangoWebhookSchema } from "./NangoWebhookSchema.js"

// -----------------------------------------------------------------------------
// Options
// -----------------------------------------------------------------------------

/**
 * Which keys and signatures are accepted.
 *
 * @since 0.1.0
 * @category options
 */
export interface VerifyOptions {
  /** The environment's webhook signing key, and during a rotation the previous one(s). */
  readonly signingKeys: Redacted.Redacted<string> | ReadonlyArray<Redacted.Redacted<string>>
  /**
   * Also accepts the legacy `X-Nango-Signature` (SHA-256 of key and body, open to length
   * extension) when `X-Nango-Hmac-Sha256` does not match. Off by default.
   */
  readonly allowLegacySignature?: boolean
}

/**
 * Request headers as Node and most frameworks give them, by any casing.
 *
 * @since 0.1.0
 * @category models
 */
export type Headers = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

// -----------------------------------------------------------------------------
// Verification
// -----------------------------------------------------------------------------

const decode = decodeUnknownCheck(NangoWebhookSchema)
const decoder = new TextDecoder()

const missing = () =>
  new MissingSignature({ message: "The request carries no X-Nango-Hmac-Sha256 header: it is not from Nango" })
const mismatch = () =>
  new InvalidSignature({
    message:
      "The webhook's signature matches none of the signing keys: it was changed, or not signed by this environment",
  })

/** Whether the body's signatures match a key. */
const checkSignature = (
  keys: ReadonlyArray<string>,
  input: WebhookInput,
): Effect.Effect<void, MissingSignature | InvalidSignature> =>
  Effect.gen(function* () {
    const { bytes, hmac, legacy } = input
    if (hmac === undefined && legacy === undefined) return yield* missing()
    const hmacDigest = hmac === undefined ? undefined : digestFromHex(hmac)
    if (hmacDigest !== undefined && (yield* Effect.promise(() => verifyHmac(keys, bytes, hmacDigest)))) return
    const legacyDigest = legacy === undefined ? undefined : digestFromHex(legacy)
    if (legacyDigest !== undefined && (yield* Effect.promise(() => verifyLegacy(keys, bytes, legacyDigest)))) return
    return yield* mismatch()
  })

/** The signing keys' values, or undefined when `options` does not hold one `Redacted` string or an array of them. */
const signingKeysOf = (options: VerifyOptions): ReadonlyArray<string> | undefined => {
  try {
    const given: unknown = options.signingKeys
    const list: ReadonlyArray<unknown> | undefined = Redacted.isRedacted(given)
      ? [given]
      : Array.isArray(given)
        ? given
        : undefined
    if (list === undefined || !list.every(Redacted.isRedacted)) return undefined
    const values: ReadonlyArray<unknown> = list.map((key) => Redacted.value(key))
    return values.every((value) => typeof value === "string") ? (values as ReadonlyArray<string>) : undefined
  } catch {
    return undefined
  }
}

const invalidKeys = () =>
  new InvalidInput({
    input: "signingKeys",
    message: "Invalid signingKeys: expected a Redacted string or an array of them; the value is not shown",
  })

/** The options' keys and the request's body and signatures, or `InvalidInput` when one cannot be read. */
const readInputs = (
  body: unknown,
  headers: unknown,
  options: VerifyOptions,
): Effect.Effect<readonly [ReadonlyArray<string>, WebhookInput], InvalidInput> => {
  const keys = signingKeysOf(options)
  if (keys === undefined) return Effect.fail(invalidKeys())
  const input = readWebhookInput(body, headers, options.allowLegacySignature === true)
  return "input" in input
    ? Effect.fail(new InvalidInput({ input: input.input, message: `Invalid ${input.input}: ${input.message}` }))
    : Effect.succeed([keys, input] as const)
}

/** Decodes a body whose signature matched: a webhook Nango sends, or `InvalidWebhookBody`. */
const decodeSigned = (bytes: Uint8Array<ArrayBuffer>): Effect.Effect<NangoWebhookSchema, InvalidWebhookBody> => {
  const decoded = Check.flatMap(parseJsonBody(decoder.decode(bytes)), (json) =>
    Check.mapError(decode(json), describeIssues),
  )
  return decoded.ok
    ? Effect.succeed(decoded.value)
    : Effect.fail(
        new InvalidWebhookBody({
          issues: decoded.error,
          message: `The webhook is signed but is not one Nango sends: ${decoded.error.join("; ")}`,
        }),
      )
}

/**
 * Verifies a webhook from its raw body (the exact bytes received, as a string or `Uint8Array`) and
 * its headers, then decodes it. The signature is checked in constant time against every key.
 *
 * @example
 * ```ts
 * const webhook = yield* NangoWebhook.verify(rawBody, request.headers, { signingKeys: [key] })
 * ```
 *
 * @since 0.1.0
 * @category verification
 */
export const verify = (
  body: string | Uint8Array,
  headers: Headers,
  options: VerifyOptions,
): Effect.Effect<NangoWebhookSchema, NangoWebhookError> =>
  Effect.suspend(() =>
    Effect.flatMap(readInputs(body, headers, options), ([keys, input]) =>
      Effect.flatMap(checkSignature(keys, input), () => decodeSigned(input.bytes)),
    ),
  )

/**
 * Verifies and decodes the webhook in the `HttpServerRequest` being served, reading its raw body.
 *
 * @since 0.1.0
 * @category verification
 */
export const fromRequest = (
  options: VerifyOptions,
): Effect.Effect<NangoWebhookSchema, NangoWebhookError | ServerRequestError, HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.flatMap(request.arrayBuffer, (buffer) => verify(new Uint8Array(buffer), request.headers, options)),
  )

// -----------------------------------------------------------------------------
// Service
// -----------------------------------------------------------------------------

/**
 * Webhook verification with the signing keys in hand.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Verifies and decodes a webhook from its raw body and headers. */
  readonly verify: (body: string | Uint8Array, headers: Headers) => Effect.Effect<NangoWebhookSchema, NangoWebhookError>
  /** Verifies and decodes the webhook in the `HttpServerRequest` being served. */
  readonly fromRequest: Effect.Effect<
    NangoWebhookSchema,
    NangoWebhookError | ServerRequestError,
    HttpServerRequest.HttpServerRequest
  >
}

/**
 * The webhook verifier service; provide it with `NangoWebhook.layer` or `NangoWebhook.layerConfig`.
 *
 * @since 0.1.0
 * @category tags
 */
export class NangoWebhook extends ServiceTag<NangoWebhook, Service>()("effect-nango/NangoWebhook") {}

/**
 * Builds the verifier from its options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: VerifyOptions): Service => ({
  verify: (body, headers) => verify(body, headers, options),
  fromRequest: fromRequest(options),
})

/**
 * Provides `NangoWebhook` from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: VerifyOptions): Layer.Layer<NangoWebhook> => Layer.succeed(NangoWebhook, make(options))

/**
 * Provides `NangoWebhook` from the environment: `NANGO_WEBHOOK_SIGNING_KEY` (redacted) and, during a
 * rotation, `NANGO_WEBHOOK_PREVIOUS_SIGNING_KEYS` (redacted, comma-separated).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: Omit<VerifyOptions, "signingKeys"> = {}): Layer.Layer<NangoWebhook, ConfigError> =>
  Layer.effect(
    NangoWebhook,
    Effect.gen(function* () {
      const current = yield* configRedacted("NANGO_WEBHOOK_SIGNING_KEY")
      const previous = yield* Config.option(configRedacted("NANGO_WEBHOOK_PREVIOUS_SIGNING_KEYS"))
      const rotated = Option.match(previous, {
        onNone: () => [],
        onSome: (list) =>
          Redacted.value(list)
            .split(",")
            .map((key) => key.trim())
            .filter((key) => key !== "")
            .map((key) => Redacted.make(key)),
      })
      return make({ ...options, signingKeys: [current, ...rotated] })
    }),
  )
