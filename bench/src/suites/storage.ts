/**
 * The storage suite: visit ingest through the SQLite adapter in batches of 1,000 against raw
 * better-sqlite3 prepared inserts in one transaction, and a liaison's worklist query on the
 * adapter's file through its kept task state (S, and the target at M).
 */
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, BuiltInRules, Deployment, Fact, type Ids, LocalDate, Store, TaskState } from "@minqing/core"
import type { Scenario } from "@minqing/core/testing"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fs from "node:fs"
import * as path from "node:path"
import * as RawDb from "../baseline/RawDb.js"
import { DATA_DIR, deploymentOf, describe, inMemory, rosterOf, settableClock, sqliteFile, storeLayer } from "../data.js"
import {
  below,
  type Figure,
  iterationsFor,
  log,
  measure,
  ms,
  type Row,
  type RunOptions,
  type Size,
  stats,
  timeFigure
} from "../harness.js"

const BATCH = 1_000

const removeDb = (file: string) => {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true })
}

const copyDb = (from: string, to: string) => {
  removeDb(to)
  fs.copyFileSync(from, to)
}

/** Visit ingest: adapter (batches of 1,000, default durability) vs raw prepared inserts (one transaction). */
const ingest = async (s: Scenario.Scenario, quick: boolean, workload: string): Promise<Row> => {
  const days = quick ? 2 : 10
  const from = LocalDate.addDays(s.today, 1 - days)
  const zone = Deployment.make({ zone: s.zone }).zone
  const visits = s.facts.visits.filter((v) => zone.dateOf(v.at.epochMillis) >= from)
  const roster: Fact.Facts = { ...s.facts, visits: [] }
  const actor = Access.system([s.rootId])
  const { clock, set } = settableClock()
  set(zone.startOf(s.today) + 23 * 3_600_000)
  fs.mkdirSync(DATA_DIR, { recursive: true })
  const tmp = (name: string) => path.join(DATA_DIR, `tmp-ingest-${name}-${process.pid}.db`)

  // Templates: the roster alone, in each schema.
  const adapterTemplate = tmp("adapter-template")
  removeDb(adapterTemplate)
  await Effect.runPromise(
    Effect.gen(function*() {
      const store = yield* Store.Store
      const all = Fact.toArray(roster)
      for (let i = 0; i < all.length; i += 2_000) yield* store.write(actor, all.slice(i, i + 2_000))
    }).pipe(Effect.provide(storeLayer(adapterTemplate, s)), Effect.withClock(clock), Effect.scoped)
  )
  const rawTemplate = tmp("raw-template")
  removeDb(rawTemplate)
  const t = RawDb.open(rawTemplate)
  RawDb.insertFacts(t, roster, zone)
  t.pragma("wal_checkpoint(TRUNCATE)")
  t.close()

  const iters = iterationsFor(quick, { warmup: 0, iterations: 3, min: 3 }, { warmup: 0, iterations: 1, min: 1 })
  const adapterFile = tmp("adapter")
  let runtime: ManagedRuntime.ManagedRuntime<Store.Store, unknown> | undefined
  const adapter = await measure(
    iters,
    (store: Store.Shape) =>
      Effect.runPromise(
        Effect.gen(function*() {
          for (let i = 0; i < visits.length; i += BATCH) yield* store.write(actor, visits.slice(i, i + BATCH))
        }).pipe(Effect.withClock(clock))
      ),
    async () => {
      if (runtime !== undefined) await runtime.dispose()
      copyDb(adapterTemplate, adapterFile)
      // The adapter's default options: synchronous FULL, as a deployment runs it.
      runtime = ManagedRuntime.make(
        SqliteStore.layer({ filename: adapterFile }).pipe(Layer.provide(deploymentOf(s)))
      )
      return runtime.runPromise(Store.Store)
    }
  )
  await runtime?.dispose()

  const rawFile = tmp("raw")
  let db: Database.Database | undefined
  const raw = await measure(
    iters,
    (insert: (v: Fact.Of<"Visit">) => void) => {
      db!.transaction(() => {
        for (const v of visits) insert(v)
      })()
    },
    () => {
      db?.close()
      copyDb(rawTemplate, rawFile)
      db = new Database(rawFile)
      db.pragma("journal_mode = WAL")
      db.pragma("synchronous = FULL")
      return RawDb.visitInserter(db, zone)
    }
  )
  db?.close()
  for (const f of [adapterTemplate, rawTemplate, adapterFile, rawFile]) removeDb(f)

  const perSecond = (samples: ReadonlyArray<number>) =>
    stats(samples.map((msTaken) => visits.length / (msTaken / 1000)))
  const a = perSecond(adapter.samples)
  const r = perSecond(raw.samples)
  const ours: Figure = { label: `visit ingest, adapter, batches of ${BATCH}`, unit: "rows/s", median: a.median, n: a.n }
  const base: Figure = {
    label: "raw prepared inserts, one transaction",
    unit: "rows/s",
    median: r.median,
    n: r.n
  }
  const ratio = a.median / r.median
  return {
    suite: "storage",
    id: "storage.ingest",
    size: workload,
    ours,
    baseline: base,
    ratio: { value: ratio, text: `${ratio.toFixed(2)}× the raw throughput` },
    rssMiB: Math.max(adapter.rssMiB, raw.rssMiB),
    targets: [{
      key: "storage.ingest",
      text: "ratio ≥ 0.5",
      met: ratio >= 0.5,
      ...(ratio >= 0.5 ? {} : { miss: `${ratio.toFixed(2)}, ${((1 - ratio / 0.5) * 100).toFixed(0)}% short` })
    }],
    note: `${visits.length} visits (the last ${days} days of the scenario) into a file holding the roster; ` +
      `the adapter validates each batch (WriteCheck), writes the audit trail and commits per batch (synchronous FULL); ` +
      `the raw inserts write visits and observations rows (WAL, synchronous FULL)`
  }
}

