/**
 * The coverage suite: the full built-in report (every built-in metric, rolled up the whole
 * place tree) for S in memory (with member lists) and on SQLite through the adapter's
 * pushdown (figures only), and for M through the pushdown; the baseline is the
 * household-screening and vaccination figures by hand-written SQL on raw better-sqlite3.
 */
import { SqliteCoverage } from "@minqing/adapter-sqlite"
import {
  Access,
  BuiltInMetrics,
  BuiltInRules,
  Coverage,
  Engine,
  type Fact,
  type Ids,
  LocalDate,
  type Metric,
  TimeZone
} from "@minqing/core"
import type { Scenario } from "@minqing/core/testing"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fs from "node:fs"
import * as os from "node:os"
import * as RawDb from "../baseline/RawDb.js"
import { baselineFile, describe, inMemory, metaOf, sqliteFile, storeLayer } from "../data.js"
import {
  below,
  iterationsFor,
  log,
  measure,
  type Measured,
  ms,
  peakRssMiB,
  type Row,
  rssMiB,
  type RunOptions,
  type Size,
  timeFigure
} from "../harness.js"

/** The report period: the last seven days of history, as of its last day. */
const PERIOD_DAYS = 7

const periodOf = (s: Scenario.Scenario) => ({ from: LocalDate.addDays(s.today, 1 - PERIOD_DAYS), to: s.today })

/** Options of the full built-in report over facts: every metric, tasks from the built-in pack. */
const reportOptions = (facts: Fact.Facts, s: Scenario.Scenario): Coverage.Options => {
  const period = periodOf(s)
  const zone = TimeZone.make(s.zone)
  return {
    facts,
    metrics: BuiltInMetrics.all,
    scope: s.rootId,
    period,
    asOf: s.today,
    zone,
    tasks: Coverage.rules(BuiltInRules.pack)
  }
}

const figuresOf = (report: Coverage.Report, scope: Ids.PlaceId) => {
  const f = (id: string) => Coverage.figure(report, id, scope)
  return {
    screening: f("household-screening"),
    firstDose: f("vaccination-first-dose"),
    primary: f("vaccination-primary-course"),
    booster: f("vaccination-booster")
  }
}

/** The hand-written SQL's figures next to Minqing's, so a reader sees both compute the same thing. */
const agreement = (report: Coverage.Report, scope: Ids.PlaceId, sql: RawDb.CoverageFigures): string => {
  const m = figuresOf(report, scope)
  const pairs: Array<[string, number | undefined, number, number | undefined, number]> = [
    ["screened", m.screening?.counts.numerator, sql.screened, m.screening?.counts.denominator, sql.households],
    ["≥1 dose", m.firstDose?.counts.numerator, sql.anyDose, m.firstDose?.counts.denominator, sql.population],
    ["primary course", m.primary?.counts.numerator, sql.complete, m.primary?.counts.denominator, sql.population],
    ["booster", m.booster?.counts.numerator, sql.boosted, m.booster?.counts.denominator, sql.population]
  ]
  const differ = pairs.filter(([, a, b, c, d]) => a !== b || c !== d)
  return differ.length === 0
    ? `the SQL's four figures equal Minqing's (${pairs.map(([n, a, , c]) => `${n} ${a}/${c}`).join(", ")})`
    : `figures differ: ${differ.map(([n, a, b, c, d]) => `${n} Minqing ${a}/${c} vs SQL ${b}/${d}`).join(", ")}`
}

const sqlParams = (s: Scenario.Scenario): RawDb.CoverageParams => {
  const period = periodOf(s)
  const d = BuiltInMetrics.vaccinationDefaults
  return {
    scope: s.rootId,
    from: period.from,
    to: period.to,
    asOf: s.today,
    minAge: d.minAge,
    ...(d.maxAge === undefined ? {} : { maxAge: d.maxAge }),
    primaryDoses: d.primaryDoses,
    defaultDoses: d.defaultPrimaryDoses
  }
}

const runSql = async (file: string, s: Scenario.Scenario, quick: boolean, heavy: boolean) => {
  const db = new Database(file, { readonly: true })
  try {
    const query = RawDb.coverageQueries(db)
    const params = sqlParams(s)
    let figures: RawDb.CoverageFigures | undefined
    const m = await measure(
      heavy
        ? iterationsFor(quick, { warmup: 1, iterations: 5, budgetMs: 30_000, min: 2 })
        : iterationsFor(quick, { warmup: 3, iterations: 30, budgetMs: 5_000 }),
      () => {
        figures = query(params)
      }
    )
    return { m, figures: figures! }
  } finally {
    db.close()
  }
}

