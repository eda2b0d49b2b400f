import { assert, describe, it } from "@effect/vitest"
import { BuiltInRules, RulePack } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"
import { Either } from "effect"

const pack = BuiltInRules.pack
const { observe } = RuleTesting

const configured = (config: unknown): RulePack.RulePack => Either.getOrThrow(RulePack.configure(pack, config))

const household = () => RuleTesting.facts().household("h-1")

describe("household-sweep", () => {
  const rule = "household-sweep"

  it("applies to each active household, from the day it becomes active", () => {
    const facts = household().household("h-2", { activeFrom: "2021-05-11" }).build()
    RuleTesting.expectTasks(pack, facts, "2021-05-10")
      .toInclude({ rule, subject: "h-1", due: "2021-05-10", state: "due", priority: "normal" })
      .toExclude({ rule, subject: "h-2" })
    RuleTesting.expectTasks(pack, facts, "2021-05-11").toInclude({ rule, subject: "h-2", state: "due" })
  })

  it("recurs daily, with states as of the date", () => {
    RuleTesting.expectTasks(pack, household(), "2021-05-10", { from: "2021-05-08", to: "2021-05-12" })
      .toHaveStates(rule, "h-1", {
        "2021-05-08": "missed",
        "2021-05-09": "missed",
        "2021-05-10": "due",
        "2021-05-11": "upcoming",
        "2021-05-12": "upcoming"
      })
  })

  it("is resolved by a contacted visit that day, not by nobody-home", () => {
    const facts = household()
      .visit({ household: "h-1", at: "2021-05-09 09:00", outcome: "nobody-home" })
      .visit({ household: "h-1", at: "2021-05-09 15:00", id: "v-ok" })
      .visit({ household: "h-1", at: "2021-05-10 08:00", outcome: "refused" })
      .build()
    RuleTesting.expectTasks(pack, facts, "2021-05-11", { from: "2021-05-09", to: "2021-05-10" })
      .toInclude({ rule, due: "2021-05-09", state: "done", resolvedBy: "v-ok" })
      .toInclude({ rule, due: "2021-05-10", state: "missed" })
  })

  it("stays done once resolved, and ignores visits after the as-of date", () => {
    const facts = household().visit({ household: "h-1", at: "2021-05-10 20:00" }).build()
    RuleTesting.expectTasks(pack, facts, "2021-05-10").toInclude({ rule, state: "done" })
    RuleTesting.expectTasks(pack, facts, "2021-06-30", { from: "2021-05-10" }).toInclude({
      rule,
      due: "2021-05-10",
      state: "done"
    })
    // as of the day before, the visit has not happened yet
    RuleTesting.expectTasks(pack, facts, "2021-05-09", { from: "2021-05-10" }).toInclude({ rule, state: "upcoming" })
  })

  it("goes missed when the day passes without a visit", () => {
    RuleTesting.expectTasks(pack, household(), "2021-05-11", { from: "2021-05-10" }).toInclude({
      rule,
      due: "2021-05-10",
      state: "missed"
    })
  })

  it("is cancelled when the household stops being active inside a window, and stops recurring", () => {
    const weekly = configured({
      "household-sweep": { params: { cadence: { _tag: "weekdays", days: [7] }, window: { before: 6, after: 0 } } }
    })
    // the week of Mon 10 May ends on Sunday 16 May; the household moves out on Wednesday
    const facts = RuleTesting.facts().household("h-1", { activeUntil: "2021-05-12" }).build()
    RuleTesting.expectTasks(weekly, facts, "2021-05-11", { from: "2021-05-10", to: "2021-05-23" })
      .toHaveStates(rule, "h-1", { "2021-05-16": "due" })
    const after = RuleTesting.expectTasks(weekly, facts, "2021-05-13", { from: "2021-05-10", to: "2021-05-23" })
      .toHaveStates(rule, "h-1", { "2021-05-16": "cancelled" })
    assert.strictEqual(after.tasks[0].explanation.stopped, "household h-1 is inactive after 2021-05-12")
  })
})

