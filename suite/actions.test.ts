/**
 * `NangoActions` against the emulator over real HTTP, on both transports: the input checked and
 * encoded with the action's schema before sending, the output decoded; every failure Nango answers
 * by its status and code; a trigger never retried once it may have started; async runs with their
 * retries, read once or awaited (by polling, or ended at once by the `async_action` webhook).
 */
import { NangoActions } from "effect-nango"
import type { NangoEmulator } from "effect-nango/testing"
import { describe, Effect, expect, Fiber, fork, it, Option, Redacted, Schedule, Schema, TestClock } from "#line"
import { driveClock, renderings, setupActions, waitUntil } from "./support.js"

const target = { providerConfigKey: "github", connectionId: "c1" }

const NewIssue = Schema.Struct({ title: Schema.String, due: Schema.DateFromString })
const Issue = Schema.Struct({ number: Schema.Number, title: Schema.String })
const CreateIssue = NangoActions.action("create-issue", { input: NewIssue, output: Issue })
const Ping = NangoActions.action("ping")

/** An action that answers the same outcome whatever its input. */
const answering =
  (outcome: NangoEmulator.ActionOutcome): NangoEmulator.ActionHandler =>
  () =>
    outcome

/** The emulator with a connection `c1` to `github` and these actions. */
const withActions = (actions: Record<string, NangoEmulator.ActionHandler | "disabled">, emulatorOptions = {}) =>
  Effect.map(setupActions({ actions: { github: actions }, ...emulatorOptions }), (setup) => {
    setup.emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
    return setup
  })

const triggers = (emulator: NangoEmulator.NangoEmulator) => emulator.requestsTo("POST", "/action/trigger")

describe("NangoActions: triggerAction", () => {
  it.effect("encodes the input with the action's schema, sends it with the connection, decodes the output", () =>
    Effect.gen(function* () {
      const { emulator, actions } = yield* withActions({
        "create-issue": (input) => ({ output: { number: 7, title: (input as { title: string }).title, extra: true } }),
      })
      const issue = yield* actions.triggerAction(CreateIssue, target, {
        title: "Hi",
        due: new Date(Date.UTC(2026, 0, 2)),
      })
      expect(issue).toEqual({ number: 7, title: "Hi" })
      expect(emulator.triggered).toMatchObject([
        { name: "create-issue", connectionId: "c1", providerConfigKey: "github", async: false, attempt: 1 },
      ])
      expect(emulator.triggered[0]?.input).toEqual({ title: "Hi", due: "2026-01-02T00:00:00.000Z" })
      expect(triggers(emulator)[0]?.headerNames).toEqual(
        expect.arrayContaining(["connection-id", "provider-config-key"]),
      )
      expect(triggers(emulator)[0]?.headerNames).not.toContain("x-async")
    }),
  )

  it.effect("without schemas: any JSON in and out; an action that returns nothing gives undefined", () =>
    Effect.gen(function* () {
      const { emulator, actions } = yield* withActions({ ping: (input) => ({ output: input }), quiet: () => ({}) })
      expect(yield* actions.triggerAction(Ping, target, { a: [1, "two", null] })).toEqual({ a: [1, "two", null] })
      expect(yield* actions.triggerAction(Ping, target)).toBeUndefined()
      expect(triggers(emulator)[1]?.body).toEqual({ action_name: "ping" })
      expect(yield* actions.triggerAction(NangoActions.action("quiet"), target)).toBeUndefined()
    }),
  )

  it.effect(
    "refuses before sending: an input its schema refuses, a value JSON cannot carry, a bad name or target",
    () =>
      Effect.gen(function* () {
        const { emulator, actions } = yield* withActions({ ping: answering({ output: 1 }) })
        const refused = (effect: Effect.Effect<unknown, { readonly _tag: string }>) =>
          Effect.map(Effect.flip(effect), (error) => expect(error._tag).toBe("InvalidInput"))
        yield* refused(actions.triggerAction(CreateIssue, target, { title: 1 } as never))
        yield* refused(actions.triggerAction(Ping, target, { at: new Date() }))
        yield* refused(actions.triggerAction(Ping, target, { n: Number.NaN }))
        yield* refused(actions.triggerAction(NangoActions.action("bad name"), target))
        yield* refused(actions.triggerAction(NangoActions.action("x".repeat(256)), target))
        yield* refused(actions.triggerAction(Ping, { ...target, connectionId: "" }))
        yield* refused(actions.triggerAction(Ping, { ...target, providerConfigKey: "git/hub" }))
        expect(triggers(emulator)).toHaveLength(0)
        yield* actions.triggerAction(NangoActions.action("x".repeat(255)), target).pipe(Effect.flip)
        expect(triggers(emulator)).toHaveLength(1)
      }),
  )

  it.effect("an output its schema refuses is ResponseDecodeError, naming the field, not its value", () =>
    Effect.gen(function* () {
      const { actions } = yield* withActions({
        "create-issue": answering({ output: { number: "ada.lovelace@example.com", title: "x" } }),
      })
      const error = yield* Effect.flip(actions.triggerAction(CreateIssue, target, { title: "x", due: new Date(0) }))
      expect(error).toMatchObject({ _tag: "ResponseDecodeError", issues: [expect.stringMatching(/^number: /)] })
      for (const [, text] of renderings(error)) expect(text).not.toContain("ada.lovelace")
    }),
  )
})

