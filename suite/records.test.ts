/**
 * `NangoSyncs`' records against the emulator over real HTTP, on both transports: one page and its
 * decoding, the stream across pages (a record changed mid-read comes again, a stream resumed from
 * a cursor goes on strictly after it), every bound of the query at its edge, each status Nango
 * answers, and the records a `sync` webhook announces.
 */
import type { NangoSyncs } from "effect-nango"
import { NangoWebhookSchema } from "effect-nango/webhooks"
import { collect, describe, Effect, expect, it, Redacted, Schema, Stream, TestClock } from "#line"
import { driveClock, renderings, setupSyncs } from "./support.js"

const day = 24 * 60 * 60 * 1000
const target = { connectionId: "c1", providerConfigKey: "github", model: "Issue" }
const query = { connectionId: "c1", providerConfigKey: "github", model: "Issue" }

/** The model's own fields, as the caller describes them. */
const Issue = Schema.Struct({ id: Schema.String, title: Schema.String, state: Schema.String })

const issues = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => ({
    id: `i-${from + index}`,
    title: `Issue ${from + index}`,
    state: "open",
  }))

/** The emulator with a connection `c1` to `github`; `now` is the emulator's clock when given. */
const withRecords = (count: number, emulatorOptions = {}) =>
  Effect.map(setupSyncs(emulatorOptions), (setup) => {
    setup.emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
    setup.emulator.upsertRecords(target, issues(count))
    return setup
  })

const recordsRequests = (emulator: { requestsTo: (m: string, p: string) => ReadonlyArray<{ search: string }> }) =>
  emulator.requestsTo("GET", "/records")

describe("NangoSyncs: listRecords", () => {
  it.effect("reads one page: the model's fields decoded, the id, the metadata with dates and the cursor", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(3)
      const page = yield* syncs.listRecords(query, Issue)
      expect(page.records.map((record) => record.title)).toEqual(["Issue 0", "Issue 1", "Issue 2"])
      expect(page.next_cursor).toBeNull()
      const [first] = page.records
      expect(first?.id).toBe("i-0")
      expect(first?._nango_metadata.last_action).toBe("ADDED")
      expect(first?._nango_metadata.first_seen_at).toBeInstanceOf(Date)
      expect(first?._nango_metadata.deleted_at).toBeNull()
      expect(typeof first?._nango_metadata.cursor).toBe("string")
      const [request] = emulator.requests
      expect(request?.search).toBe("?model=Issue")
      expect(request?.headerNames).toEqual(expect.arrayContaining(["connection-id", "provider-config-key"]))
    }),
  )

  it.effect("without a schema, a record keeps every field Nango stores", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(0)
      emulator.upsertRecords(target, [{ id: "x", nested: { a: [1, 2] }, flag: true }])
      const page = yield* syncs.listRecords(query)
      expect(page.records[0]).toMatchObject({ id: "x", nested: { a: [1, 2] }, flag: true })
    }),
  )

  it.effect("sends every option in the server's names, ids repeated", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(3)
      const cursor = (yield* syncs.listRecords({ ...query, limit: 1 })).next_cursor as string
      yield* TestClock.setTime(Date.UTC(2026, 0, 20))
      yield* syncs.listRecords({
        ...query,
        variant: "base",
        modifiedAfter: new Date(Date.UTC(2026, 0, 15, 10)),
        filter: ["added", "updated"],
        ids: ["i-1", "i-2"],
        limit: 2,
        cursor,
      })
      const params = new URLSearchParams(recordsRequests(emulator)[1]?.search)
      expect([...params]).toEqual([
        ["model", "Issue"],
        ["variant", "base"],
        ["modified_after", "2026-01-15T10:00:00.000Z"],
        ["limit", "2"],
        ["filter", "added,updated"],
        ["cursor", cursor],
        ["ids", "i-1"],
        ["ids", "i-2"],
      ])
    }),
  )

  it.effect("filter: added, updated and deleted as the store selects them", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(3)
      emulator.upsertRecords(target, [{ id: "i-1", title: "Changed", state: "closed" }])
      emulator.deleteRecords(target, ["i-2"])
      const ids = (filter: ReadonlyArray<"added" | "updated" | "deleted">) =>
        Effect.map(syncs.listRecords({ ...query, filter }), (page) => page.records.map((record) => record.id))
      expect(yield* ids(["added"])).toEqual(["i-0"])
      expect(yield* ids(["updated"])).toEqual(["i-1"])
      expect(yield* ids(["deleted"])).toEqual(["i-2"])
      expect(yield* ids(["added", "updated"])).toEqual(["i-0", "i-1"])
      const deleted = (yield* syncs.listRecords({ ...query, filter: ["deleted"] })).records[0]
      expect(deleted?._nango_metadata.last_action).toBe("DELETED")
      expect(deleted?._nango_metadata.deleted_at).toBeInstanceOf(Date)
    }),
  )

  it.effect(
    "a page that does not match the model's schema is ResponseDecodeError naming the record, not its values",
    () =>
      Effect.gen(function* () {
        const { emulator, syncs } = yield* withRecords(1)
        emulator.upsertRecords(target, [{ id: "i-9", title: 42, state: "ada.lovelace@example.com" }])
        const error = yield* Effect.flip(syncs.listRecords(query, Issue))
        expect(error._tag).toBe("ResponseDecodeError")
        expect(error._tag === "ResponseDecodeError" && error.issues).toEqual([
          expect.stringMatching(/^records\.1\.title: /),
        ])
        for (const text of renderings(error)) expect(text).not.toContain("ada.lovelace")
      }),
  )
})

