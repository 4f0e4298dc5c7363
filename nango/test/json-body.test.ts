/**
 * `prepareBody` at its edges: the depth bound on both sides, a value shared by two keys (not a
 * cycle) and a real cycle, keys whose value is undefined, and a walk that never throws.
 */
import { describe, expect, it } from "vitest"
import { cutForSchema, maxBodyDepth, prepareBody, schemaDepth } from "../src/json-body.js"
import { unstorablePaths } from "../src/rules.js"

/** An object whose innermost object sits `depth` levels below the root (the root is level 0). */
const objectAtDepth = (depth: number): unknown => {
  let value: unknown = {}
  for (let i = 0; i < depth; i++) value = { a: value }
  return value
}

describe("prepareBody", () => {
  it("takes an object at depth maxBodyDepth - 1 and refuses one at maxBodyDepth", () => {
    expect(prepareBody(objectAtDepth(maxBodyDepth - 1)).issues).toEqual([])
    const refused = prepareBody(objectAtDepth(maxBodyDepth)).issues
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatch(new RegExp(`^(a\\.){${maxBodyDepth - 1}}a: nested deeper than ${maxBodyDepth} levels`))
  })

  it("copies a value shared by two keys twice, and names a cycle once, at the key that closes it", () => {
    const shared = { x: 1 }
    expect(prepareBody({ left: shared, right: shared })).toEqual({
      body: { left: { x: 1 }, right: { x: 1 } },
      issues: [],
      depth: 1,
      unstorable: [],
    })
    const loop: Record<string, unknown> = {}
    loop.next = { back: loop }
    expect(prepareBody({ loop }).issues).toEqual([
      "loop.next.back: contains itself (a circular structure), which JSON cannot carry",
    ])
  })

  it("leaves out keys whose value is undefined, keeps key order, and never throws", () => {
    expect(prepareBody({ b: 1, a: undefined, c: [true, null, "s"] })).toEqual({
      body: { b: 1, c: [true, null, "s"] },
      issues: [],
      depth: 1,
      unstorable: [],
    })
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    expect(prepareBody({ p: revoked.proxy }).issues).toEqual([
      "p: cannot be read (a getter or a proxy threw), so it cannot be sent",
    ])
  })
})

describe("the unstorable strings prepareBody finds on its walk", () => {
  it.each([
    ["none", { a: "fine", b: ["emoji \ud83c\udf89", 1] }],
    ["a NUL in a value", { a: "x\u0000" }],
    ["a lone surrogate in an array item", { a: ["ok", "\ud800"] }],
    ["a NUL in a key, with a bad value under it listed once", { "k\u0000": { deeper: "\udc00" }, z: "\u0000" }],
    ["a paired surrogate is fine, a reversed pair is not", { good: "\ud83c\udf89", bad: "\udf89\ud83c" }],
    ["the root itself", "\u0000"],
    ["a NUL key whose value is undefined, which JSON leaves out", { "k\u0000": undefined, a: 1 }],
  ])("%s: the same paths, in the same order, as rules.unstorablePaths on what is sent", (_, value) => {
    const prepared = prepareBody(value)
    expect(prepared.unstorable).toEqual(unstorablePaths(prepared.body))
  })
})

describe("cutForSchema", () => {
  it("leaves a body within schemaDepth as it is, and cuts one below it, restoring what was cut", () => {
    const shallow = prepareBody(objectAtDepth(schemaDepth - 1))
    expect(shallow.depth).toBe(schemaDepth - 1)
    expect(cutForSchema(shallow).cut).toBe(shallow.body)
    const prepared = prepareBody({ keep: "x", deep: objectAtDepth(schemaDepth + 10) })
    const deep = prepared.body
    const { cut, restore } = cutForSchema(prepared)
    expect(JSON.stringify(cut).length).toBeLessThan(JSON.stringify(deep).length)
    expect(restore(cut)).toEqual(deep)
  })

  it("restores only its own markers: a user's string that looks alike stays a string", () => {
    const body = { a: objectAtDepth(schemaDepth + 1), b: "\u0000effect-nango:0" }
    const { cut, restore } = cutForSchema(prepareBody(body))
    expect(restore(cut)).toEqual(body)
  })
})
