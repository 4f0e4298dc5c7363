/**
 * Which base URLs the client sends its secret key to, the same on both lines: an absolute http(s)
 * URL without query or fragment, and plain http only to this machine unless the user allows it.
 * Pure, no Node API: the client runs it in browsers too.
 */

/** Hosts where plain http stays on this machine. */
const isLoopback = (hostname: string) =>
  hostname === "localhost" ||
  hostname.endsWith(".localhost") ||
  hostname === "[::1]" ||
  /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/** A base URL the client accepts (without its trailing slashes), or why it refuses it. */
export type CheckedBaseUrl = { readonly baseUrl: string; readonly issue?: never } | { readonly issue: string }

/** Checks a base URL before any request is sent to it. */
export const checkBaseUrl = (baseUrl: string, allowInsecureHttp: boolean): CheckedBaseUrl => {
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined
  // An empty query or fragment (`https://host/?`, `…/#`) parses to an empty search or hash but
  // would still swallow every path appended to the base URL: any `?` or `#` is refused.
  const hasQueryOrFragment = url === undefined || url.search !== "" || url.hash !== "" || /[?#]/.test(url.href)
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || hasQueryOrFragment) {
    return { issue: "expected an absolute http(s) URL without query or fragment" }
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
    return {
      issue:
        "plain http to a host that is not loopback would send the secret key in clear; use https, or set allowInsecureHttp",
    }
  }
  return { baseUrl: baseUrl.replace(/\/+$/, "") }
}
