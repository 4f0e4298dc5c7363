/**
 * Effect Schemas for every body of Nango's Connect-session API: the session the POSTs return,
 * the session details `GET /connect/session` returns (live and spec shapes), the request bodies
 * with the server's validation rules, and the error envelope.
 *
 * @since 0.1.0
 */
import {
  type Codec,
  DateFromString,
  maxLength,
  minLength,
  pattern,
  Record,
  RedactedFromValue,
  refine,
  StructWithRest,
  Union,
  withSamples,
} from "#effect"
import * as Schema from "#effect/Schema"
import {
  connectionIdMessage,
  connectionIdPattern,
  emailPattern,
  integrationIdPattern,
  localWebhookUrlProblem,
  tagKeyPattern,
  webhookUrlMessages,
} from "../nango/src/rules.js"

// -----------------------------------------------------------------------------
// Tokens
// -----------------------------------------------------------------------------

/**
 * The format of a connect-session token: `nango_connect_session_` and 64 lowercase hex digits.
 *
 * @since 0.1.0
 * @category tokens
 */
export const connectSessionTokenPattern = /^nango_connect_session_[a-f0-9]{64}$/

/**
 * A connect-session token as the server issues it, checked against its format.
 *
 * @since 0.1.0
 * @category tokens
 */
export const ConnectSessionTokenString = Schema.String.pipe(
  // The value is a credential: the message must never repeat it.
  pattern(
    connectSessionTokenPattern,
    "a connect-session token is nango_connect_session_ followed by 64 lowercase hex digits",
  ),
)

// -----------------------------------------------------------------------------
// ConnectSession (what create and reconnect return)
// -----------------------------------------------------------------------------

/**
 * The spec's `ConnectSession`: the token (kept `Redacted`), the Connect UI link (which embeds the
 * token, so it is `Redacted` too) and the expiry, decoded to a `Date`.
 *
 * @since 0.1.0
 * @category sessions
 */
export class ConnectSession extends Schema.Class<ConnectSession>("ConnectSession")({
  token: RedactedFromValue(Schema.String),
  connect_link: Schema.optional(RedactedFromValue(Schema.String)),
  expires_at: DateFromString,
}) {}

/**
 * The `{ data: ConnectSession }` envelope of a 201 from `POST /connect/sessions` and
 * `POST /connect/sessions/reconnect`.
 *
 * @since 0.1.0
 * @category sessions
 */
export const ConnectSessionResponse = Schema.Struct({ data: ConnectSession })

// -----------------------------------------------------------------------------
// GET /connect/session
// -----------------------------------------------------------------------------

/**
 * An organization as the live server reports it inside `endUser`.
 *
 * @since 0.1.0
 * @category session details
 */
export const SessionOrganization = Schema.Struct({
  id: Schema.String,
  display_name: Schema.optional(Schema.NullOr(Schema.String)),
})

/**
 * The end user a session was created for, as the live server reports it.
 *
 * @since 0.1.0
 * @category session details
 */
export const SessionEndUser = Schema.Struct({
  id: Schema.String,
  display_name: Schema.optional(Schema.NullOr(Schema.String)),
  email: Schema.optional(Schema.NullOr(Schema.String)),
  tags: Schema.optional(Schema.NullOr(Record(Schema.String, Schema.String))),
  organization: Schema.optional(Schema.NullOr(SessionOrganization)),
})

/**
 * The Connect UI look the live server sends with a session.
 *
 * @since 0.1.0
 * @category session details
 */
export const ConnectUISettings = Schema.Struct({
  showWatermark: Schema.optional(Schema.Boolean),
  defaultTheme: Schema.optional(Schema.String),
  theme: Schema.optional(
    Schema.Struct({
      light: Schema.optional(Schema.Struct({ primary: Schema.optional(Schema.String) })),
      dark: Schema.optional(Schema.Struct({ primary: Schema.optional(Schema.String) })),
    }),
  ),
})

