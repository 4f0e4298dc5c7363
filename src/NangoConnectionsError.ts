/**
 * The failures only the connections client has, and the error union of each of its calls. The
 * shared ones (`NotFound`, `Forbidden`, `RateLimited`, …) are those of `NangoConnectError`.
 *
 * @since 0.3.0
 */
import { DurationValue, RedactedFromValue } from "#effect"
import * as Schema from "#effect/Schema"
import { responseFields } from "./internal/fields.js"
import type {
  BadRequest,
  CommonError,
  Forbidden,
  NangoConnectError,
  NotFound,
  ResponseDecodeError,
  Unauthorized,
} from "./NangoConnectError.js"
import { Connection } from "./NangoConnectionsSchema.js"

/**
 * 424, or 400 `invalid_credentials`: the connection's credentials no longer work (a refresh the
 * provider refused, or refreshes exhausted). `connectionId` and `providerConfigKey` name the
 * connection (what a Reconnect button needs). `connection` is the whole connection Nango sent
 * with the error, without credentials; it holds a person's data (tags, end user), so it is kept
 * `Redacted` and no rendering of the error shows it: read it with `Redacted.value`.
 *
 * @since 0.3.0
 * @category errors
 */
export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()("InvalidCredentials", {
  ...responseFields,
  connectionId: Schema.optional(Schema.String),
  providerConfigKey: Schema.optional(Schema.String),
  connection: Schema.optional(RedactedFromValue(Connection)),
}) {}

/**
 * 400 `unknown_provider_config`: the environment has no integration with this `providerConfigKey`.
 *
 * @since 0.3.0
 * @category errors
 */
export class UnknownIntegration extends Schema.TaggedError<UnknownIntegration>()(
  "UnknownIntegration",
  responseFields,
) {}

/**
 * `awaitConnection` saw no connection with the awaited tags before its deadline (`timeout`). The
 * tags are not repeated here: they may name a person.
 *
 * @since 0.3.0
 * @category errors
 */
export class AwaitConnectionTimeout extends Schema.TaggedError<AwaitConnectionTimeout>()("AwaitConnectionTimeout", {
  timeout: DurationValue,
  message: Schema.String,
}) {}

/**
 * Every failure the connections client can produce: its own two, and those of `NangoConnectError`.
 *
 * @since 0.3.0
 * @category errors
 */
export type NangoConnectionsError = InvalidCredentials | UnknownIntegration | AwaitConnectionTimeout | NangoConnectError

/**
 * The failures of `getConnection`.
 *
 * @since 0.3.0
 * @category errors
 */
export type GetConnectionError =
  | InvalidCredentials
  | UnknownIntegration
  | NotFound
  | BadRequest
  | Unauthorized
  | Forbidden
  | ResponseDecodeError
  | CommonError

/**
 * The failures of `listConnections` and of the stream of every page.
 *
 * @since 0.3.0
 * @category errors
 */
export type ListConnectionsError = BadRequest | Unauthorized | Forbidden | ResponseDecodeError | CommonError

/**
 * The failures of `patchConnection`.
 *
 * @since 0.3.0
 * @category errors
 */
export type PatchConnectionError = UnknownIntegration | NotFound | BadRequest | Unauthorized | Forbidden | CommonError

/**
 * The failures of `deleteConnection`: an unknown connection or integration is `NotFound`.
 *
 * @since 0.3.0
 * @category errors
 */
export type DeleteConnectionError = NotFound | BadRequest | Unauthorized | Forbidden | CommonError

/**
 * The failures of `setMetadata` and `updateMetadata`: any unknown id (nothing is written then) is `NotFound`.
 *
 * @since 0.3.0
 * @category errors
 */
export type MetadataError = NotFound | BadRequest | Unauthorized | Forbidden | CommonError

/**
 * The failures of `awaitConnection`: its deadline, and those of the listing it polls.
 *
 * @since 0.3.0
 * @category errors
 */
export type AwaitConnectionError = AwaitConnectionTimeout | ListConnectionsError
