/**
 * Drift guard against Nango's own published types (`@nangohq/types`, pinned to the server version
 * the fixtures come from): every body those types allow is accepted by our request schemas'
 * encoded side, and every success body they declare (sessions, connections, webhooks) is accepted
 * by our response schemas' encoded side, field by field. Checked by the type check (`npm run typecheck`); vitest runs it too.
 */

import type {
  DeleteConnectSession,
  GetConnectSession,
  GetPublicConnection,
  GetPublicConnections,
  NangoAsyncActionWebhookBody,
  NangoAuthWebhookBodyError,
  NangoAuthWebhookBodySuccess,
  NangoForwardWebhookBody,
  NangoSyncWebhookBodyError,
  NangoSyncWebhookBodySuccess,
  PostConnectSessions,
  PostPublicConnectSessionsReconnect,
} from "@nangohq/types"
import type { NangoConnectionsSchema, NangoConnectSchema } from "effect-nango"
import type { NangoWebhookSchema } from "effect-nango/webhooks"
import { describe, expectTypeOf, it } from "#line"

type Encoded<S> = S extends { readonly Encoded: infer I } ? I : never
/** Whether a value of type A can be given where B is expected: plain TypeScript assignability. */
type Assignable<A, B> = [A] extends [B] ? true : false
type CreateBody = Encoded<typeof NangoConnectSchema.CreateConnectSessionInput>
type ReconnectBody = Encoded<typeof NangoConnectSchema.CreateReconnectSessionInput>
type SessionBody = Encoded<typeof NangoConnectSchema.ConnectSessionResponse>
type DetailsBody = Encoded<typeof NangoConnectSchema.ConnectSessionDetailsResponse>
type Details = DetailsBody["data"]
type NangoDetails = GetConnectSession["Success"]["data"]

