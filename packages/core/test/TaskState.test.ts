import { assert, describe, it } from "@effect/vitest"
import {
  Access,
  BuiltInRules,
  Deployment,
  Engine,
  Fact,
  Ids,
  LocalDate,
  MemoryStore,
  type Observation,
  RulePack,
  Store,
  TaskState,
  Worklist
} from "@minqing/core"
import { RuleTesting, TaskStateSuite } from "@minqing/core/testing"
import { Effect, FastCheck as fc, Layer } from "effect"

const { observe } = RuleTesting

// A small universe: ids drawn from short lists, so facts often update or move records.
const H = ["h-1", "h-2", "h-3"]
const R = ["r-1", "r-2", "r-3", "r-4", "r-5"]
const A = ["a-1", "a-2"]
const M = ["m-1", "m-2"]
const C = ["c-1", "c-2"]
const GRIDS = ["g-1", "g-2"]

const day = (offset: number) => LocalDate.addDays(LocalDate.make("2021-05-01"), offset)

const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 })

/** One fact (with the grid places it needs), built through the fixture builder so it is valid. */
type Make = ReadonlyArray<Fact.Fact>

const build = (f: (b: RuleTesting.Builder) => RuleTesting.Builder): Make => f(RuleTesting.facts()).facts()

const household: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...H),
  grid: fc.constantFrom(...GRIDS),
  from: fc.integer({ min: -30, max: 10 }),
  until: sometimes(fc.integer({ min: 10, max: 25 })),
  position: fc.integer({ min: 0, max: 50 })
}).map((h) =>
  build((b) =>
    b.household(h.id, {
      grid: h.grid,
      routePosition: h.position,
      activeFrom: day(h.from),
      ...(h.until === undefined ? {} : { activeUntil: day(h.until) })
    })
  )
)

const resident: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...R),
  household: fc.constantFrom(...H),
  born: fc.constantFrom("1935-02-03", "1961-05-06", "1990-07-08", "2004-05-10"),
  livesAlone: fc.boolean(),
  away: fc.boolean(),
  doses: fc.integer({ min: 0, max: 2 }),
  product: fc.constantFrom("sinovac-coronavac", "cansino-ad5"),
  eligibility: fc.constantFrom("eligible", "temporary", "permanent"),
  until: sometimes(fc.integer({ min: 5, max: 25 }))
}).map((r) =>
  build((b) =>
    b.resident(r.id, {
      household: r.household,
      birthDate: r.born,
      livesAlone: r.livesAlone,
      presence: r.away ? "away" : "present",
      doses: Array.from({ length: r.doses }, (_, i) => ({ date: day(i * 7), product: r.product })),
      eligibility: r.eligibility === "eligible"
        ? { _tag: "eligible" }
        : r.eligibility === "temporary"
        ? { _tag: "temporarily-contraindicated", reason: "fever", until: day(6) }
        : { _tag: "permanently-contraindicated", reason: "allergy" },
      ...(r.until === undefined ? {} : { activeUntil: day(r.until) })
    })
  )
)

const arrival: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...A),
  household: fc.constantFrom(...H),
  resident: sometimes(fc.constantFrom(...R)),
  expected: fc.integer({ min: 0, max: 18 }),
  late: fc.integer({ min: 0, max: 3 }),
  arrived: fc.boolean(),
  risk: fc.constantFrom("low" as const, "medium" as const, "high" as const),
  days: sometimes(fc.integer({ min: 0, max: 5 })),
  cancelled: fc.boolean()
}).map((a) =>
  build((b) =>
    b.arrival(a.id, {
      household: a.household,
      ...(a.resident === undefined ? {} : { resident: a.resident }),
      expected: day(a.expected),
      ...(a.arrived ? { actual: day(a.expected + a.late) } : {}),
      risk: a.risk,
      ...(a.days === undefined ? {} : { monitoringDays: a.days }),
      ...(a.cancelled ? { status: "cancelled" as const } : {})
    })
  )
)

