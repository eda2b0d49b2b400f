/**
 * The conformance suite of the storage ports: every implementation of `Store` and
 * `Accounts` (the in-memory one, `@minqing/adapter-sqlite`, yours) runs these cases and must
 * pass all of them, so engines and transports behave the same on any storage.
 *
 * The suite is data, not tied to a test runner: each case is an `Effect` that needs the
 * `Store`, `Accounts` and `Deployment` services and fails (with a readable
 * `AssertionFailed`) when the implementation misbehaves. Cases move time with `TestClock`,
 * so run them where Effect's test services are provided (`it.effect` of `@effect/vitest`
 * does this), each on a fresh, empty store with `Deployment.layer()` defaults
 * (Asia/Shanghai; subdistrict → village → grid).
 *
 * @example
 * ```ts
 * import { it } from "@effect/vitest"
 * import { Deployment, MemoryStore } from "@minqing/core"
 * import { StoreSuite } from "@minqing/core/testing"
 * import { Effect, Layer } from "effect"
 *
 * const fresh = () => MemoryStore.layerMemory.pipe(Layer.provideMerge(Deployment.layer()))
 *
 * for (const c of StoreSuite.cases) {
 *   it.effect(c.name, () => c.test.pipe(Effect.provide(fresh())))
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type { Actor } from "../Access.js"
import * as Accounts from "../Accounts.js"
import { Deployment } from "../Deployment.js"
import * as Fact from "../Fact.js"
import * as Ids from "../Ids.js"
import type { PlaceId } from "../Ids.js"
import * as LocalDate from "../LocalDate.js"
import * as Observation from "../Observation.js"
import { DEFAULT_LEVELS } from "../Place.js"
import { Dose } from "../Resident.js"
import * as Store from "../Store.js"
import * as WriteCheck from "../WriteCheck.js"
import * as A from "./Assertions.js"
import * as F from "./StoreFixture.js"

/**
 * One case of the suite.
 *
 * @since 0.1.0
 * @category models
 */
export interface Case {
  readonly name: string
  readonly test: Effect.Effect<void, unknown, Store.Store | Accounts.Accounts | Deployment>
}

type R = Store.Store | Accounts.Accounts | Deployment

const { actors, ids } = F

const setNow = (iso: string) => TestClock.setTime(F.millis(iso))

const write = (actor: Actor, facts: ReadonlyArray<Fact.Fact>) =>
  Effect.flatMap(Store.Store, (s) => s.write(actor, facts))

const seed = Effect.gen(function*() {
  yield* setNow(F.NOW)
  return yield* write(actors.admin, F.all)
})

const encoded = (f: Fact.Fact) => WriteCheck.encode(f)
const byId = <A extends { readonly id: string }>(xs: ReadonlyArray<A>): Array<A> =>
  [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
const idsOf = (xs: ReadonlyArray<{ readonly id: string }>): Array<string> => xs.map((x) => x.id).sort()

/** The sorted ids of every kind of fact in a bundle. */
const idsByKind = (facts: Fact.Facts) => ({
  places: idsOf(facts.places),
  liaisons: idsOf(facts.liaisons),
  households: idsOf(facts.households),
  residents: idsOf(facts.residents),
  visits: idsOf(facts.visits),
  arrivals: idsOf(facts.arrivals),
  matters: idsOf(facts.matters),
  campaigns: idsOf(facts.campaigns)
})
const sameFacts = (actual: ReadonlyArray<Fact.Fact>, expected: ReadonlyArray<Fact.Fact>, what: string) =>
  A.equal(byId(actual).map(encoded), byId(expected).map(encoded), what)
const ofTag = <T extends Fact.Tag>(tag: T, facts: ReadonlyArray<Fact.Fact> = F.all): Array<Fact.Of<T>> =>
  facts.filter((f): f is Fact.Of<T> => f._tag === tag)

/** Everything the administrator can observe, as text: to prove a rejected write changed nothing. */
const snapshot = Effect.gen(function*() {
  const s = yield* Store.Store
  const facts = yield* s.load(actors.admin)
  const changes = yield* s.changes(actors.admin, undefined, { limit: 1000 })
  const audit = yield* s.audit(actors.admin, { limit: 1000 })
  return A.show({
    facts: Fact.toArray(facts).map(encoded),
    changes: changes.facts.map(encoded),
    cursor: changes.cursor,
    audit: audit.map((e) => [e.seq, e.operation, e.tag, e.id])
  })
})

/** The problems of a write that must be rejected, after checking it changed nothing. */
const rejects = (actor: Actor, facts: ReadonlyArray<Fact.Fact>, what: string) =>
  Effect.gen(function*() {
    const before = yield* snapshot
    const problems = yield* A.rejected(write(actor, facts), what)
    const after = yield* snapshot
    yield* A.equal(after, before, `${what}: the store after a rejected write`)
    return problems
  })

/** A copy of a fact with some fields replaced, built without validation (to feed bad input). */
const broken = <X extends Fact.Fact>(fact: X, patch: Record<string, unknown>): X => {
  const { _tag, ...fields } = fact as unknown as Record<string, unknown>
  void _tag
  const Ctor = fact.constructor as new(props: unknown, options: { disableValidation: boolean }) => X
  return new Ctor({ ...fields, ...patch }, { disableValidation: true })
}

const expectDefaults = Effect.gen(function*() {
  const settings = yield* Deployment
  yield* A.isTrue(
    settings.zone.name === "Asia/Shanghai" && A.show(settings.levels) === A.show(DEFAULT_LEVELS),
    `the store suite needs Deployment.layer() defaults (Asia/Shanghai; ${
      DEFAULT_LEVELS.join(" → ")
    }), got ${settings.zone.name}; ${settings.levels.join(" → ")}`
  )
})

const test = (name: string, body: Effect.Effect<void, unknown, R>): Case => ({
  name,
  test: Effect.zipRight(expectDefaults, body)
})

const statuses = (receipts: ReadonlyArray<Store.Receipt>) => receipts.map((r) => r.status)

const roundTrip: ReadonlyArray<Case> = [
  test(
    "writes every kind of fact and reads each back unchanged",
    Effect.gen(function*() {
      const receipts = yield* seed
      yield* A.equal(
        receipts.map((r) => [r.index, r.tag, r.id, r.status, r.flags.length]),
        F.all.map((f, i) => [i, f._tag, f.id, "created", 0]),
        "receipts"
      )
      const s = yield* Store.Store
      for (const f of F.all) {
        const got = yield* A.some(yield* s.get(actors.admin, f._tag, f.id), `get ${f._tag} ${f.id}`)
        yield* A.equal(encoded(got), encoded(f), `get ${f._tag} ${f.id}`)
        yield* A.isTrue(got._tag === f._tag, `get ${f._tag} ${f.id} returns a ${f._tag}, got ${got._tag}`)
      }
    })
  ),
  test(
    "lists every kind of fact in id order",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      for (const tag of Fact.tags) {
        const page = yield* s.list(actors.admin, tag)
        yield* A.equal(page.items.map(encoded), byId(ofTag(tag)).map(encoded), `list ${tag}`)
        yield* A.isTrue(page.next === undefined, `list ${tag}: no next page expected, got ${page.next}`)
      }
    })
  ),
  test(
    "loads the whole scope as one bundle",
    Effect.gen(function*() {
      yield* seed
      const facts = yield* Effect.flatMap(Store.Store, (s) => s.load(actors.admin))
      const expected = Fact.bundle(F.all)
      for (const key of Object.keys(expected) as Array<keyof Fact.Facts>) {
        yield* sameFacts(facts[key], expected[key], `load: ${key}`)
      }
    })
  ),
  test(
    "writing the same facts again changes nothing: unchanged, and visits replayed",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const before = yield* snapshot
      const receipts = yield* write(actors.admin, F.all)
      yield* A.equal(
        statuses(receipts),
        F.all.map((f) => (f._tag === "Visit" ? "replayed" : "unchanged")),
        "statuses of a repeated batch"
      )
      yield* A.equal(yield* snapshot, before, "the store after a repeated batch")
      const audit = yield* s.audit(actors.admin, { limit: 1000 })
      yield* A.equal(audit.length, F.all.length, "audit entries (only the first write is audited)")
    })
  ),
  test(
    "an empty batch succeeds and writes nothing",
    Effect.gen(function*() {
      yield* seed
      const before = yield* snapshot
      yield* A.equal(yield* write(actors.admin, []), [], "receipts of an empty batch")
      yield* A.equal(yield* snapshot, before, "the store after an empty batch")
    })
  ),
  test(
    "a batch may refer to facts created earlier in it",
    Effect.gen(function*() {
      yield* seed
      const h = F.household("h-new", ids.grid12)
      const r = F.resident("r-new", "h-new", { name: "新居民" })
      const v = F.visit("v-new", "h-new", ids.liaison12, "2021-05-10T09:50:00+08:00")
      const receipts = yield* write(actors.admin, [h, r, v])
      yield* A.equal(statuses(receipts), ["created", "created", "created"], "statuses")
      const got = yield* Effect.flatMap(Store.Store, (s) => s.get(actors.admin, "Resident", "r-new"))
      yield* A.equal(encoded(yield* A.some(got, "the new resident")), encoded(r), "the new resident")
    })
  )
]

