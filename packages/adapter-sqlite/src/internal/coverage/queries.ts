/**
 * The SQL of the coverage pushdown. Every query starts from the households of the report's
 * index — the versions known at the cutoff (the end of the as-of day) placed in the scope's
 * subtree, active from the as-of date or earlier — and returns counts per place of the
 * households (a grid, usually); the roll-up happens in `figures.ts`. Statements search
 * indexes only (see test/QueryPlan.test.ts).
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Statement } from "@effect/sql/Statement"
import type { BuiltInMetrics, Ids, LocalDate } from "@minqing/core"
import type * as Effect from "effect/Effect"

/** What every query of one report shares. @internal */
export interface Frame {
  readonly scope: Ids.PlaceId
  readonly from: LocalDate.LocalDate
  /** The last date the report sees: the period's end, or the as-of date if earlier. */
  readonly end: LocalDate.LocalDate
  readonly asOf: LocalDate.LocalDate
  /** The first instant after the as-of date: versions and visits recorded from then on are unknown. */
  readonly cutoff: number
}

type Rows<A> = Effect.Effect<ReadonlyArray<A>, SqlError>

/** Households of a place with the same validity dates contacted on the same days of the period (bit `k`: day `k`). @internal */
export interface MaskGroup {
  readonly place_id: string
  readonly active_from: LocalDate.LocalDate
  readonly active_until: LocalDate.LocalDate | null
  readonly mask: number
  readonly n: number
}

/** A decoction campaign as the queries test it: `within` the place it covers, unless it reaches the whole scope. @internal */
export interface DecoctionCampaign {
  readonly id: string
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
  readonly within: string | undefined
}

