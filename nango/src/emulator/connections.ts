/**
 * The connections the emulator keeps, and the `/connections` endpoints as the live server (0.71.4)
 * answers them: read one (credentials only with the `read_credentials` scope, refresh that
 * succeeds, fails or is exhausted), list with filters and pages, patch, delete, metadata replace
 * and merge, and import. Statuses, codes and messages are the server's, where they differ from
 * its spec too (docs/nango-server.md, "Connections").
 */
import { randomBytes, randomUUID } from "node:crypto"
import { connectionIdPattern, integrationIdPattern, maxEffectiveTags, patchedTags, tagKeyPattern } from "../rules.js"
import {
  type ConnectionsEndpoint,
  credentialScopes,
  forbidden,
  grants,
  toConnectionEndUser,
} from "./connection-access.js"
import {
  boolRule,
  checkConnectionId,
  checkQuery,
  checkStrictObject,
  ilikeSearch,
  integrationRule,
  issue,
  isTrue,
  lengthRule,
  notFound,
  numberRule,
  readQuery,
  unknownIntegration,
} from "./connection-queries.js"
import { offsetTime, postgresTime, sampleCredentials, summary, withoutRefreshTokens } from "./connection-records.js"
import { invalid, type Reply, unhandledError } from "./replies.js"
import type { NewConnection, StoredConnection } from "./types.js"

/** The connections of one emulator, and the `/connections` endpoints on them. */
export class Connections {
  /** Every live connection, deleted ones removed. */
  readonly all: Array<StoredConnection> = []
  private nextId = 1

  constructor(
    private readonly integrations: ReadonlySet<string>,
    private readonly now: () => number,
  ) {}

  /** Whether the environment has this integration. */
  hasIntegration(integration: string): boolean {
    return this.integrations.has(integration)
  }

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
    // PostgreSQL refuses a NUL in the filters it compares: an error no handler catches.
    if ([...Object.values(read), ...Object.values(tags)].some((value) => value.includes("\u0000"))) {
      return unhandledError()
    }
    const integrations = read.integrationId?.split(",").map((id) => id.trim())
    const search = read.search === undefined ? undefined : ilikeSearch(read.search)
    const matches = this.all.filter(
      (connection) =>
        (read.connectionId === undefined || connection.connection_id === read.connectionId) &&
        (integrations === undefined || integrations.includes(connection.provider_config_key)) &&
        (read.endUserId === undefined || connection.end_user?.id === read.endUserId) &&
        (read.endUserOrganizationId === undefined ||
          connection.end_user?.organization?.id === read.endUserOrganizationId) &&
        (search === undefined ||
          [connection.connection_id, connection.end_user?.display_name, connection.end_user?.email].some(
            (text) => typeof text === "string" && search.test(text),
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
      const merged = patchedTags(patch) ?? {}
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
