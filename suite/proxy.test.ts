/**
 * `NangoProxy` against the emulator over real HTTP, on both transports: the provider's answer comes
 * back untouched whatever its status, Nango's own answers are typed errors (each by status and
 * code), bodies reach the provider as the server re-sends them, retries never double a write, and
 * requests the proxy would mangle are refused unsent.
 */
import { NangoProxy } from "effect-nango"
import type { NangoEmulator } from "effect-nango/testing"
import {
  collect,
  describe,
  Effect,
  expect,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse,
  it,
  Option,
  Redacted,
  Schema,
  Stream,
} from "#line"
import { recordingTracer, renderings, setupProxy } from "./support.js"

const github = { connectionId: "c1", providerConfigKey: "github" }

/** What the echo provider received, read from its answer. */
interface Echoed {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body?: string
}
const echoed = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(response.json, (json) => json as unknown as Echoed)

/** Every byte value, twice: a body no text decoding survives. */
const binary = Uint8Array.from({ length: 512 }, (_, index) => index % 256)

/** A provider answering every request the same way. */
const answering =
  (reply: NangoEmulator.ProviderAnswer): NangoEmulator.Provider =>
  () =>
    reply

/** The emulator with a connection `c1` to `github` (OAuth 2), and its stored record. */
const withConnection = (emulatorOptions: NangoEmulator.Options = {}, clientOptions = {}) =>
  Effect.map(setupProxy(emulatorOptions, clientOptions), (setup) => ({
    ...setup,
    stored: setup.emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" }),
  }))

describe("NangoProxy: requests", () => {
  it.effect("sends the path and query exactly as given, with the connection's credential and no secret key", () =>
    Effect.gen(function* () {
      const { emulator, proxy, stored } = yield* withConnection()
      const client = yield* proxy.client(github)
      const url = "/repos/a%2Fb/issues?q=is%3Aopen+label%3A%22bug%22&x=%E2%9C%93&empty=&flag"
      const response = yield* client.get(url, { headers: { accept: "application/vnd.github+json" } })
      const received = yield* echoed(response)
      expect(received.url).toBe(url)
      expect(emulator.requests.map((request) => request.path + request.search)).toEqual([`/proxy${url}`])
      expect(received.headers.accept).toBe("application/vnd.github+json")
      expect(received.headers.authorization).toBe(`Bearer ${String(stored.credentials.access_token)}`)
      expect(JSON.stringify(emulator.proxied)).not.toContain(emulator.secretKey)
      expect(emulator.proxied.map((request) => [request.connectionId, request.providerConfigKey])).toEqual([
        ["c1", "github"],
      ])
    }),
  )

  it.effect("appends urlParams to the query, and a path without a leading slash gets one", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const client = yield* proxy.client(github)
      yield* client.get("/search?q=a", { urlParams: { page: "2", "a b": "c&d" } })
      yield* client.get("user")
      expect(emulator.proxied.map((request) => request.url)).toEqual(["/search?q=a&page=2&a+b=c%26d", "/user"])
    }),
  )

  it.effect("forwards headers added by the caller's own mapRequest; Connection-Id and the key stay the client's", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      emulator.seedConnection({ connection_id: "other", provider_config_key: "github" })
      const client = (yield* proxy.client(github)).pipe(
        HttpClient.mapRequest(HttpClientRequest.setHeaders({ "x-trace": "t1", "connection-id": "other" })),
      )
      const received = yield* Effect.flatMap(client.get("/user"), echoed)
      expect(received.headers["x-trace"]).toBe("t1")
      // The caller's header reaches the provider; Nango used the client's connection.
      expect(received.headers["connection-id"]).toBe("other")
      expect(emulator.proxied[0]?.connectionId).toBe("c1")
    }),
  )

  it.effect("refuses an Authorization header unsent unless allowAuthorization, which lets it replace Nango's", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const client = yield* proxy.client(github)
      const refused = yield* Effect.flip(client.get("/user", { headers: { authorization: "Bearer mine" } }))
      expect(refused._tag).toBe("InvalidInput")
      expect(refused.message).toContain("allowAuthorization")
      expect(refused.message).not.toContain("mine")
      expect(emulator.requests).toHaveLength(0)
      const allowed = yield* proxy.client({ ...github, allowAuthorization: true })
      const received = yield* Effect.flatMap(
        allowed.get("/user", { headers: { authorization: "Bearer mine" } }),
        echoed,
      )
      expect(received.headers.authorization).toBe("Bearer mine")
    }),
  )

  it.effect("refuses an absolute URL and a body on GET unsent", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const client = yield* proxy.client(github)
      for (const url of ["https://evil.example/x", "//evil.example/x"]) {
        const refused = yield* Effect.flip(client.get(url))
        expect(refused._tag).toBe("InvalidInput")
      }
      const withBody = yield* Effect.flip(
        client.execute(HttpClientRequest.get("/user").pipe(HttpClientRequest.bodyText("x"))),
      )
      expect(withBody._tag).toBe("InvalidInput")
      expect(withBody.message).toContain("not for GET")
      expect(emulator.requests).toHaveLength(0)
    }),
  )

  it.effect("injects each kind of credential as the server does", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* setupProxy()
      const basic = emulator.seedConnection({
        connection_id: "basic",
        provider_config_key: "github",
        credentials: { type: "BASIC", username: "ana", password: "pä" },
      })
      const cc = emulator.seedConnection({
        connection_id: "cc",
        provider_config_key: "github",
        credentialType: "OAUTH2_CC",
      })
      const received = (connectionId: string) =>
        Effect.flatMap(
          Effect.flatMap(proxy.client({ connectionId, providerConfigKey: "github" }), (client) => client.get("/")),
          echoed,
        )
      expect((yield* received("basic")).headers.authorization).toBe(`Basic ${Buffer.from("ana:pä").toString("base64")}`)
      expect(basic.credentials.type).toBe("BASIC")
      expect((yield* received("cc")).headers.authorization).toBe(`Bearer ${String(cc.credentials.token)}`)
    }),
  )
})

