/**
 * Nango's own answers on the proxy as typed errors: the tag `nango/src/proxy-failure.ts` read from
 * the status and code, with the request's method and path, Nango's code and message, and the
 * connection where a reconnect needs it. Nothing here reads a header of the request.
 */
import * as Duration from "#effect/Duration"
import type { ProxyFailure, ProxyFailureTag } from "../../nango/src/proxy-failure.js"
import { Forbidden, RateLimited, ServerError, Unauthorized } from "../NangoConnectError.js"
import { InvalidCredentials, UnknownIntegration } from "../NangoConnectionsError.js"
import type { ValidationIssue } from "../NangoConnectSchema.js"
import {
  BaseUrlOverrideRefused,
  InvalidProxyHeaders,
  type NangoProxyError,
  PlanLimit,
  ProviderUnreachable,
  RefreshBackoff,
  UnknownConnection,
  UnsupportedProvider,
} from "../NangoProxyError.js"
import type { ResponseFields } from "./errors.js"

/** What each failure is called in its message. */
const what: Record<ProxyFailureTag, string> = {
  InvalidProxyHeaders: "Nango refused the proxy headers",
  BaseUrlOverrideRefused: "Nango refused the base URL override",
  UnsupportedProvider: "Nango cannot proxy to this provider",
  UnknownIntegration: "Nango has no such integration",
  UnknownConnection: "Nango has no such connection",
  InvalidCredentials: "The connection's credentials no longer work",
  RefreshBackoff: "The connection's last refresh failed moments ago",
  PlanLimit: "The plan's proxy limit is reached",
  Unauthorized: "Nango refused the secret key",
  Forbidden: "The secret key lacks the environment:proxy scope",
  RateLimited: "Nango rate limit reached",
  ProviderUnreachable: "Nango could not reach the provider",
  ServerError: "Nango server error",
}

/** The errors that carry only the response's fields. */
const plain = {
  InvalidProxyHeaders,
  BaseUrlOverrideRefused,
  UnsupportedProvider,
  UnknownIntegration,
  PlanLimit,
  Unauthorized,
  Forbidden,
  ProviderUnreachable,
  ServerError,
} as const

/** Builds the typed error of one of Nango's own answers; `waitMillis` is the wait a 429 announced. */
export const nangoError = (
  failure: ProxyFailure,
  label: { readonly method: string; readonly path: string },
  target: { readonly connectionId: string; readonly providerConfigKey: string },
  errors: ReadonlyArray<ValidationIssue> | undefined,
  waitMillis: number | undefined,
): NangoProxyError => {
  const retryAfter = waitMillis === undefined ? undefined : Duration.millis(waitMillis)
  const after =
    retryAfter === undefined || failure.tag !== "RateLimited" ? "" : `, retry after ${Duration.format(retryAfter)}`
  const code = failure.code === undefined ? "" : ` ${failure.code}`
  const said = failure.serverMessage === undefined ? "" : `: ${failure.serverMessage}`
  const fields: ResponseFields = {
    method: label.method,
    path: label.path,
    status: failure.status,
    ...(failure.code === undefined ? {} : { code: failure.code }),
    ...(failure.serverMessage === undefined ? {} : { serverMessage: failure.serverMessage }),
    ...(errors === undefined ? {} : { errors }),
    message: `${what[failure.tag]}${after} (${failure.status}${code}) on ${label.method} ${label.path}${said}`,
  }
  const connection = { connectionId: target.connectionId, providerConfigKey: target.providerConfigKey }
  switch (failure.tag) {
    case "UnknownConnection":
      return new UnknownConnection({ ...fields, ...connection })
    case "InvalidCredentials":
      return new InvalidCredentials({ ...fields, ...connection })
    case "RefreshBackoff":
      return new RefreshBackoff({ ...fields, ...connection })
    case "RateLimited":
      return new RateLimited({ ...fields, ...(retryAfter === undefined ? {} : { retryAfter }) })
    default:
      return new plain[failure.tag](fields)
  }
}