/**
 * The full built-in report through the adapter's pushdown (`SqliteCoverage.report`: SQL
 * aggregates, and the rules engine a chunk of households at a time for the three task
 * metrics), on the file opened once outside the timing; figures only, no member lists.
 */
const pushdownReport = (s: Scenario.Scenario, metrics: ReadonlyArray<Metric.Metric> = BuiltInMetrics.all) =>
  Effect.flatMap(
    SqliteCoverage.SqliteCoverage,
    (coverage) =>
      coverage.report(Access.system([s.rootId]), { scope: s.rootId, period: periodOf(s), asOf: s.today, metrics })
  )

/** Every figure of two reports (counts, scores, statistics, strata, series), compared. */
const sameFigures = (a: Coverage.Report, b: Coverage.Report): string => {
  const strip = (r: Coverage.Report) =>
    JSON.stringify(
      r.results.map((x) => x.figures.map((f) => [f.placeId, f.counts, f.score, f.stats, f.strata, f.series]))
    )
  const figures = a.results.reduce((n, r) => n + r.figures.length, 0)
  return strip(a) === strip(b)
    ? `all ${figures} figures (${a.results.length} metrics × ${a.places.length} places) equal the in-memory report's`
    : "FIGURES DIFFER from the in-memory report's"
}

const openStore = (file: string, s: Scenario.Scenario) => ManagedRuntime.make(storeLayer(file, s))

/** Grids whose day of writes the M row re-evaluates (all of them would take minutes; the note scales it). */
const DAY_GRIDS = 200

/** The three metrics that read tasks: their report brings the kept task state current. */
const TASK_METRICS = [BuiltInMetrics.ruleCompliance, BuiltInMetrics.elderlyCheckins, BuiltInMetrics.workloadTasks]

/**
 * Brings the file's kept task state current for the report's pack and dates, as a running
 * server keeps it (`SqliteTaskState`'s grids, and the tallies the coverage report reads): one
 * report of the task metrics, which computes what is missing or stale and nothing else, so it
 * is idempotent and cheap when done. Gives its time in milliseconds.
 */
const prepareTaskState = async (file: string, s: Scenario.Scenario): Promise<number> => {
  const runtime = openStore(file, s)
  try {
    const t0 = performance.now()
    await runtime.runPromise(pushdownReport(s, TASK_METRICS))
    return performance.now() - t0
  } finally {
    await runtime.dispose()
  }
}

/** What preparing a file's task state from nothing took, kept beside the file (deleted with it). */
interface FromNothing {
  readonly ms: number
  readonly grids: number
  readonly load: number
  readonly at: string
}

const fromNothingFile = (file: string) => file.replace(/\.db$/, ".task-state.json")

const loadAverage = () => os.loadavg()[0]

/**
 * Marks stale, as the writes of a day mark them, the households visited on the scenario's
 * last day in the first `limit` grids, without writing a fact (the cached file keeps its
 * data): the mark carries the last write's sequence and those grids are set back to just
 * before it; their tallies are dropped as a write's new sequence would make them outdated.
 * The next report re-evaluates those households and counts those grids' tallies again.
 */
const markDayStale = (file: string, s: Scenario.Scenario, limit: number) => {
  const db = new Database(file)
  try {
    return db.transaction(() => {
      const grids = JSON.stringify(
        (db.prepare(`SELECT DISTINCT place_id FROM households WHERE superseded_at IS NULL ORDER BY place_id LIMIT ?`)
          .all(Number.isFinite(limit) ? limit : -1) as Array<{ place_id: string }>).map((r) => r.place_id)
      )
      const households = db.prepare(
        `INSERT INTO task_dirty (place_id, household_id, seq)
          SELECT h.place_id, h.id, (SELECT max(seq) FROM audit) FROM households h
          WHERE h.superseded_at IS NULL AND h.place_id IN (SELECT value FROM json_each(?))
          AND EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.local_date = ?)
          ON CONFLICT (place_id, household_id) DO UPDATE SET seq = excluded.seq`
      ).run(grids, s.today).changes
      db.prepare(
        `UPDATE task_grids SET dirty_seq = (SELECT max(seq) - 1 FROM audit)
          WHERE place_id IN (SELECT value FROM json_each(?))`
      ).run(grids)
      db.prepare(`DELETE FROM task_tally_grids WHERE place_id IN (SELECT value FROM json_each(?))`).run(grids)
      return { households, grids: JSON.parse(grids).length as number }
    })()
  } finally {
    db.close()
  }
}

