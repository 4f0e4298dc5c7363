// An A/B of two builds of this repository, alternated in one run against one server: for each
// stack, `rounds` pairs of `bench/client.mjs` processes, the other build first in even rounds and
// second in odd ones; prints the median ratio (this build ÷ the other) of client CPU per call at
// concurrency 64, with its range, and of sequential p50. The other build is a worktree of an older
// commit with both lines built and node_modules linked:
//   git worktree add /tmp/old <commit> && ln -s "$PWD/node_modules" /tmp/old/node_modules
//   ln -s "$PWD/effect3/node_modules" /tmp/old/effect3/node_modules
//   (cd /tmp/old && npx tsc -p tsconfig.build.json && cd effect3 && ../node_modules/.bin/tsc -p tsconfig.build.json)
// A stack `import:<line>` compares import + first call instead (bench/extras.mjs import), in ms.
// Usage: node bench/ab.mjs <other-root> <stack>...  (ROUNDS, default 5)
import { execFileSync, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const [other, ...stacks] = process.argv.slice(2)
const self = fileURLToPath(new URL("..", import.meta.url))
const rounds = Number(process.env.ROUNDS ?? 5)
const server = spawn(process.execPath, [`${self}/bench/server.mjs`], { stdio: ["ignore", "pipe", "inherit"] })
const port = await new Promise((resolve) => server.stdout.once("data", (data) => resolve(String(data).trim())))
const run = (root, stack) =>
  JSON.parse(
    execFileSync(process.execPath, [`${root}/bench/client.mjs`, stack, port, "2000", "30000"], {
      cwd: root,
      encoding: "utf8",
    }),
  )
const imported = (root, line) =>
  JSON.parse(
    execFileSync(process.execPath, [`${root}/bench/extras.mjs`, "import", port, line], { cwd: root, encoding: "utf8" }),
  ).ms
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
for (const stack of stacks.filter((stack) => stack.startsWith("import:"))) {
  const ratios = []
  for (let round = 0; round < rounds; round++) {
    const line = stack.slice("import:".length)
    const [first, second] = (round % 2 === 0 ? [other, self] : [self, other]).map((root) => imported(root, line))
    ratios.push(round % 2 === 0 ? second / first : first / second)
  }
  console.log(
    `${stack}: this ÷ other, import + first call ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
  )
}
for (const stack of stacks.filter((stack) => !stack.startsWith("import:"))) {
  const cpu = []
  const p50 = []
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [other, self] : [self, other]
    const [first, second] = order.map((root) => run(root, stack))
    const [before, after] = round % 2 === 0 ? [first, second] : [second, first]
    cpu.push(after.conc.cpuUsPerCall / before.conc.cpuUsPerCall)
    p50.push(after.seq.p50Us / before.seq.p50Us)
  }
  console.log(
    `${stack}: this ÷ other, CPU per call ${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}), sequential p50 ${median(p50).toFixed(2)}`,
  )
}
server.kill()
