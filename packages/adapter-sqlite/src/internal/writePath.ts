/**
 * The write path of `SqliteStore`: the lookups `WriteCheck` runs against the stored state,
 * and applying a checked plan. Both run inside the store's write transaction.
 *
 * What keeps it fast on bulk writes (a device's batch, an import):
 * - every statement has a fixed text (lists of ids travel as one JSON parameter, rows in
 *   multi-row inserts of a few fixed sizes), so SQLite prepares it once and the client reuses it;
 * - a stored version never changes once written (a new version gets a new `seq`), so the
 *   facts the lookups decode are kept by `seq` and decoded once, not once per batch;
 * - the rows of a batch are bound in a few statements, not one Effect per row, from one flat
 *   array of values per table (no array or object per row).
 *
 * @internal
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Access, TimeZone, WriteCheck } from "@minqing/core"
import { Fact, Problem } from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { columnsOf, decodeData, tableOf } from "./tables.js"

type Value = string | number | null

/** Rows per multi-row insert: a few statements per batch, well under SQLite's bound parameters. */
const ROWS_PER_INSERT = 100

/** A table's insert: its columns, each row's tuple (bound values, then constants) and the values a row binds. */
interface Target {
  readonly key: string
  readonly head: string
  readonly tuple: string
  readonly width: number
}

const targetOf = (table: string, columns: ReadonlyArray<string>, constants: Record<string, string> = {}): Target => ({
  key: `${table}(${columns.join(",")}|${Object.keys(constants).join(",")})`,
  head: `INSERT INTO ${table} (${[...columns, ...Object.keys(constants)].join(", ")}) VALUES `,
  tuple: `(${[...columns.map(() => "?"), ...Object.values(constants)].join(", ")})`,
  width: columns.length
})

const OBSERVATIONS = targetOf("visit_observations", [
  "household_id",
  "kind",
  "local_date",
  "visit_seq",
  "idx",
  "recorded_at",
  "resident_id",
  "arrival_id",
  "campaign_id",
  "matter_id"
])

const AUDIT = targetOf("audit", ["seq", "at", "actor_id", "role", "operation", "tag", "id", "before_seq"])

/** A visit's audit row: always a creation (a visit is never updated), with no version before it. */
const VISIT_AUDIT = targetOf("audit", ["seq", "at", "actor_id", "role", "id"], {
  operation: "'create'",
  tag: "'Visit'"
})

/** `first_seq` set: the row places every write from `first_seq` to `seq`, a run of visits (migration 10). */
const PLACEMENTS = targetOf("placements", ["place_id", "seq", "first_seq"])

/** Decoded versions kept for the lookups (all tables together); cleared when full. */
const CACHE_SIZE = 20_000

interface Stored {
  readonly id: string
  readonly seq: number
  readonly data: string
}

/** @internal */
export interface WritePath {
  readonly lookup: WriteCheck.Lookup
  /** Writes the plan; answers the highest `seq` written (0 when nothing was). */
  readonly persist: (
    actor: Access.Actor,
    writes: ReadonlyArray<WriteCheck.Item>,
    now: number
  ) => Effect.Effect<number, SqlError>
  /**
   * Tells the lookups that every `seq` up to `top` is committed: a committed version never
   * changes, so one already decoded is not read again. The store calls it with the `seq` it
   * read outside any transaction, and after each write it committed itself.
   */
  readonly committed: (top: number) => void
}