const history: ReadonlyArray<Case> = [
  test(
    "an update keeps the earlier version, and reads as of an earlier date return it",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      yield* setNow("2021-05-11T10:00:00+08:00")
      const moved = F.household(ids.household1, ids.grid11, { address: "东村东街1号之一", routePosition: 1 })
      const [receipt] = yield* write(actors.admin, [moved])
      yield* A.equal(receipt.status, "updated", "status of a changed household")
      const now = yield* A.some(yield* s.get(actors.admin, "Household", ids.household1), "current household")
      yield* A.equal(now.address, "东村东街1号之一", "current address")
      const then = yield* A.some(
        yield* s.get(actors.admin, "Household", ids.household1, { asOf: LocalDate.make("2021-05-10") }),
        "household as of 2021-05-10"
      )
      yield* A.equal(encoded(then), encoded(F.household1), "household as of 2021-05-10")
      yield* A.none(
        yield* s.get(actors.admin, "Household", ids.household1, { asOf: LocalDate.make("2021-05-09") }),
        "household as of 2021-05-09, before it was recorded"
      )
      const page = yield* s.list(actors.admin, "Household", { asOf: LocalDate.make("2021-05-10") })
      yield* A.equal(
        page.items.map(encoded),
        byId(ofTag("Household")).map(encoded),
        "households listed as of 2021-05-10"
      )
    })
  ),
  test(
    "load as of a date leaves out facts recorded after that day",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      yield* setNow("2021-05-12T09:00:00+08:00")
      const h = F.household("h-late", ids.grid12)
      const r = F.resident("r-late", "h-late")
      const changed = F.resident(ids.resident3, ids.household3, {
        name: "张伟",
        sex: "male",
        birthDate: LocalDate.make("1978-11-02"),
        presence: "away"
      })
      yield* write(actors.admin, [h, r, changed])
      const then = yield* s.load(actors.admin, { asOf: LocalDate.make("2021-05-11") })
      yield* sameFacts(then.households, ofTag("Household"), "households as of 2021-05-11")
      yield* sameFacts(then.residents, ofTag("Resident"), "residents as of 2021-05-11")
      const now = yield* s.load(actors.admin)
      yield* A.equal(idsOf(now.households), idsOf([...ofTag("Household"), h]), "households now")
      const r3 = now.residents.find((x) => x.id === ids.resident3)
      yield* A.equal(r3?.presence, "away", "resident3's presence now")
    })
  ),
  test(
    "as of a local date includes what was recorded until midnight in Asia/Shanghai",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      yield* setNow("2021-05-11T23:30:00+08:00") // 15:30 UTC, still 2021-05-11 locally
      yield* write(actors.admin, [F.household("h-2330", ids.grid12)])
      yield* setNow("2021-05-12T00:10:00+08:00") // 16:10 UTC on 2021-05-11, but 2021-05-12 locally
      yield* write(actors.admin, [F.household("h-0010", ids.grid12)])
      const on11 = LocalDate.make("2021-05-11")
      yield* A.some(yield* s.get(actors.admin, "Household", "h-2330", { asOf: on11 }), "h-2330 as of 2021-05-11")
      yield* A.none(yield* s.get(actors.admin, "Household", "h-0010", { asOf: on11 }), "h-0010 as of 2021-05-11")
      const on12 = yield* s.load(actors.admin, { asOf: LocalDate.make("2021-05-12") })
      yield* A.isTrue(
        on12.households.some((h) => h.id === "h-0010"),
        "h-0010 is in the load as of 2021-05-12"
      )
    })
  )
]

