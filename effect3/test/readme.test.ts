import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { asEffect3Example, sharedExamples } from "../../scripts/effect3-examples.js"
import { effect3Readme, toEffect3 } from "../../scripts/effect3-readme.js"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")

describe("README (Effect 3 line)", () => {
  // The testing and webhook examples (../demo/*.test.ts) run on this line as Effect 3 code: see the
  // "examples" project of vitest.config.ts.
  it("type-checks the README's client example, with only the documented import changes", () => {
    // npm run typecheck type-checks effect3/generated/, written from the root's examples.
    expect(sharedExamples).toContain("demo/readme-example.ts")
    expect(read("../generated/demo/readme-example.ts")).toBe(asEffect3Example(read("../../demo/readme-example.ts")))
    expect(asEffect3Example('import { FetchHttpClient } from "effect/http"\n')).toContain(
      toEffect3('import { FetchHttpClient } from "effect/http"\n'),
    )
  })

  it("is the page npm shows: effect3/README.md is made from the root README, examples in Effect 3 code", () => {
    expect(read("../README.md")).toBe(effect3Readme(read("../../README.md")))
  })

  it("is named in the README's install table, with its dist-tag and peers", () => {
    const readme = read("../../README.md")
    const pkg = JSON.parse(read("../package.json")) as { peerDependencies: Record<string, string> }
    expect(readme).toContain("npm install effect-nango@effect3")
    expect(readme).toContain(`\`effect\` ${pkg.peerDependencies.effect}`)
    expect(readme).toContain(`\`@effect/platform\` ${pkg.peerDependencies["@effect/platform"]}`)
  })
})
