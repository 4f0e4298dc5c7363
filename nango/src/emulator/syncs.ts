/**
 * The emulator's syncs: `POST /sync/trigger` and `GET /sync/status` as the server's controllers
 * and its sync manager answer them. A connection has the syncs its integration declares (option
 * `syncs`) and any a `runSync` played; a trigger marks them running, a run ends them.
 */
import { randomUUID } from "node:crypto"
import type { Issue } from "../validation.js"
import { validateEmptyQuery } from "../validation.js"
import {
  checkQuery,
  checkStrictObject,
  connectionIdRule,
  integrationRule,
  issue,
  type QueryRule,
  readQuery,
} from "./connection-queries.js"
import type { Connections } from "./connections.js"
import type { Records } from "./records.js"
import { invalid, type Reply } from "./replies.js"
import type { StoredConnection, TriggeredSync } from "./types.js"

/** One sync of one connection, as the status reports it. */
interface SyncState {
  readonly id: string
  readonly name: string
  readonly variant: string
  readonly models: ReadonlyArray<string>
  status: "RUNNING" | "SUCCESS" | "ERROR" | "PAUSED" | "STOPPED"
  type: "INITIAL" | "INCREMENTAL"
  finishedAt: string | null
  latestResult: unknown
}

/** A sync named by the caller: its name and variant (`base` when none is given). */
interface Identifier {
  readonly name: string
  readonly variant: string
}

/** Whether a sync is among those named: any sync when none is. */
const selectedBy =
  (identifiers: ReadonlyArray<Identifier>) =>
  (state: SyncState): boolean =>
    identifiers.length === 0 || identifiers.some((sync) => sync.name === state.name && sync.variant === state.variant)

/** What the server's generic handler answers when a controller throws. */
const unhandled = (): Reply => {
  const id = randomUUID()
  return {
    status: 500,
    body: {
      error: {
        message: `An error occurred. Please contact support with this unique id: ${JSON.stringify(id)}`,
        code: "generic_error_support",
        payload: id,
      },
    },
  }
}

const bodyKeys = ["syncs", "sync_mode", "full_resync", "connection_id", "provider_config_key", "opts"]

/** The trigger's body issues, as its strict zod schema reports them. */
const triggerBodyIssues = (body: Record<string, unknown>): Array<Issue> => {
  const issues: Array<Issue> = checkStrictObject(body, bodyKeys)
  if (!Array.isArray(body.syncs)) issues.push(issue("invalid_type", "Required", ["syncs"]))
  else {
    body.syncs.forEach((sync: unknown, index) => {
      const named = typeof sync === "object" && sync !== null && !Array.isArray(sync)
      const valid =
        typeof sync === "string" ||
        (named &&
          typeof (sync as Record<string, unknown>).name === "string" &&
          typeof (sync as Record<string, unknown>).variant === "string")
      if (!valid) {
        issues.push(
          issue("invalid_union", "Each sync must be either a string or a { name: string, variant: string } object", [
            "syncs",
            String(index),
          ]),
        )
      }
    })
  }
  for (const key of ["connection_id", "provider_config_key"]) {
    if (body[key] !== undefined && typeof body[key] !== "string")
      issues.push(issue("invalid_type", "Expected string", [key]))
  }
  const opts = body.opts
  if (opts !== undefined) {
    if (typeof opts !== "object" || opts === null) issues.push(issue("invalid_type", "Expected object", ["opts"]))
    else {
      for (const key of ["reset", "emptyCache"]) {
        const value = (opts as Record<string, unknown>)[key]
        if (value !== undefined && typeof value !== "boolean") {
          issues.push(issue("invalid_type", "Expected boolean", ["opts", key]))
        }
      }
    }
  }
  return issues
}

/** The rules of the status's strict query schema. */
const statusRules: Record<string, QueryRule> = {
  syncs: { required: true, check: () => undefined },
  provider_config_key: integrationRule,
  connection_id: { ...connectionIdRule, required: false },
}