const validation: ReadonlyArray<Case> = [
  test(
    "invalid fields are reported with the item's index and the field's path, and nothing is written",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.household("h-ok", ids.grid12),
        broken(F.resident2, { phone: "12345" }),
        broken(F.liaison12, { name: "" })
      ], "a batch with invalid fields")
      const phone = yield* A.problem(problems, { index: 1, code: "invalid", path: ["phone"] })
      yield* A.includes(phone.message, "mobile number", "the phone problem")
      yield* A.problem(problems, { index: 2, code: "invalid", path: ["name"] })
      yield* A.isTrue(!problems.some((p) => p.index === 0), "no problem with the valid item #0")
    })
  ),
  test(
    "a fact of an unknown kind is invalid",
    Effect.gen(function*() {
      yield* seed
      const alien = { _tag: "Spaceship", id: "x-1" } as unknown as Fact.Fact
      const problems = yield* rejects(actors.admin, [alien], "an unknown kind of fact")
      yield* A.problem(problems, { index: 0, code: "invalid", path: ["_tag"] })
    })
  ),
  test(
    "references to records that do not exist are not found",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.household("h-x", "nowhere"),
        F.resident("r-x", "h-none"),
        F.visit("v-x", "h-none", "l-none", "2021-05-10T09:00:00+08:00"),
        F.arrival("a-x", ids.household1, "r-none"),
        F.matter("m-x", "h-none"),
        F.campaign("c-x", "nowhere"),
        F.liaison("l-x", "某某", ["nowhere"]),
        F.place("p-x", "某村", "village", "nowhere")
      ], "a batch of dangling references")
      yield* A.problem(problems, { index: 0, code: "not-found", path: ["gridId"] })
      yield* A.problem(problems, { index: 1, code: "not-found", path: ["householdId"] })
      yield* A.problem(problems, { index: 2, code: "not-found", path: ["householdId"] })
      yield* A.problem(problems, { index: 2, code: "not-found", path: ["liaisonId"] })
      yield* A.problem(problems, { index: 3, code: "not-found", path: ["person", "residentId"] })
      yield* A.problem(problems, { index: 4, code: "not-found", path: ["householdId"] })
      yield* A.problem(problems, { index: 5, code: "not-found", path: ["scopeId"] })
      yield* A.problem(problems, { index: 6, code: "not-found", path: ["gridIds", 0] })
      const p = yield* A.problem(problems, { index: 7, code: "not-found", path: ["parentId"] })
      yield* A.includes(p.message, "nowhere", "the message names the missing place")
    })
  ),
  test(
    "observations naming records that do not exist are not found; ones earlier in the batch are",
    Effect.gen(function*() {
      yield* seed
      const at = "2021-05-10T09:00:00+08:00"
      const problems = yield* rejects(actors.admin, [
        F.visit("v-ghosts", ids.household1, ids.liaison11, at, {
          observations: [
            new Observation.HealthCheck({ residentId: Ids.ResidentId.make("r-none"), symptoms: false }),
            new Observation.VaccinationCheck({
              residentId: Ids.ResidentId.make("r-none"),
              status: "complete",
              persuaded: false
            }),
            new Observation.ElderlyWellbeing({
              residentId: Ids.ResidentId.make("r-none"),
              wellbeing: "well",
              needs: []
            }),
            new Observation.Decoction({ campaignId: Ids.CampaignId.make("c-none"), servings: 1 }),
            new Observation.MatterFollowUp({ matterId: Ids.MatterId.make("m-none"), note: "已联系" }),
            new Observation.ArrivalSeen({ arrivalId: Ids.ArrivalId.make("a-none") }),
            new Observation.HealthCheck({ residentId: ids.resident1, symptoms: false })
          ]
        })
      ], "a visit naming records that do not exist")
      const p = yield* A.problem(problems, { index: 0, code: "not-found", path: ["observations", 0, "residentId"] })
      yield* A.includes(p.message, "r-none", "the message names the missing resident")
      yield* A.problem(problems, { index: 0, code: "not-found", path: ["observations", 1, "residentId"] })
      yield* A.problem(problems, { index: 0, code: "not-found", path: ["observations", 2, "residentId"] })
      yield* A.problem(problems, { index: 0, code: "not-found", path: ["observations", 3, "campaignId"] })
      yield* A.problem(problems, { index: 0, code: "not-found", path: ["observations", 4, "matterId"] })
      yield* A.problem(problems, { index: 0, code: "not-found", path: ["observations", 5, "arrivalId"] })
      yield* A.equal(problems.length, 6, "one problem per missing record, none for the stored resident")
      const receipts = yield* write(actors.admin, [
        F.resident("r-newborn", ids.household1, { birthDate: LocalDate.make("2021-05-01") }),
        F.visit("v-newborn", ids.household1, ids.liaison11, at, {
          observations: [new Observation.HealthCheck({ residentId: Ids.ResidentId.make("r-newborn"), symptoms: false })]
        })
      ])
      yield* A.equal(statuses(receipts), ["created", "created"], "a resident earlier in the batch may be named")
    })
  ),
  test(
    "a reference to a fact later in the batch is not found",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.resident("r-early", "h-later"),
        F.household("h-later", ids.grid12)
      ], "a child before its parent")
      yield* A.problem(problems, { index: 0, code: "not-found", path: ["householdId"] })
    })
  ),
  test(
    "places follow the deployment's levels",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.place("g-flat", "直属片区", "grid", ids.subdistrict),
        F.place("v-orphan", "孤村", "village"),
        F.place("p-galaxy", "银河", "galaxy", ids.village1)
      ], "places at the wrong levels")
      const a = yield* A.problem(problems, { index: 0, code: "invalid", path: ["level"] })
      yield* A.includes(a.message, "village", "the message names the expected level")
      yield* A.problem(problems, { index: 1, code: "invalid", path: ["level"] })
      yield* A.problem(problems, { index: 2, code: "invalid", path: ["level"] })
    })
  ),
  test(
    "a place cannot be moved under its own child",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.place(ids.village1, "东村", "village", ids.grid11)
      ], "a cycle in the place tree")
      yield* A.problem(problems, { index: 0, code: "invalid", path: ["parentId"] })
    })
  ),
  test(
    "households and liaisons belong to grids",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.household("h-village", ids.village1),
        F.liaison("l-village", "某某", [ids.village1])
      ], "a household and a liaison on a village")
      yield* A.problem(problems, { index: 0, code: "invalid", path: ["gridId"] })
      yield* A.problem(problems, { index: 1, code: "invalid", path: ["gridIds", 0] })
    })
  ),
  test(
    "a birth date after today is refused",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.resident("r-unborn", ids.household1, { birthDate: LocalDate.make("2021-05-11") })
      ], "a birth date tomorrow")
      const p = yield* A.problem(problems, { index: 0, code: "invalid", path: ["birthDate"] })
      yield* A.includes(p.message, "2021-05-10", "the message names today")
    })
  ),
  test(
    "a dose dated in the future is refused",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.resident(ids.resident3, ids.household3, {
          name: "张伟",
          sex: "male",
          birthDate: LocalDate.make("1978-11-02"),
          doses: [
            new Dose({ date: LocalDate.make("2021-05-01"), product: "sinovac-coronavac" }),
            new Dose({ date: LocalDate.make("2021-05-20"), product: "sinovac-coronavac" })
          ]
        })
      ], "a dose on 2021-05-20")
      yield* A.problem(problems, { index: 0, code: "invalid", path: ["doses", 1, "date"] })
    })
  ),
  test(
    "a visit more than 10 minutes in the future is refused; a few minutes ahead is accepted",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.eastLiaison, [
        F.visit("v-ahead", ids.household1, ids.liaison11, "2021-05-10T10:11:00+08:00")
      ], "a visit 11 minutes ahead")
      yield* A.problem(problems, { index: 0, code: "invalid", path: ["at"] })
      const receipts = yield* write(actors.eastLiaison, [
        F.visit("v-skew", ids.household1, ids.liaison11, "2021-05-10T10:09:00+08:00")
      ])
      yield* A.equal(statuses(receipts), ["created"], "a visit 9 minutes ahead")
    })
  ),
  test(
    "every bad item of a batch is reported at once",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.household("h-a", ids.grid12),
        F.resident("r-b", "h-none"),
        F.household("h-c", ids.grid12),
        broken(F.household("h-d", ids.grid12), { routePosition: -1 }),
        F.resident("r-e", ids.household1, { birthDate: LocalDate.make("2022-01-01") })
      ], "a batch with three bad items")
      yield* A.equal([...new Set(problems.map((p) => p.index))].sort(), [1, 3, 4], "indices with problems")
    })
  )
]

