/**
 * The fault matrix: each fault the network or a proxy can produce, over real HTTP on 127.0.0.1,
 * with the exact error tag, the attempts made, and the deadline kept (measured on the TestClock,
 * which drives every wait and timeout while the I/O is real).
 */

import type { NangoConnect, NangoConnectError } from "effect-nango"
import type { NangoEmulator } from "effect-nango/testing"
import { afterAll, attempt, Clock, Duration, describe, Effect, expect, it } from "#line"
import { driveClock, fixtureText, recordingTracer, setup, unknownToken } from "../support.js"

/** The policy every case runs under: 3 attempts, 2 s per attempt, 5 s in all. */
const policy: Partial<NangoConnect.Options> = {
  retry: { maxAttempts: 3 },
  timeout: { attempt: "2 seconds", total: "5 seconds" },
}
const deadlineMs = 5000
const stepMs = 50

const json = { "content-type": "application/json; charset=utf-8" }
const sessionBody = fixtureText("get-session-200-self-hosted.json")
const user = { end_user: { id: "user-42" } }

interface FaultCase {
  readonly name: string
  readonly call: "get" | "create"
  /** Faults to inject; `refused` points the client at a closed port instead. */
  readonly faults: ReadonlyArray<NangoEmulator.Fault> | "refused"
  readonly tag: string | "success"
  readonly attempts: number
  readonly check?: (outcome: unknown, elapsedMs: number) => void
}

const always = (fault: NangoEmulator.Fault): ReadonlyArray<NangoEmulator.Fault> => [{ ...fault, times: 1000 }]

const faultCases: ReadonlyArray<FaultCase> = [
  { name: "connection refused (GET)", call: "get", faults: "refused", tag: "TransportError", attempts: 3 },
  {
    name: "connection refused (POST: never sent, so retried)",
    call: "create",
    faults: "refused",
    tag: "TransportError",
    attempts: 3,
  },
  {
    name: "reset before the response (GET)",
    call: "get",
    faults: always({ drop: true }),
    tag: "TransportError",
    attempts: 3,
  },
  {
    name: "reset before the response (POST: not retried)",
    call: "create",
    faults: always({ drop: true }),
    tag: "TransportError",
    attempts: 1,
  },
  {
    name: "reset in the middle of the body",
    call: "get",
    faults: always({ status: 200, headers: json, body: sessionBody, cut: { afterBytes: 40, and: "reset" } }),
    tag: "TransportError",
    attempts: 3,
  },
  {
    name: "headers that never come (GET)",
    call: "get",
    faults: always({ hang: true }),
    tag: "TimeoutError",
    attempts: 3,
    check: (error) => expect(error).toMatchObject({ scope: "total" }),
  },
  {
    name: "headers that never come (POST)",
    call: "create",
    faults: always({ hang: true }),
    tag: "TimeoutError",
    attempts: 1,
    check: (error) => expect(error).toMatchObject({ scope: "attempt" }),
  },
  {
    name: "a body that stalls after the first bytes",
    call: "get",
    faults: always({ status: 200, headers: json, body: sessionBody, cut: { afterBytes: 40, and: "stall" } }),
    tag: "TimeoutError",
    attempts: 3,
  },
  {
    name: "a truncated JSON body",
    call: "get",
    faults: [{ status: 200, headers: json, body: sessionBody.slice(0, 60) }],
    tag: "ResponseDecodeError",
    attempts: 1,
    check: (error) => expect(error).toMatchObject({ issues: ["(root): not JSON"] }),
  },
  {
    name: "an HTML 502 page from a proxy (GET)",
    call: "get",
    faults: always({
      status: 502,
      headers: { "content-type": "text/html" },
      body: "<html><h1>502 Bad Gateway</h1></html>",
    }),
    tag: "ServerError",
    attempts: 3,
    check: (error) => expect((error as { code?: string }).code).toBeUndefined(),
  },
  {
    name: "an HTML 502 page from a proxy (POST: not retried)",
    call: "create",
    faults: always({
      status: 502,
      headers: { "content-type": "text/html" },
      body: "<html><h1>502 Bad Gateway</h1></html>",
    }),
    tag: "ServerError",
    attempts: 1,
  },
  {
    name: "an empty 200 body",
    call: "get",
    faults: [{ status: 200, headers: json, body: "" }],
    tag: "ResponseDecodeError",
    attempts: 1,
  },
  {
    name: "a 200 whose JSON does not match the schema",
    call: "get",
    faults: [{ status: 200, headers: json, body: JSON.stringify({ data: { endUser: "ada" } }) }],
    tag: "ResponseDecodeError",
    attempts: 1,
    check: (error) => expect((error as { issues: Array<string> }).issues[0]).toMatch(/^data\.endUser: /),
  },
  {
    name: "429 with Retry-After: 0",
    call: "create",
    faults: [
      { status: 429, headers: { ...json, "retry-after": "0" }, body: fixtureText("error-429-too-many-request.json") },
    ],
    tag: "success",
    attempts: 2,
    // The server floors Retry-After, so 0 means "within the next second": the client waits 1 s.
    check: (_, elapsed) => {
      expect(elapsed).toBeGreaterThanOrEqual(1000)
      expect(elapsed).toBeLessThan(2000)
    },
  },
  {
    name: "429 with Retry-After: 5",
    call: "create",
    faults: [
      { status: 429, headers: { ...json, "retry-after": "5" }, body: fixtureText("error-429-too-many-request.json") },
    ],
    tag: "RateLimited",
    attempts: 1,
    // Waiting 5 s would pass the 5 s deadline: the call fails at once with the delay instead.
    check: (error, elapsed) => {
      expect(Duration.toSeconds((error as { retryAfter: Duration.Duration }).retryAfter)).toBe(5)
      expect(elapsed).toBeLessThan(160)
    },
  },
  {
    name: "429 with Retry-After as an HTTP date 3 s ahead",
    call: "create",
    faults: [{ status: 429, headers: { ...json, "retry-after": new Date(3000).toUTCString() } }],
    tag: "success",
    attempts: 2,
    check: (_, elapsed) => expect(elapsed).toBeGreaterThanOrEqual(3000),
  },
  {
    name: "429 with an absurd Retry-After (past the cap: fails at once)",
    call: "create",
    faults: [{ status: 429, headers: { ...json, "retry-after": "31536000" } }],
    tag: "RateLimited",
    attempts: 1,
    check: (error, elapsed) => {
      expect(Duration.toSeconds((error as { retryAfter: Duration.Duration }).retryAfter)).toBe(31536000)
      expect(elapsed).toBeLessThan(160) // no wait at all: the shortest backoff is 160 ms
    },
  },
  {
    name: "503 on every attempt",
    call: "get",
    faults: always({ status: 503, headers: json, body: fixtureText("error-500-server-error.json") }),
    tag: "ServerError",
    attempts: 3,
  },
  {
    name: "500 generic_error_support with a string payload (GET)",
    call: "get",
    faults: always({ status: 500, headers: json, body: fixtureText("error-500-generic-error-support.json") }),
    tag: "ServerError",
    attempts: 3,
    check: (error) => expect(error).toMatchObject({ code: "generic_error_support" }),
  },
  {
    name: "500 generic_error_support (POST: not retried)",
    call: "create",
    faults: always({ status: 500, headers: json, body: fixtureText("error-500-generic-error-support.json") }),
    tag: "ServerError",
    attempts: 1,
  },
  {
    name: "a 204 where a body is expected",
    call: "get",
    faults: [{ status: 204 }],
    tag: "ResponseDecodeError",
    attempts: 1,
  },
  {
    name: "a 2 MiB body with Content-Length (cap 1 MiB)",
    call: "get",
    faults: [{ status: 200, headers: json, body: `{"data":{"pad":"${"x".repeat(2 * 1024 * 1024)}"}}` }],
    tag: "ResponseDecodeError",
    attempts: 1,
    check: (error) =>
      expect((error as { issues: Array<string> }).issues).toEqual(["(root): body larger than 1048576 bytes"]),
  },
  {
    name: "a 2 MiB chunked body (cap 1 MiB)",
    call: "get",
    faults: [{ status: 200, headers: json, chunked: true, body: `{"data":{"pad":"${"x".repeat(2 * 1024 * 1024)}"}}` }],
    tag: "ResponseDecodeError",
    attempts: 1,
    check: (error) =>
      expect((error as { issues: Array<string> }).issues).toEqual(["(root): body larger than 1048576 bytes"]),
  },
  {
    name: "a redirect (not followed)",
    call: "create",
    faults: [{ status: 302, headers: { location: "/connect/sessions-moved" } }],
    tag: "UnexpectedStatus",
    attempts: 1,
    check: (error) => expect(error).toMatchObject({ status: 302 }),
  },
]

