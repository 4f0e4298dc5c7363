/**
 * The `/connections` query strings and bodies checked as the live server (zod) checks them, with
 * its words, and the replies its checks give.
 */
import { connectionIdPattern, integrationIdPattern } from "../rules.js"
import type { Issue } from "../validation.js"
import type { Reply } from "./replies.js"

// -----------------------------------------------------------------------------
// Query validation, as zod words it
// -----------------------------------------------------------------------------

export const issue = (code: string, message: string, path: ReadonlyArray<string>): Issue => ({ code, message, path })

export const trueWords = new Set(["true", "1", "yes", "on", "y", "enabled"])
export const falseWords = new Set(["false", "0", "no", "off", "n", "disabled"])

/** A query read as `qs` reads it for the keys the emulator knows: `tags[k]` as a record. */
export interface Query {
  readonly values: Map<string, Array<string>>
  readonly tags: Map<string, Array<string>>
}

export const readQuery = (params: URLSearchParams): Query => {
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

/**
 * The server's `search`: `ILIKE '%search%'` with nothing escaped, so that in the search `%` matches
 * any run of characters, `_` any one character, and a backslash makes the next one literal; case-insensitive.
 */
export const ilikeSearch = (search: string): RegExp => {
  const pattern = `%${search}%`
  let source = ""
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string
    if (char === "\\" && index + 1 < pattern.length) source += escapeRegExp(pattern[++index] as string)
    else source += char === "%" ? "[^]*" : char === "_" ? "[^]" : escapeRegExp(char)
  }
  return new RegExp(`^${source}$`, "iu")
}

/** A character as a regular expression matches it literally (the syntax characters escaped, as the `u` flag allows). */
const escapeRegExp = (char: string) => char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")

/**
 * How one key of a strict query is checked: whether it must be there, whether it may be repeated
 * (as `qs` reads `ids=a&ids=b`: an array, of at most `maxItems`), and the check of each value.
 */
export interface QueryRule {
  readonly required?: boolean
  readonly repeatable?: { readonly maxItems: number }
  readonly check: (value: string) => string | undefined
}

/**
 * Checks a strict query: known keys only, each once (or, repeatable, up to its count), each value
 * by its rule; returns the single values read.
 */
export const checkQuery = (
  query: Query,
  rules: Record<string, QueryRule>,
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
    if (rule.repeatable !== undefined && values.length > 1) {
      const { maxItems } = rule.repeatable
      if (values.length > maxItems)
        issues.push(issue("too_big", `Too big: expected array to have <=${maxItems} items`, [name]))
      values.forEach((value, index) => {
        const problem = rule.check(value)
        if (problem !== undefined) issues.push(issue("invalid_format", problem, [name, String(index)]))
      })
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

export const integrationRule = {
  required: true,
  check: (value: string) =>
    integrationIdPattern.test(value) && value.length <= 255
      ? undefined
      : `Invalid string: must match pattern ${integrationIdPattern}`,
}
export const boolRule = {
  check: (value: string) =>
    trueWords.has(value.toLowerCase()) || falseWords.has(value.toLowerCase())
      ? undefined
      : 'Invalid input: expected stringbool ("true" or "false" and their equivalents)',
}
export const isTrue = (value: string | undefined) => value !== undefined && trueWords.has(value.toLowerCase())
export const lengthRule = (min: number, max: number) => ({
  check: (value: string) =>
    value.length < min
      ? `Too small: expected string to have >=${min} characters`
      : value.length > max
        ? `Too big: expected string to have <=${max} characters`
        : undefined,
})
export const numberRule = (min: number, max: number) => ({
  check: (value: string) => {
    const number = Number(value)
    if (value.trim() === "" || Number.isNaN(number)) return "Invalid input: expected number, received NaN"
    if (number < min) return `Too small: expected number to be >=${min}`
    if (number > max) return `Too big: expected number to be <=${max}`
    return undefined
  },
})

/** A connection id, as `connectionIdSchema` checks it. */
export const connectionIdRule = {
  required: true,
  check: (value: string) =>
    connectionIdPattern.test(value) && value.length <= 255
      ? undefined
      : `Invalid string: must match pattern ${connectionIdPattern}`,
}

/** The path's connection id, as `connectionIdSchema` checks it. */
export const checkConnectionId = (connectionId: string): ReadonlyArray<Issue> => {
  const problem = connectionIdRule.check(connectionId)
  return problem === undefined ? [] : [issue("invalid_format", problem, ["connectionId"])]
}

/** Some of a request's headers as a query's values: what a strict schema over those headers reads. */
export const headerQuery = (headers: Readonly<Record<string, string>>, names: ReadonlyArray<string>): Query => ({
  values: new Map(names.flatMap((name) => (headers[name] === undefined ? [] : [[name, [headers[name] as string]]]))),
  tags: new Map(),
})

export const notFound: Reply = {
  status: 404,
  body: { error: { code: "not_found", message: "Failed to find connection" } },
}
export const unknownIntegration: Reply = {
  status: 400,
  body: { error: { code: "unknown_provider_config", message: "Provider does not exists" } },
}

/** The issues of a body that must be an object with only `known` keys (`{}` and no body pass). */
export const checkStrictObject = (body: unknown, known: ReadonlyArray<string>): Array<Issue> => {
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
