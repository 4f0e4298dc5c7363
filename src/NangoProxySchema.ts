/**
 * Effect Schemas of what the proxy client takes: the connection a client calls through, and the
 * settings of Nango's proxy (server-side retries, a base-URL override, …) per client or per request.
 *
 * @since 0.4.0
 */
import { atLeast, between, refine } from "#effect"
import * as Schema from "#effect/Schema"
import { connectionIdIssue } from "../nango/src/connection-requests.js"
import { baseUrlOverrideIssue } from "../nango/src/proxy-requests.js"
import { IntegrationId } from "./NangoConnectSchema.js"

/**
 * The settings of Nango's proxy for the requests of a client, or of one request
 * (`NangoProxy.withSettings`); a setting left out is not sent, and Nango's default applies.
 *
 * @since 0.4.0
 * @category schemas
 */
export const ProxySettings = Schema.Struct({
  /**
   * How many times Nango retries the provider call (3 s, then doubling) on a 5xx, 429 or 401 or a
   * network failure; 0 by default. Nango retries any method, so a POST or PATCH also needs
   * `allowRetriedWrites`. The request stays open while Nango waits: leave room in `timeout`.
   */
  retries: Schema.optional(Schema.Int.pipe(atLeast(0))),
  /** Statuses Nango retries besides its own list (header `Retry-On`). */
  retryOn: Schema.optional(Schema.Array(Schema.Int.pipe(between(100, 599)))),
  /** Another base URL for the provider, absolute (header `Base-Url-Override`). */
  baseUrlOverride: Schema.optional(Schema.String.pipe(refine((value: string) => baseUrlOverrideIssue(value) ?? true))),
  /** Header `Decompress`. */
  decompress: Schema.optional(Schema.Boolean),
  /** Whether Nango sends the credential again when the provider redirects (header `Forward-Headers-On-Redirect`). */
  forwardHeadersOnRedirect: Schema.optional(Schema.Boolean),
  /** Sends a caller's `Authorization` header, which replaces the credential Nango injects. Refused otherwise. */
  allowAuthorization: Schema.optional(Schema.Boolean),
  /** Lets `retries` apply to a POST or PATCH, which a retry may apply twice. Refused otherwise. */
  allowRetriedWrites: Schema.optional(Schema.Boolean),
})

/**
 * The settings of Nango's proxy.
 *
 * @since 0.4.0
 * @category schemas
 */
export type ProxySettings = typeof ProxySettings.Type

/**
 * What `NangoProxy.client` takes: the connection its requests go through, and the proxy settings
 * of all of them.
 *
 * @since 0.4.0
 * @category schemas
 */
export const ClientOptions = Schema.Struct({
  ...ProxySettings.fields,
  /** The connection whose credentials Nango injects. */
  connectionId: Schema.String.pipe(refine((value: string) => connectionIdIssue(value, "body") ?? true)),
  /** The integration of the connection. */
  providerConfigKey: IntegrationId,
})

/**
 * What `NangoProxy.client` takes.
 *
 * @since 0.4.0
 * @category schemas
 */
export type ClientOptions = typeof ClientOptions.Type
