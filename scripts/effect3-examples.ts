// The shared examples (the demo, the README's client example, the tracing example and the browser
// page, each written once at the root in Effect 4 code) as the Effect 3 line type-checks and runs
// them: `toEffect3` of each, written under effect3/generated/ (not committed), where its imports
// resolve to the Effect 3 line's packages. Each of effect3's scripts that needs them writes them first.
//   node --import tsx scripts/effect3-examples.ts          # writes effect3/generated/
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { toEffect3 } from "./effect3-readme.js"

/** The root's examples that the Effect 3 line runs as Effect 3 code. */
export const sharedExamples = ["demo/main.ts", "demo/readme-example.ts", "examples/tracing.ts", "browser/page.ts"]

const root = new URL("../", import.meta.url)

/** An example as the Effect 3 line writes it, placed two folders deeper (effect3/generated/). */
export const asEffect3Example = (source: string): string =>
  `// Generated from the root's example by scripts/effect3-examples.ts: edit that one.\n${toEffect3(source).replaceAll('from "../src/', 'from "../../../src/')}`

/** Writes every shared example to effect3/generated/, and returns where they are. */
export const writeEffect3Examples = (): ReadonlyArray<string> =>
  sharedExamples.map((path) => {
    const target = fileURLToPath(new URL(`effect3/generated/${path}`, root))
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, asEffect3Example(readFileSync(new URL(path, root), "utf8")))
    return target
  })

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`effect3/generated/: ${writeEffect3Examples().length} examples`)
}
