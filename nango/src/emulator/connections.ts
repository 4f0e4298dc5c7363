/**
 * The connections the emulator keeps, and the `/connections` endpoints as the live server (0.71.4)
 * answers them: read one (credentials only with the `read_credentials` scope, refresh that
 * succeeds, fails or is exhausted), list with filters and pages, patch, delete, metadata replace
 * and merge, and import. Statuses, codes and messages are the server's, where they differ from
 * its spec too (docs/nango-server.md, "Connections").
 */
import { randomBytes, randomUUID } from "node:crypto"
import { connectionIdPattern, derivedTags, integrationIdPattern, maxEffectiveTags, tagKeyPattern } from "../rules.js"
import type { Issue } from "../validation.js"
import { invalid, type Reply } from "./replies.js"
import type { ConnectionEndUser, NewConnection, StoredConnection } from "./types.js"

/** An `end_user` body (as validated) in the shape a connection reports it, with its organization. */
export const toConnectionEndUser = (
  user: Record<string, unknown>,
  organization: ConnectionEndUser["organization"],
): ConnectionEndUser => ({
  id: user.id as string,
  display_name: (user.display_name as string | undefined) ?? null,
  email: (user.email as string | undefined) ?? null,
  tags: (user.tags as Record<string, string> | undefined) ?? null,
  organization,
})

/** The scopes that let a key read a connection's credentials. */
const credentialScopes = ["environment:*", "environment:connections:*", "environment:connections:read_credentials"]

/** Whether a key's scopes grant `scope` (a grant ending in `:*` matches by prefix). */
export const grants = (scopes: ReadonlyArray<string>, scope: string): boolean =>
  scopes.some((granted) => granted === scope || (granted.endsWith(":*") && scope.startsWith(granted.slice(0, -1))))

const forbidden = (message: string): Reply => ({ status: 403, body: { error: { code: "forbidden", message } } })

/** The scope each connections endpoint needs, as the server's guard words its refusal. */
export const scopeCheck = (endpoint: ConnectionsEndpoint, scopes: ReadonlyArray<string>): Reply | undefined => {
  const any = (...needed: ReadonlyArray<string>) =>
    needed.some((scope) => grants(scopes, scope))
      ? undefined
      : forbidden(
          needed.length === 1
            ? `Insufficient scope. Required: ${needed[0]}`
            : `Insufficient scope. Required one of: ${needed.join(" or ")}`,
        )
  switch (endpoint) {
    case "getConnection":
      return any("environment:connections:read", "environment:connections:read_credentials")
    case "listConnections":
      return any("environment:connections:list", "environment:connections:list_credentials")
    case "patchConnection":
    case "setMetadata":
    case "updateMetadata":
      return any("environment:connections:update")
    case "deleteConnection":
      return any("environment:connections:delete")
    case "importConnection":
      return any("environment:connections:create")
  }
}

/** The `/connections` endpoints. */
export type ConnectionsEndpoint =
  | "getConnection"
  | "listConnections"
  | "patchConnection"
  | "deleteConnection"
  | "setMetadata"
  | "updateMetadata"
  | "importConnection"

/** The endpoint a method and path name, with the connection id of the path, if any. */
export const connectionsEndpointOf = (
  method: string,
  path: string,
): { readonly endpoint: ConnectionsEndpoint; readonly connectionId?: string } | undefined => {
  if (path === "/connections") {
    return method === "GET"
      ? { endpoint: "listConnections" }
      : method === "POST"
        ? { endpoint: "importConnection" }
        : undefined
  }
  if (path === "/connections/metadata" && (method === "POST" || method === "PATCH")) {
    return { endpoint: method === "POST" ? "setMetadata" : "updateMetadata" }
  }
  const match = /^\/connections\/([^/]+)$/.exec(path)
  if (match === null) return undefined
  let connectionId: string
  try {
    connectionId = decodeURIComponent(match[1] as string)
  } catch {
    return undefined
  }
  const endpoint =
    method === "GET"
      ? "getConnection"
      : method === "PATCH"
        ? "patchConnection"
        : method === "DELETE"
          ? "deleteConnection"
          : undefined
  return endpoint === undefined ? undefined : { endpoint, connectionId }
}

