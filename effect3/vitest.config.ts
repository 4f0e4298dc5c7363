import { fileURLToPath } from "node:url"
import { defineConfig, type Plugin } from "vitest/config"
import { writeEffect3Examples } from "../scripts/effect3-examples.js"
import { toEffect3 } from "../scripts/effect3-readme.js"
import { lineAliases, networkSuites, reporting } from "../suite/projects.js"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * The README's examples live once, in the root's demo/, written for Effect 4. This line runs them
 * as its README shows them: each file under ../demo is rewritten by `toEffect3` (the documented
 * import changes) as it is loaded, and its imports then resolve to this line's packages.
 */
const demoDir = source("../demo/")
const examplesAsEffect3: Plugin = {
  name: "effect-nango:examples-as-effect3",
  enforce: "pre",
  transform: (code, id) => (id.startsWith(demoDir) && id.endsWith(".ts") ? toEffect3(code) : undefined),
}

// The demo run by suite/demo.test.ts, as Effect 3 code (effect3/generated/, written anew each run).
writeEffect3Examples()

export default defineConfig({
  plugins: [examplesAsEffect3],
  // Tests and examples import the package by name, as users do; they run against the sources.
  resolve: {
    // The shared code in ../nango, ../suite and ../demo imports these: it must get this line's copies.
    dedupe: ["vitest", "undici", "@effect/vitest", "effect", "@effect/platform", "@effect/platform-node"],
    alias: lineAliases(new URL("./", import.meta.url)),
  },
  test: {
    ...reporting("effect3"),
    testTimeout: 15_000,
    // Test files share their worker's module graph instead of importing Effect anew each: the
    // suite's own state is per test (each starts its own emulator and client), and this halves
    // the time a fresh clone's npm test takes.
    isolate: false,
    // The load test measures heap growth after a forced collection.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    projects: [
      // Everything, on the portable transport (FetchHttpClient on the global fetch).
      { extends: true, test: { name: "fetch", include: ["test/**/*.test.ts"] } },
      // The README's examples (../demo), as Effect 3 code; the effect/http router example is
      // Effect 4's alone (Effect 3's router is another API, not another import).
      {
        extends: true,
        test: {
          name: "examples",
          dir: "..",
          include: ["demo/**/*.test.ts"],
          exclude: ["demo/router-example.test.ts"],
        },
      },
      // The shared suite (../suite), through this line's adapter.
      { extends: true, test: { name: "suite", dir: "..", include: ["suite/**/*.test.ts"] } },
      // Nango's behaviour (the shared emulator, against the fixtures), written once for both lines.
      { extends: true, test: { name: "nango", dir: "..", include: ["nango/test/**/*.test.ts"] } },
      // The network-facing suites again, on the undici fast path (NangoHttpClient.layerUndici).
      {
        extends: true,
        test: {
          name: "undici",
          dir: "..",
          include: networkSuites,
          env: { NANGO_TEST_TRANSPORT: "undici" },
        },
      },
    ],
  },
})
