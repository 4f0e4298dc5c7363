import { fileURLToPath } from "node:url"

/**
 * What both lines' vitest configs share. The shared suites that talk HTTP: each line's vitest config runs them a second time, on the
 * undici fast path (`NangoHttpClient.layerUndici`), as its "undici" project.
 */
export const networkSuites = [
  "suite/actions.test.ts",
  "suite/client.test.ts",
  "suite/connections.test.ts",
  "suite/edges.test.ts",
  "suite/policies.test.ts",
  "suite/proxy.test.ts",
  "suite/records.test.ts",
  "suite/reliability/faults.test.ts",
  "suite/reliability/hostile-properties.test.ts",
  "suite/reliability/privacy.test.ts",
  "suite/reliability/secrets.test.ts",
]

/** A path of the shared sources (`src/`), as a file path. */
const shared = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url))

/**
 * How a line's tests resolve what they import, given the line's folder: the package by name, as
 * users import it, to the shared sources; `#line` to the line's suite adapter; `#effect` and
 * `#effect/<Module>` to the line's Effect adapter (as its tsconfig.json paths do for tsc and tsx).
 */
export const lineAliases = (lineDir: URL) => {
  const own = (path: string) => fileURLToPath(new URL(path, lineDir))
  return [
    { find: /^effect-nango\/testing$/, replacement: shared("testing/index.ts") },
    { find: /^effect-nango\/undici$/, replacement: shared("NangoHttpClient.ts") },
    { find: /^effect-nango\/webhooks$/, replacement: shared("webhooks.ts") },
    { find: /^effect-nango$/, replacement: shared("index.ts") },
    { find: /^#line$/, replacement: own("test/line.ts") },
    { find: /^#effect$/, replacement: own("line/effect.ts") },
    { find: /^#effect\/(\w+)$/, replacement: own("line/effect/$1.ts") },
    ...otherUndici(own),
  ]
}

/**
 * With `NANGO_TEST_UNDICI` set to an installed alias of undici's other major (`undici7` at the
 * root, `undici8` in effect3/), every import of undici, its files included, goes to that package
 * in the line's own node_modules: CI runs the undici suites on both majors the package supports.
 */
const otherUndici = (own: (path: string) => string) => {
  const name = process.env.NANGO_TEST_UNDICI
  return name === undefined ? [] : [{ find: /^undici(\/.*)?$/, replacement: `${own(`node_modules/${name}`)}$1` }]
}

/**
 * With VITEST_REPORT_DIR set (as .ci/run does), a JSON report per line and Node major goes there,
 * so that CI can run the README's own `npm test` and still count every test.
 */
export const reporting = (line: "effect4" | "effect3") => {
  const reportDir = process.env.VITEST_REPORT_DIR
  return reportDir === undefined
    ? {}
    : {
        reporters: ["default", "json"],
        outputFile: `${reportDir}/${line}-node${process.versions.node.split(".")[0]}.json`,
      }
}
