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
  RulePack,
  Store,
  TaskState,
  Worklist
} from "@minqing/core"
import { RuleTesting, TaskStateSuite } from "@minqing/core/testing"
import { Effect, FastCheck as fc, Layer } from "effect"

import { day, fact } from "./FactArbitraries.js"

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
