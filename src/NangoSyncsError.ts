/**
 * The failures of the synced-data client, and the error union of each of its calls. Besides those
 * of `NangoConnectError`: `UnknownConnection` (400 `unknown_connection`, the same class the proxy
 * client fails with) and `SyncNotFound`.
 *
 * @since 0.5.0
 */
import * as Schema from "#effect/Schema"
import { responseFields } from "./internal/fields.js"
import type { BadRequest, CommonError, Forbidden, ResponseDecodeError, Unauthorized } from "./NangoConnectError.js"
import type { UnknownConnection } from "./NangoProxyError.js"

export { UnknownConnection } from "./NangoProxyError.js"

/**
 * The failures of `listRecords` and of the record streams: a query the server refuses
 * (`BadRequest`), an unknown connection, the key, and a page that does not decode with its
 * model's schema (`ResponseDecodeError`, naming the record's index and field, never its values).
 *
 * @since 0.5.0
 * @category errors
 */
export type ListRecordsError =
  | UnknownConnection
  | BadRequest
  | Unauthorized
  | Forbidden
  | ResponseDecodeError
  | CommonError

/**
 * 400 `no_syncs_found`: no sync of the integration matches the names given (a trigger without a
 * connection). A name the connection does not have is Nango's 500 instead (`ServerError`).
 *
 * @since 0.5.0
 * @category errors
 */
export class SyncNotFound extends Schema.TaggedError<SyncNotFound>()("SyncNotFound", responseFields) {}

/**
 * The failures of `triggerSync`.
 *
 * @since 0.5.0
 * @category errors
 */
export type TriggerSyncError = UnknownConnection | SyncNotFound | BadRequest | Unauthorized | Forbidden | CommonError

/**
 * The failures of `syncStatus`: an unknown connection is Nango's 400 `invalid_body` ("Connection
 * not found"), so it is `BadRequest`.
 *
 * @since 0.5.0
 * @category errors
 */
export type SyncStatusError = BadRequest | Unauthorized | Forbidden | ResponseDecodeError | CommonError
