/**
 * Coverage figures computed inside SQLite, for scopes too large to load: the same
 * definitions as the core's coverage engine, executed as SQL aggregates over indexed
 * columns, rolled up the place tree through the closure table. Each function gives exactly
 * what `Coverage.compute` gives on the facts `Store.load` returns for the same scope, period
 * and as-of date (counts, score and daily series of every place); a test proves it on
 * generated scenarios. Member lists (who is missing) stay with the in-memory engine: load
 * the place you drill into.
 *
 * Pushed down so far: `household-screening` (`BuiltInMetrics.householdScreening`).
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Access, Coverage, Ids, Place } from "@minqing/core"
import { Deployment, LocalDate, Problem } from "@minqing/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as internal from "./internal/database.js"
import { decodeData } from "./internal/tables.js"

/**
 * What to compute: the figures of `scope` and of each place under it (down to `depth`
 * levels below it), for an inclusive period of local dates, as of a date (default: the
 * period's last day).
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
 * A place's figure: what `Coverage.Figure` holds without the member lists.
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
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /**
   * Household screening coverage (`household-screening`): households active on a day of
   * the period (up to the as-of date) with a contacted visit on a local date of the period,
   * over those households; and each day's figure. One figure per place, in the order of a
   * coverage report's places (the scope, then depth first); empty when the scope is outside
   * the actor's.
   */
  readonly householdScreening: (
    actor: Access.Actor,
    options: Options
  ) => Effect.Effect<ReadonlyArray<Figure>, Problem.StoreError>
}

