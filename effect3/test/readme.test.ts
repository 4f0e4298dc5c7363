import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")

/**
 * An Effect 4 example as the Effect 3 line writes it: exactly the import changes the README's
 * "From Effect 3 to Effect 4" table lists, and nothing else.
 */
const toEffect3 = (source: string) => {
  let result = source.replaceAll('from "effect/http"', 'from "@effect/platform"')
  const testClock = 'import { TestClock } from "effect/testing"\n'
  if (result.includes(testClock)) {
    result = result
      .replace(testClock, "")
      .replace(
        /import \{ ([^}]*) \} from "effect"\n/,
        (_, names: string) => `import { ${names}, TestClock } from "effect"\n`,
      )
  }
  return result
}

describe("README (Effect 3 line)", () => {
  it("runs the README's client example, with only the documented import changes", () => {
    expect(read("../demo/readme-example.ts")).toBe(toEffect3(read("../../demo/readme-example.ts")))
  })

  it("runs the README's testing example, with only the documented import changes", () => {
    expect(read("../demo/testing-example.test.ts")).toBe(toEffect3(read("../../demo/testing-example.test.ts")))
  })

  it("runs the README's webhook example, with only the documented import changes", () => {
    expect(read("../demo/webhook-example.test.ts")).toBe(toEffect3(read("../../demo/webhook-example.test.ts")))
  })

  it("is named in the README's install table, with its dist-tag and peers", () => {
    const readme = read("../../README.md")
    const pkg = JSON.parse(read("../package.json")) as { peerDependencies: Record<string, string> }
    expect(readme).toContain("npm install effect-nango@effect3")
    expect(readme).toContain(`\`effect\` ${pkg.peerDependencies.effect}`)
    expect(readme).toContain(`\`@effect/platform\` ${pkg.peerDependencies["@effect/platform"]}`)
  })
})
