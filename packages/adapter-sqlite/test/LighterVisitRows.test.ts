import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Access, Deployment, Fact, Store } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { Effect, TestClock } from "effect"
import { layerTempWithClient } from "./fixtures.js"

const scenario = Scenario.make({ seed: 5, villagesPerSubdistrict: 1, gridsPerVillage: 2, householdsPerGrid: 8 })

interface ObservationRow {
  readonly household_id: string
  readonly kind: string
  readonly local_date: string
  readonly visit_seq: number
  readonly idx: number
  readonly recorded_at: number
  readonly resident_id: string | null
  readonly arrival_id: string | null
  readonly campaign_id: string | null
  readonly matter_id: string | null
}

describe("lighter visit rows (migration 7)", () => {
  it.effect(
    "a visit's observation rows are those its stored JSON gives, and its audit entry is found by its id",
    () =>
      Effect.gen(function*() {
        const { zone } = yield* Deployment.Deployment
        yield* TestClock.setTime(zone.startOf(scenario.today) + 23 * 3_600_000)
        const store = yield* Store.Store
        const sql = yield* SqlClient.SqlClient
        const admin = Access.system([scenario.rootId])
        const all = Fact.toArray(scenario.facts)
        for (let i = 0; i < all.length; i += 500) yield* store.write(admin, all.slice(i, i + 500))

        const columns = `household_id, kind, local_date, visit_seq, idx, recorded_at, resident_id, arrival_id,
        campaign_id, matter_id`
        const written = yield* sql.unsafe<ObservationRow>(
          `SELECT ${columns} FROM visit_observations ORDER BY visit_seq, idx`
        )
        // What migration 3's trigger derived from each stored visit.
        const derived = yield* sql.unsafe<ObservationRow>(
          `SELECT v.household_id, json_extract(o.value, '$._tag') AS kind, v.local_date, v.seq AS visit_seq,
          o.key AS idx, v.recorded_at, json_extract(o.value, '$.residentId') AS resident_id,
          json_extract(o.value, '$.arrivalId') AS arrival_id, json_extract(o.value, '$.campaignId') AS campaign_id,
          json_extract(o.value, '$.matterId') AS matter_id
        FROM visits v, json_each(v.data, '$.observations') o ORDER BY v.seq, o.key`
        )
        assert.isAbove(written.length, 100)
        assert.deepStrictEqual(new Set(written.map((r) => r.kind)).size > 3, true, "several kinds of observation")
        assert.deepStrictEqual(written, derived)

        // A replayed batch adds no row.
        const visits = scenario.facts.visits.slice(0, 20)
        const receipts = yield* store.write(admin, visits)
        assert.isTrue(receipts.every((r) => r.status === "replayed"))
        const [{ n }] = yield* sql<{ readonly n: number }>`SELECT count(*) AS n FROM visit_observations`
        assert.strictEqual(n, written.length)

        // A visit's audit entry, by its id, as for any other record.
        const visit = scenario.facts.visits.find((v) => v.observations.length > 0)!
        const entries = yield* store.audit(admin, { id: visit.id })
        assert.deepStrictEqual(entries.map((e) => [e.tag, e.id, e.operation]), [["Visit", visit.id, "create"]])
        const household = scenario.facts.households[0]
        const own = yield* store.audit(admin, { id: household.id })
        assert.deepStrictEqual(own.map((e) => [e.tag, e.id]), [["Household", household.id]])
      }).pipe(Effect.provide(layerTempWithClient)),
    60_000
  )
})
