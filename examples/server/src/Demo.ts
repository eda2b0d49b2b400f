/**
 * Demo data: the seeded scenario of 待王街道 with its visit history moved to end today, and
 * one demo account per role with a fresh token at every start.
 */
import { Tokens } from "@minqing/adapter-http"
import { Access, Accounts, Deployment, type Fact, type Ids, LocalDate, Problem, Resident, Store } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** What to seed: a preset size and a seed; the history ends today. */
export interface SeedOptions {
  readonly size: Scenario.Size
  readonly seed: number
  /** Days of visit history (default: the size's preset, 90 for S). */
  readonly historyDays?: number | undefined
  /** Smaller counts below the subdistricts, for tests (villages, grids, households per grid). */
  readonly shape?:
    | Partial<Pick<Scenario.Shape, "villagesPerSubdistrict" | "gridsPerVillage" | "householdsPerGrid">>
    | undefined
  /** Called after each batch with the facts written so far and the total. */
  readonly onProgress?: ((done: number, total: number) => Effect.Effect<void>) | undefined
}

/** What was seeded. */
export interface Seeded {
  readonly rootId: Ids.PlaceId
  readonly facts: number
  readonly visits: number
  readonly millis: number
}

const BATCH = 5_000

// A clock that reads a fixed instant (what the store records a write at) and sleeps like the real one.
const recordedAt = (millis: number, base: Clock.Clock): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => millis,
  unsafeCurrentTimeNanos: () => BigInt(millis) * 1_000_000n,
  currentTimeMillis: Effect.succeed(millis),
  currentTimeNanos: Effect.succeed(BigInt(millis) * 1_000_000n),
  sleep: (duration) => base.sleep(duration)
})

/**
 * Writes the scenario through the store port as the system, in large all-or-nothing
 * batches: the roster first, then the visit history a day per batch, up to now (visits the
 * scenario plans for later today are left out).
 */
export const seed = (
  options: SeedOptions
): Effect.Effect<Seeded, Problem.Rejected | Problem.StoreError, Store.Store | Deployment.Deployment> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const { zone } = yield* Deployment.Deployment
    const clock = yield* Effect.clock
    const start = yield* Clock.currentTimeMillis
    const roster = Scenario.roster({
      size: options.size,
      seed: options.seed,
      today: zone.dateOf(start),
      zone: zone.name,
      ...options.shape,
      ...(options.historyDays === undefined ? {} : { historyDays: options.historyDays })
    })
    const actor = Access.system([roster.rootId], "demo-seed")
    const plan = planRoster(roster)
    const plannedVisits = roster.facts.households.length * roster.shape.historyDays
    const rosterCount = [...plan.values()].reduce((n, facts) => n + facts.length, 0)
    const total = rosterCount + plannedVisits
    let done = 0
    const progress = (n: number) => {
      done += n
      return options.onProgress === undefined ? Effect.void : options.onProgress(Math.min(done, total), total)
    }
    const write = (facts: ReadonlyArray<Fact.Fact>, at: number) =>
      Effect.gen(function*() {
        for (let i = 0; i < facts.length; i += BATCH) {
          yield* Effect.withClock(store.write(actor, facts.slice(i, i + BATCH)), recordedAt(Math.min(at, start), clock))
        }
        yield* progress(facts.length)
      })
    const written = new Set<LocalDate.LocalDate>()
    const writeDay = (date: LocalDate.LocalDate) => {
      written.add(date)
      return write(plan.get(date) ?? [], zone.startOf(date))
    }
    yield* writeDay(LocalDate.addDays(roster.history.from, -1))
    let visits = 0
    for (const day of Scenario.visits(roster)) {
      if (day.length > 0) yield* writeDay(zone.dateOf(DateTime.toEpochMillis(day[0].at)))
      const known = day.filter((v) => DateTime.toEpochMillis(v.at) <= start)
      if (known.length > 0) {
        yield* write(known, known.reduce((last, v) => Math.max(last, DateTime.toEpochMillis(v.at)), 0))
        visits += known.length
      }
      yield* progress(day.length - known.length)
    }
    for (const date of [...plan.keys()].filter((d) => !written.has(d)).sort()) yield* writeDay(date)
    // The planned total was an estimate (some households get two knocks, some none).
    if (options.onProgress !== undefined) yield* options.onProgress(total, total)
    return {
      rootId: roster.rootId,
      facts: rosterCount + visits,
      visits,
      millis: (yield* Clock.currentTimeMillis) - start
    }
  })

/**
 * The roster by the day it becomes known, so every fact is recorded no earlier than the
 * dates in it (the store refuses a birth or a dose after the day it is written): the
 * places, liaisons, households and campaigns the day before the history starts; each
 * resident then with the doses received by then, or on the birth date, and again on the
 * day of each later dose; arrival reports and matters once their resident is known.
 */