/** What `listRecords` takes. */
type Query = Parameters<NangoSyncs.Service["listRecords"]>[0]

describe("NangoSyncs: bounds, refused before sending", () => {
  const refused = (input: Partial<Query>) =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(1)
      const error = yield* Effect.flip(syncs.listRecords({ ...query, ...input }))
      expect(error._tag).toBe("InvalidInput")
      expect(recordsRequests(emulator)).toHaveLength(0)
      return error
    })
  const accepted = (input: Partial<Query>) =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(1)
      yield* syncs.listRecords({ ...query, ...input })
      expect(recordsRequests(emulator)).toHaveLength(1)
    })

  it.effect("limit: 1 and 10,000 are sent; 0 and 10,001 are not", () =>
    Effect.gen(function* () {
      yield* accepted({ limit: 1 })
      yield* accepted({ limit: 10_000 })
      yield* refused({ limit: 0 })
      yield* refused({ limit: 10_001 })
    }),
  )

  it.effect("ids: 100 ids, and an id of 256 characters, are sent; 101 ids, an id of 257 or an empty one are not", () =>
    Effect.gen(function* () {
      // 100 ids of 256 characters would make a request line Node's servers refuse (431 above 16 KiB).
      yield* accepted({ ids: Array.from({ length: 100 }, (_, index) => `${index}`) })
      yield* accepted({ ids: ["x".repeat(256)] })
      yield* refused({ ids: Array.from({ length: 101 }, (_, index) => `${index}`) })
      yield* refused({ ids: ["x".repeat(257)] })
      yield* refused({ ids: [""] })
    }),
  )

  it.effect("modifiedAfter: exactly 365 days back is sent, a millisecond more is not; only UTC date-times", () =>
    Effect.gen(function* () {
      const now = Date.UTC(2026, 11, 6, 12)
      yield* TestClock.setTime(now)
      const { emulator, syncs } = yield* withRecords(1)
      // The emulator's own clock is the real one, so it may answer 400 for the edge: only the sending is checked.
      yield* Effect.exit(syncs.listRecords({ ...query, modifiedAfter: new Date(now - 365 * day) }))
      expect(recordsRequests(emulator)).toHaveLength(1)
      const older = yield* Effect.flip(syncs.listRecords({ ...query, modifiedAfter: new Date(now - 365 * day - 1) }))
      expect(older.message).toContain("within the last 365 days")
      for (const modifiedAfter of ["2026-12-01T10:00:00+01:00", "2026-12-01", "yesterday", new Date(Number.NaN)]) {
        expect((yield* Effect.flip(syncs.listRecords({ ...query, modifiedAfter })))._tag).toBe("InvalidInput")
      }
      yield* Effect.exit(syncs.listRecords({ ...query, modifiedAfter: "2026-12-01T10:00Z" }))
      expect(recordsRequests(emulator)).toHaveLength(2)
    }),
  )

  it.effect(
    "cursor: one Nango wrote is sent; 1,001 characters, an empty one or one its store cannot read are not",
    () =>
      Effect.gen(function* () {
        const { syncs } = yield* withRecords(2)
        const written = (yield* syncs.listRecords({ ...query, limit: 1 })).next_cursor as string
        yield* accepted({ cursor: written })
        yield* refused({ cursor: "x".repeat(1001) })
        yield* refused({ cursor: "" })
        yield* refused({ cursor: btoa("2026-01-01T00:00:00Z||not-a-uuid") })
        yield* refused({ cursor: btoa("2026-01-01T00:00:00Z") })
        yield* refused({ cursor: "bm90IGEgY3Vyc29y" })
      }),
  )

  it.effect("a filter of no kind, an empty model or an integration id Nango cannot take are not sent", () =>
    Effect.gen(function* () {
      yield* refused({ filter: [] })
      yield* refused({ model: "" })
      yield* refused({ providerConfigKey: "git/hub" })
      yield* refused({ connectionId: "" })
    }),
  )
})

