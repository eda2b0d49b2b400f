import { assert, describe, it } from "@effect/vitest"
import { BuiltInRules, Forecast, LocalDate, RulePack } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"
import { Either } from "effect"

// Monday 10 May to Sunday 16 May 2021
const options = { from: LocalDate.make("2021-05-10"), days: 7 }

const facts = () =>
  RuleTesting.facts()
    .liaison("l-1", { grids: ["g-1"], name: "Li" })
    .liaison("l-2", { grids: ["g-2"], name: "Zhang" })
    .household("h-1", { grid: "g-1" })
    .household("h-2", { grid: "g-1" })
    .household("h-3", { grid: "g-2", activeUntil: "2021-05-12" })
    .household("h-4", { grid: "g-9" })
    .resident("r-1", { household: "h-1", birthDate: "1940-01-01", livesAlone: true })
    .build()

const sweepOnly = RulePack.make("daily sweep", [BuiltInRules.householdSweep, BuiltInRules.elderlyAloneCheckin])

describe("Forecast", () => {
  it("counts tasks and households per liaison per day", () => {
    const f = Forecast.make(sweepOnly, facts(), options)
    assert.deepStrictEqual(f.days.length, 7)
    const [li, zhang, unassigned] = f.rows
    assert.strictEqual(li.name, "Li")
    assert.deepStrictEqual(li.tasks, [3, 3, 3, 3, 3, 3, 3])
    assert.deepStrictEqual(li.households, [2, 2, 2, 2, 2, 2, 2])
    // h-3 moves out after Wednesday
    assert.deepStrictEqual(zhang.tasks, [1, 1, 1, 0, 0, 0, 0])
    assert.strictEqual(unassigned.liaisonId, undefined)
    assert.deepStrictEqual(unassigned.tasks, [1, 1, 1, 1, 1, 1, 1])
    assert.deepStrictEqual(f.totals.tasks, [5, 5, 5, 4, 4, 4, 4])
    assert.deepStrictEqual(f.byRule, { "household-sweep": 24, "elderly-alone-checkin": 7 })
  })

  it("shows what a cadence change costs before adopting it", () => {
    const weekly = Either.getOrThrow(
      RulePack.configure(RulePack.rename(sweepOnly, "weekly sweep"), {
        "household-sweep": { params: { cadence: { _tag: "weekdays", days: [7] }, window: { before: 6, after: 0 } } }
      })
    )
    const before = Forecast.make(sweepOnly, facts(), options)
    const after = Forecast.make(weekly, facts(), options)
    // weekly sweeps fall due on Sunday; h-3's week opened while it was still there, so it counts
    assert.deepStrictEqual(after.rows[0].tasks, [1, 1, 1, 1, 1, 1, 3])
    assert.deepStrictEqual(after.rows[1].tasks, [0, 0, 0, 0, 0, 0, 1])
    assert.strictEqual(Forecast.summary(before).totalTasks, 31)
    assert.strictEqual(Forecast.summary(after).totalTasks, 11)
    const text = Forecast.formatComparison(before, after)
    assert.include(text, "\"daily sweep\" → \"weekly sweep\"")
    assert.match(text, /household-sweep +24 → 4/)
    assert.include(Forecast.format(after), "Li")
  })
})
