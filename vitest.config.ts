import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"
import { networkSuites } from "./suite/projects.js"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * With VITEST_REPORT_DIR set (as .ci/run does), a JSON report per line and Node major goes there,
 * so that CI can run the README's own `npm test` and still count every test.
 */
const reportDir = process.env.VITEST_REPORT_DIR
const reporting =
  reportDir === undefined
    ? {}
    : {
        reporters: ["default", "json"],
        outputFile: `${reportDir}/effect4-node${process.versions.node.split(".")[0]}.json`,
      }

export default defineConfig({
  // Tests and examples import the package by name, as users do; they run against the sources.
  resolve: {
    alias: [
      { find: /^effect-nango\/testing$/, replacement: source("./src/testing/index.ts") },
      { find: /^effect-nango\/undici$/, replacement: source("./src/NangoHttpClient.ts") },
      { find: /^effect-nango\/webhooks$/, replacement: source("./src/webhooks.ts") },
      { find: /^effect-nango$/, replacement: source("./src/index.ts") },
      // The shared suite (suite/) imports Effect through this line's adapter.
      { find: /^#line$/, replacement: source("./test/line.ts") },
      // The shared sources (src/) import Effect through this line's adapter.
      { find: /^#effect$/, replacement: source("./line/effect.ts") },
      { find: /^#effect\/(\w+)$/, replacement: source("./line/effect/$1.ts") },
    ],
  },
  test: {
    ...reporting,
    testTimeout: 15_000,
    // The load test measures heap growth after a forced collection.
    execArgv: ["--expose-gc"],
    projects: [
      // Everything, on the portable transport (FetchHttpClient on the global fetch).
      {
        extends: true,
        test: { name: "fetch", include: ["suite/**/*.test.ts", "test/**/*.test.ts", "demo/**/*.test.ts"] },
      },
      // Nango's behaviour (the shared emulator, against the fixtures), written once for both lines.
      { extends: true, test: { name: "nango", include: ["nango/test/**/*.test.ts"] } },
      // The network-facing suites again, on the undici fast path (NangoHttpClient.layerUndici).
      {
        extends: true,
        test: {
          name: "undici",
          include: networkSuites,
          env: { NANGO_TEST_TRANSPORT: "undici" },
        },
      },
    ],
  },
})
