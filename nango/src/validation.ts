/**
 * The emulator's request validation: the live server's zod rules for the Connect-session bodies,
 * written out by hand so that the emulator stays independent of the client's own schemas and
 * answers with the same `{ code, message, path }` items the server sends.
 */

/** One validation item, as the server sends it in `error.errors`. */
export interface Issue {
  readonly code: string
  readonly message: string
  readonly path: ReadonlyArray<string>
}

import {
  connectionIdPattern,
  emailPattern,
  integrationIdPattern,
  tagKeyPattern,
  webhookUrlIssue,
  webhookUrlProblem,
} from "./rules.js"

type Json = unknown
type Obj = Record<string, Json>

const isObject = (value: Json): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value)

const kind = (value: Json): string =>
  value === undefined ? "undefined" : value === null ? "null" : Array.isArray(value) ? "array" : typeof value

/** Collects issues for one body, in the order zod reports them. */
class Checker {
  readonly issues: Array<Issue> = []

  add(code: string, message: string, path: ReadonlyArray<string>) {
    this.issues.push({ code, message, path })
  }

  type(value: Json, expected: string, path: ReadonlyArray<string>): boolean {
    if (kind(value) === expected) return true
    this.add("invalid_type", `Invalid input: expected ${expected}, received ${kind(value)}`, path)
    return false
  }

  strict(value: Obj, allowed: ReadonlyArray<string>, path: ReadonlyArray<string>) {
    const unknown = Object.keys(value).filter((key) => !allowed.includes(key))
    if (unknown.length === 1) this.add("unrecognized_keys", `Unrecognized key: "${unknown[0]}"`, path)
    if (unknown.length > 1) {
      this.add("unrecognized_keys", `Unrecognized keys: ${unknown.map((key) => `"${key}"`).join(", ")}`, path)
    }
  }

  string(value: Json, path: ReadonlyArray<string>, min: number, max: number): boolean {
    if (!this.type(value, "string", path)) return false
    const text = value as string
    if (text.length < min) this.add("too_small", `Too small: expected string to have >=${min} characters`, path)
    if (text.length > max) this.add("too_big", `Too big: expected string to have <=${max} characters`, path)
    return text.length >= min && text.length <= max
  }

  pattern(value: Json, pattern: RegExp, path: ReadonlyArray<string>) {
    if (!this.string(value, path, 0, Number.POSITIVE_INFINITY)) return
    if (!pattern.test(value as string))
      this.add("invalid_format", `Invalid string: must match pattern ${pattern}`, path)
    else if ((value as string).length > 255)
      this.add("too_big", "Too big: expected string to have <=255 characters", path)
  }

  email(value: Json, path: ReadonlyArray<string>) {
    if (!this.type(value, "string", path)) return
    if (!emailPattern.test(value as string)) this.add("invalid_format", "Invalid email address", path)
    if ((value as string).length < 5) this.add("too_small", "Too small: expected string to have >=5 characters", path)
  }

  /**
   * A record: an object, except that the server's validator refuses one with an own key named
   * `constructor` (it takes it for a class instance), as an object that is not a record.
   */
  record(value: Json, path: ReadonlyArray<string>): value is Obj {
    if (!this.type(value, "object", path)) return false
    if (Object.hasOwn(value as Obj, "constructor")) {
      this.add("invalid_type", "Invalid input: expected record, received object", path)
      return false
    }
    return true
  }

