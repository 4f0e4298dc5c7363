// What a user gets from npm: packs each line with `npm pack`, installs it in a fresh application
// beside the Effect it targets (effect 4.1.0; effect 3.22.4 with @effect/platform 0.97.2), and runs
// the README's onboarding program there against effect-nango/testing, after type-checking a program
// that holds the package's types to the application's own Effect. Usage: node scripts/pack-check.mjs
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })

// The README's onboarding program, in plain JavaScript, on the test kit's emulator: on its layer, then
// on the Node transport of effect-nango/undici.
const program = `
import { Console, Effect, Redacted } from "effect"
import { NangoConnect, NangoConnections } from "effect-nango"
import { NangoConnectTest, NangoEmulator } from "effect-nango/testing"
import * as NangoHttpClient from "effect-nango/undici"

const onboard = (userId) =>
  Effect.gen(function* () {
    const nango = yield* NangoConnect.NangoConnect
    const session = yield* nango.createConnectSession({ tags: { end_user_id: userId } })
    const details = yield* nango.getConnectSession(session.token)
    yield* Console.log(\`session for \${userId}, integrations: \${details.allowed_integrations?.join(", ") ?? "all"}\`)
    return Redacted.value(session.connect_link ?? session.token)
  }).pipe(Effect.catchTags({ Unauthorized: (e) => Effect.fail(\`check NANGO_SECRET_KEY (\${e.code})\`) }))

const link = await Effect.runPromise(onboard("user-42").pipe(Effect.provide(NangoConnectTest.layer())))
if (!link.includes("session_token=nango_connect_session_")) throw new Error("no connect link")
console.log("connect link ok")

// The same program on the Node transport (layerNango: both services), which loads undici's Agent
// by path; then the connections client lists what the tags find.
const viaUndici = Effect.scoped(
  Effect.gen(function* () {
    const emulator = yield* NangoEmulator.make()
    emulator.seedConnection({ connection_id: "c1", provider_config_key: "github", tags: { end_user_id: "user-43" } })
    const live = NangoHttpClient.layerNango({ secretKey: emulator.secretKey, baseUrl: emulator.url })
    const found = yield* Effect.flatMap(NangoConnections.NangoConnections, (connections) =>
      connections.listConnections({ tags: { end_user_id: "user-43" } }),
    ).pipe(Effect.provide(live))
    if (found[0]?.connection_id !== "c1") throw new Error("no connection listed on undici")
    return yield* onboard("user-43").pipe(Effect.provide(live))
  }),
)
if (!(await Effect.runPromise(viaUndici)).includes("session_token=")) throw new Error("no connect link on undici")
console.log("undici transport ok")
`

// Type-checked in the application with this repository's TypeScript: the package's .d.ts reach the
// line's adapter through its imports map, and from there the application's own Effect (a type from
// another major, or one left unresolved as any, fails here).
const typed = `
import { Effect, Layer } from "effect"
import { NangoConnect, NangoConnections, type NangoConnectError } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"

type IsAny<T> = 0 extends 1 & T ? true : false
const kit: Layer.Layer<NangoConnect.NangoConnect | NangoConnections.NangoConnections | NangoConnectTest.Emulator> =
  NangoConnectTest.layer()
const read = (token: string): Effect.Effect<string | undefined, NangoConnectError.GetConnectSessionError> =>
  Effect.flatMap(NangoConnect.NangoConnect, (nango) => nango.getConnectSession(token)).pipe(
    Effect.map((details) => details.endUser?.id),
    Effect.provide(kit),
  )
export const typesAreTheApplications: [IsAny<typeof kit>, IsAny<ReturnType<typeof read>>] = [false, false]
`
const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  },
  files: ["typed.ts"],
}
const tsc = join(root, "node_modules/typescript/bin/tsc")

const lines = [
  { name: "Effect 4 line", dir: root, deps: { effect: "4.1.0", undici: "^7.16.0" } },
  {
    name: "Effect 3 line",
    dir: join(root, "effect3"),
    deps: { effect: "3.22.4", "@effect/platform": "0.97.2", undici: "^7.16.0" },
  },
]

for (const line of lines) {
  const app = mkdtempSync(join(tmpdir(), "effect-nango-app-"))
  const tarball = run("npm", ["pack", "--silent", "--pack-destination", app], line.dir).trim().split("\n").pop()
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "app",
      private: true,
      type: "module",
      dependencies: { ...line.deps, "effect-nango": `file:./${tarball}` },
    }),
  )
  writeFileSync(join(app, "main.mjs"), program)
  writeFileSync(join(app, "typed.ts"), typed)
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig))
  run("npm", ["install", "--no-audit", "--no-fund", "--silent"], app)
  run(process.execPath, [tsc, "-p", "tsconfig.json"], app)
  const output = run(process.execPath, ["main.mjs"], app)
  if (
    !["session for user-42", "connect link ok", "undici transport ok"].every((expected) => output.includes(expected))
  ) {
    console.error(`${line.name}: unexpected output:\n${output}`)
    process.exit(1)
  }
  const installed = JSON.parse(run("npm", ["ls", "effect", "effect-nango", "--json"], app))
  console.log(
    `${line.name}: effect-nango ${installed.dependencies["effect-nango"].version} on effect ${installed.dependencies.effect.version}, packed and installed, types checked against it, README program ran on both transports: ${output.trim().split("\n")[0]}`,
  )
}
