/**
 * The emulator answers as the running Nango server did when bodies were sent to it raw: what it
 * accepts, what it refuses with 400, what only fails as a 500, the limits at their edges, and the
 * rate limiter's floored headers. See docs/nango-server.md.
 */
import { describe, expect, it } from "vitest"
import type { NangoEmulator, Options } from "../src/emulator.js"
import { start } from "./support.js"

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly json: { readonly error?: { readonly code: string; readonly message?: string; readonly errors?: unknown } }
}

const post = async (emulator: NangoEmulator, path: string, body: unknown): Promise<Answer> => {
  const response = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.secretKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, json: text === "" ? {} : JSON.parse(text) }
}

const seeded: Options = {
  integrations: ["github"],
  connections: [{ connection_id: "conn-1", integration_id: "github" }],
}
const create = async (body: unknown) => post(await start(seeded), "/connect/sessions", body)
const reconnect = async (body: unknown) =>
  post(await start(seeded), "/connect/sessions/reconnect", {
    connection_id: "conn-1",
    integration_id: "github",
    ...(body as object),
  })

const tags = (count: number, prefix = "k") =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, "v"]))

describe("bodies the server accepts", () => {
  it("drops unknown keys inside an overrides entry instead of refusing them", async () => {
    const answer = await create({ end_user: { id: "u" }, overrides: { github: { docs_connect: "", theme: "dark" } } })
    expect(answer.status).toBe(201)
  })

  it("accepts a record key such as toString that is not constructor", async () => {
    expect((await create({ end_user: { id: "u" }, tags: { toString: "v" } })).status).toBe(201)
  })

  it("accepts a paired surrogate (an emoji) in a stored string", async () => {
    expect((await create({ end_user: { id: "u-\u{1F600}" } })).status).toBe(201)
  })
})

describe("webhook URLs", () => {
  const notAllowed = "This webhook URL is not allowed."
  const nangoDomain = "Webhook URLs cannot point to Nango's domain (nango.dev)."
  it.each([
    ["ftp://example.com/hook", notAllowed],
    ["mailto:ops@example.com", notAllowed],
    ["javascript:alert(1)", notAllowed],
    ["http://127.0.0.1/hook", notAllowed],
    ["http://2130706433/hook", notAllowed],
    ["http://0x7f000001/hook", notAllowed],
    ["http://localhost:8080/hook", notAllowed],
    ["http://10.1.2.3/hook", notAllowed],
    ["http://172.16.0.1/hook", notAllowed],
    ["http://172.31.255.255/hook", notAllowed],
    ["http://192.168.1.1/hook", notAllowed],
    ["http://169.254.169.254/latest", notAllowed],
    ["http://0.0.0.0/hook", notAllowed],
    ["http://[::1]/hook", notAllowed],
    ["http://[::ffff:127.0.0.1]/hook", notAllowed],
    ["https://nango.dev/hook", nangoDomain],
    ["https://api.nango.dev./hook", nangoDomain],
  ])("refuses %s with 400", async (url, message) => {
    const answer = await create({ end_user: { id: "u" }, webhook_url_override: url })
    expect(answer.status).toBe(400)
    expect(answer.json.error?.code).toBe("invalid_body")
    expect(answer.json.error?.errors).toEqual([{ code: "custom", message, path: ["webhook_url_override"] }])
  })

  it.each([
    "https://example.com/hook",
    "http://172.32.0.1/hook",
    "http://11.0.0.1/hook",
    "https://nango.dev.example.com/",
    "",
  ])("accepts %j", async (url) => {
    expect((await create({ end_user: { id: "u" }, webhook_url_override: url })).status).toBe(201)
  })

  it("checks the deprecated connection_config.webhook_url the same way, with the server's note", async () => {
    const answer = await create({
      end_user: { id: "u" },
      integrations_config_defaults: { github: { connection_config: { webhook_url: "ftp://example.com" } } },
    })
    expect(answer.status).toBe(400)
    expect(answer.json.error?.errors).toEqual([
      {
        code: "custom",
        message:
          "This webhook URL is not allowed.. Note: connection_config.webhook_url is deprecated; use top-level webhook_url_override instead.",
        path: ["integrations_config_defaults", "github", "connection_config", "webhook_url"],
      },
    ])
  })
})

