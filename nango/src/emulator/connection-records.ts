/**
 * A stored connection as the server hands it out: its timestamps, its credentials of each type
 * (with fresh secrets), and the fields a list item and a GET share.
 */
import { randomBytes } from "node:crypto"
import type { StoredConnection } from "./types.js"

/** A timestamp as the GET of one connection writes it: `+00:00` instead of `Z`. */
export const offsetTime = (millis: number) => new Date(millis).toISOString().replace("Z", "+00:00")

/** A list item's `created`: PostgreSQL's own form, with microseconds and `+00:00`. */
export const postgresTime = (millis: number) => new Date(millis).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00")

/** Credentials as the server hands them out: refresh tokens removed unless asked for. */
export const withoutRefreshTokens = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutRefreshTokens)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key.replace(/[^a-zA-Z]/g, "").toLowerCase() !== "refreshtoken")
      .map(([key, item]) => [key, withoutRefreshTokens(item)]),
  )
}

export const token = (prefix: string) => `${prefix}_${randomBytes(16).toString("hex")}`

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
export const summary = (connection: StoredConnection) => ({
  id: connection.id,
  connection_id: connection.connection_id,
  provider_config_key: connection.provider_config_key,
  provider: connection.provider,
  errors: connection.errors,
  end_user: connection.end_user,
  tags: connection.tags,
  metadata: connection.metadata,
})