const finished: Array<string> = []
afterAll(() => {
  const hangs = faultCases.length - finished.length
  console.info(
    `[reliability] fault kinds tried: ${faultCases.length}, finished within the deadline: ${finished.length}, hangs: ${hangs}`,
  )
})

describe("fault matrix", () => {
  it.effect.each(faultCases)("$name: $tag after $attempts attempt(s), within the deadline", (fault) =>
    Effect.gen(function* () {
      const { tracer, recorded } = yield* recordingTracer
      const { emulator, nango } = yield* setup({}, policy)
      const session = fault.call === "get" ? yield* nango.createConnectSession(user) : undefined
      const before = emulator.requests.length
      if (fault.faults === "refused") yield* Effect.promise(() => emulator.close())
      else for (const injected of fault.faults) emulator.injectFault(injected)

      const call: Effect.Effect<unknown, NangoConnectError.NangoConnectError> =
        fault.call === "get"
          ? nango.getConnectSession(session?.token ?? unknownToken)
          : nango.createConnectSession(user)
      const started = yield* Clock.currentTimeMillis
      const outcome = yield* attempt(driveClock(call.pipe(Effect.withTracer(tracer)), Duration.millis(stepMs)))
      const elapsed = (yield* Clock.currentTimeMillis) - started

      const result = outcome._tag === "Success" ? "success" : outcome.failure._tag
      expect(result).toBe(fault.tag)
      const span = recorded().find((recordedSpan) => recordedSpan.name.startsWith("NangoConnect."))
      expect(span?.attributes.get("nango.attempts")).toBe(fault.attempts)
      if (fault.faults !== "refused") expect(emulator.requests.length - before).toBe(fault.attempts)
      // Within the deadline, to the resolution of the clock driver (it moves 50 ms at a time).
      expect(elapsed).toBeLessThanOrEqual(deadlineMs + stepMs)
      finished.push(fault.name)
      fault.check?.(outcome._tag === "Failure" ? outcome.failure : outcome.success, elapsed)
      if (fault.name.startsWith("a redirect"))
        expect(emulator.requestsTo("POST", "/connect/sessions-moved")).toHaveLength(0)
    }),
  )
})
