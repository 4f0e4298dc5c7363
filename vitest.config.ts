import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    testTimeout: 15_000,
    // The load test measures heap growth after a forced collection.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    projects: [
      // Everything, on the portable transport (FetchHttpClient on the global fetch).
      { extends: true, test: { name: "fetch", include: ["test/**/*.test.ts"] } },
      // The network-facing suites again, on the undici fast path (NangoHttpClient.layerUndici).
      {
        extends: true,
        test: {
          name: "undici",
          include: ["test/client.test.ts", "test/policies.test.ts", "test/reliability/faults.test.ts"],
          env: { NANGO_TEST_TRANSPORT: "undici" },
        },
      },
    ],
  },
})
