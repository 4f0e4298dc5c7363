/**
 * Effect Schemas of the webhooks Nango sends: `auth` (creation, override, refresh; success and
 * failure), `sync`, `forward` and `async_action`, as one union discriminated by `type`. Wire names
 * are kept, and fields the schemas do not know are kept too, since Nango adds fields over time.
 *
 * @since 0.1.0
 */
import { Literals, Record, StructWithRest, Union } from "#effect"
import * as Schema from "#effect/Schema"

/** An object schema that keeps the fields it does not declare. */
const open = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  StructWithRest(fields, Record(Schema.String, Schema.Unknown))

const StringRecord = Record(Schema.String, Schema.String)

/**
 * The end user an `auth` webhook names: present on success when the connection came through a
 * Connect session.
 *
 * @since 0.1.0
 * @category auth
 */
export const WebhookEndUser = open({
  endUserId: Schema.String,
  endUserEmail: Schema.optional(Schema.NullOr(Schema.String)),
  organizationId: Schema.optional(Schema.String),
  tags: Schema.optional(StringRecord),
})

/**
 * The error a failed webhook carries.
 *
 * @since 0.1.0
 * @category models
 */
export const WebhookError = open({
  type: Schema.String,
  description: Schema.String,
  payload: Schema.optional(Schema.Unknown),
})

const authFields = {
  type: Schema.Literal("auth"),
  from: Schema.String,
  connectionId: Schema.String,
  providerConfigKey: Schema.String,
  provider: Schema.String,
  authMode: Schema.String,
  environment: Schema.String,
  /** `unknown` is in Nango's types but never sent. */
  operation: Literals(["creation", "override", "refresh", "unknown"]),
  /** The connection's tags, from the Connect session; absent on creation failures. */
  tags: Schema.optional(StringRecord),
  endUser: Schema.optional(WebhookEndUser),
}

/**
 * An `auth` webhook for a connection made or re-authorized.
 *
 * @since 0.1.0
 * @category auth
 */
export const AuthWebhookSuccess = open({ ...authFields, success: Schema.Literal(true) })

/**
 * An `auth` webhook for an authorization, re-authorization or refresh that failed.
 *
 * @since 0.1.0
 * @category auth
 */
export const AuthWebhookFailure = open({ ...authFields, success: Schema.Literal(false), error: WebhookError })

/**
 * An `auth` webhook, success or failure.
 *
 * @since 0.1.0
 * @category auth
 */
export const AuthWebhook = Union([AuthWebhookSuccess, AuthWebhookFailure])

/**
 * An `auth` webhook.
 *
 * @since 0.1.0
 * @category auth
 */
export type AuthWebhook = typeof AuthWebhook.Type

const syncFields = {
  type: Schema.Literal("sync"),
  from: Schema.String,
  connectionId: Schema.String,
  providerConfigKey: Schema.String,
  syncName: Schema.String,
  syncVariant: Schema.optional(Schema.String),
  model: Schema.String,
  syncType: Schema.optional(Schema.String),
  checkpoints: Schema.optional(Schema.Unknown),
}

/**
 * A `sync` webhook for a run that finished: what it added, updated and deleted.
 *
 * @since 0.1.0
 * @category sync
 */
export const SyncWebhookSuccess = open({
  ...syncFields,
  success: Schema.Literal(true),
  responseResults: open({ added: Schema.Number, updated: Schema.Number, deleted: Schema.Number }),
  modifiedAfter: Schema.optional(Schema.String),
  queryTimeStamp: Schema.optional(Schema.NullOr(Schema.String)),
})

/**
 * A `sync` webhook for a run that failed.
 *
 * @since 0.1.0
 * @category sync
 */
export const SyncWebhookFailure = open({
  ...syncFields,
  success: Schema.Literal(false),
  error: WebhookError,
  startedAt: Schema.optional(Schema.String),
  failedAt: Schema.optional(Schema.String),
})

/**
 * A `sync` webhook, success or failure.
 *
 * @since 0.1.0
 * @category sync
 */
export const SyncWebhook = Union([SyncWebhookSuccess, SyncWebhookFailure])

/**
 * A provider's webhook that Nango forwards, wrapped with the connection it belongs to.
 *
 * @since 0.1.0
 * @category forward
 */
export const ForwardWebhook = open({
  type: Schema.Literal("forward"),
  from: Schema.String,
  connectionId: Schema.optional(Schema.String),
  providerConfigKey: Schema.String,
  payload: Schema.Unknown,
})

/**
 * An `async_action` webhook: an action run asynchronously has finished.
 *
 * @since 0.1.0
 * @category async action
 */
export const AsyncActionWebhook = open({
  type: Schema.Literal("async_action"),
  from: Schema.String,
  connectionId: Schema.String,
  providerConfigKey: Schema.String,
  payload: open({ id: Schema.String, statusUrl: Schema.String }),
})

/**
 * Any webhook Nango sends, discriminated by `type`.
 *
 * @since 0.1.0
 * @category models
 */
export const NangoWebhook = Union([
  AuthWebhookSuccess,
  AuthWebhookFailure,
  SyncWebhookSuccess,
  SyncWebhookFailure,
  ForwardWebhook,
  AsyncActionWebhook,
])

/**
 * Any webhook Nango sends.
 *
 * @since 0.1.0
 * @category models
 */
export type NangoWebhook = typeof NangoWebhook.Type
