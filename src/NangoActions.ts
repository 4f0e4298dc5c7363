/**
 * The actions client: trigger a Nango action with a typed input and output, now or in the
 * background, and read or await an async action's result. Each call is an `Effect` with a typed
 * error channel, on the same engine as `NangoConnect` (timeouts, spans, body cap, the undici fast
 * path). An action is not idempotent: a trigger is retried only when Nango cannot have started it.
 *
 * @since 0.5.0
 */
import {
  type Codec,
  type ConfigError,
  type DurationInput,
  decodeUnknownCheck,
  encodeUnknownCheck,
  ServiceTag,
} from "#effect"
import * as Duration from "#effect/Duration"
import * as Effect from "#effect/Effect"
import type * as HttpClient from "#effect/HttpClient"
import * as Layer from "#effect/Layer"
import * as Option from "#effect/Option"
import * as Redacted from "#effect/Redacted"
import * as Schedule from "#effect/Schedule"
import {
  actionIdPattern,
  actionNamePattern,
  resultPath,
  resultRefinements,
  resultTarget,
  triggerHeaders,
  triggerPath,
  triggerRefinements,
} from "../nango/src/action-requests.js"
import type { RefinedTag, Refinement } from "../nango/src/failure.js"
import { prepareBody } from "../nango/src/json-body.js"
import * as Check from "./internal/check.js"
import { checkInput, fromEnvironment, makeClient, noRules } from "./internal/client.js"
import * as Endpoint from "./internal/endpoint.js"
import * as Errors from "./internal/errors.js"
import { invalid } from "./internal/options.js"
import type * as Transport from "./internal/transport.js"
import { makeWaiter, resolvePolicy } from "./internal/waiting.js"
import {
  ActionAborted,
  ActionDisabled,
  ActionFailed,
  ActionHttpError,
  ActionOutputTooLarge,
  type ActionResultError,
  ActionResultTimeout,
  type AwaitActionError,
  InvalidActionInput,
  InvalidActionOutput,
  type TriggerActionError,
  UnknownAction,
} from "./NangoActionsError.js"
import { ActionTarget, AsyncActionHandle, AsyncActionOptions } from "./NangoActionsSchema.js"
import * as NangoConnect from "./NangoConnect.js"
import type { InvalidInput, ResponseDecodeError } from "./NangoConnectError.js"
import { UnknownIntegration } from "./NangoConnectionsError.js"

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * An action as the application calls it: its name, and the schemas of its input (checked and
 * encoded before sending) and of its output (decoded from Nango's answer). Without a schema, the
 * input is sent as it is and the output is the JSON Nango returns.
 *
 * @since 0.5.0
 * @category models
 */
export interface Action<I, O> {
  readonly name: string
  readonly input: Codec<I, unknown> | undefined
  readonly output: Codec<O, unknown> | undefined
}

/**
 * Describes an action: its name in Nango, and the schemas of its input and output.
 *
 * @example
 * ```ts
 * const CreateIssue = NangoActions.action("create-issue", { input: NewIssue, output: Issue })
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const action = <I = unknown, O = unknown, II = I, OI = O>(
  name: string,
  schemas: { readonly input?: Codec<I, II>; readonly output?: Codec<O, OI> } = {},
): Action<I, O> => ({
  name,
  input: schemas.input as Codec<I, unknown> | undefined,
  output: schemas.output as Codec<O, unknown> | undefined,
})

/**
 * How `awaitActionResult` waits: how often the result is read, and for how long.
 *
 * @since 0.5.0
 * @category options
 */
export interface AwaitOptions {
  /** When to read the result again after a read found none. Default: every 2 seconds. */
  readonly schedule?: Schedule.Schedule<unknown>
  /** The deadline, from the call: then the wait fails with `ActionResultTimeout`. Default 15 minutes. */
  readonly timeout?: DurationInput
}

// -----------------------------------------------------------------------------
// Service Interface
// -----------------------------------------------------------------------------

/**
 * The operations of the actions client.
 *
 * @since 0.5.0
 * @category models
 */
export interface Service {
  /**
   * Runs an action and waits for its output (`POST /action/trigger`): the input checked and
   * encoded with the action's schema first, the output decoded with it. Never retried once Nango
   * may have started it.
   *
   * @example
   * ```ts
   * const issue = yield* actions.triggerAction(CreateIssue, { providerConfigKey: "github", connectionId: "c1" }, { title: "Hi" })
   * ```
   */
  readonly triggerAction: <I, O>(
    action: Action<I, O>,
    target: ActionTarget,
    input?: I,
  ) => Effect.Effect<O, TriggerActionError>
  /**
   * Queues an action (`X-Async: true`) and returns its run's `id` and `statusUrl` at once.
   *
   * @example
   * ```ts
   * const run = yield* actions.triggerActionAsync(CreateIssue, target, { title: "Hi" }, { maxRetries: 2 })
   * ```
   */
  readonly triggerActionAsync: <I, O>(
    action: Action<I, O>,
    target: ActionTarget,
    input?: I,
    options?: AsyncActionOptions,
  ) => Effect.Effect<AsyncActionHandle, TriggerActionError>
  /**
   * Reads an async action's result once (`GET /action/{id}`): its output, or `Option.none()` when
   * there is none yet. Nango answers the same 404 while the action runs and for an id it does not
   * know, so the two cannot be told apart; a failed run is its typed error.
   *
   * @example
   * ```ts
   * const output = yield* actions.getAsyncActionResult(CreateIssue, run)
   * ```
   */
  readonly getAsyncActionResult: <I, O>(
    action: Action<I, O>,
    run: string | AsyncActionHandle,
  ) => Effect.Effect<Option.Option<O>, ActionResultError>
  /**
   * Waits for an async action's result: at once when `receiveWebhook` is handed its `async_action`
   * webhook, otherwise by reading it on `options.schedule` (every 2 s by default) until
   * `options.timeout` (15 minutes, the longest an action may run), then `ActionResultTimeout`.
   *
   * @example
   * ```ts
   * const issue = yield* actions.awaitActionResult(CreateIssue, run, { timeout: "1 minute" })
   * ```
   */
  readonly awaitActionResult: <I, O>(
    action: Action<I, O>,
    run: string | AsyncActionHandle,
    options?: AwaitOptions,
  ) => Effect.Effect<O, AwaitActionError>
  /**
   * Hands a verified webhook to the service: an `async_action` webhook ends every
   * `awaitActionResult` waiting for its run. Any other webhook is ignored.
   *
   * @example
   * ```ts
   * yield* actions.receiveWebhook(yield* NangoWebhook.verify(body, headers, { signingKeys }))
   * ```
   */
  readonly receiveWebhook: (webhook: unknown) => Effect.Effect<void>
}

// -----------------------------------------------------------------------------
// Service Identifier
// -----------------------------------------------------------------------------

/**
 * The actions client service; provide it with `NangoActions.layer` or `NangoActions.layerConfig`.
 *
 * @since 0.5.0
 * @category tags
 */
export class NangoActions extends ServiceTag<NangoActions, Service>()("effect-nango/NangoActions") {}

/**
 * What `make` and `layer` need: the same options as `NangoConnect`.
 *
 * @since 0.5.0
 * @category options
 */
export type Options = NangoConnect.Options

/**
 * The defaults: those of `NangoConnect`, with the overall timeout of a sync trigger at 15 minutes
 * and 30 seconds (an action may take 30 s to start and 15 minutes to run) and a 4 MiB body cap
 * (an action's output may be up to 2 MB).
 *
 * @since 0.5.0
 * @category options
 */
export const defaults = {
  ...NangoConnect.defaults,
  maxResponseBytes: 4 * 1024 * 1024,
  timeout: { attempt: Duration.seconds(930), total: Duration.seconds(930) },
}

/** The default poll of `awaitActionResult`: every 2 seconds, until 15 minutes. */
const defaultPolicy = { schedule: Schedule.spaced(Duration.seconds(2)), timeout: Duration.minutes(15) }

// -----------------------------------------------------------------------------
// Errors by status and code
// -----------------------------------------------------------------------------

/** The provider's status in an action's `script_http_error`, when Nango passed it on. */
const upstreamStatusOf = (upstream: unknown): number | undefined => {
  if (typeof upstream !== "object" || upstream === null) return undefined
  const status = (upstream as { readonly status?: unknown }).status
  return typeof status === "number" ? status : undefined
}

/** The typed error of a failure, named with its action (and connection, for `UnknownConnection`). */
const named = (failure: Errors.Unnamed, actionName: string, target?: ActionTarget) => {
  const { fields, envelope } = failure
  const action = {
    ...fields,
    actionName,
    ...(envelope.payload === undefined ? {} : { payload: Redacted.make(envelope.payload) }),
  }
  switch (failure.tag) {
    case "UnknownConnection":
      return Errors.unknownConnection(failure, target)
    case "UnknownIntegration":
      return new UnknownIntegration(fields)
    case "UnknownAction":
      return new UnknownAction(action)
    case "ActionDisabled":
      return new ActionDisabled(action)
    case "InvalidActionInput":
      return new InvalidActionInput(action)
    case "InvalidActionOutput":
      return new InvalidActionOutput(action)
    case "ActionOutputTooLarge":
      return new ActionOutputTooLarge(action)
    case "ActionAborted":
      return new ActionAborted(action)
    case "ActionHttpError": {
      const status = upstreamStatusOf(envelope.upstream)
      return new ActionHttpError({
        ...action,
        ...(status === undefined ? {} : { upstreamStatus: status }),
        ...(envelope.upstream === undefined ? {} : { upstream: Redacted.make(envelope.upstream) }),
      })
    }
    default:
      return new ActionFailed(action)
  }
}

// -----------------------------------------------------------------------------
// Input and output
// -----------------------------------------------------------------------------

const checkTarget = checkInput(ActionTarget, noRules, "body")
const checkAsync = checkInput(AsyncActionOptions, noRules, "options")

/** The body of a trigger: the action's name and its input, encoded with its schema and checked for JSON. */
const triggerBody = <I, O>(action: Action<I, O>, input: I | undefined): Check.Check<string, InvalidInput> => {
  if (typeof action.name !== "string" || !actionNamePattern.test(action.name) || action.name.length > 255) {
    return Check.fail(invalid("body", ["action_name: 1 to 255 letters, digits, _ or -"]))
  }
  if (input === undefined) return Check.succeed(JSON.stringify({ action_name: action.name }))
  const encoded = action.input === undefined ? Check.succeed(input as unknown) : encodeUnknownCheck(action.input)(input)
  if (!encoded.ok) {
    const issues = Errors.describeIssues(encoded.error).map((issue) => `input.${issue}`)
    return Check.fail(invalid("body", issues))
  }
  const prepared = prepareBody(encoded.value, ["input"])
  return prepared.issues.length > 0
    ? Check.fail(invalid("body", prepared.issues))
    : Check.succeed(JSON.stringify({ action_name: action.name, input: prepared.body }))
}

/** Reads a 2xx body as JSON (an empty one is `undefined`, as an action that returns nothing sends). */
const readOutput =
  (refinements: ReadonlyArray<Refinement<RefinedTag>>) =>
  (
    response: Transport.IncomingResponse,
    label: Transport.RequestLabel,
  ): Effect.Effect<unknown, Errors.ResponseFailure<400 | 401 | 403> | Errors.Unnamed | ResponseDecodeError> => {
    if (response.status < 200 || response.status > 299) {
      return Errors.responseFailure([400, 401, 403], response, label, Errors.unnamed(refinements))
    }
    if (response.body === undefined) {
      return Effect.fail(Errors.decodeFailure(label, response.status, ["(root): body larger than the cap"]))
    }
    if (response.body === "") return Effect.succeed(undefined as unknown)
    const json = Errors.parseJsonBody(response.body)
    return json.ok ? Effect.succeed(json.value) : Effect.fail(Errors.decodeFailure(label, response.status, json.error))
  }

/** Decodes what Nango returned with `schema`, when there is one. */
const decodeWith = <A>(schema: Codec<A, unknown> | undefined, value: unknown, label: Transport.RequestLabel) => {
  if (schema === undefined) return Effect.succeed(value as A)
  const decoded = decodeUnknownCheck(schema)(value)
  return decoded.ok
    ? Effect.succeed(decoded.value)
    : Effect.fail(Errors.decodeFailure(label, 200, Errors.describeIssues(decoded.error)))
}

/** The id of a run, checked: `GET /action/{id}` takes a UUID (else 400 `invalid_uri_params`). */
const runId = (run: string | AsyncActionHandle): Check.Check<string, InvalidInput> => {
  const id = Check.attempt(
    () => (typeof run === "string" ? run : run?.id),
    () => undefined,
  )
  return id.ok && typeof id.value === "string" && actionIdPattern.test(id.value)
    ? Check.succeed(id.value)
    : Check.fail(invalid("request", ["id: the run's id, a UUID, as triggerActionAsync returned it"]))
}

/** The run an `async_action` webhook announces. */
const asyncNoticeOf = (webhook: unknown): string | undefined => {
  try {
    if (typeof webhook !== "object" || webhook === null) return undefined
    const { type, payload } = webhook as { readonly type?: unknown; readonly payload?: { readonly id?: unknown } }
    return type === "async_action" && typeof payload?.id === "string" ? payload.id : undefined
  } catch {
    return undefined
  }
}

// -----------------------------------------------------------------------------
// Constructor
// -----------------------------------------------------------------------------

/**
 * Builds the client from options, on the `HttpClient` in context; fails with `InvalidInput` as
 * `NangoConnect.make` does.
 *
 * @since 0.5.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const { policies, secretBearer } = yield* makeClient(options, defaults)
    // A trigger is not idempotent: only what Nango cannot have started is retried.
    const trigger = Endpoint.make(policies, {
      name: "NangoActions.triggerAction",
      method: "POST",
      path: triggerPath,
      idempotent: false,
      onResponse: readOutput(triggerRefinements),
    })
    const result = Endpoint.make(policies, {
      name: "NangoActions.getAsyncActionResult",
      method: "GET",
      path: resultPath,
      idempotent: true,
      onResponse: readOutput(resultRefinements),
    })

    const send = <I, O>(
      action: Action<I, O>,
      target: ActionTarget,
      input: I | undefined,
      async?: AsyncActionOptions,
    ): Effect.Effect<unknown, TriggerActionError> =>
      Effect.suspend((): Effect.Effect<unknown, TriggerActionError> => {
        const checked = Check.flatMap(checkTarget(target), (connection) =>
          Check.flatMap(triggerBody(action, input), (body) => Check.succeed({ connection, body })),
        )
        if (!checked.ok) return Effect.fail(checked.error)
        const { connection, body } = checked.value
        const headers = triggerHeaders(
          connection.connectionId,
          connection.providerConfigKey,
          async === undefined ? undefined : { maxRetries: async.maxRetries ?? 0 },
        )
        return Effect.mapError(trigger(secretBearer, body, undefined, headers), (error) =>
          error instanceof Errors.Unnamed ? named(error, action.name, connection) : error,
        )
      })

    const readResult = <I, O>(action: Action<I, O>, id: string): Effect.Effect<Option.Option<O>, ActionResultError> =>
      result(secretBearer, undefined, resultTarget(id)).pipe(
        Effect.map(Option.some),
        Effect.catchIf(
          (error): error is Errors.Unnamed => error instanceof Errors.Unnamed && error.tag === "ActionPending",
          () => Effect.succeed(Option.none()),
        ),
        Effect.mapError((error) => (error instanceof Errors.Unnamed ? named(error, action.name) : error)),
        Effect.flatMap((output) =>
          Option.isNone(output)
            ? Effect.succeed(Option.none<O>())
            : Effect.map(decodeWith(action.output, output.value, { method: "GET", path: resultPath }), Option.some),
        ),
      ) as Effect.Effect<Option.Option<O>, ActionResultError>

    const waiter = yield* makeWaiter({
      noticeOf: asyncNoticeOf,
      poll: ({ action, id }: { readonly action: Action<unknown, unknown>; readonly id: string }) =>
        Effect.map(readResult(action, id), Option.getOrUndefined),
      onNotice: ({ action, id }, notice) =>
        notice === id ? Effect.map(readResult(action, id), Option.getOrUndefined) : undefined,
      timedOut: ({ id }, timeout) =>
        new ActionResultTimeout({
          id,
          timeout,
          message: `The action's run ${id} had no result within ${Duration.format(timeout)}`,
        }),
      spanName: "NangoActions.awaitActionResult",
    })

    return NangoActions.of({
      triggerAction: (action, target, input) =>
        Effect.flatMap(send(action, target, input), (output) =>
          decodeWith(action.output, output, { method: "POST", path: triggerPath }),
        ),
      triggerActionAsync: (action, target, input, asyncOptions = {}) =>
        Effect.suspend(() => {
          const checked = checkAsync(asyncOptions)
          if (!checked.ok) return Effect.fail(checked.error)
          return Effect.flatMap(send(action, target, input, checked.value), (handle) =>
            decodeWith(AsyncActionHandle as Codec<AsyncActionHandle, unknown>, handle, {
              method: "POST",
              path: triggerPath,
            }),
          )
        }),
      getAsyncActionResult: (action, run) =>
        Effect.suspend(() => {
          const id = runId(run)
          return id.ok ? readResult(action, id.value) : Effect.fail(id.error)
        }),
      awaitActionResult: (action, run, awaitOptions) =>
        Effect.suspend(() => {
          const id = runId(run)
          if (!id.ok) return Effect.fail(id.error)
          const policy = resolvePolicy(awaitOptions, defaultPolicy)
          if (!("schedule" in policy)) return Effect.fail(policy)
          // The waiter is shared by every action; this one's output is what its schema decoded.
          return waiter.await(
            { action: action as unknown as Action<unknown, unknown>, id: id.value },
            policy,
          ) as Effect.Effect<never, AwaitActionError>
        }),
      receiveWebhook: waiter.receiveWebhook,
    })
  })

// -----------------------------------------------------------------------------
// Layers
// -----------------------------------------------------------------------------

/**
 * Provides `NangoActions` from options; needs an `HttpClient` (for example `FetchHttpClient.layer`).
 *
 * @since 0.5.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<NangoActions, InvalidInput, HttpClient.HttpClient> =>
  Layer.effect(NangoActions, make(options))

/**
 * Provides `NangoActions` from the environment: `NANGO_SECRET_KEY` (redacted) and `NANGO_HOST`
 * (default `https://api.nango.dev`); other options are passed as they are.
 *
 * @since 0.5.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "secretKey" | "baseUrl"> = {},
): Layer.Layer<NangoActions, ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    NangoActions,
    fromEnvironment(NangoConnect.defaults.baseUrl, (settings) => make({ ...options, ...settings })),
  )
