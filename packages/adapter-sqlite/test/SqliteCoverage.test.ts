import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Migrations, SqliteCoverage, SqliteStore } from "@minqing/adapter-sqlite"
import {
  Access,
  Arrival,
  BuiltInMetrics,
  BuiltInRules,
  Campaign,
  type Coverage,
  CoverageStore,
  Deployment,
  type Fact,
  Household,
  Ids,
  LocalDate,
  Matter,
  Metric,
  Report,
  Resident,
  RulePack,
  Store,
  TimeZone,
  Visit
} from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { DateTime, Effect, Either, Layer, TestClock } from "effect"
import { layerTempWithClient, onFile, tempFile } from "./fixtures.js"

/** The store on a fresh file, with the deployment (its zone decides every local date). */
const layerFor = (zone: string) => {
  const deployment = Deployment.layer({ zone })
  return Layer.provideMerge(
    Layer.unwrapScoped(Effect.map(tempFile, (filename) => SqliteStore.layer({ filename }))),
    deployment
  )
}

/** Everything a report shows but its member lists. */
const figures = (report: Coverage.Report) => ({
  scope: report.scope,
  end: report.end,
  places: report.places,
  results: report.results.map((r) => ({
    metric: r.metric.id,
    figures: r.figures.map((f) => ({
      placeId: f.placeId,
      counts: f.counts,
      score: f.score,
      stats: f.stats,
      strata: f.strata,
      series: f.series
    }))
  }))
})

const withDates = (h: Household.Household, dates: { activeFrom?: string; activeUntil?: string; gridId?: string }) =>
  new Household.Household({
    ...h,
    ...(dates.gridId === undefined ? {} : { gridId: dates.gridId as Ids.PlaceId }),
    ...(dates.activeFrom === undefined ? {} : { activeFrom: LocalDate.make(dates.activeFrom) }),
    ...(dates.activeUntil === undefined ? {} : { activeUntil: LocalDate.make(dates.activeUntil) })
  })

/**
 * A scenario written the way a deployment writes it, each fact on the day it becomes known:
 * the roster on the first day (two households starting or ending inside the history, a
 * resident temporarily contraindicated), a new version of a resident on each day they get a
 * dose, arrival reports when reported and again on arrival, matters when opened and again
 * when resolved, each day's visits that evening except one grid's, uploaded two days late,
 * a household moving to another grid and a resident away for three days in the middle.
 */
