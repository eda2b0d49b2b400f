/**
 * A port for stores that compute coverage reports next to their data (SQL pushdown), so a
 * caller gets a report for a large scope without loading its facts into memory.
 *
 * The answer is defined by the in-memory engine: a store's `report` gives what
 * `Coverage.compute` gives on the facts `Store.load` returns for the same actor, scope and
 * as-of date (every visit known then), for the same period, metrics, depth and rule pack —
 * the same counts, scores, statistics, strata and daily series. `fromStore` is that
 * definition, and works on any `Store`; the SQLite adapter provides a pushed-down
 * implementation proven equal to it. Callers that find this port in context (the HTTP
 * coverage endpoints) use it instead of loading the scope themselves.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Actor } from "./Access.js"
import * as BuiltInMetrics from "./BuiltInMetrics.js"
import * as BuiltInRules from "./BuiltInRules.js"
import * as Coverage from "./Coverage.js"
import { Deployment } from "./Deployment.js"
import type { PlaceId } from "./Ids.js"
import type * as LocalDate from "./LocalDate.js"
import type * as Metric from "./Metric.js"
import type { StoreError } from "./Problem.js"
import type { RulePack } from "./RulePack.js"
import * as Store from "./Store.js"

/**
 * What to report: the figures of `scope` and of each place under it (down to `depth` levels),
 * for an inclusive period of local dates, as of a date (default: the period's last day).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportOptions {
  readonly scope: PlaceId
  readonly period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  readonly asOf?: LocalDate.LocalDate | undefined
  /** How many levels below the scope get their own figure (default: all). */
  readonly depth?: number | undefined
  /** Default: every built-in metric (`BuiltInMetrics.all`). */
  readonly metrics?: ReadonlyArray<Metric.Metric> | undefined
  /** The pack whose tasks compliance, check-ins and task workload read (default `BuiltInRules.pack`). */
  readonly pack?: RulePack | undefined
  /**
   * Whether figures list their members (who is counted, missing, excluded). Default `false`:
   * figures only. A store may list them for small scopes only and say so in its docs.
   */
  readonly members?: boolean | undefined
}

/**
 * The port.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /**
   * A coverage report within the actor's scope. Fails with `CoverageError` when the options
   * are invalid or the scope is not a place the actor reaches.
   */
  readonly report: (
    actor: Actor,
    options: ReportOptions
  ) => Effect.Effect<Coverage.Report, Coverage.CoverageError | StoreError>
}

/**
 * The port's tag. `SqliteStore.layer` provides it; the in-memory store does not (use
 * `fromStore`).
 *
 * @since 0.1.0
 * @category tags
 */
export class CoverageStore extends Context.Tag("@minqing/core/CoverageStore")<CoverageStore, Shape>() {}

/**
 * The reference implementation on any store: loads the scope with `Store.load` (as of the
 * as-of date, every visit) and computes the report in memory, with member lists. What a
 * pushed-down implementation must equal; fine for small scopes.
 *
 * @example
 * ```ts
 * import { Access, CoverageStore, LocalDate } from "@minqing/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const coverage = yield* CoverageStore.fromStore
 *   const actor = Access.system(["daiwang" as any])
 *   return yield* coverage.report(actor, {
 *     scope: "daiwang" as any,
 *     period: LocalDate.period("2021-05-08", "2021-05-14")
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStore: Effect.Effect<Shape, never, Store.Store | Deployment> = Effect.gen(function*() {
  const store = yield* Store.Store
  const { zone } = yield* Deployment
  return {
    report: (actor, options) =>
      Effect.gen(function*() {
        const asOf = options.asOf ?? options.period.to
        const facts = yield* store.load(actor, { scope: options.scope, asOf })
        const report = Coverage.compute({
          facts,
          metrics: options.metrics ?? BuiltInMetrics.all,
          scope: options.scope,
          period: options.period,
          asOf,
          zone,
          tasks: Coverage.rules(options.pack ?? BuiltInRules.pack),
          ...(options.depth === undefined ? {} : { depth: options.depth })
        })
        return Either.isLeft(report) ? yield* report.left : report.right
      })
  }
})
