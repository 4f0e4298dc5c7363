/**
 * Which key may call which `/connections` endpoint, and how a method and path name one, as the
 * live server routes and guards them; and the end user a connection reports.
 */
import type { Reply } from "./replies.js"
import type { ConnectionEndUser } from "./types.js"

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
export const credentialScopes = [
  "environment:*",
  "environment:connections:*",
  "environment:connections:read_credentials",
]

/** Whether a key's scopes grant `scope` (a grant ending in `:*` matches by prefix). */
export const grants = (scopes: ReadonlyArray<string>, scope: string): boolean =>
  scopes.some((granted) => granted === scope || (granted.endsWith(":*") && scope.startsWith(granted.slice(0, -1))))

export const forbidden = (message: string): Reply => ({ status: 403, body: { error: { code: "forbidden", message } } })

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
  // The server's routes ignore case: /connections/METADATA is the metadata endpoint too.
  if (path.toLowerCase() === "/connections/metadata" && (method === "POST" || method === "PATCH")) {
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
