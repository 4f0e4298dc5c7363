/**
 * The failures of the actions client: the action unknown or disabled, each way an action fails
 * inside (Nango answers them with the status of the error inside, so each is told by its code),
 * a wait for an async result that reached its deadline, and the error union of each call. What an
 * action's failure carries (`payload`, the provider's answer) may hold a person's data: it is kept
 * `Redacted`, and no rendering of the error shows it.
 *
 * @since 0.5.0
 */
import { DurationValue, RedactedFromValue } from "#effect"
import * as Schema from "#effect/Schema"
import { responseFields } from "./internal/fields.js"
import type { BadRequest, CommonError, Forbidden, ResponseDecodeError, Unauthorized } from "./NangoConnectError.js"
import type { UnknownIntegration } from "./NangoConnectionsError.js"
import type { UnknownConnection } from "./NangoProxyError.js"

/** What every failure of an action carries: the response, the action's name and Nango's `payload`. */
const actionFields = {
  ...responseFields,
  actionName: Schema.String,
  /** Nango's `payload` of the failure (the action's error, the invalid input's issues). */
  payload: Schema.optional(RedactedFromValue(Schema.Unknown)),
}

/**
 * 404 `not_found` on a trigger: the integration has no action of this name.
 *
 * @since 0.5.0
 * @category errors
 */
export class UnknownAction extends Schema.TaggedError<UnknownAction>()("UnknownAction", actionFields) {}

/**
 * 404 `disabled_resource`: the action exists but is disabled.
 *
 * @since 0.5.0
 * @category errors
 */
export class ActionDisabled extends Schema.TaggedError<ActionDisabled>()("ActionDisabled", actionFields) {}

/**
 * 400 `invalid_action_input`: the action refused its input (its own schema, in the function).
 *
 * @since 0.5.0
 * @category errors
 */
export class InvalidActionInput extends Schema.TaggedError<InvalidActionInput>()("InvalidActionInput", actionFields) {}

/**
 * 400 `invalid_action_output`: the action's output did not match the output it declares.
 *
 * @since 0.5.0
 * @category errors
 */
export class InvalidActionOutput extends Schema.TaggedError<InvalidActionOutput>()(
  "InvalidActionOutput",
  actionFields,
) {}

/**
 * 400 `script_output_too_large`: the action's output is larger than Nango takes (2 MB by its docs).
 *
 * @since 0.5.0
 * @category errors
 */
export class ActionOutputTooLarge extends Schema.TaggedError<ActionOutputTooLarge>()(
  "ActionOutputTooLarge",
  actionFields,
) {}

/**
 * 410 `script_aborted`: the action was stopped before it finished.
 *
 * @since 0.5.0
 * @category errors
 */
export class ActionAborted extends Schema.TaggedError<ActionAborted>()("ActionAborted", actionFields) {}

/**
 * 424 `script_http_error`: a call the action made to the provider failed. `upstreamStatus` is the
 * provider's status when Nango passed it on; `upstream` is the provider's answer, `Redacted`.
 *
 * @since 0.5.0
 * @category errors
 */
export class ActionHttpError extends Schema.TaggedError<ActionHttpError>()("ActionHttpError", {
  ...actionFields,
  upstreamStatus: Schema.optional(Schema.Number),
  upstream: Schema.optional(RedactedFromValue(Schema.Unknown)),
}) {}

/**
 * Any other failure inside the action, `code` saying which: `action_script_failure`,
 * `action_script_runtime_error`, `action_failure` (400), `script_network_error`,
 * `script_internal_error` (500) or `script_api_rate_limit_error` (424).
 *
 * @since 0.5.0
 * @category errors
 */
export class ActionFailed extends Schema.TaggedError<ActionFailed>()("ActionFailed", actionFields) {}

/**
 * `awaitActionResult` saw no result before its deadline: the action may still be running, or the
 * id may be one Nango does not know (its `GET /action/{id}` answers 404 for both).
 *
 * @since 0.5.0
 * @category errors
 */
export class ActionResultTimeout extends Schema.TaggedError<ActionResultTimeout>()("ActionResultTimeout", {
  id: Schema.String,
  timeout: DurationValue,
  message: Schema.String,
}) {}

/**
 * The failures inside an action, whatever its call.
 *
 * @since 0.5.0
 * @category errors
 */
export type ActionFailure =
  | InvalidActionInput
  | InvalidActionOutput
  | ActionOutputTooLarge
  | ActionAborted
  | ActionHttpError
  | ActionFailed

/**
 * The failures of `getAsyncActionResult`: "no result yet" is not one (it is `Option.none()`).
 *
 * @since 0.5.0
 * @category errors
 */
export type ActionResultError =
  | ActionFailure
  | BadRequest
  | Unauthorized
  | Forbidden
  | ResponseDecodeError
  | CommonError

/**
 * The failures of `triggerAction` and `triggerActionAsync`: those before the action runs, and
 * those of a result; a decoded output that does not match the action's output schema is
 * `ResponseDecodeError`.
 *
 * @since 0.5.0
 * @category errors
 */
export type TriggerActionError =
  | UnknownConnection
  | UnknownIntegration
  | UnknownAction
  | ActionDisabled
  | ActionResultError

/**
 * The failures of `awaitActionResult`: its deadline, and those of the reads it makes.
 *
 * @since 0.5.0
 * @category errors
 */
export type AwaitActionError = ActionResultTimeout | ActionResultError
