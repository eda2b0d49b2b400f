/**
 * The world of the reliability suite on a SQLite file: the HTTP adapter's test world
 * (`../world.ts`: two subdistricts, every grid's records marked with their place and
 * carrying unique personal data, one account per role), seeded through the real ports with
 * the real clock, plus tokens that are expired, revoked or belong to an inactive account.
 */
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, Accounts, Deployment, Ids, Store } from "@minqing/core"
import { Effect, Layer, Redacted } from "effect"
import { Tokens } from "../../src/index.js"
import * as W from "../world.js"

export { W }

/** The account keys of the world. */
export type Who = keyof typeof W.accounts

/** An account that was deactivated after its token was issued. */
export const inactiveAccount = new Accounts.Account({
  id: Accounts.AccountId.make("gone"),
  name: "离职人员",
  role: "subdistrict-admin",
  scope: [Ids.PlaceId.make(W.placeIds.s1)],
  active: false
})

/** The bearer tokens made by {@link seed}. */
export interface Tokens {
  readonly valid: { readonly [K in Who]: string }
  /** An administrator's token that expired a day ago. */
  readonly expired: string
  /** An administrator's token revoked before the suite ran. */
  readonly revoked: string
  /** A token of an account that was deactivated. */
  readonly inactive: string
  /** A spare administrator's token, free to be revoked by a test. */
  readonly spare: string
}

const tokenIds = new Map<string, string>()

/** The public id of a token issued by {@link seed}. */
export const tokenId = (secret: string): string => {
  const id = tokenIds.get(secret)
  if (id === undefined) throw new Error("not a token of the seed")
  return id
}

/** The deployment of the world. */
export const DeploymentLive = Deployment.layer({ zone: "Asia/Shanghai" })

/** The store and accounts on a file, for seeding and inspecting from the test process. */
export const storeLayer = (filename: string) => SqliteStore.layer({ filename }).pipe(Layer.provide(DeploymentLive))

/** A system actor reaching both subdistricts. */
export const system = Access.system([Ids.PlaceId.make(W.placeIds.s1), Ids.PlaceId.make(W.placeIds.s2)], "seed")

const shiftedClock = (offsetMillis: number) =>
  Effect.map(Effect.clock, (base) => ({
    ...base,
    unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + offsetMillis,
    currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + offsetMillis),
    unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos() + BigInt(offsetMillis) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => base.unsafeCurrentTimeNanos() + BigInt(offsetMillis) * 1_000_000n)
  }))

/**
 * Writes the world, its accounts and their tokens into `filename` (migrating a new file),
 * with the real clock, so the tokens are valid for the server processes.
 */
export const seed = (filename: string): Promise<Tokens> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const port = yield* Accounts.Accounts
    yield* store.write(system, W.allFacts)
    const secret = (issued: { readonly token: Redacted.Redacted<string>; readonly info: { readonly id: string } }) => {
      const value = Redacted.value(issued.token)
      tokenIds.set(value, issued.info.id)
      return value
    }
    const valid: Record<string, string> = {}
    for (const [key, account] of Object.entries(W.accounts)) {
      yield* port.saveAccount(account)
      valid[key] = secret(yield* Tokens.issue(account.id, { label: key }))
    }
    const clock = yield* shiftedClock(-31 * 86_400_000)
    const expired = yield* Tokens.issue(W.accounts.admin.id, { label: "expired", expiresInDays: 30 }).pipe(
      Effect.withClock(clock)
    )
    const revoked = yield* Tokens.issue(W.accounts.admin.id, { label: "revoked" })
    yield* port.revokeToken(revoked.info.id, Date.now())
    const spare = yield* Tokens.issue(W.accounts.admin.id, { label: "spare" })
    yield* port.saveAccount(new Accounts.Account({ ...inactiveAccount, active: true }))
    const gone = yield* Tokens.issue(inactiveAccount.id, { label: "inactive" })
    yield* port.saveAccount(inactiveAccount)
    return {
      valid: valid as Tokens["valid"],
      expired: secret(expired),
      revoked: secret(revoked),
      inactive: secret(gone),
      spare: secret(spare)
    }
  }).pipe(Effect.provide(storeLayer(filename)), Effect.runPromise)

/** Every personal value of the world (national IDs and phone numbers), with its kind. */
export const personalValues: ReadonlyArray<{ readonly kind: "national-id" | "phone"; readonly value: string }> = W
  .allPersonalData.map((value) => ({ kind: value.length === 18 ? "national-id" : "phone", value }))

/** The whole audit trail of the file under the given roots (default: the world's), read through the store's port. */
export const auditTrail = (
  filename: string,
  roots: ReadonlyArray<string> = [W.placeIds.s1, W.placeIds.s2]
): Promise<ReadonlyArray<Store.AuditEntry>> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const system = Access.system(roots.map((r) => Ids.PlaceId.make(r)), "audit-reader")
    const out: Array<Store.AuditEntry> = []
    let afterSeq: number | undefined
    for (;;) {
      const page = yield* store.audit(system, { limit: 1000, ...(afterSeq === undefined ? {} : { afterSeq }) })
      out.push(...page)
      if (page.length < 1000) return out
      afterSeq = page[page.length - 1].seq
    }
  }).pipe(Effect.provide(storeLayer(filename)), Effect.runPromise)