const duplicates: ReadonlyArray<Case> = [
  test(
    "a national ID already on the roster is refused, naming its resident",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.admin, [
        F.resident("r-copy", ids.household2, {
          name: "王秀",
          birthDate: LocalDate.make("1950-03-07"),
          nationalId: F.resident1.nationalId!
        })
      ], "a national ID already used")
      const p = yield* A.problem(problems, { index: 0, code: "duplicate-national-id", path: ["nationalId"] })
      yield* A.equal(p.existing, ids.resident1, "the existing resident")
      yield* A.includes(p.message, ids.resident1, "the message names the resident's id")
      yield* A.includes(p.message, "王秀英", "the message names the resident")
    })
  ),
  test(
    "a national ID given twice in one batch is refused on the second",
    Effect.gen(function*() {
      yield* seed
      const nid = F.nationalId("1990-01-01", 7)
      const problems = yield* rejects(actors.admin, [
        F.resident("r-twin-a", ids.household2, { birthDate: LocalDate.make("1990-01-01"), nationalId: nid }),
        F.resident("r-twin-b", ids.household3, { birthDate: LocalDate.make("1990-01-01"), nationalId: nid })
      ], "one national ID twice in a batch")
      const p = yield* A.problem(problems, { index: 1, code: "duplicate-national-id", path: ["nationalId"] })
      yield* A.equal(p.existing, "r-twin-a", "the resident named")
      yield* A.isTrue(!problems.some((x) => x.index === 0), "no problem on the first")
    })
  ),
  test(
    "a resident keeps their own national ID when updated",
    Effect.gen(function*() {
      yield* seed
      const updated = F.resident(ids.resident1, ids.household1, {
        name: "王秀英",
        birthDate: LocalDate.make("1950-03-07"),
        nationalId: F.resident1.nationalId!,
        livesAlone: false
      })
      yield* A.equal(statuses(yield* write(actors.admin, [updated])), ["updated"], "status")
    })
  ),
  test(
    "a national ID moved to another resident in the same batch is accepted",
    Effect.gen(function*() {
      yield* seed
      const corrected = F.resident(ids.resident1, ids.household1, {
        name: "王秀英",
        birthDate: LocalDate.make("1950-03-07"),
        livesAlone: true
      })
      const rightful = F.resident("r-rightful", ids.household2, {
        name: "王秀",
        birthDate: LocalDate.make("1950-03-07"),
        nationalId: F.resident1.nationalId!
      })
      yield* A.equal(statuses(yield* write(actors.admin, [corrected, rightful])), ["updated", "created"], "statuses")
    })
  ),
  test(
    "a likely duplicate (same name and birth date in the village) is flagged and still written",
    Effect.gen(function*() {
      yield* seed
      const lookalike = F.resident("r-zhang-wei-2", ids.household1, {
        name: "张伟",
        sex: "male",
        birthDate: LocalDate.make("1978-11-02")
      })
      const [receipt] = yield* write(actors.admin, [lookalike])
      yield* A.equal(receipt.status, "created", "status")
      yield* A.equal(receipt.flags.length, 1, "flags")
      yield* A.equal(receipt.flags[0].residentId, "r-zhang-wei-2", "flagged resident")
      yield* A.equal(receipt.flags[0].candidates, [ids.resident3], "candidates")
      yield* A.includes(receipt.flags[0].message, ids.resident3, "the message names the candidate")
      const s = yield* Store.Store
      yield* A.some(yield* s.get(actors.admin, "Resident", "r-zhang-wei-2"), "the flagged resident is stored")
    })
  ),
  test(
    "no likely duplicate in another village, or when the national IDs differ",
    Effect.gen(function*() {
      yield* seed
      const elsewhere = F.resident("r-zhang-wei-west", ids.household4, {
        name: "张伟",
        sex: "male",
        birthDate: LocalDate.make("1978-11-02")
      })
      const otherId = F.resident("r-wang-2", ids.household2, {
        name: "王秀英",
        birthDate: LocalDate.make("1950-03-07"),
        nationalId: F.nationalId("1950-03-07", 5)
      })
      const receipts = yield* write(actors.admin, [elsewhere, otherId])
      yield* A.equal(receipts.map((r) => r.flags.length), [0, 0], "flags")
    })
  )
]

