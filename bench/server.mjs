// The benchmark's server: keep-alive node:http on 127.0.0.1, in its own process, answering the
// Connect-session endpoints, one connection's GET, one proxied GET and one page of records with live-shaped bodies. Under /flaky it answers 503 to every other
// request, for the retry path. Prints its port, then serves until killed.
import * as http from "node:http"
import { createSessionBody, getConnectionBody, getSessionBody, providerUserBody, recordsPageBody } from "./bodies.mjs"

let flaky = 0
const json = (response, status, body) => {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  })
  response.end(body)
}
const server = http.createServer((request, response) => {
  const chunks = []
  request.on("data", (chunk) => chunks.push(chunk))
  request.on("end", () => {
    let path = request.url ?? "/"
    if (path.startsWith("/flaky/")) {
      path = path.slice("/flaky".length)
      if (flaky++ % 2 === 0) return json(response, 503, '{"error":{"code":"server_error","message":"unavailable"}}')
    }
    if (request.method === "GET" && path === "/connect/session") return json(response, 200, getSessionBody)
    if (request.method === "POST" && path === "/connect/sessions") return json(response, 201, createSessionBody)
    if (request.method === "GET" && path === "/connections/conn-1?provider_config_key=github") {
      return json(response, 200, getConnectionBody)
    }
    // The proxy, as Nango answers a provider's 200: the provider's body, with its content type.
    if (request.method === "GET" && path === "/proxy/user" && request.headers["connection-id"] === "conn-1") {
      return json(response, 200, providerUserBody)
    }
    // One page of a model's records.
    if (
      request.method === "GET" &&
      path === "/records?model=Issue&limit=100" &&
      request.headers["connection-id"] === "conn-1"
    ) {
      return json(response, 200, recordsPageBody)
    }
    json(response, 404, '{"error":{"code":"not_found"}}')
  })
})
server.keepAliveTimeout = 61_000
server.headersTimeout = 62_000
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`))