describe("NangoProxy: bodies", () => {
  it.effect("JSON reaches the provider as the same JSON, re-serialised as the server does", () =>
    Effect.gen(function* () {
      const { proxy } = yield* withConnection()
      const client = yield* proxy.client(github)
      const request = HttpClientRequest.post("/items").pipe(
        HttpClientRequest.bodyText('{ "name": "a",\n "n": 1 }', "application/json"),
      )
      const received = yield* Effect.flatMap(client.execute(request), echoed)
      expect(received.body).toBe('{"name":"a","n":1}')
      expect(received.headers["content-type"]).toBe("application/json")
    }),
  )

  it.effect("a form reaches the provider as a form; binary bytes arrive exact, from bytes and from a stream", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const client = yield* proxy.client(github)
      yield* client.execute(
        HttpClientRequest.post("/form").pipe(HttpClientRequest.bodyUrlParams({ a: "1 2", b: "é&" })),
      )
      yield* client.execute(HttpClientRequest.put("/blob").pipe(HttpClientRequest.bodyUint8Array(binary)))
      const chunks = [binary.subarray(0, 100), binary.subarray(100)]
      yield* client.execute(
        HttpClientRequest.patch("/stream").pipe(
          HttpClientRequest.bodyStream(Stream.fromIterable(chunks), {
            contentType: "application/octet-stream",
            contentLength: binary.length,
          }),
        ),
      )
      const [form, blob, streamed] = emulator.proxied
      expect(new URLSearchParams(form?.body).get("b")).toBe("é&")
      expect(form?.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(blob?.bytes).toEqual(binary)
      expect(blob?.headers["content-type"]).toBe("application/octet-stream")
      expect(streamed?.bytes).toEqual(binary)
    }),
  )

  it.effect("multipart reaches the provider as a form with its fields and files", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const client = yield* proxy.client(github)
      const form = new FormData()
      form.append("title", "report")
      form.append("file", new Blob([binary], { type: "application/pdf" }), "r.pdf")
      yield* client.execute(HttpClientRequest.post("/upload").pipe(HttpClientRequest.bodyFormData(form)))
      const received = emulator.proxied[0]
      const parsed = yield* Effect.promise(() =>
        new Response(received?.bytes as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": received?.headers["content-type"] ?? "" },
        }).formData(),
      )
      expect(parsed.get("title")).toBe("report")
      const file = parsed.get("file") as File
      expect(file.name).toBe("r.pdf")
      expect(new Uint8Array(yield* Effect.promise(() => file.arrayBuffer()))).toEqual(binary)
    }),
  )

  it.effect("a DELETE's body is forwarded; a large body arrives whole", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection({ providers: { github: answering({ status: 204 }) } })
      const client = yield* proxy.client(github)
      const large = new Uint8Array(3 * 1024 * 1024).map((_, index) => (index * 7) % 256)
      const send = (request: HttpClientRequest.HttpClientRequest) =>
        Effect.flatMap(client.execute(request), (response) => response.arrayBuffer)
      yield* send(
        HttpClientRequest.make("DELETE")("/items").pipe(HttpClientRequest.bodyText("[1,2]", "application/json")),
      )
      yield* send(HttpClientRequest.post("/big").pipe(HttpClientRequest.bodyUint8Array(large)))
      expect(emulator.proxied[0]?.body).toBe("[1,2]")
      const received = emulator.proxied[1]?.bytes ?? new Uint8Array()
      expect(received.length).toBe(large.length)
      // Compared as buffers: a deep equality over three million elements takes seconds.
      expect(Buffer.from(received).equals(large)).toBe(true)
    }),
  )
})

