import { SqlClient, Statement } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { SqliteCoverage } from "@minqing/adapter-sqlite"
import { LocalDate, Store } from "@minqing/core"
import { Effect, TestClock } from "effect"
import { actor, admin, fact, household, layerTempWithClient, NOW, resident, roster, visit } from "./fixtures.js"

interface Captured {
  readonly operation: string
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
}

/** Runs `effect`, recording every statement it sends to SQLite. */
const capturing = <A, E, R>(operation: string, into: Array<Captured>, effect: Effect.Effect<A, E, R>) =>
  Statement.withTransformer(effect, (statement) =>
    Effect.sync(() => {
      const [sql, params] = statement.compile()
      into.push({ operation, sql, params })
      return statement
    }))

const explainable = /^\s*(WITH|SELECT|UPDATE|DELETE|INSERT\s+(OR\s+\w+\s+)?INTO\s+\w+\s*(\([^)]*\))?\s*SELECT)/i
/**
 * Scans that read no table: a materialised CTE or subquery, a constant row, a bound list
 * (`json_each(?)`); and `task_packs`, a row per rule pack in use.
 */
const harmless =
  /^SCAN (CONSTANT ROW|\(subquery|hh\b|per\b|subtree\b|reached\b|r\b|x\b|checked\b|population\b|contacted\b|task_packs\b|\w+ VIRTUAL TABLE)/
/** Whether a table has a row at all: reads one entry whatever the plan says. */
const exists = /^\s*SELECT 1 AS one FROM \w+ LIMIT 1\s*$/
const tables =
  /\b(places|liaisons|households|residents|visits|arrivals|matters|campaigns|audit|placements|relocations|place_closure|accounts|tokens|visit_observations|liaison_grids|tasks|task_grids|task_dirty|task_packs|task_tallies|task_tally_grids)\b/

describe("query plans", () => {
  it.scoped("scoped reads, lookups and writes search indexes and never scan a table", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store.Store
      const sql = yield* SqlClient.SqlClient
      yield* store.write(admin, roster)
      yield* store.write(admin, [
        visit("v1", "h1", "l1", "2021-05-09T01:00:00Z"),
        visit("v2", "h2", "l1", "2021-05-10T01:00:00Z"),
        visit("v3", "h3", "l3", "2021-05-10T01:00:00Z")
      ])

      const captured: Array<Captured> = []
      const liaison = actor("liaison", ["g1"])
      const leader = actor("village-leader", ["v1"])
      const day = LocalDate.make("2021-05-10")
      const window = { from: LocalDate.make("2021-05-04"), to: day }
      const run = <A, E>(operation: string, effect: Effect.Effect<A, E>) => capturing(operation, captured, effect)

      yield* run("load a grid's visits in a window (worklist)", store.load(liaison, { window }))
      yield* run("load a village in a window as of a date", store.load(leader, { window, asOf: day }))
      yield* run("load a subtree by scope", store.load(admin, { scope: "v1" as any, window }))
      yield* run("list households, first page", store.list(leader, "Household", { limit: 1 }))
      yield* run("list residents, next page", store.list(leader, "Resident", { limit: 1, after: "r1" }))
      yield* run("list visits as of a date", store.list(liaison, "Visit", { asOf: day, limit: 10 }))
      yield* run("list liaisons", store.list(leader, "Liaison"))
      yield* run("list campaigns", store.list(liaison, "Campaign"))
      yield* run("list places", store.list(liaison, "Place"))
      yield* run("get a resident", store.get(liaison, "Resident", "r1"))
      yield* run("get a household as of a date", store.get(liaison, "Household", "h1", { asOf: day }))
      yield* run("changes since the start", store.changes(liaison, undefined))
      yield* run("audit of one record", store.audit(leader, { id: "h1" }))
      const coverage = yield* SqliteCoverage.SqliteCoverage
      yield* run(
        "household screening in SQL",
        coverage.householdScreening(leader, { scope: "v1" as any, period: window, asOf: day })
      )
      // The coverage pushdown: a decoction campaign, an arrival to monitor and a matter make
      // every statement of a report run.
      yield* store.write(admin, [
        fact({
          _tag: "Campaign",
          id: "c1",
          kind: "decoction",
          name: "中药汤剂",
          scopeId: "sd",
          period: { from: "2021-05-01", to: "2021-05-20" },
          posts: []
        }),
        fact({
          _tag: "ArrivalReport",
          id: "a1",
          householdId: "h1",
          person: { _tag: "KnownResident", residentId: "r1" },
          origin: "郑州",
          originRisk: "high",
          expectedArrival: "2021-05-05",
          actualArrival: "2021-05-05",
          reportedAt: "2021-05-03T01:00:00Z",
          status: "arrived"
        }),
        fact({
          _tag: "Matter",
          id: "m1",
          householdId: "h2",
          category: "help-request",
          summary: "路灯坏了",
          openedAt: "2021-05-06T01:00:00Z",
          dueBy: "2021-05-08",
          status: "open"
        }),
        visit("v5", "h1", "l1", "2021-05-09T02:00:00Z", {
          observations: [
            { _tag: "decoction", campaignId: "c1", servings: 2 },
            { _tag: "health-check", residentId: "r1", arrivalId: "a1", symptoms: false },
            { _tag: "vaccination-check", residentId: "r1", status: "unvaccinated", persuaded: true }
          ]
        })
      ])
      yield* run(
        "coverage report in SQL, every built-in metric",
        coverage.report(leader, { scope: "v1" as any, period: window, asOf: day })
      )
      yield* run(
        "coverage report of an earlier period, rules in chunks of one household",
        coverage.report(admin, {
          scope: "sd" as any,
          period: { from: LocalDate.make("2021-05-02"), to: LocalDate.make("2021-05-08") },
          asOf: day,
          chunkSize: 1
        })
      )
      yield* run(
        "coverage report with member lists (a small scope)",
        coverage.report(liaison, { scope: "g1" as any, period: window, asOf: day, members: true })
      )
      yield* run(
        "write a batch (lookups, supersede, closure)",
        store.write(admin, [
          household("h1", "g2", 3),
          resident("r1", "h1", { name: "改名" }),
          resident("r9", "h2", { name: "张伟", birthDate: "1980-01-02", sex: "male" }),
          visit("v4", "h1", "l1", "2021-05-10T02:00:00Z")
        ])
      )

      const problems: Array<string> = []
      let checked = 0
      // Whether a resident was checked for vaccination: a search of the checks' own index.
      let checksIndexed = 0
      for (const c of captured) {
        if (!explainable.test(c.sql) || !tables.test(c.sql) || exists.test(c.sql)) continue
        checked += 1
        const plan = yield* sql.unsafe<{ detail: string }>(`EXPLAIN QUERY PLAN ${c.sql}`, c.params as Array<any>)
        if (process.env.SHOW_PLANS) {
          console.log(
            "##",
            c.operation,
            c.sql.replace(/\s+/g, " ").slice(0, 160),
            "\n   " + plan.map((p) => p.detail).join("\n   ")
          )
        }
        if (plan.some((p) => /visit_observations_checks/.test(p.detail))) checksIndexed += 1
        for (const { detail } of plan) {
          // `SEARCH` walks an index range; `SCAN <table>` reads all of it (with or without an index).
          if (/^SCAN /.test(detail) && !harmless.test(detail)) {
            problems.push(`${c.operation}: ${detail}\n    ${c.sql.replace(/\s+/g, " ")}`)
          }
        }
      }
      assert.isAbove(checked, 40)
      assert.isAbove(checksIndexed, 0)
      assert.deepStrictEqual(problems, [])
    }).pipe(Effect.provide(layerTempWithClient)))
})
