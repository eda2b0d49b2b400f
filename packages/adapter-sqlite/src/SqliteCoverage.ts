/**
 * Coverage reports computed next to the data, for scopes too large to load: the core's
 * `CoverageStore` port on SQLite. The definitions stay the core's (`BuiltInMetrics`); this
 * module executes them differently, and a test proves, on generated scenarios, that a report
 * equals what `Coverage.compute` gives on the facts `Store.load` returns for the same actor,
 * scope and as-of date — every count, score, statistic, stratum and daily series of every
 * place.
 *
 * How each built-in metric runs:
 *
 * - SQL aggregates over indexed columns, counted per grid and rolled up the place tree:
 *   household screening (and its daily series), the four vaccination metrics, decoction
 *   served, households and visits per liaison;
 * - the coverage engine on the few facts that can count (arrival reports near the period,
 *   matters open or moving in it, the visits with a health check): arrivals reported in
 *   advance, arrival monitoring, and the four matter metrics;
 * - the rules engine a chunk of households at a time, streaming from SQLite with bounded
 *   memory (SQL cannot run rules): rule compliance, elderly check-ins, tasks per liaison.
 *
 * Any other metric runs in memory on the whole scope. Figures come without member lists;
 * ask for `members` on a small scope to get the in-memory report with its lists.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Access, Fact, Ids, Metric } from "@minqing/core"
import {
  BuiltInMetrics,
  BuiltInRules,
  Coverage,
  CoverageStore,
  Deployment,
  LocalDate,
  Place,
  Problem
} from "@minqing/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as Facts from "./internal/coverage/facts.js"
import { add, bump, layout, MetricTally, withoutMembers } from "./internal/coverage/figures.js"
import * as Queries from "./internal/coverage/queries.js"
import * as Tasks from "./internal/coverage/tasks.js"
import * as internal from "./internal/database.js"
import * as SqliteTaskState from "./SqliteTaskState.js"

/**
 * What `householdScreening` computes: the figures of `scope` and of each place under it
 * (down to `depth` levels below it), for an inclusive period of local dates, as of a date
 * (default: the period's last day).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly scope: Ids.PlaceId
  readonly period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  readonly asOf?: LocalDate.LocalDate
  readonly depth?: number
}

/**
 * A place's figure as `householdScreening` returns it: what `Coverage.Figure` holds without
 * the member lists and statistics.
 *
 * @since 0.1.0
 * @category models
 */
export interface Figure {
  readonly placeId: Ids.PlaceId
  readonly counts: Coverage.Counts
  readonly score: number | undefined
  readonly series: ReadonlyArray<Coverage.SeriesPoint>
}

/**
 * What to report (see `CoverageStore.ReportOptions`), and how.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportOptions extends CoverageStore.ReportOptions {
  /**
   * With `members`, the most households a scope may hold for the report to list members
   * (computed in memory on the scope's facts). Default 1,000; larger scopes get figures only.
   */
  readonly memberLimit?: number | undefined
  /** Households per chunk when the rules engine runs (default 250): bounds the memory. */
  readonly chunkSize?: number | undefined
}

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape extends CoverageStore.Shape {
  /**
   * A coverage report within the actor's scope: one result per metric (default: every
   * built-in metric), one figure per place of the roll-up (the scope, then depth first),
   * the same structure `Coverage.compute` returns. Member lists are empty unless `members`
   * is asked for and the scope is small (`memberLimit`).
   */
  readonly report: (
    actor: Access.Actor,
    options: ReportOptions
  ) => Effect.Effect<Coverage.Report, Coverage.CoverageError | Problem.StoreError>
  /**
   * Household screening coverage (`household-screening`) alone, one figure per place of the
   * roll-up; empty when the scope is outside the actor's.
   */
  readonly householdScreening: (
    actor: Access.Actor,
    options: Options
  ) => Effect.Effect<ReadonlyArray<Figure>, Problem.StoreError>
}

/**
 * The tag of the SQL coverage service, provided by `SqliteStore.layer` (which also provides
 * it as the core's `CoverageStore`).
 *
 * @since 0.1.0
 * @category tags
 */
export class SqliteCoverage extends Context.Tag("@minqing/adapter-sqlite/SqliteCoverage")<SqliteCoverage, Shape>() {}