describe("NangoProxy: the provider's answers pass through", () => {
  const statuses = [200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]
  for (const status of statuses) {
    it.effect(`a provider's ${status} comes back as a response with its status, body bytes and headers`, () =>
      Effect.gen(function* () {
        const hasBody = ![204, 304].includes(status)
        const headers = {
          "content-type": "application/octet-stream",
          "x-request-id": "r-1",
          "x-ratelimit-remaining": "0",
          ...(status === 301 ? { location: "https://api.github.com/elsewhere" } : {}),
        }
        const { proxy } = yield* withConnection({
          providers: { github: answering({ status, headers, ...(hasBody ? { body: binary } : {}) }) },
        })
        const client = yield* proxy.client(github)
        const response = yield* client.get("/thing")
        expect(response.status).toBe(status)
        expect(new Uint8Array(yield* response.arrayBuffer)).toEqual(hasBody ? binary : new Uint8Array())
        expect(response.headers["content-type"]).toBe("application/octet-stream")
        expect(response.headers["x-request-id"]).toBe("r-1")
        // On a 2xx the server keeps only four of the provider's headers; on anything else, all of them.
        const success = status >= 200 && status <= 299
        expect(response.headers["x-ratelimit-remaining"]).toBe(success ? undefined : "0")
        if (status === 301) expect(response.headers.location).toBe("https://api.github.com/elsewhere")
        expect(response.request.url).toBe("/thing")
      }),
    )
  }

  it.effect("a provider's JSON error with a code of its own is the provider's, even on Nango's statuses", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [number, string]> = [
        [400, '{"error":{"code":"bad_request","message":"Failed to get connection"}}'],
        [404, '{"error":{"code":"not_found","message":"no repo"}}'],
        [401, '{"message":"Bad credentials"}'],
        [500, '{"error":{"code":"boom"}}'],
        [429, "slow down"],
      ]
      for (const [status, body] of cases) {
        const { proxy } = yield* withConnection({
          providers: { github: answering({ status, headers: { "content-type": "application/json" }, body }) },
        })
        const response = yield* Effect.flatMap(proxy.client(github), (client) => client.get("/x"))
        expect([response.status, yield* response.text]).toEqual([status, body])
      }
    }),
  )

  it.effect("a streamed answer is read as it comes, and decodes with the caller's own schema", () =>
    Effect.gen(function* () {
      const large = "x".repeat(2 * 1024 * 1024)
      const { proxy } = yield* withConnection({
        providers: {
          github: (request) =>
            request.url === "/user"
              ? { status: 200, headers: { "content-type": "application/json" }, body: '{"login":"ana","id":7}' }
              : { status: 200, headers: { "content-type": "text/plain" }, body: large },
        },
      })
      const client = yield* proxy.client(github)
      const User = Schema.Struct({ login: Schema.String, id: Schema.Number })
      const user = yield* client.get("/user").pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(User)))
      expect(user).toEqual({ login: "ana", id: 7 })
      const response = yield* client.get("/large")
      const chunks = yield* collect(response.stream)
      expect(chunks.reduce((total, chunk) => total + chunk.length, 0)).toBe(large.length)
    }),
  )
})

