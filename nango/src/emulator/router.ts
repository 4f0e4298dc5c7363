/**
 * The emulator's router: which endpoint a request is for, then the live server's order of checks
 * (JSON, content type, the Authorization header, the credential each endpoint takes, the rate
 * limiter, query and body) before the endpoint's handler.
 */
import { validateEmptyQuery } from "../validation.js"
import { connectionsEndpointOf, forbidden, grants, scopeCheck } from "./connection-access.js"
import type { RateLimiter } from "./faults.js"
import type { ProxyRequest } from "./proxy.js"
import {
  authFailure,
  invalid,
  isEmptyObject,
  type ParsedBody,
  preflight,
  type Reply,
  secretKeyPattern,
  tokenPattern,
  validateEmptyBody,
} from "./replies.js"
import type { Sessions } from "./sessions.js"

/** What the router answers from: the stored sessions (and connections), the limiter and each key's scopes. */
export interface Server {
  readonly sessions: Sessions
  readonly limiter: RateLimiter
  /** The scopes of each accepted secret key, by its lowercase form. */
  readonly scopesOf: ReadonlyMap<string, ReadonlyArray<string>>
  /** Answers a `/proxy` request once its key may use the proxy (later, when the provider takes its time). */
  readonly proxy: (request: ProxyRequest) => Reply | Promise<Reply>
  /** Answers `GET /records` once its key may read records. */
  readonly records: (url: URL, headers: Readonly<Record<string, string>>) => Reply
  /** Answers `POST /action/trigger` once its key may run actions (later, when the action takes its time). */
  readonly triggerAction: (url: URL, headers: Readonly<Record<string, string>>, body: unknown) => Reply | Promise<Reply>
  /** Answers `GET /action/{id}`. */
  readonly actionResult: (id: string) => Reply
  /** Answers `POST /sync/trigger`. */
  readonly triggerSync: (url: URL, headers: Readonly<Record<string, string>>, body: unknown) => Reply
  /** Answers `GET /sync/status`. */
  readonly syncStatus: (url: URL) => Reply
}

/** Answers a request as the live server routes, authenticates, rate-limits and validates it. */
export const route = (
  server: Server,
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: ParsedBody,
  bytes: Uint8Array = new Uint8Array(),
): Reply | Promise<Reply> => {
  if (method === "OPTIONS") return preflight
  const connections = connectionsEndpointOf(method, url.pathname)
  const proxied = url.pathname === "/proxy" || url.pathname.startsWith("/proxy/")
  const endpoint = proxied ? "proxy" : connections === undefined ? endpointOf(method, url.pathname) : "connections"
  if (endpoint === undefined) {
    return { status: 404, body: { error: { code: "not_found", message: `Cannot ${method} ${url.pathname}` } } }
  }
  if (!body.ok) return { status: 400, body: { error: { code: "invalid_json", message: body.message } } }
  const contentType = headers["content-type"]
  // The proxy takes every content type (raw, form, multipart); the other endpoints JSON only.
  if (contentType !== undefined && !contentType.startsWith("application/json") && endpoint !== "proxy") {
    return {
      status: 415,
      body: { error: { code: "invalid_content_type", message: "Content-Type header must be application/json" } },
    }
  }
  const authorization = headers.authorization
  if (authorization === undefined || authorization === "") return authFailure("missing_auth_header")
  const credential = authorization.split("Bearer ").pop() ?? ""
  if (credential === "") return authFailure("malformed_auth_header")

  if (endpoint === "get" || endpoint === "delete") {
    if (!tokenPattern.test(credential)) return authFailure("invalid_connect_session_token_format")
    const session = server.sessions.live(credential)
    if (session === undefined) return authFailure("unknown_connect_session_token")
    return server.limiter.run(method, url.pathname, () => {
      const query = validateEmptyQuery(url.searchParams)
      if (query.length > 0) return invalid("invalid_query_params", query)
      const extra = body.value === undefined || isEmptyObject(body.value) ? [] : validateEmptyBody(body.value)
      if (extra.length > 0) return invalid("invalid_body", extra)
      if (endpoint === "delete") {
        server.sessions.delete(credential)
        return { status: 204 }
      }
      return { status: 200, body: { data: server.sessions.describe(session) } }
    })
  }

  if (!secretKeyPattern.test(credential)) return authFailure("invalid_secret_key_format")
  const scopes = server.scopesOf.get(credential.toLowerCase())
  if (scopes === undefined) return authFailure("unknown_account")
  if (endpoint === "proxy") {
    return server.limiter.run(method, url.pathname, () =>
      grants(scopes, "environment:proxy")
        ? server.proxy({ method, url, headers, bytes })
        : forbidden("Insufficient scope. Required: environment:proxy"),
    )
  }
  if (endpoint === "trigger" || endpoint === "result") {
    return server.limiter.run(method, url.pathname, () =>
      !grants(scopes, "environment:actions:execute")
        ? forbidden("Insufficient scope. Required: environment:actions:execute")
        : endpoint === "trigger"
          ? server.triggerAction(url, headers, body.value)
          : server.actionResult(decodeURIComponent(url.pathname.slice("/action/".length))),
    )
  }
  if (endpoint === "sync-trigger" || endpoint === "sync-status") {
    return server.limiter.run(method, url.pathname, () =>
      endpoint === "sync-trigger" ? server.triggerSync(url, headers, body.value) : server.syncStatus(url),
    )
  }
  if (endpoint === "records") {
    return server.limiter.run(method, url.pathname, () =>
      grants(scopes, "environment:records:read")
        ? server.records(url, headers)
        : forbidden("Insufficient scope. Required: environment:records:read"),
    )
  }
  if (connections !== undefined) {
    return server.limiter.run(
      method,
      url.pathname,
      () =>
        scopeCheck(connections.endpoint, scopes) ??
        server.sessions.connections.answer(connections.endpoint, connections.connectionId, url, body.value, scopes),
    )
  }
  return server.limiter.run(method, url.pathname, () => {
    if (!grants(scopes, "environment:connect_sessions:write")) {
      return {
        status: 403,
        body: {
          error: { code: "forbidden", message: "Insufficient scope. Required: environment:connect_sessions:write" },
        },
      }
    }
    const query = validateEmptyQuery(url.searchParams)
    if (query.length > 0) return invalid("invalid_query_params", query)
    return endpoint === "create" ? server.sessions.create(body.value) : server.sessions.reconnect(body.value)
  })
}

/** The endpoints the emulator serves (`/connections` in `connections.ts`, the proxy in `proxy.ts`, records, actions and syncs in their modules). */
type Endpoint =
  | "create"
  | "reconnect"
  | "get"
  | "delete"
  | "connections"
  | "proxy"
  | "records"
  | "trigger"
  | "result"
  | "sync-trigger"
  | "sync-status"

/** The endpoint a method and path name, if any. */
const endpointOf = (method: string, path: string): Endpoint | undefined => {
  if (method === "POST" && path === "/connect/sessions") return "create"
  if (method === "POST" && path === "/connect/sessions/reconnect") return "reconnect"
  if (method === "GET" && path === "/connect/session") return "get"
  if (method === "DELETE" && path === "/connect/session") return "delete"
  // Express' routes take a trailing slash: @nangohq/node reads `/records/`.
  if (method === "GET" && (path === "/records" || path === "/records/")) return "records"
  if (method === "POST" && path === "/action/trigger") return "trigger"
  if (method === "POST" && path === "/sync/trigger") return "sync-trigger"
  if (method === "GET" && path === "/sync/status") return "sync-status"
  if (method === "GET" && /^\/action\/[^/]+$/.test(path)) return "result"
  return undefined
}