describe("elderly-alone-checkin", () => {
  const rule = "elderly-alone-checkin"
  const facts = () =>
    household()
      .resident("r-old", { household: "h-1", birthDate: "1950-03-07", livesAlone: true })
      .resident("r-couple", { household: "h-1", birthDate: "1940-01-01", livesAlone: false })
      .resident("r-59", { household: "h-1", birthDate: "1961-05-11", livesAlone: true })

  it("applies to residents aged 60 or more who live alone, with high priority", () => {
    RuleTesting.expectTasks(pack, facts(), "2021-05-10")
      .toInclude({ rule, subject: "r-old", state: "due", priority: "high" })
      .toExclude({ rule, subject: "r-couple" })
      .toExclude({ rule, subject: "r-59" })
    // r-59 turns 60 on 11 May
    RuleTesting.expectTasks(pack, facts(), "2021-05-11").toInclude({ rule, subject: "r-59", state: "due" })
  })

  it("recurs daily", () => {
    RuleTesting.expectTasks(pack, facts(), "2021-05-09", { from: "2021-05-08", to: "2021-05-10" })
      .toHaveStates(rule, "r-old", { "2021-05-08": "missed", "2021-05-09": "due", "2021-05-10": "upcoming" })
  })

  it("is resolved by a wellbeing observation of that person only", () => {
    const f = facts()
      .visit({ household: "h-1", at: "2021-05-08 10:00", observations: [observe.wellbeing("r-couple")] })
      .visit({ household: "h-1", at: "2021-05-09 10:00", observations: [observe.wellbeing("r-old", "needs-help")] })
    RuleTesting.expectTasks(pack, f, "2021-05-10", { from: "2021-05-08", to: "2021-05-10" })
      .toHaveStates(rule, "r-old", { "2021-05-08": "missed", "2021-05-09": "done", "2021-05-10": "due" })
      // the contacted visit still counts for the household sweep
      .toInclude({ rule: "household-sweep", due: "2021-05-08", state: "done" })
  })

  it("is cancelled when the resident leaves inside a window", () => {
    const every2 = configured({ "elderly-alone-checkin": { params: { window: { before: 0, after: 2 } } } })
    const f = household().resident("r-old", {
      household: "h-1",
      birthDate: "1950-03-07",
      livesAlone: true,
      activeUntil: "2021-05-10"
    })
    RuleTesting.expectTasks(every2, f, "2021-05-12", { from: "2021-05-10", to: "2021-05-14" })
      // windows of 3 days: the one of 8 May closed with the resident still there; the later ones were cut short
      .toHaveStates(rule, "r-old", { "2021-05-08": "missed", "2021-05-09": "cancelled", "2021-05-10": "cancelled" })
  })
})

describe("vaccination-followup", () => {
  const rule = "vaccination-followup"
  // every 3 days from 1 Jan 2021 (when the records start): …, 7 May, 10 May, 13 May, …
  const base = () => household().resident("r-1", { household: "h-1", birthDate: "1980-01-01" })

  it("applies to present, eligible adults whose course is not complete", () => {
    const f = base()
      .resident("r-away", { household: "h-1", presence: "away" })
      .resident("r-child", { household: "h-1", birthDate: "2004-01-01" })
      .resident("r-no", {
        household: "h-1",
        eligibility: { _tag: "permanently-contraindicated", reason: "allergy" }
      })
      .resident("r-later", {
        household: "h-1",
        eligibility: { _tag: "temporarily-contraindicated", reason: "fever", until: "2021-05-10" }
      })
      .resident("r-done", { household: "h-1", doses: [{ date: "2021-04-01", product: "cansino-ad5" }] })
    const e = RuleTesting.expectTasks(pack, f, "2021-05-10", { from: "2021-05-08", to: "2021-05-14" })
      .toInclude({ rule, subject: "r-1", due: "2021-05-10", window: ["2021-05-10", "2021-05-12"], state: "due" })
      .toExclude({ rule, subject: "r-away" })
      .toExclude({ rule, subject: "r-child" })
      .toExclude({ rule, subject: "r-no" })
      .toExclude({ rule, subject: "r-done" })
      // eligible again from 11 May: the rhythm starts there
      .toHaveStates(rule, "r-later", { "2021-05-11": "upcoming", "2021-05-14": "upcoming" })
    assert.include(e.where({ subject: "r-later" })[0].explanation.because.join(" "), "eligible again from 2021-05-11")
  })

  it("recurs every 3 days with a 3-day window", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-11", { from: "2021-05-06", to: "2021-05-16" })
      .toHaveStates(rule, "r-1", {
        "2021-05-04": "missed",
        "2021-05-07": "missed",
        "2021-05-10": "overdue",
        "2021-05-13": "upcoming",
        "2021-05-16": "upcoming"
      })
  })

  it("is resolved by a vaccination check of that person inside the window", () => {
    const f = base().visit({
      household: "h-1",
      at: "2021-05-12 18:00",
      observations: [observe.vaccinationCheck("r-1", "partial")]
    })
    RuleTesting.expectTasks(pack, f, "2021-05-13", { from: "2021-05-10", to: "2021-05-13" })
      .toHaveStates(rule, "r-1", { "2021-05-10": "done", "2021-05-13": "due" })
  })

  it("goes missed when the window closes without a check", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-13", { from: "2021-05-12", to: "2021-05-12" })
      .toHaveStates(rule, "r-1", { "2021-05-10": "missed" })
  })

  it("stops when the course is complete (doses per product are a parameter)", () => {
    const f = base().resident("r-2", {
      household: "h-1",
      doses: [{ date: "2021-04-01", product: "sinovac-coronavac" }, {
        date: "2021-05-11",
        product: "sinovac-coronavac"
      }]
    })
    RuleTesting.expectTasks(pack, f, "2021-05-12", { from: "2021-05-10", to: "2021-05-20" })
      .toHaveStates(rule, "r-2", { "2021-05-10": "cancelled" })
    const three = configured({ "vaccination-followup": { params: { dosesNeeded: { "sinovac-coronavac": 3 } } } })
    RuleTesting.expectTasks(three, f, "2021-05-12", { from: "2021-05-10", to: "2021-05-13" })
      .toHaveStates(rule, "r-2", { "2021-05-10": "overdue", "2021-05-13": "upcoming" })
  })
})

