/**
 * Support for the tests of Nango's behaviour that both Effect lines run: emulators started for one
 * test and closed after it, and the recorded fixtures.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach } from "vitest"
import { NangoEmulator, type Options } from "../src/emulator.js"

/** The recorded Nango bodies. */
export const fixturesDir = fileURLToPath(new URL("../fixtures/connect/", import.meta.url))

/** Reads a fixture's text. */
export const fixtureText = (name: string): string => readFileSync(join(fixturesDir, name), "utf8")

/** Reads and parses a fixture. */
export const fixture = (name: string): unknown => JSON.parse(fixtureText(name))

const running: Array<NangoEmulator> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()))
})

/** Starts an emulator on 127.0.0.1 for the current test; it is closed when the test ends. */
export const start = async (options: Options = {}): Promise<NangoEmulator> => {
  const emulator = await NangoEmulator.start(options)
  running.push(emulator)
  return emulator
}