/** The syncs of every connection, what was triggered, and the two endpoints. */
export class Syncs {
  /** Every trigger received, in order. */
  readonly triggered: Array<TriggeredSync> = []
  private readonly states = new Map<string, SyncState>()

  constructor(
    private readonly connections: Connections,
    private readonly integrations: ReadonlySet<string>,
    private readonly records: Records,
    /** The syncs each integration declares: by name, the models each writes. */
    private readonly declared: Readonly<Record<string, Readonly<Record<string, ReadonlyArray<string>>>>>,
    private readonly now: () => number,
  ) {}

  /** The syncs of one connection: those its integration declares, and those runs made. */
  private syncsOf(connection: StoredConnection): ReadonlyArray<SyncState> {
    for (const [name, models] of Object.entries(this.declared[connection.provider_config_key] ?? {})) {
      this.state(connection, { name, variant: "base" }, models)
    }
    return [...this.states.entries()].filter(([key]) => key.startsWith(`${connection.id}|`)).map(([, state]) => state)
  }

  /** A sync of a connection, made when first needed. */
  private state(connection: StoredConnection, sync: Identifier, models: ReadonlyArray<string>): SyncState {
    const key = `${connection.id}|${sync.name}|${sync.variant}`
    const existing = this.states.get(key)
    if (existing !== undefined) return existing
    const made: SyncState = {
      id: randomUUID(),
      ...sync,
      models,
      status: "SUCCESS",
      type: "INITIAL",
      finishedAt: null,
      latestResult: null,
    }
    this.states.set(key, made)
    return made
  }

  /** Ends a run of a sync (what `runSync` plays): a success, with its results by model. */
  finishRun(
    connection: StoredConnection,
    sync: Identifier & { readonly model: string },
    results: { readonly added: number; readonly updated: number; readonly deleted: number },
  ): void {
    const state = this.state(connection, sync, [sync.model])
    state.type = state.finishedAt === null ? "INITIAL" : "INCREMENTAL"
    state.status = "SUCCESS"
    state.finishedAt = new Date(this.now()).toISOString()
    state.latestResult = { [sync.model]: results }
  }

  /** Answers `POST /sync/trigger`. */
  trigger(url: URL, headers: Readonly<Record<string, string>>, body: unknown): Reply {
    const query = validateEmptyQuery(url.searchParams)
    if (query.length > 0) return invalid("invalid_query_params", query)
    const read = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
    const issues = triggerBodyIssues(read)
    if (issues.length > 0) return invalid("invalid_body", issues)
    const providerConfigKey = (read.provider_config_key as string | undefined) || headers["provider-config-key"]
    if (!providerConfigKey) {
      return {
        status: 400,
        body: {
          error: {
            code: "missing_provider_config_key",
            message: "Missing provider_config_key. Provide it in the body or headers.",
          },
        },
      }
    }
    const connectionId = (read.connection_id as string | undefined) || headers["connection-id"]
    const opts = read.opts as { readonly reset?: boolean; readonly emptyCache?: boolean } | undefined
    if (opts !== undefined && (read.sync_mode !== undefined || read.full_resync !== undefined)) {
      return {
        status: 400,
        body: {
          error: { code: "invalid_body", message: "Cannot use opts with deprecated sync_mode/full_resync parameters" },
        },
      }
    }
    // The sync manager reads the integration's id without checking it: an unknown one throws.
    if (!this.integrations.has(providerConfigKey)) return unhandled()
    const identifiers = (read.syncs as ReadonlyArray<string | Identifier>).map((sync) =>
      typeof sync === "string" ? { name: sync, variant: "base" } : sync,
    )
    const targets = this.targetsOf(providerConfigKey, connectionId, identifiers)
    if (targets === "unknown_connection") {
      return {
        status: 400,
        body: {
          error: {
            code: "unknown_connection",
            message: "No connection matching the provided params of 'connection_id' and 'provider_config_key'.",
          },
        },
      }
    }
    if (targets === "unknown_sync") return unhandled()
    if (targets.length === 0) {
      return { status: 400, body: { error: { code: "no_syncs_found", message: "No syncs found given the inputs." } } }
    }
    for (const { connection, state } of targets) {
      state.status = "RUNNING"
      if (opts?.emptyCache === true) {
        for (const model of state.models) {
          this.records.clear({
            connectionId: connection.connection_id,
            providerConfigKey,
            model,
            variant: state.variant,
          })
        }
      }
    }
    this.triggered.push({
      providerConfigKey,
      connectionId,
      syncs: identifiers,
      reset: opts?.reset === true || read.full_resync === true || (read.sync_mode ?? "incremental") !== "incremental",
      emptyCache: opts?.emptyCache === true || read.sync_mode === "full_refresh_and_clear_cache",
    })
    return { status: 200, body: { success: true } }
  }