/**
 * Per-integration defaults as the live server returns them from `GET /connect/session`.
 *
 * @since 0.1.0
 * @category session details
 */
export const SessionIntegrationConfigDefaults = Schema.Struct({
  user_scopes: Schema.optional(Schema.String),
  connection_config: Schema.optional(Record(Schema.String, Schema.Unknown)),
  authorization_params: Schema.optional(Record(Schema.String, Schema.String)),
})

/**
 * What `GET /connect/session` returns, decoded from either truth: the live server's body
 * (`endUser`, `connectUISettings`, …) or the spec's `ConnectSession` (`token`, `connect_link`,
 * `expires_at`). Wire names are kept; every field is optional because each server leaves some
 * out, and unknown fields are ignored because the server adds fields over time.
 *
 * @since 0.1.0
 * @category session details
 */
export class ConnectSessionDetails extends Schema.Class<ConnectSessionDetails>("ConnectSessionDetails")({
  endUser: Schema.optional(Schema.NullOr(SessionEndUser)),
  connectUISettings: Schema.optional(ConnectUISettings),
  allowed_integrations: Schema.optional(Schema.Array(Schema.String)),
  integrations_config_defaults: Schema.optional(Record(Schema.String, SessionIntegrationConfigDefaults)),
  isReconnecting: Schema.optional(Schema.Boolean),
  overrides: Schema.optional(Record(Schema.String, Schema.Struct({ docs_connect: Schema.optional(Schema.String) }))),
  websocketsPath: Schema.optional(Schema.String),
  token: Schema.optional(RedactedFromValue(Schema.String)),
  connect_link: Schema.optional(RedactedFromValue(Schema.String)),
  expires_at: Schema.optional(DateFromString),
}) {}

/**
 * The `{ data: … }` envelope of a 200 from `GET /connect/session`.
 *
 * @since 0.1.0
 * @category session details
 */
export const ConnectSessionDetailsResponse = Schema.Struct({ data: ConnectSessionDetails })

// -----------------------------------------------------------------------------
// Error envelope
// -----------------------------------------------------------------------------

/**
 * One validation item of a 400: `{ code, message, path }`; the server sends path segments as
 * strings, a spec-following server may send numbers.
 *
 * @since 0.1.0
 * @category errors
 */
export const ValidationIssue = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  path: Schema.Array(Union([Schema.String, Schema.Number])),
})

/**
 * A validation item of a 400, as carried by the `BadRequest` error.
 *
 * @since 0.1.0
 * @category errors
 */
export type ValidationIssue = typeof ValidationIssue.Type

/**
 * The error envelope `{ error: { code, message?, errors?, payload?, upstream? } }`, tolerant of the fields the
 * live server adds (`payload`, and `method`/`path` on 429) that the spec forbids.
 *
 * @since 0.1.0
 * @category errors
 */
export const ErrorEnvelope = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String,
    message: Schema.optional(Schema.String),
    errors: Schema.optional(Schema.Array(ValidationIssue)),
    payload: Schema.optional(Schema.Unknown),
    /** What the provider answered the call that failed inside an action (`script_http_error`). */
    upstream: Schema.optional(Schema.Unknown),
  }),
})

// -----------------------------------------------------------------------------
// Request bodies
// -----------------------------------------------------------------------------

/**
 * A value JSON can carry: what free-form request fields (such as `connection_config`) accept.
 *
 * @since 0.1.0
 * @category requests
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

/**
 * The schema of {@link JsonValue}: finite numbers only, so that every accepted value encodes.
 *
 * @since 0.1.0
 * @category requests
 */
export const JsonValue: Codec<JsonValue> = Union([
  Schema.String,
  Schema.Finite,
  Schema.Boolean,
  Schema.Null,
  Schema.Array(Schema.suspend((): Codec<JsonValue> => JsonValue)),
  Record(
    Schema.String,
    Schema.suspend((): Codec<JsonValue> => JsonValue),
  ),
])

