/**
 * The world of the reliability suite: the core's store fixture (待王街道 with two villages
 * and three grids) plus a second subdistrict that nobody in the first may reach, one
 * account per role and scope, and tokens that are valid, expired, revoked or belong to an
 * inactive account. `seed` writes it into a SQLite file through the real ports.
 */
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, Accounts, Arrival, Deployment, type Fact, LocalDate, PersonalData, Store } from "@minqing/core"
import { StoreFixture } from "@minqing/core/testing"
import { Effect, Layer, Redacted } from "effect"
import { Tokens } from "../../src/index.js"

const F = StoreFixture

/** Ids of the second subdistrict, out of reach of every account of the first. */
export const other = {
  subdistrict: "other-sd",
  village: "other-v",
  grid: "other-g",
  liaison: "l-other",
  household: "h-other-1",
  resident: "r-other-1",
  visit: "v-other-1",
  matter: "m-other-1",
  arrival: "a-other-1",
  campaign: "c-other-1"
} as const

/** Personal data of the second subdistrict's resident and liaison. */
export const otherNationalId = F.nationalId("1962-09-30", 41, "410882")
export const otherPhone = PersonalData.Phone.make("15937001234")
export const otherLiaisonPhone = "18638009876"
export const newcomerNationalId = F.nationalId("1988-02-14", 77, "440305")
export const newcomerPhone = PersonalData.Phone.make("17700112233")

const otherFacts: ReadonlyArray<Fact.Fact> = [
  F.place(other.subdistrict, "别的街道", "subdistrict"),
  F.place(other.village, "别村", "village", other.subdistrict),
  F.place(other.grid, "别村一片区", "grid", other.village),
  F.liaison(other.liaison, "钱多多", [other.grid], otherLiaisonPhone),
  F.household(other.household, other.grid, { address: "别村北街9号" }),
  F.resident(other.resident, other.household, {
    name: "孙秘密",
    birthDate: LocalDate.make("1962-09-30"),
    nationalId: otherNationalId,
    phone: otherPhone
  }),
  F.campaign(other.campaign, other.subdistrict),
  F.matter(other.matter, other.household, other.resident),
  F.visit(other.visit, other.household, other.liaison, "2021-05-10T08:00:00+08:00")
]

/** An arrival in the first subdistrict whose newcomer carries personal data. */
const newcomerArrival = new Arrival.ArrivalReport({
  ...F.arrival("a-newcomer-pii", F.ids.household1),
  person: new Arrival.Newcomer({ name: "林新来", nationalId: newcomerNationalId, phone: newcomerPhone })
})

/** Every fact of the world, parents before children. */
export const facts: ReadonlyArray<Fact.Fact> = [...F.all, newcomerArrival, ...otherFacts]

/** The roots of the two trees. */
export const roots = [F.ids.subdistrict, other.subdistrict] as const

/** The account names of the suite. */
export type Who =
  | "admin"
  | "eastLeader"
  | "westLeader"
  | "eastLiaison"
  | "eastLiaison2"
  | "westLiaison"
  | "auditor"
  | "otherAdmin"

const account = (
  id: string,
  role: Access.Role,
  scope: ReadonlyArray<string>,
  liaisonId?: string,
  active = true
): Accounts.Account =>
  new Accounts.Account({
    id: Accounts.AccountId.make(id),
    name: id,
    role,
    scope: scope as any,
    ...(liaisonId === undefined ? {} : { liaisonId: liaisonId as any }),
    active
  })

/** One account per role and scope. */
export const accounts: { readonly [W in Who]: Accounts.Account } = {
  admin: account("admin", "subdistrict-admin", [F.ids.subdistrict]),
  eastLeader: account("leader-dong", "village-leader", [F.ids.village1]),
  westLeader: account("leader-xi", "village-leader", [F.ids.village2]),
  eastLiaison: account("acct-l-dong-1", "liaison", [F.ids.grid11], F.ids.liaison11),
  eastLiaison2: account("acct-l-dong-2", "liaison", [F.ids.grid12], F.ids.liaison12),
  westLiaison: account("acct-l-xi-1", "liaison", [F.ids.grid21], F.ids.liaison21),
  auditor: account("auditor", "auditor", [F.ids.subdistrict]),
  otherAdmin: account("other-admin", "subdistrict-admin", [other.subdistrict])
}

