// The benchmark of both lines and the peers, in one run: one server process, one process per
// client stack, stacks in alternating order over several rounds; every figure is also given as a
// ratio to an undici.request run measured right next to it, and the median over rounds is
// reported, with the lowest and highest ratio of CPU per call beside it.
// Then the retry path, import cost and memory over 100,000 calls, for each line.
// Usage: npm run bench  (builds both lines; ROUNDS, SEQUENTIAL, CONCURRENT override the sizes,
// STACKS=a,b runs only those stacks and their undici floors, EXTRAS=0 skips the extras)
import { execFileSync, spawn } from "node:child_process"
import { cpus, totalmem } from "node:os"

// The clients load undici 7, which needs Node 22 (npm run bench puts the project's Node 22 first).
if (Number(process.versions.node.split(".")[0]) < 22) {
  process.stderr.write(`The bench needs Node 22 or later (this is ${process.version}); run it with npm run bench\n`)
  process.exit(1)
}
const rounds = Number(process.env.ROUNDS ?? 3)
const sequential = Number(process.env.SEQUENTIAL ?? 3000)
const concurrent = Number(process.env.CONCURRENT ?? 30000)
const labels = {
  "undici.request": "undici.request",
  "undici.request:create": "undici.request, the create's POST",
  "undici.request:connection": "undici.request, GET /connections/{id}",
  "undici.request:proxy": "undici.request, GET /proxy/user and JSON.parse",
  "undici.request:records": "undici.request, GET /records (100 records) and JSON.parse",
  fetch: "fetch",
  axios: "axios",
  "@nangohq/node createConnectSession": "@nangohq/node createConnectSession",
  "effect4:own:get": "1.x getConnectSession (layerNangoConnect)",
  "effect4:own:create": "1.x createConnectSession (layerNangoConnect)",
  "effect4:own:connection": "1.x getConnection (layerNango)",
  "effect4:own:proxy": "1.x NangoProxy GET /user, its JSON read (layerNango)",
  "effect4:own:records": "1.x NangoSyncs.listRecords, 100 records decoded (layerNango)",
  "effect4:platform-node:get": "1.x getConnectSession (@effect/platform-node NodeHttpClient.layerUndici)",
  "effect4:fetch:get": "1.x getConnectSession (FetchHttpClient)",
  "effect3:own:get": "0.x getConnectSession (layerNangoConnect)",
  "effect3:own:create": "0.x createConnectSession (layerNangoConnect)",
  "effect3:own:connection": "0.x getConnection (layerNango)",
  "effect3:own:proxy": "0.x NangoProxy GET /user, its JSON read (layerNango)",
  "effect3:own:records": "0.x NangoSyncs.listRecords, 100 records decoded (layerNango)",
  "effect3:platform-node:get": "0.x getConnectSession (@effect/platform-node NodeHttpClient.layerUndici)",
  "effect3:fetch:get": "0.x getConnectSession (FetchHttpClient)",
}
/**
 * The floor a stack is compared with: `undici.request` making the same call, a GET for the GETs, the
 * create's POST (its JSON body included) for the creates, and the connection's GET for getConnection.
 */
const floorOf = (stack) =>
  stack.endsWith("create") || stack.endsWith("createConnectSession")
    ? "undici.request:create"
    : stack.endsWith("connection")
      ? "undici.request:connection"
      : stack.endsWith("proxy")
        ? "undici.request:proxy"
        : stack.endsWith("records")
          ? "undici.request:records"
          : "undici.request"
const floors = new Set([
  "undici.request",
  "undici.request:create",
  "undici.request:connection",
  "undici.request:proxy",
  "undici.request:records",
])
const only = process.env.STACKS?.split(",").map((name) => name.trim())
const chosen = Object.keys(labels).filter((stack) => !floors.has(stack) && (only === undefined || only.includes(stack)))
const stacks = Object.keys(labels).filter((stack) => chosen.includes(stack) || chosen.some((c) => floorOf(c) === stack))

const server = spawn(process.execPath, ["bench/server.mjs"], { stdio: ["ignore", "pipe", "inherit"] })
const port = await new Promise((resolve) => server.stdout.once("data", (data) => resolve(String(data).trim())))
const node = (args) => JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 }))

