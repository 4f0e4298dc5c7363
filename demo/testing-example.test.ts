// The README's "Testing your code" example, run by `npm test`: a service of yours, tested against
// the emulator with no account and no network.
import { expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { NangoConnect } from "effect-nango"
import { NangoConnectTest } from "effect-nango/testing"

// Your code: starts a user's onboarding and returns the link to send them to.
const startOnboarding = (userId: string) =>
  Effect.flatMap(NangoConnect.NangoConnect, (nango) => nango.createConnectSession({ end_user: { id: userId } }))

it.effect("starts onboarding, and the session expires after 30 minutes", () =>
  Effect.gen(function* () {
    const session = yield* startOnboarding("user-42")
    const emulator = yield* NangoConnectTest.Emulator
    expect(emulator.created.map((created) => created.endUser?.id)).toEqual(["user-42"])
    expect(session.connect_link && Redacted.value(session.connect_link)).toContain("session_token=")
    yield* TestClock.adjust("30 minutes")
    const nango = yield* NangoConnect.NangoConnect
    const expired = yield* Effect.flip(nango.getConnectSession(session.token))
    expect(expired._tag).toBe("Unauthorized")
  }).pipe(Effect.provide(NangoConnectTest.layerInMemory())),
)