describe("a record key named constructor", () => {
  it.each([
    ["tags", { end_user: { id: "u" }, tags: { constructor: "v" } }, ["tags"]],
    ["end_user.tags", { end_user: { id: "u", tags: { constructor: "v" } } }, ["end_user", "tags"]],
    [
      "authorization_params",
      {
        end_user: { id: "u" },
        integrations_config_defaults: { github: { authorization_params: { constructor: "v" } } },
      },
      ["integrations_config_defaults", "github", "authorization_params"],
    ],
    ["overrides", { end_user: { id: "u" }, overrides: { constructor: { docs_connect: "" } } }, ["overrides"]],
  ])("in %s is refused as not a record", async (_, body, path) => {
    const answer = await create(body)
    expect(answer.status).toBe(400)
    expect(answer.json.error?.errors).toEqual([
      { code: "invalid_type", message: "Invalid input: expected record, received object", path },
    ])
  })
})

describe("what the server only answers with a 500", () => {
  const failed = { error: { code: "server_error", message: "Failed to create connect session" } }
  // The largest top-level `tags` the running server accepted with each end user (docs/nango-server.md).
  const maxima: ReadonlyArray<readonly [string, Record<string, unknown>, number]> = [
    ["end_user.id", { end_user: { id: "u" } }, 9],
    ["id and email", { end_user: { id: "u", email: "a@example.com" } }, 8],
    ["id and organization", { end_user: { id: "u" }, organization: { id: "o" } }, 8],
    ["id, email and display_name", { end_user: { id: "u", email: "a@example.com", display_name: "A" } }, 7],
    ["id and three end_user.tags", { end_user: { id: "u", tags: tags(3, "e") } }, 6],
    [
      "all five derived tags",
      {
        end_user: { id: "u", email: "a@example.com", display_name: "A" },
        organization: { id: "o", display_name: "O" },
      },
      5,
    ],
  ]

  it.each(maxima)("with %s, takes %i top-level tags and fails one more with 500", async (_, body, max) => {
    expect((await create({ ...body, tags: tags(max) })).status).toBe(201)
    const over = await create({ ...body, tags: tags(max + 1) })
    expect([over.status, over.json]).toEqual([500, failed])
    const overOnReconnect = await reconnect({ ...body, tags: tags(max + 1) })
    expect([overOnReconnect.status, overOnReconnect.json]).toEqual([500, failed])
  })

  it("counts a top-level tag that replaces a derived one once", async () => {
    expect((await create({ end_user: { id: "u" }, tags: { end_user_id: "other", ...tags(9) } })).status).toBe(201)
  })

  it("takes 10 tags without an end user", async () => {
    expect((await create({ tags: tags(10) })).status).toBe(201)
  })

  it("derives no tag from an empty string, so an empty display_name or organization id leaves room", async () => {
    expect((await create({ end_user: { id: "u", display_name: "" }, tags: tags(9) })).status).toBe(201)
    expect((await create({ end_user: { id: "u" }, organization: { id: "" }, tags: tags(9) })).status).toBe(201)
    expect((await create({ end_user: { id: "u", display_name: "D" }, tags: tags(9) })).status).toBe(500)
  })

  it("leaves end_user.tags out whole when they do not fit or hold an empty value", async () => {
    expect((await create({ end_user: { id: "u", tags: tags(10, "e") } })).status).toBe(201)
    expect((await create({ end_user: { id: "u", tags: { a: "", ...tags(3, "e") } }, tags: tags(9) })).status).toBe(201)
    expect((await create({ end_user: { id: "u", tags: { a: "x" } }, tags: tags(9) })).status).toBe(500)
  })

  it("derives organization tags on reconnect even without an end user, and not on create", async () => {
    const organization = { id: "o", display_name: "O" }
    expect((await reconnect({ organization, tags: tags(8) })).status).toBe(201)
    const over = await reconnect({ organization, tags: tags(9) })
    expect([over.status, over.json]).toEqual([500, failed])
    expect((await create({ organization, tags: tags(10) })).status).toBe(201)
  })

  it.each([
    ["a NUL in end_user.id", { end_user: { id: "u\u0000" } }],
    ["a lone high surrogate in display_name", { end_user: { id: "u", display_name: "\ud800" } }],
    ["a lone low surrogate in a tag value", { end_user: { id: "u" }, tags: { team: "\udc00" } }],
    ["a NUL in organization.id", { end_user: { id: "u" }, organization: { id: "\u0000" } }],
    [
      "a NUL in a connection_config string",
      { end_user: { id: "u" }, integrations_config_defaults: { github: { connection_config: { x: "a\u0000" } } } },
    ],
  ])("fails %s with 500: server_error on create, generic_error_support on reconnect", async (_, body) => {
    const created = await create(body)
    expect([created.status, created.json]).toEqual([500, failed])
    const reconnected = await reconnect(body)
    expect(reconnected.status).toBe(500)
    expect(reconnected.json.error?.code).toBe("generic_error_support")
  })
})