// -----------------------------------------------------------------------------
// Query validation, as zod words it
// -----------------------------------------------------------------------------

const issue = (code: string, message: string, path: ReadonlyArray<string>): Issue => ({ code, message, path })

const trueWords = new Set(["true", "1", "yes", "on", "y", "enabled"])
const falseWords = new Set(["false", "0", "no", "off", "n", "disabled"])

/** A query read as `qs` reads it for the keys the emulator knows: `tags[k]` as a record. */
interface Query {
  readonly values: Map<string, Array<string>>
  readonly tags: Map<string, Array<string>>
}

const readQuery = (params: URLSearchParams): Query => {
  const values = new Map<string, Array<string>>()
  const tags = new Map<string, Array<string>>()
  for (const [key, value] of params) {
    const tag = /^tags\[(.*)\]$/.exec(key)
    const into = tag === null ? values : tags
    const name = tag === null ? key : (tag[1] as string)
    into.set(name, [...(into.get(name) ?? []), value])
  }
  return { values, tags }
}

/** Checks a strict query: known keys only, each once, each by its rule; returns the values read. */
const checkQuery = (
  query: Query,
  rules: Record<string, { readonly required?: boolean; readonly check: (value: string) => string | undefined }>,
): { readonly issues: Array<Issue>; readonly read: Record<string, string> } => {
  const issues: Array<Issue> = []
  const read: Record<string, string> = {}
  for (const [name, rule] of Object.entries(rules)) {
    const values = query.values.get(name)
    if (values === undefined) {
      if (rule.required === true) {
        issues.push(issue("invalid_type", "Invalid input: expected string, received undefined", [name]))
      }
      continue
    }
    if (values.length > 1) {
      issues.push(issue("invalid_type", "Invalid input: expected string, received array", [name]))
      continue
    }
    const problem = rule.check(values[0] as string)
    if (problem !== undefined) issues.push(issue("invalid_format", problem, [name]))
    else read[name] = values[0] as string
  }
  for (const name of query.values.keys()) {
    if (!(name in rules)) issues.push(issue("unrecognized_keys", `Unrecognized key: "${name}"`, []))
  }
  if (query.tags.size > 0 && !("tags" in rules)) issues.push(issue("unrecognized_keys", 'Unrecognized key: "tags"', []))
  return { issues, read }
}

const integrationRule = {
  required: true,
  check: (value: string) =>
    integrationIdPattern.test(value) && value.length <= 255
      ? undefined
      : `Invalid string: must match pattern ${integrationIdPattern}`,
}
const boolRule = {
  check: (value: string) =>
    trueWords.has(value.toLowerCase()) || falseWords.has(value.toLowerCase())
      ? undefined
      : 'Invalid input: expected stringbool ("true" or "false" and their equivalents)',
}
const isTrue = (value: string | undefined) => value !== undefined && trueWords.has(value.toLowerCase())
const lengthRule = (min: number, max: number) => ({
  check: (value: string) =>
    value.length < min
      ? `Too small: expected string to have >=${min} characters`
      : value.length > max
        ? `Too big: expected string to have <=${max} characters`
        : undefined,
})
const numberRule = (min: number, max: number) => ({
  check: (value: string) => {
    const number = Number(value)
    if (value.trim() === "" || Number.isNaN(number)) return "Invalid input: expected number, received NaN"
    if (number < min) return `Too small: expected number to be >=${min}`
    if (number > max) return `Too big: expected number to be <=${max}`
    return undefined
  },
})

/** The path's connection id, as `connectionIdSchema` checks it. */
const checkConnectionId = (connectionId: string): ReadonlyArray<Issue> =>
  connectionIdPattern.test(connectionId) && connectionId.length <= 255
    ? []
    : [issue("invalid_format", `Invalid string: must match pattern ${connectionIdPattern}`, ["connectionId"])]