export const planRoster = (roster: Scenario.Scenario): ReadonlyMap<LocalDate.LocalDate, ReadonlyArray<Fact.Fact>> => {
  const startDay = LocalDate.addDays(roster.history.from, -1)
  const plan = new Map<LocalDate.LocalDate, Array<Fact.Fact>>()
  const add = (day: LocalDate.LocalDate, fact: Fact.Fact) => {
    const list = plan.get(day)
    if (list === undefined) plan.set(day, [fact])
    else list.push(fact)
  }
  const { facts } = roster
  for (const f of [...facts.places, ...facts.liaisons, ...facts.households, ...facts.campaigns]) add(startDay, f)
  const knownOn = new Map<string, LocalDate.LocalDate>()
  for (const r of facts.residents) {
    const first = LocalDate.max(startDay, r.birthDate)
    knownOn.set(r.id, first)
    const days = [first, ...new Set(r.doses.map((d) => d.date).filter((d) => d > first))].sort()
    for (const day of days) {
      add(
        day,
        day === days[days.length - 1]
          ? r
          : new Resident.Resident({ ...r, doses: r.doses.filter((d) => d.date <= day) }, true)
      )
    }
  }
  for (const a of facts.arrivals) {
    add(a.person._tag === "KnownResident" ? knownOn.get(a.person.residentId) ?? startDay : startDay, a)
  }
  for (const m of facts.matters) add(m.residentId === undefined ? startDay : knownOn.get(m.residentId) ?? startDay, m)
  return plan
}

/**
 * The root place of the scenario of this size (its id depends on the shape above villages
 * only, so a one-household roster finds it quickly).
 */
export const rootOf = (options: Pick<SeedOptions, "size" | "seed">): Effect.Effect<Ids.PlaceId> =>
  Effect.sync(() =>
    Scenario.roster({
      size: options.size,
      seed: options.seed,
      villagesPerSubdistrict: 1,
      gridsPerVillage: 1,
      householdsPerGrid: 1,
      historyDays: 1
    }).rootId
  )

/**
 * Whether the scenario's root place is already stored (then the database was seeded, and
 * seeding again would only rewrite the same facts).
 */
export const isSeeded = (
  options: Pick<SeedOptions, "size" | "seed">
): Effect.Effect<boolean, Problem.StoreError, Store.Store> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const rootId = yield* rootOf(options)
    return Option.isSome(yield* store.get(Access.system([rootId]), "Place", rootId))
  })

/** The demo roles, in the order they are printed. */
export const roles = ["subdistrict-admin", "village-leader", "liaison", "auditor"] as const

/** A demo account and a token for it. */
export interface DemoLogin {
  readonly role: Access.Role
  readonly account: Accounts.Account
  /** The bearer token (shown once; only its hash is stored). */
  readonly token: string
  /** What the account reaches, for people: "待王街道", "北岭村", … */
  readonly scopeName: string
}

/**
 * Creates (or refreshes) one account per role over the stored places — the subdistrict
 * administrator and the auditor over the root, a village leader over the first village, the
 * liaison of that village's first grid — and issues each a new token.
 */
export const logins = (
  rootId: Ids.PlaceId,
  options: { readonly expiresInDays?: number } = {}
): Effect.Effect<ReadonlyArray<DemoLogin>, Problem.StoreError, Store.Store | Accounts.Accounts> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const accounts = yield* Accounts.Accounts
    const system = Access.system([rootId])
    const facts = yield* store.load(system, { scope: rootId, window: { from: LocalDate.MAX, to: LocalDate.MAX } })
    const root = facts.places.find((p) => p.id === rootId)
    const village = facts.places
      .filter((p) => p.level === "village")
      .sort((a, b) => (a.id < b.id ? -1 : 1))[0]
    const grid = facts.places
      .filter((p) => p.level === "grid" && p.parentId === village?.id)
      .sort((a, b) => (a.id < b.id ? -1 : 1))[0]
    const liaison = facts.liaisons.find((l) => grid !== undefined && l.gridIds.includes(grid.id) && l.active)
    if (root === undefined || village === undefined || grid === undefined || liaison === undefined) {
      return yield* new Problem.StoreError({
        reason: `the place tree under ${rootId} has no village, grid and liaison`
      })
    }
    const specs: ReadonlyArray<
      { role: Access.Role; name: string; place: Fact.Of<"Place">; liaisonId?: Ids.LiaisonId }
    > = [
      { role: "subdistrict-admin", name: `${root.name}管理员`, place: root },
      { role: "village-leader", name: `${village.name}负责人`, place: village },
      { role: "liaison", name: liaison.name, place: grid, liaisonId: liaison.id },
      { role: "auditor", name: `${root.name}审计员`, place: root }
    ]
    const out: Array<DemoLogin> = []
    for (const spec of specs) {
      const account = new Accounts.Account({
        id: Accounts.AccountId.make(`demo-${spec.role}`),
        name: spec.name,
        role: spec.role,
        scope: [spec.place.id],
        ...(spec.liaisonId === undefined ? {} : { liaisonId: spec.liaisonId }),
        active: true
      })
      yield* accounts.saveAccount(account)
      const issued = yield* Tokens.issue(account.id, { label: "demo", expiresInDays: options.expiresInDays ?? 7 })
      out.push({ role: spec.role, account, token: Redacted.value(issued.token), scopeName: spec.place.name })
    }
    return out
  })
