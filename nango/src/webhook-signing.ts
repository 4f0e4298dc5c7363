/**
 * How Nango signs the webhooks it sends, and how a receiver checks them: `X-Nango-Hmac-Sha256` is
 * the lowercase hex HMAC-SHA256 of the exact body bytes under the environment's webhook signing
 * key; the legacy `X-Nango-Signature` is the hex SHA-256 of the key's text followed by the body.
 * Web Crypto only (Node, Deno, Bun, workers), no Effect: each line wraps these in its own idiom.
 */

/** The header of the current signature. */
export const hmacHeader = "x-nango-hmac-sha256"

/** The header of the legacy signature, open to length extension; checked only on request. */
export const legacyHeader = "x-nango-signature"

const encoder = new TextEncoder()

/** The body as the bytes that were signed: a string is taken as UTF-8. */
export const bodyBytes = (body: string | Uint8Array): Uint8Array<ArrayBuffer> =>
  typeof body === "string" ? encoder.encode(body) : new Uint8Array(body)

/** A header by name, whatever its casing; the first value when Node gives an array. */
export const headerValue = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  name: string,
): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue
    const first: unknown = typeof value === "string" ? value : Array.isArray(value) ? value[0] : undefined
    if (typeof first === "string") return first
  }
  return undefined
}

/** What a receiver was given, read once: the body's bytes and its signatures. */
export interface WebhookInput {
  readonly bytes: Uint8Array<ArrayBuffer>
  readonly hmac: string | undefined
  readonly legacy: string | undefined
}

/** Why a receiver's input cannot be read: which input, and a message without its value. */
export interface WebhookInputIssue {
  readonly input: "body" | "headers"
  readonly message: string
}

/**
 * Reads the raw body and the signature headers as any JavaScript value may hold them: the body must
 * be a string or a `Uint8Array`, the headers an object whose entries can be read.
 */
export const readWebhookInput = (
  body: unknown,
  headers: unknown,
  allowLegacy: boolean,
): WebhookInput | WebhookInputIssue => {
  let bytes: Uint8Array<ArrayBuffer>
  try {
    if (typeof body !== "string" && !(body instanceof Uint8Array)) throw new TypeError("not a body")
    bytes = bodyBytes(body)
  } catch {
    return { input: "body", message: "expected the raw body as a string or a Uint8Array; the value is not shown" }
  }
  try {
    if (typeof headers !== "object" || headers === null) throw new TypeError("not headers")
    const read = headers as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
    return {
      bytes,
      hmac: headerValue(read, hmacHeader),
      legacy: allowLegacy ? headerValue(read, legacyHeader) : undefined,
    }
  } catch {
    return { input: "headers", message: "expected the request headers as an object of strings; they could not be read" }
  }
}

/** 32 bytes from 64 hex digits (either case), or undefined for anything else. */
export const digestFromHex = (hex: string): Uint8Array<ArrayBuffer> | undefined => {
  const trimmed = hex.trim()
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) return undefined
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(trimmed.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

const toHex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("")

const hmacKey = (key: string, usage: "sign" | "verify") =>
  crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, [usage])

/** Compares two digests in time that does not depend on where they differ. */
const sameDigest = (a: Uint8Array, b: Uint8Array) => {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number)
  return difference === 0
}

/**
 * Whether `signature` is the HMAC-SHA256 of `body` under any of `keys`. Web Crypto's HMAC verify
 * compares in constant time; every key is tried, so the time does not tell which one matched.
 */
export const verifyHmac = async (
  keys: ReadonlyArray<string>,
  body: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
): Promise<boolean> => {
  const results = await Promise.all(
    keys.map(async (key) => crypto.subtle.verify("HMAC", await hmacKey(key, "verify"), signature, body)),
  )
  return results.includes(true)
}

/** Whether `signature` is the legacy SHA-256 of a key's text followed by `body`, for any of `keys`. */
export const verifyLegacy = async (
  keys: ReadonlyArray<string>,
  body: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
): Promise<boolean> => {
  const digests = await Promise.all(
    keys.map(async (key) => {
      const keyBytes = encoder.encode(key)
      const message = new Uint8Array(keyBytes.length + body.length)
      message.set(keyBytes)
      message.set(body, keyBytes.length)
      return new Uint8Array(await crypto.subtle.digest("SHA-256", message))
    }),
  )
  return digests.map((digest) => sameDigest(digest, signature)).includes(true)
}

/** Both signatures of a body under one key, as Nango sends them. */
export const sign = async (key: string, body: string): Promise<{ readonly hmac: string; readonly legacy: string }> => {
  const bytes = encoder.encode(body)
  const hmac = toHex(await crypto.subtle.sign("HMAC", await hmacKey(key, "sign"), bytes))
  const legacy = toHex(await crypto.subtle.digest("SHA-256", encoder.encode(key + body)))
  return { hmac, legacy }
}

/**
 * Nango's body encoding: compact JSON with every object's keys sorted, `undefined` members left
 * out (what its `stringifyStable` produces). The signature is over exactly these bytes.
 */
export const stringifyStable = (value: unknown): string =>
  JSON.stringify(value, (_, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.keys(inner)
            .sort()
            .map((key) => [key, (inner as Record<string, unknown>)[key]]),
        )
      : inner,
  )
