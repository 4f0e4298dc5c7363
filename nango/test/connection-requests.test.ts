/**
 * How `NangoConnections` addresses connections, at the edges: which ids a path can carry, the
 * targets and queries as the server's `qs` reads them, when a listing has no next page, and which
 * webhook announces an awaited connection.
 */
import { describe, expect, it } from "vitest"
import {
  announces,
  authNoticeOf,
  connectionIdIssue,
  connectionTarget,
  getParams,
  listTarget,
  nextPage,
} from "../src/connection-requests.js"

describe("connectionIdIssue", () => {
  it("takes 1 to 255 characters of the server's rule, and refuses one past either edge", () => {
    expect(connectionIdIssue("a", "GET")).toBeUndefined()
    expect(connectionIdIssue("a".repeat(255), "GET")).toBeUndefined()
    expect(connectionIdIssue("", "GET")).toBe("a connection id cannot be empty")
    expect(connectionIdIssue("a".repeat(256), "GET")).toBe("a connection id has at most 255 characters")
    expect(connectionIdIssue(`team a/b{c}'"=+~[]|@$,.;:\\_-`, "GET")).toBeUndefined()
    for (const id of ["a?b", "a#b", "a%b", "é", "a\tb"]) expect(connectionIdIssue(id, "GET")).toMatch(/punctuation/)
    expect(connectionIdIssue(42, "GET")).toBe("a connection id must be a string")
  })

  it("refuses dot segments in a path but not in a body, and `metadata` in any case only for PATCH", () => {
    for (const method of ["GET", "PATCH", "DELETE"] as const) {
      expect(connectionIdIssue(".", method)).toMatch(/dot segment/)
      expect(connectionIdIssue("..", method)).toMatch(/dot segment/)
      expect(connectionIdIssue("...", method)).toBeUndefined()
    }
    expect(connectionIdIssue("..", "body")).toBeUndefined()
    // The server's routes ignore case: every spelling of metadata reaches the metadata merge.
    for (const id of ["metadata", "Metadata", "METADATA", "mEtAdAtA"]) {
      expect(connectionIdIssue(id, "PATCH")).toMatch(/metadata merge/)
      for (const method of ["GET", "DELETE", "body"] as const) expect(connectionIdIssue(id, method)).toBeUndefined()
    }
    expect(connectionIdIssue("metadata2", "PATCH")).toBeUndefined()
    expect(connectionIdIssue("metadat", "PATCH")).toBeUndefined()
  })
})

describe("targets", () => {
  it("percent-encodes the id and sends a flag only when it is true", () => {
    expect(connectionTarget("a b/c", getParams({ providerConfigKey: "git hub", forceRefresh: false }))).toBe(
      "/connections/a%20b%2Fc?provider_config_key=git+hub",
    )
    expect(getParams({ providerConfigKey: "g", forceRefresh: true, refreshToken: true })).toEqual([
      ["provider_config_key", "g"],
      ["force_refresh", "true"],
      ["refresh_token", "true"],
    ])
  })

  it("writes tags as tags[key], integrations joined with commas, and nothing for an empty query", () => {
    expect(listTarget({})).toBe("/connections")
    expect(
      listTarget({ tags: { team: "a&b", "x.y": "1" }, integrationId: ["github", "slack"], limit: 2000, page: 0 }),
    ).toBe("/connections?tags%5Bteam%5D=a%26b&tags%5Bx.y%5D=1&integrationId=github%2Cslack&limit=2000&page=0")
    expect(listTarget({ integrationId: "github, slack", search: "ada", endUserId: "u" })).toBe(
      "/connections?integrationId=github%2C+slack&search=ada&endUserId=u",
    )
  })
})

describe("nextPage", () => {
  it("follows a full page and stops after a short one, with the largest page when no limit was given", () => {
    expect(nextPage({ limit: 2, page: 0 }, 2)).toEqual({ limit: 2, page: 1 })
    expect(nextPage({ limit: 2, page: 4 }, 1)).toBeUndefined()
    expect(nextPage({ limit: 2, page: 4 }, 0)).toBeUndefined()
    expect(nextPage({}, 1999)).toBeUndefined()
    expect(nextPage({ tags: { a: "b" } }, 2000)).toEqual({ tags: { a: "b" }, limit: 2000, page: 1 })
  })
})

describe("authNoticeOf and announces", () => {
  it("copies what a wait reads, drops what cannot be read, and announces only a successful auth of the tags", () => {
    const webhook = {
      type: "auth",
      success: true,
      connectionId: "c1",
      providerConfigKey: "github",
      tags: { team: "a" },
    }
    const notice = authNoticeOf({ ...webhook, endUser: { id: "u" } })
    expect(notice).toEqual(webhook)
    const throwing = Object.defineProperty({}, "type", {
      get: () => {
        throw new Error("no")
      },
    })
    for (const value of [null, 42, "auth", { type: "auth" }, throwing]) expect(authNoticeOf(value)).toBeUndefined()
    const awaited = { tags: { Team: "a" }, integrationId: "github" }
    expect(announces(webhook, awaited)).toBe(true)
    expect(announces({ ...webhook, success: false }, awaited)).toBe(false)
    expect(announces({ ...webhook, providerConfigKey: "slack" }, awaited)).toBe(false)
    expect(announces({ ...webhook, tags: { team: "b" } }, awaited)).toBe(false)
    expect(announces({ ...webhook, type: "sync" }, awaited)).toBe(false)
  })
})
