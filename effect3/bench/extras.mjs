// The benchmark's extra measurements, one per process:
//   node bench/extras.mjs retry <port> <n>    effect-nango GET, plain vs 503-then-200, CPU per call
//   node bench/extras.mjs import <port> <stack> time and RSS to import a client and make a first call
//   node bench/extras.mjs memory <port> <n>   RSS and heap along n calls at concurrency 64
import { performance } from "node:perf_hooks"
import { secretKey, token } from "./bodies.mjs"

const [mode, port, arg] = process.argv.slice(2)
const base = `http://127.0.0.1:${port}`
const out = (value) => {
  process.stdout.write(`${JSON.stringify(value)}\n`)
  process.exit(0)
}

const effectClient = async (baseUrl) => {
  const { Layer, ManagedRuntime } = await import("effect")
  const { NangoConnect } = await import("../dist/effect3/src/index.js")
  const NangoHttpClient = await import("../dist/effect3/src/NangoHttpClient.js")
  const runtime = ManagedRuntime.make(
    NangoConnect.layer({ secretKey, baseUrl, retry: { baseDelay: "1 millis", maxDelay: "1 millis" } }).pipe(
      Layer.provide(NangoHttpClient.layerUndici()),
    ),
  )
  const nango = await runtime.runPromise(NangoConnect.NangoConnect)
  const get = nango.getConnectSession(token)
  return () => runtime.runPromise(get)
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
  const plain = await cpuPerCall(await effectClient(base), n)
  // Under /flaky the server answers 503, then 200: every call is a failed attempt, a 1 ms backoff, a success.
  const retried = await cpuPerCall(await effectClient(`${base}/flaky`), n)
  out({ plainUsPerCall: plain, retryUsPerCall: retried, ratio: retried / plain })
}

if (mode === "import") {
  const rssBefore = process.memoryUsage().rss
  const started = performance.now()
  if (arg === "effect-nango") {
    const call = await effectClient(base)
    await call()
  } else {
    // @nangohq/node
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
  const call = await effectClient(base)
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
  out({ samples })
}
