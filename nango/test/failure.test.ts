/**
 * The shared rules of a failed call, at their edges: which tag a status becomes, which failures
 * are retried for an idempotent call and for one that is not, and how an issue is written.
 */
import { describe, expect, it } from "vitest"
import { describeResponseFailure, failureTag, issueLine, isTransient } from "../src/failure.js"

describe("failureTag", () => {
  it("gives 429 RateLimited, 500 to 599 ServerError, a documented status its own, anything else UnexpectedStatus", () => {
    expect(failureTag(429, [400])).toBe("RateLimited")
    expect([499, 500, 599, 600].map((status) => failureTag(status, [400]))).toEqual([
      "UnexpectedStatus",
      "ServerError",
      "ServerError",
      "UnexpectedStatus",
    ])
    expect(failureTag(404, [400, 404])).toBe(404)
    expect(failureTag(404, [400])).toBe("UnexpectedStatus")
  })

  it("reads a refinement before the status: by status and code, or by status alone when it names no code", () => {
    const refinements = [
      { status: 424, tag: "InvalidCredentials" },
      { status: 400, code: "unknown_connection", tag: "NotFound" },
    ] as const
    expect(failureTag(424, [400], undefined, refinements)).toBe("InvalidCredentials")
    expect(failureTag(424, [400], "anything", refinements)).toBe("InvalidCredentials")
    expect(failureTag(400, [400], "unknown_connection", refinements)).toBe("NotFound")
    expect(failureTag(400, [400], "invalid_body", refinements)).toBe(400)
    expect(failureTag(400, [400], undefined, refinements)).toBe(400)
    expect(failureTag(404, [400], "unknown_connection", refinements)).toBe("UnexpectedStatus")
  })
})

describe("describeResponseFailure", () => {
  it("names the status, the server's code, the request and the server's message", () => {
    const where = { method: "GET", path: "/connect/session" }
    expect(describeResponseFailure(401, 401, { code: "unknown_account", message: "No." }, where)).toBe(
      "Nango answered Unauthorized (401 unknown_account) on GET /connect/session: No.",
    )
    expect(describeResponseFailure("NotFound", 400, { code: "unknown_connection" }, where)).toBe(
      "Nango answered NotFound (400 unknown_connection) on GET /connect/session",
    )
    expect(describeResponseFailure("RateLimited", 429, undefined, where, "2s")).toBe(
      "Nango rate limit reached, retry after 2s (429) on GET /connect/session",
    )
  })
})

describe("isTransient", () => {
  const cases = [
    [{ _tag: "RateLimited" }, 10_000, true, true],
    [{ _tag: "RateLimited" }, 10_001, false, false],
    [{ _tag: "RateLimited" }, undefined, true, true],
    [{ _tag: "ServerError", status: 500 }, undefined, true, false],
    [{ _tag: "ServerError", status: 503 }, undefined, true, true],
    [{ _tag: "TransportError", connectionFailed: false }, undefined, true, false],
    [{ _tag: "TransportError", connectionFailed: true }, undefined, true, true],
    [{ _tag: "TimeoutError", scope: "attempt" }, undefined, true, false],
    [{ _tag: "TimeoutError", scope: "total" }, undefined, false, false],
    [{ _tag: "BadRequest", status: 400 }, undefined, false, false],
  ] as const
  it.each(cases)(
    "%o, Retry-After %s ms: idempotent %s, not idempotent %s",
    (failure, wait, idempotent, notIdempotent) => {
      expect(isTransient(failure, wait, true, 10_000)).toBe(idempotent)
      expect(isTransient(failure, wait, false, 10_000)).toBe(notIdempotent)
    },
  )
})

describe("issueLine", () => {
  it("writes the path or (root), and cuts the actual value out", () => {
    expect(issueLine(["end_user", "id"], "Expected string, got 42")).toBe("end_user.id: Expected string")
    expect(issueLine([], "Expected string | undefined")).toBe("(root): Expected string")
    expect(issueLine(undefined, 'Expected "a", actual "secret"')).toBe('(root): Expected "a"')
  })
})