const inactive = account("gone", "subdistrict-admin", [F.ids.subdistrict], undefined, false)

/** The bearer tokens made by {@link seed}. */
export interface Tokens {
  readonly valid: { readonly [W in Who]: string }
  /** An administrator's token that expired a day before the suite ran. */
  readonly expired: string
  /** An administrator's token revoked before the suite ran. */
  readonly revoked: string
  /** A token of an account that was deactivated. */
  readonly inactive: string
}

/** The deployment of the fixture. */
export const DeploymentLive = Deployment.layer({ zone: "Asia/Shanghai" })

/** The store on a file, for seeding and inspecting from the test process. */
export const storeLayer = (filename: string) =>
  SqliteStore.layer({ filename }).pipe(Layer.provide(DeploymentLive))

/** The system actor reaching both trees. */
export const system = Access.system([...roots] as any, "reliability-seed")

/**
 * Writes the world, the accounts and their tokens into `filename` (migrating a new file).
 */
export const seed = (filename: string): Promise<Tokens> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const accountsPort = yield* Accounts.Accounts
    yield* store.write(system, facts)
    for (const a of [...Object.values(accounts), inactive]) yield* accountsPort.saveAccount(a)
    const secret = (issued: { readonly token: Redacted.Redacted<string> }) => Redacted.value(issued.token)
    const valid: Record<string, string> = {}
    for (const [who, a] of Object.entries(accounts)) valid[who] = secret(yield* Tokens.issue(a.id, { label: who }))
    // Expired: issued 31 days ago with a 30-day lifetime.
    const expired = yield* Tokens.issue(accounts.admin.id, { label: "expired", expiresInDays: 30 }).pipe(
      Effect.withClock(shiftedClock(-31 * 86_400_000))
    )
    const revoked = yield* Tokens.issue(accounts.admin.id, { label: "revoked" })
    yield* accountsPort.revokeToken(revoked.info.id, Date.now())
    const gone = yield* Tokens.issue(inactive.id, { label: "inactive" })
    return {
      valid: valid as Tokens["valid"],
      expired: secret(expired),
      revoked: secret(revoked),
      inactive: secret(gone)
    }
  }).pipe(Effect.provide(storeLayer(filename)), Effect.runPromise)

const shiftedClock = (offsetMillis: number) => {
  const base = Effect.runSync(Effect.clock)
  return {
    ...base,
    unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + offsetMillis,
    currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + offsetMillis),
    unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos() + BigInt(offsetMillis) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => base.unsafeCurrentTimeNanos() + BigInt(offsetMillis) * 1_000_000n)
  } as typeof base
}

/**
 * Every national ID and phone number in the world, for scanning responses and logs.
 */
export const personalValues = (): ReadonlyArray<{ readonly kind: "national-id" | "phone"; readonly value: string }> => {
  const out: Array<{ kind: "national-id" | "phone"; value: string }> = []
  const add = (kind: "national-id" | "phone", value: unknown) => {
    if (typeof value === "string" && !out.some((o) => o.value === value)) out.push({ kind, value })
  }
  for (const f of facts) {
    if (f._tag === "Resident") (add("national-id", f.nationalId), add("phone", f.phone))
    if (f._tag === "Liaison") add("phone", f.phone)
    if (f._tag === "ArrivalReport" && f.person._tag === "Newcomer") {
      add("national-id", f.person.nationalId)
      add("phone", f.person.phone)
    }
  }
  return out
}

export { F as Fixture }

/** All audit entries of the file, read through the store's port as the system actor. */
export const auditTrail = (filename: string): Promise<ReadonlyArray<Store.AuditEntry>> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const out: Array<Store.AuditEntry> = []
    let afterSeq: number | undefined
    for (;;) {
      const page = yield* store.audit(system, { limit: 1000, ...(afterSeq === undefined ? {} : { afterSeq }) })
      out.push(...page)
      if (page.length < 1000) return out
      afterSeq = page[page.length - 1].seq
    }
  }).pipe(Effect.provide(storeLayer(filename)), Effect.runPromise)
