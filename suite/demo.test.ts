/**
 * `npm start` on each line: the demo runs Nango's whole Connect flow against the embedded
 * emulator, with no account and no network, and shows no secret.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { demoPath, describe, expect, it, lineRoot } from "#line"

describe("the demo (npm start)", () => {
  it("runs the session life cycle and the connection flow, tags first, and exits 0", async () => {
    const { NANGO_SECRET_KEY: _key, NANGO_HOST: _host, ...env } = process.env
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", demoPath], {
      cwd: fileURLToPath(lineRoot),
      env,
      encoding: "utf8",
      timeout: 60_000,
    })
    const steps = stdout.split("\n").filter((line) => /^\d\. /.test(line))
    expect(steps.map((line) => line.slice(0, 2))).toEqual(["1.", "2.", "3.", "4.", "5.", "6.", "7.", "8."])
    expect(steps[1]).toContain("no end user, tags only")
    expect(steps[3]).toContain("gone: Unauthorized")
    expect(steps[6]).toMatch(/^7\. read it: OAUTH2 credentials, .*"access_token":"<redacted>"/)
    expect(steps[6]).toContain('"end_user_id":"demo-user"')
    expect(steps[7]).toBe(
      "8. called github's API through Nango: GET /user answered 200, GitHub user demo-user (id 4242)",
    )
    expect(stdout).not.toMatch(/access_[0-9a-f]{32}|nango_connect_session_[0-9a-f]{64}/)
  }, 60_000)
})
