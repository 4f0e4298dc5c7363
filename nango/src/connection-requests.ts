/**
 * How both lines' `NangoConnections` address Nango's `/connections` endpoints, in plain
 * TypeScript: the request targets (ids percent-encoded, the query in the form the server's `qs`
 * reads), the ids no URL can carry to the right handler, and which status and code of each
 * endpoint mean more than the status alone.
 */
import type { Refinement } from "./failure.js"
import { connectionIdMessage, connectionIdPattern } from "./rules.js"

/** The path of one connection as spans and errors name it: the template, never the id. */
export const connectionPath = "/connections/{connectionId}"

/** The list endpoint, and the prefix of every connection path. */
export const connectionsPath = "/connections"

/** Where metadata is replaced (POST) and merged (PATCH). */
export const metadataPath = "/connections/metadata"

/** The largest page `GET /connections` answers; it refuses a larger `limit`. */
export const maxPageSize = 2000

/** The longest connection id the server takes. */
export const maxConnectionIdLength = 255

/** Where an id goes: the path of a GET, PATCH or DELETE, or a body (the metadata endpoints). */
export type ConnectionMethod = "GET" | "PATCH" | "DELETE" | "body"

/**
 * Why an id cannot address a connection, or undefined when it can:
 * - the server's own rule (`connectionIdSchema`: 1–255 characters of a fixed set);
 * - `.` and `..`, which URL parsers (fetch among them) remove from a path as dot segments, so the
 *   request would reach another endpoint on one transport and this one on another;
 * - `metadata` (in any case: the server's routes ignore case) with PATCH, which the server routes
 *   to its metadata merge, never to the connection.
 */
export const connectionIdIssue = (connectionId: unknown, method: ConnectionMethod): string | undefined => {
  if (typeof connectionId !== "string") return "a connection id must be a string"
  if (connectionId.length === 0) return "a connection id cannot be empty"
  if (connectionId.length > maxConnectionIdLength) {
    return `a connection id has at most ${maxConnectionIdLength} characters`
  }
  if (!connectionIdPattern.test(connectionId)) return connectionIdMessage
  if ((connectionId === "." || connectionId === "..") && method !== "body") {
    return `the connection id "${connectionId}" is a dot segment, which URLs remove from a path`
  }
  if (connectionId.toLowerCase() === "metadata" && method === "PATCH") {
    return `a connection named "${connectionId}" cannot be patched: Nango routes PATCH /connections/metadata (in any case) to its metadata merge`
  }
  return undefined
}

/**
 * Why the ids of a metadata body (`connection_id`: one id, or an array of them) cannot be sent,
 * each issue with its index; none when they can. An empty array is sent: the server accepts it.
 */
export const connectionIdsIssues = (ids: unknown): ReadonlyArray<string> => {
  if (!Array.isArray(ids)) {
    const issue = connectionIdIssue(ids, "body")
    return issue === undefined ? [] : [issue]
  }
  return ids.flatMap((id, index) => {
    const issue = connectionIdIssue(id, "body")
    return issue === undefined ? [] : [`${index}: ${issue}`]
  })
}

/** Query parameters, each a string: what a target's query is made of. */
export type QueryParams = ReadonlyArray<readonly [string, string]>

/** A path with its query; no `?` when the query is empty. */
const withQuery = (path: string, params: QueryParams): string =>
  params.length === 0 ? path : `${path}?${new URLSearchParams(params as Array<[string, string]>).toString()}`

/** The target of one connection: its percent-encoded id and the query. */
export const connectionTarget = (connectionId: string, params: QueryParams): string =>
  withQuery(`${connectionsPath}/${encodeURIComponent(connectionId)}`, params)

/** What `getConnection` sends as its query, once checked. */
export interface GetQuery {
  readonly providerConfigKey: string
  readonly forceRefresh?: boolean | undefined
  readonly refreshToken?: boolean | undefined
}

/** The query of `GET /connections/{id}`: a flag is sent only when true, as the server defaults it to false. */
export const getParams = (query: GetQuery): QueryParams => [
  ["provider_config_key", query.providerConfigKey],
  ...(query.forceRefresh === true ? [["force_refresh", "true"] as const] : []),
  ...(query.refreshToken === true ? [["refresh_token", "true"] as const] : []),
]

/** What `listConnections` sends as its query, once checked. */
export interface ListQuery {
  readonly tags?: { readonly [key: string]: string } | undefined
  readonly integrationId?: string | ReadonlyArray<string> | undefined
  readonly search?: string | undefined
  readonly connectionId?: string | undefined
  readonly endUserId?: string | undefined
  readonly endUserOrganizationId?: string | undefined
  readonly limit?: number | undefined
  readonly page?: number | undefined
}

