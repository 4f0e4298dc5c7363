/**
 * The failures of the proxy client that are Nango's own answers, not the provider's: each is
 * recognised by its status and Nango's code together (a provider can answer 400 or 404 too), and
 * the error union of the client. The shared ones (`Unauthorized`, `RateLimited`, …) are those of
 * `NangoConnectError`; `InvalidCredentials` and `UnknownIntegration` those of `NangoConnectionsError`.
 *
 * @since 0.4.0
 */
import * as Schema from "#effect/Schema"
import { responseFields } from "./internal/fields.js"
import type {
  Forbidden,
  InvalidInput,
  RateLimited,
  ServerError,
  TimeoutError,
  Unauthorized,
} from "./NangoConnectError.js"
import type { InvalidCredentials, UnknownIntegration } from "./NangoConnectionsError.js"

/**
 * 400 `invalid_headers`: Nango refused the proxy's own headers (the connection id, the integration,
 * `Retries`, `Retry-On`, `Base-Url-Override`); `errors` says which.
 *
 * @since 0.4.0
 * @category errors
 */
export class InvalidProxyHeaders extends Schema.TaggedError<InvalidProxyHeaders>()(
  "InvalidProxyHeaders",
  responseFields,
) {}

/**
 * 400 `base_url_override_disabled` or `base_url_override_not_allowed`: the server does not allow
 * `baseUrlOverride`, or not to that host.
 *
 * @since 0.4.0
 * @category errors
 */
export class BaseUrlOverrideRefused extends Schema.TaggedError<BaseUrlOverrideRefused>()(
  "BaseUrlOverrideRefused",
  responseFields,
) {}

/**
 * 400 with a code of Nango's proxy configuration (`unsupported_provider`, `missing_api_url`,
 * `unsupported_auth`, `invalid_query_params`, `invalid_certificate_or_key_format`): Nango cannot
 * build a request for this provider, for example one with no base URL and no `baseUrlOverride`.
 *
 * @since 0.4.0
 * @category errors
 */
export class UnsupportedProvider extends Schema.TaggedError<UnsupportedProvider>()(
  "UnsupportedProvider",
  responseFields,
) {}

/**
 * The integration has no connection with this id: the proxy's 400 `server_error` "Failed to get
 * connection", and the 400 `unknown_connection` of `GET /records`.
 *
 * @since 0.4.0
 * @category errors
 */
export class UnknownConnection extends Schema.TaggedError<UnknownConnection>()("UnknownConnection", {
  ...responseFields,
  connectionId: Schema.String,
  providerConfigKey: Schema.String,
}) {}

/**
 * 424 `connection_refresh_backoff`: the last refresh of the connection's credentials failed less
 * than 30 seconds ago, and Nango does not try again before then.
 *
 * @since 0.4.0
 * @category errors
 */
export class RefreshBackoff extends Schema.TaggedError<RefreshBackoff>()("RefreshBackoff", {
  ...responseFields,
  connectionId: Schema.String,
  providerConfigKey: Schema.String,
}) {}

/**
 * 402 `plan_limit`: the account's plan does not allow more proxy calls.
 *
 * @since 0.4.0
 * @category errors
 */
export class PlanLimit extends Schema.TaggedError<PlanLimit>()("PlanLimit", responseFields) {}

/**
 * 500 with a network code (`ECONNREFUSED`, `ETIMEDOUT`, …) in `code`: Nango could not reach the
 * provider, so the provider never answered.
 *
 * @since 0.4.0
 * @category errors
 */
export class ProviderUnreachable extends Schema.TaggedError<ProviderUnreachable>()(
  "ProviderUnreachable",
  responseFields,
) {}

/**
 * Every failure of a request through the proxy client besides the `HttpClient`'s own (a transport
 * failure on the way to Nango stays the platform's `HttpClientError`).
 *
 * @since 0.4.0
 * @category errors
 */
export type NangoProxyError =
  | InvalidProxyHeaders
  | BaseUrlOverrideRefused
  | UnsupportedProvider
  | UnknownIntegration
  | UnknownConnection
  | InvalidCredentials
  | RefreshBackoff
  | PlanLimit
  | Unauthorized
  | Forbidden
  | RateLimited
  | ProviderUnreachable
  | ServerError
  | TimeoutError
  | InvalidInput
