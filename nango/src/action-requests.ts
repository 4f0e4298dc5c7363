/**
 * How both lines trigger Nango's actions and read their results, in plain TypeScript: the paths
 * and headers, the bounds the server checks (`X-Max-Retries` 0–5, a UUID for a result's id), and
 * which status and code of each endpoint is which failure of the action: the server answers an
 * action's own failures with the status of the error inside it, so the code tells them apart.
 */
import type { Refinement } from "./failure.js"
import { uuidPattern } from "./rules.js"

/** Where an action is triggered. */
export const triggerPath = "/action/trigger"

/** Where an async action's result is read, as errors and spans name it: the template, never the id. */
export const resultPath = "/action/{id}"

/** The most retries of an async action the server takes (`X-Max-Retries`). */
export const maxActionRetries = 5

/** An action's name, as the server's `syncNameSchema` checks it. */
export const actionNamePattern = /^[a-zA-Z0-9_-]+$/

/** What `GET /action/{id}` takes: a UUID as zod checks it. */
export const actionIdPattern = uuidPattern

/** The target of one async action's result. */
export const resultTarget = (id: string): string => `/action/${encodeURIComponent(id)}`

/** The headers of a trigger: the connection, and for an async one `X-Async` and `X-Max-Retries`. */
export const triggerHeaders = (
  connectionId: string,
  providerConfigKey: string,
  async?: { readonly maxRetries: number },
): Record<string, string> => ({
  "connection-id": connectionId,
  "provider-config-key": providerConfigKey,
  ...(async === undefined ? {} : { "x-async": "true", "x-max-retries": String(async.maxRetries) }),
})

/** The failures inside an action, by Nango's code, with the status the server answers them with. */
export const actionFailureCodes = {
  invalid_action_input: { status: 400, tag: "InvalidActionInput" },
  invalid_action_output: { status: 400, tag: "InvalidActionOutput" },
  script_output_too_large: { status: 400, tag: "ActionOutputTooLarge" },
  action_failure: { status: 400, tag: "ActionFailed" },
  script_aborted: { status: 410, tag: "ActionAborted" },
  script_http_error: { status: 424, tag: "ActionHttpError" },
  script_api_rate_limit_error: { status: 424, tag: "ActionFailed" },
  action_script_failure: { status: 500, tag: "ActionFailed" },
  action_script_runtime_error: { status: 500, tag: "ActionFailed" },
  script_network_error: { status: 500, tag: "ActionFailed" },
  script_internal_error: { status: 500, tag: "ActionFailed" },
} as const

/** A code of a failure inside an action. */
export type ActionFailureCode = keyof typeof actionFailureCodes

/** The tags of the failures inside an action. */
export type ActionFailureTag = (typeof actionFailureCodes)[ActionFailureCode]["tag"]

/** Each failure inside an action, by its status and code. */
const actionFailures: ReadonlyArray<Refinement<ActionFailureTag>> = Object.entries(actionFailureCodes).map(
  ([code, { status, tag }]) => ({ status, code, tag }),
)

/** The refinements of `POST /action/trigger`: before the action runs, then the action's own failures. */
export const triggerRefinements: ReadonlyArray<
  Refinement<"UnknownConnection" | "UnknownIntegration" | "UnknownAction" | "ActionDisabled" | ActionFailureTag>
> = [
  { status: 400, code: "unknown_connection", tag: "UnknownConnection" },
  { status: 400, code: "unknown_provider", tag: "UnknownIntegration" },
  { status: 404, code: "not_found", tag: "UnknownAction" },
  { status: 404, code: "disabled_resource", tag: "ActionDisabled" },
  ...actionFailures,
]

/**
 * The refinements of `GET /action/{id}`: its 404 `not_found` is "no result yet", which the server
 * answers both while the action runs and for an id it does not know; then the action's failures.
 */
export const resultRefinements: ReadonlyArray<Refinement<"ActionPending" | ActionFailureTag>> = [
  { status: 404, code: "not_found", tag: "ActionPending" },
  ...actionFailures,
]