const seed = (scenario: Scenario.Scenario) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const { zone } = yield* Deployment.Deployment
    const at = (date: LocalDate.LocalDate, hour: number) => zone.startOf(date) + hour * 3_600_000
    const dateOf = (instant: { readonly epochMillis: number }) => zone.dateOf(instant.epochMillis)
    const { history } = scenario
    const day = (n: number) => LocalDate.addDays(history.from, n)
    const middle = Math.floor(scenario.shape.historyDays / 2)
    const admin = Access.system([scenario.rootId])
    const [first, second, moving] = scenario.facts.households
    const households = scenario.facts.households.map((h) =>
      h === first ? withDates(h, { activeFrom: day(3) }) : h === second ? withDates(h, { activeUntil: day(middle) }) : h
    )
    // An adult vaccinated on day 13 and again on day 15: a report judged on day 13 but read
    // later counts one dose of the two it sees.
    const adult = scenario.facts.residents.find((r, i) =>
      i > 1 && r.birthDate < "2000-01-01" && r.doses.length === 0 && r.eligibility._tag === "eligible" &&
      r.presence === "present"
    )
    const residents = scenario.facts.residents.map((r, i) =>
      i === 1
        ? new Resident.Resident({
          ...r,
          eligibility: { _tag: "temporarily-contraindicated", reason: "发热", until: day(13) }
        })
        : r === adult
        ? new Resident.Resident({
          ...r,
          doses: [
            new Resident.Dose({ date: day(13), product: "sinovac-coronavac" }),
            new Resident.Dose({ date: day(15), product: "sinovac-coronavac" })
          ]
        })
        : r
    )
    // Facts to write on a day (facts known before the history are written on its first day).
    const onDay = new Map<string, Array<Fact.Fact>>()
    const later = (date: LocalDate.LocalDate, fact: Fact.Fact) => {
      const d = date < history.from ? history.from : date
      onDay.set(d, [...(onDay.get(d) ?? []), fact])
    }
    const roster: Array<Fact.Fact> = []
    for (const r of residents) {
      // Known from their birth, a version on each day of a dose.
      const known = LocalDate.max(history.from, r.birthDate)
      const dates = [...new Set(r.doses.map((d) => d.date).filter((d) => d > known))].sort()
      const first = new Resident.Resident({ ...r, doses: r.doses.filter((d) => d.date <= known) })
      if (known === history.from) roster.push(first)
      else later(known, first)
      for (const d of dates) later(d, new Resident.Resident({ ...r, doses: r.doses.filter((x) => x.date <= d) }))
    }
    const away = residents.find((r) =>
      r.birthDate <= history.from && r.doses.every((d) => d.date <= history.from) && r.presence === "present"
    )!
    later(day(middle), new Resident.Resident({ ...away, presence: "away" }))
    later(day(middle + 3), away)
    for (const a of scenario.facts.arrivals) {
      const reported = dateOf(a.reportedAt)
      const arrived = a.actualArrival
      if (arrived !== undefined && arrived > reported) {
        const { actualArrival: _, ...expected } = a
        later(reported, new Arrival.ArrivalReport({ ...expected, status: "expected" }))
        later(arrived, a)
      } else later(reported, a)
    }
    for (const m of scenario.facts.matters) {
      const opened = dateOf(m.openedAt)
      const resolved = m.resolution === undefined ? undefined : dateOf(m.resolution.at)
      if (resolved !== undefined && resolved > opened) {
        const { resolution: _, ...open } = m
        later(opened, new Matter.Matter({ ...open, status: "in-progress" }))
        later(resolved, m)
      } else later(opened, m)
    }
    yield* TestClock.setTime(at(history.from, 0))
    yield* store.write(admin, [
      ...scenario.facts.places,
      ...scenario.facts.liaisons,
      ...households,
      ...roster,
      // With two villages, decoction reaches the first one only.
      ...scenario.facts.campaigns.map((c) =>
        c.kind === "decoction" && scenario.villageIds.length > 1
          ? new Campaign.Campaign({ ...c, scopeId: scenario.villageIds[0] })
          : c
      )
    ])
    const lateGrid = scenario.gridIds[1]
    const gridOf = new Map(households.map((h) => [h.id, h.gridId]))
    const late: Array<typeof scenario.facts.visits> = []
    for (const date of LocalDate.days(history)) {
      yield* TestClock.setTime(at(date, 23))
      const ofDay = scenario.facts.visits.filter((v) => dateOf(v.at) === date)
      const known = onDay.get(date) ?? []
      // Residents (doses) before the arrivals and matters naming them.
      yield* store.write(admin, known.filter((x) => x._tag === "Resident"))
      yield* store.write(admin, [
        ...known.filter((x) => x._tag !== "Resident"),
        ...ofDay.filter((v) => gridOf.get(v.householdId) !== lateGrid)
      ])
      late.push(ofDay.filter((v) => gridOf.get(v.householdId) === lateGrid))
      if (late.length > 2) yield* store.write(admin, late.shift()!)
      if (date === day(middle)) {
        const target = scenario.gridIds.find((g) => g !== moving.gridId)!
        yield* store.write(admin, [withDates(moving, { gridId: target })])
      }
    }
    yield* TestClock.setTime(at(LocalDate.addDays(history.to, 3), 9))
    for (const batch of late) yield* store.write(admin, batch)
    return admin
  })

interface Case {
  readonly scope: Ids.PlaceId
  readonly period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  readonly asOf?: LocalDate.LocalDate
  readonly depth?: number
}

