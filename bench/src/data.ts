/**
 * Workloads: the scenario builder's S/M/L in memory, and SQLite files built from them once
 * and cached under bench/.data/ (the adapter's own file, and the baseline's hand-made
 * schema), keyed by a fingerprint of what the scenario builder generates (and, for the
 * baseline, its schema), so a change to either rebuilds them. The adapter's file is upgraded
 * in place by the adapter's migrations.
 */
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, Deployment, Fact, Store } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as RawDb from "./baseline/RawDb.js"
import { log, type Size } from "./harness.js"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** Where cached databases live (gitignored). */
export const DATA_DIR = path.join(root, "bench", ".data")

/** The scenario options of a size; quick mode shrinks S to one village and a week. */
export const scenarioOptions = (size: Size, quick: boolean): Scenario.Options =>
  quick ? { size: "S", villagesPerSubdistrict: 1, historyDays: 7 } : { size }

/** A workload's name for the table: `S`, `M`, or `S (quick)` (one village, seven days). */
export const describe = (size: Size, quick: boolean): string => quick ? "S (quick)" : size

/** The whole scenario in memory (S only: M and L do not fit comfortably). */
export const inMemory = (size: Size, quick: boolean): Scenario.Scenario => Scenario.make(scenarioOptions(size, quick))

const hashFiles = (files: ReadonlyArray<string>, extra: string): string => {
  const h = createHash("sha256")
  h.update(extra)
  for (const f of files) {
    if (fs.existsSync(f)) h.update(fs.readFileSync(f))
  }
  return h.digest("hex").slice(0, 12)
}

/**
 * A fingerprint of what the scenario builder produces for these options: the first part's
 * roster and its first day of visits. Unlike a hash of its sources, a comment or a refactor
 * does not change it; a change to what it generates does.
 */
const scenarioFingerprint = (options: Scenario.Options): string => {
  const h = createHash("sha256")
  h.update(JSON.stringify(options))
  const first = Scenario.parts(options).next()
  if (first.done !== true) {
    const part = first.value
    h.update(JSON.stringify(part.facts))
    const day = Scenario.visits(part).next()
    if (day.done !== true) h.update(JSON.stringify(day.value))
  }
  return h.digest("hex")
}

/**
 * A clock set by hand: the ingest records the whole scenario late on its last day ("today"),
 * so figures as of today see all of it, and no dose or visit of the history is in the future.
 */
export const settableClock = () => {
  const real = Clock.make()
  let now = 0
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (d: Duration.Duration) => real.sleep(d)
  }
  return { clock, set: (ms: number) => void (now = ms) }
}

/** The deployment of a scenario: its zone and its place levels (M and L add district and city). */
export const deploymentOf = (s: { readonly zone: string; readonly levels: ReadonlyArray<string> }) =>
  Deployment.layer({ zone: s.zone, levels: s.levels })

/** The store layer on a file, for the bench (commits survive a crash of the process, not of the machine). */
export const storeLayer = (filename: string, s: { readonly zone: string; readonly levels: ReadonlyArray<string> }) =>
  SqliteStore.layer({ filename, synchronous: "normal" }).pipe(Layer.provide(deploymentOf(s)))

/** Where the cached file of a kind and size lives, for the current sources. */
export const cachePath = (kind: string, size: Size, quick: boolean, sources: ReadonlyArray<string>) => {
  const options = scenarioOptions(size, quick)
  const key = hashFiles(sources, scenarioFingerprint(options))
  const name = `${kind}-${quick ? "quick" : size}`
  return { key, name, file: path.join(DATA_DIR, `${name}-${key}.db`) }
}

/** The sources that shape the baseline's file. */
export const BASELINE_SOURCES = [fileURLToPath(new URL("./baseline/RawDb.ts", import.meta.url))]

