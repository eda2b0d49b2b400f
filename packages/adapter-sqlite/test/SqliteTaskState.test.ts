import { SqlClient, Statement } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { SqliteStore, SqliteTaskState } from "@minqing/adapter-sqlite"
import { BuiltInRules, Deployment, Ids, LocalDate, RulePack, Store, TaskState, type Worklist } from "@minqing/core"
import { TaskStateSuite } from "@minqing/core/testing"
import { Effect, Either, Layer, TestClock } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as WorklistQuery from "../src/internal/worklistQuery.js"
import { actor, admin, layerTempWithClient, NOW, onFile, roster, tempFile, visit } from "./fixtures.js"

describe("TaskStateSuite on SQLite (tasks kept in a file in a temporary directory)", () => {
  const suiteLayer = () =>
    Layer.unwrapScoped(Effect.map(tempFile, (filename) => SqliteStore.layer({ filename }))).pipe(
      Layer.provideMerge(Deployment.layer())
    )
  for (const c of TaskStateSuite.cases) {
    it.effect(c.name, () => c.test.pipe(Effect.provide(suiteLayer())))
  }
})

const liaison1 = actor("liaison", ["g1"], "l1")
const l1 = Ids.LiaisonId.make("l1")
const d10 = LocalDate.make("2021-05-10")

/** What the engines give on `Store.load`'s facts: the reference. */
const reference = Effect.gen(function*() {
  const store = yield* Store.Store
  const settings = yield* Deployment.Deployment
  return TaskState.fromStore(store, settings)
})

/** The households whose sweep is open on a worklist. */
const sweeps = (list: { readonly stops: ReadonlyArray<Worklist.Stop> }) =>
  list.stops.filter((s) => s.tasks.some((t) => t.rule === "household-sweep")).map((s) => s.householdId)

const count = (sql: SqlClient.SqlClient, table: string) =>
  Effect.map(sql<{ readonly n: number }>`SELECT count(*) AS n FROM ${sql(table)}`, ([r]) => r.n)

/** Waits in real time (`Effect.sleep` follows the test clock), so background fibers get to run. */
const pause = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

/** How many kept grids writes have marked stale since they were last computed. */
const staleGrids = (sql: SqlClient.SqlClient) =>
  Effect.map(
    sql<{ readonly stale: number }>`SELECT count(*) AS stale FROM task_grids g
      WHERE g.dirty_seq < (SELECT coalesce(max(d.seq), 0) FROM task_dirty d WHERE d.place_id = g.place_id)`,
    ([r]) => r.stale
  )