// Each stack is measured next to its own floor run, first or second in turn, and its ratios are to
// that run: the machine's speed drifts over a run (it is shared), and a floor measured minutes away
// would carry that drift into the ratio.
const ratiosTo = (m, floor) => ({
  seqCpu: m.seq.cpuUsPerCall / floor.seq.cpuUsPerCall,
  seqP50: m.seq.p50Us / floor.seq.p50Us,
  concCpu: m.conc.cpuUsPerCall / floor.conc.cpuUsPerCall,
  concGc: m.conc.gcUsPerCall / Math.max(floor.conc.gcUsPerCall, 0.1),
  rss: m.peakRssMb / floor.peakRssMb,
})
const measure = (stack, round) => {
  process.stderr.write(`round ${round + 1}/${rounds}: ${labels[stack]}\n`)
  return node(["bench/client.mjs", stack, port, String(sequential), String(concurrent)])
}
const results = new Map(stacks.map((stack) => [stack, []]))
for (let round = 0; round < rounds; round++) {
  for (const stack of round % 2 === 0 ? chosen : [...chosen].reverse()) {
    const floorStack = floorOf(stack)
    const floor = round % 2 === 0 ? measure(floorStack, round) : undefined
    const m = measure(stack, round)
    const pairedFloor = floor ?? measure(floorStack, round)
    results.get(floorStack).push({ ...pairedFloor, ratios: ratiosTo(pairedFloor, pairedFloor) })
    results.get(stack).push({ ...m, ratios: ratiosTo(m, pairedFloor) })
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const med = (stack, pick) => median(results.get(stack).map(pick))
const range = (stack, pick) => {
  const values = results.get(stack).map(pick)
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`
}
const f0 = (x) => Math.round(x).toLocaleString("en-US")
const f2 = (x) => x.toFixed(2)

const lines = []
lines.push(
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}.`,
)
lines.push(
  `Sizes: ${sequential} sequential calls and ${concurrent} at concurrency 64 per stack and round, after a warm-up; ${rounds} rounds, medians.`,
)
lines.push("")
lines.push(
  "| stack | seq p50 µs | conc calls/s | conc CPU µs/call | conc GC µs/call | peak RSS MB | **conc CPU ×** | range | **seq p50 ×** | GC × | RSS × |",
)
lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (const stack of stacks) {
  lines.push(
    `| ${labels[stack]} | ${f0(med(stack, (r) => r.seq.p50Us))} | ${f0(med(stack, (r) => r.conc.callsPerSecond))} | ${f0(med(stack, (r) => r.conc.cpuUsPerCall))} | ${med(stack, (r) => r.conc.gcUsPerCall).toFixed(1)} | ${f0(med(stack, (r) => r.peakRssMb))} | **${f2(med(stack, (r) => r.ratios.concCpu))}** | ${range(stack, (r) => r.ratios.concCpu)} | **${f2(med(stack, (r) => r.ratios.seqP50))}** | ${f2(med(stack, (r) => r.ratios.concGc))} | ${f2(med(stack, (r) => r.ratios.rss))} |`,
  )
}

if (process.env.EXTRAS !== "0") {
  process.stderr.write("retry path, import cost, memory\n")
  lines.push("")
  lines.push(
    "| line | retry: 503-then-200 ÷ plain, CPU | import + first call ms | RSS MB | heap MB along 100,000 calls (after GC) |",
  )
  lines.push("|---|---:|---:|---:|---|")
  for (const line of ["effect4", "effect3"]) {
    const retry = median([0, 1, 2].map(() => node(["bench/extras.mjs", "retry", port, String(sequential), line]).ratio))
    const imported = [0, 1, 2].map(() => node(["bench/extras.mjs", "import", port, line]))
    const memory = node(["--expose-gc", "bench/extras.mjs", "memory", port, "100000", line])
    lines.push(
      `| ${line === "effect4" ? "1.x (Effect 4)" : "0.x (Effect 3)"} | ${f2(retry)} | ${f0(median(imported.map((i) => i.ms)))} | ${f0(median(imported.map((i) => i.rssMb)))} | ${memory.samples.map((s) => s.heapMb.toFixed(1)).join(", ")} |`,
    )
  }
  const sdk = [0, 1, 2].map(() => node(["bench/extras.mjs", "import", port, "@nangohq/node"]))
  lines.push(`| @nangohq/node | | ${f0(median(sdk.map((i) => i.ms)))} | ${f0(median(sdk.map((i) => i.rssMb)))} | |`)
}

server.kill()
process.stdout.write(`${lines.join("\n")}\n`)
