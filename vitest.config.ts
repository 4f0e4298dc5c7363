import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 15_000,
    // The load test measures heap growth after a forced collection.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
  },
})