const visits: ReadonlyArray<Case> = [
  test(
    "a visit uploaded again is replayed and writes nothing",
    Effect.gen(function*() {
      yield* seed
      const before = yield* snapshot
      const receipts = yield* write(actors.eastLiaison, [F.visit1])
      yield* A.equal(statuses(receipts), ["replayed"], "status of a repeated visit")
      yield* A.equal(yield* snapshot, before, "the store after a replay")
    })
  ),
  test(
    "a visit id reused for a different visit is a conflict",
    Effect.gen(function*() {
      yield* seed
      const other = F.visit(ids.visit1, ids.household1, ids.liaison11, "2021-05-10T09:00:00+08:00", {
        outcome: "nobody-home"
      })
      const problems = yield* rejects(actors.eastLiaison, [other], "a different visit under a used id")
      const p = yield* A.problem(problems, { index: 0, code: "conflict", path: ["id"] })
      yield* A.equal(p.existing, ids.visit1, "the visit named")
    })
  ),
  test(
    "a visit repeated within one batch is replayed the second time",
    Effect.gen(function*() {
      yield* seed
      const v = F.visit("v-twice", ids.household2, ids.liaison11, "2021-05-10T09:40:00+08:00")
      yield* A.equal(statuses(yield* write(actors.eastLiaison, [v, v])), ["created", "replayed"], "statuses")
      const audit = yield* Effect.flatMap(Store.Store, (s) => s.audit(actors.admin, { id: "v-twice" }))
      yield* A.equal(audit.length, 1, "audit entries of the visit")
    })
  )
]

const scope: ReadonlyArray<Case> = [
  test(
    "a liaison writes visits, residents, arrivals and matters in their own grid",
    Effect.gen(function*() {
      yield* seed
      const receipts = yield* write(actors.eastLiaison, [
        F.visit("v-own", ids.household2, ids.liaison11, "2021-05-10T09:45:00+08:00"),
        F.resident("r-own", ids.household2, { name: "新生儿", birthDate: LocalDate.make("2021-05-01") }),
        F.arrival("a-own", ids.household1, ids.resident2),
        F.matter("m-own", ids.household2)
      ])
      yield* A.equal(statuses(receipts), ["created", "created", "created", "created"], "statuses")
    })
  ),
  test(
    "a write outside the actor's scope is refused, naming the scope",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.eastLiaison, [
        F.visit("v-west", ids.household4, ids.liaison11, "2021-05-10T09:45:00+08:00"),
        F.resident("r-west", ids.household4)
      ], "a liaison writing in another grid")
      const p = yield* A.problem(problems, { index: 0, code: "out-of-scope", path: ["householdId"] })
      yield* A.includes(p.message, ids.grid11, "the message names the actor's scope")
      yield* A.problem(problems, { index: 1, code: "out-of-scope" })
    })
  ),
  test(
    "a record stored outside the scope cannot be pulled into it",
    Effect.gen(function*() {
      yield* seed
      const problems = yield* rejects(actors.eastLeader, [
        F.household(ids.household4, ids.grid11, { address: "西村南街1号" })
      ], "a village leader moving another village's household")
      yield* A.problem(problems, { index: 0, code: "out-of-scope" })
    })
  ),
  test(
    "roles write only their kinds of fact: a liaison no households, an auditor nothing",
    Effect.gen(function*() {
      yield* seed
      const byLiaison = yield* rejects(actors.eastLiaison, [F.household("h-by-liaison", ids.grid11)], "liaison")
      yield* A.problem(byLiaison, { index: 0, code: "not-allowed" })
      const byAuditor = yield* rejects(actors.auditor, [
        F.visit("v-audit", ids.household1, ids.liaison11, "2021-05-10T09:45:00+08:00"),
        F.resident("r-audit", ids.household1)
      ], "auditor")
      yield* A.problem(byAuditor, { index: 0, code: "not-allowed" })
      yield* A.problem(byAuditor, { index: 1, code: "not-allowed" })
    })
  ),
  test(
    "get outside the scope reads as absent",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const east: ReadonlyArray<readonly [Fact.Tag, string]> = [
        ["Household", ids.household1],
        ["Resident", ids.resident1],
        ["Visit", ids.visit1],
        ["Matter", ids.matter],
        ["ArrivalReport", ids.arrival],
        ["Liaison", ids.liaison11],
        ["Place", ids.grid11],
        ["Place", ids.village1]
      ]
      for (const [tag, id] of east) {
        yield* A.none(yield* s.get(actors.westLiaison, tag, id), `the west liaison's get ${tag} ${id}`)
      }
      yield* A.some(yield* s.get(actors.westLiaison, "Household", ids.household4), "the west liaison's own household")
      yield* A.some(yield* s.get(actors.westLiaison, "Place", ids.subdistrict), "the subdistrict above the grid")
      yield* A.some(yield* s.get(actors.westLiaison, "Campaign", ids.campaign), "a subdistrict-wide campaign")
    })
  ),
  test(
    "lists hold only what is in scope",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const list = (actor: Actor, tag: Fact.Tag) => Effect.map(s.list(actor, tag), (p) => idsOf(p.items))
      yield* A.equal(yield* list(actors.westLiaison, "Household"), [ids.household4], "west households")
      yield* A.equal(yield* list(actors.westLiaison, "Resident"), [ids.resident4], "west residents")
      yield* A.equal(yield* list(actors.westLiaison, "Visit"), [ids.visit2], "west visits")
      yield* A.equal(yield* list(actors.westLiaison, "Liaison"), [ids.liaison21], "west liaisons")
      yield* A.equal(yield* list(actors.westLiaison, "Matter"), [], "west matters")
      yield* A.equal(
        yield* list(actors.westLiaison, "Place"),
        [ids.subdistrict, ids.grid21, ids.village2].sort(),
        "west places (with ancestors)"
      )
      yield* A.equal(
        yield* list(actors.eastLeader, "Household"),
        [ids.household1, ids.household2, ids.household3].sort(),
        "east village households"
      )
    })
  ),
  test(
    "load holds only the scope and its ancestors",
    Effect.gen(function*() {
      yield* seed
      const facts = yield* Effect.flatMap(Store.Store, (s) => s.load(actors.westLiaison))
      yield* A.equal(
        idsByKind(facts),
        {
          places: [ids.subdistrict, ids.grid21, ids.village2].sort(),
          liaisons: [ids.liaison21],
          households: [ids.household4],
          residents: [ids.resident4],
          visits: [ids.visit2],
          arrivals: [],
          matters: [],
          campaigns: [ids.campaign]
        },
        "the west liaison's load"
      )
    })
  ),
  test(
    "changes and audit show only what is in scope",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const changes = yield* s.changes(actors.westLiaison, undefined)
      yield* A.equal(
        idsOf(changes.facts),
        [...F.westIds, ids.subdistrict, ids.campaign].sort(),
        "the west liaison's changes"
      )
      const audit = yield* s.audit(actors.westLiaison)
      yield* A.equal(
        audit.map((e) => e.id).sort(),
        [ids.grid21, ids.liaison21, ids.household4, ids.resident4, ids.visit2].sort(),
        "the west liaison's audit trail"
      )
      yield* A.equal(yield* s.audit(actors.westLiaison, { id: ids.household1 }), [], "another grid's audit")
    })
  ),
  test(
    "a requested scope outside the actor's scope gives nothing",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const facts = yield* s.load(actors.eastLiaison, { scope: ids.grid21 })
      yield* A.equal(Fact.toArray(facts).map((f) => f.id), [], "the east liaison loading the west grid")
      const page = yield* s.list(actors.eastLiaison, "Household", { scope: ids.grid21 })
      yield* A.equal(page.items, [], "the east liaison listing the west grid")
      const changes = yield* s.changes(actors.eastLiaison, undefined, { scope: ids.grid21 })
      yield* A.equal(changes.facts, [], "the east liaison's changes in the west grid")
    })
  ),
  test(
    "a requested scope wider than the actor's is narrowed to it",
    Effect.gen(function*() {
      yield* seed
      const facts = yield* Effect.flatMap(Store.Store, (s) => s.load(actors.eastLiaison, { scope: ids.subdistrict }))
      yield* A.equal(idsOf(facts.households), [ids.household1, ids.household2], "households")
    })
  ),
  test(
    "an auditor reads the whole scope",
    Effect.gen(function*() {
      yield* seed
      const facts = yield* Effect.flatMap(Store.Store, (s) => s.load(actors.auditor))
      yield* A.equal(idsOf(Fact.toArray(facts)), idsOf(F.all), "the auditor's load")
    })
  )
]