/** @internal */
export const make = (sql: SqlClient.SqlClient, zone: TimeZone.TimeZone): WritePath => {
  // ---------------------------------------------------------------------------------------
  // Lookups

  // Keyed by `seq`. A version read while it was not yet known to be committed is checked
  // against the stored text each time (a `seq` that a rolled-back transaction used and a later
  // write reused can never answer with the wrong fact); one read once committed is trusted, so
  // the lookups read its text no more.
  const decoded = new Map<number, { readonly data: string; readonly fact: Fact.Fact; readonly trusted: boolean }>()
  let committedTop = 0
  const committed = (top: number) => {
    if (top > committedTop) committedTop = top
  }
  const remember = (seq: number, data: string, fact: Fact.Fact, trusted: boolean) => {
    if (decoded.size >= CACHE_SIZE) decoded.clear()
    decoded.set(seq, { data, fact, trusted })
  }
  const decodeStored = <T extends Fact.Tag>(
    tag: T,
    rows: ReadonlyArray<Stored>
  ): Effect.Effect<Array<Fact.Of<T>>, Problem.StoreError> =>
    Effect.suspend(() => {
      const out: Array<Fact.Of<T>> = []
      for (const row of rows) {
        const cached = decoded.get(row.seq)
        if (cached !== undefined && cached.data === row.data && cached.fact._tag === tag) {
          out.push(cached.fact as Fact.Of<T>)
          continue
        }
        const fact = decodeData(tag, row.data)
        if (Either.isLeft(fact)) return Effect.fail(fact.left)
        remember(row.seq, row.data, fact.right, false)
        out.push(fact.right)
      }
      return Effect.succeed(out)
    })

  const current = (tag: Fact.Tag) => (tag === "Visit" ? "" : " AND t.superseded_at IS NULL")
  // The text only of versions not known to be committed (`seq` above the bound parameter).
  const byIdText = Object.fromEntries(
    Fact.tags.map((tag) => [
      tag,
      `SELECT t.id, t.seq, CASE WHEN t.seq > ? THEN t.data END AS data FROM ${tableOf[tag]} t
       WHERE t.id IN (SELECT value FROM json_each(?))${current(tag)}`
    ])
  ) as Record<Fact.Tag, string>
  const bySeqText = Object.fromEntries(
    Fact.tags.map((tag) => [tag, `SELECT seq, data FROM ${tableOf[tag]} WHERE seq IN (SELECT value FROM json_each(?))`])
  ) as Record<Fact.Tag, string>

  /** The facts of rows read by `byIdText`: trusted ones from the cache, the others decoded from their text. */
  const decodeById = <T extends Fact.Tag>(
    tag: T,
    rows: ReadonlyArray<{ readonly seq: number; readonly data: string | null }>,
    top: number
  ): Effect.Effect<Array<Fact.Of<T>>, Problem.StoreError | SqlError> =>
    Effect.gen(function*() {
      const out: Array<Fact.Of<T>> = []
      const withText: Array<Stored> = []
      const untold: Array<number> = []
      for (const row of rows) {
        if (row.data !== null) {
          withText.push(row as Stored)
          continue
        }
        const cached = decoded.get(row.seq)
        if (cached !== undefined && cached.trusted && cached.fact._tag === tag) out.push(cached.fact as Fact.Of<T>)
        else untold.push(row.seq)
      }
      if (withText.length > 0) out.push(...yield* decodeStored(tag, withText))
      if (untold.length > 0) {
        const texts = yield* sql.unsafe<{ readonly seq: number; readonly data: string }>(bySeqText[tag], [
          JSON.stringify(untold)
        ])
        for (const row of texts) {
          const fact = decodeData(tag, row.data)
          if (Either.isLeft(fact)) return yield* fact.left
          // Read at or below `top`, the bound the lookup ran with: committed, so it never changes.
          remember(row.seq, row.data, fact.right, row.seq <= top)
          out.push(fact.right)
        }
      }
      return out
    })

  const failed = (what: string) => (e: SqlError | Problem.StoreError): Problem.StoreError =>
    e._tag === "StoreError" ? e : new Problem.StoreError({ reason: `${what}: ${e.message}`, cause: e })

  const lookup: WriteCheck.Lookup = {
    byId: <T extends Fact.Tag>(tag: T, ids: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const top = committedTop
        const rows = yield* sql.unsafe<{ readonly id: string; readonly seq: number; readonly data: string | null }>(
          byIdText[tag],
          [top, JSON.stringify(ids)]
        )
        const out = new Map<string, Fact.Of<T>>()
        for (const f of yield* decodeById(tag, rows, top)) out.set(f.id, f)
        return out as ReadonlyMap<string, Fact.Of<T>>
      }).pipe(Effect.mapError(failed(`reading ${tag}`))),
    residentsByNationalId: (nationalIds) =>
      Effect.flatMap(
        sql.unsafe<Stored>(
          `SELECT id, seq, data FROM residents WHERE national_id IN (SELECT value FROM json_each(?))
           AND superseded_at IS NULL AND national_id IS NOT NULL`,
          [JSON.stringify(nationalIds)]
        ),
        (rows) => decodeStored("Resident", rows)
      ).pipe(Effect.mapError(failed("looking up national IDs"))),
    residentsByNameAndBirthDate: (keys) =>
      Effect.flatMap(
        sql.unsafe<Stored>(
          `SELECT r.id, r.seq, r.data FROM json_each(?) k
           JOIN residents r ON r.name = k.value ->> 0 AND r.birth_date = k.value ->> 1 AND r.superseded_at IS NULL`,
          [JSON.stringify(keys.map((k) => [k.name, k.birthDate]))]
        ),
        (rows) => decodeStored("Resident", rows)
      ).pipe(Effect.mapError(failed("looking up residents by name")))
  }

  // ---------------------------------------------------------------------------------------
  // Inserts

  /** Statement texts by target and rows per statement (a few fixed sizes, each prepared once). */
  const insertTexts = new Map<string, string>()
  const insertText = (target: Target, rows: number) => {
    const key = `${target.key}\u0000${rows}`
    let text = insertTexts.get(key)
    if (text === undefined) {
      text = `${target.head}${new Array(rows).fill(target.tuple).join(", ")}`
      insertTexts.set(key, text)
    }
    return text
  }

  /**
   * Inserts rows bound in one flat array (`target.width` values a row): full statements of
   * `ROWS_PER_INSERT` rows, then the rest in statements of 64, 32, …, 1 rows, so every text
   * has one of a few sizes and the client's statement cache reuses it batch after batch.
   */
  const insertRows = (target: Target, values: ReadonlyArray<Value>) =>
    Effect.gen(function*() {
      const width = target.width
      const total = values.length / width
      let done = 0
      while (done < total) {
        const left = total - done
        let rows = ROWS_PER_INSERT
        if (left < ROWS_PER_INSERT) {
          rows = 1
          while (rows * 2 <= left) rows *= 2
        }
        yield* sql.unsafe(insertText(target, rows), values.slice(done * width, (done + rows) * width)).raw
        done += rows
      }
    })

  /** Where each kind's rows go: its table's columns, in insert order. */
  const targetsByTag = new Map<Fact.Tag, Target>()
  const tableTarget = (fact: Fact.Fact): Target => {
    let target = targetsByTag.get(fact._tag)
    if (target === undefined) {
      const own = Object.keys(columnsOf(fact, zone))
      target = targetOf(
        tableOf[fact._tag],
        fact._tag === "Visit"
          ? ["id", "seq", ...own, "recorded_at", "data"]
          : ["seq", "id", ...own, "recorded_at", "superseded_at", "data"]
      )
      targetsByTag.set(fact._tag, target)
    }
    return target
  }

  /** A visit's row, in the order of `tableTarget` (the columns of `columnsOf`), then its observations' rows. */
  const pushVisit = (
    visit: Fact.Of<"Visit">,
    json: string,
    seq: number,
    now: number,
    into: Array<Value>,
    observations: Array<Value>
  ): void => {
    const at = visit.at.epochMillis
    const localDate = zone.dateOf(at)
    into.push(visit.id, seq, visit.householdId, visit.liaisonId, at, localDate, visit.outcome, now, json)
    // One row per observation, bound from the decoded visit (see migration 7).
    const list = visit.observations
    for (let idx = 0; idx < list.length; idx++) {
      const o = list[idx]
      observations.push(
        visit.householdId,
        o._tag,
        localDate,
        seq,
        idx,
        now,
        "residentId" in o ? o.residentId ?? null : null,
        "arrivalId" in o ? o.arrivalId ?? null : null,
        "campaignId" in o ? o.campaignId : null,
        "matterId" in o ? o.matterId : null
      )
    }
  }

  const persist = (actor: Access.Actor, writes: ReadonlyArray<WriteCheck.Item>, now: number) =>
    Effect.gen(function*() {
      if (writes.length === 0) return 0
      const [{ top }] = yield* sql.unsafe<{ readonly top: number | null }>(`SELECT max(seq) AS top FROM audit`)
      const key = (w: WriteCheck.Item) => `${w.tag}\u0000${w.id}`
      // The stored versions the batch replaces (visits are never replaced).
      const updatedIds = new Map<Fact.Tag, Set<string>>()
      for (const w of writes) {
        if (w.status !== "updated" || w.tag === "Visit") continue
        let ids = updatedIds.get(w.tag)
        if (ids === undefined) updatedIds.set(w.tag, ids = new Set())
        ids.add(w.id)
      }
      const latestSeq = new Map<string, number>()
      const storedUpdates = new Map<Fact.Tag, Array<string>>()
      for (const [tag, ids] of updatedIds) {
        const rows = yield* sql.unsafe<{ readonly id: string; readonly seq: number }>(
          `SELECT id, seq FROM ${tableOf[tag]} WHERE id IN (SELECT value FROM json_each(?)) AND superseded_at IS NULL`,
          [JSON.stringify([...ids])]
        )
        for (const r of rows) latestSeq.set(`${tag}\u0000${r.id}`, r.seq)
        if (rows.length > 0) storedUpdates.set(tag, rows.map((r) => r.id))
      }
      const base = top ?? 0
      // Visits are only ever created, once a batch: no earlier version, never superseded.
      const lastIndex = new Map<string, number>()
      for (let i = 0; i < writes.length; i++) if (writes[i].tag !== "Visit") lastIndex.set(key(writes[i]), i)

      const audit: Array<Value> = []
      const visitAudit: Array<Value> = []
      const placements: Array<Value> = []
      // Visits written one after the other at one grid share one placement row: the grid,
      // the run's last `seq` and its first.
      let runPlace: string | undefined
      let runFirst = 0
      let runLast = 0
      const endRun = () => {
        if (runPlace === undefined) return
        placements.push(runPlace, runLast, runFirst === runLast ? null : runFirst)
        runPlace = undefined
      }
      const versions = new Map<Fact.Tag, Array<Value>>()
      const visits: Array<Value> = []
      const observations: Array<Value> = []
      for (let i = 0; i < writes.length; i++) {
        const w = writes[i]
        const seq = base + i + 1
        const created = w.status === "created"
        let before: number | null = null
        if (w.tag !== "Visit") {
          const k = key(w)
          if (!created) before = latestSeq.get(k) ?? null
          latestSeq.set(k, seq)
        }
        if (w.tag === "Visit") visitAudit.push(seq, now, actor.id, actor.role, w.id)
        else audit.push(seq, now, actor.id, actor.role, created ? "create" : "update", w.tag, w.id, before)
        const fact = w.fact
        if (fact._tag === "Visit" && w.anchors.length === 1) {
          const place = w.anchors[0]
          if (place === runPlace && seq === runLast + 1) runLast = seq
          else {
            endRun()
            runPlace = place
            runFirst = runLast = seq
          }
        } else {
          endRun()
          if (w.anchors.length <= 1) placements.push(w.anchors[0] ?? w.anchor, seq, null)
          else for (const place of new Set(w.anchors)) placements.push(place, seq, null)
        }
        if (fact._tag === "Visit") {
          pushVisit(fact, w.json, seq, now, visits, observations)
          continue
        }
        let rows = versions.get(w.tag)
        if (rows === undefined) versions.set(w.tag, rows = [])
        rows.push(seq, w.id)
        for (const v of Object.values(columnsOf(fact, zone))) rows.push(v)
        rows.push(now, lastIndex.get(key(w)) === i ? null : now, w.json)
      }
      endRun()
      yield* insertRows(AUDIT, audit)
      yield* insertRows(VISIT_AUDIT, visitAudit)
      yield* insertRows(PLACEMENTS, placements)
      if (visits.length > 0) versions.set("Visit", visits)

      for (const tag of Fact.tags) {
        const superseded = storedUpdates.get(tag)
        if (superseded !== undefined) {
          yield* sql.unsafe(
            `UPDATE ${tableOf[tag]} SET superseded_at = ? WHERE id IN (SELECT value FROM json_each(?))
             AND superseded_at IS NULL`,
            [now, JSON.stringify(superseded)]
          ).raw
        }
        const rows = versions.get(tag)
        if (rows === undefined) continue
        const first = writes.find((w) => w.tag === tag)!
        yield* insertRows(tableTarget(first.fact), rows)
      }
      yield* insertRows(OBSERVATIONS, observations)

      // Versions recorded at a household that moved follow it to its new grid.
      for (const w of writes) {
        if (w.fact._tag !== "Household" || w.before?.fact._tag !== "Household") continue
        if (w.before.fact.gridId === w.fact.gridId) continue
        for (const tag of ["Resident", "ArrivalReport", "Matter", "Visit"] as const) {
          yield* sql.unsafe(
            `INSERT OR IGNORE INTO relocations (place_id, seq)
             SELECT ?, t.seq FROM ${tableOf[tag]} t WHERE t.household_id = ?${current(tag)}`,
            [w.fact.gridId, w.id]
          ).raw
        }
      }

      // The closure of the place tree, in batch order (parents come first).
      for (const w of writes) {
        if (w.fact._tag !== "Place") continue
        const place = w.fact
        const before = w.before?.fact._tag === "Place" ? w.before.fact : undefined
        if (before === undefined) {
          yield* sql`INSERT OR IGNORE INTO place_closure (ancestor, descendant, depth)
            SELECT ${place.id}, ${place.id}, 0
            UNION ALL
            SELECT ancestor, ${place.id}, depth + 1 FROM place_closure WHERE descendant = ${place.parentId ?? null}`
        } else if (before.parentId !== place.parentId) {
          yield* sql`DELETE FROM place_closure
            WHERE descendant IN (SELECT descendant FROM place_closure WHERE ancestor = ${place.id})
            AND ancestor IN (SELECT ancestor FROM place_closure WHERE descendant = ${place.id} AND depth > 0)`
          if (place.parentId !== undefined) {
            yield* sql`INSERT INTO place_closure (ancestor, descendant, depth)
              SELECT a.ancestor, d.descendant, a.depth + d.depth + 1
              FROM place_closure a, place_closure d
              WHERE a.descendant = ${place.parentId} AND d.ancestor = ${place.id}`
          }
        }
      }
      return base + writes.length
    })

  return { lookup, persist, committed }
}