describe("NangoProxy: Nango's own answers are typed errors", () => {
  /** The error of one GET /x through a client. */
  const failure = (proxy: NangoProxy.Service, options: Parameters<NangoProxy.Service["client"]>[0] = github) =>
    Effect.flip(Effect.flatMap(proxy.client(options), (client) => client.get("/x")))

  it.effect(
    "an unknown connection is UnknownConnection (400 server_error); an unknown integration, UnknownIntegration (404)",
    () =>
      Effect.gen(function* () {
        const { proxy } = yield* withConnection()
        const unknown = yield* failure(proxy, { connectionId: "nobody", providerConfigKey: "github" })
        expect(unknown._tag).toBe("UnknownConnection")
        if (unknown._tag !== "UnknownConnection") return
        expect([unknown.status, unknown.code, unknown.connectionId]).toEqual([400, "server_error", "nobody"])
        expect(unknown.message).toContain("GET /x")
        const integration = yield* failure(proxy, { connectionId: "c1", providerConfigKey: "jira" })
        expect(integration._tag).toBe("UnknownIntegration")
        expect(integration._tag === "UnknownIntegration" && [integration.status, integration.code]).toEqual([
          404,
          "unknown_provider_config",
        ])
      }),
  )

  it.effect(
    "credentials that cannot be refreshed are InvalidCredentials (400, then 424 exhausted), then a back-off (424)",
    () =>
      Effect.gen(function* () {
        let now = 1_750_000_000_000
        const { emulator, proxy } = yield* withConnection({ now: () => now })
        emulator.setRefresh("c1", "github", "fails")
        const failed = yield* failure(proxy)
        expect(failed._tag).toBe("InvalidCredentials")
        if (failed._tag !== "InvalidCredentials") return
        expect([failed.status, failed.code, failed.connectionId, failed.providerConfigKey]).toEqual([
          400,
          "server_error",
          "c1",
          "github",
        ])
        now += 29_999
        const backoff = yield* failure(proxy)
        expect(backoff._tag).toBe("RefreshBackoff")
        expect(backoff._tag === "RefreshBackoff" && [backoff.status, backoff.code]).toEqual([
          424,
          "connection_refresh_backoff",
        ])
        now += 1
        expect((yield* failure(proxy))._tag).toBe("InvalidCredentials")
        emulator.setRefresh("c1", "github", "exhausted")
        const exhausted = yield* failure(proxy)
        expect(exhausted._tag === "InvalidCredentials" && exhausted.status).toBe(424)
        expect(emulator.proxied).toHaveLength(0)
      }),
  )

  it.effect(
    "a refused base-URL override is BaseUrlOverrideRefused; a provider with no base URL, UnsupportedProvider",
    () =>
      Effect.gen(function* () {
        const { emulator, proxy } = yield* withConnection()
        const refused = yield* failure(proxy, { ...github, baseUrlOverride: "http://169.254.169.254/latest" })
        expect(refused._tag).toBe("BaseUrlOverrideRefused")
        expect(refused._tag === "BaseUrlOverrideRefused" && [refused.status, refused.code]).toEqual([
          400,
          "base_url_override_not_allowed",
        ])
        emulator.seedConnection({ connection_id: "open", provider_config_key: "slack", provider: "unauthenticated" })
        const open = { connectionId: "open", providerConfigKey: "slack" }
        const unsupported = yield* failure(proxy, open)
        expect(unsupported._tag).toBe("UnsupportedProvider")
        expect(unsupported._tag === "UnsupportedProvider" && [unsupported.status, unsupported.code]).toEqual([
          400,
          "unsupported_provider",
        ])
        const client = yield* proxy.client({ ...open, baseUrlOverride: "https://api.example.com" })
        yield* client.get("/ok")
        expect(emulator.proxied.map((request) => request.baseUrl)).toEqual(["https://api.example.com"])
      }),
  )

  it.effect("a wrong key is Unauthorized (401); a key without the proxy scope, Forbidden (403)", () =>
    Effect.gen(function* () {
      const scoped = "6f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
      const unknownKey = "0f1c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
      const wrong = yield* setupProxy({}, { secretKey: Redacted.make(unknownKey) })
      const unauthorized = yield* failure(wrong.proxy)
      expect(unauthorized._tag).toBe("Unauthorized")
      expect(unauthorized.message).not.toContain(unknownKey)
      const limited = yield* setupProxy(
        { keyScopes: { [scoped]: ["environment:connections:read"] } },
        { secretKey: Redacted.make(scoped) },
      )
      const forbidden = yield* failure(limited.proxy)
      expect(forbidden._tag).toBe("Forbidden")
      expect(forbidden._tag === "Forbidden" && forbidden.status).toBe(403)
    }),
  )

  it.effect("the provider unreachable is ProviderUnreachable (500 with the network code)", () =>
    Effect.gen(function* () {
      const { proxy } = yield* withConnection({ providers: { github: answering({ unreachable: "ECONNREFUSED" }) } })
      const unreachable = yield* failure(proxy)
      expect(unreachable._tag).toBe("ProviderUnreachable")
      expect(unreachable._tag === "ProviderUnreachable" && [unreachable.status, unreachable.code]).toEqual([
        500,
        "ECONNREFUSED",
      ])
    }),
  )

  const injected: ReadonlyArray<readonly [string, number, string]> = [
    ["InvalidProxyHeaders", 400, '{"error":{"code":"invalid_headers","errors":[{"path":["retries"]}]}}'],
    ["UnsupportedProvider", 400, '{"error":{"code":"missing_api_url","message":"no api url"}}'],
    ["InvalidCredentials", 400, '{"error":{"code":"failed_to_get_connection","message":"x"}}'],
    ["PlanLimit", 402, '{"error":{"code":"plan_limit","message":"You reached your plan limit"}}'],
    ["ServerError", 500, ""],
    ["ServerError", 500, '{"error":{"code":"generic_error_support","message":"An error occurred","payload":"id"}}'],
  ]
  for (const [tag, status, body] of injected) {
    it.effect(`Nango's ${status} ${body === "" ? "(empty)" : JSON.parse(body).error.code} is ${tag}`, () =>
      Effect.gen(function* () {
        const { emulator, proxy } = yield* withConnection({}, { retry: { maxAttempts: 1 } })
        emulator.injectFault({ path: "/proxy/x", status, body, headers: { "content-type": "application/json" } })
        const error = yield* failure(proxy)
        expect(error._tag).toBe(tag)
        expect("status" in error && error.status).toBe(status)
      }),
    )
  }
})