describe("SqliteTaskState", () => {
  it.scoped("computes a grid on its first read and then re-evaluates only the households writes touch", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const sql = yield* SqlClient.SqlClient
      const store = yield* Store.Store
      const state = yield* TaskState.TaskState
      const expected = yield* reference
      yield* store.write(admin, roster)
      yield* store.write(admin, [visit("v1", "h1", "l1", "2021-05-09T01:00:00Z")])
      // Nothing is kept, so writes mark nothing.
      assert.strictEqual(yield* count(sql, "tasks"), 0)
      assert.strictEqual(yield* count(sql, "task_dirty"), 0)

      const first = yield* state.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 })
      assert.deepStrictEqual(first, yield* expected.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 }))
      assert.deepStrictEqual(sweeps(first), ["h1", "h2"])
      assert.deepStrictEqual(
        (yield* sql<{ readonly place_id: string }>`SELECT place_id FROM task_grids`).map((r) => r.place_id),
        ["g1"]
      )
      // A visit to h2 marks h2 only; one to h3 (a grid nobody read) marks nothing.
      yield* store.write(admin, [
        visit("v2", "h2", "l1", "2021-05-10T02:00:00Z"),
        visit("v3", "h3", "l3", "2021-05-10T02:00:00Z")
      ])
      assert.deepStrictEqual(
        (yield* sql<{ readonly place_id: string; readonly household_id: string }>`
          SELECT place_id, household_id FROM task_dirty`).map((r) => `${r.place_id}/${r.household_id}`),
        ["g1/h2"]
      )

      const captured: Array<readonly [string, ReadonlyArray<unknown>]> = []
      const second = yield* Statement.withTransformer(
        state.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 }),
        (statement) => Effect.sync(() => (captured.push(statement.compile()), statement))
      )
      assert.deepStrictEqual(
        second,
        yield* expected.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 })
      )
      assert.deepStrictEqual(sweeps(second), ["h1"], "h2 was visited: its sweep is done")
      const recomputed = captured.filter(([text]) => /^\s*(DELETE FROM|SELECT data FROM visits)/.test(text))
      assert.strictEqual(recomputed.length, 3, "h2's tasks and explanations were replaced, reading its visits")
      for (const [, params] of recomputed) {
        assert.include(params, "h2")
        assert.notInclude(params, "h1", "h1's rows were left alone")
      }
      const tasks = yield* state.tasks(liaison1, BuiltInRules.pack, { from: d10, to: d10, asOf: d10 })
      assert.deepStrictEqual(
        tasks.filter((t) => t.householdId === "h2" && t.rule === "household-sweep").map((t) =>
          `${t.state} by ${t.resolvedBy}`
        ),
        ["done by v2"]
      )
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("once writes pause, the households they marked are re-evaluated in the background: the next read only reads", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const sql = yield* SqlClient.SqlClient
      const store = yield* Store.Store
      const state = yield* TaskState.TaskState
      const expected = yield* reference
      yield* store.write(admin, roster)
      yield* state.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 })
      const current = Effect.map(staleGrids(sql), (n) => n === 0)
      yield* store.write(admin, [visit("v2", "h2", "l1", "2021-05-10T02:00:00Z")])
      assert.isFalse(yield* current, "the write marked h2 stale")
      // Writes keep coming (the clock has not moved): nothing is refreshed yet.
      yield* pause(50)
      assert.isFalse(yield* current, "no refresh while writes may still come")
      yield* TestClock.adjust("2 seconds")
      for (let i = 0; i < 100 && !(yield* current); i++) {
        yield* pause(20)
      }
      assert.isTrue(yield* current, "refreshed in the background")

      const captured: Array<string> = []
      const list = yield* Statement.withTransformer(
        state.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 }),
        (statement) => Effect.sync(() => (captured.push(statement.compile()[0]), statement))
      )
      assert.deepStrictEqual(list, yield* expected.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 }))
      assert.deepStrictEqual(sweeps(list), ["h1"], "h2 was visited: its sweep is done")
      assert.deepStrictEqual(captured.filter((text) => /^\s*(INSERT|DELETE|UPDATE|BEGIN)/i.test(text)), [], "no write")
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("a task state's background refresh stops when its scope closes, even one already waiting for writes to pause; the others on the connection keep theirs", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const sql = yield* SqlClient.SqlClient
      const store = yield* Store.Store
      yield* store.write(admin, roster)
      const stale = staleGrids(sql)
      // A second task state on the store's connection (as `SqliteCoverage.make` makes one), in a
      // scope of its own: it keeps g1, and the write below starts its wait for writes to pause.
      yield* Effect.scoped(Effect.gen(function*() {
        const own = yield* SqliteTaskState.make()
        yield* own.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 })
        yield* store.write(admin, [visit("v2", "h2", "l1", "2021-05-10T02:00:00Z")])
      }))
      assert.strictEqual(yield* stale, 1, "the write marked g1 stale")
      // The writes paused long ago; a refresh still running would have brought g1 current.
      yield* TestClock.adjust("10 seconds")
      yield* pause(300)
      assert.strictEqual(yield* stale, 1, "nothing refreshed g1 after its task state was closed")
      // A write now reaches no closed task state either.
      yield* store.write(admin, [visit("v3", "h1", "l1", "2021-05-10T02:00:05Z")])
      yield* TestClock.adjust("10 seconds")
      yield* pause(300)
      assert.strictEqual(yield* stale, 1)
      // The store's own task state still hears writes: once it has read with the pack, it refreshes.
      const state = yield* TaskState.TaskState
      yield* state.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 })
      yield* store.write(admin, [visit("v4", "h2", "l1", "2021-05-10T02:00:30Z")])
      assert.strictEqual(yield* stale, 1, "v4 marked g1 stale")
      yield* TestClock.adjust("10 seconds")
      for (let i = 0; i < 100 && (yield* stale) > 0; i++) yield* pause(20)
      assert.strictEqual(yield* stale, 0, "refreshed by the store's own task state")
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("a date outside a grid's horizon and an overridden pack get rows of their own", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const sql = yield* SqlClient.SqlClient
      const store = yield* Store.Store
      const state = yield* TaskState.TaskState
      const expected = yield* reference
      yield* store.write(admin, roster)
      const later = LocalDate.addDays(d10, 45)
      for (const date of [d10, later, d10]) {
        assert.deepStrictEqual(
          yield* state.worklist(liaison1, BuiltInRules.pack, { date }),
          yield* expected.worklist(liaison1, BuiltInRules.pack, { date })
        )
        const [grid] = yield* sql<{ readonly horizon_from: string; readonly horizon_to: string }>`
          SELECT horizon_from, horizon_to FROM task_grids`
        assert.isTrue(grid.horizon_from <= date && date <= grid.horizon_to, `the horizon covers ${date}`)
      }
      const weekly = Either.getOrThrow(
        RulePack.configure(BuiltInRules.pack, {
          "household-sweep": { params: { cadence: { _tag: "weekdays", days: [1] }, window: { before: 0, after: 6 } } }
        })
      )
      const options = { from: d10, to: LocalDate.addDays(d10, 6), asOf: d10 }
      const overridden = yield* state.tasks(admin, weekly, options)
      assert.deepStrictEqual(overridden, yield* expected.tasks(admin, weekly, options))
      assert.deepStrictEqual(
        [...new Set(overridden.filter((t) => t.rule === "household-sweep").map((t) => t.due))],
        ["2021-05-10"]
      )
      assert.strictEqual(yield* count(sql, "task_packs"), 2)
      assert.deepStrictEqual(
        yield* state.tasks(admin, BuiltInRules.pack, options),
        yield* expected.tasks(admin, BuiltInRules.pack, options)
      )
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("the worklist's reads search indexes", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const sql = yield* SqlClient.SqlClient
      const store = yield* Store.Store
      const state = yield* TaskState.TaskState
      yield* store.write(admin, roster)
      yield* state.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 })
      const captured: Array<readonly [string, ReadonlyArray<unknown>]> = []
      yield* Statement.withTransformer(
        state.worklist(liaison1, BuiltInRules.pack, { date: d10, liaisonId: l1 }),
        (statement) => Effect.sync(() => (captured.push(statement.compile()), statement))
      )
      // The read itself is one statement on the connection (no statement of the client's); its
      // four shapes (a liaison or not, a place or not) are checked here.
      assert.isFalse(captured.some(([text]) => /FROM tasks/.test(text)), "the tasks are read by the one statement")
      const [{ key }] = yield* sql<{ readonly key: number }>`SELECT key FROM task_packs`
      const shapes: ReadonlyArray<Worklist.Scope> = [
        { liaisonId: l1 },
        { liaisonId: l1, placeId: Ids.PlaceId.make("g1") },
        { placeId: Ids.PlaceId.make("g1") },
        {}
      ]
      const selects = [
        ...captured.filter(([text]) => /^\s*SELECT/i.test(text)),
        ...shapes.map((shape) => WorklistQuery.statement(key, liaison1.scope, shape, d10))
      ]
      for (const [text, params] of selects) {
        const plan = yield* sql.unsafe<{ readonly detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params)
        for (const { detail } of plan) {
          assert.notMatch(
            detail,
            /^SCAN (tasks|task_grids|task_dirty|households|liaisons|places|place_closure|placements)\b/,
            `${text}\n${plan.map((p) => p.detail).join("\n")}`
          )
        }
      }
    }).pipe(Effect.provide(layerTempWithClient)))
})