describe("@nangohq/types", () => {
  it("every create body Nango's types allow is one our schema encodes", () => {
    // The one case the schema refuses on purpose: `connection_config` values are `unknown` in
    // Nango's types, but must be JSON values here (a function or a bigint cannot be sent).
    type JsonSafe<T> = T extends { integrations_config_defaults?: infer D }
      ? Omit<T, "integrations_config_defaults"> & {
          integrations_config_defaults?:
            | { [K in keyof NonNullable<D>]: Omit<NonNullable<D>[K], "connection_config"> }
            | undefined
        }
      : T
    expectTypeOf<Assignable<JsonSafe<PostConnectSessions["Body"]>, CreateBody>>().toEqualTypeOf<true>()
    expectTypeOf<Assignable<PostConnectSessions["Body"], CreateBody>>().toEqualTypeOf<false>()
  })

  it("every reconnect body Nango's types allow is one our schema encodes", () => {
    type Body = PostPublicConnectSessionsReconnect["Body"]
    expectTypeOf<Assignable<Omit<Body, "integrations_config_defaults">, ReconnectBody>>().toEqualTypeOf<true>()
    expectTypeOf<Body["connection_id"]>().toEqualTypeOf<ReconnectBody["connection_id"]>()
    expectTypeOf<Body["integration_id"]>().toEqualTypeOf<ReconnectBody["integration_id"]>()
  })

  it("the create and reconnect success bodies decode as ConnectSession", () => {
    expectTypeOf<Assignable<PostConnectSessions["Success"], SessionBody>>().toEqualTypeOf<true>()
    expectTypeOf<Assignable<PostPublicConnectSessionsReconnect["Success"], SessionBody>>().toEqualTypeOf<true>()
  })

  it("the GET success body decodes as ConnectSessionDetails, field by field", () => {
    expectTypeOf<Assignable<GetConnectSession["Success"], DetailsBody>>().toEqualTypeOf<true>()
    expectTypeOf<Assignable<NangoDetails["endUser"], Details["endUser"]>>().toEqualTypeOf<true>()
    expectTypeOf<Assignable<NangoDetails["connectUISettings"], Details["connectUISettings"]>>().toEqualTypeOf<true>()
    expectTypeOf<
      Assignable<NangoDetails["allowed_integrations"], Details["allowed_integrations"]>
    >().toEqualTypeOf<true>()
    expectTypeOf<
      Assignable<NangoDetails["integrations_config_defaults"], Details["integrations_config_defaults"]>
    >().toEqualTypeOf<true>()
    expectTypeOf<Assignable<NangoDetails["overrides"], Details["overrides"]>>().toEqualTypeOf<true>()
    expectTypeOf<Assignable<NangoDetails["isReconnecting"], Details["isReconnecting"]>>().toEqualTypeOf<true>()
    expectTypeOf<Assignable<NangoDetails["websocketsPath"], Details["websocketsPath"]>>().toEqualTypeOf<true>()
  })

  it("names where the live server and Nango's types disagree", () => {
    // Nango's type keeps `tags` and `webhook_url_override` in the GET body (it is built by
    // omitting fields from the create input); the live server never sends them (reference §6.3),
    // so ConnectSessionDetails does not declare them, and ignores them if they ever come.
    expectTypeOf<NangoDetails>().toHaveProperty("tags")
    expectTypeOf<NangoDetails>().toHaveProperty("webhook_url_override")
    expectTypeOf<Details>().not.toHaveProperty("tags")
    // Nango's type has no 404 for DELETE and no body: `Success: never`; the server answers 204.
    expectTypeOf<DeleteConnectSession["Success"]>().toBeNever()
  })

  it("every connection Nango's types declare decodes as Connection, and every list item as ConnectionSummary", () => {
    type Full = GetPublicConnection["Success"]
    type Ours = Encoded<typeof NangoConnectionsSchema.Connection>
    expectTypeOf<Full>().not.toBeAny()
    expectTypeOf<Assignable<Omit<Full, "credentials">, Omit<Ours, "credentials">>>().toEqualTypeOf<true>()
    // The full shape: our schemas name every field Nango's types declare, and no other, however
    // tolerant of a missing one they are.
    expectTypeOf<keyof Ours>().toEqualTypeOf<keyof Full>()
    expectTypeOf<keyof Encoded<typeof NangoConnectionsSchema.ConnectionSummary>>().toEqualTypeOf<
      keyof GetPublicConnections["Success"]["connections"][number]
    >()
    // Each credential type of Nango's union against our schema of the same `type`, field by field
    // (our fallback for unknown types takes any `{ type }`, so the whole union would prove nothing);
    // a type we have no schema for falls to that fallback, which keeps only its name.
    type OursFor<T> = Extract<Ours["credentials"], { readonly type: T }>
    type Check<C> = C extends { readonly type: infer T }
      ? [OursFor<T>] extends [never]
        ? true
        : Assignable<C, OursFor<T>>
      : Assignable<C, Ours["credentials"]>
    expectTypeOf<Full["credentials"]>().not.toBeAny()
    expectTypeOf<Check<Full["credentials"]>>().toEqualTypeOf<true>()
    type Item = GetPublicConnections["Success"]["connections"][number]
    expectTypeOf<Assignable<Item, Encoded<typeof NangoConnectionsSchema.ConnectionSummary>>>().toEqualTypeOf<true>()
  })

  it("every webhook body Nango's types declare is one our webhook schemas decode", () => {
    // Our webhook schemas keep the fields they do not know (an index signature); Nango's types are
    // interfaces, which TypeScript never lets meet an index signature: compare the known fields.
    type Known<T> = T extends object
      ? T extends ReadonlyArray<unknown>
        ? T
        : { [K in keyof T as string extends K ? never : K]: Known<T[K]> }
      : T
    type Webhook<S> = Known<Encoded<S>>
    expectTypeOf<
      Assignable<NangoAuthWebhookBodySuccess, Webhook<typeof NangoWebhookSchema.AuthWebhookSuccess>>
    >().toEqualTypeOf<true>()
    expectTypeOf<
      Assignable<NangoAuthWebhookBodyError, Webhook<typeof NangoWebhookSchema.AuthWebhookFailure>>
    >().toEqualTypeOf<true>()
    expectTypeOf<
      Assignable<NangoSyncWebhookBodySuccess, Webhook<typeof NangoWebhookSchema.SyncWebhookSuccess>>
    >().toEqualTypeOf<true>()
    expectTypeOf<
      Assignable<NangoSyncWebhookBodyError, Webhook<typeof NangoWebhookSchema.SyncWebhookFailure>>
    >().toEqualTypeOf<true>()
    expectTypeOf<
      Assignable<NangoForwardWebhookBody, Webhook<typeof NangoWebhookSchema.ForwardWebhook>>
    >().toEqualTypeOf<true>()
    expectTypeOf<
      Assignable<NangoAsyncActionWebhookBody, Webhook<typeof NangoWebhookSchema.AsyncActionWebhook>>
    >().toEqualTypeOf<true>()
  })
})
