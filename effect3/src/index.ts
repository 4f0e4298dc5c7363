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
 * Effect Schemas of the connections Nango keeps: one connection with its credentials, a list item.
 *
 * @since 0.3.0
 */
export * as NangoConnectionsSchema from "./NangoConnectionsSchema.js"
/**
 * Effect Schemas of every request and response body.
 *
 * @since 0.1.0
 */
export * as NangoConnectSchema from "./NangoConnectSchema.js"