const matter: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...M),
  household: fc.constantFrom(...H),
  opened: fc.integer({ min: 0, max: 15 }),
  resolvedAfter: sometimes(fc.integer({ min: 0, max: 8 })),
  dispute: fc.boolean()
}).map((m) =>
  build((b) =>
    b.matter(m.id, {
      household: m.household,
      openedAt: `${day(m.opened)} 09:00`,
      category: m.dispute ? "dispute" : "help-request",
      ...(m.resolvedAfter === undefined ? {} : { resolvedAt: `${day(m.opened + m.resolvedAfter)} 17:00` })
    })
  )
)

const campaign: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...C),
  kind: fc.constantFrom("decoction" as const, "leaflet" as const),
  scope: fc.constantFrom("sd-1", "v-1", ...GRIDS),
  from: fc.integer({ min: 0, max: 12 }),
  length: fc.integer({ min: 0, max: 8 })
}).map((c) =>
  build((b) => b.campaign(c.id, { kind: c.kind, scope: c.scope, from: day(c.from), to: day(c.from + c.length) }))
)

const observation: fc.Arbitrary<Observation.Observation> = fc.oneof(
  fc.constantFrom(...R).map((r) => observe.wellbeing(r)),
  fc.constantFrom(...R).map((r) => observe.vaccinationCheck(r)),
  fc.constantFrom(...R).map((r) => observe.healthCheck({ residentId: r })),
  fc.constantFrom(...A).map((a) => observe.healthCheck({ arrivalId: a })),
  fc.constantFrom(...C).map((c) => observe.decoction(c)),
  fc.constantFrom(...C).map((c) => observe.publicity(c)),
  fc.constantFrom(...M).map((m) => observe.matter(m))
)

const visit: fc.Arbitrary<Make> = fc.record({
  id: fc.integer({ min: 1, max: 40 }),
  household: fc.constantFrom(...H),
  day: fc.integer({ min: -1, max: 14 }),
  // few distinct times, so visits often share an instant (ties) or sit next to midnight
  time: fc.constantFrom("00:00", "09:00", "23:30"),
  outcome: fc.constantFrom("contacted" as const, "contacted" as const, "contacted" as const, "nobody-home" as const),
  observations: fc.array(observation, { maxLength: 3 })
}).map((v) =>
  build((b) =>
    b.visit({
      id: `v-${v.id}`,
      household: v.household,
      at: `${day(v.day)} ${v.time}`,
      outcome: v.outcome,
      observations: v.outcome === "contacted" ? v.observations : []
    })
  )
)

const liaison: fc.Arbitrary<Make> = fc.record({ grid: fc.constantFrom(...GRIDS), active: fc.boolean() }).map(
  (l) => build((b) => b.liaison("l-1", { grids: [l.grid], active: l.active }))
)

const fact = fc.oneof(
  { arbitrary: visit, weight: 8 },
  { arbitrary: household, weight: 2 },
  { arbitrary: resident, weight: 3 },
  { arbitrary: arrival, weight: 1 },
  { arbitrary: matter, weight: 1 },
  { arbitrary: campaign, weight: 1 },
  { arbitrary: liaison, weight: 1 }
)

const windowed = RulePack.configure(BuiltInRules.pack, {
  "household-sweep": { params: { cadence: { _tag: "weekdays", days: [3, 7] }, window: { before: 2, after: 1 } } },
  "elderly-alone-checkin": { params: { window: { before: 0, after: 2 } } }
})
const packs = [BuiltInRules.pack, windowed._tag === "Right" ? windowed.right : BuiltInRules.pack]

