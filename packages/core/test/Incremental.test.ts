import { assert, describe, it } from "@effect/vitest"
import { BuiltInRules, Engine, Fact, Ids, LocalDate, RulePack, Task } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"
import { FastCheck as fc } from "effect"
import { day, fact } from "./FactArbitraries.js"

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