const boundedString = (min: number, max: number) => Schema.String.pipe(minLength(min), maxLength(max))

const upTo = (max: number) => Schema.String.pipe(maxLength(max))

/**
 * An email as the server's validator (zod 4) accepts it.
 *
 * @since 0.1.0
 * @category requests
 */
export const Email = withSamples(
  // The pattern already needs 6 characters, so zod's minimum of 5 never adds an issue of its own.
  Schema.String.pipe(pattern(emailPattern, "must be a valid email address")),
  // fast-check cannot generate from a pattern with lookaheads: build addresses from parts.
  (fc) =>
    fc
      .tuple(
        fc.stringMatching(/^[a-z0-9_+-]{1,12}$/),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/),
        fc.stringMatching(/^[a-z]{2,6}$/),
      )
      .map(([local, domain, tld]: ReadonlyArray<string>) => `${local}@${domain}.${tld}`),
)

/**
 * An integration id (`provider_config_key`): `^[a-zA-Z0-9~:.@ _-]+$`, at most 255 characters.
 *
 * @since 0.1.0
 * @category requests
 */
export const IntegrationId = Schema.String.pipe(
  pattern(integrationIdPattern, "an integration id matches ^[a-zA-Z0-9~:.@ _-]+$"),
  maxLength(255),
)

/**
 * A connection id as the reconnect endpoint accepts it, at most 255 characters.
 *
 * @since 0.1.0
 * @category requests
 */
export const ConnectionId = Schema.String.pipe(pattern(connectionIdPattern, connectionIdMessage), maxLength(255))

const TagKey = Schema.String.pipe(
  pattern(tagKeyPattern, "a tag key matches ^[a-zA-Z][a-zA-Z0-9_\\-./]*$"),
  maxLength(64),
)

const isEmail = Schema.is(Email)

/** The rules the server applies to every tag record, beyond each key and value. */
const tagRecordRules = refine((tags: { readonly [key: string]: string }) => {
  const keys = Object.keys(tags)
  if (keys.length > 10) return "tags cannot contain more than 10 keys"
  const lowered = keys.map((key) => key.toLowerCase())
  const duplicate = lowered.find((key, index) => lowered.indexOf(key) !== index)
  if (duplicate !== undefined) return `duplicate tag key after case normalization: "${duplicate}"`
  const emailKey = keys.find((key) => key.toLowerCase() === "end_user_email")
  if (emailKey !== undefined && !isEmail(tags[emailKey])) return 'tag "end_user_email" must be a valid email'
  return true
})

/**
 * Top-level `tags`: at most 10 keys matching `^[a-zA-Z][a-zA-Z0-9_\-./]*$` (≤ 64, unique
 * case-insensitively), values of 1–255 characters, `end_user_email` an email.
 *
 * @since 0.1.0
 * @category requests
 */
export const Tags = Record(TagKey, boundedString(1, 255)).pipe(tagRecordRules)

/**
 * `end_user.tags`: as {@link Tags}, except that empty values are allowed.
 *
 * @since 0.1.0
 * @category requests
 */
export const EndUserTags = Record(TagKey, upTo(255)).pipe(tagRecordRules)

/**
 * The end user a session is created for.
 *
 * @since 0.1.0
 * @category requests
 */
export const EndUserInput = Schema.Struct({
  id: boundedString(1, 255),
  email: Schema.optional(Email),
  display_name: Schema.optional(upTo(255)),
  tags: Schema.optional(EndUserTags),
})

/**
 * The organization the end user belongs to.
 *
 * @since 0.1.0
 * @category requests
 */
export const OrganizationInput = Schema.Struct({
  id: upTo(255),
  display_name: Schema.optional(upTo(255)),
})

/**
 * Defaults applied to one integration when the end user connects it.
 *
 * @since 0.1.0
 * @category requests
 */