const notFound: Reply = { status: 404, body: { error: { code: "not_found", message: "Failed to find connection" } } }
const unknownIntegration: Reply = {
  status: 400,
  body: { error: { code: "unknown_provider_config", message: "Provider does not exists" } },
}

/** A timestamp as the GET of one connection writes it: `+00:00` instead of `Z`. */
const offsetTime = (millis: number) => new Date(millis).toISOString().replace("Z", "+00:00")

/** A list item's `created`: PostgreSQL's own form, with microseconds and `+00:00`. */
const postgresTime = (millis: number) => new Date(millis).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00")

/** Credentials as the server hands them out: refresh tokens removed unless asked for. */
const withoutRefreshTokens = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutRefreshTokens)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key.replace(/[^a-zA-Z]/g, "").toLowerCase() !== "refreshtoken")
      .map(([key, item]) => [key, withoutRefreshTokens(item)]),
  )
}

const token = (prefix: string) => `${prefix}_${randomBytes(16).toString("hex")}`

/** Credentials of a given type, with fresh secrets, as a provider would have issued them. */
export const sampleCredentials = (type: string, now: number): Record<string, unknown> => {
  const expiresAt = new Date(now + 3600_000).toISOString()
  switch (type) {
    case "OAUTH2": {
      const issued = { access_token: token("access"), refresh_token: token("refresh"), expires_at: expiresAt }
      return { type, ...issued, raw: { ...issued, token_type: "bearer" } }
    }
    case "OAUTH1": {
      const issued = { oauth_token: token("oauth"), oauth_token_secret: token("secret") }
      return { type, ...issued, raw: issued }
    }
    case "OAUTH2_CC":
      return {
        type,
        token: token("cc"),
        client_id: "client",
        client_secret: token("secret"),
        expires_at: expiresAt,
        raw: {},
      }
    case "API_KEY":
      return { type, apiKey: token("key") }
    case "BASIC":
      return { type, username: "user", password: token("password") }
    case "APP": {
      const issued = { access_token: token("access"), expires_at: expiresAt }
      return { type, ...issued, jwtToken: token("token"), raw: issued }
    }
    case "CUSTOM":
      return {
        type,
        app: { type: "APP", access_token: token("access"), expires_at: expiresAt, raw: {} },
        user: { type: "OAUTH2", access_token: token("access"), refresh_token: token("refresh"), raw: {} },
        raw: {},
      }
    case "TBA":
      return {
        type,
        token_id: token("token"),
        token_secret: token("secret"),
        config_override: { client_id: "client", client_secret: token("secret") },
      }
    case "JWT":
      return { type, token: token("token"), expires_at: expiresAt }
    case "BILL":
      return {
        type,
        username: "user",
        password: token("password"),
        organization_id: "org",
        dev_key: token("key"),
        session_id: token("token"),
        user_id: "user",
        expires_at: expiresAt,
        raw: {},
      }
    case "TWO_STEP":
      return { type, token: token("token"), refresh_token: token("refresh"), expires_at: expiresAt, raw: {} }
    case "SIGNATURE":
      return { type, username: "user", password: token("password"), token: token("token"), expires_at: expiresAt }
    case "AWS_SIGV4":
      return {
        type,
        role_arn: "arn:aws:iam::123456789012:role/nango",
        region: "us-east-1",
        service: "execute-api",
        access_key_id: "AKIAEXAMPLE",
        secret_access_key: token("secret"),
        session_token: token("token"),
        expires_at: expiresAt,
        raw: {},
      }
    case "NONE":
      return {}
    default:
      return { type, token: token("token"), raw: {} }
  }
}

/** The fields a connection shows in a list and in its own GET alike, in the server's order. */
const summary = (connection: StoredConnection) => ({
  id: connection.id,
  connection_id: connection.connection_id,
  provider_config_key: connection.provider_config_key,
  provider: connection.provider,
  errors: connection.errors,
  end_user: connection.end_user,
  tags: connection.tags,
  metadata: connection.metadata,
})

