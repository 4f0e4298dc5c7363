import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import * as Package from "effect-nango"
import * as NangoHttpClient from "effect-nango/undici"
import * as Webhooks from "effect-nango/webhooks"
import ts from "typescript"

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
    ["demo/proxy-flow.test.ts", 3],
    ["demo/synced-data.test.ts", 3],
    ["demo/server-example.test.ts", 2],
    ["demo/router-example.test.ts", 2],
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

  it("lists every variable-reading layer in the environment table", () => {
    const table = section("Environment variables")
    const modules = { ...Package, ...Webhooks, NangoHttpClient }
    const readers = Object.entries(modules).flatMap(([module, exports]) =>
      Object.entries(exports as Record<string, unknown>)
        .filter(([name, value]) => /^layer\w*Config$/.test(name) && typeof value === "function")
        .map(([name]) => `${module}.${name}()`),
    )
    expect(readers.length).toBeGreaterThanOrEqual(5)
    for (const reader of readers) expect(table.includes(`\`${reader}\``) ? reader : `${reader} missing`).toBe(reader)
  })

  it("lists every option of the test kit and every member of its handle", () => {
    const kit = section("Testing your code")
    const options = [...interfaceMembers("../nango/src/emulator/types.ts", "Options"), "client"].filter(
      (name) => name !== "now", // the kit sets the emulator's clock itself
    )
    const handle = classMembers("../nango/src/emulator.ts", "NangoEmulator")
    expect(options.length).toBeGreaterThan(10)
    expect(handle.length).toBeGreaterThan(15)
    for (const name of [...options, ...handle]) {
      const listed = new RegExp(`\`${name}[\`(]`).test(kit)
      expect(listed ? name : `${name} missing`).toBe(name)
    }
  })
})

/** The README's section under a level-2 heading. */
const section = (heading: string) => {
  const readme = read("../README.md")
  const start = readme.indexOf(`## ${heading}\n`)
  const end = readme.indexOf("\n## ", start + 1)
  expect(start).toBeGreaterThanOrEqual(0)
  return readme.slice(start, end === -1 ? undefined : end)
}

/** The names a TypeScript file declares in one interface or one class, read by the compiler's parser. */
const declared = (path: string) => ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest, true).statements

const interfaceMembers = (path: string, name: string) =>
  declared(path)
    .filter((node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === name)
    .flatMap((node) => node.members.map((member) => member.name?.getText() ?? ""))

/** The public instance members of a class: what a user of an instance can touch. */
const classMembers = (path: string, name: string) =>
  declared(path)
    .filter((node): node is ts.ClassDeclaration => ts.isClassDeclaration(node) && node.name?.text === name)
    .flatMap((node) => node.members)
    .filter((member) => !ts.isConstructorDeclaration(member) && member.name !== undefined)
    .filter((member) => {
      const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : []
      return !modifiers.some((modifier) =>
        [ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.StaticKeyword].includes(
          modifier.kind,
        ),
      )
    })
    .map((member) => member.name?.getText() ?? "")
    .filter((member) => !member.startsWith("#"))