export const IntegrationConfigDefaultsInput = Schema.Struct({
  user_scopes: Schema.optional(Schema.String),
  authorization_params: Schema.optional(Record(Schema.String, Schema.String)),
  connection_config: Schema.optional(
    StructWithRest(
      { oauth_scopes_override: Schema.optional(Schema.String) },
      // undefined too, as on every optional field: JSON leaves such keys out.
      Record(Schema.String, Schema.UndefinedOr(JsonValue)),
    ),
  ),
})

/**
 * Per-integration overrides of the Connect UI; other keys are accepted, and the server drops them.
 *
 * @since 0.1.0
 * @category requests
 */
export const IntegrationOverridesInput = StructWithRest(
  { docs_connect: Schema.optional(Schema.String) },
  // The server drops keys it does not know here instead of refusing them, so they pass.
  Record(Schema.String, Schema.UndefinedOr(JsonValue)),
)

/**
 * A webhook URL override: an absolute http(s) URL not on nango.dev, or `""` to clear it.
 *
 * @since 0.1.0
 * @category requests
 */
export const WebhookUrlOverride = withSamples(
  Schema.String.pipe(
    refine((value: string) => {
      // Only the stable, local rules; the server's host policy (loopback, private ranges) is its own.
      const problem = localWebhookUrlProblem(value)
      return problem === undefined ? true : webhookUrlMessages[problem]
    }),
  ),
  (fc) =>
    fc.oneof(
      fc.constant(""),
      fc.webUrl().filter((url: string) => !new URL(url).hostname.endsWith("nango.dev")),
    ),
)

const sessionFields = {
  /**
   * The end user; still accepted and sent as given.
   *
   * @deprecated Nango deprecates it in favour of `tags` (its guide "Migrate from end user"): give
   * `tags: { end_user_id, … }` instead.
   */
  end_user: Schema.optional(EndUserInput),
  /**
   * The end user's organization; still accepted and sent as given.
   *
   * @deprecated Nango deprecates it in favour of `tags`: give `tags: { organization_id, … }` instead.
   */
  organization: Schema.optional(OrganizationInput),
  integrations_config_defaults: Schema.optional(Record(IntegrationId, IntegrationConfigDefaultsInput)),
  overrides: Schema.optional(Record(IntegrationId, IntegrationOverridesInput)),
  webhook_url_override: Schema.optional(WebhookUrlOverride),
  tags: Schema.optional(Tags),
}

/**
 * The body of `POST /connect/sessions`. `end_user` is required unless top-level `tags` are given;
 * unknown keys are rejected, as the server does.
 *
 * @since 0.1.0
 * @category requests
 */
export const CreateConnectSessionInput = Schema.Struct({
  ...sessionFields,
  allowed_integrations: Schema.optional(Schema.Array(IntegrationId)),
}).pipe(
  refine(
    (body: { readonly end_user?: unknown; readonly tags?: unknown }) =>
      body.end_user !== undefined || body.tags !== undefined,
    "end_user is required unless tags are provided",
  ),
)

/**
 * The body of `POST /connect/sessions`.
 *
 * @since 0.1.0
 * @category requests
 */
export type CreateConnectSessionInput = typeof CreateConnectSessionInput.Type

/**
 * The body of `POST /connect/sessions/reconnect`: the connection to re-authorize and its
 * integration; unknown keys (including `allowed_integrations`) are rejected, as the server does.
 *
 * @since 0.1.0
 * @category requests
 */
export const CreateReconnectSessionInput = Schema.Struct({
  connection_id: ConnectionId,
  integration_id: IntegrationId,
  ...sessionFields,
})

/**
 * The body of `POST /connect/sessions/reconnect`.
 *
 * @since 0.1.0
 * @category requests
 */
export type CreateReconnectSessionInput = typeof CreateReconnectSessionInput.Type
