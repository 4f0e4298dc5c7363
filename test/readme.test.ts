import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")

describe("README", () => {
  it("shows the example that demo/readme-example.ts type-checks, line for line", () => {
    const example = read("../demo/readme-example.ts").split("\n").slice(1).join("\n")
    const block = /```ts\n([\s\S]*?)```/.exec(read("../README.md"))?.[1]
    expect(block).toBe(example)
  })

  it("shows the testing example that npm test runs, line for line", () => {
    const example = read("../demo/testing-example.test.ts").split("\n").slice(2).join("\n")
    const blocks = [...read("../README.md").matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
    expect(blocks).toContain(example)
  })

  it.each([
    ["demo/webhook-example.test.ts", 2],
    ["demo/connect-flow.test.ts", 3],
    ["demo/server-example.test.ts", 2],
    ["demo/webhook-server.ts", 1],
  ] as const)("shows %s, line for line", (file, header) => {
    const example = read(`../${file}`).split("\n").slice(header).join("\n")
    const blocks = [...read("../README.md").matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
    expect(blocks).toContain(example)
  })

  it("gives the two newcomer commands that package.json defines", () => {
    const readme = read("../README.md")
    const scripts = (JSON.parse(read("../package.json")) as { scripts: Record<string, string> }).scripts
    expect(readme).toContain("npm install && npm start")
    expect(readme).toContain("npm test")
    expect(scripts.start).toBeDefined()
    expect(scripts.test).toBeDefined()
  })
})