/** Scopes × periods × as-of dates, with the edges: one day, before and after the history, as of before the period. */
const casesOf = (scenario: Scenario.Scenario): ReadonlyArray<Case> => {
  const { history } = scenario
  const day = (n: number) => LocalDate.addDays(history.from, n)
  const last = scenario.shape.historyDays - 1
  const cases: Array<Case> = []
  const scopes = [scenario.rootId, scenario.villageIds[0], scenario.gridIds[1]]
  const periods = [
    { from: history.from, to: history.to },
    { from: day(last - 6), to: history.to },
    { from: day(7), to: day(13) },
    { from: day(11), to: day(11) },
    { from: LocalDate.addDays(history.from, -5), to: day(2) },
    // Longer than 53 days: screening takes its two-query path.
    { from: LocalDate.addDays(history.from, -45), to: history.to }
  ]
  for (const scope of scopes) {
    for (const period of periods) {
      for (
        const asOf of [
          undefined,
          LocalDate.addDays(period.to, -2),
          LocalDate.addDays(period.from, -1),
          LocalDate.addDays(history.to, 5)
        ]
      ) {
        cases.push({ scope, period, ...(asOf === undefined ? {} : { asOf }) })
      }
    }
  }
  cases.push({ scope: scenario.rootId, period: periods[1], depth: 1 })
  cases.push({ scope: scenario.rootId, period: periods[2], asOf: day(12), depth: 0 })
  return cases
}

/**
 * The in-memory report (`CoverageStore.fromStore`) and the SQL one for a case: equal figures,
 * or the same failure (as of a date before the roster was written, neither finds the scope).
 */
const compare = (admin: Access.Actor, c: SqliteCoverage.ReportOptions) =>
  Effect.gen(function*() {
    const memory = yield* CoverageStore.fromStore
    const sql = yield* SqliteCoverage.SqliteCoverage
    const { chunkSize: _, ...options } = c
    const what = JSON.stringify({ ...c, metrics: c.metrics?.map((m) => m.id), pack: c.pack?.rules.map((r) => r.id) })
    const expected = yield* Effect.either(Effect.map(memory.report(admin, options), figures))
    const actual = yield* Effect.either(Effect.map(sql.report(admin, c), figures))
    if (Either.isLeft(expected)) {
      assert.deepStrictEqual(
        Either.mapBoth(actual, { onLeft: (e) => e.message, onRight: () => "a report" }),
        Either.left(expected.left.message),
        what
      )
      return undefined
    }
    assert.deepStrictEqual(actual, expected, what)
    return expected.right
  })

/** Compares every figure of the SQL report with the in-memory one for each case. */
const conform = (scenario: Scenario.Scenario, options: { readonly chunkSize?: number } = {}) =>
  Effect.gen(function*() {
    const admin = yield* seed(scenario)
    const seen = new Map<string, number>()
    for (const c of casesOf(scenario)) {
      const expected = yield* compare(admin, { ...c, ...options })
      if (expected === undefined) continue
      for (const r of expected.results) {
        const top = r.figures[0]
        if (top.counts.population > 0 && top.score !== undefined && top.score !== 0) {
          seen.set(r.metric, (seen.get(r.metric) ?? 0) + 1)
        }
      }
    }
    return seen
  })

