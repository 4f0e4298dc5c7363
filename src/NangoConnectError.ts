/**
 * The typed failures of the Connect-session client: one `Schema.TaggedError` class per outcome.
 * HTTP errors carry the status, Nango's `code`, `message` and validation `errors`, and the
 * request's method and path; no error carries a header, a token or the secret key.
 *
 * @since 0.1.0
 */
import { DurationValue, Literals } from "#effect"
import * as Schema from "#effect/Schema"
import { requestFields, responseFields } from "./internal/fields.js"

// -----------------------------------------------------------------------------
// HTTP status errors
// -----------------------------------------------------------------------------

/**
 * 400: Nango rejected the request (invalid body or query, unknown integration, capped resources).
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", responseFields) {}

/**
 * 401: the secret key or connect-session token is missing, malformed, unknown or expired.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", responseFields) {}

/**
 * 403: the key lacks the scope the call needs (for example `environment:connect_sessions:write`), or the plan forbids an override.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", responseFields) {}

/**
 * 404: the session's end user no longer exists (live server), or the session or connection was not found.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", responseFields) {}

/**
 * 429: the account's rate limit was reached; `retryAfter` is the server's `Retry-After`, if sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...responseFields,
  retryAfter: Schema.optional(DurationValue),
}) {}

/**
 * 5xx: Nango failed, and still failed after the retries the policy allows.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", responseFields) {}

/**
 * A status this endpoint is not documented to return (a 415, a 3xx, a 403 on `GET`, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>()("UnexpectedStatus", responseFields) {}

// -----------------------------------------------------------------------------
// Errors without a usable response
// -----------------------------------------------------------------------------

/**
 * No response: the connection failed, was reset, or the request could not be sent.
 * `connectionFailed` is true when no connection was opened, so the server cannot have seen it.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  ...requestFields,
  connectionFailed: Schema.Boolean,
  message: Schema.String,
}) {}

/**
 * The call took too long: one attempt passed `timeout.attempt`, or all of them `timeout.total`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  ...requestFields,
  scope: Literals(["attempt", "total"]),
  timeout: DurationValue,
  message: Schema.String,
}) {}

/**
 * A response whose body does not match its schema (not JSON, truncated, or another shape).
 * `issues` name the paths that failed, never the values, since a body may hold a token.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>()("ResponseDecodeError", {
  ...requestFields,
  status: Schema.Number,
  issues: Schema.Array(Schema.String),
  message: Schema.String,
}) {}

/**
 * Input rejected before anything was sent: a malformed token, key, base URL, option or request body.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  /**
   * Which input was rejected: `token`, `secretKey`, `baseUrl`, `options` (the other options),
   * `body`, `connectionId`, `query` (what a connection call sends in its query string) or
   * `request` (a request the proxy client cannot send as it is, or an action run's id that is not
   * a UUID).
   */
  input: Literals(["token", "secretKey", "baseUrl", "options", "body", "connectionId", "query", "request"]),
  issues: Schema.Array(Schema.String),
  message: Schema.String,
}) {}

// -----------------------------------------------------------------------------
// Unions
// -----------------------------------------------------------------------------

/**
 * Every failure the Connect-session client can produce (`NangoConnectionsError.NangoConnectionsError`
 * adds the connections client's own two).
 *
 * @since 0.1.0
 * @category errors
 */
export type NangoConnectError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | ServerError
  | UnexpectedStatus
  | TransportError
  | TimeoutError
  | ResponseDecodeError
  | InvalidInput

/**
 * The failures every call shares, whatever its endpoint: the network's and bad input.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommonError = RateLimited | ServerError | UnexpectedStatus | TransportError | TimeoutError | InvalidInput

/**
 * The failures of `getConnectSession`.
 *
 * @since 0.1.0
 * @category errors
 */
export type GetConnectSessionError = BadRequest | Unauthorized | NotFound | ResponseDecodeError | CommonError

/**
 * The failures of `createConnectSession` and `createReconnectSession`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CreateConnectSessionError = BadRequest | Unauthorized | Forbidden | ResponseDecodeError | CommonError

/**
 * The failures of `deleteConnectSession` (a 204 has no body to decode).
 *
 * @since 0.1.0
 * @category errors
 */
export type DeleteConnectSessionError = BadRequest | Unauthorized | NotFound | CommonError
