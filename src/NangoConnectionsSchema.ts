/**
 * Effect Schemas of the connections Nango keeps, as the server (0.71.4) answers them: one
 * connection with its credentials, a list item, and the credentials as a union discriminated by
 * `type`, every secret (tokens, keys, passwords, the provider's raw answer) decoded to `Redacted`.
 * Dates decode to `Date` whatever the endpoint writes (`+00:00`, six decimals, or `Z`).
 *
 * @since 0.3.0
 */
import {
  atLeast,
  between,
  DateFromString,
  maxLength,
  minItems,
  minLength,
  minProperties,
  orDefault,
  Record,
  RedactedFromValue,
  refine,
  StructWithRest,
  transformSchema,
  Union,
} from "#effect"
import * as Schema from "#effect/Schema"
import { maxPageSize } from "../nango/src/connection-requests.js"
import { credentialTypes } from "../nango/src/credentials.js"
import { EndUserInput, IntegrationId, JsonValue, Tags, WebhookUrlOverride } from "./NangoConnectSchema.js"

/** A field that decodes to `null` when Nango leaves it out or sends `null`. */
const orNull = <S extends Parameters<typeof orDefault>[0]>(schema: S) => orDefault(Schema.NullOr(schema), () => null)

/** A secret string, kept `Redacted`. */
const Secret = RedactedFromValue(Schema.String)

/** The provider's own answer: it may hold any secret, so it is kept `Redacted` whole. */
const Raw = Schema.optional(RedactedFromValue(Schema.Unknown))

const ExpiresAt = Schema.optional(DateFromString)

const ConfigOverride = Schema.optional(
  Schema.Struct({ client_id: Schema.optional(Schema.String), client_secret: Schema.optional(Secret) }),
)

/**
 * OAuth 2 credentials; `refresh_token` only when asked for with `refreshToken: true`.
 *
 * @since 0.3.0
 * @category credentials
 */
export const OAuth2Credentials = Schema.Struct({
  type: Schema.Literal("OAUTH2"),
  access_token: Secret,
  refresh_token: Schema.optional(Secret),
  expires_at: ExpiresAt,
  config_override: ConfigOverride,
  raw: Raw,
})

/**
 * OAuth 1 credentials.
 *
 * @since 0.3.0
 * @category credentials
 */
export const OAuth1Credentials = Schema.Struct({
  type: Schema.Literal("OAUTH1"),
  oauth_token: Secret,
  oauth_token_secret: Secret,
  raw: Raw,
})

/**
 * OAuth 2 client-credentials.
 *
 * @since 0.3.0
 * @category credentials
 */
export const OAuth2ClientCredentials = Schema.Struct({
  type: Schema.Literal("OAUTH2_CC"),
  token: Secret,
  client_id: Schema.String,
  client_secret: Secret,
  client_certificate: Schema.optional(Secret),
  client_private_key: Schema.optional(Secret),
  expires_at: ExpiresAt,
  raw: Raw,
})

/**
 * An API key.
 *
 * @since 0.3.0
 * @category credentials
 */
export const ApiKeyCredentials = Schema.Struct({ type: Schema.Literal("API_KEY"), apiKey: Secret })

/**
 * A user name and password (either may be empty). An `INSTALL_PLUGIN` connection is stored as
 * `BASIC` too, with fields of its own, which are left out (any of them may be a secret).
 *
 * @since 0.3.0
 * @category credentials
 */
export const BasicCredentials = Schema.Struct({
  type: Schema.Literal("BASIC"),
  username: Schema.optional(Schema.String),
  password: Schema.optional(Secret),
})

/**
 * A GitHub App installation token.
 *
 * @since 0.3.0
 * @category credentials
 */
export const AppCredentials = Schema.Struct({
  type: Schema.Literal("APP"),
  access_token: Secret,
  expires_at: ExpiresAt,
  jwtToken: Schema.optional(Secret),
  raw: Raw,
})

/**
 * A GitHub App with OAuth: the app's token and, once authorized, the user's.
 *
 * @since 0.3.0
 * @category credentials
 */