describe("NangoProxy: telling Nango's answers from the provider's by size", () => {
  const planLimit = '{"error":{"code":"plan_limit","message":"You reached your plan limit"}}'
  /** Nango's plan-limit answer padded with JSON whitespace to `size` bytes. */
  const padded = (size: number) => planLimit + " ".repeat(size - planLimit.length)
  const limit = 64 * 1024

  for (const chunked of [false, true]) {
    const how = chunked ? "chunked, with no length" : "with its length"
    it.effect(`${how}: a Nango body of 64 KiB is Nango's; one byte more is the provider's, passed through whole`, () =>
      Effect.gen(function* () {
        const { emulator, proxy } = yield* withConnection({}, { retry: { maxAttempts: 1 } })
        const client = yield* proxy.client(github)
        const json = { "content-type": "application/json" }
        emulator.injectFault({ path: "/proxy/x", status: 402, body: padded(limit), headers: json, chunked })
        const atLimit = yield* Effect.flip(client.get("/x"))
        expect(atLimit._tag).toBe("PlanLimit")
        emulator.injectFault({ path: "/proxy/x", status: 402, body: padded(limit + 1), headers: json, chunked })
        const over = yield* client.get("/x")
        expect(over.status).toBe(402)
        expect(yield* over.text).toBe(padded(limit + 1))
      }),
    )
  }

  it.effect("a provider's large chunked error streams through whole, its first bytes not lost", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const client = yield* proxy.client(github)
      const large = Array.from({ length: 300 * 1024 }, (_, index) =>
        String.fromCharCode(32 + ((index * 31) % 95)),
      ).join("")
      emulator.injectFault({ path: "/proxy/x", status: 500, body: large, chunked: true })
      const response = yield* client.get("/x")
      expect(response.status).toBe(500)
      const chunks = yield* collect(response.stream)
      expect(Buffer.concat(chunks.map((chunk) => Buffer.from(chunk))).toString("latin1")).toBe(large)
    }),
  )
})

