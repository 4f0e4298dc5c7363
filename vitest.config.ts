import { defineConfig } from "vitest/config"
import { lineAliases, networkSuites, reporting } from "./suite/projects.js"

export default defineConfig({
  // Tests and examples import the package by name, as users do; they run against the sources.
  resolve: {
    alias: lineAliases(new URL("./", import.meta.url)),
  },
  test: {
    ...reporting("effect4"),
    testTimeout: 15_000,
    // Test files share their worker's module graph instead of importing Effect anew each: the
    // suite's own state is per test (each starts its own emulator and client), and this halves
    // the time a fresh clone's npm test takes.
    isolate: false,
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
