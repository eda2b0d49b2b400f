/**
 * The task metrics (rule compliance, check-ins, tasks per liaison) over the kept task state
 * (`SqliteTaskState`): SQL aggregates over the rows of the grids whose rows are current, and
 * the households those rows cannot answer for as of the report's date.
 *
 * A kept row answers for any as-of date (`TaskState.at`) on the facts stored now. A report as
 * of an earlier date reads the facts known then, so a household some write recorded after the
 * cutoff touched (a version of it, of a resident, arrival or matter of it, or a visit to it on
 * or before the as-of date) is left to the rules engine on the facts known then; a place,
 * liaison or campaign recorded after the cutoff leaves every household to it. Writes are found
 * through the audit trail, whose sequence follows the store's clock.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { LocalDate } from "@minqing/core"
import * as Effect from "effect/Effect"
import type { Frame } from "./queries.js"

/** The row that marks every grid stale (as `SqliteTaskState` writes it). */
const EVERYTHING = "*"

/** What the kept rows can answer for. @internal */
export interface Kept {
  /** The pack's key in `task_packs`, or undefined when no row was ever computed with it. */
  readonly key: number | undefined
  /** Grids of the scope whose rows are current for the report's dates. */
  readonly grids: ReadonlyArray<string>
  /** Of those, the grids whose tallies (`task_tallies`) were counted from their current rows. */
  readonly tallied: ReadonlySet<string>
  /** Households written after the cutoff: the engine computes them on the facts known then. */
  readonly later: ReadonlySet<string>
  /** A place, liaison or campaign was written after the cutoff: the engine computes every household. */
  readonly everything: boolean
}

/** One grid's and rule's counts of the kept tasks. @internal */
export interface Counts {
  readonly place_id: string
  readonly rule: string
  /** Tasks whose window closes in the period, cancelled as of the as-of date, resolved inside their window. */
  readonly closing: number
  readonly closing_excluded: number
  readonly closing_numerator: number
  /** Tasks due in the period, cancelled as of the as-of date, done as of it. */
  readonly due: number
  readonly due_excluded: number
  readonly due_done: number
}

