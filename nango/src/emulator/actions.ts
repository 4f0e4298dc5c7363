/**
 * The emulator's actions: `POST /action/trigger` and `GET /action/{id}` as the server, its
 * orchestrator and its error manager answer them. The checks run in the controller's order
 * (headers, empty query, body, connection, integration, action, enabled); a sync run answers 200
 * with the output, an async one 202 with its id, runs in the background with its retries and
 * sends the `async_action` webhook when it ends; a failure inside is answered with its code's
 * status and Nango's envelope (424 `script_http_error` carries the provider's answer).
 */
import { randomUUID } from "node:crypto"
import { actionFailureCodes, actionIdPattern, actionNamePattern, maxActionRetries } from "../action-requests.js"
import { validateEmptyQuery } from "../validation.js"
import {
  boolRule,
  checkQuery,
  connectionIdRule,
  headerQuery,
  integrationRule,
  issue,
  isTrue,
  numberRule,
  type QueryRule,
} from "./connection-queries.js"
import type { Connections } from "./connections.js"
import { invalid, type Reply } from "./replies.js"
import type { ActionHandler, ActionOutcome, ActionRun, TriggeredAction } from "./types.js"

/** A run of an async action: its result once it ended. */
interface AsyncRun {
  readonly connectionId: string
  readonly providerConfigKey: string
  outcome?: ActionOutcome
}

/** What the server answers for an action's failure, by its code. */
const failureReply = (outcome: Extract<ActionOutcome, { readonly error: string }>): Reply => {
  const known = actionFailureCodes[outcome.error as keyof typeof actionFailureCodes]
  const status = known?.status ?? 500
  if (outcome.error === "script_http_error") {
    return {
      status,
      body: {
        error: {
          payload: outcome.payload ?? {},
          code: outcome.error,
          ...(outcome.upstream === undefined ? {} : { upstream: outcome.upstream }),
        },
      },
    }
  }
  return {
    status,
    body: {
      error: {
        ...(outcome.message === undefined ? {} : { message: outcome.message }),
        code: outcome.error,
        payload: outcome.payload ?? {},
        additional_properties: {},
      },
    },
  }
}

/** The answer for an action's outcome: its output with 200, or its failure. */
const outcomeReply = (outcome: ActionOutcome): Reply =>
  "error" in outcome ? failureReply(outcome) : { status: 200, body: outcome.output }

/** The trigger's headers, as the server's zod schema over them checks them, in its order. */
const triggerHeaderRules: Record<string, QueryRule> = {
  "provider-config-key": integrationRule,
  "connection-id": connectionIdRule,
  "x-async": boolRule,
  "x-max-retries": numberRule(0, maxActionRetries),
}

/** The trigger's headers, checked and read. */
const readHeaders = (headers: Readonly<Record<string, string>>) => ({
  issues: checkQuery(headerQuery(headers, Object.keys(triggerHeaderRules)), triggerHeaderRules).issues,
  connectionId: headers["connection-id"] ?? "",
  providerConfigKey: headers["provider-config-key"] ?? "",
  async: isTrue(headers["x-async"]),
  maxRetries: Number(headers["x-max-retries"] ?? 0),
})

/** The actions of every integration, what was triggered, and the runs of async actions. */
export class Actions {
  /** Every action triggered, in order (each attempt of an async one). */
  readonly triggered: Array<TriggeredAction> = []
  private readonly runs = new Map<string, AsyncRun>()

  constructor(
    private readonly connections: Connections,
    private readonly integrations: ReadonlySet<string>,
    private readonly handlers: Readonly<Record<string, Readonly<Record<string, ActionHandler | "disabled">>>>,
    /** Sends the `async_action` webhook of a run that ended. */
    private readonly announce: (run: {
      readonly id: string
      readonly connectionId: string
      readonly providerConfigKey: string
    }) => void,
  ) {}

  /** Runs a handler once, a throw counting as the runtime error the runner reports. */
  private async attempt(handler: ActionHandler, input: unknown, run: ActionRun): Promise<ActionOutcome> {
    this.triggered.push({ ...run, input })
    try {
      return await handler(input, run)
    } catch (error) {
      return { error: "action_script_runtime_error", message: error instanceof Error ? error.message : String(error) }
    }
  }

  /** Answers `POST /action/trigger` once the key may execute actions. */
  trigger(url: URL, headers: Readonly<Record<string, string>>, body: unknown): Reply | Promise<Reply> {
    const read = readHeaders(headers)
    if (read.issues.length > 0) return invalid("invalid_headers", read.issues)
    const query = validateEmptyQuery(url.searchParams)
    if (query.length > 0) return invalid("invalid_query_params", query)
    const name = (body as { readonly action_name?: unknown } | undefined)?.action_name
    if (typeof name !== "string" || !actionNamePattern.test(name) || name.length > 255) {
      return invalid("invalid_body", [issue("invalid_type", "Invalid", ["action_name"])])
    }
    const input = (body as { readonly input?: unknown }).input
    const connection = this.connections.find(read.connectionId, read.providerConfigKey)
    if (connection === undefined) {
      return { status: 400, body: { error: { code: "unknown_connection", message: "Failed to find connection" } } }
    }
    if (!this.integrations.has(read.providerConfigKey)) {
      return { status: 400, body: { error: { code: "unknown_provider", message: "Failed to find provider" } } }
    }
    const handler = this.handlers[read.providerConfigKey]?.[name]
    if (handler === undefined)
      return { status: 404, body: { error: { code: "not_found", message: "Action not found" } } }
    if (handler === "disabled") {
      return { status: 404, body: { error: { code: "disabled_resource", message: "The action is disabled" } } }
    }
    const run = {
      name,
      connectionId: read.connectionId,
      providerConfigKey: read.providerConfigKey,
      async: read.async,
      maxRetries: read.maxRetries,
    }
    if (!run.async) return this.attempt(handler, input, { ...run, maxRetries: 0, attempt: 1 }).then(outcomeReply)
    const id = randomUUID()
    this.runs.set(id, { connectionId: run.connectionId, providerConfigKey: run.providerConfigKey })
    void this.runInBackground(id, handler, input, run)
    const statusUrl = `/action/${id}`
    return { status: 202, headers: { location: statusUrl }, body: { id, statusUrl } }
  }

  /** An async run: attempts until one succeeds or the retries are spent, then its webhook. */
  private async runInBackground(
    id: string,
    handler: ActionHandler,
    input: unknown,
    run: Omit<ActionRun, "attempt">,
  ): Promise<void> {
    let outcome: ActionOutcome = { error: "action_script_failure" }
    for (let attempt = 1; attempt <= run.maxRetries + 1; attempt++) {
      outcome = await this.attempt(handler, input, { ...run, attempt })
      if (!("error" in outcome)) break
    }
    const stored = this.runs.get(id)
    if (stored !== undefined) stored.outcome = outcome
    this.announce({ id, connectionId: run.connectionId, providerConfigKey: run.providerConfigKey })
  }

  /** Answers `GET /action/{id}`: the output or failure of a run that ended, else 404. */
  result(id: string): Reply {
    if (!actionIdPattern.test(id)) {
      return invalid("invalid_uri_params", [issue("invalid_format", "Invalid UUID", ["id"])])
    }
    const outcome = this.runs.get(id)?.outcome
    if (outcome === undefined) {
      return { status: 404, body: { error: { code: "not_found", message: `No action '${id}' found` } } }
    }
    return outcomeReply(outcome)
  }
}