const load: ReadonlyArray<Case> = [
  test(
    "load by subtree holds its ancestors, its liaisons and the campaigns over it",
    Effect.gen(function*() {
      yield* seed
      const facts = yield* Effect.flatMap(Store.Store, (s) => s.load(actors.admin, { scope: ids.grid11 }))
      yield* A.equal(
        idsByKind(facts),
        {
          places: [ids.subdistrict, ids.village1, ids.grid11].sort(),
          liaisons: [ids.liaison11],
          households: [ids.household1, ids.household2],
          residents: [ids.resident2, ids.resident1].sort(),
          visits: [ids.visit1],
          arrivals: [ids.arrival],
          matters: [ids.matter],
          campaigns: [ids.campaign]
        },
        "load of East grid 1"
      )
    })
  ),
  test(
    "load's window counts visits by their local date: 23:30 in Asia/Shanghai is still that day",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      yield* setNow("2021-05-11T01:00:00+08:00")
      yield* write(actors.eastLiaison, [
        F.visit("v-late", ids.household2, ids.liaison11, "2021-05-10T23:30:00+08:00"),
        F.visit("v-early", ids.household2, ids.liaison11, "2021-05-11T00:30:00+08:00")
      ])
      const visitsIn = (from: string, to: string) =>
        Effect.map(
          s.load(actors.admin, { window: { from: LocalDate.make(from), to: LocalDate.make(to) } }),
          (f) => idsOf(f.visits)
        )
      yield* A.equal(yield* visitsIn("2021-05-10", "2021-05-10"), [ids.visit1, ids.visit2, "v-late"], "2021-05-10")
      yield* A.equal(yield* visitsIn("2021-05-11", "2021-05-11"), ["v-early"], "2021-05-11")
      yield* A.equal(
        yield* visitsIn("2021-05-09", "2021-05-11"),
        [ids.visit1, ids.visit2, "v-early", "v-late"],
        "2021-05-09 to 2021-05-11"
      )
      yield* A.equal(yield* visitsIn("2021-05-12", "2021-05-20"), [], "a window after the visits")
      const all = yield* s.load(actors.admin)
      yield* A.equal(all.visits.length, 4, "visits without a window")
      const households = yield* s.load(actors.admin, {
        window: { from: LocalDate.make("2021-05-12"), to: LocalDate.make("2021-05-12") }
      })
      yield* A.equal(idsOf(households.households), idsOf(ofTag("Household")), "the window limits visits only")
    })
  )
]

const paging: ReadonlyArray<Case> = [
  test(
    "lists page by id with next",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const many = Array.from(
        { length: 25 },
        (_, i) => F.household(`h-page-${String(i).padStart(2, "0")}`, ids.grid12, { routePosition: i })
      )
      yield* write(actors.admin, many)
      const seen: Array<string> = []
      const sizes: Array<number> = []
      let after: string | undefined = undefined
      for (let round = 0; round < 10; round++) {
        const page: Store.Page<Fact.Of<"Household">> = yield* s.list(
          actors.admin,
          "Household",
          after === undefined ? { limit: 10 } : { limit: 10, after }
        )
        sizes.push(page.items.length)
        seen.push(...page.items.map((h) => h.id))
        if (page.next === undefined) break
        after = page.next
      }
      yield* A.equal(sizes, [10, 10, 9], "page sizes")
      yield* A.equal(seen, idsOf([...ofTag("Household"), ...many]), "every household once, in id order")
    })
  ),
  test(
    "a list can be narrowed to a subtree",
    Effect.gen(function*() {
      yield* seed
      const page = yield* Effect.flatMap(
        Store.Store,
        (s) => s.list(actors.admin, "Household", { scope: ids.village2 })
      )
      yield* A.equal(idsOf(page.items), [ids.household4], "households of the West village")
    })
  )
]

