/**
 * effect-nango: the Effect-native client for Nango's Connect-session API.
 *
 * @since 0.1.0
 */

/**
 * The client service, its options, `make`, `layer` and `layerConfig`.
 *
 * @since 0.1.0
 */
export * as NangoConnect from "./NangoConnect.js"

/**
 * The typed errors of every call.
 *
 * @since 0.1.0
 */
export * as NangoConnectError from "./NangoConnectError.js"

/**
 * Effect Schemas of every request and response body.
 *
 * @since 0.1.0
 */
export * as NangoConnectSchema from "./NangoConnectSchema.js"