export const CustomCredentials = Schema.Struct({
  type: Schema.Literal("CUSTOM"),
  app: Schema.optional(AppCredentials),
  user: Schema.optional(Schema.NullOr(OAuth2Credentials)),
  raw: Raw,
})

/**
 * NetSuite token-based authentication.
 *
 * @since 0.3.0
 * @category credentials
 */
export const TbaCredentials = Schema.Struct({
  type: Schema.Literal("TBA"),
  token_id: Secret,
  token_secret: Secret,
  config_override: ConfigOverride,
})

/**
 * A JWT; its provider-specific fields are left out, since any of them may be a secret.
 *
 * @since 0.3.0
 * @category credentials
 */
export const JwtCredentials = Schema.Struct({
  type: Schema.Literal("JWT"),
  token: Schema.optional(Secret),
  expires_at: ExpiresAt,
})

/**
 * Bill.com credentials.
 *
 * @since 0.3.0
 * @category credentials
 */
export const BillCredentials = Schema.Struct({
  type: Schema.Literal("BILL"),
  username: Schema.String,
  password: Secret,
  organization_id: Schema.String,
  dev_key: Secret,
  session_id: Schema.optional(Secret),
  user_id: Schema.optional(Schema.String),
  expires_at: ExpiresAt,
  raw: Raw,
})

/**
 * Two-step credentials (a token obtained from other credentials).
 *
 * @since 0.3.0
 * @category credentials
 */
export const TwoStepCredentials = Schema.Struct({
  type: Schema.Literal("TWO_STEP"),
  token: Schema.optional(Secret),
  refresh_token: Schema.optional(Secret),
  expires_at: ExpiresAt,
  raw: Raw,
})

/**
 * Signature-based credentials.
 *
 * @since 0.3.0
 * @category credentials
 */
export const SignatureCredentials = Schema.Struct({
  type: Schema.Literal("SIGNATURE"),
  username: Schema.String,
  password: Secret,
  token: Schema.optional(Secret),
  expires_at: ExpiresAt,
})

/**
 * AWS Signature Version 4 credentials.
 *
 * @since 0.3.0
 * @category credentials
 */
export const AwsSigV4Credentials = Schema.Struct({
  type: Schema.Literal("AWS_SIGV4"),
  role_arn: Schema.String,
  region: Schema.String,
  service: Schema.String,
  access_key_id: Schema.String,
  secret_access_key: Secret,
  session_token: Secret,
  expires_at: ExpiresAt,
  external_id: Schema.optional(Schema.String),
  raw: Raw,
})

/**
 * Credentials of a type this version does not know, decoded as `{ type: "UNKNOWN", name }`: only
 * the type's name is kept, since any other field may be a secret.
 *
 * @since 0.3.0
 * @category credentials
 */
export const OtherCredentials = transformSchema(
  Schema.Struct({
    type: Schema.String.pipe(
      refine(
        (type: string) =>
          !(credentialTypes as ReadonlyArray<string>).includes(type) || "a known type is decoded by its own schema",
      ),
    ),
  }),
  Schema.Struct({ type: Schema.Literal("UNKNOWN"), name: Schema.String }),
  {
    decode: ({ type }: { readonly type: string }) => ({ type: "UNKNOWN" as const, name: type }),
    encode: ({ name }: { readonly name: string }) => ({ type: name }),
  },
)

/**
 * No credentials, `{}`: the key lacks the `read_credentials` scope, or the connection needs none.
 *
 * @since 0.3.0
 * @category credentials
 */
export const NoCredentials = Record(Schema.String, Schema.Never)

/**
 * A connection's credentials, discriminated by `type` (none for {@link NoCredentials}).
 *
 * @since 0.3.0
 * @category credentials
 */
export const Credentials = Union([
  OAuth2Credentials,
  OAuth1Credentials,
  OAuth2ClientCredentials,
  ApiKeyCredentials,
  BasicCredentials,
  AppCredentials,
  CustomCredentials,
  TbaCredentials,
  JwtCredentials,
  BillCredentials,
  TwoStepCredentials,
  SignatureCredentials,
  AwsSigV4Credentials,
  OtherCredentials,
  NoCredentials,
])

