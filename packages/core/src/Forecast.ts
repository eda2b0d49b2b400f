/**
 * Workload forecast: how many tasks (and distinct households to knock on) each liaison has
 * per day for the next days under a pack, so a subdistrict sees what a cadence change costs
 * before adopting it.
 *
 * A task counts on its due date; cancelled tasks do not count.
 *
 * @example
 * ```ts
 * import { BuiltInRules, Fact, Forecast, LocalDate, RulePack } from "@minqing/core"
 *
 * declare const facts: Fact.Facts
 * declare const weekly: RulePack.RulePack
 * const options = { from: LocalDate.make("2021-05-10"), days: 14 }
 * const before = Forecast.make(BuiltInRules.pack, facts, options)
 * const after = Forecast.make(weekly, facts, options)
 * console.log(Forecast.formatComparison(before, after))
 * ```
 *
 * @since 0.1.0
 */
import * as Engine from "./Engine.js"
import type * as Fact from "./Fact.js"
import type { HouseholdId, LiaisonId } from "./Ids.js"
import * as LocalDate from "./LocalDate.js"
import type { RulePack } from "./RulePack.js"
import type { Task } from "./Task.js"
import type * as TimeZone from "./TimeZone.js"
import { owners } from "./Worklist.js"

/**
 * One liaison's workload: per day (parallel to `Forecast.days`), the tasks due and the
 * distinct households with a task due. `liaisonId` is `undefined` for households no active
 * liaison owns.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly liaisonId: LiaisonId | undefined
  readonly name: string
  readonly tasks: ReadonlyArray<number>
  readonly households: ReadonlyArray<number>
  readonly totalTasks: number
}

/**
 * A forecast: the pack's name, the days, a row per liaison (by id; the unassigned row last)
 * and the totals per day.
 *
 * @since 0.1.0
 * @category models
 */
export interface Forecast {
  readonly pack: string
  readonly days: ReadonlyArray<LocalDate.LocalDate>
  readonly rows: ReadonlyArray<Row>
  readonly totals: { readonly tasks: ReadonlyArray<number>; readonly households: ReadonlyArray<number> }
  /** Tasks per rule over all days. */
  readonly byRule: Readonly<Record<string, number>>
}

/**
 * Forecasts `days` days from `from` (default as of `from`: visits up to that day count).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  pack: RulePack,
  facts: Fact.Facts,
  options: {
    readonly from: LocalDate.LocalDate
    readonly days: number
    readonly asOf?: LocalDate.LocalDate | undefined
    readonly zone?: TimeZone.TimeZone | string | undefined
  }
): Forecast => {
  const n = Math.max(1, Math.floor(options.days))
  const to = LocalDate.addDays(options.from, n - 1)
  const tasks = Engine.evaluate(pack, facts, {
    asOf: options.asOf ?? options.from,
    from: options.from,
    to,
    zone: options.zone
  })
  return fromTasks(pack.name, tasks, facts, { from: options.from, days: n })
}

/**
 * A forecast from tasks already evaluated over the days.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTasks = (
  packName: string,
  tasks: Iterable<Task>,
  facts: Pick<Fact.Facts, "households" | "liaisons" | "places">,
  options: { readonly from: LocalDate.LocalDate; readonly days: number }
): Forecast => {
  const n = Math.max(1, Math.floor(options.days))
  const start = LocalDate.toEpochDay(options.from)
  const days = Array.from({ length: n }, (_, i) => LocalDate.fromEpochDay(start + i))
  const own = owners(facts)
  const UNASSIGNED = "\u0000unassigned"
  const counts = new Map<string, { tasks: Array<number>; households: Array<Set<HouseholdId>>; name: string }>()
  const byRule: Record<string, number> = {}
  for (const t of tasks) {
    if (t.state === "cancelled") continue
    const i = LocalDate.toEpochDay(t.due) - start
    if (i < 0 || i >= n) continue
    const owner = own.get(t.householdId)
    const key = owner?.id ?? UNASSIGNED
    let c = counts.get(key)
    if (c === undefined) {
      c = {
        tasks: new Array(n).fill(0),
        households: Array.from({ length: n }, () => new Set()),
        name: owner?.name ?? "(unassigned)"
      }
      counts.set(key, c)
    }
    c.tasks[i]++
    c.households[i].add(t.householdId)
    byRule[t.rule] = (byRule[t.rule] ?? 0) + 1
  }
  for (const l of facts.liaisons) {
    if (l.active && !counts.has(l.id)) {
      counts.set(l.id, {
        tasks: new Array(n).fill(0),
        households: Array.from({ length: n }, () => new Set()),
        name: l.name
      })
    }
  }
  const keys = [...counts.keys()].sort((a, b) => (a === UNASSIGNED ? 1 : b === UNASSIGNED ? -1 : a < b ? -1 : 1))
  const rows: Array<Row> = keys.map((k) => {
    const c = counts.get(k)!
    return {
      liaisonId: k === UNASSIGNED ? undefined : (k as LiaisonId),
      name: c.name,
      tasks: c.tasks,
      households: c.households.map((s) => s.size),
      totalTasks: c.tasks.reduce((a, b) => a + b, 0)
    }
  })
  const totals = {
    tasks: days.map((_, i) => rows.reduce((a, r) => a + r.tasks[i], 0)),
    households: days.map((_, i) => rows.reduce((a, r) => a + r.households[i], 0))
  }
  return { pack: packName, days, rows, totals, byRule }
}

/**
 * Summary figures: total tasks, mean tasks and households per liaison per day, the busiest
 * liaison-day.
 *
 * @since 0.1.0
 * @category getters
 */