type Kind =
  | "screening"
  | "vaccination"
  | "decoction"
  | "workload-households"
  | "workload-visits"
  | "workload-tasks"
  | "compliance"
  | "checkins"
  | "pruned"
  | "memory"

const kinds = new Map<Metric.Definition<any, any>, Kind>([
  [BuiltInMetrics.householdScreening.definition, "screening"],
  [BuiltInMetrics.vaccinationFirstDose.definition, "vaccination"],
  [BuiltInMetrics.vaccinationPrimaryCourse.definition, "vaccination"],
  [BuiltInMetrics.vaccinationBooster.definition, "vaccination"],
  [BuiltInMetrics.vaccinationStatusChecked.definition, "vaccination"],
  [BuiltInMetrics.decoctionServed.definition, "decoction"],
  [BuiltInMetrics.workloadHouseholds.definition, "workload-households"],
  [BuiltInMetrics.workloadVisits.definition, "workload-visits"],
  [BuiltInMetrics.workloadTasks.definition, "workload-tasks"],
  [BuiltInMetrics.ruleCompliance.definition, "compliance"],
  [BuiltInMetrics.elderlyCheckins.definition, "checkins"],
  [BuiltInMetrics.arrivalsReportedInAdvance.definition, "pruned"],
  [BuiltInMetrics.arrivalMonitoringCompleted.definition, "pruned"],
  [BuiltInMetrics.mattersOpened.definition, "pruned"],
  [BuiltInMetrics.mattersResolved.definition, "pruned"],
  [BuiltInMetrics.matterResolutionDays.definition, "pruned"],
  [BuiltInMetrics.mattersOverdue.definition, "pruned"]
])

const kindOf = (m: Metric.Metric): Kind => kinds.get(m.definition) ?? "memory"

const taskKinds: ReadonlySet<Kind> = new Set(["compliance", "checkins", "workload-tasks"])

/**
 * The built-in metrics `report` computes without loading the scope (all of them, in any
 * parameters or under another id); any other metric runs in memory on the scope's facts.
 *
 * @since 0.1.0
 * @category getters
 */
export const isPushedDown = (metric: Metric.Metric): boolean => kindOf(metric) !== "memory"

const arrivalMetrics = new Set<Metric.Definition<any, any>>([
  BuiltInMetrics.arrivalsReportedInAdvance.definition,
  BuiltInMetrics.arrivalMonitoringCompleted.definition
])

/** Monitoring lasts at most this many days (`ArrivalReport.monitoringDays`, `MonitoringParameters`). */
const MAX_MONITORING_DAYS = 60

const DEFAULT_MEMBER_LIMIT = 1_000
const DEFAULT_CHUNK = 250

/** Grids whose tallies one write transaction counts (a writer waits at most for these). */
const TALLY_GRIDS_PER_WRITE = 100

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

const fail = (reason: string) => Effect.fail(new Coverage.CoverageError({ reason }))

/** Whether bit `k` of a group's day mask is set (masks exceed JavaScript's 32-bit operators). */
const contactedOn = (g: { readonly mask: number }, k: number) => Math.floor(g.mask / 2 ** k) % 2 === 1

