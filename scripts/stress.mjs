// `npm run test:stress [runs]`: the real-time tests of both lines (those named "real time: …", in
// the files below),
// run again and again while every CPU is kept busy by a spinning process, as on a loaded 2-core
// machine. Stops at the first failing run. A tool, not part of `npm test`.
import { spawn, spawnSync } from "node:child_process"
import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const runs = Number(process.argv[2] ?? 10)
const spin = `const end = Date.now() + 60 * 60 * 1000; while (Date.now() < end) {}` // bounded: an hour at most

/** The files that hold the real-time tests (vitest filters by these), so that only they are collected. */
const realTimeFiles = [
  "suite/policies.test.ts",
  "suite/reliability/load.test.ts",
  "suite/tracing.test.ts",
  "suite/connections.test.ts",
]

// Plain child processes, no IPC channel: they hold nothing open in this process once killed.
const load = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ["-e", spin], { stdio: "ignore" }),
)
const stop = () => {
  for (const child of load) child.kill("SIGKILL")
}
process.on("exit", stop)
process.on("SIGINT", () => process.exit(130))

console.log(`test:stress: ${runs} runs of the real-time tests, both lines, with ${load.length} CPUs kept busy`)
let passedRuns = 0
for (let i = 1; i <= runs; i++) {
  const started = Date.now()
  const { status, stdout } = spawnSync(process.execPath, ["scripts/test.mjs", "-t", "real time", ...realTimeFiles], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  })
  const tally = stdout.trim().split("\n").at(-1)
  console.log(
    `run ${i}: ${status === 0 ? "passed" : "FAILED"} (${tally}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
  if (status !== 0) {
    console.log(stdout)
    break
  }
  passedRuns++
}
stop()
console.log(`${passedRuns} of ${runs} runs passed in a row`)
process.exitCode = passedRuns === runs ? 0 : 1
