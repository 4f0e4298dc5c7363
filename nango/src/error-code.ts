/**
 * The Node error `code` of a failure (`ECONNREFUSED`, `UND_ERR_SOCKET`, …), which the client's
 * transport errors and the emulator's webhook retries both classify by, and how both lines' clients
 * describe a transport failure. Pure, no Node API.
 */

/** Finds the first Node error `code` along a chain of `cause`s. */
export const errorCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** Error codes that mean no connection was opened, so the request never reached a server. */
const connectionFailureCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
])

/**
 * How the client reports a failure of its transport: whether no connection was opened (so even a
 * POST may be retried), and its message. `phase` says whether it happened before a response came
 * (`request`) or while its body was read (`response`); `where` is the method and path.
 */
export const describeTransportFailure = (
  cause: unknown,
  phase: "request" | "response",
  where: string,
): { readonly connectionFailed: boolean; readonly message: string } => {
  const code = errorCode(cause)
  const connectionFailed = phase === "request" && code !== undefined && connectionFailureCodes.has(code)
  const what =
    phase === "request"
      ? connectionFailed
        ? "Could not connect to Nango"
        : "The request to Nango failed"
      : "The response from Nango broke off"
  return { connectionFailed, message: `${what}${code === undefined ? "" : ` (${code})`} on ${where}` }
}
