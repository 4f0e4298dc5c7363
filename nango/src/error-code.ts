/**
 * The Node error `code` of a failure (`ECONNREFUSED`, `UND_ERR_SOCKET`, …), which the client's
 * transport errors and the emulator's webhook retries both classify by. Pure, no Node API.
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
