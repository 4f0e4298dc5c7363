/**
 * What the emulator does instead of answering: injected faults (a status, a drop, a hang, a cut
 * or chunked body, a delay), and the live server's fixed-window rate limiter with its headers.
 */
import { corsHeaders, type Reply } from "./replies.js"
import type { Fault, Options, Outcome } from "./types.js"

/** The faults injected and not yet used up, matched by method and path in the order given. */
export class Faults {
  private readonly pending: Array<Fault & { remaining: number }> = []

  /** Answers the next matching requests (`fault.times`, default 1) with the fault. */
  inject(fault: Fault): void {
    this.pending.push({ ...fault, remaining: fault.times ?? 1 })
  }

  /** The first fault that matches, counted as used once. */
  take(method: string, path: string): Fault | undefined {
    const index = this.pending.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method === method) && (fault.path === undefined || fault.path === path),
    )
    const fault = this.pending[index]
    if (fault === undefined) return undefined
    fault.remaining--
    if (fault.remaining <= 0) this.pending.splice(index, 1)
    return fault
  }
}

/** What a fault answers, after its delay; `undefined` when it only delays the real answer. */
export const playFault = async (fault: Fault): Promise<Outcome | undefined> => {
  if (fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
  if (fault.hang === true) return { _tag: "Hang" }
  if (fault.drop === true) return { _tag: "Drop" }
  if (fault.status === undefined) return undefined
  return {
    _tag: "Reply",
    status: fault.status,
    headers: { ...corsHeaders, ...fault.headers },
    body: fault.body ?? "",
    ...(fault.cut === undefined ? {} : { cut: fault.cut }),
    ...(fault.chunked === true ? { chunked: true } : {}),
    ...(fault.chunkBytes === undefined ? {} : { chunkBytes: fault.chunkBytes }),
  }
}

/**
 * The live server's fixed-window rate limiter: past `points` requests in a window, a 429 with
 * `Retry-After` and the `X-RateLimit-*` headers, each floored to whole seconds as the server does.
 */
export class RateLimiter {
  private readonly window = { startedAt: 0, used: 0 }

  constructor(
    private limit: Options["rateLimit"],
    private readonly now: () => number,
  ) {}

  /** Sets (or, with undefined, lifts) the limit, starting a fresh window. */
  set(limit: Options["rateLimit"]): void {
    this.limit = limit
    this.window.startedAt = this.now()
    this.window.used = 0
  }

  /** Counts the request, then answers 429 past the limit, else runs the handler; sets the headers. */
  run(method: string, path: string, handler: () => Reply | Promise<Reply>): Reply | Promise<Reply> {
    const limit = this.limit
    if (limit === undefined) return handler()
    const windowMs = limit.windowMs ?? 60_000
    const now = this.now()
    if (now - this.window.startedAt >= windowMs) {
      this.window.startedAt = now
      this.window.used = 0
    }
    const msBeforeNext = this.window.startedAt + windowMs - now
    this.window.used++
    const rateHeaders = {
      "x-ratelimit-limit": String(limit.points),
      "x-ratelimit-remaining": String(Math.max(0, limit.points - this.window.used)),
      "x-ratelimit-reset": String(Math.floor((now + msBeforeNext) / 1000)),
    }
    if (this.window.used > limit.points) {
      return {
        status: 429,
        headers: { ...rateHeaders, "retry-after": String(Math.floor(msBeforeNext / 1000)) },
        body: { error: { code: "too_many_request", method, path } },
      }
    }
    const withHeaders = (reply: Reply): Reply => ({ ...reply, headers: { ...rateHeaders, ...reply.headers } })
    const reply = handler()
    return reply instanceof Promise ? reply.then(withHeaders) : withHeaders(reply)
  }
}