describe("limits at their edges", () => {
  const long = (length: number) => "a".repeat(length)
  it.each([
    ["end_user.id", (value: string) => ({ end_user: { id: value } }), 255],
    ["end_user.display_name", (value: string) => ({ end_user: { id: "u", display_name: value } }), 255],
    ["organization.id", (value: string) => ({ end_user: { id: "u" }, organization: { id: value } }), 255],
    ["a top-level tag value", (value: string) => ({ end_user: { id: "u" }, tags: { team: value } }), 255],
    ["an end_user.tags value", (value: string) => ({ end_user: { id: "u", tags: { team: value } } }), 255],
    ["a tag key", (value: string) => ({ end_user: { id: "u" }, tags: { [value]: "v" } }), 64],
    ["an allowed integration id", (value: string) => ({ end_user: { id: "u" }, allowed_integrations: [value] }), 255],
  ])("%s takes %i characters at most", async (_, body, max) => {
    const emulator = await start({ integrations: [long(255), long(256)] })
    const atMax = await post(emulator, "/connect/sessions", body(long(max)))
    expect(atMax.status).toBe(201)
    const over = await post(emulator, "/connect/sessions", body(long(max + 1)))
    expect(over.status).toBe(400)
    expect(over.json.error?.code).toBe("invalid_body")
  })

  it("takes a connection id of 255 characters and refuses 256", async () => {
    const emulator = await start({
      integrations: ["github"],
      connections: [{ connection_id: long(255), integration_id: "github" }],
    })
    const atMax = await post(emulator, "/connect/sessions/reconnect", {
      connection_id: long(255),
      integration_id: "github",
    })
    expect(atMax.status).toBe(201)
    const over = await post(emulator, "/connect/sessions/reconnect", {
      connection_id: long(256),
      integration_id: "github",
    })
    expect([over.status, over.json.error?.code]).toEqual([400, "invalid_body"])
  })

  it("refuses an empty end_user.id and an empty top-level tag value, and takes an empty end_user.tags value", async () => {
    expect((await create({ end_user: { id: "" } })).status).toBe(400)
    expect((await create({ end_user: { id: "u" }, tags: { team: "" } })).status).toBe(400)
    expect((await create({ end_user: { id: "u", tags: { team: "" } } })).status).toBe(201)
  })
})

describe("rate limiter headers", () => {
  it("floors Retry-After and X-RateLimit-Reset to whole seconds, so Retry-After can be 0", async () => {
    let now = 1_750_000_000_000
    const emulator = await start({ rateLimit: { points: 1, windowMs: 2000 }, now: () => now })
    expect((await post(emulator, "/connect/sessions", { end_user: { id: "u" } })).status).toBe(201)
    now += 500
    const limited = await post(emulator, "/connect/sessions", { end_user: { id: "u" } })
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("1")
    expect(limited.headers.get("x-ratelimit-reset")).toBe(String(Math.floor((1_750_000_000_000 + 2000) / 1000)))
    now += 1000
    const early = await post(emulator, "/connect/sessions", { end_user: { id: "u" } })
    expect([early.status, early.headers.get("retry-after")]).toEqual([429, "0"])
    now += 500
    expect((await post(emulator, "/connect/sessions", { end_user: { id: "u" } })).status).toBe(201)
  })
})