const changes: ReadonlyArray<Case> = [
  test(
    "changes from a cursor return only later writes",
    Effect.gen(function*() {
      const s = yield* Store.Store
      const empty = yield* s.changes(actors.admin, undefined)
      yield* A.equal(empty.facts, [], "changes of an empty store")
      yield* seed
      const first = yield* s.changes(actors.admin, undefined)
      yield* sameFacts(first.facts, F.all, "changes from the start")
      yield* A.isTrue(!first.more, "nothing more after the first pull")
      const quiet = yield* s.changes(actors.admin, first.cursor)
      yield* A.equal(quiet.facts, [], "changes with no write since")
      yield* A.equal(quiet.cursor, first.cursor, "the cursor with no write since")
      const moved = F.household(ids.household3, ids.grid12, { address: "东村西街1号后院", routePosition: 1 })
      yield* write(actors.admin, [moved])
      const next = yield* s.changes(actors.admin, first.cursor)
      yield* sameFacts(next.facts, [moved], "changes after one update")
      yield* A.isTrue(next.cursor !== first.cursor, "the cursor moves on")
      yield* A.equal((yield* s.changes(actors.admin, next.cursor)).facts, [], "changes from the newest cursor")
    })
  ),
  test(
    "changes come in pages with more, and every fact arrives once",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const seen: Array<string> = []
      let cursor: Store.Cursor | undefined = undefined
      let pages = 0
      for (; pages < 20; pages++) {
        const page: Store.Changes = yield* s.changes(actors.admin, cursor, { limit: 5 })
        yield* A.isTrue(page.facts.length <= 5, `a page holds at most 5 facts, got ${page.facts.length}`)
        seen.push(...page.facts.map((f) => `${f._tag}:${f.id}`))
        cursor = page.cursor
        if (!page.more) break
      }
      yield* A.isTrue(pages >= 4, `22 facts in pages of 5 take at least 5 pages, took ${pages + 1}`)
      yield* A.equal(seen.sort(), F.all.map((f) => `${f._tag}:${f.id}`).sort(), "every fact once")
    })
  ),
  test(
    "a fact written twice since the cursor comes once, in its latest version",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const { cursor } = yield* s.changes(actors.admin, undefined)
      const once = F.household(ids.household2, ids.grid11, { address: "东村东街2号甲", routePosition: 2 })
      const twice = F.household(ids.household2, ids.grid11, { address: "东村东街2号乙", routePosition: 2 })
      yield* write(actors.admin, [once])
      yield* write(actors.admin, [twice])
      const next = yield* s.changes(actors.admin, cursor)
      yield* sameFacts(next.facts, [twice], "changes after two updates")
    })
  )
]

const audit: ReadonlyArray<Case> = [
  test(
    "every write that changes something is audited, with the record before and after",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      const created = yield* s.audit(actors.admin, { limit: 1000 })
      yield* A.equal(
        created.map((e) => [e.operation, e.tag, e.id, e.actorId, e.role, e.before, e.after]),
        F.all.map((f) => ["create", f._tag, f.id, "admin", "subdistrict-admin", undefined, encoded(f)]),
        "audit of the first write"
      )
      yield* A.isTrue(
        created.every((e) => DateTime.toEpochMillis(e.at) === F.millis(F.NOW)),
        "entries carry the instant of the write"
      )
      const seqs = created.map((e) => e.seq)
      yield* A.isTrue(seqs.every((n, i) => i === 0 || n > seqs[i - 1]), `seq increases: ${seqs.join(", ")}`)
      yield* setNow("2021-05-10T11:00:00+08:00")
      const updated = F.household(ids.household1, ids.grid11, { address: "东村东街1号（新）", routePosition: 1 })
      yield* write(actors.eastLeader, [updated])
      const after = yield* s.audit(actors.admin, { afterSeq: seqs[seqs.length - 1] })
      yield* A.equal(
        after.map((e) => [e.operation, e.id, e.actorId, e.role, e.before, e.after]),
        [["update", ids.household1, "leader-dong", "village-leader", encoded(F.household1), encoded(updated)]],
        "audit of an update"
      )
      yield* A.equal(
        DateTime.toEpochMillis(after[0].at),
        F.millis("2021-05-10T11:00:00+08:00"),
        "instant of the update"
      )
    })
  ),
  test(
    "the audit trail can be read for one record and in pages",
    Effect.gen(function*() {
      yield* seed
      const s = yield* Store.Store
      yield* write(actors.admin, [F.household(ids.household1, ids.grid11, { address: "改", routePosition: 1 })])
      const one = yield* s.audit(actors.admin, { id: ids.household1 })
      yield* A.equal(one.map((e) => e.operation), ["create", "update"], "the household's trail")
      const page = yield* s.audit(actors.admin, { limit: 3 })
      yield* A.equal(page.map((e) => e.id), F.all.slice(0, 3).map((f) => f.id), "the first page of three")
      const rest = yield* s.audit(actors.admin, { afterSeq: page[2].seq, limit: 1000 })
      yield* A.equal(rest.length, F.all.length - 3 + 1, "the rest of the trail")
    })
  )
]

const account = (id: string, role: Accounts.Account["role"], scope: ReadonlyArray<PlaceId>, name = id) =>
  new Accounts.Account({ id: Accounts.AccountId.make(id), name, role, scope, active: true })

const token = (id: string, accountId: string, hash: string, issuedAt: number) =>
  new Accounts.Token({
    id,
    hash,
    accountId: Accounts.AccountId.make(accountId),
    issuedAt,
    expiresAt: issuedAt + 86_400_000
  })