/** The grids and their liaisons, spread over the whole tree. */
const liaisonSample = (s: Scenario.Scenario, n: number): Array<{ liaisonId: Ids.LiaisonId; gridId: Ids.PlaceId }> => {
  const out: Array<{ liaisonId: Ids.LiaisonId; gridId: Ids.PlaceId }> = []
  const grids = s.gridIds
  for (let i = 0; i < n; i++) {
    const gridId = grids[(i * 7919) % grids.length]
    const liaisonId = s.liaisonOf.get(gridId)
    if (liaisonId !== undefined) out.push({ liaisonId, gridId })
  }
  return out
}

/**
 * Drops the task state the adapter keeps in a file (its `task_*` tables and `tasks`), so a
 * run starts as a file written before any worklist was read does: every grid is computed on
 * its first read.
 */
const resetTaskState = (file: string) => {
  const db = new Database(file)
  try {
    db.exec(
      "BEGIN IMMEDIATE; DELETE FROM tasks; DELETE FROM task_explanations; DELETE FROM task_grids; DELETE FROM task_dirty; COMMIT"
    )
  } finally {
    db.close()
  }
}

/**
 * Marks one household stale as `Store.write` marks the households a write touches, without
 * writing a fact (so the cached file keeps its data): the mark carries the last write's
 * sequence, and the household's grid is set back to just before it, so the next read of the
 * grid re-evaluates that household (the only one marked).
 */
const markStale = (file: string, householdId: string) => {
  const db = new Database(file)
  try {
    db.transaction(() => {
      db.prepare(
        `INSERT INTO task_dirty (place_id, household_id, seq)
          SELECT place_id, id, (SELECT max(seq) FROM audit) FROM households
          WHERE id = ? AND superseded_at IS NULL
          ON CONFLICT (place_id, household_id) DO UPDATE SET seq = excluded.seq`
      ).run(householdId)
      db.prepare(
        `UPDATE task_grids SET dirty_seq = (SELECT max(seq) - 1 FROM audit)
          WHERE place_id = (SELECT place_id FROM households WHERE id = ? AND superseded_at IS NULL)`
      ).run(householdId)
    })()
  } finally {
    db.close()
  }
}

/**
 * Collects garbage (the children run with --expose-gc): the timed worklist reads start from a
 * collected heap, so the first reads' garbage (every sampled grid computed and stored) is not
 * charged to them.
 */
const collectGarbage = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
}

/**
 * A liaison's worklist for today through the adapter, as the HTTP server's worklist endpoint
 * asks for it: `TaskState.worklist` of the store layer (`SqliteStore.layer`), the liaison as
 * the actor (scope: their grid), the built-in pack. The adapter keeps tasks in the file; the
 * timed reads find their grids computed (each sampled grid is read once first, untimed, as a
 * running deployment has read them before). The note gives what the first read of a grid and
 * a read after a write cost.
 */
