/**
 * How Nango builds and delivers the `auth` webhook once an end user has connected (or failed to):
 * the body from the Connect session, Nango's stable JSON, both signatures, and its delivery rules
 * (one POST, retried on a 5xx or a network error, up to 3 attempts, after 3 s then 6 s; a 3xx or
 * 4xx is not retried). The emulator uses it to play Nango in a user's tests.
 */
import { errorCode } from "./error-code.js"
import { sign, stringifyStable } from "./webhook-signing.js"

/** A webhook as a handler receives it: Nango's headers and the exact body text. */
export interface WebhookDelivery {
  /** The URL Nango would have POSTed to: the session's override, else the environment's URL. */
  readonly url: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Receives a webhook in memory, answering with an HTTP status. */
export type WebhookHandler = (delivery: WebhookDelivery) => Promise<number>

/** Where a webhook goes: a URL (POSTed with fetch) or an in-memory handler. */
export type WebhookTarget = string | WebhookHandler

/** One delivery attempt: the status it got, or the network error's code. */
export interface DeliveryAttempt {
  readonly status?: number
  readonly error?: string
}

/** What happened to one webhook. */
export interface DeliveryReport {
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  readonly attempts: ReadonlyArray<DeliveryAttempt>
  /** Whether an attempt got a 2xx. */
  readonly delivered: boolean
}

/** Nango's waits between attempts: 3 s, then 6 s (three attempts in all). */
export const defaultRetryDelaysMs: ReadonlyArray<number> = [3000, 6000]

/** The session fields an `auth` webhook is built from. */
export interface AuthWebhookSource {
  readonly endUser: Record<string, unknown> | null
  readonly organization: Record<string, unknown> | null
  /** The tags the session stores: derived from its end user, with its own tags over them. */
  readonly tags: Record<string, string>
}

/** The outcome of the end user's authorization, as the test gives it. */
export interface AuthOutcome {
  readonly connectionId: string
  readonly providerConfigKey: string
  readonly provider: string
  readonly authMode: string
  readonly environment: string
  readonly operation: "creation" | "override"
  /** When set, the authorization failed with this error. */
  readonly error?: { readonly type: string; readonly description: string }
}

/**
 * The `auth` body Nango sends: on success, the connection's tags (derived from the end user and
 * merged with the session's tags) and the end user; on a creation failure, neither.
 */
export const authWebhookBody = (session: AuthWebhookSource, outcome: AuthOutcome): Record<string, unknown> => {
  const base = {
    authMode: outcome.authMode,
    connectionId: outcome.connectionId,
    environment: outcome.environment,
    from: "nango",
    operation: outcome.operation,
    provider: outcome.provider,
    providerConfigKey: outcome.providerConfigKey,
    type: "auth",
  }
  const tags = session.tags
  if (outcome.error !== undefined) {
    return {
      ...base,
      success: false,
      error: outcome.error,
      ...(outcome.operation === "creation" ? {} : { tags }),
    }
  }
  const endUser = session.endUser
  return {
    ...base,
    success: true,
    tags,
    ...(endUser === null
      ? {}
      : {
          endUser: {
            endUserId: endUser.id,
            endUserEmail: typeof endUser.email === "string" ? endUser.email : null,
            ...(typeof session.organization?.id === "string" ? { organizationId: session.organization.id } : {}),
            tags: (endUser.tags as Record<string, string> | undefined) ?? {},
          },
        }),
  }
}

/** The network codes Nango's retry helper retries (`utils/lib/retry.ts`): for webhooks and the proxy alike. */
export const retriedNetworkCodes: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "ECONNABORTED",
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
])

/** Whether a URL stays on this machine: the emulator is a test tool and never sends traffic off it. */
const isLoopback = (url: string) => {
  const host = new URL(url).hostname
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)
}

const post = async (target: WebhookTarget, delivery: WebhookDelivery): Promise<number> => {
  if (typeof target !== "string") return target(delivery)
  if (!isLoopback(target)) {
    throw Object.assign(new Error("the emulator only delivers to loopback URLs; give deliverTo a handler"), {
      code: "ERR_EMULATOR_OFF_MACHINE",
    })
  }
  const response = await fetch(target, { method: "POST", headers: delivery.headers, body: delivery.body })
  await response.arrayBuffer()
  return response.status
}

/** A finished sync run, as its `sync` webhook reports it. */
export interface SyncRun {
  readonly connectionId: string
  readonly providerConfigKey: string
  readonly syncName: string
  readonly model: string
  readonly variant: string
  /** When the run started, as an ISO date-time in UTC: where the changed records begin. */
  readonly startedAt: string
  readonly results: { readonly added: number; readonly updated: number; readonly deleted: number }
}

/** The body of a successful `sync` webhook, as Nango sends it for an incremental run. */
export const syncWebhookBody = (run: SyncRun): Record<string, unknown> => ({
  connectionId: run.connectionId,
  from: "nango",
  model: run.model,
  modifiedAfter: run.startedAt,
  providerConfigKey: run.providerConfigKey,
  queryTimeStamp: run.startedAt,
  responseResults: run.results,
  success: true,
  syncName: run.syncName,
  syncType: "INCREMENTAL",
  syncVariant: run.variant,
  type: "sync",
})

/** The body of an `async_action` webhook: the run that ended, and where its result is read. */
export const asyncActionWebhookBody = (run: {
  readonly id: string
  readonly connectionId: string
  readonly providerConfigKey: string
}): Record<string, unknown> => ({
  connectionId: run.connectionId,
  from: "nango",
  payload: { id: run.id, statusUrl: `/action/${run.id}` },
  providerConfigKey: run.providerConfigKey,
  type: "async_action",
})

/**
 * Signs and delivers one webhook body with Nango's headers and retry rules. `sleep` waits between
 * attempts (a test can make it instant).
 */
export const deliverWebhook = async (
  target: WebhookTarget,
  payload: unknown,
  signingKey: string,
  options: {
    /** The URL Nango would use, told to an in-memory handler. */
    readonly url?: string
    readonly retryDelaysMs?: ReadonlyArray<number>
    readonly sleep?: (millis: number) => Promise<void>
  } = {},
): Promise<DeliveryReport> => {
  const body = stringifyStable(payload)
  const signature = await sign(signingKey, body)
  const headers = {
    "content-type": "application/json",
    "user-agent": "nango/0.71.4 (effect-nango emulator)",
    "x-nango-signature": signature.legacy,
    "x-nango-hmac-sha256": signature.hmac,
  }
  const delays = options.retryDelaysMs ?? defaultRetryDelaysMs
  const sleep = options.sleep ?? ((millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis)))
  const attempts: Array<DeliveryAttempt> = []
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await sleep(delays[attempt - 1] as number)
    try {
      const status = await post(target, { url: options.url, headers, body })
      attempts.push({ status })
      if (status >= 200 && status <= 299) return { body, headers, attempts, delivered: true }
      if (status < 500) break
    } catch (error) {
      const code = errorCode(error) ?? "unknown"
      attempts.push({ error: code })
      if (!retriedNetworkCodes.has(code)) break
    }
  }
  return { body, headers, attempts, delivered: false }
}