describe("TaskState: kept tasks", () => {
  it("give, as of any date and for any range inside the kept one, what the engine gives", () => {
    fc.assert(
      fc.property(
        fc.array(fact, { minLength: 1, maxLength: 30, size: "max" }).map((makes) => Fact.bundle(makes.flat())),
        fc.constantFrom("Asia/Shanghai", "America/New_York"),
        fc.integer({ min: 0, max: 1 }),
        fc.record({
          keptFrom: fc.integer({ min: -3, max: 8 }),
          keptLength: fc.integer({ min: 0, max: 14 }),
          from: fc.integer({ min: 0, max: 14 }),
          length: fc.integer({ min: 0, max: 14 }),
          asOfs: fc.array(fc.integer({ min: -6, max: 30 }), { minLength: 1, maxLength: 6 })
        }),
        (facts, zone, which, d) => {
          const pack = packs[which]
          const kept = { from: day(d.keptFrom), to: day(d.keptFrom + d.keptLength) }
          const entries = TaskState.materialise(pack, facts, { ...kept, zone })
          // any range inside the kept one
          const from = LocalDate.max(kept.from, LocalDate.min(kept.to, day(d.keptFrom + (d.from % (d.keptLength + 1)))))
          const to = LocalDate.min(kept.to, LocalDate.addDays(from, d.length))
          for (const offset of d.asOfs) {
            const asOf = day(offset)
            assert.deepStrictEqual(
              TaskState.tasksOf(entries, { from, to, asOf }),
              Engine.evaluate(pack, facts, { from, to, asOf, zone }),
              `range ${from}..${to} as of ${asOf}`
            )
          }
        }
      ),
      { numRuns: 150 }
    )
  })

  it("need only the visits of the schedule's span", () => {
    const facts = RuleTesting.facts()
      .household("h-1")
      .visit({ household: "h-1", at: "2021-04-01 10:00", id: "v-old" })
      .visit({ household: "h-1", at: "2021-05-10 10:00", id: "v-today" })
      .build()
    const range = { from: LocalDate.make("2021-05-09"), to: LocalDate.make("2021-05-11"), zone: "Asia/Shanghai" }
    const scheduled = TaskState.schedule(BuiltInRules.pack, facts, range)
    assert.deepStrictEqual(scheduled.visits, { from: range.from, to: range.to })
    assert.isTrue(scheduled.entries.every((e) => e.resolvedBy === undefined))
    const inSpan = facts.visits.filter((v) => v.id === "v-today")
    const entries = TaskState.resolve(BuiltInRules.pack, { ...facts, visits: inSpan }, range, scheduled)
    assert.deepStrictEqual(
      entries.map((e) => [e.task.id, e.resolvedBy, TaskState.stateAt(e, LocalDate.make("2021-05-10"))]),
      [
        ["household-sweep:h-1:2021-05-09", undefined, "missed"],
        ["household-sweep:h-1:2021-05-10", "v-today", "done"],
        ["household-sweep:h-1:2021-05-11", undefined, "upcoming"]
      ]
    )
  })

  it("fingerprint changes with a parameter, a rule or the order, not with the name", () => {
    const base = TaskState.fingerprint(BuiltInRules.pack)
    assert.strictEqual(TaskState.fingerprint(RulePack.rename(BuiltInRules.pack, "other")), base)
    const configured = RulePack.configure(BuiltInRules.pack, { "vaccination-followup": { params: { everyDays: 5 } } })
    assert.isTrue(configured._tag === "Right" && TaskState.fingerprint(configured.right) !== base)
    assert.notStrictEqual(TaskState.fingerprint(RulePack.remove(BuiltInRules.pack, "publicity-leaflet")), base)
    assert.notStrictEqual(
      TaskState.fingerprint(RulePack.make("x", [...BuiltInRules.pack.rules].reverse())),
      base
    )
  })
})

describe("TaskState.layerMemory", () => {
  const fresh = () =>
    TaskState.layerMemory.pipe(Layer.provideMerge(MemoryStore.layerMemory), Layer.provideMerge(Deployment.layer()))

  for (const c of TaskStateSuite.cases) {
    it.effect(c.name, () => c.test.pipe(Effect.provide(fresh())))
  }

  it.effect("is what MemoryStore.layerMemory provides, computed from the store", () =>
    Effect.gen(function*() {
      const state = yield* TaskState.TaskState
      const store = yield* Store.Store
      const b = RuleTesting.facts().household("h-1").liaison("l-1", { grids: ["g-1"] })
      const admin = Access.system([Ids.PlaceId.make("sd-1")])
      yield* store.write(admin, b.facts())
      const date = LocalDate.make("2021-05-10")
      const list = yield* state.worklist(admin, BuiltInRules.pack, { date })
      const facts = yield* store.load(admin)
      assert.deepStrictEqual(list, Worklist.make(BuiltInRules.pack, facts, { date }))
      assert.deepStrictEqual(list.stops.map((s) => s.householdId), ["h-1"])
    }).pipe(Effect.provide(MemoryStore.layerMemory.pipe(Layer.provideMerge(Deployment.layer())))))
})