const worklist = async (
  file: string,
  s: Pick<Scenario.Scenario, "today" | "zone" | "levels">,
  sample: ReadonlyArray<{ liaisonId: Ids.LiaisonId; gridId: Ids.PlaceId }>,
  quick: boolean,
  size: string,
  target: boolean
) => {
  resetTaskState(file)
  const runtime = ManagedRuntime.make(storeLayer(file, s))
  const state = await runtime.runPromise(TaskState.TaskState)
  const date = s.today
  const actors = sample.map(({ gridId, liaisonId }) =>
    new Access.Actor({ id: liaisonId, role: "liaison", scope: [gridId] }, { disableValidation: true })
  )
  let stops = 0
  let reads = 0
  const read = (i: number) => {
    const k = i % sample.length
    return Effect.runPromise(
      state.worklist(actors[k], BuiltInRules.pack, { date, liaisonId: sample[k].liaisonId })
    ).then((list) => {
      stops += list.stops.length
      reads++
      return list
    })
  }
  const timed = async (i: number) => {
    const t0 = performance.now()
    const list = await read(i)
    return { ms: performance.now() - t0, list }
  }

  // First reads: each sampled grid's tasks are computed and stored.
  const firstMs: Array<number> = []
  const seen = new Set<string>()
  const households = new Map<number, string>()
  for (let k = 0; k < sample.length; k++) {
    if (seen.has(sample[k].gridId)) continue
    seen.add(sample[k].gridId)
    const { list, ms: taken } = await timed(k)
    firstMs.push(taken)
    const stop = list.stops[0]
    if (stop !== undefined) households.set(k, stop.householdId)
  }
  collectGarbage()
  stops = 0
  reads = 0
  const m = await measure(
    iterationsFor(quick, { warmup: 20, iterations: 1_000, budgetMs: 15_000, min: 100 }, {
      warmup: 5,
      iterations: 40,
      min: 20
    }),
    (_, i) => read(i)
  )
  const averageStops = stops / Math.max(1, reads)

  // Reads after a write: one household of the grid is stale and re-evaluated first.
  const staleMs: Array<number> = []
  for (const [k, householdId] of [...households].slice(0, quick ? 5 : 50)) {
    markStale(file, householdId)
    staleMs.push((await timed(k)).ms)
  }
  await runtime.dispose()

  const figure = timeFigure("worklist query, one liaison, through the adapter (kept task state)", m)
  return {
    suite: "storage",
    id: `storage.worklist.${size}`,
    size,
    ours: figure,
    rssMiB: m.rssMiB,
    targets: target
      ? [
        below("storage.worklist.p50", "p50 < 2 ms", ms(figure), 2),
        below("storage.worklist.p99", "p99 < 5 ms", m.stats.p99, 5)
      ]
      : [],
    note: `TaskState.worklist from SqliteStore.layer (tasks kept in the file, the built-in pack), the liaison as ` +
      `the actor; ${sample.length} liaisons in turn, ${averageStops.toFixed(0)} households a list on average; ` +
      `timed reads find their grid's tasks current. Medians: first read of a grid, which computes and stores ` +
      `its tasks, ${stats(firstMs).median.toFixed(2)} ms (${firstMs.length} grids, after the task tables were ` +
      `emptied); a read after a write marked one of its households stale (re-evaluated in the read), ` +
      `${stats(staleMs).median.toFixed(2)} ms (${staleMs.length} reads)`
  } satisfies Row
}

/** Runs one group of this suite. */
export const run = async (name: string, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const size = name.split(":")[1] as Size
  const { quick } = options
  const workload = describe(size, quick)
  if (size === "S") {
    const s = inMemory(size, quick)
    log(`storage: ingest ${quick ? "2" : "10"} days of visits`)
    const rows: Array<Row> = [await ingest(s, quick, workload)]
    rows.push(
      await worklist(await sqliteFile(size, quick), s, liaisonSample(s, quick ? 20 : 400), quick, workload, false)
    )
    return rows
  }
  // Only the sample and the dates are kept: the roster it came from (half a gigabyte at M) is
  // let go before the timed reads, whose p99 would otherwise include collecting a heap the
  // adapter never uses.
  const { levels, sample, today, zone } = (() => {
    const s = rosterOf(size, quick)
    return { today: s.today, zone: s.zone, levels: s.levels, sample: liaisonSample(s, quick ? 20 : 400) }
  })()
  return [await worklist(await sqliteFile(size, quick), { today, zone, levels }, sample, quick, workload, true)]
}