/** The connections of one emulator, and the `/connections` endpoints on them. */
export class Connections {
  /** Every live connection, deleted ones removed. */
  readonly all: Array<StoredConnection> = []
  private nextId = 1

  constructor(
    private readonly integrations: ReadonlySet<string>,
    private readonly now: () => number,
  ) {}

  /** The live connection with this id under this integration. */
  find(connectionId: string, integration: string): StoredConnection | undefined {
    return this.all.find(
      (connection) => connection.connection_id === connectionId && connection.provider_config_key === integration,
    )
  }

  /** Makes (or, for the same id and integration, replaces) a connection, as an upsert does. */
  upsert(input: NewConnection): StoredConnection {
    const now = this.now()
    const existing = this.find(input.connection_id, input.provider_config_key)
    const connection: StoredConnection = {
      id: existing?.id ?? this.nextId++,
      connection_id: input.connection_id,
      provider_config_key: input.provider_config_key,
      provider: input.provider ?? input.provider_config_key,
      credentials: input.credentials ?? sampleCredentials("OAUTH2", now),
      connection_config: input.connection_config ?? {},
      metadata: input.metadata === undefined ? null : input.metadata,
      tags: input.tags ?? {},
      end_user: input.end_user ?? null,
      webhook_url_override: input.webhook_url_override ?? null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
      last_fetched_at: null,
      errors: [],
      refresh: "ok",
    }
    if (existing === undefined) this.all.push(connection)
    else this.all.splice(this.all.indexOf(existing), 1, connection)
    return connection
  }

  /** Answers one `/connections` request, once the key is known to have the endpoint's scope. */
  answer(
    endpoint: ConnectionsEndpoint,
    connectionId: string | undefined,
    url: URL,
    body: unknown,
    scopes: ReadonlyArray<string>,
  ): Reply {
    switch (endpoint) {
      case "getConnection":
        return this.get(connectionId as string, url, scopes)
      case "listConnections":
        return this.list(url)
      case "patchConnection":
        return this.patch(connectionId as string, url, body)
      case "deleteConnection":
        return this.delete(connectionId as string, url)
      case "setMetadata":
      case "updateMetadata":
        return this.metadata(url, body, endpoint === "updateMetadata")
      case "importConnection":
        return this.import(url, body)
    }
  }

  /** `GET /connections/{id}`: query, path, flag scope, integration, connection, refresh. */
  private get(connectionId: string, url: URL, scopes: ReadonlyArray<string>): Reply {
    const { issues, read } = checkQuery(readQuery(url.searchParams), {
      provider_config_key: integrationRule,
      refresh_token: boolRule,
      force_refresh: boolRule,
      refresh_github_app_jwt_token: boolRule,
    })
    if (issues.length > 0) return invalid("invalid_query_params", issues)
    const pathIssues = checkConnectionId(connectionId)
    if (pathIssues.length > 0) return invalid("invalid_uri_params", pathIssues)
    const canRead = credentialScopes.some((scope) => grants(scopes, scope))
    const forceRefresh = isTrue(read.force_refresh)
    const flags = [read.refresh_token, read.force_refresh, read.refresh_github_app_jwt_token].some(isTrue)
    if (flags && !canRead) {
      return forbidden("Credential and refresh options require the environment:connections:read_credentials scope")
    }
    const integration = read.provider_config_key as string
    if (!this.integrations.has(integration)) return unknownIntegration
    const connection = this.find(connectionId, integration)
    if (connection === undefined) return notFound
    if (canRead) {
      const refused = this.refresh(connection, forceRefresh)
      if (refused !== undefined) return refused
      connection.last_fetched_at = this.now()
    }
    return { status: 200, body: this.full(connection, canRead, isTrue(read.refresh_token)) }
  }

