/**
 * The fields the error classes of both clients share: the request an error belongs to (method
 * and path, never a header or a body), and what an HTTP error response carries.
 */
import * as Schema from "#effect/Schema"
import { ValidationIssue } from "../NangoConnectSchema.js"

/** The request an error belongs to: method and path (the template, for a connection), never headers or the body. */
export const requestFields = {
  method: Schema.String,
  path: Schema.String,
}

/** What an HTTP error response carries. */
export const responseFields = {
  ...requestFields,
  status: Schema.Number,
  /** Nango's error `code`, when the body was the error envelope. */
  code: Schema.optional(Schema.String),
  /** Nango's error `message` verbatim, when it sent one. */
  serverMessage: Schema.optional(Schema.String),
  /** Nango's validation items, when it sent them. */
  errors: Schema.optional(Schema.Array(ValidationIssue)),
  /** A readable one-line account of the failure. */
  message: Schema.String,
}
