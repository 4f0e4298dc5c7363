/**
 * Effect Schemas of what the actions client takes and Nango answers: the connection an action
 * runs for, an async trigger's options (`X-Max-Retries`) and the handle its 202 returns.
 *
 * @since 0.5.0
 */
import { between, minLength } from "#effect"
import * as Schema from "#effect/Schema"
import { maxActionRetries } from "../nango/src/action-requests.js"
import { ConnectionId, IntegrationId } from "./NangoConnectSchema.js"

/**
 * The connection an action runs for.
 *
 * @since 0.5.0
 * @category requests
 */
export const ActionTarget = Schema.Struct({
  providerConfigKey: IntegrationId,
  connectionId: ConnectionId.pipe(minLength(1)),
})

/**
 * The connection an action runs for.
 *
 * @since 0.5.0
 * @category requests
 */
export type ActionTarget = typeof ActionTarget.Type

/**
 * How an async action runs: `maxRetries` (0–5, Nango's default 0) is how many times Nango runs
 * it again after a failure. A sync trigger always runs once.
 *
 * @since 0.5.0
 * @category requests
 */
export const AsyncActionOptions = Schema.Struct({
  maxRetries: Schema.optional(Schema.Finite.pipe(between(0, maxActionRetries))),
})

/**
 * How an async action runs.
 *
 * @since 0.5.0
 * @category requests
 */
export type AsyncActionOptions = typeof AsyncActionOptions.Type

/**
 * What an async trigger's 202 returns: the run's `id`, and `statusUrl` (`/action/<id>`).
 *
 * @since 0.5.0
 * @category responses
 */
export const AsyncActionHandle = Schema.Struct({ id: Schema.String, statusUrl: Schema.String })

/**
 * What an async trigger returns.
 *
 * @since 0.5.0
 * @category responses
 */
export type AsyncActionHandle = typeof AsyncActionHandle.Type