/** @internal */
export const make = (sql: SqlClient.SqlClient) => {
  const inList = (values: ReadonlyArray<string | number>) =>
    values.length === 0 ? sql.literal("(NULL)") : sql.in(values)

  const current = (alias: string, cutoff: number) => {
    const a = sql.literal(alias)
    return sql`${a}.recorded_at < ${cutoff} AND (${a}.superseded_at IS NULL OR ${a}.superseded_at >= ${cutoff})`
  }

  /** The households of the report's index. */
  const households = (f: Frame): Statement<unknown> =>
    sql`SELECT h.id, h.place_id, h.active_from, h.active_until FROM households h
      WHERE h.place_id IN (SELECT descendant FROM place_closure WHERE ancestor = ${f.scope})
      AND ${current("h", f.cutoff)} AND h.active_from <= ${f.asOf}`

  /**
   * The index's households as a join (`pc`, then `h`), for statements that read a few rows of
   * theirs: the caller adds `pc.ancestor = scope` (nothing is materialised).
   */
  const indexHouseholds = (f: Frame) =>
    sql`place_closure pc CROSS JOIN households h ON h.place_id = pc.descendant AND ${current("h", f.cutoff)}
          AND h.active_from <= ${f.asOf}`

  /** Whether `alias` (a household) is active on the date (a column or a bound value). */
  const activeOn = (alias: string, date: Statement<unknown>) => {
    const a = sql.literal(alias)
    return sql`${a}.active_from <= ${date} AND (${a}.active_until IS NULL OR ${a}.active_until >= ${date})`
  }

  /**
   * The places of the subtree (`subtree`), each with a bit per campaign that covers part of
   * the scope (up to 62: SQLite's integers) set when the campaign reaches it, and the test
   * (`served`) of an observation `o` of a household of `subtree`'s place.
   */
  const decoction = (f: Frame, campaigns: ReadonlyArray<DecoctionCampaign>) => {
    const within = campaigns.filter((c) => c.within !== undefined).slice(0, 62)
    const bit = new Map(within.map((c, k) => [c, k]))
    const reaches = (c: DecoctionCampaign) => {
      const k = bit.get(c)
      return c.within === undefined
        ? sql.literal("")
        : k !== undefined
        ? sql` AND (subtree.reach >> ${sql.literal(String(k))}) & 1`
        : sql` AND subtree.descendant IN (SELECT descendant FROM place_closure WHERE ancestor = ${c.within})`
    }
    const subtree = sql`subtree AS MATERIALIZED (
          SELECT pc.descendant, ${
      within.length === 0 ?
        sql.literal("0") :
        sql.join(" + ", false)(within.map((c, k) =>
          sql`((pc.descendant IN (SELECT descendant FROM place_closure WHERE ancestor = ${c.within})) << ${
            sql.literal(String(k))
          })`
        ))
    } AS reach
          FROM place_closure pc WHERE pc.ancestor = ${f.scope})`
    const served = campaigns.length === 0 ? sql.literal("0") : sql`CASE o.campaign_id ${
      sql.join(" ", false)(
        campaigns.map((c) => sql`WHEN ${c.id} THEN o.local_date BETWEEN ${c.from} AND ${c.to}${reaches(c)}`)
      )
    } ELSE 0 END`
    return { subtree, served }
  }

  return {
    /** Whether the actor reaches the scope (it is in the subtree of one of their places). */
    reaches: (scope: Ids.PlaceId, own: ReadonlyArray<string>): Rows<unknown> =>
      sql`SELECT 1 FROM place_closure WHERE descendant = ${scope} AND ancestor IN ${inList(own)} LIMIT 1`,

    /** Places of the subtree and above it (the versions known at the cutoff), as `Store.load` reads them. */
    places: (f: Frame): Rows<{ readonly data: string }> =>
      sql`SELECT t.data FROM places t WHERE ${current("t", f.cutoff)} AND (
        t.id IN (SELECT descendant FROM place_closure WHERE ancestor = ${f.scope})
        OR t.id IN (SELECT ancestor FROM place_closure WHERE descendant = ${f.scope} AND depth > 0))`,

    /** Liaisons owning a grid in the subtree. */
    liaisons: (f: Frame): Rows<{ readonly data: string }> =>
      sql`SELECT t.data FROM liaisons t WHERE ${current("t", f.cutoff)} AND t.seq IN (
        SELECT liaison_seq FROM liaison_grids WHERE place_id IN (
          SELECT descendant FROM place_closure WHERE ancestor = ${f.scope}))`,

    /** Campaigns over the subtree, a place in it or a place above it. */
    campaigns: (f: Frame): Rows<{ readonly data: string }> =>
      sql`SELECT t.data FROM campaigns t WHERE ${current("t", f.cutoff)} AND (
        t.place_id IN (SELECT descendant FROM place_closure WHERE ancestor = ${f.scope})
        OR t.place_id IN (SELECT ancestor FROM place_closure WHERE descendant = ${f.scope} AND depth > 0))`,

    /** The index's households, by place (for chunks of the rules engine). */
    householdIds: (f: Frame): Rows<{ readonly id: string; readonly place_id: string }> =>
      sql`SELECT h.id, h.place_id FROM (${households(f)}) h ORDER BY h.place_id, h.id`,

    /**
     * The index's households grouped by place and validity dates, and (with `screened`) how
     * many of those active on a day of the period were contacted on a day of the period.
     */
    householdGroups: (f: Frame, screened: boolean): Rows<{
      readonly place_id: string
      readonly active_from: LocalDate.LocalDate
      readonly active_until: LocalDate.LocalDate | null
      readonly n: number
      readonly reached: number
    }> =>
      sql`WITH hh AS MATERIALIZED (${households(f)})
        SELECT hh.place_id, hh.active_from, hh.active_until, count(*) AS n, ${
        screened
          ? sql`sum(hh.active_from <= ${f.end} AND (hh.active_until IS NULL OR hh.active_until >= ${f.from})
              AND EXISTS (SELECT 1 FROM visits v WHERE v.household_id = hh.id
                AND v.local_date BETWEEN ${f.from} AND ${f.end} AND v.outcome = 'contacted'
                AND v.recorded_at < ${f.cutoff}))`
          : sql.literal("0")
      } AS reached
        FROM hh GROUP BY hh.place_id, hh.active_from, hh.active_until`,

    /**
     * The index's households grouped by place, validity dates and the days of the period
     * (at most 53) they were contacted on, as a mask: bit `k` is day `k` of the period.
     */
    contactedDays: (f: Frame): Rows<MaskGroup> =>
      sql`WITH hh AS MATERIALIZED (${households(f)})
        SELECT place_id, active_from, active_until, mask, count(*) AS n FROM (
          SELECT hh.place_id, hh.active_from, hh.active_until, (
            SELECT coalesce(sum(1 << CAST(julianday(contacted.local_date) - julianday(${f.from}) AS INTEGER)), 0)
            FROM (
              SELECT DISTINCT v.local_date FROM visits v WHERE v.household_id = hh.id
                AND v.local_date BETWEEN ${f.from} AND ${f.end} AND v.outcome = 'contacted'
                AND v.recorded_at < ${f.cutoff}) contacted
          ) AS mask
          FROM hh)
        GROUP BY place_id, active_from, active_until, mask`,

    /**
     * One pass over the period's visits of each of the index's households (at most 53 days),
     * summed in SQL so that only a few rows reach JavaScript. Rows of kind `g`: the households
     * of a place (`key`) with the same validity dates contacted on the same days of the period
     * (`mask`, bit `k`: day `k`), `n` of them; kind `l`: `n` visits made by liaison `key` to
     * households only they visited in the period; kind `s`: a household (`key`) visited by
     * several liaisons, counted by `visitsByLiaisonOf`. Each household's visits give, as text,
     * their count, the mask and their one liaison (empty when several), split again in SQL.
     */
    householdVisits: (f: Frame): Rows<{
      readonly kind: "g" | "l" | "s"
      readonly key: string
      readonly active_from: LocalDate.LocalDate | null
      readonly active_until: LocalDate.LocalDate | null
      readonly mask: number | null
      readonly n: number
    }> =>
      sql`WITH per AS MATERIALIZED (
          SELECT hh.id, hh.place_id, hh.active_from, hh.active_until, (
            SELECT count(*) || ' ' || coalesce(sum(DISTINCT CASE WHEN v.outcome = 'contacted'
                THEN 1 << CAST(julianday(v.local_date) - julianday(${f.from}) AS INTEGER) END), 0)
              || ' ' || CASE WHEN min(v.liaison_id) = max(v.liaison_id) THEN min(v.liaison_id) ELSE '' END
            FROM visits v WHERE v.household_id = hh.id AND v.local_date BETWEEN ${f.from} AND ${f.end}
              AND v.recorded_at < ${f.cutoff}) AS s
          FROM (${households(f)}) hh),
        split AS (
          SELECT id, place_id, active_from, active_until, CAST(s AS INTEGER) AS visits,
            substr(s, instr(s, ' ') + 1) AS rest FROM per)
        SELECT 'g' AS kind, place_id AS key, active_from, active_until, CAST(rest AS INTEGER) AS mask, count(*) AS n
          FROM split GROUP BY place_id, active_from, active_until, CAST(rest AS INTEGER)
        UNION ALL
        SELECT 'l', substr(rest, instr(rest, ' ') + 1), NULL, NULL, NULL, sum(visits)
          FROM split WHERE visits > 0 AND substr(rest, instr(rest, ' ') + 1) <> ''
          GROUP BY substr(rest, instr(rest, ' ') + 1)
        UNION ALL
        SELECT 's', id, NULL, NULL, NULL, visits
          FROM split WHERE visits > 0 AND substr(rest, instr(rest, ' ') + 1) = ''`,

    /** Visits made in the period to some households, by liaison. */
    visitsByLiaisonOf: (
      f: Frame,
      ids: ReadonlyArray<string>
    ): Rows<{ readonly liaison_id: string; readonly n: number }> =>
      sql`SELECT v.liaison_id, count(*) AS n FROM visits v
        WHERE v.household_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
          AND v.local_date BETWEEN ${f.from} AND ${f.end} AND v.recorded_at < ${f.cutoff}
        GROUP BY v.liaison_id`,

    /** Households contacted on each day of the period, among those active that day, by place. */
    contactedByDay: (f: Frame): Rows<{
      readonly place_id: string
      readonly local_date: LocalDate.LocalDate
      readonly n: number
    }> =>
      sql`WITH hh AS MATERIALIZED (${households(f)})
        SELECT hh.place_id, v.local_date, count(DISTINCT hh.id) AS n
        FROM hh CROSS JOIN visits v ON v.household_id = hh.id AND v.local_date BETWEEN ${f.from} AND ${f.end}
          AND v.outcome = 'contacted' AND v.recorded_at < ${f.cutoff}
        WHERE ${activeOn("hh", sql`v.local_date`)}
        GROUP BY hh.place_id, v.local_date`,

    /** Visits made in the period to the index's households, by liaison. */
    visitsByLiaison: (f: Frame): Rows<{ readonly liaison_id: string; readonly n: number }> =>
      sql`WITH hh AS MATERIALIZED (${households(f)})
        SELECT v.liaison_id, count(*) AS n
        FROM hh CROSS JOIN visits v ON v.household_id = hh.id AND v.local_date BETWEEN ${f.from} AND ${f.end}
          AND v.recorded_at < ${f.cutoff}
        GROUP BY v.liaison_id`,

    /**
     * The vaccination population (residents of the index active on the judged date, in a
     * household active then, of target age), by place: how many are excluded (away, not
     * eligible), and of the others how many have a dose, a primary course, a booster, and
     * (with `checked`) a vaccination check on a visit in the period. One pass in place order
     * (the subtree's rows of `place_closure`), so neither the households nor the population
     * are materialised and the grouping needs no sort; a check is one search of the
     * vaccination checks' index (`visit_observations_checks`) per resident counted.
     */
    vaccination: (f: Frame, p: BuiltInMetrics.VaccinationParameters, checked: boolean): Rows<{
      readonly place_id: string
      readonly population: number
      readonly excluded: number
      readonly dosed: number
      readonly primary_course: number
      readonly booster: number
      readonly checked: number
    }> => {
      const on = f.end
      const age = sql`(CAST(substr(${on}, 1, 4) AS INTEGER) - CAST(substr(r.birth_date, 1, 4) AS INTEGER)
        - (substr(${on}, 6) < substr(r.birth_date, 6)))`
      const products = Object.entries(p.primaryDoses)
      const product = sql`CASE WHEN r.first_dose_date <= ${on} THEN r.first_dose_product END`
      const needed = products.length === 0
        ? sql`${p.defaultPrimaryDoses}`
        : sql`CASE ${product} ${
          sql.join(" ", false)(products.map(([name, n]) => sql`WHEN ${name} THEN ${n}`))
        } ELSE ${p.defaultPrimaryDoses} END`
      return sql`SELECT place_id, count(*) AS population, sum(excluded) AS excluded,
          sum(NOT excluded AND doses >= 1) AS dosed,
          sum(NOT excluded AND doses >= needed) AS primary_course,
          sum(NOT excluded AND doses > needed) AS booster,
          ${
        checked
          ? sql`sum(CASE WHEN excluded THEN 0 ELSE EXISTS (SELECT 1 FROM visit_observations o
              WHERE o.household_id = pop.household_id AND o.resident_id = pop.resident_id AND o.kind = 'vaccination-check'
                AND o.local_date BETWEEN ${f.from} AND ${f.end} AND o.recorded_at < ${f.cutoff}) END)`
          : sql.literal("0")
      } AS checked
        FROM (
          SELECT pc.descendant AS place_id, h.id AS household_id, r.id AS resident_id,
            r.presence = 'away' OR NOT (r.eligibility = 'eligible' OR (r.eligibility = 'temporarily-contraindicated'
              AND r.contraindicated_until IS NOT NULL AND r.contraindicated_until < ${on})) AS excluded,
            CASE WHEN r.last_dose_date IS NULL OR r.last_dose_date <= ${on} THEN r.doses
              ELSE (SELECT count(*) FROM residents d, json_each(d.data, '$.doses') x
                WHERE d.seq = r.seq AND json_extract(x.value, '$.date') <= ${on}) END AS doses,
            ${needed} AS needed
          FROM place_closure pc
            CROSS JOIN households h ON h.place_id = pc.descendant AND ${current("h", f.cutoff)}
              AND h.active_from <= ${f.asOf}
            CROSS JOIN residents r ON r.household_id = h.id AND ${current("r", f.cutoff)}
          WHERE pc.ancestor = ${f.scope} AND r.active_from <= ${f.asOf} AND ${activeOn("r", sql`${on}`)}
            AND ${activeOn("h", sql`${on}`)}
            AND ${age} >= ${p.minAge}${p.maxAge === undefined ? sql.literal("") : sql` AND ${age} <= ${p.maxAge}`}
        ) pop
        GROUP BY place_id`
    },

    /**
     * Households served decoction for one of `campaigns` (the decoction campaigns of the
     * index, with the dates they run and, unless they reach the whole scope, the place they
     * cover) on a contacted visit on a day the campaign runs, among those active that day;
     * by place and day. The households are not materialised; a row's campaign picks the one
     * condition to test, whether the campaign reaches the row's place a bit computed per place.
     * For periods of more than 53 days: `decoctionDays` serves the others without sorting the
     * period's observations.
     */
    decoctionServed: (f: Frame, campaigns: ReadonlyArray<DecoctionCampaign>): Rows<{
      readonly place_id: string
      readonly local_date: LocalDate.LocalDate
      readonly n: number
    }> => {
      const d = decoction(f, campaigns)
      return sql`WITH ${d.subtree}
        SELECT subtree.descendant AS place_id, o.local_date, count(DISTINCT h.id) AS n
        FROM subtree
          CROSS JOIN households h ON h.place_id = subtree.descendant AND ${
        current("h", f.cutoff)
      } AND h.active_from <= ${f.asOf}
          CROSS JOIN visit_observations o ON o.household_id = h.id AND o.kind = 'decoction'
            AND o.local_date BETWEEN ${f.from} AND ${f.end} AND o.recorded_at < ${f.cutoff}
        WHERE ${activeOn("h", sql`o.local_date`)} AND ${d.served}
        GROUP BY subtree.descendant, o.local_date`
    },

    /**
     * What `decoctionServed` counts, for periods of at most 53 days: the index's households
     * grouped by place, validity dates and the days of the period (bit `k`: day `k`) they were
     * served decoction, whether or not they were active that day (the caller tests it). Each
     * household's observations are read in index order; only the groups are sorted.
     */
    decoctionDays: (f: Frame, campaigns: ReadonlyArray<DecoctionCampaign>): Rows<MaskGroup> => {
      const d = decoction(f, campaigns)
      return sql`WITH ${d.subtree}, per AS MATERIALIZED (
          SELECT subtree.descendant AS place_id, h.active_from, h.active_until, (
            SELECT coalesce(sum(DISTINCT 1 << CAST(julianday(o.local_date) - julianday(${f.from}) AS INTEGER)), 0)
            FROM visit_observations o WHERE o.household_id = h.id AND o.kind = 'decoction'
              AND o.local_date BETWEEN ${f.from} AND ${f.end} AND o.recorded_at < ${f.cutoff} AND ${d.served}
          ) AS mask
          FROM subtree
            CROSS JOIN households h ON h.place_id = subtree.descendant AND ${
        current("h", f.cutoff)
      } AND h.active_from <= ${f.asOf})
        SELECT place_id, active_from, active_until, mask, count(*) AS n FROM per
        GROUP BY place_id, active_from, active_until, mask`
    },

    /** Arrival reports of the index's households whose arrival date is in `[from, f.end]`. */
    arrivals: (f: Frame, from: LocalDate.LocalDate): Rows<{ readonly data: string }> =>
      sql`SELECT a.data FROM ${indexHouseholds(f)}
          CROSS JOIN arrivals a ON a.household_id = h.id AND ${current("a", f.cutoff)}
        WHERE pc.ancestor = ${f.scope} AND coalesce(json_extract(a.data, '$.actualArrival'),
          json_extract(a.data, '$.expectedArrival')) BETWEEN ${from} AND ${f.end}`,

    /** Matters of the index's households open at, or opened or resolved after, the instant `since` (ISO). */
    matters: (f: Frame, since: string): Rows<{ readonly data: string }> =>
      sql`SELECT m.data FROM ${indexHouseholds(f)}
          CROSS JOIN matters m ON m.household_id = h.id AND ${current("m", f.cutoff)}
        WHERE pc.ancestor = ${f.scope} AND (json_extract(m.data, '$.resolution') IS NULL
          OR json_extract(m.data, '$.resolution.at') >= ${since} OR json_extract(m.data, '$.openedAt') >= ${since})`,

    /** Versions of households by id (known at the cutoff). */
    householdsById: (f: Frame, ids: ReadonlyArray<string>): Rows<{ readonly data: string }> =>
      sql`SELECT t.data FROM households t WHERE t.id IN ${inList(ids)} AND ${current("t", f.cutoff)}`,

    /** Residents, arrivals or matters of households (versions known at the cutoff). */
    atHouseholds: (
      table: "residents" | "arrivals" | "matters",
      f: Frame,
      ids: ReadonlyArray<string>
    ): Rows<{ readonly data: string }> =>
      sql`SELECT t.data FROM ${sql(table)} t WHERE t.household_id IN ${inList(ids)} AND ${current("t", f.cutoff)}`,

    /** Visits of households on local dates `[from, to]`, recorded before the cutoff. */
    visits: (
      f: Frame,
      ids: ReadonlyArray<string>,
      from: LocalDate.LocalDate,
      to: LocalDate.LocalDate
    ): Rows<{ readonly data: string }> =>
      sql`SELECT t.data FROM visits t WHERE t.household_id IN ${inList(ids)}
        AND t.local_date BETWEEN ${from} AND ${to} AND t.recorded_at < ${f.cutoff}`,

    /** Visits of households on local dates `[from, to]` with a health check, recorded before the cutoff. */
    healthChecks: (
      f: Frame,
      ids: ReadonlyArray<string>,
      from: LocalDate.LocalDate,
      to: LocalDate.LocalDate
    ): Rows<{ readonly data: string }> =>
      sql`SELECT t.data FROM visits t WHERE t.seq IN (
        SELECT o.visit_seq FROM visit_observations o WHERE o.household_id IN ${inList(ids)}
          AND o.kind = 'health-check' AND o.local_date BETWEEN ${from} AND ${to} AND o.recorded_at < ${f.cutoff})`
  }
}

/** @internal */
export type Queries = ReturnType<typeof make>
