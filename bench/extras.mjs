// The benchmark's extra measurements, one per process:
//   node bench/extras.mjs retry <port> <n> <line>      GET, plain vs 503-then-200, CPU per call
//   node bench/extras.mjs import <port> <stack>        time and RSS to import a client and make a first call
//   node bench/extras.mjs memory <port> <n> <line>     RSS and heap along n calls at concurrency 64
// <line> is effect4 or effect3; an import <stack> is a line or @nangohq/node.
import { performance } from "node:perf_hooks"
import { secretKey, token } from "./bodies.mjs"
import { lineModules } from "./lines.mjs"

const [mode, port, arg, lineArg] = process.argv.slice(2)
const base = `http://127.0.0.1:${port}`
const out = (value) => {
  process.stdout.write(`${JSON.stringify(value)}\n`)
  process.exit(0)
}

/** A GET on the line's own Node transport (layerNangoConnect), with a 1 ms backoff. */
const client = async (line, baseUrl) => {
  const { makeCall } = await import(lineModules[line])
  return makeCall({
    baseUrl,
    secretKey,
    token,
    transport: "own",
    call: "get",
    retry: { baseDelay: "1 millis", maxDelay: "1 millis" },
  })
}

const cpuPerCall = async (call, n) => {
  for (let i = 0; i < 1000; i++) await call()
  const before = process.cpuUsage()
  for (let i = 0; i < n; i++) await call()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / n
}

if (mode === "retry") {
  const n = Number(arg)
  const plain = await cpuPerCall(await client(lineArg, base), n)
  // Under /flaky the server answers 503, then 200: every call is a failed attempt, a 1 ms backoff, a success.
  const retried = await cpuPerCall(await client(lineArg, `${base}/flaky`), n)
  out({ line: lineArg, plainUsPerCall: plain, retryUsPerCall: retried, ratio: retried / plain })
}

if (mode === "import") {
  const rssBefore = process.memoryUsage().rss
  const started = performance.now()
  if (arg in lineModules) {
    const call = await client(arg, base)
    await call()
  } else {
    const { Nango } = await import("@nangohq/node")
    const nango = new Nango({ secretKey, host: base })
    await nango.createConnectSession({ end_user: { id: "user-42" } })
  }
  out({
    stack: arg,
    ms: performance.now() - started,
    rssMb: process.memoryUsage().rss / 1048576,
    rssGrowthMb: (process.memoryUsage().rss - rssBefore) / 1048576,
  })
}

if (mode === "memory") {
  const n = Number(arg)
  const call = await client(lineArg, base)
  const samples = []
  let started = 0
  let completed = 0
  const worker = async () => {
    while (started < n) {
      started++
      await call()
      completed++
      if (completed % (n / 10) === 0) {
        globalThis.gc?.()
        const usage = process.memoryUsage()
        samples.push({ calls: completed, rssMb: usage.rss / 1048576, heapMb: usage.heapUsed / 1048576 })
      }
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker))
  out({ line: lineArg, samples })
}