describe("NangoActions: Nango's answers", () => {
  it.effect("before the run: unknown connection, integration and action, a disabled action", () =>
    Effect.gen(function* () {
      const { emulator, actions } = yield* withActions({ ping: answering({ output: 1 }), off: "disabled" })
      emulator.seedConnection({ connection_id: "c2", provider_config_key: "jira" })
      expect(yield* Effect.flip(actions.triggerAction(Ping, { ...target, connectionId: "nobody" }))).toMatchObject({
        _tag: "UnknownConnection",
        status: 400,
        code: "unknown_connection",
        connectionId: "nobody",
        providerConfigKey: "github",
      })
      expect(
        yield* Effect.flip(actions.triggerAction(Ping, { connectionId: "c2", providerConfigKey: "jira" })),
      ).toMatchObject({ _tag: "UnknownIntegration", status: 400, code: "unknown_provider" })
      expect(yield* Effect.flip(actions.triggerAction(NangoActions.action("nope"), target))).toMatchObject({
        _tag: "UnknownAction",
        status: 404,
        code: "not_found",
        actionName: "nope",
      })
      expect(yield* Effect.flip(actions.triggerAction(NangoActions.action("off"), target))).toMatchObject({
        _tag: "ActionDisabled",
        status: 404,
        code: "disabled_resource",
      })
    }),
  )

  const failures: ReadonlyArray<readonly [string, number, string]> = [
    ["invalid_action_input", 400, "InvalidActionInput"],
    ["invalid_action_output", 400, "InvalidActionOutput"],
    ["script_output_too_large", 400, "ActionOutputTooLarge"],
    ["action_failure", 400, "ActionFailed"],
    ["script_aborted", 410, "ActionAborted"],
    ["script_api_rate_limit_error", 424, "ActionFailed"],
    ["action_script_failure", 500, "ActionFailed"],
    ["action_script_runtime_error", 500, "ActionFailed"],
    ["script_network_error", 500, "ActionFailed"],
    ["script_internal_error", 500, "ActionFailed"],
  ]
  it.effect("each failure inside the action is its tag, with its status, code and payload (redacted)", () =>
    Effect.gen(function* () {
      const secretPayload = { reason: "ada.lovelace@example.com" }
      const { emulator, actions } = yield* withActions(
        Object.fromEntries(
          failures.map(([code]) => [code, answering({ error: code, message: "failed", payload: secretPayload })]),
        ),
      )
      for (const [code, status, tag] of failures) {
        const error = yield* Effect.flip(actions.triggerAction(NangoActions.action(code), target))
        expect(error).toMatchObject({ _tag: tag, status, code, actionName: code })
        expect(Redacted.value((error as unknown as { payload: Redacted.Redacted<unknown> }).payload)).toEqual(
          secretPayload,
        )
        for (const [, text] of renderings(error)) expect(text).not.toContain("ada.lovelace")
      }
      // Not one was retried: an action may have started.
      expect(triggers(emulator)).toHaveLength(failures.length)
    }),
  )

  it.effect("424 script_http_error carries the provider's status and answer; a throw is a runtime error", () =>
    Effect.gen(function* () {
      const { actions } = yield* withActions({
        call: answering({
          error: "script_http_error",
          payload: {},
          upstream: { status: 403, data: { message: "no" } },
        }),
        boom: () => {
          throw new Error("undefined is not a function")
        },
      })
      const error = yield* Effect.flip(actions.triggerAction(NangoActions.action("call"), target))
      expect(error).toMatchObject({
        _tag: "ActionHttpError",
        status: 424,
        code: "script_http_error",
        upstreamStatus: 403,
      })
      expect(Redacted.value((error as unknown as { upstream: Redacted.Redacted<unknown> }).upstream)).toEqual({
        status: 403,
        data: { message: "no" },
      })
      expect(yield* Effect.flip(actions.triggerAction(NangoActions.action("boom"), target))).toMatchObject({
        _tag: "ActionFailed",
        status: 500,
        code: "action_script_runtime_error",
      })
    }),
  )

  it.effect("never retried once it may have started (500, a timeout); Nango's 429 is, after its wait", () =>
    Effect.gen(function* () {
      const { emulator, actions } = yield* withActions({ ping: answering({ output: "pong" }) })
      emulator.injectFault({ method: "POST", path: "/action/trigger", status: 500, body: "", times: 1 })
      expect(yield* Effect.flip(actions.triggerAction(Ping, target))).toMatchObject({
        _tag: "ServerError",
        status: 500,
      })
      expect(triggers(emulator)).toHaveLength(1)
      emulator.injectFault({
        method: "POST",
        path: "/action/trigger",
        status: 429,
        headers: { "retry-after": "1" },
        times: 1,
      })
      expect(yield* driveClock(actions.triggerAction(Ping, target), "1 second")).toBe("pong")
      expect(triggers(emulator)).toHaveLength(3)
      expect(emulator.triggered).toHaveLength(1)
      const timed = yield* setupActions(
        { actions: { github: { ping: answering({ output: "pong" }) } } },
        { timeout: { attempt: "1 second", total: "10 seconds" } },
      )
      timed.emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      timed.emulator.injectFault({ method: "POST", path: "/action/trigger", hang: true })
      const hung = yield* fork(Effect.flip(timed.actions.triggerAction(Ping, target)))
      yield* waitUntil(() => triggers(timed.emulator).length === 1, "the hanging trigger")
      expect(yield* driveClock(Fiber.join(hung), "1 second")).toMatchObject({ _tag: "TimeoutError", scope: "attempt" })
      expect(triggers(timed.emulator)).toHaveLength(1)
    }),
  )

  it.effect("a key without the actions scope is Forbidden", () =>
    Effect.gen(function* () {
      const key = "0b6f5a52-4a5b-4c6d-8e7f-0123456789ab"
      const { actions } = yield* withActions(
        { ping: answering({ output: 1 }) },
        { secretKeys: [key], keyScopes: { [key]: ["environment:records:read"] } },
      )
      expect(yield* Effect.flip(actions.triggerAction(Ping, target))).toMatchObject({ _tag: "Forbidden", status: 403 })
    }),
  )
})