describe("arrival-first-visit", () => {
  const rule = "arrival-first-visit"
  const base = () =>
    household()
      .resident("r-1", { household: "h-1" })
      .arrival("a-1", { household: "h-1", expected: "2021-05-10", risk: "high", reportedAt: "2021-05-08 09:00" })

  it("applies on the arrival day with a window to the next day, high priority", () => {
    const e = RuleTesting.expectTasks(pack, base(), "2021-05-10")
      .toInclude({ rule, subject: "a-1", due: "2021-05-10", window: ["2021-05-10", "2021-05-11"], priority: "high" })
    assert.include(e.where({ rule })[0].explanation.because[0], "reported on 2021-05-08 in advance")
  })

  it("occurs once, on the actual arrival date when known", () => {
    const f = household().arrival("a-2", { household: "h-1", expected: "2021-05-10", actual: "2021-05-12" })
    RuleTesting.expectTasks(pack, f, "2021-05-12", { from: "2021-05-01", to: "2021-05-31" })
      .toEqual([{ rule, subject: "a-2", due: "2021-05-12", state: "due" }], { rule })
  })

  it("is resolved by a health check of the arrival, or of the known resident", () => {
    RuleTesting.expectTasks(
      pack,
      base().visit({
        household: "h-1",
        at: "2021-05-11 21:00",
        observations: [observe.healthCheck({ arrivalId: "a-1" })]
      }),
      "2021-05-11"
    ).toInclude({ rule, state: "done" })
    const known = household()
      .resident("r-1", { household: "h-1" })
      .arrival("a-3", { household: "h-1", resident: "r-1", expected: "2021-05-10" })
      .visit({ household: "h-1", at: "2021-05-10 09:00", observations: [observe.healthCheck({ residentId: "r-1" })] })
    RuleTesting.expectTasks(pack, known, "2021-05-10").toInclude({ rule, subject: "a-3", state: "done" })
  })

  it("is overdue on the second day and missed after", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-11", { from: "2021-05-10" }).toInclude({ rule, state: "overdue" })
    RuleTesting.expectTasks(pack, base(), "2021-05-12", { from: "2021-05-10" }).toInclude({ rule, state: "missed" })
  })

  it("is cancelled when the arrival report is cancelled", () => {
    const f = household().arrival("a-1", { household: "h-1", expected: "2021-05-10", status: "cancelled" })
    const e = RuleTesting.expectTasks(pack, f, "2021-05-09", { from: "2021-05-10" })
      .toInclude({ rule, state: "cancelled" })
    assert.strictEqual(e.where({ rule })[0].explanation.stopped, "arrival report a-1 was cancelled")
  })
})