/**
 * The target of `GET /connections`: tags as `tags[key]=value` (the server's `qs` form), several
 * integrations joined with commas, numbers in decimal.
 */
export const listTarget = (query: ListQuery): string => {
  const params: Array<readonly [string, string]> = []
  for (const [key, value] of Object.entries(query.tags ?? {})) params.push([`tags[${key}]`, value])
  const integrationId = query.integrationId
  if (integrationId !== undefined) {
    params.push(["integrationId", typeof integrationId === "string" ? integrationId : integrationId.join(",")])
  }
  for (const key of ["search", "connectionId", "endUserId", "endUserOrganizationId"] as const) {
    const value = query[key]
    if (value !== undefined) params.push([key, value])
  }
  if (query.limit !== undefined) params.push(["limit", String(query.limit)])
  if (query.page !== undefined) params.push(["page", String(query.page)])
  return withQuery(connectionsPath, params)
}

/**
 * The pages of a listing, one after another from `page` 0 (or the given one): a page shorter than
 * its limit is the last, since the server answers no cursor and no total.
 */
export const nextPage = (query: ListQuery, received: number): ListQuery | undefined => {
  const limit = query.limit ?? maxPageSize
  return received < limit ? undefined : { ...query, limit, page: (query.page ?? 0) + 1 }
}

/** The refinements of `GET /connections/{id}`: credentials that went bad, and an unknown integration. */
export const getRefinements: ReadonlyArray<Refinement<"InvalidCredentials" | "UnknownIntegration">> = [
  { status: 424, tag: "InvalidCredentials" },
  { status: 400, code: "invalid_credentials", tag: "InvalidCredentials" },
  { status: 400, code: "unknown_provider_config", tag: "UnknownIntegration" },
]

/** The refinements of `PATCH /connections/{id}`: an unknown integration. */
export const patchRefinements: ReadonlyArray<Refinement<"UnknownIntegration">> = [
  { status: 400, code: "unknown_provider_config", tag: "UnknownIntegration" },
]

/** The refinement of `DELETE /connections/{id}`: its 400 `unknown_connection` (connection or integration) is a not-found. */
export const deleteRefinements: ReadonlyArray<Refinement<"NotFound">> = [
  { status: 400, code: "unknown_connection", tag: "NotFound" },
]

/** What `awaitConnection` waits for: a connection with these tags (keys compared lowercased), of this integration if given. */
export interface AwaitedConnection {
  readonly tags: { readonly [key: string]: string }
  readonly integrationId?: string | undefined
}

/** Whether a connection's (or an auth webhook's) tags hold every wanted pair; the server stores keys lowercased. */
export const hasTags = (
  wanted: { readonly [key: string]: string },
  actual: { readonly [key: string]: string } | null | undefined,
): boolean => Object.entries(wanted).every(([key, value]) => actual?.[key.toLowerCase()] === value)

/** An `auth` webhook as `awaitConnection` reads it. */
export interface AuthNotice {
  readonly type: string
  readonly success?: boolean
  readonly connectionId?: string
  readonly providerConfigKey: string
  readonly tags?: { readonly [key: string]: string } | undefined
}

/**
 * The fields of a webhook a wait reads, copied once; undefined for a value that is not an object
 * or cannot be read (a getter that throws), which no wait can be waiting for.
 */
export const authNoticeOf = (webhook: unknown): AuthNotice | undefined => {
  try {
    if (typeof webhook !== "object" || webhook === null) return undefined
    const { type, success, connectionId, providerConfigKey, tags } = webhook as Record<string, unknown>
    return typeof type === "string" && typeof providerConfigKey === "string"
      ? {
          type,
          providerConfigKey,
          ...(typeof success === "boolean" ? { success } : {}),
          ...(typeof connectionId === "string" ? { connectionId } : {}),
          ...(typeof tags === "object" && tags !== null ? { tags: { ...(tags as Record<string, string>) } } : {}),
        }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether a webhook announces the awaited connection: a successful `auth` webhook (a creation,
 * or a re-authorization) of the integration, whose tags hold the wanted ones.
 */
export const announces = (webhook: AuthNotice, awaited: AwaitedConnection): boolean =>
  webhook.type === "auth" &&
  webhook.success === true &&
  webhook.connectionId !== undefined &&
  (awaited.integrationId === undefined || webhook.providerConfigKey === awaited.integrationId) &&
  hasTags(awaited.tags, webhook.tags)