/** A handler whose run ends when the test says so. */
const held = (outcome: NangoEmulator.ActionOutcome) => {
  let release: () => void = () => undefined
  const done = new Promise<void>((resolve) => {
    release = resolve
  })
  return { handler: () => done.then(() => outcome), release: () => release() }
}

describe("NangoActions: async runs", () => {
  it.effect("triggers in the background, then reads none while it runs and its output once it ended", () =>
    Effect.gen(function* () {
      const run = held({ output: { number: 9, title: "Later" } })
      const { emulator, actions } = yield* withActions({ "create-issue": run.handler })
      const handle = yield* actions.triggerActionAsync(
        CreateIssue,
        target,
        { title: "Later", due: new Date(0) },
        { maxRetries: 2 },
      )
      expect(handle.statusUrl).toBe(`/action/${handle.id}`)
      expect(triggers(emulator)[0]?.headerNames).toEqual(expect.arrayContaining(["x-async", "x-max-retries"]))
      expect(emulator.triggered[0]).toMatchObject({ async: true, maxRetries: 2 })
      expect(yield* actions.getAsyncActionResult(CreateIssue, handle)).toEqual(Option.none())
      run.release()
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      expect(yield* actions.getAsyncActionResult(CreateIssue, handle.id)).toEqual(
        Option.some({ number: 9, title: "Later" }),
      )
    }),
  )

  it.effect("runs a failed action again up to maxRetries; a run that failed every time reads as its error", () =>
    Effect.gen(function* () {
      let calls = 0
      const { emulator, actions } = yield* withActions({
        flaky: () => (++calls < 3 ? { error: "script_network_error" } : { output: "done" }),
        broken: answering({ error: "invalid_action_input", payload: { issues: [] } }),
      })
      const flaky = NangoActions.action("flaky")
      const handle = yield* actions.triggerActionAsync(flaky, target, undefined, { maxRetries: 2 })
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      expect(yield* actions.getAsyncActionResult(flaky, handle)).toEqual(Option.some("done"))
      expect(emulator.triggered.map((run) => run.attempt)).toEqual([1, 2, 3])
      const broken = NangoActions.action("broken")
      const failed = yield* actions.triggerActionAsync(broken, target, undefined, { maxRetries: 0 })
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      expect(yield* Effect.flip(actions.getAsyncActionResult(broken, failed))).toMatchObject({
        _tag: "InvalidActionInput",
        status: 400,
        actionName: "broken",
      })
    }),
  )

  it.effect("maxRetries 0 and 5 are sent, -1 and 6 are not; a result id that is not a UUID is not read", () =>
    Effect.gen(function* () {
      const { emulator, actions } = yield* withActions({ ping: answering({ output: 1 }) })
      for (const maxRetries of [0, 5]) yield* actions.triggerActionAsync(Ping, target, undefined, { maxRetries })
      for (const maxRetries of [-1, 6]) {
        expect((yield* Effect.flip(actions.triggerActionAsync(Ping, target, undefined, { maxRetries })))._tag).toBe(
          "InvalidInput",
        )
      }
      expect(triggers(emulator)).toHaveLength(2)
      expect((yield* Effect.flip(actions.getAsyncActionResult(Ping, "not-a-uuid")))._tag).toBe("InvalidInput")
      expect(yield* actions.getAsyncActionResult(Ping, "0b6f5a52-4a5b-4c6d-8e7f-0123456789ab")).toEqual(Option.none())
    }),
  )

  it.effect("awaitActionResult: polls on its schedule until the run ends", () =>
    Effect.gen(function* () {
      const run = held({ output: "polled" })
      const { emulator, actions } = yield* withActions({ ping: run.handler })
      const handle = yield* actions.triggerActionAsync(Ping, target)
      const reads = () => emulator.requests.filter((request) => request.method === "GET").length
      const waiting = yield* fork(actions.awaitActionResult(Ping, handle, { schedule: Schedule.spaced("1 second") }))
      yield* waitUntil(() => reads() === 1, "the first read")
      yield* TestClock.adjust("1 second")
      yield* waitUntil(() => reads() === 2, "the second read, a second later")
      run.release()
      expect(yield* driveClock(Fiber.join(waiting), "1 second")).toBe("polled")
      expect(reads()).toBeGreaterThanOrEqual(3)
    }),
  )

  it.effect(
    "awaitActionResult: the async_action webhook ends the wait at once; the deadline is ActionResultTimeout",
    () =>
      Effect.gen(function* () {
        const run = held({ output: "announced" })
        const { actions } = yield* withActions({ ping: run.handler, slow: () => new Promise(() => undefined) })
        const handle = yield* actions.triggerActionAsync(Ping, target)
        // A schedule that never polls again: only the webhook can end this wait.
        const waiting = yield* fork(actions.awaitActionResult(Ping, handle, { schedule: Schedule.recurs(0) }))
        run.release()
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
        yield* actions.receiveWebhook({ type: "async_action", from: "nango", ...target, payload: handle })
        expect(yield* Fiber.join(waiting)).toBe("announced")
        const never = yield* actions.triggerActionAsync(NangoActions.action("slow"), target)
        const timedOut = yield* Effect.flip(
          driveClock(actions.awaitActionResult(Ping, never, { timeout: "10 seconds" }), "2 seconds"),
        )
        expect(timedOut).toMatchObject({ _tag: "ActionResultTimeout", id: never.id })
      }),
  )
})