describe("NangoSyncs: Nango's answers", () => {
  it.effect("an unknown connection is UnknownConnection, naming it, with the server's status and code", () =>
    Effect.gen(function* () {
      const { syncs } = yield* withRecords(0)
      const error = yield* Effect.flip(syncs.listRecords({ ...query, connectionId: "nobody" }))
      expect(error).toMatchObject({
        _tag: "UnknownConnection",
        status: 400,
        code: "unknown_connection",
        connectionId: "nobody",
        providerConfigKey: "github",
      })
    }),
  )

  it.effect("a key without the records scope is Forbidden; an unknown key Unauthorized", () =>
    Effect.gen(function* () {
      const key = "0b6f5a52-4a5b-4c6d-8e7f-0123456789ab"
      const limited = yield* setupSyncs({ secretKeys: [key], keyScopes: { [key]: ["environment:proxy"] } })
      limited.emulator.seedConnection({ connection_id: "c1", provider_config_key: "github" })
      expect(yield* Effect.flip(limited.syncs.listRecords(query))).toMatchObject({ _tag: "Forbidden", status: 403 })
      const stranger = yield* setupSyncs({}, { secretKey: Redacted.make("1b6f5a52-4a5b-4c6d-8e7f-0123456789ab") })
      expect(yield* Effect.flip(stranger.syncs.listRecords(query))).toMatchObject({
        _tag: "Unauthorized",
        status: 401,
        code: "unknown_account",
      })
    }),
  )

  it.effect("Nango's 500 is ServerError and is retried (a read is idempotent); a 429 is RateLimited", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(1)
      emulator.injectFault({ method: "GET", path: "/records", status: 500, times: 1 })
      expect((yield* driveClock(syncs.listRecords(query), "1 second")).records).toHaveLength(1)
      expect(recordsRequests(emulator)).toHaveLength(2)
      emulator.injectFault({
        method: "GET",
        path: "/records",
        status: 429,
        headers: { "retry-after": "3600" },
        body: '{"error":{"code":"too_many_request"}}',
        times: 1,
      })
      expect(yield* Effect.flip(syncs.listRecords(query))).toMatchObject({ _tag: "RateLimited", status: 429 })
      emulator.injectFault({ method: "GET", path: "/records", status: 500, times: 3 })
      expect(yield* Effect.flip(driveClock(syncs.listRecords(query), "1 second"))).toMatchObject({
        _tag: "ServerError",
        status: 500,
      })
      expect(recordsRequests(emulator)).toHaveLength(6)
    }),
  )

  it.effect("the server's own query refusal is BadRequest with its errors; an unknown variant an empty page", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(1)
      emulator.injectFault({
        method: "GET",
        path: "/records",
        status: 400,
        body: '{"error":{"code":"invalid_query_params","errors":[{"code":"custom","message":"Invalid","path":["model"]}]}}',
      })
      expect(yield* Effect.flip(syncs.listRecords(query))).toMatchObject({
        _tag: "BadRequest",
        code: "invalid_query_params",
        errors: [{ path: ["model"] }],
      })
      expect((yield* syncs.listRecords({ ...query, variant: "other" })).records).toEqual([])
    }),
  )
})

