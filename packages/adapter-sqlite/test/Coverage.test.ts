import { assert, describe, it } from "@effect/vitest"
import { SqliteCoverage } from "@minqing/adapter-sqlite"
import {
  Access,
  BuiltInMetrics,
  Coverage,
  Household,
  type Ids,
  LocalDate,
  Resident,
  Store,
  TimeZone
} from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { Effect, Either, TestClock } from "effect"
import { layerTemp } from "./fixtures.js"

const zone = TimeZone.make("Asia/Shanghai")
/** An instant on a local date, at a local hour. */
const at = (date: LocalDate.LocalDate, hour: number) => zone.startOf(date) + hour * 3_600_000

const scenario = Scenario.make({
  seed: 11,
  villagesPerSubdistrict: 2,
  gridsPerVillage: 3,
  householdsPerGrid: 8,
  historyDays: 21
})
const { history } = scenario
const day = (n: number) => LocalDate.addDays(history.from, n)

const withDates = (h: Household.Household, dates: { activeFrom?: string; activeUntil?: string; gridId?: string }) =>
  new Household.Household({
    ...h,
    ...(dates.gridId === undefined ? {} : { gridId: dates.gridId as Ids.PlaceId }),
    ...(dates.activeFrom === undefined ? {} : { activeFrom: LocalDate.make(dates.activeFrom) }),
    ...(dates.activeUntil === undefined ? {} : { activeUntil: LocalDate.make(dates.activeUntil) })
  })

/**
 * The scenario's places, liaisons, households (two of them starting or ending inside the
 * history), residents, arrivals, matters and campaigns, written on its first day; each day's visits written that evening, except one
 * grid's, uploaded two days late; and a household moving to another grid on day 12.
 */
const seed = Effect.gen(function*() {
  const store = yield* Store.Store
  const admin = Access.system([scenario.rootId])
  const [first, second, moving] = scenario.facts.households
  const households = scenario.facts.households.map((h) =>
    h === first ? withDates(h, { activeFrom: day(5) }) : h === second ? withDates(h, { activeUntil: day(10) }) : h
  )
  yield* TestClock.setTime(at(history.from, 0))
  const { arrivals, campaigns, liaisons, matters, places } = scenario.facts
  // Everything the visits' observations name is stored first: a visit naming an unknown
  // resident, campaign, matter or arrival is refused. Doses given later are left out (a dose
  // may not be dated after the day it is written); household screening does not read them.
  const residents = scenario.facts.residents.map((r) =>
    new Resident.Resident({ ...r, doses: r.doses.filter((d) => d.date <= history.from) })
  )
  yield* store.write(admin, [
    ...places,
    ...liaisons,
    ...households,
    ...residents,
    ...arrivals,
    ...matters,
    ...campaigns
  ])
  const lateGrid = scenario.gridIds[1]
  const gridOf = new Map(households.map((h) => [h.id, h.gridId]))
  const late: Array<typeof scenario.facts.visits> = []
  for (const date of LocalDate.days(history)) {
    yield* TestClock.setTime(at(date, 22))
    const ofDay = scenario.facts.visits.filter((v) => zone.dateOf(v.at.epochMillis) === date)
    yield* store.write(admin, ofDay.filter((v) => gridOf.get(v.householdId) !== lateGrid))
    late.push(ofDay.filter((v) => gridOf.get(v.householdId) === lateGrid))
    if (late.length > 2) yield* store.write(admin, late.shift()!)
    if (date === day(12)) {
      const target = scenario.gridIds.find((g) => g !== moving.gridId)!
      yield* store.write(admin, [withDates(moving, { gridId: target })])
    }
  }
  yield* TestClock.setTime(at(LocalDate.addDays(history.to, 3), 9))
  for (const batch of late) yield* store.write(admin, batch)
  return admin
})

describe("coverage pushed down to SQL", () => {
  it.effect("household screening in SQL equals the coverage engine on the loaded facts", () =>
    Effect.gen(function*() {
      const admin = yield* seed
      const store = yield* Store.Store
      const sqlCoverage = yield* SqliteCoverage.SqliteCoverage
      const cases: Array<{
        scope: Ids.PlaceId
        period: { from: LocalDate.LocalDate; to: LocalDate.LocalDate }
        asOf?: LocalDate.LocalDate
        depth?: number
      }> = []
      const scopes = [scenario.rootId, scenario.villageIds[0], scenario.gridIds[1]]
      const periods = [
        { from: history.from, to: history.to },
        { from: day(7), to: day(13) },
        { from: day(11), to: day(11) }
      ]
      for (const scope of scopes) {
        for (const period of periods) {
          for (
            const asOf of [
              undefined,
              LocalDate.addDays(period.to, -2),
              LocalDate.addDays(period.from, 1),
              LocalDate.addDays(history.to, 5)
            ]
          ) {
            cases.push({ scope, period, ...(asOf === undefined ? {} : { asOf }) })
          }
        }
      }
      cases.push({ scope: scenario.rootId, period: periods[0], depth: 1 })
      cases.push({ scope: scenario.rootId, period: periods[1], asOf: day(12), depth: 0 })

      let nonTrivial = 0
      for (const c of cases) {
        const what = JSON.stringify(c)
        const asOf = c.asOf ?? c.period.to
        const facts = yield* store.load(admin, { scope: c.scope, window: c.period, asOf })
        const report = Either.getOrThrow(Coverage.compute({
          facts,
          metrics: [BuiltInMetrics.householdScreening],
          scope: c.scope,
          period: c.period,
          asOf,
          zone,
          ...(c.depth === undefined ? {} : { depth: c.depth })
        }))
        const expected = report.results[0].figures.map((f) => ({
          placeId: f.placeId,
          counts: f.counts,
          score: f.score,
          series: f.series.map((p) => ({ date: p.date, counts: p.counts, score: p.score }))
        }))
        const actual = yield* sqlCoverage.householdScreening(admin, c)
        assert.deepStrictEqual(actual, expected, what)
        const top = expected[0]
        if (top.counts.numerator > 0 && [top, ...top.series].some((f) => f.counts.missing > 0)) nonTrivial += 1
      }
      // The cases exercise real figures, not empty ones.
      assert.isAtLeast(nonTrivial, cases.length / 2)
    }).pipe(Effect.provide(layerTemp())), 120_000)

  it.effect("figures only what the actor may read", () =>
    Effect.gen(function*() {
      yield* seed
      const sqlCoverage = yield* SqliteCoverage.SqliteCoverage
      const grid = scenario.gridIds[0]
      const liaison = new Access.Actor({ id: "l", role: "liaison", scope: [grid] })
      const own = yield* sqlCoverage.householdScreening(liaison, { scope: grid, period: history })
      assert.deepStrictEqual(own.map((f) => f.placeId), [grid])
      const above = yield* sqlCoverage.householdScreening(liaison, { scope: scenario.rootId, period: history })
      assert.deepStrictEqual(above, [])
    }).pipe(Effect.provide(layerTemp())), 120_000)
})
