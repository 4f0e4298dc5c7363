/**
 * The repository stands on its own: no file refers to a folder beside it or to a path on the
 * machine it was written on. A fresh clone with nothing next to it must pass its tests.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const skipped = new Set(["node_modules", "dist", ".git", "api"])

const files = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    if (skipped.has(name)) return []
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })

// Written in pieces, so that this file does not match itself.
const outside = [
  new RegExp(["\\.\\./", "shared", "/"].join("")),
  new RegExp(["/", "work", "/"].join("")),
  new RegExp(["/", "root", "/"].join("")),
]

describe("the repository", () => {
  it("has no file that reaches outside it", () => {
    const all = files(root).filter((path) => !path.endsWith("package-lock.json"))
    expect(all.length).toBeGreaterThan(50)
    const offenders = all.filter((path) => {
      const text = readFileSync(path, "utf8")
      return outside.some((pattern) => pattern.test(text))
    })
    expect(offenders.map((path) => relative(root, path))).toEqual([])
  })

  it("keeps the recorded Nango bodies inside it", () => {
    const fixtures = readdirSync(join(root, "nango", "fixtures", "connect"))
    expect(fixtures).toContain("README.md")
    expect(fixtures.filter((name) => name.endsWith(".json")).length).toBeGreaterThanOrEqual(30)
  })
})