describe("NangoSyncs: streamRecords", () => {
  it.effect("follows next_cursor across pages to the end, in order", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(250)
      const all = yield* collect(syncs.streamRecords({ ...query, limit: 100 }, Issue))
      expect(all.map((record) => record.id)).toEqual(issues(250).map((issue) => issue.id))
      expect(recordsRequests(emulator)).toHaveLength(3)
    }),
  )

  it.effect("a page of exactly the limit at the end needs one more, empty request", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(200)
      expect(yield* collect(syncs.streamRecords({ ...query, limit: 100 }))).toHaveLength(200)
      // The store reads limit + 1 rows: the second page knows it is the last.
      expect(recordsRequests(emulator)).toHaveLength(2)
    }),
  )

  it.effect("a record changed while the pages are read comes again at the end, newer (at least once)", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withRecords(5)
      let changed = false
      const seen = yield* collect(
        syncs.streamRecords({ ...query, limit: 2 }, Issue).pipe(
          Stream.tap(() =>
            Effect.sync(() => {
              if (changed) return
              changed = true
              emulator.upsertRecords(target, [{ id: "i-0", title: "Renamed", state: "open" }])
            }),
          ),
        ),
      )
      expect(seen.map((record) => record.id)).toEqual(["i-0", "i-1", "i-2", "i-3", "i-4", "i-0"])
      expect(seen[5]?.title).toBe("Renamed")
      expect(seen[5]?._nango_metadata.last_action).toBe("UPDATED")
    }),
  )

  it.effect("a stream cut off after a failure resumes strictly after the last record handled", () =>
    Effect.gen(function* () {
      const { syncs } = yield* withRecords(7)
      const handled: Array<{ readonly id: string; readonly _nango_metadata: { readonly cursor: string } }> = []
      const failed = yield* Effect.exit(
        Stream.runForEach(syncs.streamRecords({ ...query, limit: 3 }), (record) =>
          handled.length === 4 ? Effect.fail("the store is down") : Effect.sync(() => handled.push(record)),
        ),
      )
      expect(failed._tag).toBe("Failure")
      const cursor = handled[handled.length - 1]?._nango_metadata.cursor
      const rest = yield* collect(syncs.streamRecords({ ...query, limit: 3, cursor }))
      expect([...handled, ...rest].map((record) => record.id)).toEqual(issues(7).map((issue) => issue.id))
    }),
  )
})

describe("NangoSyncs: streamChanges", () => {
  it.effect("streams what a sync run announced: that connection's model, changed since the run started", () =>
    Effect.gen(function* () {
      let now = Date.now() - 60_000
      const { emulator, syncs } = yield* withRecords(0, { now: () => now })
      emulator.upsertRecords(target, issues(3))
      now += 10_000
      const delivered: Array<string> = []
      const report = yield* Effect.promise(() =>
        emulator.runSync({
          ...target,
          syncName: "issues",
          upsert: [{ id: "i-1", title: "Changed", state: "closed" }, ...issues(1, 3)],
          delete: ["i-2"],
          deliverTo: async (delivery) => {
            delivered.push(delivery.body)
            return 200
          },
        }),
      )
      expect(report.results).toEqual({ added: 1, updated: 1, deleted: 1 })
      const webhook = Schema.decodeUnknownSync(NangoWebhookSchema.SyncWebhookSuccess)(
        JSON.parse(delivered[0] as string),
      )
      expect(webhook.modifiedAfter).toBe(new Date(now).toISOString())
      const changed = yield* collect(syncs.streamChanges(webhook, Issue))
      expect(changed.map((record) => [record.id, record._nango_metadata.last_action])).toEqual([
        ["i-1", "UPDATED"],
        ["i-3", "ADDED"],
        ["i-2", "DELETED"],
      ])
    }),
  )
})