  /** Refreshes when asked (or when the token is near expiry), as the connection's behaviour says. */
  private refresh(connection: StoredConnection, force: boolean): Reply | undefined {
    const type = connection.credentials.type
    if (connection.refresh === "exhausted" && !force) {
      return this.invalidCredentials(424, "The refresh limit has been reached for this connection.", connection)
    }
    if (!force || type !== "OAUTH2") return undefined
    if (connection.refresh !== "ok") {
      connection.errors = [...connection.errors, { type: "auth", log_id: randomBytes(8).toString("hex") }]
      return this.invalidCredentials(
        400,
        "The external API returned an error when trying to refresh the access token. Please try again later.",
        connection,
      )
    }
    connection.credentials = sampleCredentials("OAUTH2", this.now())
    connection.updated_at = this.now()
    return undefined
  }

  private invalidCredentials(status: number, message: string, connection: StoredConnection): Reply {
    return {
      status,
      body: {
        error: { code: "invalid_credentials", message, payload: { connection: this.full(connection, false, false) } },
      },
    }
  }

  /** A connection as `GET /connections/{id}` answers it. */
  private full(connection: StoredConnection, withCredentials: boolean, withRefreshToken: boolean) {
    const strip = (value: unknown) => (withRefreshToken ? value : withoutRefreshTokens(value))
    return {
      ...summary(connection),
      connection_config: strip(connection.connection_config),
      webhook_url_override: connection.webhook_url_override,
      created_at: offsetTime(connection.created_at),
      updated_at: offsetTime(connection.updated_at),
      last_fetched_at: connection.last_fetched_at === null ? null : offsetTime(connection.last_fetched_at),
      credentials: withCredentials ? strip(connection.credentials) : {},
    }
  }

  /** `GET /connections`: filters (all must match), newest first, `limit` (10,000 when absent) and `page`. */
  private list(url: URL): Reply {
    const query = readQuery(url.searchParams)
    const { issues, read } = checkQuery(query, {
      connectionId: lengthRule(1, 255),
      search: lengthRule(1, 255),
      endUserId: lengthRule(1, 255),
      endUserOrganizationId: lengthRule(1, 255),
      integrationId: lengthRule(1, Number.POSITIVE_INFINITY),
      limit: numberRule(1, 2000),
      page: numberRule(0, Number.POSITIVE_INFINITY),
      tags: { check: () => undefined },
    })
    const tags: Record<string, string> = {}
    for (const [key, values] of query.tags) {
      if (!tagKeyPattern.test(key) || key.length > 64) {
        issues.push(issue("invalid_key", "Invalid key in record", ["tags", key]))
      } else tags[key.toLowerCase()] = values[0] as string
    }
    if (issues.length > 0) return invalid("invalid_query_params", issues)
    const integrations = read.integrationId?.split(",").map((id) => id.trim())
    const search = read.search?.toLowerCase()
    const matches = this.all.filter(
      (connection) =>
        (read.connectionId === undefined || connection.connection_id === read.connectionId) &&
        (integrations === undefined || integrations.includes(connection.provider_config_key)) &&
        (read.endUserId === undefined || connection.end_user?.id === read.endUserId) &&
        (read.endUserOrganizationId === undefined ||
          connection.end_user?.organization?.id === read.endUserOrganizationId) &&
        (search === undefined ||
          [connection.connection_id, connection.end_user?.display_name, connection.end_user?.email].some(
            (text) => typeof text === "string" && text.toLowerCase().includes(search),
          )) &&
        Object.entries(tags).every(([key, value]) => connection.tags[key] === value),
    )
    const ordered = [...matches].sort((a, b) => b.created_at - a.created_at || b.id - a.id)
    const limit = read.limit === undefined ? 10_000 : Number(read.limit)
    const offset = Math.floor((read.page === undefined ? 0 : Number(read.page)) * limit)
    return {
      status: 200,
      body: {
        connections: ordered.slice(offset, offset + Math.floor(limit)).map((connection) => ({
          ...summary(connection),
          created: postgresTime(connection.created_at),
        })),
      },
    }
  }

