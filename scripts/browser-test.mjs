// The browser check: bundle browser/page.ts with esbuild, serve it on one loopback origin and the
// emulator on another (so CORS and the preflight are exercised), and drive Debian's Chromium
// headless with playwright-core through create, get, a typed error, delete.
// Usage: npm run test:browser, at the root or in effect3/   (needs /usr/bin/chromium: apt-get install chromium)
import * as http from "node:http"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { build } from "esbuild"
import { chromium } from "playwright-core"

const fail = (message) => {
  console.error(`browser check failed: ${message}`)
  process.exit(1)
}

// The shared sources import Effect as "#effect": here, the adapter of the line whose folder this runs in.
const lineAdapter = {
  name: "line-adapter",
  setup: (build) =>
    build.onResolve({ filter: /^#effect(\/\w+)?$/ }, ({ path }) => ({
      path: join(process.cwd(), `line/${path.slice(1)}.ts`),
    })),
}
const bundle = await build({
  // The Effect 3 line bundles its generated copy of the page (scripts/effect3-examples.ts).
  entryPoints: [process.argv[2] ?? "browser/page.ts"],
  plugins: [lineAdapter],
  bundle: true,
  format: "esm",
  platform: "browser",
  write: false,
  logLevel: "error",
})
const script = bundle.outputFiles[0].text
const html = `<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>`

const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)))
const pages = http.createServer((request, response) => {
  const isScript = request.url?.startsWith("/page.js")
  response.writeHead(200, { "content-type": isScript ? "text/javascript" : "text/html" })
  response.end(isScript ? script : html)
})
const pagePort = await listen(pages)

// The line under test is the working directory (the root, or effect3/): its page and its build.
const { NangoEmulator } = await import(pathToFileURL(join(process.cwd(), "dist/nango/src/emulator.js")).href)
const emulator = await NangoEmulator.start()

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
})
try {
  const page = await browser.newPage()
  const errors = []
  page.on("pageerror", (error) => errors.push(String(error)))
  const query = new URLSearchParams({ nango: emulator.url, key: emulator.secretKey })
  await page.goto(`http://127.0.0.1:${pagePort}/?${query}`)
  const text = await page.locator("#result").textContent({ timeout: 15_000 })
  const result = JSON.parse(text ?? "{}")
  const expected = {
    endUser: "browser-user",
    unknownToken: { tag: "Unauthorized", code: "unknown_connect_session_token" },
    afterDelete: "Unauthorized",
  }
  if (JSON.stringify(result) !== JSON.stringify(expected)) fail(`got ${text}, expected ${JSON.stringify(expected)}`)
  if (errors.length > 0) fail(`page errors: ${errors.join("; ")}`)
  const preflights = emulator.requests.filter((request) => request.method === "OPTIONS").length
  if (preflights === 0) fail("no CORS preflight reached the emulator")
  console.log(
    `browser check passed in Chromium ${browser.version()}: ${text} (${emulator.requests.length} requests, ${preflights} preflights)`,
  )
} finally {
  await browser.close()
  await emulator.close()
  pages.close()
}