/**
 * The service on the `SqlClient` in context (a database migrated by `SqliteStore`), reading
 * the tasks `taskState` keeps (`SqliteStore` passes its own, so one task state serves the
 * worklists and the reports).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTaskState = (
  taskState: SqliteTaskState.Shape
): Effect.Effect<Shape, never, SqlClient.SqlClient | Deployment.Deployment> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const { zone } = yield* Deployment.Deployment
    const retry = internal.retryBusy("2 minutes")
    const q = Queries.make(sql)
    const keptTasks = Tasks.make(sql)
    const writeTransaction = yield* internal.makeWriteTransaction

    const compute = (actor: Access.Actor, options: ReportOptions, taskKey: number | undefined) =>
      Effect.gen(function*() {
        const { period, scope } = options
        if (period.from > period.to) {
          return yield* fail(`the period ends (${period.to}) before it starts (${period.from})`)
        }
        const metrics = options.metrics ?? BuiltInMetrics.all
        const seen = new Set<string>()
        for (const m of metrics) {
          if (seen.has(m.id)) return yield* fail(`two metrics have the id "${m.id}"; rename one with Metric.rename`)
          seen.add(m.id)
        }
        const pack = options.pack ?? BuiltInRules.pack
        const asOf = options.asOf ?? period.to
        const end = LocalDate.min(period.to, asOf)
        const f: Queries.Frame = { scope, from: period.from, end, asOf, cutoff: zone.endOf(asOf) }
        const own = [...new Set(actor.scope)]
        if (own.length === 0 || (yield* q.reaches(scope, own)).length === 0) {
          return yield* fail(`the scope "${scope}" is not a place within the actor's scope`)
        }
        const places = yield* Effect.flatMap(q.places(f), (rows) => Facts.decodeAll("Place", rows))
        const tree = Place.tree(places)
        if (tree.get(scope) === undefined) return yield* fail(`the scope "${scope}" is not a place of these facts`)
        const lay = layout(tree, scope, options.depth ?? Number.POSITIVE_INFINITY)
        const days = end < period.from ? [] : LocalDate.days({ from: period.from, to: end })
        const scopeIds = new Set<string>(tree.subtree(scope))
        const liaisons = yield* Effect.flatMap(q.liaisons(f), (rows) => Facts.decodeAll("Liaison", rows))
        const campaigns = yield* Effect.flatMap(q.campaigns(f), (rows) => Facts.decodeAll("Campaign", rows))
        const shared: Facts.Shared = { places, liaisons, campaigns }
        const base = {
          scope,
          period: { from: period.from, to: period.to },
          asOf,
          zone,
          ...(options.depth === undefined ? {} : { depth: options.depth })
        }
        const report = (results: ReadonlyArray<Coverage.Result>): Coverage.Report => ({
          scope,
          period: { from: period.from, to: period.to },
          asOf,
          end,
          zone: zone.name,
          places: lay.nodes,
          results
        })

        // Members: the in-memory report on the scope's facts, when the scope is small.
        if (options.members === true) {
          const ids = (yield* q.householdIds(f)).map((r) => r.id)
          if (ids.length <= (options.memberLimit ?? DEFAULT_MEMBER_LIMIT)) {
            const facts = yield* Facts.roster(q, f, shared, ids)
            const needsTasks = metrics.some((m) => ["compliance", "checkins", "workload-tasks"].includes(kindOf(m)))
            const floor = metrics.some((m) => kindOf(m) === "memory")
              ? LocalDate.MIN
              : LocalDate.addDays(period.from, -MAX_MONITORING_DAYS)
            const { tasks, visits } = needsTasks && end >= period.from
              ? yield* Facts.tasks(q, f, pack, facts, zone, floor)
              : { tasks: [], visits: yield* Facts.visits(q, f, ids, floor) }
            const computed = Coverage.compute({
              ...base,
              facts: { ...facts, liaisons, visits },
              metrics,
              tasks: metrics.some((m) => kindOf(m) === "memory") ? Coverage.rules(pack) : tasks
            })
            return Either.isLeft(computed) ? yield* computed.left : computed.right
          }
        }

        const results = new Map<string, Coverage.Result>()
        const byKind = (k: Kind) => metrics.filter((m) => kindOf(m) === k)
        const n = lay.nodes.length
        const activeOn = (g: { readonly active_from: string; readonly active_until: string | null }, date: string) =>
          g.active_from <= date && (g.active_until === null || g.active_until >= date)

        // Households by place and validity dates: populations of screening, decoction, workload.
        const screening = byKind("screening")
        const decoction = byKind("decoction")
        const workloadHouseholds = byKind("workload-households")
        // Up to 53 days (exact integers in JS), one pass over each household's visits gives the
        // days it was contacted; longer periods take one query for the period and one per day.
        // With visits per liaison asked for too, one pass over the period's visits gives both.
        const workloadVisits = byKind("workload-visits")
        let liaisonVisits: Map<string, number> | undefined
        let masks: ReadonlyArray<Queries.MaskGroup> | undefined
        if (screening.length > 0 && days.length > 0 && days.length <= 53 && workloadVisits.length > 0) {
          const byGroup: Array<Queries.MaskGroup> = []
          const counts = new Map<string, number>()
          const several: Array<string> = []
          for (const r of yield* q.householdVisits(f)) {
            if (r.kind === "g") {
              byGroup.push({
                place_id: r.key,
                active_from: r.active_from!,
                active_until: r.active_until,
                mask: r.mask!,
                n: r.n
              })
            } else if (r.kind === "l") counts.set(r.key, (counts.get(r.key) ?? 0) + r.n)
            else several.push(r.key)
          }
          for (let i = 0; i < several.length; i += 500) {
            for (const r of yield* q.visitsByLiaisonOf(f, several.slice(i, i + 500))) {
              counts.set(r.liaison_id, (counts.get(r.liaison_id) ?? 0) + r.n)
            }
          }
          masks = byGroup
          liaisonVisits = counts
        } else if (screening.length > 0 && days.length <= 53) masks = yield* q.contactedDays(f)
        const groups = masks !== undefined
          ? masks.map((g) => ({ ...g, reached: g.mask === 0 ? 0 : g.n }))
          : screening.length + decoction.length + workloadHouseholds.length > 0
          ? (yield* q.householdGroups(f, screening.length > 0)).map((g) => ({ ...g, mask: 0 }))
          : []

        if (screening.length > 0) {
          const contacted = masks !== undefined || days.length === 0 ? [] : yield* q.contactedByDay(f)
          const dayIndex = new Map(days.map((d, k) => [d as string, k]))
          for (const m of screening) {
            const t = new MetricTally(m, n, days)
            for (const g of groups) {
              const node = lay.nodeOf(g.place_id)
              if (g.active_from <= end && (g.active_until === null || g.active_until >= period.from)) {
                add(t.total, node, g.n, 0, g.reached)
              }
              for (let k = 0; k < days.length; k++) {
                if (!activeOn(g, days[k])) continue
                add(t.series[k], node, g.n, 0, masks !== undefined && contactedOn(g, k) ? g.n : 0)
              }
            }
            for (const r of contacted) add(t.series[dayIndex.get(r.local_date)!], lay.nodeOf(r.place_id), 0, 0, r.n)
            results.set(m.id, t.result(lay))
          }
        }

        // Vaccination: one query per set of parameters.
        const vaccination = byKind("vaccination")
        const byParameters = new Map<string, Array<Metric.Metric<BuiltInMetrics.VaccinationParameters>>>()
        for (const m of vaccination) {
          const key = JSON.stringify(m.parameters)
          byParameters.set(key, [...(byParameters.get(key) ?? []), m])
        }
        for (const group of byParameters.values()) {
          const checked = group.some((m) => m.definition === BuiltInMetrics.vaccinationStatusChecked.definition)
          const rows = yield* q.vaccination(f, group[0].parameters, checked)
          for (const m of group) {
            const numerator = m.definition === BuiltInMetrics.vaccinationFirstDose.definition
              ? "dosed"
              : m.definition === BuiltInMetrics.vaccinationPrimaryCourse.definition
              ? "primary_course"
              : m.definition === BuiltInMetrics.vaccinationBooster.definition
              ? "booster"
              : "checked"
            const t = new MetricTally(m, n, days)
            for (const r of rows) add(t.total, lay.nodeOf(r.place_id), r.population, r.excluded, r[numerator])
            results.set(m.id, t.result(lay))
          }
        }

        // Decoction: each day, the households of the grids a running campaign reaches.
        if (decoction.length > 0) {
          const running = campaigns.filter((c) =>
            c.kind === "decoction" && (scopeIds.has(c.scopeId) || tree.isWithin(scope, c.scopeId))
          )
          const served: Array<{ readonly place_id: string; readonly local_date: string; readonly n: number }> = []
          if (days.length > 0 && running.length > 0) {
            const tested = running.map((c) => ({
              id: c.id,
              from: c.period.from,
              to: c.period.to,
              within: tree.isWithin(scope, c.scopeId) ? undefined : c.scopeId
            }))
            if (days.length <= 53) {
              for (const g of yield* q.decoctionDays(f, tested)) {
                if (g.mask === 0) continue
                for (let k = 0; k < days.length; k++) {
                  if (contactedOn(g, k) && activeOn(g, days[k])) {
                    served.push({ place_id: g.place_id, local_date: days[k], n: g.n })
                  }
                }
              }
            } else served.push(...(yield* q.decoctionServed(f, tested)))
          }
          const dayIndex = new Map(days.map((d, k) => [d as string, k]))
          for (const m of decoction) {
            const t = new MetricTally(m, n, days)
            days.forEach((d, k) => {
              const today = running.filter((c) => c.period.from <= d && d <= c.period.to)
              if (today.length === 0) return
              for (const g of groups) {
                if (!activeOn(g, d) || !today.some((c) => tree.isWithin(g.place_id as Ids.PlaceId, c.scopeId))) continue
                const node = lay.nodeOf(g.place_id)
                add(t.total, node, g.n, 0, 0)
                add(t.series[k], node, g.n, 0, 0)
              }
            })
            for (const r of served) {
              const node = lay.nodeOf(r.place_id)
              add(t.total, node, 0, 0, r.n)
              add(t.series[dayIndex.get(r.local_date)!], node, 0, 0, r.n)
            }
            results.set(m.id, t.result(lay))
          }
        }

        // Tasks: the rules engine, a chunk of households at a time.
        const compliance = byKind("compliance")
        const checkins = byKind("checkins") as ReadonlyArray<
          Metric.Metric<typeof BuiltInMetrics.CheckinParameters.Type>
        >
        const workloadTasks = byKind("workload-tasks")
        const tasksByGrid = new Map<string, number>()
        if (compliance.length + checkins.length + workloadTasks.length > 0) {
          const complianceTallies = compliance.map((m) => new MetricTally(m, n, days))
          const checkinTallies = checkins.map((m) => new MetricTally(m, n, days))
          if (end >= period.from) {
            // The kept task state answers for the households of current grids that no write after
            // the cutoff touched; the rules engine for the others, on the facts known then. With no
            // such write, the report's households are the current ones: when every grid of those
            // is current, none is left to the engine and none needs listing.
            const kept = yield* keptTasks.kept(f, taskKey, { from: period.from, to: end })
            const current = new Set(kept.grids)
            const allKept = !kept.everything && kept.later.size === 0 &&
              (yield* keptTasks.grids(f)).every((g) => current.has(g))
            const households = allKept ? [] : yield* q.householdIds(f)
            const gridOf = new Map(households.map((h) => [h.id, h.place_id]))
            const byEngine = kept.everything
              ? households
              : households.filter((h) => !current.has(h.place_id) || kept.later.has(h.id))
            if (!kept.everything && kept.key !== undefined && kept.grids.length > 0) {
              const skip = new Set([...kept.later, ...(yield* keptTasks.notYetActive(f))])
              // Tallies (a row per grid, rule, dates and resolution) where they are current and
              // no household is skipped; each task's row elsewhere.
              const mixed = new Set(yield* keptTasks.gridsOf(skip))
              const tallied = kept.grids.filter((g) => kept.tallied.has(g) && !mixed.has(g))
              const rows = kept.grids.filter((g) => !kept.tallied.has(g) || mixed.has(g))
              const counts = [
                ...(tallied.length === 0
                  ? []
                  : yield* keptTasks.counts(f, kept.key, tallied, skip, "task_tallies")),
                ...(rows.length === 0 ? [] : yield* keptTasks.counts(f, kept.key, rows, skip, "tasks"))
              ]
              for (const r of counts) {
                const node = lay.nodeOf(r.place_id)
                if (r.closing > 0) {
                  for (const c of complianceTallies) {
                    add(c.total, node, r.closing, r.closing_excluded, r.closing_numerator)
                    add(c.stratum(r.rule), node, r.closing, r.closing_excluded, r.closing_numerator)
                  }
                }
                if (r.due === 0) continue
                tasksByGrid.set(r.place_id, (tasksByGrid.get(r.place_id) ?? 0) + r.due)
                checkins.forEach((m, i) => {
                  if (r.rule === m.parameters.rule) {
                    add(checkinTallies[i].total, node, r.due, r.due_excluded, r.due_done)
                  }
                })
              }
            }
            for (const chunk of chunksOf(byEngine, Math.max(1, options.chunkSize ?? DEFAULT_CHUNK))) {
              const facts = yield* Facts.roster(q, f, shared, chunk.map((h) => h.id))
              const { tasks } = yield* Facts.tasks(q, f, pack, facts, zone)
              for (const t of tasks) {
                const grid = gridOf.get(t.householdId)
                if (grid === undefined) continue
                const node = lay.nodeOf(grid)
                if (t.window.to >= period.from && t.window.to <= end) {
                  const status: Metric.Status = t.state === "cancelled"
                    ? "excluded"
                    : t.state === "done" && t.resolvedOn !== undefined && t.resolvedOn >= t.window.from &&
                        t.resolvedOn <= t.window.to
                    ? "numerator"
                    : "missing"
                  for (const c of complianceTallies) {
                    bump(c.total, node, status, undefined)
                    bump(c.stratum(t.rule), node, status, undefined)
                  }
                }
                if (t.due < period.from || t.due > end) continue
                tasksByGrid.set(grid, (tasksByGrid.get(grid) ?? 0) + 1)
                checkins.forEach((m, i) => {
                  if (t.rule !== m.parameters.rule) return
                  bump(
                    checkinTallies[i].total,
                    node,
                    t.state === "cancelled" ? "excluded" : t.state === "done" ? "numerator" : "missing",
                    undefined
                  )
                })
              }
            }
          }
          for (const t of [...complianceTallies, ...checkinTallies]) results.set(t.metric.id, t.result(lay))
        }

        // Workload: one observation per active liaison, at the first of their grids in scope.
        if (workloadHouseholds.length + workloadVisits.length + workloadTasks.length > 0) {
          const inScope = (g: string) => scopeIds.has(g)
          const active = liaisons
            .filter((l) => l.appointedFrom <= asOf && l.gridIds.some(inScope))
            .sort((a, b) => compareText(a.id, b.id))
            .filter((l) => l.active)
          const span = Math.max(0, LocalDate.toEpochDay(end) - LocalDate.toEpochDay(period.from) + 1)
          const householdsByGrid = new Map<string, number>()
          for (const g of groups) {
            if (activeOn(g, end)) householdsByGrid.set(g.place_id, (householdsByGrid.get(g.place_id) ?? 0) + g.n)
          }
          const visitsByLiaison = liaisonVisits !== undefined
            ? liaisonVisits
            : workloadVisits.length > 0 && span > 0
            ? new Map((yield* q.visitsByLiaison(f)).map((r) => [r.liaison_id, r.n]))
            : new Map<string, number>()
          const observe = (m: Metric.Metric, value: (l: Fact.Of<"Liaison">) => number | undefined) => {
            const t = new MetricTally(m, n, days)
            for (const l of active) {
              bump(t.total, lay.nodeOf(l.gridIds.find(inScope)!), "included", value(l))
            }
            results.set(m.id, t.result(lay))
          }
          const sumOver = (l: Fact.Of<"Liaison">, counts: ReadonlyMap<string, number>) => {
            let total = 0
            for (const g of l.gridIds.filter(inScope)) total += counts.get(g) ?? 0
            return total
          }
          for (const m of workloadHouseholds) observe(m, (l) => sumOver(l, householdsByGrid))
          for (const m of workloadVisits) {
            observe(m, (l) => span === 0 ? undefined : (visitsByLiaison.get(l.id) ?? 0) / span)
          }
          for (const m of workloadTasks) observe(m, (l) => span === 0 ? undefined : sumOver(l, tasksByGrid) / span)
        }

        // Arrivals and matters: the coverage engine on the facts that can count.
        const pruned = byKind("pruned")
        if (pruned.length > 0) {
          const withArrivals = pruned.some((m) => arrivalMetrics.has(m.definition))
          const withMatters = pruned.some((m) => !arrivalMetrics.has(m.definition))
          const monitoring = pruned.some((m) => m.definition === BuiltInMetrics.arrivalMonitoringCompleted.definition)
          const from = monitoring ? LocalDate.addDays(period.from, -MAX_MONITORING_DAYS) : period.from
          const arrivals = withArrivals
            ? yield* Effect.flatMap(q.arrivals(f, from), (rows) => Facts.decodeAll("ArrivalReport", rows))
            : []
          const since = new Date(zone.startOf(LocalDate.min(period.from, end))).toISOString()
          const matters = withMatters
            ? yield* Effect.flatMap(q.matters(f, since), (rows) => Facts.decodeAll("Matter", rows))
            : []
          const ids = [...new Set([...arrivals.map((a) => a.householdId), ...matters.map((m) => m.householdId)])]
          const households = yield* Effect.flatMap(
            q.householdsById(f, ids),
            (rows) => Facts.decodeAll("Household", rows)
          )
          const monitored = monitoring
            ? [
              ...new Set(
                arrivals.filter((a) => a.status === "arrived" || a.status === "cleared").map((a) => a.householdId)
              )
            ]
            : []
          const checks = monitored.length === 0 ? [] : yield* Effect.flatMap(
            q.healthChecks(f, monitored, LocalDate.addDays(from, 1), end),
            (rows) => Facts.decodeAll("Visit", rows)
          )
          const computed = Coverage.compute({
            ...base,
            facts: {
              places,
              liaisons: [],
              households,
              residents: [],
              visits: checks,
              arrivals,
              matters,
              campaigns: []
            },
            metrics: pruned,
            tasks: []
          })
          if (Either.isLeft(computed)) return yield* computed.left
          for (const r of computed.right.results) {
            results.set(r.metric.id, { ...r, figures: r.figures.map(withoutMembers) })
          }
        }

        // Any other metric: in memory, on every fact of the scope.
        const memory = byKind("memory")
        if (memory.length > 0) {
          const ids = (yield* q.householdIds(f)).map((r) => r.id)
          const facts = yield* Facts.roster(q, f, shared, ids)
          const visits = yield* Facts.visits(q, f, ids, LocalDate.MIN)
          const computed = Coverage.compute({
            ...base,
            facts: { ...facts, liaisons, visits },
            metrics: memory,
            tasks: Coverage.rules(pack)
          })
          if (Either.isLeft(computed)) return yield* computed.left
          for (const r of computed.right.results) {
            results.set(r.metric.id, options.members === true ? r : { ...r, figures: r.figures.map(withoutMembers) })
          }
        }

        return report(metrics.map((m) => results.get(m.id)!))
      })

    /**
     * Before the read: brings the kept task state of the scope's grids current for the
     * report's dates (when a task metric is asked for), in write transactions of its own.
     */
    const prepareTasks = (actor: Access.Actor, options: ReportOptions) =>
      Effect.gen(function*() {
        const { period, scope } = options
        const metrics = options.metrics ?? BuiltInMetrics.all
        const asOf = options.asOf ?? period.to
        const end = LocalDate.min(period.to, asOf)
        const own = [...new Set(actor.scope)]
        if (
          end < period.from || own.length === 0 || !metrics.some((m) => taskKinds.has(kindOf(m))) ||
          (yield* q.reaches(scope, own)).length === 0
        ) return undefined
        const f: Queries.Frame = { scope, from: period.from, end, asOf, cutoff: zone.endOf(asOf) }
        const grids = yield* keptTasks.grids(f)
        const done = yield* taskState.refreshGrids(options.pack ?? BuiltInRules.pack, grids, {
          from: period.from,
          to: end
        })
        const key = done.key
        if (key === undefined) return key
        // Tallies of the grids whose rows changed, counted afresh a few grids per write transaction.
        const untallied = yield* keptTasks.untallied(f, key)
        for (let i = 0; i < untallied.length; i += TALLY_GRIDS_PER_WRITE) {
          yield* retry(internal.commitFailures(writeTransaction(
            keptTasks.recount(key, untallied.slice(i, i + TALLY_GRIDS_PER_WRITE))
          )))
        }
        return key
      })

    const report = (actor: Access.Actor, options: ReportOptions) =>
      prepareTasks(actor, options).pipe(
        Effect.flatMap((key) => retry(internal.commitFailures(sql.withTransaction(compute(actor, options, key))))),
        Effect.mapError((e: SqlError | Problem.StoreError | Coverage.CoverageError) =>
          e._tag === "SqlError" ? internal.toStoreError("computing a coverage report")(e) : e
        )
      )

    const householdScreening = (actor: Access.Actor, options: Options) =>
      report(actor, { ...options, metrics: [BuiltInMetrics.householdScreening] }).pipe(
        Effect.map((r) =>
          r.results[0].figures.map((f): Figure => ({
            placeId: f.placeId,
            counts: f.counts,
            score: f.score,
            series: f.series
          }))
        ),
        Effect.catchTag("CoverageError", () => Effect.succeed([]))
      )

    return { report, householdScreening }
  })

/**
 * The service on the `SqlClient` in context (a database migrated by `SqliteStore`), with a
 * task state of its own (`SqliteTaskState.make()`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Shape,
  never,
  SqlClient.SqlClient | Deployment.Deployment | Scope.Scope
> = Effect.flatMap(
  SqliteTaskState.make(),
  fromTaskState
)
