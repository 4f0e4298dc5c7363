/**
 * effect-nango: the Effect-native client for Nango: Connect sessions (`NangoConnect`),
 * connections with their credentials (`NangoConnections`), and the provider's API through Nango's
 * proxy (`NangoProxy`).
 *
 * @since 0.1.0
 */

/**
 * The client service, its options, `make`, `layer` and `layerConfig`.
 *
 * @since 0.1.0
 */
export * as NangoActions from "./NangoActions.js"
export * as NangoActionsError from "./NangoActionsError.js"
export * as NangoActionsSchema from "./NangoActionsSchema.js"
export * as NangoConnect from "./NangoConnect.js"

/**
 * The typed errors of every call.
 *
 * @since 0.1.0
 */
export * as NangoConnectError from "./NangoConnectError.js"
/**
 * The connections client service: read, list, patch and delete connections, set their metadata.
 *
 * @since 0.3.0
 */
export * as NangoConnections from "./NangoConnections.js"
/**
 * The failures only the connections client has, and the error union of each of its calls.
 *
 * @since 0.3.0
 */
export * as NangoConnectionsError from "./NangoConnectionsError.js"
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
/**
 * The provider's API through Nango's proxy, as an `HttpClient` for each connection.
 *
 * @since 0.4.0
 */
export * as NangoProxy from "./NangoProxy.js"
/**
 * The failures that are Nango's own answers on the proxy, and the proxy client's error union.
 *
 * @since 0.4.0
 */
export * as NangoProxyError from "./NangoProxyError.js"
/**
 * Effect Schemas of what the proxy client takes: its connection and the proxy's settings.
 *
 * @since 0.4.0
 */
export * as NangoProxySchema from "./NangoProxySchema.js"
export * as NangoSyncs from "./NangoSyncs.js"
export * as NangoSyncsError from "./NangoSyncsError.js"
export * as NangoSyncsSchema from "./NangoSyncsSchema.js"
