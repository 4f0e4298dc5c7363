/**
 * effect-nango/webhooks: verified, typed Nango webhooks.
 *
 * @since 0.1.0
 */

/**
 * The verifier: `verify` (raw body and headers), `fromRequest` (an `HttpServerRequest`), and the
 * `NangoWebhook` service with `make`, `layer` and `layerConfig`.
 *
 * @since 0.1.0
 */
export * as NangoWebhook from "./NangoWebhook.js"

/**
 * The typed failures of verification.
 *
 * @since 0.1.0
 */
export * as NangoWebhookError from "./NangoWebhookError.js"

/**
 * Effect Schemas of every webhook Nango sends.
 *
 * @since 0.1.0
 */
export * as NangoWebhookSchema from "./NangoWebhookSchema.js"
