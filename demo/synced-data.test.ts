// The README's synced-data examples: a sync webhook's handler that streams the changed records
// into the application's store, and an action called with a typed input and output. Both run
// against the test kit, whose emulator plays the sync and the action: no account, no network.
import { expect, it } from "@effect/vitest"
import { Effect, Redacted, Schema, Stream } from "effect"
import { NangoActions, NangoSyncs } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"
import { NangoWebhook } from "effect-nango/webhooks"

// The model your sync writes, as your application reads it.
const Issue = Schema.Struct({ id: Schema.String, title: Schema.String, state: Schema.String })
type Issue = typeof Issue.Type

// Your store (a database in your application): records applied in order, so the last version of
// a record wins. Reading is at least once: a record changed while it is read comes again, newer.
const store = new Map<string, Issue>()

// Your sync webhook handler: verify the raw body, then stream what the sync changed into the store.
const onSyncWebhook =
  (signingKeys: ReadonlyArray<Redacted.Redacted<string>>) => (body: string, headers: NangoWebhook.Headers) =>
    Effect.gen(function* () {
      const webhook = yield* NangoWebhook.verify(body, headers, { signingKeys })
      if (webhook.type !== "sync" || !webhook.success) return 200
      const syncs = yield* NangoSyncs.NangoSyncs
      yield* syncs.streamChanges(webhook, Issue).pipe(
        Stream.runForEach((issue) =>
          Effect.sync(() => {
            if (issue._nango_metadata.last_action === "DELETED") store.delete(issue.id)
            else store.set(issue.id, { id: issue.id, title: issue.title, state: issue.state })
          }),
        ),
      )
      return 200
    }).pipe(
      // An unsigned or forged webhook is refused; any other failure makes Nango send the webhook again.
      Effect.match({
        onFailure: (error) => (error._tag === "MissingSignature" || error._tag === "InvalidSignature" ? 401 : 500),
        onSuccess: (status) => status,
      }),
    )

// An action your integration defines, with the input it takes and the output it returns.
const CreateIssue = NangoActions.action("create-issue", {
  input: Schema.Struct({ title: Schema.String, labels: Schema.Array(Schema.String) }),
  output: Issue,
})

const kit = NangoConnectTest.layerInMemory({
  actions: {
    github: {
      "create-issue": (input) => {
        const { title } = input as { readonly title: string }
        return title === ""
          ? { error: "invalid_action_input", message: "A title is required", payload: { path: ["title"] } }
          : { output: { id: "42", title, state: "open" } }
      },
    },
  },
})

it.effect("streams the records a sync changed into the store, from its verified webhook", () =>
  Effect.gen(function* () {
    const emulator = yield* NangoConnectTest.Emulator
    emulator.seedConnection({ connection_id: "conn-42", provider_config_key: "github" })
    const target = { connectionId: "conn-42", providerConfigKey: "github", model: "Issue" }
    emulator.upsertRecords(target, [
      { id: "1", title: "Old", state: "open" },
      { id: "2", title: "Gone", state: "open" },
    ])
    store.set("1", { id: "1", title: "Old", state: "open" })
    store.set("2", { id: "2", title: "Gone", state: "open" })
    const handle = onSyncWebhook([Redacted.make(emulator.webhookSigningKey)])

    const run = yield* NangoConnectTest.runSync({
      ...target,
      upsert: [
        { id: "1", title: "Renamed", state: "closed" },
        { id: "3", title: "New", state: "open" },
      ],
      delete: ["2"],
      deliverTo: (delivery) => handle(delivery.body, delivery.headers),
    })

    expect(run.webhook?.attempts).toEqual([{ status: 200 }])
    expect([...store.values()]).toEqual([
      { id: "1", title: "Renamed", state: "closed" },
      { id: "3", title: "New", state: "open" },
    ])
  }).pipe(Effect.provide(kit)),
)

it.effect("calls an action with a typed input and output, and tells its own failures apart", () =>
  Effect.gen(function* () {
    const emulator = yield* NangoConnectTest.Emulator
    emulator.seedConnection({ connection_id: "conn-42", provider_config_key: "github" })
    const actions = yield* NangoActions.NangoActions
    const target = { connectionId: "conn-42", providerConfigKey: "github" }

    const issue = yield* actions.triggerAction(CreateIssue, target, { title: "Bug", labels: ["p1"] })
    expect(issue).toEqual({ id: "42", title: "Bug", state: "open" })

    const refused = yield* actions.triggerAction(CreateIssue, target, { title: "", labels: [] }).pipe(
      Effect.map(() => "created"),
      Effect.catchTag("InvalidActionInput", (error) => Effect.succeed(`refused: ${error.serverMessage}`)),
    )
    expect(refused).toBe("refused: A title is required")
  }).pipe(Effect.provide(kit)),
)
