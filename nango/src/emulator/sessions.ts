/**
 * The Connect sessions the emulator keeps, and the integrations and connections they refer to:
 * create and reconnect as the live server validates and stores them (its 400s and 500s included),
 * look-up with expiry, delete, and the body of `GET /connect/session`.
 */
import { randomBytes } from "node:crypto"
import { effectiveTags, maxEffectiveTags, type SessionOperation, unstorableSessionPaths } from "../rules.js"
import { validateCreateBody, validateDeprecatedWebhookUrls, validateReconnectBody } from "../validation.js"
import { toConnectionEndUser } from "./connection-access.js"
import { Connections } from "./connections.js"
import { invalid, type Reply, unhandledError, unknownIntegrations } from "./replies.js"
import type { ConnectionEndUser, Options, StoredSession } from "./types.js"

/** A session lives 30 minutes, as on the live server. */
export const sessionTtlMs = 30 * 60 * 1000

/** The sessions, integrations and connections of one emulator. */
export class Sessions {
  /** Sessions by token, deleted ones removed. */
  readonly byToken = new Map<string, StoredSession>()
  /** Every session created, in order, deleted ones included. */
  readonly created: Array<StoredSession> = []
  /** The tokens of the sessions deleted, in order. */
  readonly deleted: Array<string> = []
  readonly integrations: Set<string>
  /** The connections a reconnect session may target, which `/connections` serves. */
  readonly connections: Connections

  constructor(
    private readonly options: Options,
    private readonly now: () => number,
  ) {
    this.integrations = new Set(options.integrations ?? ["github"])
    this.connections = new Connections(this.integrations, now)
    for (const { connection_id, integration_id } of options.connections ?? []) {
      this.connections.upsert({ connection_id, provider_config_key: integration_id })
    }
  }

  /** The session of a token, unless it was deleted or has expired. */
  live(token: string): StoredSession | undefined {
    const session = this.byToken.get(token)
    return session === undefined || session.expiresAt <= this.now() ? undefined : session
  }

  /** Deletes a session; its token is unknown from now on. */
  delete(token: string): void {
    this.byToken.delete(token)
    this.deleted.push(token)
  }

  /** `POST /connect/sessions`. */
  create(body: unknown): Reply {
    const issues = validateCreateBody(body)
    if (issues.length > 0) return invalid("invalid_body", issues)
    const deprecated = validateDeprecatedWebhookUrls(body)
    if (deprecated.length > 0) return invalid("invalid_body", deprecated)
    const input = body as Record<string, unknown>
    const allowed = input.allowed_integrations as Array<string> | undefined
    const missing = [
      ...(allowed ?? []).flatMap((id, index) =>
        this.integrations.has(id) ? [] : [["allowed_integrations", String(index)]],
      ),
      ...this.missingIntegrations(input),
    ]
    if (missing.length > 0) return unknownIntegrations(missing)
    return (
      this.storageFailure(input, "create") ??
      this.issue(input, allowed !== undefined && allowed.length > 0 ? allowed : undefined, "create")
    )
  }

  /** `POST /connect/sessions/reconnect`. */
  reconnect(body: unknown): Reply {
    const issues = validateReconnectBody(body)
    if (issues.length > 0) return invalid("invalid_body", issues)
    const deprecated = validateDeprecatedWebhookUrls(body)
    if (deprecated.length > 0) return invalid("invalid_body", deprecated)
    const input = body as Record<string, unknown>
    const known = this.connections.find(input.connection_id as string, input.integration_id as string) !== undefined
    if (!known) {
      return {
        status: 400,
        body: { error: { code: "invalid_body", message: "ConnectionID or IntegrationId does not exists" } },
      }
    }
    const missing = this.missingIntegrations(input)
    if (missing.length > 0) return unknownIntegrations(missing)
    return this.storageFailure(input, "reconnect") ?? this.issue(input, [input.integration_id as string], "reconnect")
  }

  /**
   * What the server's database refuses after validation, answered as the server does with a 500:
   * more than 10 effective tags, or a string holding NUL or an unpaired surrogate (which the
   * reconnect route reports as an unhandled error).
   */
  private storageFailure(input: Record<string, unknown>, operation: SessionOperation): Reply | undefined {
    const failed = {
      status: 500,
      body: { error: { code: "server_error", message: "Failed to create connect session" } },
    }
    if (Object.keys(effectiveTags(input, operation)).length > maxEffectiveTags) return failed
    if (unstorableSessionPaths(input).length === 0) return undefined
    return operation === "create" ? failed : unhandledError()
  }