  tags(value: Json, path: ReadonlyArray<string>, topLevel: boolean) {
    if (!this.record(value, path)) return
    const tags = value as Obj
    const keys = Object.keys(tags)
    for (const key of keys) {
      if (!tagKeyPattern.test(key) || key.length > 64) {
        this.add("invalid_key", "Invalid key in record", [...path, key])
        continue
      }
      const tag = tags[key]
      if (!this.type(tag, "string", [...path, key])) continue
      const text = tag as string
      if (text.length > 255) {
        this.add(
          "too_big",
          topLevel ? "Tag values must be at most 255 characters" : "Too big: expected string to have <=255 characters",
          [...path, key],
        )
      }
      if (topLevel && text.length < 1) {
        this.add("too_small", "Too small: expected string to have >=1 characters", [...path, key])
      }
    }
    if (keys.length > 10) this.add("custom", "Tags cannot contain more than 10 keys", path)
    const seen = new Set<string>()
    for (const key of keys) {
      const lowered = key.toLowerCase()
      if (seen.has(lowered)) this.add("custom", `Duplicate tag key after case normalization: "${key}"`, path)
      seen.add(lowered)
      if (lowered === "end_user_email" && !(typeof tags[key] === "string" && emailPattern.test(tags[key] as string))) {
        this.add("custom", 'Tag "end_user_email" must be a valid email', path)
      }
    }
  }

  endUser(value: Json, path: ReadonlyArray<string>) {
    if (!this.type(value, "object", path)) return
    const user = value as Obj
    this.string(user.id, [...path, "id"], 1, 255)
    if (user.email !== undefined) this.email(user.email, [...path, "email"])
    if (user.display_name !== undefined) this.string(user.display_name, [...path, "display_name"], 0, 255)
    if (user.tags !== undefined) this.tags(user.tags, [...path, "tags"], false)
    this.strict(user, ["id", "email", "display_name", "tags"], path)
  }

  organization(value: Json, path: ReadonlyArray<string>) {
    if (!this.type(value, "object", path)) return
    const organization = value as Obj
    this.string(organization.id, [...path, "id"], 0, 255)
    if (organization.display_name !== undefined) {
      this.string(organization.display_name, [...path, "display_name"], 0, 255)
    }
    this.strict(organization, ["id", "display_name"], path)
  }

  integrationRecord(
    value: Json,
    path: ReadonlyArray<string>,
    entry: (value: Json, path: ReadonlyArray<string>) => void,
  ) {
    if (!this.type(value, "object", path)) return
    for (const [key, item] of Object.entries(value as Obj)) {
      if (!integrationIdPattern.test(key) || key.length > 255)
        this.add("invalid_key", "Invalid key in record", [...path, key])
      else entry(item, [...path, key])
    }
  }

  configDefaults(value: Json, path: ReadonlyArray<string>) {
    if (!this.type(value, "object", path)) return
    const entry = value as Obj
    if (entry.user_scopes !== undefined) this.type(entry.user_scopes, "string", [...path, "user_scopes"])
    if (
      entry.authorization_params !== undefined &&
      this.record(entry.authorization_params, [...path, "authorization_params"])
    ) {
      for (const [key, param] of Object.entries(entry.authorization_params as Obj)) {
        this.type(param, "string", [...path, "authorization_params", key])
      }
    }
    if (
      entry.connection_config !== undefined &&
      this.type(entry.connection_config, "object", [...path, "connection_config"])
    ) {
      const scopes = (entry.connection_config as Obj).oauth_scopes_override
      if (scopes !== undefined) this.type(scopes, "string", [...path, "connection_config", "oauth_scopes_override"])
    }
    this.strict(entry, ["user_scopes", "authorization_params", "connection_config"], path)
  }

  webhook(value: Json, path: ReadonlyArray<string>) {
    if (!this.type(value, "string", path)) return
    const problem = webhookUrlProblem(value as string)
    if (problem !== undefined) {
      const issue = webhookUrlIssue(problem)
      this.add(issue.code, issue.message, path)
    }
  }

