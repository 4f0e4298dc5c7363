// Runs an npm script of the Effect 3 line (effect3/), installing its dependencies from its own
// lock file first when they are missing or older than the lock file. Usage:
//   node scripts/effect3.mjs test        # npm test in effect3/
//   node scripts/effect3.mjs run lint    # npm run lint in effect3/
import { execFileSync } from "node:child_process"
import { existsSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"

const line = fileURLToPath(new URL("../effect3/", import.meta.url))
const installed = new URL("../effect3/node_modules/.package-lock.json", import.meta.url)
const lock = new URL("../effect3/package-lock.json", import.meta.url)
const npm = (args) => execFileSync("npm", args, { cwd: line, stdio: "inherit" })

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  npm(["ci", "--no-audit", "--no-fund"])
}
npm(process.argv.slice(2))
