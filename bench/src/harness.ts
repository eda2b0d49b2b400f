/**
 * The benchmark harness: timing with warm-up, medians and p99, peak memory, ratios against
 * a baseline, a table, and child processes so each group's peak RSS is its own.
 *
 * Figures are printed, never asserted: a missed target is reported, it does not fail the run.
 */
import { fork } from "node:child_process"
import * as os from "node:os"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"

/** A scale of the ladder in DOMAIN.md §7. */
export type Size = "S" | "M" | "L"

/** @internal */
export const SIZES: ReadonlyArray<Size> = ["S", "M", "L"]

/** Options every group receives. */
export interface RunOptions {
  /** Seconds instead of minutes: few iterations, short load tests, small workloads. */
  readonly quick: boolean
  /** Stop a group that has not finished after this many seconds (reported as not measured). */
  readonly timeoutSeconds?: number
}

/** Summary statistics of samples, in the samples' unit. */
export interface Stats {
  readonly n: number
  readonly median: number
  readonly p99: number
  readonly mean: number
  readonly min: number
  readonly max: number
}

/** Nearest-rank percentile of already sorted samples. */
const percentile = (sorted: ReadonlyArray<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

/** Statistics of a list of samples. */
export const stats = (samples: ReadonlyArray<number>): Stats => {
  const sorted = [...samples].sort((a, b) => a - b)
  const n = sorted.length
  const mid = n === 0 ? Number.NaN : n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  return {
    n,
    median: mid,
    p99: percentile(sorted, 99),
    mean: n === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / n,
    min: sorted[0] ?? Number.NaN,
    max: sorted[n - 1] ?? Number.NaN
  }
}

/** The resident set size now, in MiB. */
export const rssMiB = (): number => process.memoryUsage.rss() / 1024 / 1024

/** The peak resident set size of this process so far, in MiB (kernel's high-water mark). */
export const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024

/** How many times to run a case. */
export interface Iterations {
  readonly warmup: number
  readonly iterations: number
  /** Stop adding iterations once this many milliseconds were spent measuring (at least `min` run). */
  readonly budgetMs?: number
  readonly min?: number
}

/** Samples of one measured case, with the highest RSS seen between iterations. */
export interface Measured {
  readonly samples: ReadonlyArray<number>
  readonly stats: Stats
  /** Highest RSS sampled after an iteration, MiB. */
  readonly rssMiB: number
}

/**
 * Times `fn`: `warmup` untimed runs, then up to `iterations` timed ones (milliseconds each),
 * bounded by `budgetMs`. `setup` runs before every run, outside the timing, and its value is
 * handed to `fn`.
 */
export const measure = async <S = void>(
  iterations: Iterations,
  fn: (state: S, i: number) => unknown,
  setup?: (i: number) => S | Promise<S>
): Promise<Measured> => {
  const prepare = async (i: number): Promise<S> => (setup ? await setup(i) : (undefined as S))
  for (let i = 0; i < iterations.warmup; i++) await fn(await prepare(i), i)
  const samples: Array<number> = []
  let rss = rssMiB()
  const started = performance.now()
  const min = iterations.min ?? 3
  for (let i = 0; i < iterations.iterations; i++) {
    const state = await prepare(iterations.warmup + i)
    const t0 = performance.now()
    const out = fn(state, i)
    if (out instanceof Promise) await out
    samples.push(performance.now() - t0)
    rss = Math.max(rss, rssMiB())
    if (iterations.budgetMs !== undefined && i + 1 >= min && performance.now() - started > iterations.budgetMs) break
  }
  return { samples, stats: stats(samples), rssMiB: rss }
}

/** Iteration counts: full or quick. */
export const iterationsFor = (quick: boolean, full: Iterations, fast?: Partial<Iterations>): Iterations =>
  quick ? { warmup: 1, iterations: 5, budgetMs: 1_000, min: 2, ...fast } : full

/** A target of a row and whether this run met it. */
export interface Target {
  readonly text: string
  readonly met: boolean
  /** By how much it was missed, in words ("1.6× over"), when missed. */
  readonly miss?: string
  /** Key into the notes that explain a miss. */
  readonly key: string
}

/** A figure: a measured value with its unit. */
export interface Figure {
  readonly label: string
  readonly unit: "ms" | "µs" | "rows/s" | "req/s" | "MiB"
  readonly median: number
  readonly p99?: number
  readonly n?: number
}

/** One line of the results table. */
export interface Row {
  readonly suite: string
  readonly id: string
  /** The workload: `S`, `M`, `L`, or `S (quick)`. */
  readonly size: string
  readonly ours: Figure
  readonly baseline?: Figure
  /** The ratio against the baseline and what it means. */
  readonly ratio?: { readonly value: number; readonly text: string }
  /** Highest RSS sampled while the case ran, MiB. */
  readonly rssMiB?: number
  /** Peak RSS of the whole process (child) that ran the group, MiB; filled by the runner. */
  readonly processPeakMiB?: number
  readonly targets: ReadonlyArray<Target>
  readonly note?: string
  /** The group ran this case alone, so the child's peak RSS is this case's own. */
  readonly isolated?: boolean
  /** The group (child process) that measured it; filled by the runner. */
  readonly group?: string
  /**
   * A baseline measured in another group (another process): the runner fills `baseline`,
   * `ratio` and the ratio's target from the row with this id once every group has run.
   */
  readonly pair?: {
    readonly baselineId: string
    /** `time`: ours ÷ baseline (lower is better); `throughput`: ours ÷ baseline (higher is better). */
    readonly ratio: "time" | "throughput"
    readonly target: { readonly key: string; readonly text: string; readonly limit: number }
  }
}

/** Fills the baselines of paired rows from the rows they name. */
export const linkPairs = (rows: ReadonlyArray<Row>): Array<Row> =>
  rows.map((r) => {
    if (r.pair === undefined) return r
    const base = rows.find((b) => b.id === r.pair!.baselineId)
    if (base === undefined || !Number.isFinite(base.ours.median)) return r
    const value = r.ours.median / base.ours.median
    const t = r.pair.target
    return {
      ...r,
      baseline: { ...base.ours, label: base.ours.label.replace(/^baseline alone: /, "") },
      ratio: r.pair.ratio === "time"
        ? { value, text: `${value.toFixed(2)}× the baseline's time` }
        : { value, text: `${value.toFixed(2)}× the baseline's throughput` },
      targets: [
        // Idempotent: rows merged from an earlier run were linked once already.
        ...r.targets.filter((x) => x.key !== t.key),
        r.pair.ratio === "time" ? atMost(t.key, t.text, value, t.limit) : atLeast(t.key, t.text, value, t.limit)
      ]
    }
  })

/** A row for a case that could not run (a module not there yet, an API missing). */
export const skipped = (suite: string, id: string, size: string, why: string): Row => ({
  suite,
  id,
  size,
  ours: { label: id, unit: "ms", median: Number.NaN },
  targets: [],
  note: `not measured: ${why}`
})

/** `value < limit` as a target. */
export const below = (key: string, text: string, value: number, limit: number): Target =>
  value < limit ? { key, text, met: true } : { key, text, met: false, miss: `${fmtRatio(value / limit)} the limit` }

/** `value ≤ limit` as a target. */
export const atMost = (key: string, text: string, value: number, limit: number): Target =>
  value <= limit ? { key, text, met: true } : { key, text, met: false, miss: `${fmtRatio(value / limit)} the limit` }

/** `value ≥ limit` as a target. */
export const atLeast = (key: string, text: string, value: number, limit: number): Target =>
  value >= limit
    ? { key, text, met: true }
    : { key, text, met: false, miss: `reached ${fmtNumber(value)}, ${((1 - value / limit) * 100).toFixed(0)}% short` }

const fmtRatio = (r: number) => `${r.toFixed(2)}×`

/** A number with 3 significant digits, thousands separated. */
export const fmtNumber = (x: number): string => {
  if (!Number.isFinite(x)) return "—"
  const abs = Math.abs(x)
  if (abs >= 1000) return Math.round(x).toLocaleString("en-US")
  if (abs >= 100) return x.toFixed(0)
  if (abs >= 10) return x.toFixed(1)
  if (abs >= 1) return x.toFixed(2)
  if (abs >= 0.01) return x.toFixed(3)
  return x.toPrecision(2)
}

/** A figure as text: `median (p99 x)` with its unit. */
export const fmtFigure = (f: Figure | undefined): string => {
  if (f === undefined) return ""
  if (!Number.isFinite(f.median)) return "—"
  const p99 = f.p99 !== undefined && Number.isFinite(f.p99) ? ` · p99 ${fmtNumber(f.p99)}` : ""
  return `${fmtNumber(f.median)} ${f.unit}${p99}`
}

/** A time figure from measured samples (ms, or µs when tiny). */
export const timeFigure = (label: string, m: Measured, withP99 = true): Figure =>
  m.stats.median < 0.1
    ? {
      label,
      unit: "µs",
      median: m.stats.median * 1000,
      ...(withP99 ? { p99: m.stats.p99 * 1000 } : {}),
      n: m.stats.n
    }
    : { label, unit: "ms", median: m.stats.median, ...(withP99 ? { p99: m.stats.p99 } : {}), n: m.stats.n }

/** Median of a figure in milliseconds (time figures only). */
export const ms = (f: Figure): number => (f.unit === "µs" ? f.median / 1000 : f.median)

const escape = (s: string) => s.replace(/\|/g, "\\|")

/** The results as a Markdown table (also readable in a terminal), notes as numbered footnotes below. */
export const table = (rows: ReadonlyArray<Row>): string => {
  const header = ["suite", "case", "size", "Minqing", "baseline", "ratio", "peak RSS", "target", "met"]
  const notes: Array<string> = []
  const lines = rows.map((r) => {
    const rss = r.processPeakMiB ?? r.rssMiB
    let label = r.ours.label
    if (r.note !== undefined) {
      notes.push(r.note.replace(/\s+/g, " "))
      label = `${label} [${notes.length}]`
    }
    return [
      r.suite,
      label,
      r.size,
      fmtFigure(r.ours),
      r.baseline ? `${r.baseline.label}: ${fmtFigure(r.baseline)}` : "",
      r.ratio ? r.ratio.text : "",
      rss !== undefined ? `${fmtNumber(rss)} MiB${r.processPeakMiB !== undefined ? " (process)" : ""}` : "",
      r.targets.map((t) => t.text).join("; "),
      r.targets.length === 0
        ? ""
        : r.targets.every((t) => t.met)
        ? "yes"
        : r.targets.map((t) => t.met ? "yes" : "**NO**").join("; ")
    ].map(escape)
  })
  const all = [header, header.map(() => "---"), ...lines]
  return [
    all.map((cols) => `| ${cols.join(" | ")} |`).join("\n"),
    "",
    ...notes.map((n, i) => `[${i + 1}] ${n}  `)
  ].join("\n")
}

/** The machine the figures come from, read through Node's APIs. */
export const machine = () => {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes: each group of cases runs in its own process, so its peak RSS is its own
// and one group's heap or JIT state never colours another's figures.

/** A group of cases run together in one child process. */
export interface Group {
  /** Unique name: `suite:size[:part]`. */
  readonly name: string
  readonly suite: string
  readonly size: Size
  /** Module exporting `groups`, relative to this file. */
  readonly module: string
}

interface ChildResult {
  readonly rows: ReadonlyArray<Row>
  readonly peakMiB: number
  readonly error?: string
}

const childEntry = fileURLToPath(new URL("./child.ts", import.meta.url))
const tsx = import.meta.resolve("tsx")

/** Runs a group in a child process and returns its rows with the child's peak RSS. */
export const runGroup = (group: Group, options: RunOptions): Promise<ReadonlyArray<Row>> =>
  new Promise((resolve) => {
    const child = fork(childEntry, [group.module, group.name, JSON.stringify(options)], {
      execArgv: ["--import", tsx, "--expose-gc"],
      env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)) },
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let result: ChildResult | undefined
    let timedOut = false
    const timer = options.timeoutSeconds === undefined ? undefined : setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, options.timeoutSeconds * 1000)
    child.on("message", (m) => {
      result = m as ChildResult
    })
    child.on("exit", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      if (result === undefined || result.error !== undefined) {
        const why = timedOut
          ? `did not finish within ${options.timeoutSeconds} s (--timeout); stopped`
          : result?.error ?? `child exited with ${signal ?? code}`
        process.stderr.write(`[bench] ${group.name} failed: ${why}\n`)
        const first = why.split("\n").slice(0, 3).join(" ").replace(/\s+/g, " ").slice(0, 300)
        resolve(
          [...(result?.rows ?? []), skipped(group.suite, `${group.name} (failed)`, group.size, first)].map((r) => ({
            ...r,
            group: group.name
          }))
        )
        return
      }
      const peak = result.peakMiB
      resolve(result.rows.map((r) => ({ ...r, group: group.name, ...(r.isolated ? { processPeakMiB: peak } : {}) })))
    })
  })

/** Logs progress to stderr, so stdout keeps only the table. */
export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`)
}