  /** The fields both POST bodies share. */
  sessionFields(body: Obj, endUserRequired: boolean) {
    if (body.end_user !== undefined || endUserRequired) this.endUser(body.end_user, ["end_user"])
    if (body.organization !== undefined) this.organization(body.organization, ["organization"])
    if (body.integrations_config_defaults !== undefined) {
      this.integrationRecord(body.integrations_config_defaults, ["integrations_config_defaults"], (entry, path) =>
        this.configDefaults(entry, path),
      )
    }
    if (body.overrides !== undefined && this.record(body.overrides, ["overrides"])) {
      this.integrationRecord(body.overrides, ["overrides"], (entry, path) => {
        if (this.type(entry, "object", path) && (entry as Obj).docs_connect !== undefined) {
          this.type((entry as Obj).docs_connect, "string", [...path, "docs_connect"])
        }
      })
    }
    if (body.webhook_url_override !== undefined) this.webhook(body.webhook_url_override, ["webhook_url_override"])
    if (body.tags !== undefined) this.tags(body.tags, ["tags"], true)
  }
}

const sessionKeys = [
  "end_user",
  "organization",
  "integrations_config_defaults",
  "overrides",
  "webhook_url_override",
  "tags",
]

/** Validates a `POST /connect/sessions` body, with the server's fallback for tags-only bodies. */
export const validateCreateBody = (body: Json): ReadonlyArray<Issue> => {
  const check = (endUserRequired: boolean) => {
    const checker = new Checker()
    if (!checker.type(body, "object", [])) return checker.issues
    const object = body as Obj
    checker.sessionFields(object, endUserRequired)
    if (
      object.allowed_integrations !== undefined &&
      checker.type(object.allowed_integrations, "array", ["allowed_integrations"])
    ) {
      for (const [index, id] of (object.allowed_integrations as Array<Json>).entries()) {
        checker.pattern(id, integrationIdPattern, ["allowed_integrations", String(index)])
      }
    }
    checker.strict(object, [...sessionKeys, "allowed_integrations"], [])
    return checker.issues
  }
  const full = check(true)
  if (full.length === 0) return full
  if (isObject(body) && "tags" in body && !("end_user" in body)) {
    const tagsOnly = check(false)
    if (tagsOnly.length === 0) return tagsOnly
  }
  return full
}

/** Validates a `POST /connect/sessions/reconnect` body. */
export const validateReconnectBody = (body: Json): ReadonlyArray<Issue> => {
  const checker = new Checker()
  if (!checker.type(body, "object", [])) return checker.issues
  const object = body as Obj
  checker.pattern(object.connection_id, connectionIdPattern, ["connection_id"])
  checker.pattern(object.integration_id, integrationIdPattern, ["integration_id"])
  checker.sessionFields(object, false)
  checker.strict(object, ["connection_id", "integration_id", ...sessionKeys], [])
  return checker.issues
}

/** Validates that a query string is empty, as every Connect-session endpoint requires. */
export const validateEmptyQuery = (params: URLSearchParams): ReadonlyArray<Issue> => {
  const keys = [...new Set(params.keys())]
  const checker = new Checker()
  checker.strict(Object.fromEntries(keys.map((key) => [key, true])), [], [])
  return checker.issues
}

/** What the server adds to a message about the deprecated `connection_config.webhook_url`. */
const deprecatedWebhookNote =
  ". Note: connection_config.webhook_url is deprecated; use top-level webhook_url_override instead."

/**
 * Checks the deprecated `integrations_config_defaults.<id>.connection_config.webhook_url` as the
 * server does once the body has passed its schema: like `webhook_url_override`, with a note.
 */
export const validateDeprecatedWebhookUrls = (body: Json): ReadonlyArray<Issue> => {
  const defaults =
    isObject(body) && isObject(body.integrations_config_defaults) ? body.integrations_config_defaults : {}
  return Object.entries(defaults).flatMap(([id, entry]) => {
    const config = isObject(entry) && isObject(entry.connection_config) ? entry.connection_config : {}
    if (config.webhook_url === undefined) return []
    const checker = new Checker()
    checker.webhook(config.webhook_url, ["integrations_config_defaults", id, "connection_config", "webhook_url"])
    return checker.issues.map((issue) => ({ ...issue, message: `${issue.message}${deprecatedWebhookNote}` }))
  })
}
