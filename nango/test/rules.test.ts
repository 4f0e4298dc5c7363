/**
 * The tag rule of `nango/src/rules.ts` against the table in docs/nango-server.md ("Tags"): what the
 * server derives from `end_user` and `organization`, and what a body makes in all.
 */
import { describe, expect, it } from "vitest"
import { derivedTags, effectiveTags } from "../src/rules.js"

const tags = (count: number, prefix = "k") =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, "v"]))

describe("derivedTags", () => {
  it.each([
    ["nothing", undefined, undefined, {}],
    ["the id", { id: "u" }, undefined, { end_user_id: "u" }],
    ["no tag from an empty string", { id: "u", email: "", display_name: "" }, { id: "" }, { end_user_id: "u" }],
    [
      "all five base tags",
      { id: "u", email: "a@example.com", display_name: "A" },
      { id: "o", display_name: "O" },
      {
        end_user_id: "u",
        end_user_email: "a@example.com",
        end_user_display_name: "A",
        organization_id: "o",
        organization_display_name: "O",
      },
    ],
    [
      "own tags lowercased, over the base",
      { id: "u", tags: { End_User_Id: "x", Team: "a" } },
      undefined,
      {
        end_user_id: "x",
        team: "a",
      },
    ],
    ["own tags that fit (9 + id)", { id: "u", tags: tags(9, "e") }, undefined, { end_user_id: "u", ...tags(9, "e") }],
    [
      "own tags that do not fit (10 + id) left out whole",
      { id: "u", tags: tags(10, "e") },
      undefined,
      { end_user_id: "u" },
    ],
    [
      "own tags with an empty value left out whole",
      { id: "u", tags: { a: "", b: "x" } },
      undefined,
      { end_user_id: "u" },
    ],
    [
      "an own end_user_email that is no email left out whole",
      { id: "u", tags: { end_user_email: "no", b: "x" } },
      undefined,
      {
        end_user_id: "u",
      },
    ],
    ["a base email that is no email: nothing derived", { id: "u", email: "no" }, undefined, {}],
    ["non-string values skipped", { id: 1, display_name: null, tags: { a: 2, b: "x" } }, undefined, { b: "x" }],
    ["values cut to 255", { id: "u".repeat(300) }, undefined, { end_user_id: "u".repeat(255) }],
  ] as const)("%s", (_, endUser, organization, expected) => {
    expect(derivedTags(endUser as Record<string, unknown> | undefined, organization)).toEqual(expected)
  })
})

describe("effectiveTags", () => {
  const organization = { id: "o", display_name: "O" }
  it("derives from organization on create only beside an end user", () => {
    expect(effectiveTags({ organization, tags: { a: "x" } }, "create")).toEqual({ a: "x" })
    expect(effectiveTags({ end_user: { id: "u" }, organization }, "create")).toEqual({
      end_user_id: "u",
      organization_id: "o",
      organization_display_name: "O",
    })
  })

  it("derives from organization on reconnect always", () => {
    expect(effectiveTags({ organization, tags: { a: "x" } }, "reconnect")).toEqual({
      organization_id: "o",
      organization_display_name: "O",
      a: "x",
    })
  })

  it("lets a top-level key replace a derived one whatever its case, so it counts once", () => {
    expect(
      effectiveTags({ end_user: { id: "u", tags: { team: "a" } }, tags: { TEAM: "b", End_User_Id: "x" } }, "create"),
    ).toEqual({
      end_user_id: "x",
      team: "b",
    })
  })
})
