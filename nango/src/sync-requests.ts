/**
 * How both lines start syncs and read their status (`POST /sync/trigger`, `GET /sync/status`), in
 * plain TypeScript: the body and query as the server reads them, a sync named by itself (the
 * `base` variant) or with its variant, and which status and code mean more than the status alone.
 */
import type { Refinement } from "./failure.js"

/** Where syncs are triggered. */
export const triggerSyncPath = "/sync/trigger"

/** Where their status is read. */
export const syncStatusPath = "/sync/status"

/** A sync: its name (the `base` variant), or its name and variant. */
export type SyncSelector = string | { readonly name: string; readonly variant: string }

/** What `triggerSync` sends, once checked. */
export interface TriggerSync {
  readonly providerConfigKey: string
  readonly connectionId?: string | undefined
  readonly syncs: ReadonlyArray<SyncSelector>
  /** Run from scratch: the checkpoints are cleared. */
  readonly reset?: boolean | undefined
  /** Also remove the records the sync keeps. */
  readonly emptyCache?: boolean | undefined
}

/** The body of a trigger: `opts` only when the caller set it (the deprecated forms are never sent). */
export const triggerSyncBody = (trigger: TriggerSync): string =>
  JSON.stringify({
    syncs: trigger.syncs,
    provider_config_key: trigger.providerConfigKey,
    ...(trigger.connectionId === undefined ? {} : { connection_id: trigger.connectionId }),
    ...(trigger.reset === undefined && trigger.emptyCache === undefined
      ? {}
      : {
          opts: {
            ...(trigger.reset === undefined ? {} : { reset: trigger.reset }),
            ...(trigger.emptyCache === undefined ? {} : { emptyCache: trigger.emptyCache }),
          },
        }),
  })

/** A sync as the status query names it: `name`, or `name::variant`. */
export const selectorText = (selector: SyncSelector): string =>
  typeof selector === "string" ? selector : `${selector.name}::${selector.variant}`

/** What `syncStatus` reads, once checked: every sync (`*`) or the ones named. */
export interface SyncStatusQuery {
  readonly providerConfigKey: string
  readonly connectionId?: string | undefined
  readonly syncs: "*" | ReadonlyArray<SyncSelector>
}

/** The target of a status read: its query as the server's strict schema reads it. */
export const syncStatusTarget = (query: SyncStatusQuery): string => {
  const params = new URLSearchParams({
    syncs: query.syncs === "*" ? "*" : query.syncs.map(selectorText).join(","),
    provider_config_key: query.providerConfigKey,
  })
  if (query.connectionId !== undefined) params.set("connection_id", query.connectionId)
  return `${syncStatusPath}?${params.toString()}`
}

/** The refinements of `POST /sync/trigger`: an unknown connection, and no sync matching the inputs. */
export const triggerSyncRefinements: ReadonlyArray<Refinement<"UnknownConnection" | "SyncNotFound">> = [
  { status: 400, code: "unknown_connection", tag: "UnknownConnection" },
  { status: 400, code: "no_syncs_found", tag: "SyncNotFound" },
]
