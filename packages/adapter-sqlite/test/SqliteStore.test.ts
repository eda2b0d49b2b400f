import { Migrator, SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Migrations, SqliteStore } from "@minqing/adapter-sqlite"
import { Deployment, Fact, LocalDate, Store, WriteCheck } from "@minqing/core"
import { Effect, Either, Layer, Option, TestClock } from "effect"
import {
  actor,
  admin,
  household,
  layerTempWithClient,
  NOW,
  onFile,
  resident,
  roster,
  tempFile,
  visit
} from "./fixtures.js"

const setup = Effect.gen(function*() {
  yield* TestClock.setTime(NOW)
  const store = yield* Store.Store
  yield* store.write(admin, roster)
  return store
})

const count = (table: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => Effect.map(sql<{ n: number }>`SELECT count(*) AS n FROM ${sql(table)}`, ([row]) => row.n)
  )

describe("SqliteStore", () => {
  it.scoped("opens a new file in WAL mode with foreign keys and a busy timeout, migrated", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [journal] = yield* sql<{ journal_mode: string }>`PRAGMA journal_mode`
      const [fk] = yield* sql<{ foreign_keys: number }>`PRAGMA foreign_keys`
      const [busy] = yield* sql<{ timeout: number }>`PRAGMA busy_timeout`
      assert.strictEqual(journal.journal_mode, "wal")
      assert.strictEqual(fk.foreign_keys, 1)
      assert.strictEqual(busy.timeout, 5000)
      const migrations = yield* sql<{ migration_id: number; name: string }>`
        SELECT migration_id, name FROM effect_sql_migrations ORDER BY migration_id`
      // Every migration of the package, in order, under its name.
      assert.deepStrictEqual(
        migrations.map((m) => [m.migration_id, m.name]),
        Object.keys(Migrations.migrations).sort().map((key) => [Number(key.slice(0, 4)), key.slice(5)])
      )
      assert.strictEqual(migrations[migrations.length - 1].migration_id, Migrations.latest)
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("upgrades a file written by an earlier schema, filling the new columns", () =>
    Effect.gen(function*() {
      const filename = yield* tempFile
      const h = household("h1", "g1", 1, { activeUntil: "2021-06-30" })
      const v = visit("v1", "h1", "l1", "2021-05-10T01:00:00Z", { outcome: "refused" })
      const data = (f: Fact.Fact) => WriteCheck.canonical(WriteCheck.encode(f))
      // A database at schema version 1, with a household and a visit in it.
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* Migrator.make({})({ loader: Migrator.fromRecord({ "0001_schema": Migrations.m0001_schema }) })
        yield* sql`INSERT INTO audit ${
          sql.insert([
            {
              seq: 1,
              at: 0,
              actor_id: "a",
              role: "subdistrict-admin",
              operation: "create",
              tag: "Household",
              id: "h1"
            },
            { seq: 2, at: 0, actor_id: "a", role: "subdistrict-admin", operation: "create", tag: "Visit", id: "v1" }
          ])
        }`
        yield* sql`INSERT INTO households ${
          sql.insert({ seq: 1, id: "h1", place_id: "g1", route_position: 1, recorded_at: 0, data: data(h) })
        }`
        yield* sql`INSERT INTO visits ${
          sql.insert({
            id: "v1",
            seq: 2,
            household_id: "h1",
            liaison_id: "l1",
            at: v.at.epochMillis,
            local_date: "2021-05-10",
            recorded_at: 0,
            data: data(v)
          })
        }`
      }).pipe(Effect.provide(SqliteStore.layerClient({ filename })))

      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [household] = yield* sql<{ active_from: string; active_until: string }>`
          SELECT active_from, active_until FROM households`
        const [stored] = yield* sql<{ outcome: string }>`SELECT outcome FROM visits`
        assert.deepStrictEqual([household.active_from, household.active_until], ["2021-01-01", "2021-06-30"])
        assert.strictEqual(stored.outcome, "refused")
        const store = yield* Store.Store
        const read = yield* store.list(admin, "Visit", { limit: 5 })
        assert.strictEqual(read.items.length, 0, "the visit's household is in no place of the admin's tree")
      }).pipe(
        Effect.provide(
          onFile(filename)
        )
      )
    }))

  it.scoped("refuses a file written by a newer version of the package", () =>
    Effect.gen(function*() {
      const filename = yield* tempFile
      const open = onFile(filename)
      yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql`INSERT INTO effect_sql_migrations (migration_id, name) VALUES (${Migrations.latest + 1}, 'future')`).pipe(
          Effect.provide(open)
        )
      const reopened = yield* Effect.either(Effect.provide(Effect.void, open))
      assert.isTrue(Either.isLeft(reopened))
      if (Either.isLeft(reopened)) {
        assert.strictEqual(reopened.left._tag, "StoreError")
        assert.include(reopened.left.message, "written by a newer version of @minqing/adapter-sqlite")
      }
    }))

  it.scoped("re-dates visits when the file is opened with another time zone", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const filename = yield* tempFile
      const open = (zone: string) => SqliteStore.layer({ filename }).pipe(Layer.provide(Deployment.layer({ zone })))
      // 2021-05-09 17:00 UTC is 2021-05-10 01:00 in Shanghai.
      const v = visit("late", "h1", "l1", "2021-05-09T17:00:00Z")
      const dates = (day: string) => ({ window: { from: LocalDate.make(day), to: LocalDate.make(day) } })
      const shanghai = yield* Effect.gen(function*() {
        const store = yield* Store.Store
        yield* store.write(admin, [...roster, v])
        return (yield* store.load(admin, dates("2021-05-10"))).visits.map((x) => x.id)
      }).pipe(Effect.provide(open("Asia/Shanghai")))
      const utc = yield* Effect.gen(function*() {
        const store = yield* Store.Store
        return [
          (yield* store.load(admin, dates("2021-05-09"))).visits.map((x) => x.id),
          (yield* store.load(admin, dates("2021-05-10"))).visits.map((x) => x.id)
        ]
      }).pipe(Effect.provide(open("UTC")))
      assert.deepStrictEqual(shanghai, ["late"])
      assert.deepStrictEqual(utc, [["late"], []])
    }))

  it.scoped("writes a roster and reads it back, scoped to the actor", () =>
    Effect.gen(function*() {
      const store = yield* setup
      const liaison = actor("liaison", ["g1"])
      const facts = yield* store.load(liaison)
      assert.deepStrictEqual(facts.households.map((h) => h.id), ["h1", "h2"])
      assert.deepStrictEqual(facts.residents.map((r) => r.id), ["r1", "r2"])
      assert.deepStrictEqual(facts.liaisons.map((l) => l.id), ["l1"])
      assert.deepStrictEqual(facts.places.map((p) => p.id), ["g1", "sd", "v1"])
      const other = yield* store.get(liaison, "Household", "h3")
      assert.isTrue(Option.isNone(other))
      const own = yield* store.get(liaison, "Resident", "r1")
      assert.strictEqual(Option.getOrThrow(own).name, "居民r1")
      const page = yield* store.list(admin, "Household", { limit: 2 })
      assert.deepStrictEqual(page.items.map((h) => h.id), ["h1", "h2"])
      assert.strictEqual(page.next, "h2")
      const rest = yield* store.list(admin, "Household", { limit: 2, after: page.next! })
      assert.deepStrictEqual(rest.items.map((h) => h.id), ["h3"])
      assert.isUndefined(rest.next)
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("replays a visit uploaded twice and refuses a different visit under the same id", () =>
    Effect.gen(function*() {
      const store = yield* setup
      const v = visit("v-1", "h1", "l1", "2021-05-10T01:00:00Z")
      const [first] = yield* store.write(admin, [v])
      const [again] = yield* store.write(admin, [v])
      assert.strictEqual(first.status, "created")
      assert.strictEqual(again.status, "replayed")
      assert.strictEqual(yield* count("visits"), 1)
      const changed = visit("v-1", "h1", "l1", "2021-05-10T01:00:00Z", { outcome: "nobody-home" })
      const result = yield* Effect.either(store.write(admin, [changed]))
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result) && result.left._tag === "Rejected") {
        assert.strictEqual(result.left.problems[0].code, "conflict")
      } else assert.fail("expected a conflict")
      assert.strictEqual(yield* count("visits"), 1)
      const audit = yield* store.audit(admin, { id: "v-1" })
      assert.strictEqual(audit.length, 1)
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("writes a batch all or nothing", () =>
    Effect.gen(function*() {
      const store = yield* setup
      const before = yield* count("audit")
      const result = yield* Effect.either(store.write(admin, [
        household("h4", "g2", 1),
        resident("r4", "h4"),
        resident("r5", "h-missing")
      ]))
      assert.isTrue(Either.isLeft(result))
      assert.strictEqual(yield* count("audit"), before)
      assert.isTrue(Option.isNone(yield* store.get(admin, "Household", "h4")))
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("keeps every version, so a read as of a past date reproduces it", () =>
    Effect.gen(function*() {
      const store = yield* setup
      yield* TestClock.adjust("2 days")
      const moved = household("h1", "g1", 1, { address: "新地址 1 号" })
      const [receipt] = yield* store.write(admin, [moved])
      assert.strictEqual(receipt.status, "updated")
      const now = yield* store.get(admin, "Household", "h1")
      const then = yield* store.get(admin, "Household", "h1", { asOf: LocalDate.make("2021-05-10") })
      assert.strictEqual(Option.getOrThrow(now).address, "新地址 1 号")
      assert.strictEqual(Option.getOrThrow(then).address, "h1 号")
      const before = yield* store.get(admin, "Household", "h1", { asOf: LocalDate.make("2021-05-09") })
      assert.isTrue(Option.isNone(before))
      const audit = yield* store.audit(admin, { id: "h1" })
      assert.deepStrictEqual(audit.map((a) => a.operation), ["create", "update"])
      assert.deepStrictEqual((audit[1].before as any).address, "h1 号")
      assert.deepStrictEqual((audit[1].after as any).address, "新地址 1 号")
      const unchanged = yield* store.write(admin, [moved])
      assert.strictEqual(unchanged[0].status, "unchanged")
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("loads visits by local date in the deployment's zone", () =>
    Effect.gen(function*() {
      const store = yield* setup
      yield* store.write(admin, [
        // 2021-05-09 23:30 in Shanghai
        visit("a", "h1", "l1", "2021-05-09T15:30:00Z"),
        // 2021-05-10 00:30 in Shanghai
        visit("b", "h1", "l1", "2021-05-09T16:30:00Z"),
        visit("c", "h3", "l3", "2021-05-10T01:00:00Z")
      ])
      const day = LocalDate.make("2021-05-10")
      const facts = yield* store.load(admin, { window: { from: day, to: day } })
      assert.deepStrictEqual(facts.visits.map((v) => v.id), ["b", "c"])
      const grid = yield* store.load(admin, { scope: "g1" as any, window: { from: day, to: day } })
      assert.deepStrictEqual(grid.visits.map((v) => v.id), ["b"])
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("follows changes with a cursor", () =>
    Effect.gen(function*() {
      const store = yield* setup
      const liaison = actor("liaison", ["g1"])
      const first = yield* store.changes(liaison, undefined)
      assert.includeMembers(first.facts.map((f) => f.id), ["h1", "h2", "r1", "r2", "l1", "g1"])
      assert.notInclude(first.facts.map((f): string => f.id), "h3")
      assert.isFalse(first.more)
      yield* store.write(admin, [visit("v-9", "h2", "l1", "2021-05-10T01:00:00Z"), household("h3", "g3", 5)])
      const next = yield* store.changes(liaison, first.cursor)
      assert.deepStrictEqual(next.facts.map((f) => f.id), ["v-9"])
      const none = yield* store.changes(liaison, next.cursor)
      assert.deepStrictEqual(none.facts, [])
      assert.strictEqual(none.cursor, next.cursor)
      assert.isTrue(Fact.tags.length > 0)
    }).pipe(Effect.provide(layerTempWithClient)))
})