const countGrids = (file: string): number => {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare(`SELECT count(DISTINCT place_id) AS n FROM households WHERE superseded_at IS NULL`).get() as {
      n: number
    }).n
  } finally {
    db.close()
  }
}

/**
 * The kept task state's row: the time to bring it current after one day of writes (in
 * `dayGrids` grids), and from nothing (measured once, when the cached file was first
 * prepared, and kept beside it). Leaves the file's task state current for the timed reports.
 */
const taskStateRow = async (
  file: string,
  s: Scenario.Scenario,
  size: string,
  dayGrids: number
): Promise<Row> => {
  const grids = countGrids(file)
  const record = fromNothingFile(file)
  let fromNothing: FromNothing | undefined = fs.existsSync(record)
    ? JSON.parse(fs.readFileSync(record, "utf8")) as FromNothing
    : undefined
  const now = await prepareTaskState(file, s)
  if (fromNothing === undefined) {
    fromNothing = { ms: now, grids, load: loadAverage(), at: new Date().toISOString().slice(0, 16) }
    fs.writeFileSync(record, JSON.stringify(fromNothing))
  }
  const marked = markDayStale(file, s, dayGrids)
  const load = loadAverage()
  const t0 = performance.now()
  await prepareTaskState(file, s)
  const day = performance.now() - t0
  const again = await prepareTaskState(file, s)
  const perGrid = day / Math.max(1, marked.grids)
  return {
    suite: "coverage",
    id: `coverage.sqlite.${size}.task-state`,
    size,
    ours: {
      label: `kept task state brought current after one day of writes (${
        marked.households.toLocaleString("en-US")
      } households visited on the last day, in ${marked.grids} of ${grids} grids)`,
      unit: "ms",
      median: day,
      n: 1
    },
    rssMiB: rssMiB(),
    isolated: true,
    targets: [],
    note: `what a running server keeps before the timed reports (not in their time): ${
      (day / 1000).toFixed(1)
    } s for ${marked.grids} grids (${
      perGrid.toFixed(0)
    } ms a grid: re-evaluating the day's households and counting the grid's tallies; all ${grids} grids ≈ ${
      (perGrid * grids / 1000).toFixed(0)
    } s, load ${load.toFixed(1)}); from nothing (every grid computed, then counted) ${
      (fromNothing.ms / 1000).toFixed(0)
    } s for ${fromNothing.grids} grids, measured when this cached file was first prepared (${fromNothing.at} UTC, load ${
      fromNothing.load.toFixed(1)
    }); once current, the same step takes ${again.toFixed(0)} ms (it finds nothing to do)`
  }
}