/**
 * The tag of the SQL coverage service, provided by `SqliteStore.layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class SqliteCoverage extends Context.Tag("@minqing/adapter-sqlite/SqliteCoverage")<SqliteCoverage, Shape>() {}

const counts = (population: number, numerator: number): Coverage.Counts => ({
  population,
  excluded: 0,
  denominator: population,
  numerator,
  missing: population - numerator,
  observed: 0,
  sum: 0
})

const proportion = (c: Coverage.Counts) => (c.denominator > 0 ? c.numerator / c.denominator : undefined)

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The service on the `SqlClient` in context (a database migrated by `SqliteStore`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Shape, never, SqlClient.SqlClient | Deployment.Deployment> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const { zone } = yield* Deployment.Deployment
  const retry = internal.retryBusy("2 minutes")

  const householdScreening = (actor: Access.Actor, options: Options) =>
    Effect.gen(function*() {
      const { period, scope } = options
      const asOf = options.asOf ?? period.to
      const end = LocalDate.min(period.to, asOf)
      const cutoff = zone.endOf(asOf)
      const own = [...new Set(actor.scope)]
      if (own.length === 0) return []
      const within = yield* sql`SELECT 1 FROM place_closure WHERE descendant = ${scope} AND ancestor IN ${sql.in(own)}`
      if (within.length === 0) return []

      // The report's places: the scope's subtree down to `depth`, in preorder, children by
      // code (or id) in natural order, as the coverage engine lays them out.
      const maxDepth = options.depth === undefined || !Number.isFinite(options.depth)
        ? Number.MAX_SAFE_INTEGER
        : Math.max(0, Math.floor(options.depth))
      const placeRows = yield* sql<{ readonly data: string; readonly depth: number }>`
        SELECT p.data, c.depth FROM place_closure c JOIN places p ON p.id = c.descendant AND p.superseded_at IS NULL
        WHERE c.ancestor = ${scope} AND c.depth <= ${maxDepth}`
      const places = new Map<string, { readonly place: Place.Place; readonly depth: number }>()
      for (const row of placeRows) {
        const decoded = decodeData("Place", row.data)
        if (decoded._tag === "Left") return yield* decoded.left
        places.set(decoded.right.id, { place: decoded.right, depth: row.depth })
      }
      const order: Array<Ids.PlaceId> = []
      const children = new Map<string, Array<Place.Place>>()
      for (const { place } of places.values()) {
        if (place.parentId !== undefined && places.has(place.parentId) && place.id !== scope) {
          let list = children.get(place.parentId)
          if (!list) children.set(place.parentId, list = [])
          list.push(place)
        }
      }
      const sortKey = (p: Place.Place) => p.code ?? p.id
      const walk = (id: Ids.PlaceId) => {
        order.push(id)
        const kids = (children.get(id) ?? []).sort((a, b) =>
          sortKey(a).localeCompare(sortKey(b), "en", { numeric: true }) || compareText(a.id, b.id)
        )
        for (const k of kids) walk(k.id)
      }
      if (places.has(scope)) walk(scope)

      const nodes = sql`SELECT descendant FROM place_closure WHERE ancestor = ${scope} AND depth <= ${maxDepth}`
      const known = sql`h.superseded_at IS NULL OR h.superseded_at >= ${cutoff}`
      // Households known on the as-of date in the subtree (the engine's index).
      const households = sql`SELECT h.id, h.place_id, h.active_from, h.active_until FROM households h
        WHERE h.place_id IN (SELECT descendant FROM place_closure WHERE ancestor = ${scope})
        AND h.recorded_at < ${cutoff} AND (${known}) AND h.active_from <= ${asOf}`

      const periodRows = yield* sql<
        { readonly place_id: string; readonly population: number; readonly numerator: number }
      >`
        WITH hh AS MATERIALIZED (
          SELECT x.id, x.place_id, EXISTS (
            SELECT 1 FROM visits v WHERE v.household_id = x.id AND v.local_date BETWEEN ${period.from} AND ${end}
            AND v.outcome = 'contacted' AND v.recorded_at < ${cutoff}
          ) AS reached
          FROM (${households}) x
          WHERE x.active_from <= ${end} AND (x.active_until IS NULL OR x.active_until >= ${period.from})
        )
        SELECT c.ancestor AS place_id, count(*) AS population, sum(hh.reached) AS numerator
        FROM hh JOIN place_closure c ON c.descendant = hh.place_id
        WHERE c.ancestor IN (${nodes})
        GROUP BY c.ancestor`

      const days = end < period.from ? [] : LocalDate.days({ from: period.from, to: end })
      const dailyReached = days.length === 0 ? [] : yield* sql<{
        readonly place_id: string
        readonly local_date: string
        readonly numerator: number
      }>`
        WITH hh AS MATERIALIZED (${households}),
        reached AS MATERIALIZED (
          SELECT DISTINCT v.household_id, v.local_date FROM visits v
          WHERE v.household_id IN (SELECT id FROM hh) AND v.local_date BETWEEN ${period.from} AND ${end}
          AND v.outcome = 'contacted' AND v.recorded_at < ${cutoff}
        )
        SELECT c.ancestor AS place_id, r.local_date, count(*) AS numerator
        FROM reached r JOIN hh ON hh.id = r.household_id JOIN place_closure c ON c.descendant = hh.place_id
        WHERE hh.active_from <= r.local_date AND (hh.active_until IS NULL OR hh.active_until >= r.local_date)
        AND c.ancestor IN (${nodes})
        GROUP BY c.ancestor, r.local_date`
      // Households by validity dates, per place: each day's population follows in memory.
      const validity = days.length === 0 ? [] : yield* sql<{
        readonly place_id: string
        readonly active_from: string
        readonly active_until: string | null
        readonly n: number
      }>`
        WITH hh AS MATERIALIZED (${households})
        SELECT c.ancestor AS place_id, hh.active_from, hh.active_until, count(*) AS n
        FROM hh JOIN place_closure c ON c.descendant = hh.place_id
        WHERE c.ancestor IN (${nodes}) AND hh.active_from <= ${end}
        AND (hh.active_until IS NULL OR hh.active_until >= ${period.from})
        GROUP BY c.ancestor, hh.active_from, hh.active_until`

      const periodOf = new Map(periodRows.map((r) => [r.place_id, r]))
      const reachedOf = new Map<string, Map<string, number>>()
      for (const r of dailyReached) {
        let m = reachedOf.get(r.place_id)
        if (!m) reachedOf.set(r.place_id, m = new Map())
        m.set(r.local_date, r.numerator)
      }
      const validityOf = new Map<string, Array<(typeof validity)[number]>>()
      for (const r of validity) {
        let list = validityOf.get(r.place_id)
        if (!list) validityOf.set(r.place_id, list = [])
        list.push(r)
      }
      return order.map((placeId): Figure => {
        const p = periodOf.get(placeId)
        const c = counts(p?.population ?? 0, p?.numerator ?? 0)
        const ranges = validityOf.get(placeId) ?? []
        const reached = reachedOf.get(placeId)
        return {
          placeId,
          counts: c,
          score: proportion(c),
          series: days.map((date) => {
            let population = 0
            for (const r of ranges) {
              if (r.active_from <= date && (r.active_until === null || r.active_until >= date)) population += r.n
            }
            const dc = counts(population, reached?.get(date) ?? 0)
            return { date, counts: dc, score: proportion(dc) }
          })
        }
      })
    }).pipe(
      (effect) => retry(internal.commitFailures(sql.withTransaction(effect))),
      Effect.mapError((e: SqlError | Problem.StoreError) =>
        e._tag === "StoreError" ? e : internal.toStoreError("computing household screening")(e)
      )
    )

  return { householdScreening }
})
