// The README's proxy example: the user's GitHub profile read through Nango with the application's
// own HttpClient code and Schema, and a reconnect session once the connection's credentials went
// bad. It runs against the test kit, whose emulator plays GitHub: no account, no network.
import { expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { NangoConnect, NangoProxy } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"

// The part of GitHub's user your application reads.
const GitHubUser = Schema.Struct({ login: Schema.String, id: Schema.Number, name: Schema.NullOr(Schema.String) })

// Your code: the user's GitHub profile, through Nango, which injects the connection's token. When
// Nango can no longer refresh that token, the user is offered a session to reconnect GitHub.
const githubProfile = (connectionId: string) =>
  Effect.gen(function* () {
    const proxy = yield* NangoProxy.NangoProxy
    const github = (yield* proxy.client({ connectionId, providerConfigKey: "github" })).pipe(HttpClient.filterStatusOk)
    const user = yield* github
      .get("/user", { headers: { accept: "application/vnd.github+json" } })
      .pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(GitHubUser)))
    return { _tag: "Profile" as const, user }
  }).pipe(
    Effect.catchTag("InvalidCredentials", () =>
      Effect.gen(function* () {
        const nango = yield* NangoConnect.NangoConnect
        const session = yield* nango.createReconnectSession({
          connection_id: connectionId,
          integration_id: "github",
        })
        return { _tag: "Reconnect" as const, session }
      }),
    ),
  )

// Code that knows only HttpClient, such as a client generated from GitHub's OpenAPI description.
const listRepositories = (owner: string) =>
  HttpClient.get(`/users/${owner}/repos`).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Array(Schema.Struct({ name: Schema.String })))),
  )

// GitHub, as the test plays it, for whoever's token Nango injected.
const answers: Record<string, unknown> = {
  "/user": { login: "octocat", id: 583231, name: "The Octocat", plan: { name: "free" } },
  "/users/octocat/repos": [{ name: "hello-world" }, { name: "spoon-knife" }],
}
const github = NangoConnectTest.layerInMemory({
  providers: {
    github: (request) =>
      Effect.succeed(
        request.url in answers && request.headers.authorization?.startsWith("Bearer ")
          ? { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(answers[request.url]) }
          : { status: 401, headers: { "content-type": "application/json" }, body: '{"message":"Bad credentials"}' },
      ),
  },
})

it.effect(
  "reads the user's GitHub profile through Nango, and offers a reconnect once the token cannot be refreshed",
  () =>
    Effect.gen(function* () {
      const emulator = yield* NangoConnectTest.Emulator
      const stored = emulator.seedConnection({ connection_id: "conn-42", provider_config_key: "github" })

      const profile = yield* githubProfile("conn-42")
      expect(profile).toEqual({ _tag: "Profile", user: { login: "octocat", id: 583231, name: "The Octocat" } })
      // GitHub received the connection's token, injected by Nango, and never your secret key.
      expect(emulator.proxied[0]?.headers.authorization).toBe(`Bearer ${stored.credentials.access_token}`)

      // Later the provider refuses the refresh for good: Nango answers for itself, with a typed error.
      emulator.setRefresh("conn-42", "github", "exhausted")
      const again = yield* githubProfile("conn-42")
      expect(again._tag).toBe("Reconnect")
      expect(emulator.proxied).toHaveLength(1)
    }).pipe(Effect.provide(github)),
)

it.effect("runs code that knows only HttpClient through Nango, for one connection", () =>
  Effect.gen(function* () {
    const emulator = yield* NangoConnectTest.Emulator
    emulator.seedConnection({ connection_id: "conn-42", provider_config_key: "github" })
    const repos = yield* listRepositories("octocat").pipe(
      Effect.provide(NangoProxy.layerHttpClient({ connectionId: "conn-42", providerConfigKey: "github" })),
    )
    expect(repos.map((repo) => repo.name)).toEqual(["hello-world", "spoon-knife"])
  }).pipe(Effect.provide(github)),
)