const runS = async (size: Size, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const { quick } = options
  const workload = describe(size, quick)
  const s = inMemory(size, quick)
  const rows: Array<Row> = []

  // In memory.
  let report: Coverage.Report | undefined
  const mem = await measure(iterationsFor(quick, { warmup: 2, iterations: 15, budgetMs: 8_000 }), () => {
    report = Either.getOrThrow(Coverage.compute(reportOptions(s.facts, s)))
  })
  const memFigure = timeFigure(`full built-in report, in memory (${PERIOD_DAYS}-day period)`, mem, false)

  // Where the time goes: the same report without the three metrics that read tasks (no rules engine).
  const noTasks = await measure(iterationsFor(quick, { warmup: 1, iterations: 10, budgetMs: 5_000 }), () => {
    Either.getOrThrow(Coverage.compute({ ...reportOptions(s.facts, s), metrics: BuiltInMetrics.withoutTasks }))
  })

  // The coverage engine's own share: the same report with the tasks given as a list, computed
  // once before the timing as a kept rules engine would hold them (not the target row).
  const heldTasks = Engine.views(BuiltInRules.pack, s.facts, {
    asOf: s.today,
    from: periodOf(s).from,
    to: s.today,
    zone: TimeZone.make(s.zone)
  })
  const held = await measure(iterationsFor(quick, { warmup: 2, iterations: 15, budgetMs: 5_000 }), () => {
    Either.getOrThrow(Coverage.compute({ ...reportOptions(s.facts, s), tasks: heldTasks }))
  })

  // The SQL baseline on its own file with the same scenario.
  const sql = await runSql(await baselineFile(size, quick), s, quick, false)
  const sqlFigure = timeFigure("hand-written SQL, 2 figures", sql.m, false)
  const ratio = mem.stats.median / sql.m.stats.median
  rows.push({
    suite: "coverage",
    id: "coverage.memory",
    size: workload,
    ours: memFigure,
    baseline: sqlFigure,
    ratio: { value: ratio, text: `${ratio.toFixed(2)}× the SQL's time` },
    rssMiB: mem.rssMiB,
    targets: [below("coverage.S", "< 20 ms", ms(memFigure), 20)],
    note: `${BuiltInMetrics.all.length} metrics × ${report!.places.length} places; ${
      agreement(report!, s.rootId, sql.figures)
    }`
  })
  rows.push({
    suite: "coverage",
    id: "coverage.memory.no-tasks",
    size: workload,
    ours: timeFigure(
      `the same without the ${
        BuiltInMetrics.all.length - BuiltInMetrics.withoutTasks.length
      } task metrics (no rules engine)`,
      noTasks,
      false
    ),
    rssMiB: noTasks.rssMiB,
    targets: [],
    note:
      "for reference: how much of the report is the rules engine's evaluation of the period (compliance, check-ins, workload)"
  })
  rows.push({
    suite: "coverage",
    id: "coverage.memory.held-tasks",
    size: workload,
    ours: timeFigure(
      "the same 17 metrics, tasks from a kept rules engine (Engine.views run once before the timing)",
      held,
      false
    ),
    rssMiB: held.rssMiB,
    targets: [],
    note: `for reference, not the target: the coverage engine's own time when the ${heldTasks.length} tasks of the ` +
      "period are already held (a server keeping an engine); the target row above computes them in the call"
  })

  // On SQLite: the adapter's pushdown, no member lists (the in-memory report above lists them),
  // on a file whose kept task state is current (its own row says what keeping it costs).
  const file = await sqliteFile(size, quick)
  rows.push(await taskStateRow(file, s, workload, Number.POSITIVE_INFINITY))
  const runtime = openStore(file, s)
  let pushed: Coverage.Report | undefined
  const onSqlite = await measure(
    iterationsFor(quick, { warmup: 2, iterations: 15, budgetMs: 10_000 }),
    () =>
      runtime.runPromise(pushdownReport(s)).then((r) => {
        pushed = r
      })
  )
  const sqlOnly = await measure(
    iterationsFor(quick, { warmup: 2, iterations: 15, budgetMs: 6_000 }),
    () => runtime.runPromise(pushdownReport(s, BuiltInMetrics.withoutTasks))
  )
  await runtime.dispose()
  const reference = Either.getOrThrow(Coverage.compute(reportOptions(s.facts, s)))
  const sqliteFigure = timeFigure(
    `full built-in report, SQLite pushdown (SqliteCoverage.report, ${PERIOD_DAYS}-day period, figures only)`,
    onSqlite,
    false
  )
  const ratio2 = onSqlite.stats.median / sql.m.stats.median
  rows.push({
    suite: "coverage",
    id: "coverage.sqlite",
    size: workload,
    ours: sqliteFigure,
    baseline: sqlFigure,
    ratio: { value: ratio2, text: `${ratio2.toFixed(1)}× the SQL's time` },
    rssMiB: onSqlite.rssMiB,
    targets: [below("coverage.S.sqlite", "< 20 ms", ms(sqliteFigure), 20)],
    note:
      `14 metrics as SQL aggregates or on the few facts that count, the 3 task metrics as SQL over ${"the kept task state's tallies (brought current before the timing: coverage.sqlite.task-state)"}; ${
        sameFigures(pushed!, reference)
      }; ${agreement(pushed!, s.rootId, sql.figures)}`
  })
  rows.push({
    suite: "coverage",
    id: "coverage.sqlite.no-tasks",
    size: workload,
    ours: timeFigure(
      `the same without the ${
        BuiltInMetrics.all.length - BuiltInMetrics.withoutTasks.length
      } task metrics (SQL and pruned facts only)`,
      sqlOnly,
      false
    ),
    rssMiB: sqlOnly.rssMiB,
    targets: [],
    note: "for reference: the part of the pushdown that never decodes the roster or runs the rules engine"
  })
  return rows
}

/** Drops the garbage of finding the files (the children run with --expose-gc), before measuring peak RSS. */
const collectGarbage = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
}