  /** The syncs a trigger acts on, or why it cannot: the connection's (each must exist), else the integration's. */
  private targetsOf(
    providerConfigKey: string,
    connectionId: string | undefined,
    identifiers: ReadonlyArray<Identifier>,
  ):
    | ReadonlyArray<{ readonly connection: StoredConnection; readonly state: SyncState }>
    | "unknown_connection"
    | "unknown_sync" {
    const matches = selectedBy(identifiers)
    if (connectionId !== undefined) {
      const connection = this.connections.find(connectionId, providerConfigKey)
      if (connection === undefined) return "unknown_connection"
      const syncs = this.syncsOf(connection)
      const missing = identifiers.some(
        (sync) => !syncs.some((state) => state.name === sync.name && state.variant === sync.variant),
      )
      if (missing) return "unknown_sync"
      return syncs.filter(matches).map((state) => ({ connection, state }))
    }
    return this.connections.all
      .filter((connection) => connection.provider_config_key === providerConfigKey)
      .flatMap((connection) =>
        this.syncsOf(connection)
          .filter(matches)
          .map((state) => ({ connection, state })),
      )
  }

  /** Answers `GET /sync/status`. */
  status(url: URL): Reply {
    const { issues, read } = checkQuery(readQuery(url.searchParams), statusRules)
    if (issues.length > 0) return invalid("invalid_query_params", issues)
    const { syncs, provider_config_key: providerConfigKey, connection_id: connectionId } = read
    const identifiers =
      syncs === "*"
        ? []
        : (syncs as string).split(",").map((text) => {
            const [name, variant] = text.split("::")
            return { name: name as string, variant: variant ?? "base" }
          })
    const matches = selectedBy(identifiers)
    const connections =
      connectionId === undefined
        ? this.connections.all.filter((connection) => connection.provider_config_key === providerConfigKey)
        : [this.connections.find(connectionId, providerConfigKey as string)]
    if (connections[0] === undefined && connectionId !== undefined) {
      return { status: 400, body: { error: { code: "invalid_body", message: "Connection not found" } } }
    }
    const found = (connections as ReadonlyArray<StoredConnection>).flatMap((connection) =>
      this.syncsOf(connection)
        .filter(matches)
        .map((state) => this.report(connection, state)),
    )
    return { status: 200, body: { syncs: found } }
  }

  /** One sync's status, as the sync manager reports it. */
  private report(connection: StoredConnection, state: SyncState) {
    const recordCount = Object.fromEntries(
      state.models.map((model) => [
        model,
        this.records
          .list({ connectionId: connection.connection_id, providerConfigKey: connection.provider_config_key, model })
          .filter((record) => record.deletedMicros === null).length,
      ]),
    )
    return {
      id: state.id,
      connection_id: connection.connection_id,
      type: state.type,
      finishedAt: state.finishedAt,
      nextScheduledSyncAt: null,
      name: state.name,
      variant: state.variant,
      status: state.status,
      frequency: "every hour",
      latestResult: state.latestResult,
      latestExecutionStatus: state.status,
      recordCount,
    }
  }
}