const here = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(here, "../../..")
const WRITER = path.join(here, "child", "writer.ts")

/** Runs `child/writer.ts` (another process) to write visits into the file, and waits for it. */
const writeFromAnotherProcess = (options: Record<string, unknown>) =>
  Effect.async<void, Error>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, JSON.stringify(options)], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr!.on("data", (chunk) => stderr += String(chunk))
    child.on("exit", (code) =>
      resume(code === 0 ? Effect.void : Effect.fail(new Error(`the writer failed (${code}): ${stderr}`))))
    return Effect.sync(() =>
      child.kill("SIGKILL")
    )
  })

describe("SqliteTaskState across processes", () => {
  it.scopedLive("a visit written by another process is in the next read", () =>
    Effect.gen(function*() {
      const filename = yield* tempFile
      const date = LocalDate.make("2021-05-09")
      const read = Effect.gen(function*() {
        const state = yield* TaskState.TaskState
        const expected = yield* reference
        const list = yield* state.worklist(liaison1, BuiltInRules.pack, { date, liaisonId: l1 })
        assert.deepStrictEqual(list, yield* expected.worklist(liaison1, BuiltInRules.pack, { date, liaisonId: l1 }))
        return sweeps(list)
      })
      yield* Effect.gen(function*() {
        const store = yield* Store.Store
        yield* store.write(admin, roster)
        assert.deepStrictEqual(yield* read, ["h1", "h2"], "before: both households are to sweep")
        // The other process visits h1 and h2 (and h3) on that day, through its own store.
        yield* writeFromAnotherProcess({ filename, prefix: "p", batches: 1, batchSize: 3 })
        assert.deepStrictEqual(yield* read, [], "after: both were swept")
      }).pipe(Effect.provide(onFile(filename)))
    }), 120_000)
})