/** M and L: Minqing's pushdown report on the adapter's file, alone in its process (its peak RSS is its own). */
const runBig = async (size: Size, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const { quick } = options
  const s = metaOf(size, quick)
  const file = await sqliteFile(size, quick)
  // The kept task state, as a running server keeps it (the coverage-tasks group measured it;
  // here it is only checked, and brought current should another case have reset it).
  const prepared = await prepareTaskState(file, s)
  collectGarbage()
  const runtime = openStore(file, s)
  const before = peakRssMiB()
  let report: Coverage.Report | undefined
  // Each report starts from a collected heap (outside its time), so the peak is one report's memory, not
  // the garbage of earlier ones that V8 had not yet collected (see the coverage.M.rss note).
  const m: Measured = await measure(
    iterationsFor(quick, { warmup: 1, iterations: 3, budgetMs: 60_000, min: 1 }),
    () =>
      runtime.runPromise(pushdownReport(s)).then((r) => {
        report = r
      }),
    () => {
      report = undefined
      collectGarbage()
    }
  )
  const peak = peakRssMiB()
  const sqlOnly: Measured = await measure(
    iterationsFor(quick, { warmup: 1, iterations: 5, budgetMs: 30_000, min: 1 }),
    () => runtime.runPromise(pushdownReport(s, BuiltInMetrics.withoutTasks)),
    collectGarbage
  )
  await runtime.dispose()
  const figure = timeFigure(
    `full built-in report, SQLite pushdown (SqliteCoverage.report, ${PERIOD_DAYS}-day period, figures only)`,
    m,
    false
  )
  log(`coverage ${size}: peak RSS ${peak.toFixed(0)} MiB (before the report: ${before.toFixed(0)} MiB)`)
  const screening = report === undefined ? undefined : figuresOf(report, s.rootId).screening
  return [{
    suite: "coverage",
    id: `coverage.sqlite.${size}`,
    size,
    ours: figure,
    rssMiB: m.rssMiB,
    isolated: true,
    targets: [
      below(`coverage.${size}`, "< 1 s", ms(figure), 1000),
      below(`coverage.${size}.rss`, "peak RSS < 512 MB", peak * 1.048576, 512)
    ],
    pair: {
      baselineId: `coverage.sql.${size}`,
      ratio: "time",
      target: { key: `coverage.${size}.ratio`, text: "≤ 2× the hand-written SQL", limit: 2 }
    },
    note: `${
      report?.places.length ?? 0
    } places; screening ${screening?.counts.numerator}/${screening?.counts.denominator}; the 3 task metrics as SQL over the kept task state's tallies (current before the timing: checking it took ${
      (prepared / 1000).toFixed(1)
    } s; see coverage.sqlite.${size}.task-state); the process's peak RSS was ${
      before.toFixed(0)
    } MiB before the first report (runtime, modules, finding the file); each report from a collected heap`
  }, {
    suite: "coverage",
    id: `coverage.sqlite.${size}.no-tasks`,
    size,
    ours: timeFigure(
      `the same without the ${
        BuiltInMetrics.all.length - BuiltInMetrics.withoutTasks.length
      } task metrics (SQL and pruned facts only)`,
      sqlOnly,
      false
    ),
    rssMiB: sqlOnly.rssMiB,
    isolated: true,
    targets: [],
    note: "for reference: the part of the pushdown that never decodes the roster or runs the rules engine"
  }]
}

/** M and L baseline: the hand-written SQL on the baseline's own file. */
const runBigSql = async (size: Size, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const { quick } = options
  const s = metaOf(size, quick)
  const file = await baselineFile(size, quick)
  collectGarbage()
  const sql = await runSql(file, s, quick, true)
  const f = sql.figures
  return [{
    suite: "coverage",
    id: `coverage.sql.${size}`,
    size,
    ours: timeFigure("baseline alone: hand-written SQL, 2 figures (raw better-sqlite3)", sql.m, false),
    rssMiB: sql.m.rssMiB,
    isolated: true,
    targets: [],
    note:
      `screened ${f.screened}/${f.households}, ≥1 dose ${f.anyDose}/${f.population}, primary ${f.complete}, booster ${f.boosted}`
  }]
}

/** Runs one group of this suite. */
export const run = async (name: string, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const [group, sizeText] = name.split(":")
  const size = sizeText as Size
  if (group === "coverage-sql") return runBigSql(size, options)
  if (group === "coverage-tasks") {
    return [await taskStateRow(await sqliteFile(size, options.quick), metaOf(size, options.quick), size, DAY_GRIDS)]
  }
  return size === "S" ? runS(size, options) : runBig(size, options)
}
