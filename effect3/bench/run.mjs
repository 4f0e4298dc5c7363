// The benchmark: one server process, one process per client stack, stacks in alternating order
// over several rounds; every figure is also given as a ratio to undici.request measured in the
// same round, and the median over rounds is reported. Then the retry path, import cost and memory
// over 100,000 calls. Usage: npm run bench  (ROUNDS, SEQUENTIAL, CONCURRENT override the sizes)
import { execFileSync, spawn } from "node:child_process"
import { cpus, totalmem } from "node:os"

const rounds = Number(process.env.ROUNDS ?? 3)
const sequential = Number(process.env.SEQUENTIAL ?? 3000)
const concurrent = Number(process.env.CONCURRENT ?? 30000)
const allStacks = [
  "undici.request",
  "fetch",
  "axios",
  "@nangohq/node createConnectSession",
  "effect-nango getConnectSession",
  "effect-nango createConnectSession",
  "effect-nango getConnectSession (FetchHttpClient)",
]
// STACKS="effect-nango getConnectSession" runs only those (and the undici floor); EXTRAS=0 skips the rest.
const only = process.env.STACKS?.split(",").map((name) => name.trim())
const stacks =
  only === undefined ? allStacks : allStacks.filter((stack) => stack === "undici.request" || only.includes(stack))

const server = spawn(process.execPath, ["bench/server.mjs"], { stdio: ["ignore", "pipe", "inherit"] })
const port = await new Promise((resolve) => server.stdout.once("data", (data) => resolve(String(data).trim())))
const node = (args) => JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 }))

const results = new Map(stacks.map((stack) => [stack, []]))
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? stacks : [...stacks].reverse()
  const measured = new Map()
  for (const stack of order) {
    process.stderr.write(`round ${round + 1}/${rounds}: ${stack}\n`)
    measured.set(stack, node(["bench/client.mjs", stack, port, String(sequential), String(concurrent)]))
  }
  const floor = measured.get("undici.request")
  for (const stack of stacks) {
    const m = measured.get(stack)
    results.get(stack).push({
      ...m,
      ratios: {
        seqCpu: m.seq.cpuUsPerCall / floor.seq.cpuUsPerCall,
        seqP50: m.seq.p50Us / floor.seq.p50Us,
        concCpu: m.conc.cpuUsPerCall / floor.conc.cpuUsPerCall,
        concRate: floor.conc.callsPerSecond / m.conc.callsPerSecond,
      },
    })
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const med = (stack, pick) => median(results.get(stack).map(pick))
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
  "| stack | seq calls/s | seq p50 µs | seq p99 µs | conc calls/s | conc p50 µs | conc p99 µs | conc CPU µs/call | conc GC µs/call | peak RSS MB | **conc CPU ×** | seq CPU × | **seq p50 ×** | conc calls/s ÷ |",
)
lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (const stack of stacks) {
  lines.push(
    `| ${stack} | ${f0(med(stack, (r) => r.seq.callsPerSecond))} | ${f0(med(stack, (r) => r.seq.p50Us))} | ${f0(med(stack, (r) => r.seq.p99Us))} | ${f0(med(stack, (r) => r.conc.callsPerSecond))} | ${f0(med(stack, (r) => r.conc.p50Us))} | ${f0(med(stack, (r) => r.conc.p99Us))} | ${f0(med(stack, (r) => r.conc.cpuUsPerCall))} | ${med(stack, (r) => r.conc.gcUsPerCall).toFixed(1)} | ${f0(med(stack, (r) => r.peakRssMb))} | **${f2(med(stack, (r) => r.ratios.concCpu))}** | ${f2(med(stack, (r) => r.ratios.seqCpu))} | **${f2(med(stack, (r) => r.ratios.seqP50))}** | ${f2(med(stack, (r) => r.ratios.concRate))} |`,
  )
}

if (process.env.EXTRAS === "0") {
  server.kill()
  process.stdout.write(`${lines.join("\n")}\n`)
  process.exit(0)
}
process.stderr.write("retry path, import cost, memory\n")
const retry = [0, 1, 2].map(() => node(["bench/extras.mjs", "retry", port, String(sequential)]))
const imports = ["effect-nango", "@nangohq/node"].map((stack) => node(["bench/extras.mjs", "import", port, stack]))
const memory = node(["--expose-gc", "bench/extras.mjs", "memory", port, "100000"])
lines.push("")
lines.push(
  `Retry path (effect-nango GET, sequential, 1 ms backoff): a 503-then-200 call costs **${f2(median(retry.map((r) => r.ratio)))}×** a plain call in client CPU (median of 3).`,
)
lines.push("")
lines.push("| import + first call | ms | RSS MB |")
lines.push("|---|---:|---:|")
for (const i of imports) lines.push(`| ${i.stack} | ${f0(i.ms)} | ${f0(i.rssMb)} |`)
lines.push("")
lines.push(
  `Memory over 100,000 effect-nango calls at concurrency 64 (after a forced GC), heap MB: ${memory.samples.map((s) => s.heapMb.toFixed(1)).join(", ")}; RSS MB: ${memory.samples.map((s) => f0(s.rssMb)).join(", ")}.`,
)

server.kill()
process.stdout.write(`${lines.join("\n")}\n`)
