/**
 * The baseline's worklist: a liaison's open tasks of the three core rules for a date, by
 * hand-written SQL over the baseline schema, grouped by household in route order — what a
 * developer would write without a rules engine.
 */
import type Database from "better-sqlite3"

/** Parameters of the three rules (the built-in pack's defaults). */
export interface WorklistParams {
  readonly elderlyMinAge: number
  readonly vaccinationMinAge: number
  readonly vaccinationEveryDays: number
  readonly primaryDoses: Readonly<Record<string, number>>
  readonly defaultDoses: number
}

/** One household of the baseline worklist. */
export interface BaselineStop {
  readonly householdId: string
  readonly routePosition: number
  readonly tasks: ReadonlyArray<{ readonly rule: string; readonly subjectId: string; readonly priority: number }>
}

const yearsBefore = (date: string, years: number) =>
  `${String(Number(date.slice(0, 4)) - years).padStart(4, "0")}${date.slice(4)}`

const addDays = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** Prepares the worklist query; the returned function runs it for a liaison and a date. */
export const worklistQuery = (db: Database.Database, params: WorklistParams) => {
  const stmt = db.prepare(
    `WITH hh AS (
       SELECT h.id, h.route_position FROM liaison_grids lg JOIN households h ON h.grid_id = lg.grid_id
       WHERE lg.liaison_id = @liaison AND h.active_from <= @date AND (h.active_until IS NULL OR h.active_until >= @date)
     ), rs AS (
       SELECT r.* FROM hh JOIN residents r ON r.household_id = hh.id
       WHERE r.active_from <= @date AND (r.active_until IS NULL OR r.active_until >= @date)
     ), tasks AS (
       SELECT hh.id AS household_id, 'household-sweep' AS rule, hh.id AS subject_id, 1 AS priority FROM hh
       WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = hh.id AND v.day = @date AND v.outcome = 'contacted')
       UNION ALL
       SELECT rs.household_id, 'elderly-alone-checkin', rs.id, 2 FROM rs
       WHERE rs.lives_alone = 1 AND rs.birth_date <= @elderlyBornBy
         AND NOT EXISTS (SELECT 1 FROM observations o JOIN visits v ON v.id = o.visit_id
                         WHERE o.subject_id = rs.id AND o.kind = 'elderly-wellbeing' AND v.day = @date
                           AND v.outcome = 'contacted')
       UNION ALL
       SELECT rs.household_id, 'vaccination-followup', rs.id, 1 FROM rs
       WHERE rs.present = 1 AND rs.birth_date <= @vaccinationBornBy
         AND (rs.eligibility = 'eligible' OR (rs.eligibility = 'temporarily-contraindicated'
              AND rs.eligible_after IS NOT NULL AND rs.eligible_after < @date))
         AND (SELECT count(*) FROM doses d WHERE d.resident_id = rs.id AND d.date <= @date) <
             coalesce((SELECT json_extract(@primary, '$."' || d1.product || '"') FROM doses d1
                       WHERE d1.resident_id = rs.id AND d1.date <= @date ORDER BY d1.date LIMIT 1), @defaultDoses)
         AND NOT EXISTS (SELECT 1 FROM observations o JOIN visits v ON v.id = o.visit_id
                         WHERE o.subject_id = rs.id AND o.kind = 'vaccination-check'
                           AND v.day BETWEEN @windowFrom AND @date)
     )
     SELECT t.household_id AS householdId, hh.route_position AS routePosition, t.rule, t.subject_id AS subjectId,
            t.priority FROM tasks t JOIN hh ON hh.id = t.household_id
     ORDER BY hh.route_position, t.priority DESC, t.rule, t.subject_id`
  )
  const primary = JSON.stringify(params.primaryDoses)
  return (liaison: string, date: string): Array<BaselineStop> => {
    const rows = stmt.all({
      liaison,
      date,
      elderlyBornBy: yearsBefore(date, params.elderlyMinAge),
      vaccinationBornBy: yearsBefore(date, params.vaccinationMinAge),
      windowFrom: addDays(date, 1 - params.vaccinationEveryDays),
      primary,
      defaultDoses: params.defaultDoses
    }) as Array<{ householdId: string; routePosition: number; rule: string; subjectId: string; priority: number }>
    const stops: Array<BaselineStop & { tasks: Array<BaselineStop["tasks"][number]> }> = []
    for (const r of rows) {
      let last = stops[stops.length - 1]
      if (last === undefined || last.householdId !== r.householdId) {
        last = { householdId: r.householdId, routePosition: r.routePosition, tasks: [] }
        stops.push(last)
      }
      last.tasks.push({ rule: r.rule, subjectId: r.subjectId, priority: r.priority })
    }
    return stops.sort((a, b) =>
      Math.max(...b.tasks.map((t) => t.priority)) - Math.max(...a.tasks.map((t) => t.priority)) ||
      a.routePosition - b.routePosition
    )
  }
}