/** @internal */
export const make = (sql: SqlClient.SqlClient) => {
  const subtree = (f: Frame) => sql`SELECT descendant FROM place_closure WHERE ancestor = ${f.scope}`
  const json = (values: Iterable<string>) => JSON.stringify([...values])

  /** The first audit sequence recorded at or after the cutoff (the trail follows the store's clock). */
  const firstLater = (cutoff: number) =>
    Effect.gen(function*() {
      const [last] = yield* sql<{ readonly seq: number; readonly at: number }>`
        SELECT seq, at FROM audit WHERE seq = (SELECT max(seq) FROM audit)`
      if (last === undefined || last.at < cutoff) return undefined
      // The smallest seq at or after the cutoff, by bisection on the primary key.
      let lo = 0
      let hi = last.seq
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        const [row] = yield* sql<{ readonly at: number }>`
          SELECT at FROM audit WHERE seq <= ${mid} ORDER BY seq DESC LIMIT 1`
        if (row === undefined || row.at < cutoff) lo = mid
        else hi = mid
      }
      return hi
    })

  return {
    /** The grids of the scope's current households: the ones the kept state is kept for. */
    grids: (f: Frame): Effect.Effect<ReadonlyArray<string>, SqlError> =>
      Effect.map(
        sql<{ readonly place_id: string }>`SELECT pc.descendant AS place_id FROM place_closure pc
          WHERE pc.ancestor = ${f.scope} AND EXISTS (
            SELECT 1 FROM households h WHERE h.place_id = pc.descendant AND h.superseded_at IS NULL)`,
        (rows) => rows.map((r) => r.place_id)
      ),

    /** What the kept rows of a pack can answer for, for the report's dates (in its read transaction). */
    kept: (
      f: Frame,
      key: number | undefined,
      dates: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
    ): Effect.Effect<Kept, SqlError> =>
      Effect.gen(function*() {
        const later = new Set<string>()
        const since = yield* firstLater(f.cutoff)
        if (since !== undefined) {
          const [wide] = yield* sql<{ readonly one: number }>`SELECT 1 AS one FROM audit
            WHERE seq >= ${since} AND tag IN ('Place', 'Liaison', 'Campaign') LIMIT 1`
          if (wide !== undefined) return { key: undefined, grids: [], tallied: new Set(), later, everything: true }
          const touched = yield* sql<{ readonly household_id: string }>`
            SELECT a.id AS household_id FROM audit a WHERE a.seq >= ${since} AND a.tag = 'Household'
            UNION SELECT r.household_id FROM audit a JOIN residents r ON r.id = a.id
              WHERE a.seq >= ${since} AND a.tag = 'Resident'
            UNION SELECT r.household_id FROM audit a JOIN arrivals r ON r.id = a.id
              WHERE a.seq >= ${since} AND a.tag = 'ArrivalReport'
            UNION SELECT r.household_id FROM audit a JOIN matters r ON r.id = a.id
              WHERE a.seq >= ${since} AND a.tag = 'Matter'
            UNION SELECT v.household_id FROM audit a JOIN visits v ON v.seq = a.seq
              WHERE a.seq >= ${since} AND a.tag = 'Visit' AND v.local_date <= ${f.asOf}`
          for (const r of touched) later.add(r.household_id)
        }
        const [pack] = key === undefined
          ? []
          : yield* sql<{ readonly key: number }>`SELECT key FROM task_packs WHERE key = ${key}`
        if (pack === undefined) return { key: undefined, grids: [], tallied: new Set(), later, everything: false }
        const [all] = yield* sql<{ readonly seq: number }>`SELECT seq FROM task_dirty
          WHERE place_id = ${EVERYTHING} AND household_id = ${EVERYTHING}`
        const rows = yield* sql<{ readonly place_id: string; readonly tallied: number }>`SELECT g.place_id,
            EXISTS (SELECT 1 FROM task_tally_grids s WHERE s.pack = g.pack AND s.place_id = g.place_id
              AND s.dirty_seq = g.dirty_seq AND s.horizon_from = g.horizon_from AND s.horizon_to = g.horizon_to)
              AS tallied
          FROM task_grids g
          WHERE g.pack = ${pack.key} AND g.place_id IN (${subtree(f)})
          AND g.horizon_from <= ${dates.from} AND g.horizon_to >= ${dates.to} AND g.dirty_seq >= ${all?.seq ?? 0}
          AND NOT EXISTS (SELECT 1 FROM task_dirty d WHERE d.place_id = g.place_id AND d.seq > g.dirty_seq)`
        return {
          key: pack.key,
          grids: rows.map((r) => r.place_id),
          tallied: new Set(rows.filter((r) => r.tallied === 1).map((r) => r.place_id)),
          later,
          everything: false
        }
      }),

    /** Grids of the scope whose tallies were not counted from their current rows. */
    untallied: (f: Frame, key: number): Effect.Effect<ReadonlyArray<string>, SqlError> =>
      Effect.map(
        sql<{ readonly place_id: string }>`SELECT g.place_id FROM task_grids g
          WHERE g.pack = ${key} AND g.place_id IN (${subtree(f)}) AND NOT EXISTS (
            SELECT 1 FROM task_tally_grids s WHERE s.pack = g.pack AND s.place_id = g.place_id
              AND s.dirty_seq = g.dirty_seq AND s.horizon_from = g.horizon_from AND s.horizon_to = g.horizon_to)`,
        (rows) => rows.map((r) => r.place_id)
      ),

    /** Counts the tallies of grids afresh from their rows (in a write transaction). */
    recount: (key: number, grids: ReadonlyArray<string>): Effect.Effect<void, SqlError> =>
      Effect.gen(function*() {
        const list = sql`SELECT value FROM json_each(${json(grids)})`
        yield* sql`DELETE FROM task_tallies WHERE pack = ${key} AND place_id IN (${list})`
        yield* sql`INSERT INTO task_tallies (pack, place_id, rule, due, window_from, window_to, resolved_on, cancelled, n)
          SELECT t.pack, t.place_id, t.rule, t.due, t.window_from, t.window_to, t.resolved_on, t.cancelled, count(*)
          FROM tasks t WHERE t.pack = ${key} AND t.place_id IN (${list})
          GROUP BY t.place_id, t.rule, t.due, t.window_from, t.window_to, t.resolved_on, t.cancelled`
        yield* sql`INSERT OR REPLACE INTO task_tally_grids (pack, place_id, dirty_seq, horizon_from, horizon_to)
          SELECT g.pack, g.place_id, g.dirty_seq, g.horizon_from, g.horizon_to FROM task_grids g
          WHERE g.pack = ${key} AND g.place_id IN (${list})`
      }),

    /** The grids the households were ever placed in. */
    gridsOf: (households: ReadonlySet<string>): Effect.Effect<ReadonlyArray<string>, SqlError> =>
      households.size === 0 ? Effect.succeed([]) : Effect.map(
        sql<{ readonly place_id: string }>`SELECT DISTINCT h.place_id FROM households h
          WHERE h.id IN (SELECT value FROM json_each(${json(households)}))`,
        (rows) => rows.map((r) => r.place_id)
      ),

    /** Current households of the scope not yet active on the as-of date (outside the report's index). */
    notYetActive: (f: Frame): Effect.Effect<ReadonlyArray<string>, SqlError> =>
      Effect.map(
        sql<{ readonly id: string }>`SELECT h.id FROM households h
          WHERE h.place_id IN (${subtree(f)}) AND h.superseded_at IS NULL AND h.active_from > ${f.asOf}`,
        (rows) => rows.map((r) => r.id)
      ),

    /**
     * The kept tasks of `grids` (but those of `skip`'s households) counted by grid and rule:
     * those whose window closes in the period and those due in it, with their states as of
     * the as-of date exactly as `TaskState.stateAt` gives them.
     */
    counts: (
      f: Frame,
      key: number,
      grids: ReadonlyArray<string>,
      skip: ReadonlySet<string>,
      from: "tasks" | "task_tallies"
    ): Effect.Effect<ReadonlyArray<Counts>, SqlError> => {
      const n = sql.literal(from === "tasks" ? "1" : "t.n")
      const done = sql`(t.resolved_on IS NOT NULL AND t.resolved_on <= ${f.asOf})`
      const cancelled = sql`(t.cancelled IS NOT NULL AND (t.cancelled = '' OR t.cancelled <= ${f.asOf}))`
      const closing = sql`(t.window_to BETWEEN ${f.from} AND ${f.end})`
      const due = sql`(t.due BETWEEN ${f.from} AND ${f.end})`
      return sql<Counts>`SELECT t.place_id, t.rule,
          sum(${n} * ${closing}) AS closing,
          sum(${n} * (${closing} AND NOT ${done} AND ${cancelled})) AS closing_excluded,
          sum(${n} * (${closing} AND ${done} AND t.resolved_on BETWEEN t.window_from AND t.window_to))
            AS closing_numerator,
          sum(${n} * ${due}) AS due,
          sum(${n} * (${due} AND NOT ${done} AND ${cancelled})) AS due_excluded,
          sum(${n} * (${due} AND ${done})) AS due_done
        FROM ${sql.literal(from)} t
        WHERE t.pack = ${key} AND t.place_id IN (SELECT value FROM json_each(${json(grids)}))
          AND t.window_to >= ${f.from} AND (${closing} OR ${due})${
        skip.size === 0 || from === "task_tallies"
          ? sql.literal("")
          : sql` AND t.household_id NOT IN (SELECT value FROM json_each(${json(skip)}))`
      }
        GROUP BY t.place_id, t.rule`
    }
  }
}

/** @internal */
export type Tasks = ReturnType<typeof make>