describe("arrival-monitoring", () => {
  const rule = "arrival-monitoring"
  const arrival = (risk: "low" | "medium" | "high", monitoringDays?: number) =>
    household().arrival("a-1", {
      household: "h-1",
      expected: "2021-05-10",
      risk,
      ...(monitoringDays === undefined ? {} : { monitoringDays })
    })

  it("applies for the days set by the origin's risk, or by the report", () => {
    const count = (f: RuleTesting.Builder) =>
      RuleTesting.tasks(pack, f, "2021-05-10", { from: "2021-05-01", to: "2021-06-30" }).filter((t) => t.rule === rule)
        .length
    assert.strictEqual(count(arrival("low")), 0)
    assert.strictEqual(count(arrival("medium")), 7)
    assert.strictEqual(count(arrival("high")), 14)
    assert.strictEqual(count(arrival("low", 3)), 3)
  })

  it("recurs daily from the day after arrival", () => {
    RuleTesting.expectTasks(pack, arrival("medium"), "2021-05-12", { from: "2021-05-09", to: "2021-05-20" })
      .toHaveStates(rule, "a-1", {
        "2021-05-11": "missed",
        "2021-05-12": "due",
        "2021-05-13": "upcoming",
        "2021-05-14": "upcoming",
        "2021-05-15": "upcoming",
        "2021-05-16": "upcoming",
        "2021-05-17": "upcoming"
      })
  })

  it("is resolved by a health check that day", () => {
    const f = arrival("medium", 2)
      .visit({ household: "h-1", at: "2021-05-11 08:00", observations: [observe.healthCheck({ arrivalId: "a-1" })] })
    RuleTesting.expectTasks(pack, f, "2021-05-13", { from: "2021-05-11", to: "2021-05-12" })
      .toHaveStates(rule, "a-1", { "2021-05-11": "done", "2021-05-12": "missed" })
  })

  it("is cancelled when the arrival report is cancelled", () => {
    const f = household().arrival("a-1", {
      household: "h-1",
      expected: "2021-05-10",
      risk: "medium",
      monitoringDays: 2,
      status: "cancelled"
    })
    RuleTesting.expectTasks(pack, f, "2021-05-12", { from: "2021-05-11", to: "2021-05-12" })
      .toHaveStates(rule, "a-1", { "2021-05-11": "cancelled", "2021-05-12": "cancelled" })
  })
})

describe("decoction-distribution", () => {
  const rule = "decoction-distribution"
  const base = () =>
    household()
      .household("h-far", { grid: "g-far" })
      .place("v-2", { level: "village", parent: "sd-1" })
      .place("g-far", { level: "grid", parent: "v-2" })
      .campaign("c-1", { kind: "decoction", scope: "v-1", from: "2021-05-08", to: "2021-05-12" })

  it("applies to households in the campaign's scope during the campaign", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-10", { from: "2021-05-01", to: "2021-05-31" })
      .toInclude({ rule, subject: "h-1@c-1", household: "h-1", due: "2021-05-08" })
      .toExclude({ rule, household: "h-far" })
      .toExclude({ rule, due: "2021-05-07" })
      .toExclude({ rule, due: "2021-05-13" })
  })

  it("recurs daily through the campaign", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-10", { from: "2021-05-01", to: "2021-05-31" })
      .toHaveStates(rule, "h-1@c-1", {
        "2021-05-08": "missed",
        "2021-05-09": "missed",
        "2021-05-10": "due",
        "2021-05-11": "upcoming",
        "2021-05-12": "upcoming"
      })
  })

  it("is resolved by decoction handed out for that campaign", () => {
    const f = base()
      .campaign("c-2", { kind: "decoction", scope: "g-far", from: "2021-05-01", to: "2021-05-31" })
      .visit({ household: "h-1", at: "2021-05-09 10:00", observations: [observe.decoction("c-2")] })
      .visit({ household: "h-1", at: "2021-05-10 10:00", observations: [observe.decoction("c-1")] })
    RuleTesting.expectTasks(pack, f, "2021-05-10", { from: "2021-05-09", to: "2021-05-10" })
      .toHaveStates(rule, "h-1@c-1", { "2021-05-09": "missed", "2021-05-10": "done" })
  })

  it("is cancelled when the household leaves inside a window", () => {
    const twoDay = configured({
      "decoction-distribution": { params: { cadence: { _tag: "every", days: 2 }, window: { before: 0, after: 1 } } }
    })
    const f = RuleTesting.facts()
      .household("h-1", { activeUntil: "2021-05-10" })
      .campaign("c-1", { kind: "decoction", from: "2021-05-08", to: "2021-05-14" })
    RuleTesting.expectTasks(twoDay, f, "2021-05-12", { from: "2021-05-08", to: "2021-05-14" })
      .toHaveStates(rule, "h-1@c-1", { "2021-05-08": "missed", "2021-05-10": "cancelled" })
  })
})