describe("NangoProxy: retries", () => {
  it.live("the client retries Nango's own 429 (after its Retry-After) and 503, never the provider's", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection(
        { providers: { github: answering({ status: 503, body: "provider down" }) } },
        { retry: { baseDelay: "1 millis", maxAttempts: 3 } },
      )
      const client = yield* proxy.client(github)
      emulator.injectFault({
        path: "/proxy/x",
        status: 429,
        body: '{"error":{"code":"too_many_request"}}',
        headers: { "content-type": "application/json", "retry-after": "0" },
      })
      emulator.injectFault({
        path: "/proxy/x",
        status: 503,
        body: '{"error":{"code":"server_error","message":"unavailable"}}',
        headers: { "content-type": "application/json" },
      })
      const response = yield* client.get("/x")
      expect(response.status).toBe(503)
      expect(yield* response.text).toBe("provider down")
      expect(emulator.requests).toHaveLength(3)
      expect(emulator.proxied).toHaveLength(1)
    }),
  )

  it.effect("Nango's rate limit, past the retries, is RateLimited with its delay", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection({ rateLimit: { points: 1, windowMs: 60_000 } })
      const client = yield* proxy.client(github)
      yield* client.get("/x")
      const limited = yield* Effect.flip(client.get("/x"))
      expect(limited._tag).toBe("RateLimited")
      if (limited._tag !== "RateLimited") return
      expect(limited.status).toBe(429)
      expect(limited.retryAfter).toBeDefined()
      // A wait longer than maxRetryAfter (10 s) is not waited for.
      expect(emulator.requests).toHaveLength(2)
    }),
  )

  it.effect("a connection broken after the request was sent is not retried: the provider may have been called", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection({}, { retry: { baseDelay: "1 millis" } })
      const client = yield* proxy.client(github)
      emulator.injectFault({ path: "/proxy/x", drop: true })
      const error = yield* Effect.flip(client.post("/x"))
      expect(error._tag).not.toBe("InvalidInput")
      expect(emulator.requests).toHaveLength(1)
    }),
  )

  it.effect("Nango's own retries follow Retries and Retry-On, waiting 3 s then 6 s", () =>
    Effect.gen(function* () {
      const waits: Array<number> = []
      const statuses = [503, 404, 200]
      const { emulator, proxy } = yield* withConnection({
        sleep: async (millis) => {
          waits.push(millis)
        },
        providers: {
          github: (request) => ({ status: statuses[request.attempt - 1] ?? 500, body: `attempt ${request.attempt}` }),
        },
      })
      const client = yield* proxy.client({ ...github, retries: 2, retryOn: [404] })
      const response = yield* client.get("/x")
      expect([response.status, yield* response.text]).toEqual([200, "attempt 3"])
      expect(waits).toEqual([3_000, 6_000])
      expect(emulator.requests.map((request) => request.headerNames.filter((name) => name.startsWith("retr")))).toEqual(
        [["retries", "retry-on"]],
      )
      // Without Retry-On, a 404 is not retried.
      const plain = yield* proxy.client({ ...github, retries: 2 })
      emulator.proxied.length = 0
      statuses.splice(0, 3, 404, 200)
      expect((yield* plain.get("/x")).status).toBe(404)
      expect(emulator.proxied).toHaveLength(1)
    }),
  )

  it.effect("retries on a POST or PATCH are refused unsent unless allowRetriedWrites; PUT and DELETE may", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const retried = yield* proxy.client({ ...github, retries: 1 })
      for (const method of ["POST", "PATCH"] as const) {
        const refused = yield* Effect.flip(retried.execute(HttpClientRequest.make(method)("/x")))
        expect(refused._tag).toBe("InvalidInput")
        expect(refused.message).toContain("allowRetriedWrites")
      }
      expect(emulator.requests).toHaveLength(0)
      yield* retried.execute(HttpClientRequest.put("/x"))
      yield* retried.execute(HttpClientRequest.make("DELETE")("/x"))
      const none = yield* proxy.client({ ...github, retries: 0 })
      yield* none.post("/x")
      const allowed = yield* proxy.client({ ...github, retries: 1, allowRetriedWrites: true })
      yield* allowed.post("/x")
      expect(emulator.requests).toHaveLength(4)
    }),
  )

  it.effect("withSettings lays settings over the client's for one effect, and checks them", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection()
      const client = yield* proxy.client({ ...github, retries: 1 })
      yield* client.post("/x").pipe(NangoProxy.withSettings({ retries: 0 }))
      yield* client.get("/x").pipe(NangoProxy.withSettings({ retryOn: [409], decompress: true }))
      expect(
        emulator.requests.map((request) => request.headerNames.filter((name) => /^(retr|decomp)/.test(name))),
      ).toEqual([["retries"], ["retries", "retry-on", "decompress"]])
      const bad = yield* Effect.flip(client.get("/x").pipe(NangoProxy.withSettings({ retries: -1 })))
      expect(bad._tag).toBe("InvalidInput")
      expect(emulator.requests).toHaveLength(2)
    }),
  )
})

