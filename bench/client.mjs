// One client stack in its own process: warm-up, then N sequential calls and N calls at
// concurrency 64, measuring latency, client CPU per call, GC pause per call and peak RSS.
// Usage: node bench/client.mjs <stack> <port> <sequential> <concurrent>  (prints one JSON line)
// A stack is a peer (undici.request, undici.request:create, fetch, axios, @nangohq/node) or
// `<line>:<transport>:<call>` for effect-nango, e.g. `effect4:own:get` or `effect3:platform-node:get`.
import { PerformanceObserver, performance } from "node:perf_hooks"
import { connectionId, providerConfigKey, secretKey, token } from "./bodies.mjs"
import { lineModules } from "./lines.mjs"

const [stack, port, sequentialArg, concurrentArg] = process.argv.slice(2)
const base = `http://127.0.0.1:${port}`
const sequential = Number(sequentialArg)
const concurrent = Number(concurrentArg)
const concurrency = 64

/** A GET for the benchmark's connection, as Nango's proxy and records take it, its JSON body parsed and checked. */
const nangoGet = async (path, valid) => {
  const { request } = await import("undici")
  const headers = {
    authorization: `Bearer ${secretKey}`,
    "connection-id": connectionId,
    "provider-config-key": providerConfigKey,
  }
  return async () => {
    const response = await request(`${base}${path}`, { headers })
    const body = await response.body.json()
    if (response.statusCode !== 200 || !valid(body)) throw new Error("bad response")
  }
}

/** The peers: what a user could call instead. Each resolves when its body is read and checked. */
const peers = {
  async "undici.request"() {
    const { request } = await import("undici")
    return async () => {
      const response = await request(`${base}/connect/session`, { headers: { authorization: `Bearer ${token}` } })
      const body = await response.body.json()
      if (response.statusCode !== 200 || body.data === undefined) throw new Error("bad response")
    }
  },
  async "undici.request:create"() {
    const { request } = await import("undici")
    const headers = { authorization: `Bearer ${secretKey}`, "content-type": "application/json" }
    return async () => {
      const body = JSON.stringify({ end_user: { id: "user-42", email: "ada@example.com" } })
      const response = await request(`${base}/connect/sessions`, { method: "POST", headers, body })
      const parsed = await response.body.json()
      if (response.statusCode !== 201 || parsed.data?.token === undefined) throw new Error("bad response")
    }
  },
  async "undici.request:connection"() {
    const { request } = await import("undici")
    const url = `${base}/connections/${encodeURIComponent(connectionId)}?provider_config_key=${providerConfigKey}`
    return async () => {
      const response = await request(url, { headers: { authorization: `Bearer ${secretKey}` } })
      const body = await response.body.json()
      if (response.statusCode !== 200 || body.credentials?.access_token === undefined) throw new Error("bad response")
    }
  },
  async "undici.request:proxy"() {
    return nangoGet("/proxy/user", (body) => body.login !== undefined)
  },
  async "undici.request:records"() {
    return nangoGet("/records?model=Issue&limit=100", (body) => body.records?.length === 100)
  },
  async fetch() {
    return async () => {
      const response = await fetch(`${base}/connect/session`, { headers: { authorization: `Bearer ${token}` } })
      const body = await response.json()
      if (response.status !== 200 || body.data === undefined) throw new Error("bad response")
    }
  },
  async axios() {
    const { default: axios } = await import("axios")
    const http = await import("node:http")
    const client = axios.create({ httpAgent: new http.Agent({ keepAlive: true }) })
    return async () => {
      const response = await client.get(`${base}/connect/session`, { headers: { authorization: `Bearer ${token}` } })
      if (response.status !== 200 || response.data.data === undefined) throw new Error("bad response")
    }
  },
  async "@nangohq/node createConnectSession"() {
    const { Nango } = await import("@nangohq/node")
    const http = await import("node:http")
    // The SDK sets no httpAgent, so an http:// host would use Node's global agent: give it keep-alive.
    http.globalAgent.keepAlive = true
    const nango = new Nango({ secretKey, host: base })
    return async () => {
      const response = await nango.createConnectSession({ end_user: { id: "user-42", email: "ada@example.com" } })
      if (response.data.token === undefined) throw new Error("bad response")
    }
  },
}

const makeStack = async () => {
  if (stack in peers) return peers[stack]()
  const [line, transport, call] = stack.split(":")
  const { makeCall } = await import(lineModules[line])
  return makeCall({ baseUrl: base, secretKey, token, transport, call, connection: { connectionId, providerConfigKey } })
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]

let gcPause = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPause += entry.duration
}).observe({ entryTypes: ["gc"] })

const measure = async (call, count, parallel) => {
  const latencies = new Float64Array(count)
  let next = 0
  const gcBefore = gcPause
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const worker = async () => {
    while (next < count) {
      const index = next++
      const t0 = performance.now()
      await call()
      latencies[index] = performance.now() - t0
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  const elapsed = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  const sorted = Array.from(latencies).sort((a, b) => a - b)
  return {
    callsPerSecond: (count / elapsed) * 1000,
    p50Us: percentile(sorted, 50) * 1000,
    p99Us: percentile(sorted, 99) * 1000,
    cpuUsPerCall: (cpu.user + cpu.system) / count,
    gcUsPerCall: ((gcPause - gcBefore) * 1000) / count,
  }
}

const call = await makeStack()
await call() // one checked call
await measure(call, Math.min(1000, sequential), 1)
await measure(call, Math.min(10_000, concurrent), concurrency)
const seq = await measure(call, sequential, 1)
const conc = await measure(call, concurrent, concurrency)
const peakRssMb = process.resourceUsage().maxRSS / 1024
process.stdout.write(`${JSON.stringify({ stack, seq, conc, peakRssMb })}\n`)
process.exit(0)
