// The shared half of each line's `test/programs/undici-after-fetch.ts`, run in a fresh Node process
// by suite/node-transport.test.ts: the undici transport's first call, optionally after the process
// has used the global fetch (which, on Node 22, installs Node's own bundled undici as the
// process-wide dispatcher). Prints one JSON line: the call's outcome, and whether undici's index
// (every undici feature, loaded only for the generic HttpClient path) was loaded.
import { createRequire } from "node:module"
import { NangoEmulator } from "../../nango/src/emulator.js"

/** Runs the line's call against a fresh emulator and prints what the test checks. */
export const report = async (call: (emulator: NangoEmulator) => Promise<unknown>) => {
  const emulator = await NangoEmulator.start()
  if (process.argv[2] === "fetch-first") await (await fetch(`${emulator.url}/connect/session`)).text()
  const outcome = await call(emulator)
  console.log(
    JSON.stringify({
      node: process.version,
      outcome,
      requests: emulator.requests.length,
      undiciIndexLoaded: Object.keys(createRequire(import.meta.url).cache).some((file) =>
        /[\\/]undici[\\/]index\.js$/.test(file),
      ),
    }),
  )
  await emulator.close()
}