  private missingIntegrations(input: Record<string, unknown>): Array<Array<string>> {
    return (["integrations_config_defaults", "overrides"] as const).flatMap((field) =>
      Object.keys((input[field] as Record<string, unknown> | undefined) ?? {})
        .filter((id) => !this.integrations.has(id))
        .map((id) => [field, id]),
    )
  }

  /** Stores a new session and answers 201 with its token, link and expiry. */
  private issue(
    input: Record<string, unknown>,
    allowed: ReadonlyArray<string> | undefined,
    operation: SessionOperation,
  ): Reply {
    const token = `nango_connect_session_${randomBytes(32).toString("hex")}`
    const expiresAt = this.now() + sessionTtlMs
    const endUser = (input.end_user as Record<string, unknown> | undefined) ?? null
    const session: StoredSession = {
      token,
      expiresAt,
      endUser,
      organization: endUser === null ? null : ((input.organization as Record<string, unknown> | undefined) ?? null),
      allowedIntegrations: allowed,
      integrationsConfigDefaults: input.integrations_config_defaults as StoredSession["integrationsConfigDefaults"],
      overrides: knownOverrides(input.overrides),
      isReconnecting: operation === "reconnect",
      webhookUrlOverride: storedWebhookUrl(input.webhook_url_override),
      tags: effectiveTags(input, operation),
    }
    this.byToken.set(token, session)
    this.created.push(session)
    return {
      status: 201,
      body: { data: { token, connect_link: this.connectLink(token), expires_at: new Date(expiresAt).toISOString() } },
    }
  }

  /** The Connect UI's link for a token: the configured URL, its query and hash replaced. */
  private connectLink(token: string): string {
    const link = new URL(this.options.connectUrl ?? "http://localhost:3009")
    link.search = ""
    link.hash = ""
    if (!link.pathname.endsWith("/")) link.pathname = `${link.pathname}/`
    link.searchParams.set("session_token", token)
    return link.toString()
  }

  /** The body of `GET /connect/session`, in the live server's key order. */
  describe(session: StoredSession): Record<string, unknown> {
    return {
      endUser: connectionEndUser(session),
      connectUISettings: {
        showWatermark: true,
        defaultTheme: "system",
        theme: { light: { primary: "#00B2E3" }, dark: { primary: "#00B2E3" } },
      },
      ...(session.allowedIntegrations === undefined ? {} : { allowed_integrations: session.allowedIntegrations }),
      ...describeDefaults(session.integrationsConfigDefaults),
      ...(session.isReconnecting ? { isReconnecting: true } : {}),
      ...(session.overrides === undefined ? {} : { overrides: session.overrides }),
      ...(this.options.cloud === true ? {} : { websocketsPath: "/" }),
    }
  }
}

/** The session's end user as the server reports it (and as its connection carries it), or null. */
export const connectionEndUser = (session: StoredSession): ConnectionEndUser | null => {
  const organization = session.organization
  return session.endUser === null
    ? null
    : toConnectionEndUser(
        session.endUser,
        organization === null
          ? null
          : { id: organization.id as string, display_name: (organization.display_name as string | undefined) ?? null },
      )
}

/** The overrides as the server keeps them: each entry's unknown keys dropped. */
const knownOverrides = (overrides: unknown): StoredSession["overrides"] =>
  overrides === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries(overrides as Record<string, Record<string, unknown>>).map(([id, entry]) => [
          id,
          entry.docs_connect === undefined ? {} : { docs_connect: entry.docs_connect },
        ]),
      )

/** The webhook URL override as the server stores it: parsed, so percent-encoded; `""` stays `""`. */
const storedWebhookUrl = (value: unknown): string | undefined =>
  typeof value !== "string" ? undefined : value === "" ? "" : new URL(value).href

/** `integrations_config_defaults` as the GET answers it: only the keys it keeps. */
const describeDefaults = (defaults: StoredSession["integrationsConfigDefaults"]) =>
  defaults === undefined
    ? {}
    : {
        integrations_config_defaults: Object.fromEntries(
          Object.entries(defaults).map(([id, entry]) => [
            id,
            {
              ...(entry.connection_config === undefined ? {} : { connection_config: entry.connection_config }),
              ...(entry.authorization_params === undefined ? {} : { authorization_params: entry.authorization_params }),
            },
          ]),
        ),
      }
