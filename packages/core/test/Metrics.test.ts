import { assert, describe, it } from "@effect/vitest"
import type { Ids } from "@minqing/core"
import { BuiltInMetrics, Coverage, LocalDate, Metric } from "@minqing/core"
import { Either } from "effect"
import { facts, ids, PERIOD, TASKS } from "./CoverageFixtures.js"

const report = (
  metrics: ReadonlyArray<Metric.Metric>,
  options: { readonly asOf?: LocalDate.LocalDate; readonly tasks?: Coverage.TaskSource | undefined } = {}
) =>
  Either.getOrThrow(Coverage.compute({
    facts: facts(),
    metrics,
    scope: "sd" as Ids.PlaceId,
    period: PERIOD,
    ...("tasks" in options ? (options.tasks === undefined ? {} : { tasks: options.tasks }) : { tasks: TASKS }),
    ...(options.asOf === undefined ? {} : { asOf: options.asOf })
  }))

const at = (r: Coverage.Report, metric: string, place = "sd") => {
  const f = Coverage.figure(r, metric, place as Ids.PlaceId)
  if (f === undefined) throw new Error(`no figure for ${metric} at ${place}`)
  return f
}

describe("built-in metrics", () => {
  it("household screening: contacted households over active households, with the reasons of the missing", () => {
    const r = report([BuiltInMetrics.householdScreening])
    const f = at(r, "household-screening")
    // Active in 05-10..05-12: h1 h2 h3 h4 h5 (h6 ended 05-09) = 5.
    // Contacted: h1 (05-10), h3 (05-10..12), h5 (05-11) = 3. h2 was only refused or not home.
    assert.deepStrictEqual(f.counts, {
      population: 5,
      excluded: 0,
      denominator: 5,
      numerator: 3,
      missing: 2,
      observed: 0,
      sum: 0
    })
    assert.strictEqual(f.score, 3 / 5)
    assert.deepStrictEqual(ids(f.numerator), ["h1", "h3", "h5"])
    // The latest attempt at h2 (00:30 on 05-11 local) was refused; h4 saw nobody.
    assert.deepStrictEqual(f.missing.map((m) => [m.subject.id, m.reason]), [
      ["h2", { code: "refused", detail: { visits: 2 } }],
      ["h4", { code: "not-visited" }]
    ])
    assert.strictEqual(f.missing[0].subject.address, "h2 号")
    assert.strictEqual(f.missing[0].subject.placeId, "g1")
  })

  it("household screening: a daily series on local dates", () => {
    const r = report([BuiltInMetrics.householdScreening])
    const series = at(r, "household-screening").series
    // 05-10: active h1..h4 = 4 (h5 starts 05-11); contacted h1, h3 → 2/4.
    // 05-11: active 5; contacted h3, h5 → 2/5 (h2's refusal at 00:30 local counts for 05-11).
    // 05-12: active 5; contacted h3 → 1/5.
    assert.deepStrictEqual(series.map((p) => [p.date, p.counts.numerator, p.counts.denominator]), [
      ["2021-05-10", 2, 4],
      ["2021-05-11", 2, 5],
      ["2021-05-12", 1, 5]
    ])
    // The grid g1 on 05-10: h1 contacted, h2 not → 1/2.
    assert.strictEqual(at(r, "household-screening", "g1").series[0].score, 1 / 2)
  })

  it("vaccination: ≥ 1 dose, primary course, booster and status checked over one population", () => {
    const r = report([
      BuiltInMetrics.vaccinationFirstDose,
      BuiltInMetrics.vaccinationPrimaryCourse,
      BuiltInMetrics.vaccinationBooster,
      BuiltInMetrics.vaccinationStatusChecked
    ])
    // Aged ≥ 18 on 05-12 and active: r1 r2 r3 r4 r6 r7 r8 r9 = 8 (r5 is 10).
    // Excluded: r4 away, r6 permanently contraindicated → denominator 6: r1 r2 r3 r7 r8 r9.
    const first = at(r, "vaccination-first-dose")
    assert.strictEqual(first.counts.population, 8)
    assert.deepStrictEqual(first.excluded.map((m) => [m.subject.id, m.reason?.code]), [
      ["r4", "away"],
      ["r6", "permanently-contraindicated"]
    ])
    // ≥ 1 dose: r1 r2 r7 r8 → 4/6; missing r3, r9 unvaccinated.
    assert.deepStrictEqual(ids(first.numerator), ["r1", "r2", "r7", "r8"])
    assert.deepStrictEqual(ids(first.missing), ["r3", "r9"])
    assert.strictEqual(first.score, 4 / 6)

    // Primary course: r1 (2 of 2 CoronaVac), r7 (Ad5 needs 1), r8 (2 of 2 by 05-12; the third
    // dose is dated 05-20) → 3/6; r2 has 1 of 2.
    const primary = at(r, "vaccination-primary-course")
    assert.deepStrictEqual(ids(primary.numerator), ["r1", "r7", "r8"])
    assert.deepStrictEqual(primary.missing.find((m) => m.subject.id === "r2")?.reason, {
      code: "primary-incomplete",
      detail: { doses: 1, needed: 2 }
    })

    // Booster: only r7 (2 Ad5 doses, 1 needed) → 1/6. r8's third dose is after the period.
    const booster = at(r, "vaccination-booster")
    assert.deepStrictEqual(ids(booster.numerator), ["r7"])
    assert.strictEqual(booster.score, 1 / 6)
    assert.deepStrictEqual(booster.missing.find((m) => m.subject.id === "r8")?.reason, {
      code: "no-booster",
      detail: { doses: 2 }
    })

    // Checked in the period: r1 on 05-10. r7 was checked on 05-09, before the period → 1/6.
    const checked = at(r, "vaccination-status-checked")
    assert.deepStrictEqual(ids(checked.numerator), ["r1"])
    assert.strictEqual(checked.counts.missing, 5)
  })

  it("vaccination: doses needed per product and the target age are parameters", () => {
    const primary = Either.getOrThrow(
      Metric.configure(BuiltInMetrics.vaccinationPrimaryCourse, {
        minAge: 60,
        primaryDoses: { "sinovac-coronavac": 3 }
      })
    )
    const r = report([primary])
    const f = at(r, "vaccination-primary-course")
    // Aged ≥ 60 on 05-12: r1 (70) and r6 (65, excluded) → denominator 1.
    // r1 has 2 CoronaVac doses, now 3 are needed → 0/1.
    assert.strictEqual(f.counts.denominator, 1)
    assert.strictEqual(f.counts.numerator, 0)
    assert.deepStrictEqual(f.missing[0].reason, { code: "primary-incomplete", detail: { doses: 2, needed: 3 } })
  })

  it("vaccination: bad parameters are refused with the field named", () => {
    const bad = Metric.configure(BuiltInMetrics.vaccinationFirstDose, { minAge: -1 })
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) assert.include(bad.left.message, "minAge")
  })

  it("arrivals reported in advance", () => {
    const r = report([BuiltInMetrics.arrivalsReportedInAdvance])
    const f = at(r, "arrivals-reported-in-advance")
    // Arrival date in the period: a2 (expected 05-11, reported 05-11) and a3 (05-12, reported 05-09).
    // a1 arrived 05-04 and a4 05-09, before the period → 1/2.
    assert.deepStrictEqual(ids(f.numerator), ["a3"])
    assert.deepStrictEqual(f.missing.map((m) => [m.subject.id, m.reason]), [
      ["a2", { code: "reported-late", detail: { daysAfterArrival: 0 } }]
    ])
    assert.strictEqual(f.missing[0].date, "2021-05-11")
    // The member names the person, not their phone.
    assert.strictEqual(f.missing[0].subject.name, "来人a2")
    assert.notInclude(JSON.stringify(f.missing), "13912345678")
  })

  it("arrival monitoring completed", () => {
    const r = report([BuiltInMetrics.arrivalMonitoringCompleted])
    const f = at(r, "arrival-monitoring-completed")
    // Last monitoring day in the period:
    //   a1 medium → 7 days, 05-05..05-11, all checked at h3 → counted;
    //   a3 low → 0 days, last day 05-12 → excluded (no monitoring required);
    //   a4 2 days, 05-10..05-11, h2 was never contacted → missing both;
    //   a2 has not arrived.
    assert.deepStrictEqual(ids(f.numerator), ["a1"])
    assert.deepStrictEqual(f.excluded.map((m) => [m.subject.id, m.reason?.code]), [["a3", "no-monitoring-required"]])
    assert.deepStrictEqual(f.missing.map((m) => [m.subject.id, m.reason]), [
      ["a4", { code: "monitoring-incomplete", detail: { daysMissed: 2, days: 2, firstMissed: "2021-05-10" } }]
    ])
    assert.strictEqual(f.score, 1 / 2)
  })

  it("rule compliance and check-ins from the built-in rule pack, through the rules engine", () => {
    const r = report([BuiltInMetrics.ruleCompliance, BuiltInMetrics.elderlyCheckins], { tasks: undefined })
    const sweep = at(r, "rule-compliance").strata.find((s) => s.stratum === "household-sweep")!
    // One sweep a day per active household: h1..h4 × 3 days + h5 × 2 (from 05-11) = 14.
    // Done by a contacted visit that day: h1 05-10, h3 05-10..12, h5 05-11 = 5.
    assert.deepStrictEqual([sweep.counts.numerator, sweep.counts.denominator], [5, 14])
    // r1 (70, lives alone) is due a check-in daily; no wellbeing observation was recorded → 0/3.
    const checkins = at(r, "elderly-checkins-done")
    assert.deepStrictEqual([checkins.counts.numerator, checkins.counts.denominator], [0, 3])
    assert.deepStrictEqual(checkins.missing.map((m) => m.reason?.code), ["missed", "missed", "due"])
  })

  it("elderly-alone check-ins done", () => {
    const r = report([BuiltInMetrics.elderlyCheckins])
    const f = at(r, "elderly-checkins-done")
    // Check-ins due 05-10..05-12: t1 done, t2 missed, t3 still due → 1/3 (t4 is due 05-13).
    // Each task is listed as its resident, dated by its due date.
    assert.deepStrictEqual(f.numerator.map((m) => [m.subject.id, m.date]), [["r1", "2021-05-10"]])
    assert.deepStrictEqual(f.missing.map((m) => [String(m.date), m.reason]), [
      ["2021-05-11", { code: "missed", detail: { task: "t2" } }],
      ["2021-05-12", { code: "due", detail: { task: "t3" } }]
    ])
    assert.strictEqual(f.missing[0].subject.name, "居民r1")
    assert.strictEqual(f.score, 1 / 3)
  })

  it("rule compliance per rule, with the missed tasks listed", () => {
    const r = report([BuiltInMetrics.ruleCompliance])
    const f = at(r, "rule-compliance")
    // Windows ending 05-10..05-12: t1 ✓, t2 missed, t3 due, t5 missed, t6 ✓, t7 cancelled (excluded).
    // 2 / (6 − 1) = 0.4.
    assert.deepStrictEqual(f.counts, {
      population: 6,
      excluded: 1,
      denominator: 5,
      numerator: 2,
      missing: 3,
      observed: 0,
      sum: 0
    })
    // Per rule: check-ins 1/3; sweeps 1/2 (t7 excluded).
    assert.deepStrictEqual(f.strata.map((s) => [s.stratum, s.counts.numerator, s.counts.denominator]), [
      ["elderly-alone-checkin", 1, 3],
      ["household-sweep", 1, 2]
    ])
    assert.deepStrictEqual(
      f.missing.filter((m) => m.reason?.code === "missed").map((m) => [m.subject.id, m.date, m.stratum]),
      [["r1", "2021-05-11", "elderly-alone-checkin"], ["h4", "2021-05-10", "household-sweep"]]
    )
    assert.deepStrictEqual(f.excluded.map((m) => [m.subject.id, m.reason]), [
      ["h2", { code: "cancelled", detail: { task: "t7" } }]
    ])
    // The village v2 holds only h4's sweep, missed → 0/1.
    assert.strictEqual(at(r, "rule-compliance", "v2").score, 0)
  })

  it("decoction served per campaign day", () => {
    const r = report([BuiltInMetrics.decoctionServed])
    const f = at(r, "decoction-served")
    // Campaign c1 over v1 (h1 h2 h3) on 05-10 and 05-11 → 6 household-days.
    // Served: h1 on 05-10, h3 on 05-11 → 2/6.
    assert.strictEqual(f.counts.denominator, 6)
    assert.strictEqual(f.counts.numerator, 2)
    assert.deepStrictEqual(f.numerator.map((m) => [m.subject.id, m.date]), [["h1", "2021-05-10"], ["h3", "2021-05-11"]])
    // Members are listed place by place (g1, then g2), day by day within a place.
    assert.deepStrictEqual(f.missing.map((m) => [m.subject.id, m.date, m.reason?.code]), [
      ["h2", "2021-05-10", "nobody-home"],
      ["h1", "2021-05-11", "not-visited"],
      ["h2", "2021-05-11", "refused"],
      ["h3", "2021-05-10", "not-served"]
    ])
    // Daily: 1/3, 1/3, and no campaign on 05-12.
    assert.deepStrictEqual(f.series.map((p) => p.score), [1 / 3, 1 / 3, undefined])
    // v2 is outside the campaign.
    assert.strictEqual(at(r, "decoction-served", "v2").counts.population, 0)
  })

  it("matters: opened, resolved, median days to resolution, overdue open", () => {
    const r = report([
      BuiltInMetrics.mattersOpened,
      BuiltInMetrics.mattersResolved,
      BuiltInMetrics.matterResolutionDays,
      BuiltInMetrics.mattersOverdue
    ])
    // Opened 05-10..05-12: m1 (05-10), m4 (05-11) → 2.
    assert.deepStrictEqual(ids(at(r, "matters-opened").included), ["m1", "m4"])
    assert.strictEqual(at(r, "matters-opened").score, 2)
    // Resolved: m1 (05-11), m3 (05-12); m5's resolution on 05-14 is after the period → 2.
    assert.deepStrictEqual(ids(at(r, "matters-resolved").included), ["m1", "m3"])
    // Days: m1 05-10 → 05-11 = 1; m3 05-05 → 05-12 = 7; median (1 + 7) / 2 = 4.
    const days = at(r, "matter-resolution-days")
    assert.strictEqual(days.score, 4)
    assert.deepStrictEqual([days.stats?.min, days.stats?.max, days.stats?.mean], [1, 7, 4])
    // Overdue on 05-12: m2 (due 05-05, 7 days) and m5 (due 05-04, 8 days; resolved only on 05-14).
    const overdue = at(r, "matters-overdue")
    assert.deepStrictEqual(overdue.included.map((m) => [m.subject.id, m.reason?.detail?.daysOverdue]), [
      ["m2", 7],
      ["m5", 8]
    ])
    // Listed under their due dates.
    assert.deepStrictEqual(overdue.included.map((m) => String(m.date)), ["2021-05-05", "2021-05-04"])
    // By category: m2 is a dispute, m5 a help request.
    assert.deepStrictEqual(overdue.strata.map((s) => [s.stratum, s.score]), [["dispute", 1], ["help-request", 1]])
  })

  it("liaison workload: households, tasks and visits per liaison per day, and the spread", () => {
    const r = report([BuiltInMetrics.workloadHouseholds, BuiltInMetrics.workloadTasks, BuiltInMetrics.workloadVisits])
    // Households active on 05-12: L1 2 (h1 h2), L2 1 (h3), L3 2 (h4 h5; h6 ended).
    const households = at(r, "workload-households")
    assert.deepStrictEqual(households.included.map((m) => [m.subject.id, m.value]), [["L1", 2], ["L2", 1], ["L3", 2]])
    assert.strictEqual(households.score, 5 / 3)
    assert.deepStrictEqual([households.stats?.min, households.stats?.max], [1, 2])
    // sd = √(((2−5/3)² + (1−5/3)² + (2−5/3)²) / 3) = √(2/9); cv = sd / mean.
    assert.closeTo(households.stats!.cv!, Math.sqrt(2 / 9) / (5 / 3), 1e-12)
    // Tasks due 05-10..05-12 over 3 days: g1 t1 t2 t3 t7 = 4/3, g2 t6 = 1/3, g3 t5 = 1/3.
    const tasks = at(r, "workload-tasks-per-day")
    assert.deepStrictEqual(tasks.included.map((m) => m.value), [4 / 3, 1 / 3, 1 / 3])
    // Visits 05-10..05-12: L1 3 (h1, h2 twice), L2 3 (h3 daily), L3 1 (h5) over 3 days.
    const visits = at(r, "workload-visits-per-day")
    assert.deepStrictEqual(visits.included.map((m) => m.value), [1, 1, 1 / 3])
    // Member lists name liaisons, never their phones.
    assert.notInclude(JSON.stringify(visits.included), "13812345678")
  })

  it("judges states on the as-of date when it is inside the period", () => {
    const r = report([BuiltInMetrics.householdScreening], { asOf: LocalDate.make("2021-05-10") })
    // As of 05-10 the period is seen up to 05-10: h1..h4 active, h1 and h3 contacted.
    const f = at(r, "household-screening")
    assert.deepStrictEqual([f.counts.numerator, f.counts.denominator], [2, 4])
    assert.strictEqual(f.series.length, 1)
  })
})
