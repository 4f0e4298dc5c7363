/**
 * The emulator plays Nango after the end user connects: the `auth` webhook it sends is byte for
 * byte what Nango's own code sent for the same session (the fixture), signed the same way, and it
 * is delivered with Nango's retry rules, to the session's override or the environment's URL.
 */
import { readFileSync } from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "vitest"
import type { WebhookDelivery } from "../src/webhook-delivery.js"
import { sign, stringifyStable } from "../src/webhook-signing.js"
import { start } from "./support.js"

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), "utf8")) as {
    readonly headers: Record<string, string>
    readonly rawBody: string
  }
const signingKey = "00000000-0000-4000-8000-000000000000"

/** The session the fixture's webhook came from. */
const fixtureSession = {
  end_user: { id: "user-123", email: "jane@example.com", display_name: "Jane Doe", tags: { plan: "pro" } },
  organization: { id: "org-456", display_name: "Example Inc" },
}

const createSession = async (emulator: Awaited<ReturnType<typeof start>>, body: unknown) => {
  const response = await fetch(`${emulator.url}/connect/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.secretKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  return ((await response.json()) as { data: { token: string } }).data.token
}

/** An in-memory receiver that answers with the given statuses in turn, then 200. */
const receiver = (statuses: ReadonlyArray<number> = []) => {
  const received: Array<WebhookDelivery> = []
  const handler = async (delivery: WebhookDelivery) => {
    received.push(delivery)
    return statuses[received.length - 1] ?? 200
  }
  return { received, handler }
}

describe("Nango's signing", () => {
  it.each(["auth-creation-success.json", "sync-success.json"])("reproduces both signatures of %s", async (name) => {
    const { headers, rawBody } = fixture(name)
    const signature = await sign(signingKey, rawBody)
    expect(signature.hmac).toBe(headers["X-Nango-Hmac-Sha256"])
    expect(signature.legacy).toBe(headers["X-Nango-Signature"])
    expect(stringifyStable(JSON.parse(rawBody))).toBe(rawBody)
  })
})

describe("completeSession", () => {
  it("sends the auth webhook Nango sent for the same session, byte for byte, with its signatures", async () => {
    const emulator = await start({ integrations: ["github-getting-started"], webhookSigningKey: signingKey })
    const token = await createSession(emulator, fixtureSession)
    const { received, handler } = receiver()
    const completed = await emulator.completeSession(token, {
      integration: "github-getting-started",
      provider: "github",
      connectionId: "a1b2c3d4-0000-4000-8000-00000000c0de",
      deliverTo: handler,
    })
    const expected = fixture("auth-creation-success.json")
    expect(received).toHaveLength(1)
    expect(received[0]?.body).toBe(expected.rawBody)
    expect(received[0]?.headers["x-nango-hmac-sha256"]).toBe(expected.headers["X-Nango-Hmac-Sha256"])
    expect(received[0]?.headers["x-nango-signature"]).toBe(expected.headers["X-Nango-Signature"])
    expect(received[0]?.headers["content-type"]).toBe("application/json")
    expect(completed.connectionId).toBe("a1b2c3d4-0000-4000-8000-00000000c0de")
    expect(completed.webhook?.delivered).toBe(true)
  })

  it("makes the connection, so that a reconnect session can target it, and marks that one an override", async () => {
    const emulator = await start()
    const { received, handler } = receiver()
    const first = await emulator.completeSession(await createSession(emulator, { end_user: { id: "u" } }), {
      integration: "github",
      deliverTo: handler,
    })
    const reconnect = await fetch(`${emulator.url}/connect/sessions/reconnect`, {
      method: "POST",
      headers: { authorization: `Bearer ${emulator.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ connection_id: first.connectionId, integration_id: "github" }),
    })
    expect(reconnect.status).toBe(201)
    const { data } = (await reconnect.json()) as { data: { token: string } }
    await emulator.completeSession(data.token, {
      integration: "github",
      connectionId: first.connectionId,
      deliverTo: handler,
    })
    expect(received.map((delivery) => JSON.parse(delivery.body).operation)).toEqual(["creation", "override"])
  })

  it("sends a creation failure without endUser or tags, and makes no connection", async () => {
    const emulator = await start()
    const { received, handler } = receiver()
    const token = await createSession(emulator, fixtureSession)
    await emulator.completeSession(token, {
      integration: "github",
      error: { type: "invalid_callback", description: "Invalid callback request" },
      deliverTo: handler,
    })
    const body = JSON.parse(received[0]?.body ?? "{}")
    expect(body).toMatchObject({
      type: "auth",
      success: false,
      operation: "creation",
      error: { type: "invalid_callback" },
    })
    expect(body).not.toHaveProperty("endUser")
    expect(body).not.toHaveProperty("tags")
  })

  it("retries a 5xx after Nango's waits, up to 3 attempts in all, and not a 4xx", async () => {
    const emulator = await start({ webhookRetryDelaysMs: [5, 10] })
    const flaky = receiver([500, 503])
    await emulator.completeSession(await createSession(emulator, { end_user: { id: "u" } }), {
      integration: "github",
      deliverTo: flaky.handler,
    })
    expect(flaky.received).toHaveLength(3)
    expect(new Set(flaky.received.map((delivery) => delivery.body)).size).toBe(1)
    const down = receiver([500, 500, 500, 500])
    const report = await emulator.completeSession(await createSession(emulator, { end_user: { id: "u" } }), {
      integration: "github",
      deliverTo: down.handler,
    })
    expect([down.received.length, report.webhook?.delivered]).toEqual([3, false])
    const refused = receiver([429])
    await emulator.completeSession(await createSession(emulator, { end_user: { id: "u" } }), {
      integration: "github",
      deliverTo: refused.handler,
    })
    expect(refused.received).toHaveLength(1)
  })

  it("POSTs to the environment's URL, with Nango's headers", async () => {
    const received: Array<{ url: string | undefined; headers: Http.IncomingHttpHeaders; body: string }> = []
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        received.push({ url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") })
        response.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/nango`
      const emulator = await start({ webhookUrl: url })
      const completed = await emulator.completeSession(await createSession(emulator, { end_user: { id: "u" } }), {
        integration: "github",
      })
      expect(completed.webhook?.delivered).toBe(true)
      expect(received).toHaveLength(1)
      expect(received[0]?.url).toBe("/webhooks/nango")
      expect(received[0]?.headers["x-nango-hmac-sha256"]).toBe(
        (await sign(emulator.webhookSigningKey, received[0]?.body ?? "")).hmac,
      )
    } finally {
      server.close()
    }
  })

  it("routes to the session's webhook_url_override over the environment's URL, and sends nothing without either", async () => {
    const emulator = await start({ webhookUrl: "http://127.0.0.1:9/environment" })
    const { received, handler } = receiver()
    const overridden = await createSession(emulator, {
      end_user: { id: "u" },
      webhook_url_override: "https://hooks.example.com/nango",
    })
    await emulator.completeSession(overridden, { integration: "github", deliverTo: handler })
    await emulator.completeSession(await createSession(emulator, { end_user: { id: "u" } }), {
      integration: "github",
      deliverTo: handler,
    })
    expect(received.map((delivery) => delivery.url)).toEqual([
      "https://hooks.example.com/nango",
      "http://127.0.0.1:9/environment",
    ])
    const silent = await start()
    const completed = await silent.completeSession(await createSession(silent, { end_user: { id: "u" } }), {
      integration: "github",
    })
    expect(completed.webhook).toBeUndefined()
    // Without a handler, the override is a URL off this machine: the emulator does not send to it.
    const offMachine = await emulator.completeSession(overridden, { integration: "github" })
    expect(offMachine.webhook).toMatchObject({ delivered: false, attempts: [{ error: "ERR_EMULATOR_OFF_MACHINE" }] })
  })

  it("refuses an unknown token and an integration the session does not allow", async () => {
    const emulator = await start({ integrations: ["github", "slack"] })
    await expect(
      emulator.completeSession(`nango_connect_session_${"0".repeat(64)}`, { integration: "github" }),
    ).rejects.toThrow("no live session")
    const token = await createSession(emulator, { end_user: { id: "u" }, allowed_integrations: ["github"] })
    await expect(emulator.completeSession(token, { integration: "slack" })).rejects.toThrow("does not allow")
  })
})