describe("SqliteCoverage.report", () => {
  it.effect(
    "every built-in figure equals the coverage engine's on the loaded facts (seed 3)",
    () =>
      Effect.gen(function*() {
        const scenario = Scenario.make({
          seed: 3,
          villagesPerSubdistrict: 2,
          gridsPerVillage: 3,
          householdsPerGrid: 10,
          historyDays: 28
        })
        const seen = yield* conform(scenario)
        // Every metric had real figures (not only zeros) in some cases.
        assert.deepStrictEqual(
          BuiltInMetrics.all.map((m) => m.id).filter((id) => (seen.get(id) ?? 0) === 0),
          []
        )
      }).pipe(Effect.provide(layerFor("Asia/Shanghai"))),
    300_000
  )

  it.effect("equal on another seed, in chunks of a few households", () =>
    Effect.gen(function*() {
      const scenario = Scenario.make({
        seed: 8,
        villagesPerSubdistrict: 2,
        gridsPerVillage: 2,
        householdsPerGrid: 9,
        historyDays: 24,
        today: "2021-04-30"
      })
      yield* conform(scenario, { chunkSize: 7 })
    }).pipe(Effect.provide(layerFor("Asia/Shanghai"))), 300_000)

  it.effect("equal across a change to summer time (Europe/Berlin, 2021-03-28)", () =>
    Effect.gen(function*() {
      const scenario = Scenario.make({
        seed: 21,
        villagesPerSubdistrict: 1,
        gridsPerVillage: 3,
        householdsPerGrid: 8,
        historyDays: 20,
        today: "2021-04-02",
        zone: "Europe/Berlin"
      })
      yield* conform(scenario)
    }).pipe(Effect.provide(layerFor("Europe/Berlin"))), 300_000)

  it.effect(
    "the task metrics from kept task state: equal after writes that mark households stale, and with an overridden pack",
    () =>
      Effect.gen(function*() {
        const scenario = Scenario.make({
          seed: 11,
          villagesPerSubdistrict: 2,
          gridsPerVillage: 2,
          householdsPerGrid: 8,
          historyDays: 16
        })
        const admin = yield* seed(scenario)
        const store = yield* Store.Store
        const sql = yield* SqlClient.SqlClient
        const { zone } = yield* Deployment.Deployment
        const { today } = scenario
        const overridden = Either.getOrThrow(
          RulePack.configure(BuiltInRules.pack, {
            "elderly-alone-checkin": { params: { minAge: 50 } },
            "vaccination-followup": { params: { everyDays: 2 } },
            "publicity-leaflet": false
          })
        )
        const metrics = [BuiltInMetrics.ruleCompliance, BuiltInMetrics.elderlyCheckins, BuiltInMetrics.workloadTasks]
        const period = { from: LocalDate.addDays(today, -6), to: today }
        // As of days after every write (kept rows answer for every household), the period's
        // last day (a grid's visits were uploaded later: the engine answers for those), and
        // before later visits.
        const asOfs = [LocalDate.addDays(today, 5), undefined, LocalDate.addDays(today, -2)]
        const compareAll = Effect.forEach(
          [BuiltInRules.pack, overridden],
          (pack) =>
            Effect.forEach(
              asOfs,
              (asOf) =>
                Effect.forEach(
                  [scenario.rootId, scenario.villageIds[1]],
                  (scope) => compare(admin, { scope, period, metrics, pack, ...(asOf === undefined ? {} : { asOf }) })
                )
            ),
          { discard: true }
        )
        yield* compareAll
        // The report brought every grid current for the built-in pack and the overridden one.
        const [{ packs }] = yield* sql<{ packs: number }>`SELECT count(DISTINCT pack) AS packs FROM task_grids`
        assert.strictEqual(packs, 2)

        // Writes of the day after the late uploads: a backdated contacted visit, a resident
        // now living alone, a household that ended two days before the period's end.
        const [first, second, third] = scenario.facts.households.slice(3)
        const visited = scenario.facts.visits.find((v) => v.householdId === first.id)!
        const elder = scenario.facts.residents.find((r) => r.householdId === second.id && r.birthDate < "1965-01-01")
        yield* store.write(admin, [
          new Visit.Visit({
            ...visited,
            // Another liaison than the household's: visits per liaison see two at one household.
            liaisonId: scenario.facts.liaisons.find((l) => l.id !== visited.liaisonId)!.id,
            id: Ids.VisitId.make("late-visit"),
            at: DateTime.unsafeMake(zone.startOf(LocalDate.addDays(today, -1)) + 10 * 3_600_000),
            outcome: "contacted",
            observations: []
          }),
          withDates(third, { activeUntil: LocalDate.addDays(today, -2) }),
          ...(elder === undefined ? [] : [new Resident.Resident({ ...elder, livesAlone: true })])
        ])
        yield* compareAll
        // Screening and visits per liaison from one pass over the period's visits.
        for (const asOf of asOfs) {
          yield* compare(admin, {
            scope: scenario.rootId,
            period,
            metrics: [BuiltInMetrics.householdScreening, BuiltInMetrics.workloadVisits],
            ...(asOf === undefined ? {} : { asOf })
          })
        }
      }).pipe(
        Effect.provide(layerTempWithClient)
      ),
    300_000
  )

  it.effect("metrics with other parameters, renamed, and a metric of one's own", () =>
    Effect.gen(function*() {
      const scenario = Scenario.make({
        seed: 5,
        villagesPerSubdistrict: 1,
        gridsPerVillage: 3,
        householdsPerGrid: 8,
        historyDays: 21
      })
      const admin = yield* seed(scenario)
      const knocked = Metric.make({
        id: "households-knocked",
        title: { "zh-Hans": "已敲门户数占比", "zh-Hant": "已敲門戶數佔比", en: "Households knocked" },
        description: { "zh-Hans": "期内有入户", "zh-Hant": "期內有入戶", en: "Households with a visit in the period" },
        scoring: "proportion",
        subject: "household",
        dateField: "Visit.at",
        subjects: (ctx) => ctx.index.households,
        describe: (h, ctx) => ctx.index.householdSubject(h),
        numerator: (h, ctx) =>
          ctx.index.visitsOf(h.id).days.some((d) => d >= ctx.fromDay && d <= ctx.onDay) ||
          Metric.reason("not-visited")
      })
      const metrics = [
        knocked,
        Metric.rename(
          Metric.withParameters(BuiltInMetrics.vaccinationPrimaryCourse, {
            ...BuiltInMetrics.vaccinationDefaults,
            minAge: 60,
            maxAge: 79,
            primaryDoses: { "sinovac-coronavac": 3 }
          }),
          "vaccination-elderly"
        ),
        Metric.rename(
          Metric.withParameters(BuiltInMetrics.arrivalMonitoringCompleted, { low: 2, medium: 3, high: 5 }),
          "monitoring-short"
        ),
        BuiltInMetrics.vaccinationStatusChecked
      ]
      assert.isFalse(SqliteCoverage.isPushedDown(knocked))
      assert.isTrue(SqliteCoverage.isPushedDown(metrics[1]))
      for (const c of casesOf(scenario).filter((_, i) => i % 3 === 0)) yield* compare(admin, { ...c, metrics })
    }).pipe(Effect.provide(layerFor("Asia/Shanghai"))), 300_000)

  it.effect("members for a small scope: the in-memory report, lists and all", () =>
    Effect.gen(function*() {
      const scenario = Scenario.make({
        seed: 2,
        villagesPerSubdistrict: 1,
        gridsPerVillage: 2,
        householdsPerGrid: 8,
        historyDays: 14
      })
      const admin = yield* seed(scenario)
      const memory = yield* CoverageStore.fromStore
      const sql = yield* SqliteCoverage.SqliteCoverage
      const period = { from: LocalDate.addDays(scenario.today, -6), to: scenario.today }
      const expected = yield* memory.report(admin, { scope: scenario.rootId, period })
      const listed = yield* sql.report(admin, { scope: scenario.rootId, period, members: true })
      assert.deepStrictEqual(Report.toJson(listed), Report.toJson(expected))
      assert.isAbove(Report.toJson(listed).metrics[0].members.length, 0)
      // Over the limit: the same figures, no lists.
      const figuresOnly = yield* sql.report(admin, { scope: scenario.rootId, period, members: true, memberLimit: 5 })
      assert.deepStrictEqual(figures(figuresOnly), figures(expected))
      assert.deepStrictEqual(Report.toJson(figuresOnly).metrics.flatMap((m) => m.members), [])
    }).pipe(Effect.provide(layerFor("Asia/Shanghai"))), 300_000)

  it.effect("reports only within the actor's scope, and refuses bad options", () =>
    Effect.gen(function*() {
      const scenario = Scenario.make({
        seed: 4,
        villagesPerSubdistrict: 2,
        gridsPerVillage: 1,
        householdsPerGrid: 5,
        historyDays: 7
      })
      yield* seed(scenario)
      const sql = yield* SqliteCoverage.SqliteCoverage
      const grid = scenario.gridIds[0]
      const liaison = new Access.Actor({ id: "l", role: "liaison", scope: [grid] })
      const own = yield* sql.report(liaison, { scope: grid, period: scenario.history })
      assert.deepStrictEqual(own.places.map((p) => p.placeId), [grid])
      const above = yield* Effect.flip(sql.report(liaison, { scope: scenario.rootId, period: scenario.history }))
      assert.strictEqual(above._tag, "CoverageError")
      const backwards = yield* Effect.flip(
        sql.report(liaison, { scope: grid, period: { from: scenario.today, to: scenario.history.from } })
      )
      assert.match(backwards.message, /ends .* before it starts/)
      const twice = yield* Effect.flip(sql.report(liaison, {
        scope: grid,
        period: scenario.history,
        metrics: [BuiltInMetrics.householdScreening, BuiltInMetrics.householdScreening]
      }))
      assert.match(twice.message, /two metrics have the id/)
      // The port in context is this service.
      const port = yield* CoverageStore.CoverageStore
      assert.deepStrictEqual(
        figures(yield* port.report(liaison, { scope: grid, period: scenario.history })),
        figures(own)
      )
    }).pipe(Effect.provide(layerFor("Asia/Shanghai"))), 120_000)

  it.scoped(
    "a file written before the pushdown columns is upgraded and reports the same",
    () =>
      Effect.gen(function*() {
        const scenario = Scenario.make({
          seed: 6,
          villagesPerSubdistrict: 1,
          gridsPerVillage: 2,
          householdsPerGrid: 6,
          historyDays: 10
        })
        const filename = yield* tempFile
        const open = onFile(filename)
        const period = { from: LocalDate.addDays(scenario.today, -6), to: scenario.today }
        const before = yield* Effect.gen(function*() {
          const admin = yield* seed(scenario)
          const memory = yield* CoverageStore.fromStore
          const expected = figures(yield* memory.report(admin, { scope: scenario.rootId, period }))
          // Back to schema 2: what version 3 adds is gone.
          const sql = yield* SqlClient.SqlClient
          for (
            const statement of [
              "DROP TRIGGER residents_coverage",
              "DROP TRIGGER IF EXISTS visits_observations",
              "DROP TRIGGER visits_observations_redate",
              "DROP TABLE visit_observations",
              "DROP TRIGGER liaisons_grids",
              "DROP TABLE liaison_grids",
              "DROP INDEX residents_coverage",
              "DROP INDEX households_coverage",
              "DROP INDEX visits_household",
              "CREATE INDEX visits_household ON visits (household_id, local_date, outcome, recorded_at)",
              ...[
                "active_from",
                "active_until",
                "presence",
                "eligibility",
                "contraindicated_until",
                "doses",
                "first_dose_date",
                "first_dose_product",
                "last_dose_date"
              ].map((c) => `ALTER TABLE residents DROP COLUMN ${c}`)
            ]
          ) yield* sql.unsafe(statement).raw
          // Version 3 on what an older file holds.
          yield* Migrations.m0003_coverage_pushdown
          return { admin, expected }
        }).pipe(Effect.provide(open), Effect.scoped)
        const after = yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const [{ n }] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM visit_observations`
          assert.isAbove(n, 0)
          const coverage = yield* SqliteCoverage.SqliteCoverage
          return figures(yield* coverage.report(before.admin, { scope: scenario.rootId, period }))
        }).pipe(Effect.provide(open), Effect.scoped)
        assert.deepStrictEqual(after, before.expected)
      }),
    120_000
  )

  it.scoped("after a change of zone re-dates the visits, the figures follow", () =>
    Effect.gen(function*() {
      const scenario = Scenario.make({
        seed: 9,
        villagesPerSubdistrict: 1,
        gridsPerVillage: 2,
        householdsPerGrid: 6,
        historyDays: 10
      })
      const filename = yield* tempFile
      const openIn = (zone: string) => Layer.provideMerge(SqliteStore.layer({ filename }), Deployment.layer({ zone }))
      const admin = yield* seed(scenario).pipe(Effect.provide(openIn("Asia/Shanghai")), Effect.scoped)
      yield* Effect.gen(function*() {
        const { zone } = yield* Deployment.Deployment
        assert.strictEqual(zone, TimeZone.make("America/New_York"))
        for (const c of casesOf(scenario).filter((_, i) => i % 4 === 0)) yield* compare(admin, c)
      }).pipe(Effect.provide(openIn("America/New_York")), Effect.scoped)
    }), 300_000)
})
