import { assert, describe, it } from "@effect/vitest"
import type { Household, Ids } from "@minqing/core"
import { BuiltInMetrics, Coverage, Deployment, LocalDate, Metric } from "@minqing/core"
import { Effect, Either, TestClock } from "effect"
import { countsOf, facts, ids, PERIOD, TASKS } from "./CoverageFixtures.js"

const sd = "sd" as Ids.PlaceId

// A metric a developer writes: households with any visit at all in the period (contacted,
// nobody home or refused), excluding households that ended during the period.
const knocked = Metric.make<Household.Household, undefined>({
  id: "households-knocked",
  title: { "zh-Hans": "已敲门户", "zh-Hant": "已敲門戶", en: "Households knocked" },
  description: {
    "zh-Hans": "期内有任何入户记录的户",
    "zh-Hant": "期內有任何入戶記錄的戶",
    en: "Households with any visit (Visit.at) in the period"
  },
  scoring: "proportion",
  subject: "household",
  dateField: "Visit.at",
  reasons: { "ended-in-period": { "zh-Hans": "期内注销", "zh-Hant": "期內註銷", en: "Ended in the period" } },
  subjects: (ctx) => ctx.index.households,
  describe: (h, ctx) => ctx.index.householdSubject(h),
  initialPopulation: (h, ctx) => h.activeFrom <= ctx.on,
  exclusion: (h, ctx) =>
    h.activeUntil !== undefined && h.activeUntil <= ctx.on ? Metric.reason("ended-in-period") : undefined,
  numerator: (h, ctx) => {
    const { days } = ctx.index.visitsOf(h.id)
    const from = Metric.day(ctx.period.from)
    const to = Metric.day(ctx.on)
    return days.some((d) => d >= from && d <= to) || Metric.reason("never-knocked")
  }
})

// A per-day cohort: households visited each day, whatever the outcome.
const visitedDaily = Metric.make<Household.Household, undefined>({
  id: "households-visited-daily",
  title: { "zh-Hans": "每日入户户数", "zh-Hant": "每日入戶戶數", en: "Households visited per day" },
  description: { "zh-Hans": "…", "zh-Hant": "…", en: "Households with a visit that day" },
  scoring: "cohort",
  subject: "household",
  dateField: "Visit.at",
  per: "day",
  subjects: (ctx) => ctx.index.households,
  describe: (h, ctx) => ctx.index.householdSubject(h),
  initialPopulation: (h, ctx) => ctx.index.visitsOf(h.id).days.includes(Metric.day(ctx.on))
})

const compute = (options: Partial<Coverage.Options> = {}) =>
  Coverage.compute({ facts: facts(), metrics: [knocked], scope: sd, period: PERIOD, tasks: TASKS, ...options })

