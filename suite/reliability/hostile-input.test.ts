/**
 * Hostile input: whatever JavaScript value reaches a public method (circular, deep, a getter or a
 * proxy that throws, a symbol key, an own `__proto__`, an array hole, a non-string token), the call
 * ends in a typed outcome, never a defect: `InvalidInput` naming the path, with nothing sent, or a
 * request. Each case runs on both transports' suite projects and on both lines.
 */
import type { NangoConnectSchema } from "effect-nango"
import { describe, Effect, expect, it } from "#line"
import { setup } from "../support.js"

const user = { end_user: { id: "user-42" } }

/** A session body whose free-form `connection_config` holds `value`. */
const withConfig = (value: unknown) =>
  ({
    ...user,
    integrations_config_defaults: { github: { connection_config: { value } } },
  }) as unknown as NangoConnectSchema.CreateConnectSessionInput

const nested = (levels: number): unknown => {
  let value: unknown = "leaf"
  for (let i = 0; i < levels; i++) value = { a: value }
  return value
}

const circular = () => {
  const config: Record<string, unknown> = { name: "c" }
  config.self = config
  return config
}

const throwingGetter = () =>
  Object.defineProperty({}, "secret", {
    enumerable: true,
    get: () => {
      throw new Error("do not read me")
    },
  })

const throwingProxy = () =>
  new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error("no keys")
      },
    },
  )

const configPath = "integrations_config_defaults.github.connection_config.value"

/** Values the client must refuse, each with the path and reason its issue gives. */
const refused: ReadonlyArray<readonly [string, () => unknown, RegExp]> = [
  ["a value that contains itself", circular, new RegExp(`^${configPath}\\.self: contains itself`)],
  ["a getter that throws", throwingGetter, new RegExp(`^${configPath}\\.secret: cannot be read`)],
  ["a proxy whose keys cannot be read", throwingProxy, new RegExp(`^${configPath}: cannot be read`)],
  ["a symbol key", () => ({ [Symbol("s")]: 1, a: 1 }), new RegExp(`^${configPath}: has a symbol key`)],
  [
    "an own __proto__ key (as JSON.parse makes it)",
    () => JSON.parse('{"__proto__":"v","a":1}'),
    new RegExp(`^${configPath}\\.__proto__: an own __proto__ key`),
  ],
  [
    "a non-enumerable key",
    () => Object.defineProperty({ a: 1 }, "hidden", { value: 1, enumerable: false }),
    new RegExp(`^${configPath}\\.hidden: a non-enumerable key`),
  ],
  [
    "a hole in an array",
    () => Object.assign(new Array(3), { 0: 1, 2: 2 }),
    new RegExp(`^${configPath}\\.1: a hole in an array`),
  ],
  ["undefined in an array", () => [1, undefined, 2], new RegExp(`^${configPath}\\.1: undefined in an array`)],
  // The value sits 4 levels into the body: nested(1997) puts its innermost object at level 2000.
  ["an object at level 2000 of the body, past the bound", () => nested(1997), /nested deeper than 2000 levels/],
]

describe("hostile input ends in a typed outcome, never a defect", () => {
  it.effect.each(refused)("%s: InvalidInput with its path and true reason, nothing sent", ([, make, reason]) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const error = yield* Effect.flip(nango.createConnectSession(withConfig(make())))
      expect(error._tag).toBe("InvalidInput")
      expect(error._tag === "InvalidInput" && error.issues.join("\n")).toMatch(reason)
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect("a frozen body, and a value shared by two keys, are sent as they are", () =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const shared = Object.freeze({ same: "value" })
      yield* nango.createConnectSession(Object.freeze(withConfig({ left: shared, right: shared })))
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  // The value sits 4 levels into the body: nested(1996) puts its innermost object at level 1999.
  it.effect.each([600, 1000, 1996])("%i levels of nesting are sent and accepted, as Nango takes them", (levels) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      yield* nango.createConnectSession(withConfig(nested(levels)))
      expect(emulator.requests).toHaveLength(1)
      const sent = JSON.stringify(emulator.requests[0]?.body)
      expect(sent.length).toBeGreaterThan(levels * 6)
    }),
  )

  it.effect.each([5000, 100_000])("%i levels of nesting: InvalidInput, nothing sent", (levels) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const error = yield* Effect.flip(nango.createConnectSession(withConfig(nested(levels))))
      expect(error._tag === "InvalidInput" && error.issues.join("\n")).toMatch(/nested deeper than 2000 levels/)
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect.each([
    ["a number", 42],
    ["an object", { token: "x" }],
    ["null", null],
    ["a proxy", throwingProxy()],
  ] as const)("a token that is %s: InvalidInput, nothing sent", ([, token]) =>
    Effect.gen(function* () {
      const { emulator, nango } = yield* setup()
      const error = yield* Effect.flip(nango.getConnectSession(token as unknown as string))
      expect(error).toMatchObject({ _tag: "InvalidInput", input: "token" })
      expect(emulator.requests).toHaveLength(0)
    }),
  )
})
