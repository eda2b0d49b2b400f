import { assert, describe, it } from "@effect/vitest"
import { Deployment, Household, LocalDate, MemoryStore, TimeZone } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { format, nightly } from "../src/main.js"

const Live = MemoryStore.layerMemory.pipe(Layer.provideMerge(Deployment.layer()))
const zone = TimeZone.make("Asia/Shanghai")

describe("the nightly report job", () => {
  it.effect("reports yesterday's household screening by village and the tasks missed that week", () =>
    Effect.gen(function*() {
      // 10:00 in Shanghai on 2021-05-15: the job reports on 2021-05-14
      yield* TestClock.setTime(Date.parse("2021-05-15T02:00:00Z"))
      const scenario = Scenario.make({
        today: "2021-05-14",
        villagesPerSubdistrict: 3,
        gridsPerVillage: 2,
        householdsPerGrid: 12,
        historyDays: 14
      })
      const report = yield* nightly(scenario.facts, scenario.rootId, 0.97)
      assert.strictEqual(report.date, "2021-05-14")

      // each village's figure, counted by hand from the facts
      const { facts } = scenario
      const gridVillage = new Map(facts.places.filter((p) => p.level === "grid").map((p) => [p.id, p.parentId]))
      const contacted = new Set(
        facts.visits
          .filter((v) => v.outcome === "contacted" && zone.dateOf(DateTime.toEpochMillis(v.at)) === "2021-05-14")
          .map((v) => v.householdId)
      )
      const villages = facts.places.filter((p) => p.level === "village")
      assert.deepStrictEqual(report.villages.map((v) => v.name), villages.map((v) => v.name))
      for (const village of villages) {
        const households = facts.households.filter((h) =>
          gridVillage.get(h.gridId) === village.id && Household.isActiveOn(h, report.date)
        )
        const reached = households.filter((h) => contacted.has(h.id)).length
        const figure = report.villages.find((v) => v.name === village.name)!
        assert.strictEqual(figure.missing, households.length - reached, village.name)
        assert.closeTo(figure.score, reached / households.length, 1e-9, village.name)
      }

      // a missed sweep is a household nobody reached that day, within the week
      const sweeps = report.missed.filter((t) => t.rule === "household-sweep")
      assert.isAbove(sweeps.length, 0)
      for (const t of sweeps) {
        assert.isTrue(t.due >= LocalDate.addDays(report.date, -6) && t.due < report.date, t.due)
        const reachedThatDay = facts.visits.some((v) =>
          v.householdId === t.subjectId && v.outcome === "contacted" &&
          zone.dateOf(DateTime.toEpochMillis(v.at)) === t.due
        )
        assert.isFalse(reachedThatDay, `${t.subjectId} on ${t.due}`)
      }

      const text = format(report)
      const lines = text.split("\n")
      assert.strictEqual(lines[0], "Nightly report for 2021-05-14: household screening by village (target 97.0%)")
      for (const v of report.villages) {
        assert.include(text, `${v.score < 0.97 ? "BELOW" : "ok   "} ${v.name} ${(v.score * 100).toFixed(1)}%`)
      }
      assert.include(text, `Tasks missed in the week to 2021-05-14: ${report.missed.length}`)
      assert.include(text, `  household-sweep: ${sweeps.length}`)
    }).pipe(Effect.provide(Live)))
})
