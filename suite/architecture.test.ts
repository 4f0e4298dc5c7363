/**
 * The layout holds: no module of the shared `src/` and `nango/src/`, or of this line's adapter
 * (`line/`), takes part in an import circle (relative imports, type-only ones included, resolved
 * from `.js` to `.ts`). The shared sources reach the adapter only as `#effect`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it, lineRoot } from "#line"

const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : []
  })

/** The modules a file imports by a relative path. */
const importsOf = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/^(?:import|export)[^"']*?from\s+["'](\.[^"']+)["']/gm)].map((match) =>
    resolve(dirname(file), (match[1] as string).replace(/\.js$/, ".ts")),
  )

/** One import circle, as the files on it, or undefined. */
const findCircle = (files: ReadonlyArray<string>): Array<string> | undefined => {
  const state = new Map<string, "open" | "done">()
  const stack: Array<string> = []
  const visit = (file: string): Array<string> | undefined => {
    if (state.get(file) === "done") return undefined
    if (state.get(file) === "open") return stack.slice(stack.indexOf(file))
    state.set(file, "open")
    stack.push(file)
    for (const next of importsOf(file)) {
      const circle = visit(next)
      if (circle !== undefined) return circle
    }
    stack.pop()
    state.set(file, "done")
    return undefined
  }
  for (const file of files) {
    const circle = visit(file)
    if (circle !== undefined) return circle
  }
  return undefined
}

describe("architecture", () => {
  const root = fileURLToPath(lineRoot)
  const shared = [new URL("../src/", import.meta.url), new URL("../nango/src/", import.meta.url)].map((url) =>
    fileURLToPath(url),
  )

  it("finds a circle when there is one (the check itself, on two files that import each other)", () => {
    const dir = mkdtempSync(join(tmpdir(), "circle-"))
    writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b.js"\nexport type A = B\n')
    writeFileSync(join(dir, "b.ts"), 'import { a } from "./a.js"\nexport const b = a\n')
    writeFileSync(join(dir, "c.ts"), 'import { b } from "./b.js"\nexport const c = b\n')
    expect(findCircle([join(dir, "c.ts")])?.map((file) => relative(dir, file))).toEqual(["b.ts", "a.ts"])
    rmSync(dir, { recursive: true })
  })

  it("imports Effect in the shared src/ only through the line's adapter (#effect)", () => {
    const direct = sources(shared[0] as string).filter((file) =>
      /from\s+["'](effect|effect\/[^"']*|@effect\/[^"']*)["']/.test(readFileSync(file, "utf8")),
    )
    expect(direct.map((file) => relative(join(root, ".."), file))).toEqual([])
  })

  it("has no import circle in the shared src/ and nango/src/ or in this line's adapter", () => {
    const circle = findCircle([...sources(join(root, "line")), ...shared.flatMap(sources)])
    expect(circle?.map((file) => relative(join(root, ".."), file))).toBeUndefined()
  })
})