/**
 * A connection's credentials.
 *
 * @since 0.3.0
 * @category credentials
 */
export type Credentials = typeof Credentials.Type

/**
 * The end user a connection is linked to.
 *
 * @since 0.3.0
 * @category connections
 */
export const ConnectionEndUser = Schema.Struct({
  id: Schema.String,
  display_name: orNull(Schema.String),
  email: orNull(Schema.String),
  tags: orNull(Record(Schema.String, Schema.String)),
  organization: orNull(Schema.Struct({ id: Schema.String, display_name: orNull(Schema.String) })),
})

/**
 * A connection's configuration: provider-specific values, of which `oauth_client_secret` (NetSuite
 * TBA) is a secret and kept `Redacted`.
 *
 * @since 0.3.0
 * @category connections
 */
export const ConnectionConfig = StructWithRest(
  { oauth_client_secret: Schema.optional(Secret) },
  Record(Schema.String, Schema.Unknown),
)

// What a caller cannot do without is required: which connection (`connection_id`,
// `provider_config_key`) and, from getConnection, its `credentials`. Every other field is tolerant:
// Nango Cloud runs newer code than any release, and a field it stops sending, or sends as null,
// decodes to null (or to {} or [] for a collection) instead of failing the call.
const summaryFields = {
  id: orNull(Schema.Number),
  connection_id: Schema.String,
  provider_config_key: Schema.String,
  provider: orNull(Schema.String),
  errors: orDefault(Schema.Array(Schema.Struct({ type: Schema.String, log_id: orNull(Schema.String) })), () => []),
  end_user: orNull(ConnectionEndUser),
  tags: orDefault(Record(Schema.String, Schema.String), () => ({})),
  metadata: orNull(Record(Schema.String, Schema.Unknown)),
}

/**
 * One connection with its credentials, as `GET /connections/{id}` answers it. Only
 * `connection_id`, `provider_config_key` and `credentials` are required; any other field Nango
 * leaves out or sends as `null` decodes to `null` (`{}` for `tags` and `connection_config`, `[]`
 * for `errors`).
 *
 * @since 0.3.0
 * @category connections
 */
export const Connection = Schema.Struct({
  ...summaryFields,
  connection_config: orDefault(ConnectionConfig, () => ({})),
  webhook_url_override: orNull(Schema.String),
  created_at: orNull(DateFromString),
  updated_at: orNull(DateFromString),
  last_fetched_at: orNull(DateFromString),
  credentials: Credentials,
})

/**
 * One connection with its credentials.
 *
 * @since 0.3.0
 * @category connections
 */
export type Connection = typeof Connection.Type

/**
 * A connection as `GET /connections` lists it: no credentials, no configuration; tolerant as
 * {@link Connection} is (`created` decodes to `null` when left out).
 *
 * @since 0.3.0
 * @category connections
 */
export const ConnectionSummary = Schema.Struct({ ...summaryFields, created: orNull(DateFromString) })

/**
 * The body of `GET /connections`: one page, newest first.
 *
 * @since 0.3.0
 * @category connections
 */
export const ConnectionList = Schema.Struct({ connections: Schema.Array(ConnectionSummary) })

/**
 * A connection as listed.
 *
 * @since 0.3.0
 * @category connections
 */
export type ConnectionSummary = typeof ConnectionSummary.Type

// -----------------------------------------------------------------------------
// Requests
// -----------------------------------------------------------------------------

/**
 * What `getConnection` takes beside the id: the integration, and whether to refresh the
 * credentials now (`forceRefresh`) or include the refresh token (`refreshToken`). Either flag
 * needs the key's `read_credentials` scope.
 *
 * @since 0.3.0
 * @category requests
 */
export const GetConnectionOptions = Schema.Struct({
  providerConfigKey: IntegrationId,
  forceRefresh: Schema.optional(Schema.Boolean),
  refreshToken: Schema.optional(Schema.Boolean),
})

