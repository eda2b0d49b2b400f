/**
 * The baseline a developer might write instead of Minqing's SQLite adapter: raw
 * `better-sqlite3`, a hand-designed schema, prepared statements, hand-written SQL.
 *
 * It keeps the same facts (read from the same scenario) in its own file, so it never
 * depends on the adapter's internal tables.
 */
import { type Fact, LocalDate, type TimeZone } from "@minqing/core"
import Database from "better-sqlite3"
import * as DateTime from "effect/DateTime"

/** The hand-written schema: what the baseline stores, and the indexes its queries need. */
export const DDL = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = OFF;
CREATE TABLE IF NOT EXISTS places (id TEXT PRIMARY KEY, parent_id TEXT, level TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS place_closure (ancestor TEXT NOT NULL, descendant TEXT NOT NULL, PRIMARY KEY (ancestor, descendant)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS liaison_grids (liaison_id TEXT NOT NULL, grid_id TEXT NOT NULL, PRIMARY KEY (liaison_id, grid_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS households (
  id TEXT PRIMARY KEY, grid_id TEXT NOT NULL, route_position INTEGER NOT NULL,
  active_from TEXT NOT NULL, active_until TEXT
);
CREATE INDEX IF NOT EXISTS households_grid ON households (grid_id, route_position);
CREATE TABLE IF NOT EXISTS residents (
  id TEXT PRIMARY KEY, household_id TEXT NOT NULL, birth_date TEXT NOT NULL, lives_alone INTEGER NOT NULL,
  present INTEGER NOT NULL, eligibility TEXT NOT NULL, eligible_after TEXT,
  active_from TEXT NOT NULL, active_until TEXT
);
CREATE INDEX IF NOT EXISTS residents_household ON residents (household_id);
CREATE TABLE IF NOT EXISTS doses (resident_id TEXT NOT NULL, date TEXT NOT NULL, product TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doses_resident ON doses (resident_id, date);
CREATE TABLE IF NOT EXISTS visits (
  id TEXT PRIMARY KEY, household_id TEXT NOT NULL, liaison_id TEXT NOT NULL, at INTEGER NOT NULL,
  day TEXT NOT NULL, outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS visits_household_day ON visits (household_id, day);
CREATE INDEX IF NOT EXISTS visits_day ON visits (day, household_id) WHERE outcome = 'contacted';
CREATE TABLE IF NOT EXISTS observations (
  visit_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, subject_id TEXT, payload TEXT NOT NULL,
  PRIMARY KEY (visit_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS observations_subject ON observations (subject_id, kind);
`

/** Opens (and creates) a baseline database file. */
export const open = (filename: string): Database.Database => {
  const db = new Database(filename)
  db.exec(DDL)
  return db
}

const subjectOf = (o: Fact.Of<"Visit">["observations"][number]): string | null => {
  switch (o._tag) {
    case "health-check":
      return o.residentId ?? o.arrivalId ?? null
    case "vaccination-check":
    case "elderly-wellbeing":
      return o.residentId
    case "decoction":
    case "publicity":
      return o.campaignId
    case "matter":
      return o.matterId
    case "arrival-seen":
      return o.arrivalId
  }
}

/** Prepared inserts for visits and their observations. */
export const visitInserter = (db: Database.Database, zone: TimeZone.TimeZone) => {
  const insertVisit = db.prepare(
    "INSERT OR IGNORE INTO visits (id, household_id, liaison_id, at, day, outcome) VALUES (?, ?, ?, ?, ?, ?)"
  )
  const insertObservation = db.prepare(
    "INSERT OR IGNORE INTO observations (visit_id, seq, kind, subject_id, payload) VALUES (?, ?, ?, ?, ?)"
  )
  return (v: Fact.Of<"Visit">): void => {
    const at = DateTime.toEpochMillis(v.at)
    const r = insertVisit.run(v.id, v.householdId, v.liaisonId, at, zone.dateOf(at), v.outcome)
    if (r.changes === 0) return
    v.observations.forEach((o, i) => insertObservation.run(v.id, i, o._tag, subjectOf(o), JSON.stringify(o)))
  }
}

/** Writes a bundle of facts (one chunk of a scenario) in one transaction. */
export const insertFacts = (db: Database.Database, facts: Partial<Fact.Facts>, zone: TimeZone.TimeZone): void => {
  const insertPlace = db.prepare("INSERT OR REPLACE INTO places (id, parent_id, level) VALUES (?, ?, ?)")
  // Parents come before children (in this chunk or an earlier one), so a place's ancestors
  // are its parent's, already in the table.
  const insertClosure = db.prepare(
    `INSERT OR IGNORE INTO place_closure (ancestor, descendant)
     SELECT @id, @id UNION ALL SELECT ancestor, @id FROM place_closure WHERE descendant = @parent`
  )
  const insertGrid = db.prepare("INSERT OR IGNORE INTO liaison_grids (liaison_id, grid_id) VALUES (?, ?)")
  const insertHousehold = db.prepare(
    "INSERT OR REPLACE INTO households (id, grid_id, route_position, active_from, active_until) VALUES (?, ?, ?, ?, ?)"
  )
  const insertResident = db.prepare(
    `INSERT OR REPLACE INTO residents (id, household_id, birth_date, lives_alone, present, eligibility, eligible_after,
       active_from, active_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const insertDose = db.prepare("INSERT INTO doses (resident_id, date, product) VALUES (?, ?, ?)")
  const insertVisit = visitInserter(db, zone)
  db.transaction(() => {
    const places = facts.places ?? []
    for (const p of places) {
      insertPlace.run(p.id, p.parentId ?? null, p.level)
      insertClosure.run({ id: p.id, parent: p.parentId ?? null })
    }
    for (const l of facts.liaisons ?? []) for (const g of l.gridIds) insertGrid.run(l.id, g)
    for (const h of facts.households ?? []) {
      insertHousehold.run(h.id, h.gridId, h.routePosition, h.activeFrom, h.activeUntil ?? null)
    }
    for (const r of facts.residents ?? []) {
      const e = r.eligibility
      insertResident.run(
        r.id,
        r.householdId,
        r.birthDate,
        r.livesAlone ? 1 : 0,
        r.presence === "present" ? 1 : 0,
        e._tag,
        e._tag === "temporarily-contraindicated" ? (e.until ?? null) : null,
        r.activeFrom,
        r.activeUntil ?? null
      )
      for (const d of r.doses) insertDose.run(r.id, d.date, d.product)
    }
    for (const v of facts.visits ?? []) insertVisit(v)
  })()
}

/** Parameters of the two figures, matching the built-in metrics' defaults. */
export interface CoverageParams {
  readonly scope: string
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
  readonly asOf: LocalDate.LocalDate
  /** Target ages of vaccination, inclusive. */
  readonly minAge: number
  readonly maxAge?: number
  /** Doses of a complete primary course, per product (others: `defaultDoses`). */
  readonly primaryDoses: Readonly<Record<string, number>>
  readonly defaultDoses: number
}

/** The hand-written figures: household screening (with its daily series) and vaccination coverage. */
export interface CoverageFigures {
  readonly households: number
  readonly screened: number
  readonly daily: ReadonlyArray<{ readonly day: string; readonly screened: number }>
  readonly missing: ReadonlyArray<string>
  readonly population: number
  readonly anyDose: number
  readonly complete: number
  readonly boosted: number
}

/**
 * The hand-written SQL of the two figures: prepared once, run per call. Returns the figures
 * and the list of households missed (so it does the same kind of work as a report listing who
 * is missing).
 */
export const coverageQueries = (db: Database.Database) => {
  const households = db.prepare<[string, string, string]>(
    `SELECT count(*) AS n FROM households h JOIN place_closure c ON c.descendant = h.grid_id
     WHERE c.ancestor = ? AND h.active_from <= ? AND (h.active_until IS NULL OR h.active_until >= ?)`
  )
  const screened = db.prepare(
    `SELECT v.day AS day, count(DISTINCT v.household_id) AS n
     FROM households h JOIN place_closure c ON c.descendant = h.grid_id
     JOIN visits v ON v.household_id = h.id AND v.day BETWEEN @from AND @to AND v.outcome = 'contacted'
     WHERE c.ancestor = @scope AND h.active_from <= @to AND (h.active_until IS NULL OR h.active_until >= @from)
     GROUP BY v.day ORDER BY v.day`
  )
  const screenedTotal = db.prepare(
    `SELECT count(*) AS n FROM households h JOIN place_closure c ON c.descendant = h.grid_id
     WHERE c.ancestor = @scope AND h.active_from <= @to AND (h.active_until IS NULL OR h.active_until >= @from)
       AND EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.day BETWEEN @from AND @to
                   AND v.outcome = 'contacted')`
  )
  const missing = db.prepare(
    `SELECT h.id AS id FROM households h JOIN place_closure c ON c.descendant = h.grid_id
     WHERE c.ancestor = @scope AND h.active_from <= @to AND (h.active_until IS NULL OR h.active_until >= @from)
       AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.day BETWEEN @from AND @to
                       AND v.outcome = 'contacted')
     ORDER BY h.grid_id, h.route_position`
  )
  const vaccination = db.prepare(
    `WITH pop AS (
       SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id
       JOIN place_closure c ON c.descendant = h.grid_id
       WHERE c.ancestor = @scope AND r.present = 1
         AND r.active_from <= @asOf AND (r.active_until IS NULL OR r.active_until >= @asOf)
         AND (r.eligibility = 'eligible' OR (r.eligibility = 'temporarily-contraindicated'
              AND r.eligible_after IS NOT NULL AND r.eligible_after < @asOf))
         AND r.birth_date <= @bornBy AND r.birth_date > @bornAfter
     ), dosed AS (
       SELECT p.id, count(d.resident_id) AS doses,
              coalesce((SELECT json_extract(@primary, '$."' || d1.product || '"') FROM doses d1
                        WHERE d1.resident_id = p.id AND d1.date <= @asOf ORDER BY d1.date LIMIT 1), @defaultDoses) AS needed
       FROM pop p LEFT JOIN doses d ON d.resident_id = p.id AND d.date <= @asOf
       GROUP BY p.id
     )
     SELECT count(*) AS population, sum(doses >= 1) AS anyDose, sum(doses >= needed) AS complete,
            sum(doses > needed) AS boosted FROM dosed`
  )
  return (p: CoverageParams): CoverageFigures => {
    const args = { scope: p.scope, from: p.from, to: p.to }
    const daily = screened.all(args) as Array<{ day: string; n: number }>
    const bornBy = LocalDate.addDays(p.asOf, 0).replace(/^\d{4}/, (y) => String(Number(y) - p.minAge).padStart(4, "0"))
    const bornAfter = p.maxAge === undefined
      ? "0000-01-01"
      : p.asOf.replace(/^\d{4}/, (y) => String(Number(y) - p.maxAge! - 1).padStart(4, "0"))
    const v = vaccination.get({
      scope: p.scope,
      asOf: p.asOf,
      bornBy,
      bornAfter,
      primary: JSON.stringify(p.primaryDoses),
      defaultDoses: p.defaultDoses
    }) as { population: number; anyDose: number | null; complete: number | null; boosted: number | null }
    return {
      households: (households.get(p.scope, p.to, p.from) as { n: number }).n,
      screened: (screenedTotal.get(args) as { n: number }).n,
      daily: daily.map((d) => ({ day: d.day, screened: d.n })),
      missing: (missing.all(args) as Array<{ id: string }>).map((r) => r.id),
      population: v.population,
      anyDose: v.anyDose ?? 0,
      complete: v.complete ?? 0,
      boosted: v.boosted ?? 0
    }
  }
}