  /** `PATCH /connections/{id}`: the given tags (with those derived from `end_user`) replace the old ones. */
  private patch(connectionId: string, url: URL, body: unknown): Reply {
    const { issues, read } = checkQuery(readQuery(url.searchParams), { provider_config_key: integrationRule })
    if (issues.length > 0) return invalid("invalid_query_params", issues)
    const bodyIssues = checkStrictObject(body, ["end_user", "tags", "webhook_url_override"])
    if (bodyIssues.length > 0) return invalid("invalid_body", bodyIssues)
    const pathIssues = checkConnectionId(connectionId)
    if (pathIssues.length > 0) return invalid("invalid_uri_params", pathIssues)
    const integration = read.provider_config_key as string
    if (!this.integrations.has(integration)) return unknownIntegration
    const connection = this.find(connectionId, integration)
    if (connection === undefined) return notFound
    const patch = (body ?? {}) as {
      end_user?: Record<string, unknown>
      tags?: Record<string, string>
      webhook_url_override?: string
    }
    if (patch.end_user !== undefined || patch.tags !== undefined) {
      // The tags derived from end_user, the given ones over them: the whole set replaces the old one.
      const merged: Record<string, string> = derivedTags(patch.end_user, undefined)
      for (const [key, value] of Object.entries(patch.tags ?? {})) merged[key.toLowerCase()] = value
      if (Object.keys(merged).length > maxEffectiveTags) {
        return {
          status: 400,
          body: { error: { code: "invalid_body", message: `Tags cannot contain more than ${maxEffectiveTags} keys` } },
        }
      }
      connection.tags = merged
    }
    if (patch.end_user !== undefined) {
      connection.end_user = toConnectionEndUser(patch.end_user, connection.end_user?.organization ?? null)
    }
    if (patch.webhook_url_override !== undefined) {
      connection.webhook_url_override = patch.webhook_url_override === "" ? null : patch.webhook_url_override
    }
    connection.updated_at = this.now()
    return { status: 200, body: { success: true } }
  }

  /** `DELETE /connections/{id}`: an unknown connection or integration is a 400 without a message. */
  private delete(connectionId: string, url: URL): Reply {
    const pathIssues = checkConnectionId(connectionId)
    if (pathIssues.length > 0) return invalid("invalid_uri_params", pathIssues)
    const { issues, read } = checkQuery(readQuery(url.searchParams), { provider_config_key: integrationRule })
    if (issues.length > 0) return invalid("invalid_query_params", issues)
    const connection = this.find(connectionId, read.provider_config_key as string)
    if (connection === undefined) return { status: 400, body: { error: { code: "unknown_connection" } } }
    this.all.splice(this.all.indexOf(connection), 1)
    return { status: 200, body: { success: true } }
  }