/**
 * What `getConnection` takes beside the id.
 *
 * @since 0.3.0
 * @category requests
 */
export type GetConnectionOptions = typeof GetConnectionOptions.Type

const filterString = Schema.String.pipe(minLength(1), maxLength(255))

/**
 * The filters and page of `listConnections`, all applied together: `tags` (every pair must match;
 * keys are compared lowercased), one integration or several, a `search` over the id and the end
 * user's name and email (sent as given: Nango's `ILIKE` reads `_` as any one character and `%` as
 * any run of them), an exact `connectionId`, and `limit` (1–2,000; the server answers up to
 * 10,000 when it is absent) with `page` (the offset is `page × limit`). `endUserId` and
 * `endUserOrganizationId` are deprecated by Nango in favour of tags.
 *
 * @since 0.3.0
 * @category requests
 */
export const ListConnectionsQuery = Schema.Struct({
  tags: Schema.optional(Tags),
  integrationId: Schema.optional(
    Union([Schema.String.pipe(minLength(1)), Schema.Array(IntegrationId).pipe(minItems(1))]),
  ),
  search: Schema.optional(filterString),
  connectionId: Schema.optional(filterString),
  endUserId: Schema.optional(filterString),
  endUserOrganizationId: Schema.optional(filterString),
  limit: Schema.optional(Schema.Finite.pipe(between(1, maxPageSize))),
  page: Schema.optional(Schema.Finite.pipe(atLeast(0))),
})

/**
 * The filters and page of `listConnections`.
 *
 * @since 0.3.0
 * @category requests
 */
export type ListConnectionsQuery = typeof ListConnectionsQuery.Type

/**
 * What `patchConnection` changes on a connection of `providerConfigKey`. When `tags` or `end_user`
 * is given, the tags derived from `end_user` with `tags` over them **replace** the connection's
 * tags whole: `tags: {}` clears them, and `end_user` alone drops the custom ones.
 * `webhook_url_override: ""` clears the override. `end_user` is deprecated by Nango in favour of tags.
 *
 * @since 0.3.0
 * @category requests
 */
export const PatchConnectionInput = Schema.Struct({
  providerConfigKey: IntegrationId,
  tags: Schema.optional(Tags),
  end_user: Schema.optional(EndUserInput),
  webhook_url_override: Schema.optional(WebhookUrlOverride),
})

/**
 * What `patchConnection` changes.
 *
 * @since 0.3.0
 * @category requests
 */
export type PatchConnectionInput = typeof PatchConnectionInput.Type

/**
 * What `deleteConnection` takes beside the id: the connection's integration.
 *
 * @since 0.3.0
 * @category requests
 */
export const DeleteConnectionOptions = Schema.Struct({ providerConfigKey: IntegrationId })

/**
 * What `deleteConnection` takes beside the id.
 *
 * @since 0.3.0
 * @category requests
 */
export type DeleteConnectionOptions = typeof DeleteConnectionOptions.Type

/**
 * What `setMetadata` and `updateMetadata` take beside the ids: the integration and a JSON object.
 *
 * @since 0.3.0
 * @category requests
 */
export const MetadataInput = Schema.Struct({
  providerConfigKey: IntegrationId,
  metadata: Record(Schema.String, JsonValue),
})

/**
 * What `setMetadata` and `updateMetadata` take beside the ids.
 *
 * @since 0.3.0
 * @category requests
 */
export type MetadataInput = typeof MetadataInput.Type

/**
 * What `awaitConnection` waits for: a connection whose tags hold all of `tags` (at least one;
 * those the Connect session was created with), of `integrationId` if given.
 *
 * @since 0.3.0
 * @category requests
 */
export const AwaitConnectionQuery = Schema.Struct({
  tags: Tags.pipe(minProperties(1, "expected at least one tag")),
  integrationId: Schema.optional(IntegrationId),
})

/**
 * What `awaitConnection` waits for.
 *
 * @since 0.3.0
 * @category requests
 */
export type AwaitConnectionQuery = typeof AwaitConnectionQuery.Type
