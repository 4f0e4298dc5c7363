// The Effect 3 line's README (effect3/README.md, the page npm shows its users), made from the root
// README: an Effect 3 introduction, then the root's user sections with every TypeScript example
// written as the Effect 3 line writes it (`toEffect3`). `npm run readme:effect3` writes it;
// effect3/test/readme.test.ts fails when the file and the root README have drifted apart.
//   node --import tsx scripts/effect3-readme.ts          # writes effect3/README.md
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/**
 * An Effect 4 example as the Effect 3 line writes it: exactly the import changes the README's
 * "From Effect 3 to Effect 4" table lists, and nothing else.
 */
export const toEffect3 = (source: string): string => {
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

/** The root README's sections that the Effect 3 page carries, in its order. */
export const effect3Sections = [
  "Install",
  "Environment variables",
  "Use",
  "Errors",
  "Policies and their defaults",
  "Testing your code",
  "Webhooks: after the end user connects",
  "Connections: using what the end user connected",
  "The provider's API: NangoProxy",
  "Synced records: NangoSyncs",
  "Actions: NangoActions",
  "Where the spec and the live server disagree",
  "From Effect 3 to Effect 4",
] as const

const introduction = `# effect-nango for Effect 3

<!-- Generated from the repository's root README.md by scripts/effect3-readme.ts: edit that one. -->

The Effect 3 line of effect-nango (0.x, published under the dist-tag \`effect3\`): the Effect-native
client for [Nango](https://nango.dev) (Connect sessions, the webhooks Nango sends, the
connections end users make, with their credentials, the provider's API through Nango's proxy,
synced records, syncs and actions), for programs on \`effect\` ^3.22 with \`@effect/platform\` ^0.97. It
has the same API as the Effect 4 line (effect-nango 1.x): \`effect-nango\`, \`effect-nango/undici\`,
\`effect-nango/webhooks\` and \`effect-nango/testing\`. It runs on Node 20, 22 and 24.

Every example below is Effect 3 code. Where the text names an Effect 4 module, the Effect 3 line
uses its counterpart: \`effect/http\` is \`@effect/platform\`, \`effect/testing\`'s \`TestClock\` is
\`effect\`'s; the table at the end lists every difference.
`

/** The sections of a Markdown page by their level-2 heading (a heading inside a code block is text). */
const sections = (markdown: string): Map<string, string> => {
  const found = new Map<string, string>()
  let heading: string | undefined
  let lines: Array<string> = []
  let inCode = false
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) inCode = !inCode
    if (!inCode && line.startsWith("## ")) {
      if (heading !== undefined) found.set(heading, lines.join("\n").trim())
      heading = line.slice(3)
      lines = []
    }
    lines.push(line)
  }
  if (heading !== undefined) found.set(heading, lines.join("\n").trim())
  return found
}

/** A program's text without the comment lines that head it (they say where the file is kept). */
const withoutHeader = (source: string): string => source.replace(/^(\/\/.*\n)+/, "")

/**
 * Examples whose Effect 3 form differs beyond imports (the HTTP router's API), kept in both lines'
 * demo/ folders and type-checked by each: the root's text and the Effect 3 line's.
 */
const ownEffect3Examples = (root: URL): ReadonlyArray<readonly [string, string]> =>
  ["demo/webhook-server.ts"].map((path) => [
    withoutHeader(readFileSync(new URL(path, root), "utf8")),
    withoutHeader(readFileSync(new URL(`effect3/${path}`, root), "utf8")),
  ])

/** Every TypeScript code block of a section as the Effect 3 line writes it. */
const effect3Code = (section: string, own: ReadonlyArray<readonly [string, string]>): string =>
  section.replace(/```ts\n([\s\S]*?)```/g, (_, code: string) => {
    const effect3 = own.find(([effect4]) => effect4 === code)?.[1] ?? toEffect3(code)
    return `\`\`\`ts\n${effect3}\`\`\``
  })

/** Relative links of the root README, made relative to `effect3/`, where this page lives. */
const fromEffect3Folder = (section: string): string =>
  section.replace(/\]\((?!https?:|#|mailto:)([^)]+)\)/g, (_, target: string) => `](../${target})`)

/** The Effect 3 page, made from the root README's text. */
export const effect3Readme = (rootReadme: string, root = new URL("../", import.meta.url)): string => {
  const found = sections(rootReadme)
  const own = ownEffect3Examples(root)
  const body = effect3Sections.map((heading) => {
    const section = found.get(heading)
    if (section === undefined) throw new Error(`the root README has no section "${heading}"`)
    return fromEffect3Folder(effect3Code(section, own))
  })
  return `${[introduction.trim(), ...body].join("\n\n")}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL("../", import.meta.url)
  const page = effect3Readme(readFileSync(new URL("README.md", root), "utf8"))
  writeFileSync(new URL("effect3/README.md", root), page)
  console.log(`effect3/README.md: ${page.split("\n").length} lines`)
}