const accounts: ReadonlyArray<Case> = [
  test(
    "accounts are saved, replaced, read and listed by id",
    Effect.gen(function*() {
      const a = yield* Accounts.Accounts
      const leader = account("leader-dong", "village-leader", [ids.village1], "东村书记")
      const liaison = new Accounts.Account({
        id: Accounts.AccountId.make("acct-l-dong-1"),
        name: "赵红梅",
        role: "liaison",
        scope: [ids.grid11],
        liaisonId: ids.liaison11,
        active: true
      })
      yield* a.saveAccount(leader)
      yield* a.saveAccount(liaison)
      yield* A.equal(
        (yield* a.listAccounts).map((x) => x.id),
        ["acct-l-dong-1", "leader-dong"],
        "accounts in id order"
      )
      yield* A.equal(yield* A.some(yield* a.getAccount(liaison.id), "the liaison's account"), liaison, "the account")
      const renamed = account("leader-dong", "village-leader", [ids.village1], "东村主任")
      yield* a.saveAccount(renamed)
      yield* A.equal(
        (yield* A.some(yield* a.getAccount(renamed.id), "the replaced account")).name,
        "东村主任",
        "the replaced account's name"
      )
      yield* A.equal((yield* a.listAccounts).length, 2, "accounts after a replace")
      yield* A.none(yield* a.getAccount(Accounts.AccountId.make("nobody")), "an unknown account")
    })
  ),
  test(
    "tokens are found by hash and listed per account",
    Effect.gen(function*() {
      const a = yield* Accounts.Accounts
      yield* a.saveAccount(account("acct-1", "liaison", [ids.grid11]))
      yield* a.saveAccount(account("acct-2", "auditor", [ids.subdistrict]))
      const t1 = token("t-1", "acct-1", "hash-1", 1_000)
      const t2 = token("t-2", "acct-1", "hash-2", 2_000)
      const t3 = token("t-3", "acct-2", "hash-3", 3_000)
      yield* a.saveToken(t2)
      yield* a.saveToken(t1)
      yield* a.saveToken(t3)
      yield* A.equal(yield* A.some(yield* a.findToken("hash-1"), "token by hash"), t1, "token by hash")
      yield* A.none(yield* a.findToken("hash-unknown"), "an unknown hash")
      yield* A.equal((yield* a.listTokens(Accounts.AccountId.make("acct-1"))).map((t) => t.id).sort(), [
        "t-1",
        "t-2"
      ], "acct-1's tokens")
      yield* A.equal((yield* a.listTokens(Accounts.AccountId.make("acct-2"))).map((t) => t.id), ["t-3"], "acct-2's")
    })
  ),
  test(
    "a revoked token stays findable, marked revoked; revoking an unknown token says so",
    Effect.gen(function*() {
      const a = yield* Accounts.Accounts
      yield* a.saveAccount(account("acct-1", "liaison", [ids.grid11]))
      yield* a.saveToken(token("t-1", "acct-1", "hash-1", 1_000))
      yield* A.equal(yield* a.revokeToken("t-1", 5_000), true, "revoking a token")
      const found = yield* A.some(yield* a.findToken("hash-1"), "the revoked token")
      yield* A.equal(found.revokedAt, 5_000, "revokedAt")
      yield* A.equal(yield* a.revokeToken("t-missing", 5_000), false, "revoking an unknown token")
    })
  ),
  test(
    "changes to accounts and tokens, and recorded changes, join the audit trail in scope, without token hashes",
    Effect.gen(function*() {
      yield* seed
      const a = yield* Accounts.Accounts
      const s = yield* Store.Store
      const facts = yield* s.audit(actors.admin, { limit: 1000 })
      const last = facts[facts.length - 1].seq
      const cursor = (yield* s.changes(actors.admin, undefined, { limit: 1000 })).cursor
      const by = actors.admin
      const east = account("acct-east", "liaison", [ids.grid11])
      const renamed = account("acct-east", "liaison", [ids.grid11], "改名")
      const issued = token("t-east", "acct-east", "hash-of-a-secret", 1_000)
      yield* a.saveAccount(east, by)
      yield* a.saveAccount(renamed, by)
      yield* a.saveToken(issued, by)
      yield* a.revokeToken("t-east", 5_000, by)
      yield* a.revokeToken("t-east", 6_000, by)
      yield* a.saveAccount(account("acct-west", "liaison", [ids.grid21]))
      yield* a.record(by, {
        tag: "RuleParameters",
        id: "household-sweep",
        operation: "update",
        before: { enabled: true },
        after: { enabled: false },
        places: [ids.subdistrict]
      })
      const trail = yield* s.audit(actors.admin, { afterSeq: last, limit: 1000 })
      yield* A.equal(trail.map((e) => [e.tag, e.id, e.operation, e.actorId]), [
        ["Account", "acct-east", "create", by.id],
        ["Account", "acct-east", "update", by.id],
        ["Token", "t-east", "create", by.id],
        ["Token", "t-east", "update", by.id],
        ["Account", "acct-west", "create", Accounts.unattributed.id],
        ["RuleParameters", "household-sweep", "update", by.id]
      ], "the entries after the facts' (a second revocation changes nothing)")
      yield* A.isTrue(trail.every((e, i) => e.seq > (i === 0 ? last : trail[i - 1].seq)), "one rising sequence")
      yield* A.equal([trail[1].before, trail[1].after], [Accounts.audited(east), Accounts.audited(renamed)], "account")
      yield* A.equal(
        trail[3].after,
        Accounts.audited(new Accounts.Token({ ...issued, revokedAt: 5_000 })),
        "the revoked token"
      )
      yield* A.equal([trail[5].before, trail[5].after], [{ enabled: true }, { enabled: false }], "a recorded change")
      yield* A.isTrue(!A.show(trail).includes("hash-of-a-secret"), "no token hash in the trail")
      yield* A.equal(
        (yield* s.audit(actors.westLiaison, { afterSeq: last })).map((e) => e.id),
        ["acct-west"],
        "the west liaison's trail: only what concerns their grid"
      )
      yield* A.equal((yield* s.audit(actors.admin, { id: "t-east" })).length, 2, "a token's entries by id")
      yield* write(actors.admin, [F.visit("v-after", ids.household1, ids.liaison11, "2021-05-10T09:40:00+08:00")])
      yield* A.equal(
        (yield* s.changes(actors.admin, cursor)).facts.map((f) => f.id),
        ["v-after"],
        "the change feed skips the entries of accounts and settings"
      )
    })
  )
]

const concurrency: ReadonlyArray<Case> = [
  test(
    "concurrent writes are serialised: of two residents with one national ID only one gets in",
    Effect.gen(function*() {
      yield* seed
      const nid = F.nationalId("1988-08-08", 21)
      const one = F.resident("r-race-1", ids.household2, { birthDate: LocalDate.make("1988-08-08"), nationalId: nid })
      const two = F.resident("r-race-2", ids.household3, { birthDate: LocalDate.make("1988-08-08"), nationalId: nid })
      const results = yield* Effect.all([
        Effect.either(write(actors.admin, [one])),
        Effect.either(write(actors.admin, [two]))
      ], { concurrency: "unbounded" })
      const ok = results.filter((r) => r._tag === "Right").length
      yield* A.equal(ok, 1, "writes that succeeded")
      const failed = results.find((r) => r._tag === "Left")
      yield* A.equal(
        failed?._tag === "Left" && failed.left._tag === "Rejected" ? failed.left.problems.map((p) => p.code) : [],
        ["duplicate-national-id"],
        "the other write's problems"
      )
    })
  )
]

/**
 * Every case of the suite.
 *
 * @since 0.1.0
 * @category cases
 */
export const cases: ReadonlyArray<Case> = [
  ...roundTrip,
  ...history,
  ...validation,
  ...duplicates,
  ...visits,
  ...scope,
  ...load,
  ...paging,
  ...changes,
  ...audit,
  ...accounts,
  ...concurrency
]