describe("Coverage", () => {
  it("a metric defined by a developer rolls up the tree like a built-in one", () => {
    const report = Either.getOrThrow(compute())
    // Population (activeFrom ≤ 05-12): h1..h6 = 6; h6 ended 05-09 → excluded; denominator 5.
    // Knocked: h1, h2 (nobody home, refused), h3, h5 → 4/5; h4 never.
    assert.deepStrictEqual(report.places.map((p) => [p.placeId, p.depth]), [
      ["sd", 0],
      ["v1", 1],
      ["g1", 2],
      ["g2", 2],
      ["v2", 1],
      ["g3", 2]
    ])
    const root = Coverage.figure(report, "households-knocked", sd)!
    assert.deepStrictEqual([root.counts.population, root.counts.excluded, root.counts.numerator], [6, 1, 4])
    assert.deepStrictEqual(ids(root.missing), ["h4"])
    assert.deepStrictEqual(root.missing[0].reason, { code: "never-knocked" })
    assert.deepStrictEqual(root.excluded.map((m) => [m.subject.id, m.reason?.code]), [["h6", "ended-in-period"]])
    // Villages: v1 = g1 (2/2) + g2 (1/1) = 3/3; v2 = g3: h5 knocked, h4 not, h6 excluded → 1/2.
    const children = Coverage.children(report, "households-knocked", sd)
    assert.deepStrictEqual(children.map((f) => [f.placeId, f.counts.numerator, f.counts.denominator]), [
      ["v1", 3, 3],
      ["v2", 1, 2]
    ])
    assert.deepStrictEqual(
      Coverage.children(report, "households-knocked", "v1" as Ids.PlaceId).map((f) => f.score),
      [1, 1]
    )
  })

  it("a per-day metric gives members dated by day and a daily series", () => {
    const report = Either.getOrThrow(compute({ metrics: [visitedDaily] }))
    const f = Coverage.figure(report, "households-visited-daily", sd)!
    // 05-10: h1, h2 (23:30 local), h3; 05-11: h2 (00:30 local), h3, h5; 05-12: h3 → 7 household-days.
    assert.deepStrictEqual(f.series.map((p) => p.score), [3, 3, 1])
    assert.strictEqual(f.score, 7)
    assert.deepStrictEqual(f.included.filter((m) => m.subject.id === "h2").map((m) => String(m.date)), [
      "2021-05-10",
      "2021-05-11"
    ])
  })

  it("limits the roll-up depth, counting deeper places in their shown ancestor", () => {
    const report = Either.getOrThrow(compute({ depth: 1 }))
    assert.deepStrictEqual(report.places.map((p) => p.placeId), ["sd", "v1", "v2"])
    assert.deepStrictEqual(countsOf(Coverage.figure(report, "households-knocked", "v2" as Ids.PlaceId)).numerator, 1)
  })

  it("takes any place as the scope", () => {
    const report = Either.getOrThrow(
      compute({ scope: "v2" as Ids.PlaceId, metrics: [BuiltInMetrics.householdScreening] })
    )
    assert.deepStrictEqual(report.places.map((p) => p.placeId), ["v2", "g3"])
    const f = Coverage.figure(report, "household-screening", "v2" as Ids.PlaceId)!
    // g3 in the period: h4 (not visited), h5 (contacted 05-11) → 1/2.
    assert.deepStrictEqual([f.counts.numerator, f.counts.denominator], [1, 2])
  })

  it("refuses an unknown scope, a reversed period and two metrics with one id", () => {
    const unknown = compute({ scope: "nowhere" as Ids.PlaceId })
    assert.isTrue(Either.isLeft(unknown) && unknown.left.message.includes("\"nowhere\" is not a place"))
    const reversed = compute({ period: { from: LocalDate.make("2021-05-12"), to: LocalDate.make("2021-05-10") } })
    assert.isTrue(Either.isLeft(reversed) && reversed.left.message.includes("before it starts"))
    const twice = compute({ metrics: [knocked, knocked] })
    assert.isTrue(Either.isLeft(twice) && twice.left.message.includes("Metric.rename"))
    const renamed = Either.getOrThrow(compute({ metrics: [knocked, Metric.rename(knocked, "knocked-again")] }))
    assert.deepStrictEqual(renamed.results.map((r) => r.metric.id), ["households-knocked", "knocked-again"])
  })

  it("computes tasks once per report, and only when a metric reads them", () => {
    let calls = 0
    const tasks = () => {
      calls++
      return TASKS
    }
    Either.getOrThrow(compute({ metrics: BuiltInMetrics.withoutTasks, tasks }))
    assert.strictEqual(calls, 0)
    Either.getOrThrow(compute({ metrics: BuiltInMetrics.all, tasks }))
    assert.strictEqual(calls, 1)
  })

  it("with place, counts without describing and describes only the members a reader lists", () => {
    let described = 0
    const placed = Metric.rename(
      Metric.make({
        ...knocked.definition,
        describe: (h, ctx) => {
          described++
          return ctx.index.householdSubject(h)
        },
        place: (h) => h.gridId
      }),
      "households-knocked-placed"
    )
    const report = Either.getOrThrow(compute({ metrics: [knocked, placed] }))
    assert.strictEqual(described, 0)
    const [plain, fast] = report.results
    assert.deepStrictEqual(
      fast.figures.map((f) => [f.placeId, f.counts]),
      plain.figures.map((f) => [f.placeId, f.counts])
    )
    const root = fast.figures[0]
    assert.deepStrictEqual(root.missing, plain.figures[0].missing)
    assert.deepStrictEqual(root.numerator.map((m) => m.subject.id), plain.figures[0].numerator.map((m) => m.subject.id))
    // Listing describes every member once, whatever list or place is read next.
    const once = described
    assert.isAbove(once, 0)
    assert.deepStrictEqual(fast.figures[1].excluded, plain.figures[1].excluded)
    assert.strictEqual(described, once)
  })

  it.effect("runs as an Effect with the deployment's zone and today's date from the Clock", () =>
    Effect.gen(function*() {
      // 2021-05-11 20:00 UTC is 05-12 04:00 in Asia/Shanghai.
      yield* TestClock.setTime(Date.UTC(2021, 4, 11, 20))
      const report = yield* Coverage.report({ facts: facts(), metrics: [knocked], scope: sd, period: PERIOD })
      assert.strictEqual(report.asOf, "2021-05-12")
      assert.strictEqual(report.zone, "Asia/Shanghai")
      const error = yield* Effect.flip(
        Coverage.report({ facts: facts(), metrics: [knocked], scope: "nowhere" as Ids.PlaceId, period: PERIOD })
      )
      assert.strictEqual(error._tag, "CoverageError")
    }).pipe(Effect.provide(Deployment.layer())))

  it("computes statistics with the median of an even count and the coefficient of variation", () => {
    const s = Coverage.stats([4, 1, 3, 2])
    // sorted 1 2 3 4: median (2 + 3) / 2; mean 2.5; sd √((2.25 + 0.25 + 0.25 + 2.25) / 4) = √1.25.
    assert.strictEqual(s.median, 2.5)
    assert.strictEqual(s.mean, 2.5)
    assert.closeTo(s.cv!, Math.sqrt(1.25) / 2.5, 1e-12)
    assert.strictEqual(Coverage.stats([]).median, undefined)
  })
})