describe("NangoSyncs: triggerSync and syncStatus", () => {
  /** The emulator with connections `c1` and `c2` to `github`, whose integration declares the sync `issues`. */
  const withSyncs = () =>
    Effect.map(setupSyncs({ syncs: { github: { issues: ["Issue"] } } }), (setup) => {
      for (const id of ["c1", "c2"]) setup.emulator.seedConnection({ connection_id: id, provider_config_key: "github" })
      return setup
    })

  it.effect("sends the syncs, the connection and opts as the server reads them; the deprecated forms never", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withSyncs()
      yield* syncs.triggerSync({ providerConfigKey: "github", connectionId: "c1", syncs: ["issues"] })
      yield* syncs.triggerSync({
        providerConfigKey: "github",
        syncs: [{ name: "issues", variant: "base" }],
        reset: true,
        emptyCache: false,
      })
      const bodies = emulator.requestsTo("POST", "/sync/trigger").map((request) => request.body)
      expect(bodies).toEqual([
        { syncs: ["issues"], provider_config_key: "github", connection_id: "c1" },
        {
          syncs: [{ name: "issues", variant: "base" }],
          provider_config_key: "github",
          opts: { reset: true, emptyCache: false },
        },
      ])
      expect(emulator.triggeredSyncs.map((trigger) => [trigger.connectionId, trigger.reset])).toEqual([
        ["c1", false],
        [undefined, true],
      ])
    }),
  )

  it.effect("Nango's answers: an unknown connection, no sync found, a sync the connection lacks (Nango's 500)", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withSyncs()
      expect(
        yield* Effect.flip(
          syncs.triggerSync({ providerConfigKey: "github", connectionId: "nobody", syncs: ["issues"] }),
        ),
      ).toMatchObject({ _tag: "UnknownConnection", status: 400, code: "unknown_connection", connectionId: "nobody" })
      expect(yield* Effect.flip(syncs.triggerSync({ providerConfigKey: "github", syncs: ["nope"] }))).toMatchObject({
        _tag: "SyncNotFound",
        status: 400,
        code: "no_syncs_found",
      })
      const missing = yield* Effect.flip(
        syncs.triggerSync({ providerConfigKey: "github", connectionId: "c1", syncs: ["nope"] }),
      )
      expect(missing).toMatchObject({ _tag: "ServerError", status: 500, code: "generic_error_support" })
      // A trigger is not retried after a 500: Nango may have started some of the syncs.
      expect(emulator.requestsTo("POST", "/sync/trigger")).toHaveLength(3)
    }),
  )

  it.effect("syncStatus reads one connection's syncs or the integration's, decoded, with record counts", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withSyncs()
      emulator.upsertRecords({ connectionId: "c1", providerConfigKey: "github", model: "Issue" }, issues(3))
      yield* Effect.promise(() =>
        emulator.runSync({
          connectionId: "c1",
          providerConfigKey: "github",
          model: "Issue",
          syncName: "issues",
          upsert: issues(1, 3),
        }),
      )
      const [issuesSync] = yield* syncs.syncStatus({
        providerConfigKey: "github",
        connectionId: "c1",
        syncs: ["issues"],
      })
      expect(issuesSync).toMatchObject({
        name: "issues",
        variant: "base",
        status: "SUCCESS",
        recordCount: { Issue: 4 },
      })
      expect(issuesSync?.finishedAt).toBeInstanceOf(Date)
      expect(issuesSync?.latestResult).toEqual({ Issue: { added: 1, updated: 0, deleted: 0 } })
      yield* syncs.triggerSync({ providerConfigKey: "github", connectionId: "c1", syncs: ["issues"] })
      const all = yield* syncs.syncStatus({ providerConfigKey: "github", syncs: "*" })
      expect(all.map((sync) => [sync.connection_id, sync.status])).toEqual([
        ["c1", "RUNNING"],
        ["c2", "SUCCESS"],
      ])
      expect(new URLSearchParams(emulator.requestsTo("GET", "/sync/status")[1]?.search).get("syncs")).toBe("*")
      yield* syncs.syncStatus({ providerConfigKey: "github", syncs: ["issues", { name: "issues", variant: "v2" }] })
      expect(new URLSearchParams(emulator.requestsTo("GET", "/sync/status")[2]?.search).get("syncs")).toBe(
        "issues,issues::v2",
      )
      expect(
        yield* Effect.flip(syncs.syncStatus({ providerConfigKey: "github", connectionId: "nobody", syncs: "*" })),
      ).toMatchObject({ _tag: "BadRequest", status: 400, code: "invalid_body", serverMessage: "Connection not found" })
    }),
  )

  it.effect("refused before sending: names a status query cannot carry, an empty list, a bad integration id", () =>
    Effect.gen(function* () {
      const { emulator, syncs } = yield* withSyncs()
      for (const names of [["a,b"], ["a::b"], [{ name: "a", variant: "b,c" }], []]) {
        expect((yield* Effect.flip(syncs.syncStatus({ providerConfigKey: "github", syncs: names })))._tag).toBe(
          "InvalidInput",
        )
      }
      expect((yield* Effect.flip(syncs.triggerSync({ providerConfigKey: "git/hub", syncs: ["issues"] })))._tag).toBe(
        "InvalidInput",
      )
      expect(emulator.requests).toHaveLength(0)
      // An empty trigger list is every sync, as the server reads it: sent.
      yield* syncs.triggerSync({ providerConfigKey: "github", connectionId: "c1", syncs: [] })
      expect(emulator.triggeredSyncs).toHaveLength(1)
    }),
  )
})