describe("NangoProxy: options at their edges", () => {
  it.effect("retries from 0, retryOn within 100–599, an absolute ASCII base URL, a valid connection id", () =>
    Effect.gen(function* () {
      const { proxy } = yield* withConnection()
      const accepted = [
        { ...github, retries: 0 },
        { ...github, retryOn: [100, 599] },
        { ...github, baseUrlOverride: "https://api.example.com" },
      ]
      for (const options of accepted) yield* proxy.client(options)
      const refused = [
        { ...github, retries: -1 },
        { ...github, retries: 1.5 },
        { ...github, retryOn: [99] },
        { ...github, retryOn: [600] },
        { ...github, baseUrlOverride: "api.example.com" },
        { ...github, baseUrlOverride: "https://ä.example" },
        { ...github, connectionId: "" },
        { ...github, providerConfigKey: "" },
      ]
      for (const options of refused) {
        const error = yield* Effect.flip(proxy.client(options))
        expect(error._tag).toBe("InvalidInput")
      }
    }),
  )
})

describe("NangoProxy: timeouts", () => {
  it.live("an attempt that outlasts its timeout is TimeoutError, and is not retried", () =>
    Effect.gen(function* () {
      const { emulator, proxy } = yield* withConnection(
        {
          providers: {
            github: () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 2_000)),
          },
        },
        { timeout: { attempt: "150 millis", total: "1 second" } },
      )
      const client = yield* proxy.client(github)
      const error = yield* Effect.flip(client.get("/slow"))
      expect(error._tag).toBe("TimeoutError")
      expect(error.message).toContain("GET /slow")
      expect(emulator.requests).toHaveLength(1)
    }),
  )
})

describe("NangoProxy: as a plain HttpClient", () => {
  it.effect(
    "httpClient fails with the platform's error, Nango's failure its cause; a provider's 404 is a response",
    () =>
      Effect.gen(function* () {
        const { proxy } = yield* withConnection({
          providers: { github: answering({ status: 404, body: '{"message":"Not Found"}' }) },
        })
        const http = yield* proxy.httpClient(github)
        const response = yield* HttpClient.get("/repos/x").pipe(Effect.provideService(HttpClient.HttpClient, http))
        expect([response.status, yield* response.text]).toEqual([404, '{"message":"Not Found"}'])
        const unknown = yield* proxy.httpClient({ connectionId: "nobody", providerConfigKey: "github" })
        const error = yield* Effect.flip(unknown.get("/x"))
        const nango = NangoProxy.nangoFailure(error)
        expect(Option.isSome(nango) && nango.value._tag).toBe("UnknownConnection")
        expect(error.request.url).toBe("/x")
      }),
  )

  it.effect("layerHttpClient provides HttpClient for one connection", () =>
    Effect.gen(function* () {
      const { proxy } = yield* withConnection()
      const received = yield* HttpClient.get("/user").pipe(
        Effect.flatMap(echoed),
        Effect.provide(NangoProxy.layerHttpClient(github)),
        Effect.provideService(NangoProxy.NangoProxy, proxy),
      )
      expect(received.url).toBe("/user")
    }),
  )
})

describe("NangoProxy: spans and secrets", () => {
  it.effect("each request is a client span with the method, path and connection, and no secret anywhere", () =>
    Effect.gen(function* () {
      const { tracer, recorded } = yield* recordingTracer
      const { emulator, proxy, stored } = yield* withConnection()
      emulator.setRefresh("c1", "github", "exhausted")
      const client = yield* proxy.client(github)
      const error = yield* Effect.flip(client.get("/user?token=abc")).pipe(Effect.withTracer(tracer))
      const spans = recorded()
      const span = spans.find((one) => one.name === "NangoProxy.request")
      expect(Object.fromEntries(span?.attributes ?? [])).toMatchObject({
        "http.request.method": "GET",
        "url.path": "/proxy/user",
        "nango.provider_config_key": "github",
        "nango.connection_id": "c1",
        "http.response.status_code": 424,
      })
      const secrets = [emulator.secretKey, String(stored.credentials.access_token)]
      for (const [how, text] of [
        ...renderings(error),
        ["spans", JSON.stringify(spans.map((one) => [...one.attributes.values()]))] as const,
      ]) {
        for (const secret of secrets) expect(text, how).not.toContain(secret)
      }
    }),
  )
})
