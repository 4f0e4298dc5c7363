/**
 * effect-nango/testing: test your own code against a Nango-compatible emulator, with no account
 * and no network.
 *
 * @since 0.1.0
 */

/**
 * Test layers: `NangoConnectTest.layer` (loopback socket) and `layerInMemory` (no socket), with the
 * `Emulator` handle.
 *
 * @since 0.1.0
 */
export * as NangoConnectTest from "./NangoConnectTest.js"

/**
 * The emulator itself: a `node:http` server that behaves like Nango's four Connect-session endpoints.
 *
 * @since 0.1.0
 */
export * as NangoEmulator from "./NangoEmulator.js"