  /** `POST` (replace) and `PATCH` (shallow merge) `/connections/metadata`, for one id or many. */
  private metadata(url: URL, body: unknown, merge: boolean): Reply {
    const { issues } = checkQuery(readQuery(url.searchParams), {})
    if (issues.length > 0) return invalid("invalid_query_params", issues)
    const bodyIssues = checkStrictObject(body, ["connection_id", "provider_config_key", "metadata"])
    const input = (body ?? {}) as { connection_id?: unknown; provider_config_key?: unknown; metadata?: unknown }
    const ids = Array.isArray(input.connection_id) ? input.connection_id : [input.connection_id]
    if (!ids.every((id) => typeof id === "string" && id !== "" && connectionIdPattern.test(id))) {
      bodyIssues.push(issue("invalid_union", "Invalid input", ["connection_id"]))
    }
    if (typeof input.provider_config_key !== "string" || !integrationIdPattern.test(input.provider_config_key)) {
      bodyIssues.push(
        issue("invalid_type", "Invalid input: expected string, received undefined", ["provider_config_key"]),
      )
    }
    const metadata = input.metadata
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      bodyIssues.push(issue("invalid_type", "Invalid input: expected record, received undefined", ["metadata"]))
    }
    if (bodyIssues.length > 0) return invalid("invalid_body", bodyIssues)
    const integration = input.provider_config_key as string
    const found: Array<StoredConnection> = []
    for (const id of ids as Array<string>) {
      const connection = this.find(id, integration)
      if (connection === undefined) {
        const suffix = Array.isArray(input.connection_id)
          ? ". No actions were taken on any of the connections as a result of this failure."
          : ""
        return {
          status: 404,
          body: {
            error: {
              code: "unknown_connection",
              message: `Connection with connection id ${id} and provider config key ${integration} not found. Please make sure the connection exists in the Nango dashboard${suffix}`,
            },
          },
        }
      }
      found.push(connection)
    }
    for (const connection of found) {
      connection.metadata = merge
        ? { ...(connection.metadata ?? {}), ...(metadata as Record<string, unknown>) }
        : { ...(metadata as Record<string, unknown>) }
      connection.updated_at = this.now()
    }
    return { status: merge ? 200 : 201, body }
  }

  /** `POST /connections`: imports (or replaces) a connection; answers it with its credentials, times in `Z`. */
  private import(url: URL, body: unknown): Reply {
    const { issues } = checkQuery(readQuery(url.searchParams), {})
    if (issues.length > 0) return invalid("invalid_query_params", issues)
    const bodyIssues = checkStrictObject(body, [
      "provider_config_key",
      "connection_id",
      "metadata",
      "connection_config",
      "webhook_url_override",
      "end_user",
      "tags",
      "credentials",
    ])
    const input = (body ?? {}) as Record<string, unknown>
    if (typeof input.provider_config_key !== "string") {
      bodyIssues.push(
        issue("invalid_type", "Invalid input: expected string, received undefined", ["provider_config_key"]),
      )
    }
    const credentials = input.credentials as Record<string, unknown> | undefined
    if (typeof credentials !== "object" || credentials === null || typeof credentials.type !== "string") {
      bodyIssues.push(issue("invalid_union", "Invalid input", ["credentials"]))
    }
    if (bodyIssues.length > 0) return invalid("invalid_body", bodyIssues)
    const integration = input.provider_config_key as string
    if (!this.integrations.has(integration)) {
      return { status: 404, body: { error: { code: "not_found", message: "Integration does not exist" } } }
    }
    const stored = { ...(credentials as Record<string, unknown>) }
    const type = stored.type as string
    const imported =
      type === "OAUTH2" || type === "OAUTH1" || type === "OAUTH2_CC" ? { ...stored, raw: { ...stored } } : stored
    const connection = this.upsert({
      connection_id: typeof input.connection_id === "string" ? input.connection_id : randomUUID(),
      provider_config_key: integration,
      credentials: type === "NONE" ? {} : imported,
      connection_config: (input.connection_config as Record<string, unknown> | undefined) ?? {},
      metadata: (input.metadata as Record<string, unknown> | undefined) ?? {},
      tags: Object.fromEntries(
        Object.entries((input.tags as Record<string, string> | undefined) ?? {}).map(([key, value]) => [
          key.toLowerCase(),
          value,
        ]),
      ),
      webhook_url_override: typeof input.webhook_url_override === "string" ? input.webhook_url_override : null,
    })
    const full = this.full(connection, true, true)
    return {
      status: 201,
      body: {
        ...full,
        created_at: new Date(connection.created_at).toISOString(),
        updated_at: new Date(connection.updated_at).toISOString(),
      },
    }
  }
}

/** The issues of a body that must be an object with only `known` keys (`{}` and no body pass). */
const checkStrictObject = (body: unknown, known: ReadonlyArray<string>): Array<Issue> => {
  if (body === undefined) return []
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return [
      issue(
        "invalid_type",
        `Invalid input: expected object, received ${Array.isArray(body) ? "array" : typeof body}`,
        [],
      ),
    ]
  }
  return Object.keys(body)
    .filter((key) => !known.includes(key))
    .map((key) => issue("unrecognized_keys", `Unrecognized key: "${key}"`, []))
}
