/**
 * The shared suites that talk HTTP: each line's vitest config runs them a second time, on the
 * undici fast path (`NangoHttpClient.layerUndici`), as its "undici" project.
 */
export const networkSuites = [
  "suite/client.test.ts",
  "suite/connections.test.ts",
  "suite/edges.test.ts",
  "suite/policies.test.ts",
  "suite/reliability/faults.test.ts",
  "suite/reliability/hostile-properties.test.ts",
  "suite/reliability/secrets.test.ts",
]
