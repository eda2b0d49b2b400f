/**
 * The storage suite: visit ingest through the SQLite adapter in batches of 1,000 against raw
 * better-sqlite3 prepared inserts in one transaction, and a liaison's worklist query on the
 * adapter's file (S, and the target at M).
 */
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, BuiltInRules, Deployment, Fact, type Ids, LocalDate, Store, Worklist } from "@minqing/core"
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

/** Days the worklist query loads before its date, as the HTTP server's default (`lookbackDays`). */
const LOOKBACK_DAYS = 90

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
 * A liaison's worklist for today through the adapter: load the liaison's grid (its actor's
 * scope) with the visits of the lookback window, then `Worklist.make` with the built-in pack —
 * what the HTTP server's worklist endpoint does.
 */
const worklist = async (file: string, s: Scenario.Scenario, quick: boolean, size: string, target: boolean) => {
  const runtime = ManagedRuntime.make(storeLayer(file, s))
  const store = await runtime.runPromise(Store.Store)
  const sample = liaisonSample(s, quick ? 20 : 400)
  const date = s.today
  let stops = 0
  const loadMs: Array<number> = []
  const makeMs: Array<number> = []
  const query = (i: number) => {
    const { gridId, liaisonId } = sample[i % sample.length]
    const actor = new Access.Actor({ id: liaisonId, role: "liaison", scope: [gridId] }, { disableValidation: true })
    const t0 = performance.now()
    return Effect.runPromise(
      store.load(actor, { window: { from: LocalDate.addDays(date, -LOOKBACK_DAYS), to: date }, asOf: date })
    ).then((facts) => {
      const t1 = performance.now()
      stops += Worklist.make(BuiltInRules.pack, facts, { date, liaisonId, zone: s.zone }).stops.length
      loadMs.push(t1 - t0)
      makeMs.push(performance.now() - t1)
    })
  }
  const m = await measure(
    iterationsFor(quick, { warmup: 20, iterations: 1_000, budgetMs: 15_000, min: 100 }, {
      warmup: 5,
      iterations: 40,
      min: 20
    }),
    (_, i) => query(i)
  )
  await runtime.dispose()
  const figure = timeFigure("worklist query, one liaison, through the adapter", m)
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
    note:
      `Store.load of the liaison's grid (visits of the ${LOOKBACK_DAYS} days before, as the HTTP server's default) + ` +
      `Worklist.make with the built-in pack; ${sample.length} liaisons in turn, ${
        (stops / Math.max(1, loadMs.length)).toFixed(0)
      } households a list on average; medians: Store.load ${stats(loadMs).median.toFixed(2)} ms, Worklist.make ${
        stats(makeMs).median.toFixed(2)
      } ms`
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
    rows.push(await worklist(await sqliteFile(size, quick), s, quick, workload, false))
    return rows
  }
  const s = rosterOf(size, quick)
  return [await worklist(await sqliteFile(size, quick), s, quick, workload, true)]
}