describe("publicity-leaflet", () => {
  const rule = "publicity-leaflet"
  const base = () => household().campaign("c-l", { kind: "leaflet", from: "2021-05-10", to: "2021-05-16" })

  it("applies once per campaign per household, the window spanning the campaign", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-10", { from: "2021-05-01", to: "2021-05-31" })
      .toEqual([{ rule, subject: "h-1@c-l", due: "2021-05-16", window: ["2021-05-10", "2021-05-16"], state: "due" }], {
        rule
      })
  })

  it("recurs per campaign, not per day", () => {
    const f = base().campaign("c-m", { kind: "leaflet", from: "2021-05-20", to: "2021-05-21" })
    assert.deepStrictEqual(
      RuleTesting.tasks(pack, f, "2021-05-10", { from: "2021-05-01", to: "2021-05-31" })
        .filter((t) => t.rule === rule)
        .map((t) => t.subjectId),
      ["h-1@c-l", "h-1@c-m"]
    )
  })

  it("is resolved by publicity for that campaign on any day of it", () => {
    const f = base().visit({ household: "h-1", at: "2021-05-11 10:00", observations: [observe.publicity("c-l")] })
    RuleTesting.expectTasks(pack, f, "2021-05-20", { from: "2021-05-10" }).toInclude({ rule, state: "done" })
  })

  it("goes missed after the campaign ends", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-17", { from: "2021-05-10" }).toInclude({ rule, state: "missed" })
  })

  it("is cancelled when the household leaves during the campaign", () => {
    const f = RuleTesting.facts()
      .household("h-1", { activeUntil: "2021-05-12" })
      .campaign("c-l", { kind: "leaflet", from: "2021-05-10", to: "2021-05-16" })
    RuleTesting.expectTasks(pack, f, "2021-05-11", { from: "2021-05-10" }).toInclude({ rule, state: "due" })
    RuleTesting.expectTasks(pack, f, "2021-05-13", { from: "2021-05-10" }).toInclude({ rule, state: "cancelled" })
  })
})

describe("matter-followup", () => {
  const rule = "matter-followup"
  const base = () => household().matter("m-1", { household: "h-1", openedAt: "2021-05-10 09:00" })

  it("applies to an open matter: due within 2 days of opening; disputes are high priority", () => {
    const f = base().matter("m-2", { household: "h-1", openedAt: "2021-05-10 09:00", category: "dispute" })
    RuleTesting.expectTasks(pack, f, "2021-05-10")
      .toInclude({ rule, subject: "m-1", due: "2021-05-12", window: ["2021-05-10", "2021-05-12"], priority: "normal" })
      .toInclude({ rule, subject: "m-2", state: "due", priority: "high" })
  })

  it("recurs every 3 days after the first follow-up", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-13", { from: "2021-05-10", to: "2021-05-20" })
      .toHaveStates(rule, "m-1", {
        "2021-05-12": "missed",
        "2021-05-15": "due",
        "2021-05-18": "upcoming",
        "2021-05-21": "upcoming"
      })
  })

  it("is resolved by a follow-up observation of that matter", () => {
    const f = base().visit({ household: "h-1", at: "2021-05-11 16:00", observations: [observe.matter("m-1")] })
    RuleTesting.expectTasks(pack, f, "2021-05-13", { from: "2021-05-10", to: "2021-05-15" })
      .toHaveStates(rule, "m-1", { "2021-05-12": "done", "2021-05-15": "due" })
  })

  it("goes missed when no one follows up", () => {
    RuleTesting.expectTasks(pack, base(), "2021-05-16", { from: "2021-05-10", to: "2021-05-15" })
      .toHaveStates(rule, "m-1", { "2021-05-12": "missed", "2021-05-15": "missed" })
  })

  it("is cancelled once the matter is resolved, and stops recurring", () => {
    const f = household().matter("m-1", {
      household: "h-1",
      openedAt: "2021-05-10 09:00",
      resolvedAt: "2021-05-14 10:00"
    })
    const e = RuleTesting.expectTasks(pack, f, "2021-05-16", { from: "2021-05-10", to: "2021-05-25" })
      .toHaveStates(rule, "m-1", { "2021-05-12": "missed", "2021-05-15": "cancelled" })
    assert.strictEqual(e.where({ rule, due: "2021-05-15" })[0].explanation.stopped, "matter resolved on 2021-05-14")
  })
})
