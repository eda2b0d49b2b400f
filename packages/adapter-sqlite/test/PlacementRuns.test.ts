import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Access, Deployment, Fact, MemoryStore, Store } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { Effect, Layer, TestClock } from "effect"
import { DeploymentLive, layerTempWithClient } from "./fixtures.js"

const scenario = Scenario.make({ seed: 11, villagesPerSubdistrict: 1, gridsPerVillage: 3, householdsPerGrid: 6 })

/** The batches: the roster, then the visits in the scenario's order (runs of one grid after another). */
const batches = (() => {
  const roster = Fact.toArray({ ...scenario.facts, visits: [] })
  const visits = scenario.facts.visits
  const out: Array<ReadonlyArray<Fact.Fact>> = []
  for (let i = 0; i < roster.length; i += 400) out.push(roster.slice(i, i + 400))
  // A household's new version in the middle of a batch of visits, and batches of a few sizes,
  // so runs break on a grid change, on another kind of fact and on a batch's end.
  const moved = scenario.facts.households[0]
  const middle = Math.floor(visits.length / 2)
  out.push(visits.slice(0, 37))
  out.push([...visits.slice(37, middle), moved, ...visits.slice(middle, middle + 5)])
  for (let i = middle + 5; i < visits.length; i += 250) out.push(visits.slice(i, i + 250))
  return out
})()

/** What each reader sees of the store, read in small pages. */
const observe = Effect.gen(function*() {
  const store = yield* Store.Store
  const readers = [
    Access.system([scenario.rootId]),
    ...scenario.gridIds.map((g) => new Access.Actor({ id: "liaison", role: "liaison", scope: [g] }))
  ]
  const out: Array<unknown> = []
  for (const reader of readers) {
    const changed: Array<string> = []
    let cursor: Store.Cursor | undefined
    while (true) {
      const page: Store.Changes = yield* store.changes(reader, cursor, { limit: 23 })
      changed.push(...page.facts.map((f) => `${f._tag} ${f.id}`))
      cursor = page.cursor
      if (!page.more) break
    }
    const audited: Array<string> = []
    let after = 0
    while (true) {
      const page = yield* store.audit(reader, { afterSeq: after, limit: 17 })
      if (page.length === 0) break
      audited.push(...page.map((e) => `${e.operation} ${e.tag} ${e.id} ${e.actorId}`))
      after = page[page.length - 1].seq
    }
    out.push({ reader: reader.scope, changed, audited })
  }
  return out
})

const run = Effect.gen(function*() {
  const { zone } = yield* Deployment.Deployment
  yield* TestClock.setTime(zone.startOf(scenario.today) + 23 * 3_600_000)
  const store = yield* Store.Store
  const admin = Access.system([scenario.rootId])
  for (const batch of batches) yield* store.write(admin, batch)
  return yield* observe
})

describe("placement runs (migration 10)", () => {
  it.effect("the change feed and the audit trail by subtree list every visit of a run once, as in memory", () =>
    Effect.gen(function*() {
      const expected = yield* run.pipe(
        Effect.provide(MemoryStore.layerMemory.pipe(Layer.provideMerge(DeploymentLive)))
      )
      const seen = yield* run.pipe(Effect.provide(layerTempWithClient))
      assert.deepStrictEqual(seen, expected)
      // Every grid's liaison sees exactly its grid's visits.
      const visitsOf = (g: string) =>
        scenario.facts.visits.filter((v) => scenario.facts.households.find((h) => h.id === v.householdId)?.gridId === g)
          .length
      scenario.gridIds.forEach((g, i) => {
        const { audited } = seen[i + 1] as { audited: Array<string> }
        assert.strictEqual(audited.filter((e) => e.startsWith("create Visit")).length, visitsOf(g), g)
      })
    }))

  it.effect("a run of visits at one grid is one placement row", () =>
    Effect.gen(function*() {
      yield* run
      const sql = yield* SqlClient.SqlClient
      const [{ runs, visits }] = yield* sql<{ readonly runs: number; readonly visits: number }>`
        SELECT (SELECT count(*) FROM placements WHERE first_seq IS NOT NULL) AS runs,
          (SELECT count(*) FROM visits) AS visits`
      assert.isAbove(runs, 0)
      assert.isBelow(runs * 3, visits)
      // Every write a run places is a visit placed nowhere else.
      const [{ strays }] = yield* sql<{ readonly strays: number }>`
        SELECT count(*) AS strays FROM placements p JOIN audit a ON a.seq >= p.first_seq AND a.seq <= p.seq
        WHERE p.first_seq IS NOT NULL AND (a.tag <> 'Visit'
          OR EXISTS (SELECT 1 FROM placements q WHERE q.seq = a.seq AND q.place_id <> p.place_id))`
      assert.strictEqual(strays, 0)
    }).pipe(Effect.provide(layerTempWithClient)))
})
