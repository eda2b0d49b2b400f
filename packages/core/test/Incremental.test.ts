import { assert, describe, it } from "@effect/vitest"
import { BuiltInRules, Engine, Fact, Ids, LocalDate, type Observation, RulePack, Task } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"
import { FastCheck as fc } from "effect"

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

const pack = BuiltInRules.pack.pipe(RulePack.add(BuiltInRules.householdSweep))
const windowed = RulePack.configure(BuiltInRules.pack, {
  "household-sweep": { params: { cadence: { _tag: "weekdays", days: [3, 7] }, window: { before: 2, after: 1 } } },
  "elderly-alone-checkin": { params: { window: { before: 0, after: 2 } } }
})

describe("incremental evaluation", () => {
  it("gives the same tasks as a full evaluation, for any sequence of facts", () => {
    const packs = [pack, windowed._tag === "Right" ? windowed.right : pack]
    fc.assert(
      fc.property(
        // each fact is built on its own, so the sequence updates and moves records
        fc.array(fact, { minLength: 1, maxLength: 30, size: "max" }).map((makes) => makes.flat()),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 40, maxLength: 40 }),
        fc.constantFrom("Asia/Shanghai", "America/New_York"),
        fc.integer({ min: 0, max: 1 }),
        fc.record({
          asOf: fc.integer({ min: 0, max: 24 }),
          from: fc.integer({ min: 0, max: 12 }),
          length: fc.integer({ min: 0, max: 12 })
        }),
        (facts, split, batches, zone, which, dates) => {
          const options = {
            asOf: day(dates.asOf),
            from: day(dates.from),
            to: day(dates.from + dates.length),
            zone
          }
          const cut = Math.min(split, facts.length)
          const engine = Engine.make(packs[which], facts.slice(0, cut), options)
          let i = cut
          let b = 0
          while (i < facts.length) {
            const size = batches[b++ % batches.length]
            Engine.update(engine, facts.slice(i, i + size))
            i += size
            const full = Engine.evaluate(packs[which], Fact.bundle(facts.slice(0, Math.min(i, facts.length))), options)
            assert.deepStrictEqual(Engine.tasks(engine), full)
          }
          assert.deepStrictEqual(Engine.tasks(engine), Engine.evaluate(packs[which], Fact.bundle(facts), options))
        }
      ),
      { numRuns: 120 }
    )
  })

  it("gives the same tasks from a bundle, moved across dates and updated, as a fresh evaluation", () => {
    // An engine made from a bundle files only the visits its windows reach; moving it to
    // other dates and feeding it facts (some replacing visits not filed yet) must not show.
    const dates = fc.record({
      asOf: fc.integer({ min: -2, max: 24 }),
      from: fc.integer({ min: -2, max: 16 }),
      length: fc.integer({ min: 0, max: 8 })
    }).map((d) => ({ asOf: day(d.asOf), from: day(d.from), to: day(d.from + d.length) }))
    fc.assert(
      fc.property(
        fc.array(fact, { minLength: 1, maxLength: 30, size: "max" }).map((makes) => makes.flat()),
        fc.array(fact, { maxLength: 8 }).map((makes) => makes.flat()),
        fc.array(dates, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("Asia/Shanghai", "America/New_York"),
        fc.integer({ min: 0, max: 1 }),
        (facts, later, moves, zone, which) => {
          const p = which === 0 ? pack : windowed._tag === "Right" ? windowed.right : pack
          const engine = Engine.make(p, Fact.bundle(facts), { ...moves[0], zone })
          for (const [i, d] of moves.entries()) {
            Engine.moveTo(engine, d)
            assert.deepStrictEqual(Engine.tasks(engine), Engine.evaluate(p, Fact.bundle(facts), { ...d, zone }))
            if (i === 0 && later.length > 0) {
              Engine.update(engine, later)
              facts = [...facts, ...later]
              assert.deepStrictEqual(Engine.tasks(engine), Engine.evaluate(p, Fact.bundle(facts), { ...d, zone }))
            }
          }
          assert.deepStrictEqual(
            [...Engine.facts(engine).visits].map((v) => v.id).sort(),
            Fact.bundle(facts).visits.map((v) => v.id).sort()
          )
        }
      ),
      { numRuns: 150 }
    )
  })

  it("files only the visits the dates reach, with the same tasks as filing every visit", () => {
    // A bundle's evaluation reads each visit's instant once and files the days its windows
    // reach; facts given one by one are all filed. Dates range before, over and after the visits.
    const dates = fc.record({
      asOf: fc.integer({ min: -6, max: 30 }),
      from: fc.integer({ min: -6, max: 24 }),
      length: fc.integer({ min: 0, max: 10 })
    }).map((d) => ({ asOf: day(d.asOf), from: day(d.from), to: day(d.from + d.length) }))
    fc.assert(
      fc.property(
        fc.array(fact, { minLength: 1, maxLength: 40, size: "max" }).map((makes) => makes.flat()),
        dates,
        fc.constantFrom("Asia/Shanghai", "America/New_York", "Pacific/Chatham"),
        fc.integer({ min: 0, max: 1 }),
        (facts, d, zone, which) => {
          const p = which === 0 ? pack : windowed._tag === "Right" ? windowed.right : pack
          const options = { ...d, zone }
          const everyVisit = Engine.evaluate(p, facts, options)
          assert.deepStrictEqual(Engine.evaluate(p, Fact.bundle(facts), options), everyVisit)
          assert.deepStrictEqual(
            Engine.views(p, Fact.bundle(facts), options).map((t) => `${t.id} ${t.state} ${t.resolvedOn ?? ""}`),
            everyVisit.map((t) => `${t.id} ${t.state} ${t.resolvedOn ?? ""}`)
          )
        }
      ),
      { numRuns: 200 }
    )
  })

  it("re-evaluates only the households a fact touches", () => {
    const b = RuleTesting.facts()
      .household("h-1")
      .household("h-2")
      .household("h-3", { grid: "g-2" })
      .resident("r-1", { household: "h-1" })
    const d = LocalDate.make("2021-05-10")
    const engine = Engine.make(BuiltInRules.pack, b.build(), { asOf: d, from: d, to: d })
    const before = Engine.tasksOf(engine, Ids.HouseholdId.make("h-2"))

    const next = RuleTesting.facts().visit({ household: "h-1", at: "2021-05-10 10:00" }).facts()
    assert.deepStrictEqual(Engine.update(engine, next), [Ids.HouseholdId.make("h-1")])
    assert.strictEqual(Engine.tasksOf(engine, Ids.HouseholdId.make("h-2")), before, "h-2's tasks were not recomputed")

    const moved = RuleTesting.facts().resident("r-1", { household: "h-2" }).facts()
    assert.deepStrictEqual([...Engine.update(engine, moved)].sort(), ["h-1", "h-2"])

    const campaign = RuleTesting.facts().campaign("c-1", {
      kind: "decoction",
      scope: "g-2",
      from: "2021-05-10",
      to: "2021-05-12"
    })
      .facts().filter((f) => f._tag === "Campaign")
    assert.deepStrictEqual([...Engine.update(engine, campaign)].sort(), ["h-1", "h-2", "h-3"])
    assert.deepStrictEqual(
      Engine.tasks(engine).filter((t) => t.rule === "decoction-distribution").map((t) => t.subjectId),
      ["h-3@c-1"]
    )
  })

  it("updates states as visits arrive, keeping ids", () => {
    const d = LocalDate.make("2021-05-10")
    const engine = Engine.make(BuiltInRules.pack, RuleTesting.facts().household("h-1").build(), {
      asOf: d,
      from: d,
      to: d
    })
    const [before] = Engine.tasks(engine)
    assert.strictEqual(before.state, "due")
    Engine.update(engine, RuleTesting.facts().visit({ household: "h-1", at: "2021-05-10 23:30", id: "v-late" }).facts())
    const [after] = Engine.tasks(engine)
    assert.strictEqual(after.id, before.id)
    assert.strictEqual(
      Task.format(after),
      "household-sweep h-1 due 2021-05-10 [2021-05-10..2021-05-10] normal done by v-late on 2021-05-10"
    )
    // moving the engine to the next day re-evaluates with the same indexes
    Engine.moveTo(engine, { asOf: LocalDate.make("2021-05-11"), from: d, to: LocalDate.make("2021-05-11") })
    assert.deepStrictEqual(Engine.tasks(engine).map((t) => t.state), ["done", "due"])
  })
})
