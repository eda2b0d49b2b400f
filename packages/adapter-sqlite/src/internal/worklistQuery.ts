import type { LocalDate, Worklist } from "@minqing/core"

/**
 * The `task_dirty` row that marks every grid stale (a place, a liaison or a campaign was written).
 *
 * @internal
 */
export const EVERYTHING = "*"

/**
 * A worklist read (`SqliteTaskState`) as one statement: the request's scope (the place check, the liaison and
 * who else could own their households, the places above the grids), each grid's freshness
 * and the open tasks with their explanations and households, as `(k, a, b)` rows. One
 * statement reads one snapshot, so it needs no transaction, and its text depends only on
 * which of liaison and place are named, so its prepared statement is reused.
 *
 * @internal
 */
export const statement = (
  key: number,
  actorScope: ReadonlyArray<string>,
  scope: Worklist.Scope,
  date: LocalDate.LocalDate
): readonly [string, ReadonlyArray<string | number>] => {
  // Parameters in the order their placeholders appear in the text.
  const params: Array<string | number> = []
  const p = (value: string | number) => {
    params.push(value)
    return "?"
  }
  const { liaisonId, placeId } = scope
  const ctes = [`own(id) AS (SELECT value FROM json_each(${p(JSON.stringify([...new Set(actorScope)]))}))`]
  ctes.push(
    placeId === undefined
      ? `roots(id) AS (SELECT id FROM own)`
      : `roots(id) AS (SELECT ${p(placeId)} WHERE EXISTS (SELECT 1 FROM place_closure
          WHERE descendant = ${p(placeId)} AND ancestor IN own))`,
    `inroots(id) AS (SELECT descendant FROM place_closure WHERE ancestor IN roots)`
  )
  if (liaisonId !== undefined) {
    ctes.push(
      `me(id, data) AS (SELECT l.id, l.data FROM liaisons l WHERE l.id = ${p(liaisonId)}
        AND l.superseded_at IS NULL
        AND EXISTS (SELECT 1 FROM task_owners o WHERE o.liaison_id = l.id AND o.place_id IN inroots))`,
      `grids(id) AS (SELECT DISTINCT h.place_id FROM households h WHERE h.superseded_at IS NULL
        AND h.place_id IN (SELECT descendant FROM place_closure
          WHERE ancestor IN (SELECT g.value FROM me, json_each(me.data, '$.gridIds') g))
        AND h.place_id IN inroots)`
    )
  } else {
    ctes.push(`grids(id) AS (SELECT DISTINCT h.place_id FROM households h
      WHERE h.superseded_at IS NULL AND h.place_id IN inroots)`)
  }
  ctes.push(
    `open AS (SELECT * FROM tasks t WHERE t.pack = ${p(key)} AND t.place_id IN grids
      AND t.window_to >= ${p(date)} AND t.window_from <= ${p(date)}
      AND (t.resolved_on IS NULL OR t.resolved_on > ${p(date)}) AND (t.cancelled IS NULL OR t.cancelled > ${p(date)}))`
  )
  const parts: Array<string> = []
  if (placeId !== undefined) {
    parts.push(`SELECT 'S' AS k,
      (SELECT 'within' FROM place_closure WHERE descendant = ${p(placeId)} AND ancestor IN own LIMIT 1) AS a,
      (SELECT 'above' FROM place_closure WHERE ancestor = ${p(placeId)} AND descendant IN own LIMIT 1) AS b`)
  }
  if (liaisonId !== undefined) {
    parts.push(
      `SELECT 'L' AS k, id AS a, data AS b FROM me`,
      // Whoever could own these households: liaisons the scope loads, owning a place on their way up.
      `SELECT 'O' AS k, l.id AS a, l.data AS b FROM liaisons l WHERE l.superseded_at IS NULL
        AND l.id IN (SELECT o.liaison_id FROM task_owners o WHERE o.place_id IN (
          SELECT ancestor FROM place_closure WHERE descendant IN grids))
        AND EXISTS (SELECT 1 FROM task_owners o WHERE o.liaison_id = l.id AND o.place_id IN inroots)`
    )
  }
  if (liaisonId !== undefined || placeId !== undefined) {
    parts.push(`SELECT 'P' AS k, id AS a, data AS b FROM places WHERE superseded_at IS NULL
      AND id IN (SELECT ancestor FROM place_closure WHERE descendant IN grids)`)
  }
  parts.push(
    `SELECT 'G' AS k, gr.id AS a, CASE WHEN g.place_id IS NOT NULL AND g.horizon_from <= ${p(date)}
        AND ${p(date)} <= g.horizon_to
        AND coalesce((SELECT max(d.seq) FROM task_dirty d WHERE d.place_id = gr.id), 0) <= g.dirty_seq
        AND coalesce((SELECT d.seq FROM task_dirty d WHERE d.place_id = ${p(EVERYTHING)}
          AND d.household_id = ${p(EVERYTHING)}), 0) <= g.dirty_seq THEN 'current' ELSE 'stale' END AS b
      FROM grids gr LEFT JOIN task_grids g ON g.pack = ${p(key)} AND g.place_id = gr.id`,
    // A task's columns as one text (unit separators; a null as \u0001), decoded once per content.
    `SELECT 'T' AS k, t.rule || char(31) || t.subject_kind || char(31) || t.subject_id || char(31) || t.household_id
        || char(31) || t.due || char(31) || t.window_from || char(31) || t.window_to || char(31) || t.priority
        || char(31) || t.ordinal || char(31) || coalesce(t.resolved_on, char(1)) || char(31)
        || coalesce(t.resolved_by, char(1)) || char(31) || coalesce(t.cancelled, char(1)) AS a, e.data AS b
      FROM open t JOIN task_explanations e ON e.pack = t.pack AND e.rule = t.rule AND e.subject_id = t.subject_id`,
    `SELECT 'H' AS k, id AS a, data AS b FROM households WHERE superseded_at IS NULL AND id IN (SELECT household_id FROM open)`
  )
  return [`WITH ${ctes.join(",\n")}\n${parts.join("\nUNION ALL ")}`, params]
}