export const summary = (forecast: Forecast): {
  readonly totalTasks: number
  readonly tasksPerLiaisonDay: number
  readonly householdsPerLiaisonDay: number
  readonly busiest: { readonly name: string; readonly day: LocalDate.LocalDate; readonly tasks: number } | undefined
} => {
  const assigned = forecast.rows.filter((r) => r.liaisonId !== undefined)
  const liaisonDays = Math.max(1, assigned.length * forecast.days.length)
  let busiest: { name: string; day: LocalDate.LocalDate; tasks: number } | undefined
  for (const r of assigned) {
    r.tasks.forEach((t, i) => {
      if (busiest === undefined || t > busiest.tasks) busiest = { name: r.name, day: forecast.days[i], tasks: t }
    })
  }
  const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)
  return {
    totalTasks: sum(forecast.totals.tasks),
    tasksPerLiaisonDay: assigned.reduce((a, r) => a + sum(r.tasks), 0) / liaisonDays,
    householdsPerLiaisonDay: assigned.reduce((a, r) => a + sum(r.households), 0) / liaisonDays,
    busiest
  }
}

const pad = (s: string | number, width: number) => String(s).padStart(width)

/**
 * The forecast as a text table: a row per liaison, a column per day (tasks), and totals.
 *
 * @since 0.1.0
 * @category getters
 */
export const format = (forecast: Forecast, options: { readonly maxRows?: number } = {}): string => {
  const max = options.maxRows ?? 20
  const width = 5
  const head = `${"liaison".padEnd(16)}${forecast.days.map((d) => pad(d.slice(5), width + 1)).join("")}${
    pad("total", 8)
  }`
  const lines = [`Forecast under "${forecast.pack}": tasks due per liaison per day`, head]
  for (const r of forecast.rows.slice(0, max)) {
    lines.push(
      `${r.name.slice(0, 15).padEnd(16)}${r.tasks.map((t) => pad(t, width + 1)).join("")}${pad(r.totalTasks, 8)}`
    )
  }
  if (forecast.rows.length > max) lines.push(`… ${forecast.rows.length - max} more liaisons`)
  lines.push(
    `${"all".padEnd(16)}${forecast.totals.tasks.map((t) => pad(t, width + 1)).join("")}${
      pad(forecast.totals.tasks.reduce((a, b) => a + b, 0), 8)
    }`
  )
  return lines.join("\n")
}

/**
 * Compares two forecasts over the same days: per rule and per liaison-day, before → after.
 *
 * @since 0.1.0
 * @category getters
 */
export const formatComparison = (before: Forecast, after: Forecast): string => {
  const a = summary(before)
  const b = summary(after)
  const rules = [...new Set([...Object.keys(before.byRule), ...Object.keys(after.byRule)])].sort()
  const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))
  const lines = [
    `Workload ${before.days[0]}..${before.days[before.days.length - 1]}: "${before.pack}" → "${after.pack}"`,
    `  tasks in total:                ${fmt(a.totalTasks)} → ${fmt(b.totalTasks)}`,
    `  tasks per liaison per day:     ${fmt(a.tasksPerLiaisonDay)} → ${fmt(b.tasksPerLiaisonDay)}`,
    `  households per liaison per day: ${fmt(a.householdsPerLiaisonDay)} → ${fmt(b.householdsPerLiaisonDay)}`,
    `  busiest liaison-day:           ${a.busiest?.tasks ?? 0} → ${b.busiest?.tasks ?? 0}`,
    "  by rule:"
  ]
  for (const r of rules) lines.push(`    ${r.padEnd(26)} ${pad(before.byRule[r] ?? 0, 7)} → ${after.byRule[r] ?? 0}`)
  return lines.join("\n")
}
