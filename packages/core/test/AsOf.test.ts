import { assert, describe, it } from "@effect/vitest"
import type { Ids } from "@minqing/core"
import { BuiltInMetrics, Coverage, LocalDate, Report } from "@minqing/core"
import { Either } from "effect"
import { arrival, at, facts, household, matter, PERIOD, rawFacts, resident, visit } from "./CoverageFixtures.js"

const D = LocalDate.make("2021-05-11")

/** Each metric's JSON export, keyed by id, so a failure names the metric that changed. */
const json = (extra: ReadonlyArray<object>, asOf = D) =>
  Object.fromEntries(
    Report.toJson(Either.getOrThrow(Coverage.compute({
      facts: facts(extra),
      metrics: BuiltInMetrics.all,
      scope: "sd" as Ids.PlaceId,
      period: PERIOD,
      asOf
    }))).metrics.map((m) => [m.id, JSON.stringify(m)])
  )

// Facts dated after 05-11, each of a kind the engine must cut by date. Later versions of
// r2 (a dose on 05-12) and m2 (resolved on 05-12) replace the earlier ones, as in a store.
const later = (): Array<object> => {
  const r2 = rawFacts().find((f) => (f as { id?: string }).id === "r2") as { doses: Array<object> }
  return [
    visit("h4", "L3", at("2021-05-12", "00:05"), "contacted", [
      { _tag: "vaccination-check", residentId: "r3", status: "unvaccinated", persuaded: true },
      { _tag: "elderly-wellbeing", residentId: "r1", wellbeing: "well", needs: [] }
    ]),
    visit("h1", "L1", at("2021-05-12", "09:00"), "contacted", [
      { _tag: "elderly-wellbeing", residentId: "r1", wellbeing: "well", needs: [] }
    ]),
    household("h7", "g2", 2, { activeFrom: "2021-05-12" }),
    resident("r10", "h3", "1980-01-01", { activeFrom: "2021-05-12" }),
    resident("r2", "h1", "1981-01-01", {
      doses: [...r2.doses, { date: "2021-05-12", product: "sinopharm-bibp" }]
    }),
    arrival("a9", "h2", {
      expectedArrival: "2021-05-11",
      actualArrival: "2021-05-11",
      reportedAt: at("2021-05-12")
    }),
    matter("m9", "h3", "2021-05-12", "2021-05-13"),
    matter("m2", "h2", "2021-05-01", "2021-05-05", {
      category: "dispute",
      status: "resolved",
      resolution: { at: at("2021-05-12"), note: "调解成功" }
    }),
    {
      _tag: "Liaison",
      id: "L9",
      name: "新联络员",
      phone: "13812345678",
      background: "grid-worker",
      gridIds: ["g2"],
      appointedFrom: "2021-05-12",
      active: true
    }
  ]
}

describe("as of a date", () => {
  it("a figure as of a past date ignores every fact dated after it", () => {
    const before = json([])
    const after = json(later())
    for (const id of Object.keys(before)) assert.strictEqual(after[id], before[id], id)
  })

  it("the same later facts do change the figures as of their own date", () => {
    // So the test above would notice if they leaked.
    const before = json([], LocalDate.make("2021-05-12"))
    const after = json(later(), LocalDate.make("2021-05-12"))
    const changed = Object.keys(before).filter((id) => after[id] !== before[id])
    assert.includeMembers(changed, [
      "household-screening",
      "vaccination-first-dose",
      "vaccination-status-checked",
      "arrivals-reported-in-advance",
      "elderly-checkins-done",
      "matters-opened",
      "matters-resolved",
      "workload-households"
    ])
  })

  it("a visit at 23:59 local on the as-of date counts, one at 00:05 the next day does not", () => {
    const screening = (extra: ReadonlyArray<object>) =>
      Either.getOrThrow(Coverage.compute({
        facts: facts(extra),
        metrics: [BuiltInMetrics.householdScreening],
        scope: "sd" as Ids.PlaceId,
        period: PERIOD,
        asOf: D
      })).results[0].figures[0].counts.numerator
    // As of 05-11: h1, h3, h5 contacted = 3. h4 at 23:59 on 05-11 makes 4; at 00:05 on 05-12, still 3.
    assert.strictEqual(screening([]), 3)
    assert.strictEqual(screening([visit("h4", "L3", at("2021-05-11", "23:59"))]), 4)
    assert.strictEqual(screening([visit("h4", "L3", at("2021-05-12", "00:05"))]), 3)
  })
})