const cached = async (
  kind: string,
  size: Size,
  quick: boolean,
  sources: ReadonlyArray<string>,
  build: (file: string) => Promise<void>
): Promise<string> => {
  const { file, key, name } = cachePath(kind, size, quick, sources)
  if (fs.existsSync(file)) return file
  fs.mkdirSync(DATA_DIR, { recursive: true })
  // Another process (a `prepare-data` run) may be building this very file: wait for it.
  const building = new RegExp(`^tmp-${name}-${key}-(\\d+)\\.db$`)
  for (;;) {
    const other = fs.readdirSync(DATA_DIR).map((f) => building.exec(f)).find((m) => m !== null && alive(Number(m[1])))
    if (other === undefined || other === null) break
    log(`waiting for process ${other[1]}, which is building ${path.basename(file)} …`)
    while (alive(Number(other[1])) && !fs.existsSync(file)) await new Promise((r) => setTimeout(r, 15_000))
    if (fs.existsSync(file)) return file
  }
  for (const f of fs.readdirSync(DATA_DIR)) {
    if (f.startsWith(`${name}-`) || f.startsWith(`tmp-${name}-`)) fs.rmSync(path.join(DATA_DIR, f), { force: true })
  }
  const tmp = path.join(DATA_DIR, `tmp-${name}-${key}-${process.pid}.db`)
  const t0 = Date.now()
  log(`building ${path.relative(root, file)} (once; reused while the scenario and schema are unchanged) …`)
  await build(tmp)
  for (const suffix of ["-wal", "-shm"]) fs.rmSync(tmp + suffix, { force: true })
  fs.renameSync(tmp, file)
  log(`built ${path.basename(file)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  return file
}

/** Visits per write while building a cached file (larger than the ingest benchmark's 1,000, to build faster). */
const WRITE_BATCH = 5_000

const alive = (pid: number): boolean => {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const chunks = function*<A>(items: ReadonlyArray<A>, size: number): Generator<ReadonlyArray<A>> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}

/**
 * The adapter's SQLite file for a size, written through `SqliteStore` with the scenario
 * builder's roster, a subdistrict at a time, then its visits a day at a time in batches of
 * 5,000 (the visits of M and L never sit in memory at once).
 *
 * It is keyed by the scenario alone: a file built by an earlier version of the adapter is
 * upgraded in place by the adapter's own forward-only migrations, as a user's file is, before
 * anything is measured on it.
 */
export const sqliteFile = async (size: Size, quick: boolean): Promise<string> => {
  const file = await buildSqliteFile(size, quick)
  await migrate(file, scenarioOptions(size, quick))
  return file
}

/** Opens the file once through the store's layer, which runs the migrations it has not seen. */
const migrate = async (file: string, options: Scenario.Options): Promise<void> => {
  const first = Scenario.parts(options).next()
  if (first.done === true) throw new Error("the scenario has no part")
  const t0 = Date.now()
  await Effect.runPromise(Effect.scoped(Layer.build(storeLayer(file, first.value))))
  const ms = Date.now() - t0
  if (ms > 2_000) log(`migrated ${path.basename(file)} in ${(ms / 1000).toFixed(0)} s`)
}

const buildSqliteFile = (size: Size, quick: boolean): Promise<string> =>
  cached(
    "adapter",
    size,
    quick,
    [],
    async (file) => {
      const { clock, set } = settableClock()
      const options = scenarioOptions(size, quick)
      const first = Scenario.parts(options).next()
      if (first.done === true) throw new Error("the scenario has no part")
      const program = Effect.gen(function*() {
        const store = yield* Store.Store
        let visits = 0
        let t = Date.now()
        for (const part of Scenario.parts(options)) {
          const actor = Access.system([part.rootId])
          const tz = Deployment.make({ zone: part.zone }).zone
          set(tz.startOf(part.today) + 23 * 3_600_000)
          for (const batch of chunks(Fact.toArray(part.facts), 2_000)) yield* store.write(actor, batch)
          for (const day of Scenario.visits(part)) {
            for (const batch of chunks(day, WRITE_BATCH)) {
              yield* store.write(actor, batch)
              visits += batch.length
            }
            if (Date.now() - t > 30_000) {
              log(`  ${visits.toLocaleString("en-US")} visits written`)
              t = Date.now()
            }
          }
        }
      })
      await Effect.runPromise(
        program.pipe(Effect.provide(storeLayer(file, first.value)), Effect.withClock(clock), Effect.scoped)
      )
    }
  )

/** The baseline's own SQLite file (hand-written schema) with the same scenario. */
export const baselineFile = (size: Size, quick: boolean): Promise<string> =>
  cached("baseline", size, quick, BASELINE_SOURCES, async (file) => {
    const options = scenarioOptions(size, quick)
    const db = RawDb.open(file)
    try {
      for (const part of Scenario.parts(options)) {
        const zone = Deployment.make({ zone: part.zone }).zone
        RawDb.insertFacts(db, part.facts, zone)
        for (const day of Scenario.visits(part)) RawDb.insertFacts(db, { visits: day }, zone)
      }
      db.pragma("wal_checkpoint(TRUNCATE)")
      db.exec("ANALYZE")
    } finally {
      db.close()
    }
  })

/**
 * The scenario's root, dates, zone and levels without its roster: the first subdistrict's
 * part with its facts dropped, so a process measuring its own peak RSS does not also hold
 * M's roster (half a gigabyte) that the case never reads.
 */
export const metaOf = (size: Size, quick: boolean): Scenario.Scenario => {
  const first = Scenario.parts(scenarioOptions(size, quick)).next()
  if (first.done === true) throw new Error("the scenario has no part")
  return { ...first.value, facts: Fact.empty, gridIds: [], villageIds: [], liaisonOf: new Map() }
}

/** The scenario (roster only) a cached file was built from, to find ids and dates. */
export const rosterOf = (size: Size, quick: boolean): Scenario.Scenario => Scenario.roster(scenarioOptions(size, quick))
