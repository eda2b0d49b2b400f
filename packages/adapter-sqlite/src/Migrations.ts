/**
 * The database schema as versioned, forward-only migrations, run by `@effect/sql`'s
 * `Migrator` from a record (no file-system globbing, so the published package carries its
 * migrations inside it). Applied migrations are listed in `effect_sql_migrations`.
 *
 * Never edit a migration that has shipped: add the next one.
 *
 * @since 0.1.0
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"

const versioned = (table: string, columns: string, indexes: ReadonlyArray<string>) => [
  `CREATE TABLE ${table} (
    seq INTEGER PRIMARY KEY REFERENCES audit (seq),
    id TEXT NOT NULL,
    ${columns}
    recorded_at INTEGER NOT NULL,
    superseded_at INTEGER,
    data TEXT NOT NULL
  )`,
  `CREATE UNIQUE INDEX ${table}_current ON ${table} (id) WHERE superseded_at IS NULL`,
  `CREATE INDEX ${table}_history ON ${table} (id, recorded_at)`,
  ...indexes
]

/**
 * Version 1: the fact tables, the place closure, the audit trail, accounts and tokens.
 *
 * - `audit` — one row per write (`seq` is the global sequence, used as the sync cursor);
 *   `placements` lists the places each written version sits in (one row; a liaison has one
 *   per grid), so the audit and the change feed can be read by subtree; `relocations` adds
 *   the new grid of the versions recorded at a household that moved (they follow it).
 * - `places`, `liaisons`, `households`, `residents`, `arrivals`, `matters`, `campaigns` —
 *   every version of every record (`seq` = its audit row), the current one having
 *   `superseded_at IS NULL`; a version is the one "as of" an instant `t` when
 *   `recorded_at < t` and `superseded_at` is null or `>= t`. `data` is the fact encoded
 *   with its Schema, as JSON; the other columns are indexed copies for scope and lookups.
 * - `visits` — append-only, keyed by the client's id, with the local date (in the
 *   deployment's zone) the visit counts for.
 * - `place_closure` — every (ancestor, descendant) pair of the current place tree, so a
 *   subtree is one index range.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0001_schema: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = [
    `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,
    `CREATE TABLE audit (
      seq INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      actor_id TEXT NOT NULL,
      role TEXT NOT NULL,
      operation TEXT NOT NULL CHECK (operation IN ('create', 'update')),
      tag TEXT NOT NULL,
      id TEXT NOT NULL,
      before_seq INTEGER REFERENCES audit (seq)
    )`,
    `CREATE INDEX audit_by_id ON audit (id, seq)`,
    `CREATE TABLE placements (
      place_id TEXT NOT NULL,
      seq INTEGER NOT NULL REFERENCES audit (seq),
      PRIMARY KEY (place_id, seq)
    ) WITHOUT ROWID`,
    `CREATE INDEX placements_by_seq ON placements (seq)`,
    `CREATE TABLE relocations (
      place_id TEXT NOT NULL,
      seq INTEGER NOT NULL REFERENCES audit (seq),
      PRIMARY KEY (place_id, seq)
    ) WITHOUT ROWID`,
    `CREATE TABLE place_closure (
      ancestor TEXT NOT NULL,
      descendant TEXT NOT NULL,
      depth INTEGER NOT NULL,
      PRIMARY KEY (ancestor, descendant)
    ) WITHOUT ROWID`,
    `CREATE INDEX place_closure_up ON place_closure (descendant, depth)`,
    ...versioned("places", "parent_id TEXT, level TEXT NOT NULL,", [
      `CREATE INDEX places_children ON places (parent_id) WHERE superseded_at IS NULL`
    ]),
    ...versioned("liaisons", "", []),
    ...versioned("households", "place_id TEXT NOT NULL, route_position INTEGER NOT NULL,", [
      `CREATE INDEX households_scope ON households (place_id, id) WHERE superseded_at IS NULL`,
      `CREATE INDEX households_scope_history ON households (place_id, recorded_at)`
    ]),
    ...versioned(
      "residents",
      "household_id TEXT NOT NULL, national_id TEXT, name TEXT NOT NULL, birth_date TEXT NOT NULL,",
      [
        `CREATE INDEX residents_household ON residents (household_id, id) WHERE superseded_at IS NULL`,
        `CREATE INDEX residents_household_history ON residents (household_id, recorded_at)`,
        `CREATE INDEX residents_national_id ON residents (national_id)
          WHERE superseded_at IS NULL AND national_id IS NOT NULL`,
        `CREATE INDEX residents_name_birth ON residents (name, birth_date) WHERE superseded_at IS NULL`
      ]
    ),
    ...versioned("arrivals", "household_id TEXT NOT NULL,", [
      `CREATE INDEX arrivals_household ON arrivals (household_id, id) WHERE superseded_at IS NULL`,
      `CREATE INDEX arrivals_household_history ON arrivals (household_id, recorded_at)`
    ]),
    ...versioned("matters", "household_id TEXT NOT NULL,", [
      `CREATE INDEX matters_household ON matters (household_id, id) WHERE superseded_at IS NULL`,
      `CREATE INDEX matters_household_history ON matters (household_id, recorded_at)`
    ]),
    ...versioned("campaigns", "place_id TEXT NOT NULL, period_from TEXT NOT NULL, period_to TEXT NOT NULL,", [
      `CREATE INDEX campaigns_scope ON campaigns (place_id, id) WHERE superseded_at IS NULL`,
      `CREATE INDEX campaigns_scope_history ON campaigns (place_id, recorded_at)`
    ]),
    `CREATE TABLE visits (
      id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL UNIQUE REFERENCES audit (seq),
      household_id TEXT NOT NULL,
      liaison_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      local_date TEXT NOT NULL,
      recorded_at INTEGER NOT NULL,
      data TEXT NOT NULL
    )`,
    `CREATE INDEX visits_household ON visits (household_id, local_date)`,
    `CREATE INDEX visits_liaison ON visits (liaison_id, local_date)`,
    `CREATE TABLE accounts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      scope TEXT NOT NULL,
      liaison_id TEXT,
      active INTEGER NOT NULL CHECK (active IN (0, 1))
    )`,
    `CREATE TABLE tokens (
      id TEXT PRIMARY KEY,
      hash TEXT NOT NULL UNIQUE,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER,
      label TEXT
    )`,
    `CREATE INDEX tokens_account ON tokens (account_id)`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

/**
 * Version 2: indexed copies of what the coverage aggregates read without decoding facts —
 * a household's validity dates and a visit's outcome — filled from the stored JSON, and the
 * visits-by-household index extended to cover them.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0002_coverage_columns: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = [
    `ALTER TABLE households ADD COLUMN active_from TEXT`,
    `ALTER TABLE households ADD COLUMN active_until TEXT`,
    `UPDATE households SET active_from = json_extract(data, '$.activeFrom'),
      active_until = json_extract(data, '$.activeUntil')`,
    `ALTER TABLE visits ADD COLUMN outcome TEXT`,
    `UPDATE visits SET outcome = json_extract(data, '$.outcome')`,
    `DROP INDEX visits_household`,
    `CREATE INDEX visits_household ON visits (household_id, local_date, outcome, recorded_at)`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

const residentColumns: ReadonlyArray<readonly [column: string, expression: (data: string) => string]> = [
  ["active_from", (d) => `json_extract(${d}, '$.activeFrom')`],
  ["active_until", (d) => `json_extract(${d}, '$.activeUntil')`],
  ["presence", (d) => `json_extract(${d}, '$.presence')`],
  ["eligibility", (d) => `json_extract(${d}, '$.eligibility._tag')`],
  ["contraindicated_until", (d) => `json_extract(${d}, '$.eligibility.until')`],
  ["doses", (d) => `json_array_length(${d}, '$.doses')`],
  // The earliest dose (ties: the first listed) and the latest: when the latest is on or before
  // the judged date, every dose counts and the first is this one.
  [
    "first_dose_date",
    (d) =>
      `(SELECT json_extract(x.value, '$.date') FROM json_each(${d}, '$.doses') x
        ORDER BY json_extract(x.value, '$.date'), x.key LIMIT 1)`
  ],
  [
    "first_dose_product",
    (d) =>
      `(SELECT json_extract(x.value, '$.product') FROM json_each(${d}, '$.doses') x
        ORDER BY json_extract(x.value, '$.date'), x.key LIMIT 1)`
  ],
  ["last_dose_date", (d) => `(SELECT max(json_extract(x.value, '$.date')) FROM json_each(${d}, '$.doses') x)`]
]

const observationRows = (visit: string) =>
  `SELECT ${visit}.household_id, json_extract(o.value, '$._tag'), ${visit}.local_date, ${visit}.seq, o.key,
    ${visit}.recorded_at, json_extract(o.value, '$.residentId'), json_extract(o.value, '$.arrivalId'),
    json_extract(o.value, '$.campaignId'), json_extract(o.value, '$.matterId')
  FROM json_each(${visit}.data, '$.observations') o`

/**
 * Version 3: what the coverage pushdown (`SqliteCoverage.report`) reads without decoding
 * facts, kept by triggers from the stored JSON so every write path fills it:
 *
 * - `residents` gains validity dates, presence, eligibility (and the date a temporary
 *   contraindication ends), the number of doses and the first and last dose;
 * - `visit_observations` holds one row per observation of a visit (kind, the resident,
 *   arrival, campaign or matter it names), clustered by household, kind and local date, and
 *   follows the visit when a change of zone re-dates it;
 * - `liaison_grids` lists the grids of each version of a liaison, so the liaisons of a
 *   subtree are found without walking the placements of every visit in it;
 * - covering indexes for households by place and residents by household as of an instant,
 *   and the visits-by-household index extended with the liaison.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0003_coverage_pushdown: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = [
    ...residentColumns.map(([column]) =>
      `ALTER TABLE residents ADD COLUMN ${column} ${column === "doses" ? "INTEGER" : "TEXT"}`
    ),
    `UPDATE residents SET ${
      residentColumns.map(([column, expression]) => `${column} = ${expression("data")}`).join(", ")
    }`,
    `CREATE TRIGGER residents_coverage AFTER INSERT ON residents BEGIN
      UPDATE residents SET ${
      residentColumns.map(([column, expression]) => `${column} = ${expression("NEW.data")}`).join(", ")
    }
      WHERE seq = NEW.seq;
    END`,
    `CREATE INDEX residents_coverage ON residents (household_id, recorded_at, superseded_at, active_from,
      active_until, birth_date, presence, eligibility, contraindicated_until, doses, first_dose_date, first_dose_product,
      last_dose_date, id)`,
    `CREATE INDEX households_coverage ON households (place_id, recorded_at, superseded_at, active_from,
      active_until, id)`,
    `CREATE TABLE visit_observations (
      household_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      local_date TEXT NOT NULL,
      visit_seq INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      recorded_at INTEGER NOT NULL,
      resident_id TEXT,
      arrival_id TEXT,
      campaign_id TEXT,
      matter_id TEXT,
      PRIMARY KEY (household_id, kind, local_date, visit_seq, idx)
    ) WITHOUT ROWID`,
    `INSERT INTO visit_observations ${observationRows("v").replace("FROM json_each", "FROM visits v, json_each")}`,
    `CREATE TRIGGER visits_observations AFTER INSERT ON visits BEGIN
      INSERT INTO visit_observations ${observationRows("NEW")};
    END`,
    `CREATE TRIGGER visits_observations_redate AFTER UPDATE OF local_date ON visits BEGIN
      UPDATE visit_observations SET local_date = NEW.local_date
      WHERE household_id = NEW.household_id AND visit_seq = NEW.seq;
    END`,
    `CREATE TABLE liaison_grids (
      place_id TEXT NOT NULL,
      liaison_seq INTEGER NOT NULL,
      PRIMARY KEY (place_id, liaison_seq)
    ) WITHOUT ROWID`,
    `INSERT OR IGNORE INTO liaison_grids SELECT g.value, l.seq FROM liaisons l, json_each(l.data, '$.gridIds') g`,
    `CREATE TRIGGER liaisons_grids AFTER INSERT ON liaisons BEGIN
      INSERT OR IGNORE INTO liaison_grids SELECT g.value, NEW.seq FROM json_each(NEW.data, '$.gridIds') g;
    END`,
    `DROP INDEX visits_household`,
    `CREATE INDEX visits_household ON visits (household_id, local_date, outcome, recorded_at, liaison_id)`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

/**
 * Version 4: kept task state (`SqliteTaskState`), first layout; version 6 replaces its tables.
 *
 * - `task_packs` — the packs tasks were computed with, by fingerprint (rule ids, versions,
 *   parameters and the zone); `used_at` lets packs no longer used be dropped.
 * - `task_grids` — per pack and grid (the place households hang from): the horizon of dates
 *   kept and the audit sequence the rows are current up to.
 * - `task_dirty` — per grid and household, the audit sequence of the last write that touched
 *   it (`*`, `*`: one that touched every grid); written in the write's transaction.
 * - `tasks` — the kept tasks: the task without its state as JSON (`data`), its window, the
 *   first visit inside it that resolves it, and from when it is cancelled if unresolved
 *   (`''`: always), indexed for "open on a date in these grids".
 *
 * Nothing is filled here: grids are computed when first read.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0004_task_state: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = [
    `CREATE TABLE task_packs (
      key INTEGER PRIMARY KEY AUTOINCREMENT,
      fingerprint TEXT NOT NULL UNIQUE,
      used_at INTEGER NOT NULL
    )`,
    `CREATE TABLE task_grids (
      pack INTEGER NOT NULL,
      place_id TEXT NOT NULL,
      horizon_from TEXT NOT NULL,
      horizon_to TEXT NOT NULL,
      dirty_seq INTEGER NOT NULL,
      PRIMARY KEY (pack, place_id)
    ) WITHOUT ROWID`,
    `CREATE INDEX task_grids_place ON task_grids (place_id)`,
    `CREATE TABLE task_dirty (
      place_id TEXT NOT NULL,
      household_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (place_id, household_id)
    ) WITHOUT ROWID`,
    `CREATE INDEX task_dirty_seq ON task_dirty (place_id, seq)`,
    `CREATE TABLE tasks (
      pack INTEGER NOT NULL,
      id TEXT NOT NULL,
      place_id TEXT NOT NULL,
      household_id TEXT NOT NULL,
      ordinal INTEGER NOT NULL,
      window_from TEXT NOT NULL,
      window_to TEXT NOT NULL,
      resolved_on TEXT,
      resolved_by TEXT,
      cancelled TEXT,
      data TEXT NOT NULL,
      UNIQUE (pack, id)
    )`,
    `CREATE INDEX tasks_open ON tasks (pack, place_id, window_to, window_from, resolved_on, cancelled)`,
    `CREATE INDEX tasks_household ON tasks (pack, place_id, household_id)`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

/**
 * Version 5: the content of audit entries that record no fact version — changes to accounts,
 * tokens and deployment settings (rule parameters), and "break the glass" grants. Their rows
 * in `audit` (and `placements`, for the scope of the trail) are written in the same
 * transaction as the change; `audit_records` keeps the record before and after, as JSON.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0005_audit_records: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`CREATE TABLE audit_records (
    seq INTEGER PRIMARY KEY REFERENCES audit (seq),
    before TEXT,
    after TEXT NOT NULL
  )`).raw
})

/**
 * Version 6: kept task state, second layout (`SqliteTaskState`). Replaces the tables of
 * version 4, which hold only what can be computed again (tasks, their bookkeeping, the index
 * of owners): they are dropped and made anew, so a file that ran any earlier layout ends up
 * with this one.
 *
 * - `task_packs` — the packs tasks were computed with, by fingerprint (rule ids, versions,
 *   parameters and the zone); `used_at` lets packs no longer used be dropped.
 * - `task_grids` — per pack and grid (the place households hang from): the horizon of dates
 *   kept and the audit sequence the rows are current up to.
 * - `task_dirty` — per grid and household, the audit sequence of the last write that touched
 *   it (`*`, `*`: one that touched every grid); written in the write's transaction.
 * - `tasks` — the kept tasks, one row per occurrence (rule, subject, due date): its window
 *   and priority, the first visit inside the window that resolves it, and from when it is
 *   cancelled if unresolved (`''`: always), indexed for "open on a date in these grids";
 *   `task_explanations` holds each subject's explanation once (every occurrence shares it).
 * - `task_owners` — the places each current liaison owns (its `gridIds`), both ways, so
 *   whoever owns a household is found without reading every write placed in its grid;
 *   filled here from the stored liaisons and kept by every write of a liaison.
 *
 * No task is computed here: grids are computed when first read.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0006_task_state_layout: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const dropped = ["tasks", "task_explanations", "task_grids", "task_dirty", "task_packs", "task_owners"]
  for (const table of dropped) yield* sql.unsafe(`DROP TABLE IF EXISTS ${table}`).raw
  const statements = [
    `CREATE TABLE task_packs (
      key INTEGER PRIMARY KEY AUTOINCREMENT,
      fingerprint TEXT NOT NULL UNIQUE,
      used_at INTEGER NOT NULL
    )`,
    `CREATE TABLE task_grids (
      pack INTEGER NOT NULL,
      place_id TEXT NOT NULL,
      horizon_from TEXT NOT NULL,
      horizon_to TEXT NOT NULL,
      dirty_seq INTEGER NOT NULL,
      PRIMARY KEY (pack, place_id)
    ) WITHOUT ROWID`,
    `CREATE INDEX task_grids_place ON task_grids (place_id)`,
    `CREATE TABLE task_dirty (
      place_id TEXT NOT NULL,
      household_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (place_id, household_id)
    ) WITHOUT ROWID`,
    `CREATE INDEX task_dirty_seq ON task_dirty (place_id, seq)`,
    `CREATE TABLE tasks (
      pack INTEGER NOT NULL,
      rule TEXT NOT NULL,
      subject_id TEXT NOT NULL,
      due TEXT NOT NULL,
      subject_kind TEXT NOT NULL,
      place_id TEXT NOT NULL,
      household_id TEXT NOT NULL,
      ordinal INTEGER NOT NULL,
      window_from TEXT NOT NULL,
      window_to TEXT NOT NULL,
      priority TEXT NOT NULL,
      resolved_on TEXT,
      resolved_by TEXT,
      cancelled TEXT,
      UNIQUE (pack, rule, subject_id, due)
    )`,
    `CREATE INDEX tasks_open ON tasks (pack, place_id, window_to, window_from, resolved_on, cancelled)`,
    `CREATE INDEX tasks_household ON tasks (pack, place_id, household_id)`,
    `CREATE TABLE task_explanations (
      pack INTEGER NOT NULL,
      rule TEXT NOT NULL,
      subject_id TEXT NOT NULL,
      place_id TEXT NOT NULL,
      household_id TEXT NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (pack, rule, subject_id)
    )`,
    `CREATE INDEX task_explanations_household ON task_explanations (pack, place_id, household_id)`,
    `CREATE TABLE task_owners (
      place_id TEXT NOT NULL,
      liaison_id TEXT NOT NULL,
      PRIMARY KEY (place_id, liaison_id)
    ) WITHOUT ROWID`,
    `CREATE INDEX task_owners_liaison ON task_owners (liaison_id, place_id)`,
    `INSERT OR IGNORE INTO task_owners (place_id, liaison_id)
      SELECT g.value, l.id FROM liaisons l, json_each(l.data, '$.gridIds') g WHERE l.superseded_at IS NULL`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

/**
 * Version 7: lighter rows per visit, for the write path (`SqliteStore`'s writes).
 *
 * - `visit_observations` is no longer filled by a trigger that parses each stored visit's
 *   JSON (`json_each`): the write path binds the rows from the visit it has just decoded, in
 *   the same statement batch. The rows already there stay; the re-dating trigger stays.
 * - `visits_liaison` goes: no reader looks visits up by liaison (the coverage workload reads
 *   the liaison from `visits_household`, which covers it).
 * - `audit_by_id` no longer lists visits (a visit's audit entry is found through the visit's
 *   own row, `visits.id`, which is unique): one index entry less per visit written.
 *
 * Nothing is rewritten: on a file with millions of visits it drops an index and builds the
 * partial one over the other kinds' audit rows.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0007_lighter_visit_rows: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = [
    `DROP TRIGGER IF EXISTS visits_observations`,
    `DROP INDEX IF EXISTS visits_liaison`,
    `DROP INDEX IF EXISTS audit_by_id`,
    `CREATE INDEX audit_by_id ON audit (id, seq) WHERE tag <> 'Visit'`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

/**
 * Version 8: tallies of kept tasks for coverage (`SqliteCoverage`'s task metrics).
 *
 * - `task_tallies` — per pack and grid, the kept tasks counted by what their state as of any
 *   date depends on (rule, due date, window, resolving day, cancellation): a grid's daily
 *   rounds share those, so a report reads a few rows per grid and day instead of one per
 *   task. Derived from `tasks`, rebuilt by a coverage report for the grids whose rows changed.
 * - `task_tally_grids` — per pack and grid, the version of the grid's rows the tallies were
 *   counted from (`task_grids`' audit sequence and horizon).
 *
 * Nothing is counted here: a report counts the grids it reads.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0008_task_tallies: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = [
    `CREATE TABLE task_tallies (
      pack INTEGER NOT NULL,
      place_id TEXT NOT NULL,
      rule TEXT NOT NULL,
      due TEXT NOT NULL,
      window_from TEXT NOT NULL,
      window_to TEXT NOT NULL,
      resolved_on TEXT,
      cancelled TEXT,
      n INTEGER NOT NULL
    )`,
    `CREATE INDEX task_tallies_grid ON task_tallies (pack, place_id, window_to, due, rule, window_from, resolved_on,
      cancelled, n)`,
    `CREATE TABLE task_tally_grids (
      pack INTEGER NOT NULL,
      place_id TEXT NOT NULL,
      dirty_seq INTEGER NOT NULL,
      horizon_from TEXT NOT NULL,
      horizon_to TEXT NOT NULL,
      PRIMARY KEY (pack, place_id)
    ) WITHOUT ROWID`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

/**
 * Version 9: an index of the vaccination checks (`visit_observations` of kind
 * `vaccination-check`) by household, resident and local date, covering the recording
 * instant: the coverage pushdown (`SqliteCoverage`'s vaccination status checked) looks up
 * whether a resident was checked in the period with one search of it, instead of reading
 * every checked resident of the scope into a temporary table.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0009_vaccination_checks: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`CREATE INDEX visit_observations_checks ON visit_observations (household_id, resident_id,
    local_date, recorded_at) WHERE kind = 'vaccination-check'`).raw
})

/**
 * Version 10: lighter rows per visit, second round (`SqliteStore`'s writes).
 *
 * - `placements` gains `first_seq`: a row `(place_id, seq, first_seq)` with `first_seq` set
 *   places every write from `first_seq` to `seq` at `place_id`. The write path records a run
 *   of visits written one after the other at one grid (a device's upload, a bulk import) as
 *   one such row instead of a row per visit; every write in such a run is a visit, and the
 *   readers (the change feed and the audit trail by subtree) list the run's visits through
 *   `visits`' `seq`. A row without `first_seq` places its own write, as before.
 * - `placements_by_seq` goes: no reader looks placements up by `seq` alone (they are read
 *   by place, then `seq`), and every write paid for an entry in it.
 *
 * Nothing is rewritten: the rows already there keep meaning what they meant.
 *
 * @since 0.1.0
 * @category migrations
 */
