/**
 * The error union of each call of the synced-data client. Its failures are those of
 * `NangoConnectError`, and `UnknownConnection` (the 400 `unknown_connection` of `GET /records`),
 * the same class the proxy client fails with.
 *
 * @since 0.5.0
 */
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