export const m0010_placement_runs: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = [
    `ALTER TABLE placements ADD COLUMN first_seq INTEGER`,
    `DROP INDEX IF EXISTS placements_by_seq`
  ]
  for (const statement of statements) yield* sql.unsafe(statement).raw
})

/**
 * Every migration, by `<id>_<name>`.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "0001_schema": m0001_schema,
  "0002_coverage_columns": m0002_coverage_columns,
  "0003_coverage_pushdown": m0003_coverage_pushdown,
  "0004_task_state": m0004_task_state,
  "0005_audit_records": m0005_audit_records,
  "0006_task_state_layout": m0006_task_state_layout,
  "0007_lighter_visit_rows": m0007_lighter_visit_rows,
  "0008_task_tallies": m0008_task_tallies,
  "0009_vaccination_checks": m0009_vaccination_checks,
  "0010_placement_runs": m0010_placement_runs
}

/**
 * The highest migration id this version of the package knows.
 *
 * @since 0.1.0
 * @category migrations
 */
export const latest = 10

/**
 * Runs the migrations not yet applied, in order, inside the caller's transaction.
 * Returns the ones it ran.
 *
 * @since 0.1.0
 * @category migrations
 */
export const run: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Migrator.make({})({ loader: Migrator.fromRecord(migrations) })
