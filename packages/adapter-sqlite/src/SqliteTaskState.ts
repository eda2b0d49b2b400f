/**
 * The core's `TaskState` port on SQLite: tasks are kept in the database, so a liaison's
 * worklist is a few indexed queries instead of loading a grid's history and running the pack.
 *
 * - Tasks are kept per grid (the place households hang from) and per pack: the rows of a
 *   grid cover a horizon of dates and were computed with one pack, named by its
 *   `TaskState.fingerprint` (rule ids, versions and parameters), so an overridden pack gets
 *   rows of its own. Each row holds what a task's state depends on (its window, the first
 *   visit inside it that resolves it, from when it is cancelled), so one row answers for any
 *   as-of date (`TaskState.at`).
 * - Every `Store.write` marks the households it touches stale, in the same transaction
 *   (`afterWrite`, called by `SqliteStore`): a visit, a resident, an arrival or a matter its
 *   household (and the one it left), a household itself (and the grid it left); a place, a
 *   liaison or a campaign every grid. Only grids that keep tasks are marked, so a bulk load
 *   before any read pays nothing. A liaison's write also updates the index of who owns which
 *   places, which tells a worklist's households from the others.
 * - A read first brings the grids it needs up to date: a grid never read, read with another
 *   pack, marked as a whole, or asked about dates outside its horizon is computed afresh
 *   (lazily: a file written before this existed needs no step); otherwise only its stale
 *   households are re-evaluated, a few grids per write transaction so writers never wait
 *   long. Then it answers from the rows in a read transaction: reads that find everything
 *   current take no write lock.
 * - All of it lives in the file: two processes sharing it see each other's writes on their
 *   next read.
 *
 * Tasks are resolved with every visit inside their windows, so the answers equal the
 * engine's on the facts `Store.load` gives whenever the lookback of a recomputing reader
 * (90 days by default) covers the windows, as it does for the built-in pack. A rule whose
 * logic changes must get a new `version`, or rows computed by the old logic stay.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Access, RulePack } from "@minqing/core"
import { Deployment, Fact, Ids, LocalDate, Problem, Task, TaskState, Worklist, type WriteCheck } from "@minqing/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberSet from "effect/FiberSet"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/database.js"
import { decodeData } from "./internal/tables.js"
import * as WorklistQuery from "./internal/worklistQuery.js"

/**
 * Options of the service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long an operation keeps retrying while the database stays locked. Default: 2 minutes. */
  readonly lockBudget?: Duration.DurationInput
  /** Days kept before and after the dates of a read that computes or extends a grid. Default: 3. */
  readonly padDays?: number
  /** Packs not used to compute tasks for this long are dropped when another appears. Default: 30 days. */
  readonly keepPacksFor?: Duration.DurationInput
  /**
   * After writes mark households stale, their grids are re-evaluated in the background, a grid
   * per write transaction, once no write has come for this long, so reads find them current.
   * Only grids of packs this process has read with are refreshed; a read still re-evaluates
   * whatever it finds stale. `false`: only reads re-evaluate. Default: 1 second (under a steady
   * stream of writes, re-evaluating between them would take the CPU the writes need).
   */
  readonly refreshWhenQuietFor?: Duration.DurationInput | false
}

/**
 * The port, and what a reader of kept rows (such as `SqliteCoverage`) needs: bringing grids
 * current without reading their tasks back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape extends TaskState.Shape {
  /**
   * Brings the tasks of `grids` (places households hang from) computed with `pack` current
   * for `dates`, as a read would: grids never computed, computed with another pack, marked
   * stale or whose horizon misses the dates are computed, a few per write transaction; no
   * task is decoded or returned. Gives the key of the pack's rows in `task_packs` (absent
   * when no row was ever computed with it), how many grids were asked about and how many
   * were computed.
   */
  readonly refreshGrids: (
    pack: RulePack.RulePack,
    grids: ReadonlyArray<string>,
    dates: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  ) => Effect.Effect<
    { readonly key: number | undefined; readonly grids: number; readonly computed: number },
    Problem.StoreError
  >
}

/** The widest horizon a grid grows to before it starts over around the dates read. */
const MAX_HORIZON_DAYS = 31

const CHUNK = 500

const chunksOf = <A>(items: ReadonlyArray<A>, size: number = CHUNK): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** The row that marks every grid stale (a place, a liaison or a campaign was written). */
const EVERYTHING = WorklistQuery.EVERYTHING

const touchesEverything: ReadonlySet<Fact.Tag> = new Set(["Place", "Liaison", "Campaign"])

/** The open task states of each client, each told when a write marks households stale. */
const afterWriteListeners = new WeakMap<SqlClient.SqlClient, Set<(now: number) => void>>()

/**
 * Keeps the task state's bookkeeping after a write: marks the households it touches stale,
 * for every pack (only in grids that keep tasks), and records the places each written
 * liaison owns. Call it inside the write's transaction, after the facts are stored.
 *
 * @since 0.1.0
 * @category hooks
 */
export const afterWrite = (
  sql: SqlClient.SqlClient,
  writes: ReadonlyArray<WriteCheck.Item>
): Effect.Effect<void, SqlError> =>
  Effect.gen(function*() {
    if (writes.length === 0) return
    for (const w of writes) {
      if (w.fact._tag !== "Liaison") continue
      yield* sql`DELETE FROM task_owners WHERE liaison_id = ${w.fact.id}`
      for (const gridId of new Set(w.fact.gridIds)) {
        yield* sql`INSERT INTO task_owners (place_id, liaison_id) VALUES (${gridId}, ${w.fact.id})`
      }
    }
    const kept = yield* sql<{ readonly one: number }>`SELECT 1 AS one FROM task_grids LIMIT 1`
    if (kept.length === 0) return
    // The task states on this client refresh the marked grids once writes pause (after this commit).
    const now = yield* Clock.currentTimeMillis
    yield* Effect.sync(() => afterWriteListeners.get(sql)?.forEach((listener) => listener(now)))
    const seq = sql`(SELECT coalesce(max(seq), 0) FROM audit)`
    if (writes.some((w) => touchesEverything.has(w.tag))) {
      yield* sql`INSERT INTO task_dirty (place_id, household_id, seq) VALUES (${EVERYTHING}, ${EVERYTHING}, ${seq})
        ON CONFLICT (place_id, household_id) DO UPDATE SET seq = excluded.seq`
      return
    }
    const households = new Set<string>()
    const left: Array<{ readonly placeId: string; readonly householdId: string }> = []
    for (const w of writes) {
      const fact = w.fact
      const before = w.before?.fact
      if (fact._tag === "Household") {
        households.add(fact.id)
        if (before?._tag === "Household" && before.gridId !== fact.gridId) {
          left.push({ placeId: before.gridId, householdId: fact.id })
        }
      } else if ("householdId" in fact) {
        households.add(fact.householdId)
        if (before !== undefined && "householdId" in before && before.householdId !== fact.householdId) {
          households.add(before.householdId)
        }
      }
    }
    for (const ids of chunksOf([...households])) {
      yield* sql`INSERT INTO task_dirty (place_id, household_id, seq)
        SELECT h.place_id, h.id, ${seq} FROM households h
        WHERE h.id IN ${sql.in(ids)} AND h.superseded_at IS NULL
        AND EXISTS (SELECT 1 FROM task_grids g WHERE g.place_id = h.place_id)
        ON CONFLICT (place_id, household_id) DO UPDATE SET seq = excluded.seq`
    }
    for (const { householdId, placeId } of left) {
      yield* sql`INSERT INTO task_dirty (place_id, household_id, seq)
        SELECT ${placeId}, ${householdId}, ${seq} WHERE EXISTS (SELECT 1 FROM task_grids g WHERE g.place_id = ${placeId})
        ON CONFLICT (place_id, household_id) DO UPDATE SET seq = excluded.seq`
    }
  })

const TaskRow = Schema.Struct({
  rule: Schema.String,
  subject_kind: Schema.String,
  subject_id: Schema.String,
  household_id: Ids.HouseholdId,
  due: LocalDate.LocalDate,
  window_from: LocalDate.LocalDate,
  window_to: LocalDate.LocalDate,
  priority: Task.Priority,
  ordinal: Schema.Int,
  resolved_on: Schema.NullOr(LocalDate.LocalDate),
  resolved_by: Schema.NullOr(Ids.VisitId),
  cancelled: Schema.NullOr(Schema.Union(Schema.Literal(""), LocalDate.LocalDate)),
  explanation: Schema.String
})

/** The columns a task is read from, its subject's explanation joined. */
const taskColumns = `t.rule, t.subject_kind, t.subject_id, t.household_id, t.due, t.window_from, t.window_to,
  t.priority, t.ordinal, t.resolved_on, t.resolved_by, t.cancelled, e.data AS explanation
  FROM tasks t JOIN task_explanations e ON e.pack = t.pack AND e.rule = t.rule AND e.subject_id = t.subject_id`

interface GridRow {
  readonly place_id: string
  readonly horizon_from: string
  readonly horizon_to: string
  readonly dirty_seq: number
  readonly dirty: number | null
  readonly everything: number | null
}

interface Dates {
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
}

/** What a request reaches: the grids to read and what `Worklist` needs to tell owners and places. */
interface Reach {
  readonly grids: ReadonlyArray<string>
  readonly places: ReadonlyArray<Fact.Of<"Place">>
  readonly liaisons: ReadonlyArray<Fact.Of<"Liaison">>
}

const decodeRow = Schema.decodeUnknownEither(TaskRow)
const decodeExplanation = Schema.decodeUnknownEither(Task.Explanation)

/**
 * Decoded values by the stored text they were decoded from. The text is the content, so a
 * hit is exactly what decoding would give, whichever process wrote it; the cache only saves
 * the work. Emptied when full.
 */
const memo = <A>(max: number) => {
  const map = new Map<string, A>()
  return <E>(text: string, decode: (text: string) => Either.Either<A, E>): Either.Either<A, E> => {
    const hit = map.get(text)
    if (hit !== undefined) return Either.right(hit)
    const decoded = decode(text)
    if (Either.isRight(decoded)) {
      if (map.size >= max) map.clear()
      map.set(text, decoded.right)
    }
    return decoded
  }
}

const parseExplanation = (text: string): Either.Either<Task.Explanation, Problem.StoreError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    return Either.left(new Problem.StoreError({ reason: "a kept explanation is not valid JSON", cause }))
  }
  return Either.mapLeft(
    decodeExplanation(parsed),
    (error) =>
      new Problem.StoreError({ reason: `a kept explanation no longer decodes: ${error.message}`, cause: error })
  )
}

const entryOf = (
  raw: unknown,
  explanations: ReturnType<typeof memo<Task.Explanation>>
): Either.Either<TaskState.Entry, Problem.StoreError> =>
  Either.flatMap(
    Either.mapLeft(
      decodeRow(raw),
      (error) => new Problem.StoreError({ reason: `a kept task no longer decodes: ${error.message}`, cause: error })
    ),
    (row) =>
      Either.map(explanations(row.explanation, parseExplanation), (explanation) => ({
        task: {
          id: Task.makeId(row.rule, row.subject_id, row.due),
          rule: row.rule,
          subjectKind: row.subject_kind,
          subjectId: row.subject_id,
          householdId: row.household_id,
          due: row.due,
          window: { from: row.window_from, to: row.window_to },
          priority: row.priority,
          explanation
        },
        resolvedBy: row.resolved_by ?? undefined,
        resolvedOn: row.resolved_on ?? undefined,
        cancelled: row.cancelled === null ? undefined : row.cancelled === "" ? "always" : row.cancelled,
        ordinal: row.ordinal
      }))
  )

const encodeExplanation = Schema.encodeSync(Task.Explanation)

const toStoreError = (what: string) => (error: SqlError | Problem.StoreError): Problem.StoreError =>
  error._tag === "StoreError" ? error : internal.toStoreError(what)(error)

/** Raised inside a read transaction when grids must be computed first (under the write lock). */
class NeedsWrite {
  readonly _tag = "NeedsWrite"
  constructor(readonly grids: ReadonlyArray<string>) {}
}

/** Grids computed per write transaction, so computing many never holds the write lock long. */
const GRIDS_PER_WRITE = 16

/**
 * The service on the `SqlClient` in context (a SQLite client whose file `SqliteStore` has
 * migrated). `SqliteStore.layer` builds it on the store's connection. Its background refresh
 * (`refreshWhenQuietFor`) runs in the scope it is made in, and stops when that scope closes.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "@minqing/adapter-sqlite"
 * import { Access, BuiltInRules, Deployment, Ids, LocalDate, TaskState } from "@minqing/core"
 * import { Effect, Layer } from "effect"
 *
 * const Live = SqliteStore.layer({ filename: "minqing.db" }).pipe(Layer.provide(Deployment.layer()))
 *
 * const program = Effect.gen(function*() {
 *   const state = yield* TaskState.TaskState
 *   const liaison = new Access.Actor({ id: "l-01", role: "liaison", scope: [Ids.PlaceId.make("g-01")] })
 *   return yield* state.worklist(liaison, BuiltInRules.pack, {
 *     date: LocalDate.make("2021-05-14"),
 *     liaisonId: Ids.LiaisonId.make("l-01")
 *   })
 * })
 *
 * Effect.runPromise(Effect.provide(program, Live))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Shape, never, SqlClient.SqlClient | Deployment.Deployment | Scope.Scope> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const { zone } = yield* Deployment.Deployment
    const retry = internal.retryBusy(options.lockBudget ?? Duration.minutes(2))
    const writeTransaction = yield* internal.makeWriteTransaction
    const padDays = Math.max(0, Math.floor(options.padDays ?? 3))
    const keepPacksMillis = Duration.toMillis(options.keepPacksFor ?? Duration.days(30))
    const inList = (values: ReadonlyArray<string>) => (values.length === 0 ? sql.literal("(NULL)") : sql.in(values))
    const subtree = (roots: ReadonlyArray<string>) =>
      sql`SELECT descendant FROM place_closure WHERE ancestor IN ${inList(roots)}`

    const facts = memo<Fact.Fact>(20_000)
    const explanations = memo<Task.Explanation>(20_000)
    const decodeRows = <T extends Fact.Tag>(tag: T, rows: ReadonlyArray<{ readonly data: string }>) =>
      Effect.suspend(() => {
        const out: Array<Fact.Of<T>> = []
        for (const row of rows) {
          const fact = facts(row.data, (data) => decodeData(tag, data))
          if (Either.isLeft(fact)) return Effect.fail(fact.left)
          out.push(fact.right as Fact.Of<T>)
        }
        return Effect.succeed(out)
      })

    // -----------------------------------------------------------------------------------------
    // Packs

    const packKeys = new Map<string, number>()
    /** The packs this process has read with, by fingerprint: the background refresh computes with them. */
    const packs = new Map<string, RulePack.RulePack>()
    const fingerprintOf = (pack: RulePack.RulePack) => {
      const fingerprint = `${zone.name}\n${TaskState.fingerprint(pack)}`
      if (packs.get(fingerprint) !== pack) {
        if (packs.size >= 64) packs.clear()
        packs.set(fingerprint, pack)
      }
      return fingerprint
    }

    /** The key of a pack's rows; registered (and old packs dropped) only under the write lock. */
    const packKey = (fingerprint: string, write: boolean) =>
      Effect.gen(function*() {
        if (!write) {
          const cached = packKeys.get(fingerprint)
          if (cached !== undefined) return cached
          const [row] = yield* sql<
            { readonly key: number }
          >`SELECT key FROM task_packs WHERE fingerprint = ${fingerprint}`
          if (row !== undefined) packKeys.set(fingerprint, row.key)
          return row?.key
        }
        const now = yield* Clock.currentTimeMillis
        const [existing] = yield* sql<{ readonly key: number }>`
          SELECT key FROM task_packs WHERE fingerprint = ${fingerprint}`
        if (existing !== undefined) {
          yield* sql`UPDATE task_packs SET used_at = ${now} WHERE key = ${existing.key}`
          packKeys.set(fingerprint, existing.key)
          return existing.key
        }
        const unused = yield* sql<{ readonly key: number }>`
          DELETE FROM task_packs WHERE used_at < ${now - keepPacksMillis} RETURNING key`
        for (const { key } of unused) {
          yield* sql`DELETE FROM tasks WHERE pack = ${key}`
          yield* sql`DELETE FROM task_explanations WHERE pack = ${key}`
          yield* sql`DELETE FROM task_grids WHERE pack = ${key}`
        }
        const [row] = yield* sql<{ readonly key: number }>`
          INSERT INTO task_packs (fingerprint, used_at) VALUES (${fingerprint}, ${now}) RETURNING key`
        packKeys.clear()
        packKeys.set(fingerprint, row.key)
        return row.key
      })

    // -----------------------------------------------------------------------------------------
    // Scope: the grids a request reaches, refused as the store's scope would refuse it

    const reach = (actor: Access.Actor, scope: Worklist.Scope) =>
      Effect.gen(function*() {
        const own = [...new Set(actor.scope)]
        const { liaisonId, placeId } = scope
        let roots: ReadonlyArray<string> = own
        if (placeId !== undefined) {
          const [found] = yield* sql<{ readonly within: number | null; readonly above: number | null }>`SELECT
            (SELECT 1 FROM place_closure WHERE descendant = ${placeId} AND ancestor IN ${
            inList(own)
          } LIMIT 1) AS within,
            (SELECT 1 FROM place_closure WHERE ancestor = ${placeId} AND descendant IN ${inList(own)} LIMIT 1) AS above`
          if (found.within === null) {
            return yield* new TaskState.OutsideScope({
              kind: "place",
              id: placeId,
              reason: found.above === null ? "not-found" : "above-scope"
            })
          }
          roots = [placeId]
        }
        if (liaisonId === undefined) {
          const grids = roots.length === 0 ? [] : (yield* sql<{ readonly place_id: string }>`
            SELECT DISTINCT h.place_id FROM households h
            WHERE h.superseded_at IS NULL AND h.place_id IN (${subtree(roots)})`).map((r) => r.place_id)
          const places = placeId === undefined ? [] : yield* placesAbove(grids)
          return { grids, places, liaisons: [] } satisfies Reach
        }
        // The liaison must be one the store would load for the scope: owning a place in it.
        const inRoots = subtree(roots)
        const found = yield* sql<{ readonly data: string }>`SELECT l.data FROM liaisons l
          WHERE l.id = ${liaisonId} AND l.superseded_at IS NULL
          AND EXISTS (SELECT 1 FROM task_owners o WHERE o.liaison_id = l.id AND o.place_id IN (${inRoots}))`
        const [liaison] = yield* decodeRows("Liaison", found)
        if (liaison === undefined) {
          return yield* new TaskState.OutsideScope({ kind: "liaison", id: liaisonId, reason: "not-found" })
        }
        const grids = (yield* sql<{ readonly place_id: string }>`
          SELECT DISTINCT h.place_id FROM households h
          WHERE h.superseded_at IS NULL AND h.place_id IN (${subtree(liaison.gridIds)})
          AND h.place_id IN (${inRoots})`).map((r) => r.place_id)
        if (grids.length === 0) return { grids, places: [], liaisons: [liaison] } satisfies Reach
        // Whoever could own these households: liaisons the scope loads, owning a place on their way up.
        const owners = yield* sql<{ readonly data: string }>`SELECT l.data FROM liaisons l
          WHERE l.superseded_at IS NULL
          AND l.id IN (SELECT o.liaison_id FROM task_owners o WHERE o.place_id IN (
            SELECT ancestor FROM place_closure WHERE descendant IN ${inList(grids)}))
          AND EXISTS (SELECT 1 FROM task_owners o WHERE o.liaison_id = l.id AND o.place_id IN (${inRoots}))`
        return {
          grids,
          places: yield* placesAbove(grids),
          liaisons: yield* decodeRows("Liaison", owners)
        } satisfies Reach
      })

    /** The grids and every place above them. */
    const placesAbove = (grids: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const out: Array<Fact.Of<"Place">> = []
        const seen = new Set<string>()
        for (const chunk of chunksOf(grids)) {
          const rows = yield* sql<{ readonly id: string; readonly data: string }>`SELECT id, data FROM places
            WHERE superseded_at IS NULL
            AND id IN (SELECT ancestor FROM place_closure WHERE descendant IN ${inList(chunk)})`
          const fresh = rows.filter((r) => !seen.has(r.id))
          for (const r of fresh) seen.add(r.id)
          out.push(...(yield* decodeRows("Place", fresh)))
        }
        return out
      })

    // -----------------------------------------------------------------------------------------
    // Keeping grids current

    const gridRows = (key: number, grids: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const out = new Map<string, GridRow>()
        for (const chunk of chunksOf(grids)) {
          const rows = yield* sql<GridRow>`SELECT g.place_id, g.horizon_from, g.horizon_to, g.dirty_seq,
            (SELECT max(d.seq) FROM task_dirty d WHERE d.place_id = g.place_id) AS dirty,
            (SELECT d.seq FROM task_dirty d WHERE d.place_id = ${EVERYTHING} AND d.household_id = ${EVERYTHING})
              AS everything
            FROM task_grids g WHERE g.pack = ${key} AND g.place_id IN ${inList(chunk)}`
          for (const r of rows) out.set(r.place_id, r)
        }
        return out
      })

    const covers = (row: GridRow, dates: Dates) => row.horizon_from <= dates.from && dates.to <= row.horizon_to
    const isCurrent = (row: GridRow | undefined, dates: Dates) =>
      row !== undefined && covers(row, dates) && (row.dirty ?? 0) <= row.dirty_seq &&
      (row.everything ?? 0) <= row.dirty_seq

    /** The facts of a grid's households (all, or some) without visits, and the context they need. */
    const gridFacts = (grid: string, households: ReadonlyArray<string> | undefined) =>
      Effect.gen(function*() {
        const around = sql`SELECT ancestor FROM place_closure WHERE descendant = ${grid}
          UNION SELECT descendant FROM place_closure WHERE ancestor = ${grid}`
        const places = yield* decodeRows(
          "Place",
          yield* sql<{ readonly data: string }>`SELECT data FROM places
            WHERE superseded_at IS NULL AND id IN (${around}) ORDER BY id`
        )
        const liaisons = yield* decodeRows(
          "Liaison",
          yield* sql<{ readonly data: string }>`SELECT data FROM liaisons
            WHERE superseded_at IS NULL AND id IN (SELECT liaison_id FROM task_owners WHERE place_id IN (${around}))
            ORDER BY id`
        )
        const campaigns = yield* decodeRows(
          "Campaign",
          yield* sql<{ readonly data: string }>`SELECT data FROM campaigns
            WHERE superseded_at IS NULL AND place_id IN (${around}) ORDER BY id`
        )
        const householdRows: Array<{ readonly data: string }> = []
        if (households === undefined) {
          householdRows.push(
            ...(yield* sql<{ readonly data: string }>`SELECT data FROM households
            WHERE superseded_at IS NULL AND place_id = ${grid} ORDER BY id`)
          )
        } else {
          for (const chunk of chunksOf(households)) {
            householdRows.push(
              ...(yield* sql<{ readonly data: string }>`SELECT data FROM households
              WHERE superseded_at IS NULL AND place_id = ${grid} AND id IN ${inList(chunk)} ORDER BY id`)
            )
          }
        }
        const found = yield* decodeRows("Household", householdRows)
        const ids = found.map((h) => h.id)
        const at = <T extends "Resident" | "ArrivalReport" | "Matter">(tag: T, table: string) =>
          Effect.gen(function*() {
            const out: Array<Fact.Of<T>> = []
            for (const chunk of chunksOf(ids)) {
              const rows = yield* sql<{ readonly data: string }>`SELECT data FROM ${sql(table)}
                WHERE superseded_at IS NULL AND household_id IN ${inList(chunk)} ORDER BY id`
              out.push(...(yield* decodeRows(tag, rows)))
            }
            return out
          })
        return {
          places,
          liaisons,
          campaigns,
          households: found,
          residents: yield* at("Resident", "residents"),
          arrivals: yield* at("ArrivalReport", "arrivals"),
          matters: yield* at("Matter", "matters"),
          visits: []
        } satisfies Fact.Facts
      })

    const visitsOf = (households: ReadonlyArray<string>, span: Dates) =>
      Effect.gen(function*() {
        const out: Array<Fact.Of<"Visit">> = []
        for (const chunk of chunksOf(households)) {
          const rows = yield* sql<{ readonly data: string }>`SELECT data FROM visits
            WHERE household_id IN ${inList(chunk)} AND local_date BETWEEN ${span.from} AND ${span.to}`
          out.push(...(yield* decodeRows("Visit", rows)))
        }
        return out
      })

    /** Recomputes a grid's tasks (all households, or the stale ones) over its horizon. */
    const compute = (
      key: number,
      pack: RulePack.RulePack,
      grid: string,
      horizon: Dates,
      households: ReadonlyArray<string> | undefined
    ) =>
      Effect.gen(function*() {
        for (const table of ["tasks", "task_explanations"]) {
          if (households === undefined) {
            yield* sql`DELETE FROM ${sql(table)} WHERE pack = ${key} AND place_id = ${grid}`
          } else {
            for (const chunk of chunksOf(households)) {
              yield* sql`DELETE FROM ${sql(table)} WHERE pack = ${key} AND place_id = ${grid} AND household_id IN ${
                inList(chunk)
              }`
            }
          }
        }
        const facts = yield* gridFacts(grid, households)
        if (facts.households.length === 0) return
        const range = { ...horizon, zone }
        const scheduled = TaskState.schedule(pack, facts, range)
        if (scheduled.visits === undefined) return
        const visits = yield* visitsOf(facts.households.map((h) => h.id), scheduled.visits)
        const entries = TaskState.resolve(pack, { ...facts, visits }, range, scheduled)
        const rows = entries.map((e) => ({
          pack: key,
          rule: e.task.rule,
          subject_id: e.task.subjectId,
          due: e.task.due,
          subject_kind: e.task.subjectKind,
          place_id: grid,
          household_id: e.task.householdId,
          ordinal: e.ordinal,
          window_from: e.task.window.from,
          window_to: e.task.window.to,
          priority: e.task.priority,
          resolved_on: e.resolvedOn ?? null,
          resolved_by: e.resolvedBy ?? null,
          cancelled: e.cancelled === undefined ? null : e.cancelled === "always" ? "" : e.cancelled
        }))
        for (const chunk of chunksOf(rows, 60)) yield* sql`INSERT OR REPLACE INTO tasks ${sql.insert(chunk)}`
        // One explanation per subject: every occurrence of a subject shares its explanation.
        const explained = new Map<string, Record<string, string | number>>()
        for (const e of entries) {
          const id = `${e.task.rule}\u0000${e.task.subjectId}`
          if (explained.has(id)) continue
          explained.set(id, {
            pack: key,
            rule: e.task.rule,
            subject_id: e.task.subjectId,
            place_id: grid,
            household_id: e.task.householdId,
            data: JSON.stringify(encodeExplanation(e.task.explanation))
          })
        }
        for (const chunk of chunksOf([...explained.values()], 100)) {
          yield* sql`INSERT OR REPLACE INTO task_explanations ${sql.insert(chunk)}`
        }
      })

    /** The horizon for dates a grid does not cover: its own grown by the padded dates, or those alone. */
    const nextHorizon = (row: GridRow | undefined, dates: Dates): Dates => {
      const padded = { from: LocalDate.addDays(dates.from, -padDays), to: LocalDate.addDays(dates.to, padDays) }
      if (row === undefined) return padded
      const union = {
        from: LocalDate.min(LocalDate.make(row.horizon_from), padded.from),
        to: LocalDate.max(LocalDate.make(row.horizon_to), padded.to)
      }
      return LocalDate.diffDays(union.from, union.to) + 1 <= MAX_HORIZON_DAYS ? union : padded
    }

    /** Under the write lock: brings every grid of the list up to date for the dates. */
    const refresh = (key: number, pack: RulePack.RulePack, grids: ReadonlyArray<string>, dates: Dates) =>
      Effect.gen(function*() {
        const rows = yield* gridRows(key, grids)
        const [{ top }] = yield* sql<{ readonly top: number }>`SELECT coalesce(max(seq), 0) AS top FROM audit`
        for (const grid of grids) {
          const row = rows.get(grid)
          if (isCurrent(row, dates)) continue
          let horizon: Dates
          if (row === undefined || !covers(row, dates)) {
            horizon = nextHorizon(row, dates)
            yield* compute(key, pack, grid, horizon, undefined)
          } else {
            horizon = { from: LocalDate.make(row.horizon_from), to: LocalDate.make(row.horizon_to) }
            if ((row.everything ?? 0) > row.dirty_seq) yield* compute(key, pack, grid, horizon, undefined)
            else {
              const stale = yield* sql<{ readonly household_id: string }>`SELECT household_id FROM task_dirty
                WHERE place_id = ${grid} AND seq > ${row.dirty_seq}`
              yield* compute(key, pack, grid, horizon, stale.map((s) => s.household_id))
            }
          }
          yield* sql`INSERT INTO task_grids (pack, place_id, horizon_from, horizon_to, dirty_seq)
            VALUES (${key}, ${grid}, ${horizon.from}, ${horizon.to}, ${top})
            ON CONFLICT (pack, place_id) DO UPDATE SET horizon_from = excluded.horizon_from,
              horizon_to = excluded.horizon_to, dirty_seq = excluded.dirty_seq`
        }
      })

    /** Computes grids under the write lock, a few per write transaction (writers wait at most for a few grids). */
    const computeGrids = (fingerprint: string, pack: RulePack.RulePack, grids: ReadonlyArray<string>, dates: Dates) =>
      Effect.forEach(
        chunksOf(grids, GRIDS_PER_WRITE),
        (chunk) =>
          retry(internal.commitFailures(writeTransaction(Effect.gen(function*() {
            const key = yield* packKey(fingerprint, true)
            yield* refresh(key, pack, chunk, dates)
          })))),
        { discard: true }
      )

    /**
     * Runs `read` on current rows in a read transaction. Grids that must be computed first are
     * computed under the write lock a few at a time (writers wait at most for a few grids),
     * then the read runs again; should writes keep making them stale, the last attempt
     * computes and reads in one write transaction.
     */
    const answer = <A>(
      actor: Access.Actor,
      pack: RulePack.RulePack,
      scope: Worklist.Scope,
      dates: Dates,
      read: (key: number | undefined, reached: Reach) => Effect.Effect<A, SqlError | Problem.StoreError>
    ): Effect.Effect<A, TaskState.OutsideScope | Problem.StoreError> => {
      const fingerprint = fingerprintOf(pack)
      const attempt = (write: boolean) =>
        Effect.gen(function*() {
          const reached = yield* reach(actor, scope)
          if (reached.grids.length === 0) return yield* read(undefined, reached)
          const key = yield* packKey(fingerprint, write)
          if (key === undefined) return yield* Effect.fail(new NeedsWrite(reached.grids))
          if (write) yield* refresh(key, pack, reached.grids, dates)
          else {
            const rows = yield* gridRows(key, reached.grids)
            const stale = reached.grids.filter((g) => !isCurrent(rows.get(g), dates))
            if (stale.length > 0) return yield* Effect.fail(new NeedsWrite(stale))
          }
          return yield* read(key, reached)
        })
      const inRead = retry(internal.commitFailures(sql.withTransaction(attempt(false))))
      const compute = (grids: ReadonlyArray<string>) => computeGrids(fingerprint, pack, grids, dates)
      const isNeedsWrite = (e: unknown): e is NeedsWrite => e instanceof NeedsWrite
      return inRead.pipe(
        Effect.catchIf(isNeedsWrite, (e) => Effect.zipRight(compute(e.grids), inRead)),
        Effect.catchIf(isNeedsWrite, () => retry(internal.commitFailures(writeTransaction(attempt(true))))),
        Effect.catchIf(
          isNeedsWrite,
          () => Effect.fail(new Problem.StoreError({ reason: "task state: a pack could not be registered" }))
        ),
        Effect.catchTag("SqlError", (e) => Effect.fail(toStoreError("reading task state")(e)))
      )
    }

    const entriesOf = (rows: ReadonlyArray<unknown>) =>
      Effect.suspend(() => {
        const out: Array<TaskState.Entry> = []
        for (const row of rows) {
          const entry = entryOf(row, explanations)
          if (Either.isLeft(entry)) return Effect.fail(entry.left)
          out.push(entry.right)
        }
        return Effect.succeed(out)
      })

    const householdsById = (ids: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const out: Array<Fact.Of<"Household">> = []
        for (const chunk of chunksOf(ids)) {
          const rows = yield* sql<{ readonly data: string }>`SELECT data FROM households
            WHERE superseded_at IS NULL AND id IN ${inList(chunk)}`
          out.push(...(yield* decodeRows("Household", rows)))
        }
        return out
      })

    // -----------------------------------------------------------------------------------------
    // Worklists: one statement per read

    /** A row of the worklist statement: its kind and two texts. */
    interface WorklistRow {
      readonly k: string
      readonly a: string | null
      readonly b: string | null
    }

    /** Runs one statement on the transaction's connection, or on the client's outside one. */
    const execute = (text: string, params: ReadonlyArray<string | number>) =>
      Effect.flatMap(
        Effect.serviceOption(SqlClient.TransactionConnection),
        (tx): Effect.Effect<ReadonlyArray<WorklistRow>, SqlError> =>
          tx._tag === "Some"
            ? tx.value[0].execute(text, params, undefined)
            : Effect.scoped(Effect.flatMap(sql.reserve, (conn) => conn.execute(text, params, undefined)))
      )

    const taskRows = memo<typeof TaskRow.Type>(50_000)
    const decodeTaskRow = (text: string): Either.Either<typeof TaskRow.Type, Problem.StoreError> => {
      const c = text.split("\u001f")
      const orNull = (s: string | undefined) => (s === "\u0001" ? null : s)
      return Either.mapLeft(
        decodeRow({
          rule: c[0],
          subject_kind: c[1],
          subject_id: c[2],
          household_id: c[3],
          due: c[4],
          window_from: c[5],
          window_to: c[6],
          priority: c[7],
          ordinal: Number(c[8]),
          resolved_on: orNull(c[9]),
          resolved_by: orNull(c[10]),
          cancelled: orNull(c[11]),
          explanation: ""
        }),
        (error) => new Problem.StoreError({ reason: `a kept task no longer decodes: ${error.message}`, cause: error })
      )
    }

    /** The worklist of one read, and which of the grids it reached were not current. */
    interface WorklistRead {
      readonly stale: ReadonlyArray<string>
      readonly list: Worklist.Worklist
    }

    const readWorklist = (
      key: number | undefined,
      actor: Access.Actor,
      scope: Worklist.Scope,
      date: LocalDate.LocalDate
    ): Effect.Effect<WorklistRead, TaskState.OutsideScope | Problem.StoreError | SqlError> =>
      Effect.flatMap(execute(...WorklistQuery.statement(key ?? -1, actor.scope, scope, date)), (rows): Effect.Effect<
        WorklistRead,
        TaskState.OutsideScope | Problem.StoreError
      > => {
        const { liaisonId, placeId } = scope
        let within = false
        let above = false
        let me: Fact.Of<"Liaison"> | undefined
        const owners: Array<Fact.Of<"Liaison">> = []
        const places: Array<Fact.Of<"Place">> = []
        const households: Array<Fact.Of<"Household">> = []
        const tasks: Array<Task.Task> = []
        const stale: Array<string> = []
        let grids = 0
        for (const row of rows) {
          switch (row.k) {
            case "S":
              within = row.a !== null
              above = row.b !== null
              break
            case "G":
              grids++
              if (row.b !== "current") stale.push(row.a!)
              break
            case "T": {
              const decoded = taskRows(row.a!, decodeTaskRow)
              if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
              const explanation = explanations(row.b!, parseExplanation)
              if (Either.isLeft(explanation)) return Effect.fail(explanation.left)
              const r = decoded.right
              tasks.push(TaskState.at({
                task: {
                  id: Task.makeId(r.rule, r.subject_id, r.due),
                  rule: r.rule,
                  subjectKind: r.subject_kind,
                  subjectId: r.subject_id,
                  householdId: r.household_id,
                  due: r.due,
                  window: { from: r.window_from, to: r.window_to },
                  priority: r.priority,
                  explanation: explanation.right
                },
                resolvedBy: r.resolved_by ?? undefined,
                resolvedOn: r.resolved_on ?? undefined,
                cancelled: r.cancelled === null ? undefined : r.cancelled === "" ? "always" : r.cancelled,
                ordinal: r.ordinal
              }, date))
              break
            }
            default: {
              const tag = row.k === "H" ? "Household" : row.k === "P" ? "Place" : "Liaison"
              const fact = facts(row.b!, (data) => decodeData(tag, data))
              if (Either.isLeft(fact)) return Effect.fail(fact.left)
              if (row.k === "H") households.push(fact.right as Fact.Of<"Household">)
              else if (row.k === "P") places.push(fact.right as Fact.Of<"Place">)
              else if (row.k === "L") me = fact.right as Fact.Of<"Liaison">
              else owners.push(fact.right as Fact.Of<"Liaison">)
            }
          }
        }
        if (placeId !== undefined && !within) {
          return Effect.fail(
            new TaskState.OutsideScope({ kind: "place", id: placeId, reason: above ? "above-scope" : "not-found" })
          )
        }
        if (liaisonId !== undefined && me === undefined) {
          return Effect.fail(new TaskState.OutsideScope({ kind: "liaison", id: liaisonId, reason: "not-found" }))
        }
        const liaisons = me === undefined ? [] : grids === 0 ? [me] : owners
        const list = Worklist.fromTasks(tasks, { households, liaisons, places }, {
          date,
          ...(liaisonId === undefined ? {} : { liaisonId }),
          ...(placeId === undefined ? {} : { placeId })
        })
        return Effect.succeed({ stale, list })
      })

    const worklist: TaskState.Shape["worklist"] = (actor, pack, options) => {
      const { date } = options
      const dates = { from: date, to: date }
      const scope = { liaisonId: options.liaisonId, placeId: options.placeId }
      const fingerprint = fingerprintOf(pack)
      const once = Effect.flatMap(packKey(fingerprint, false), (key) => readWorklist(key, actor, scope, date))
      // The retry's schedule is only built when SQLite reports the file busy.
      const read = Effect.catchIf(once, internal.isBusy, () => retry(once))
      // Should writes keep making grids stale, the last attempt computes and reads under the write lock.
      const locked = retry(internal.commitFailures(writeTransaction(Effect.gen(function*() {
        const first = yield* readWorklist(yield* packKey(fingerprint, false), actor, scope, date)
        if (first.stale.length === 0) return first
        const key = yield* packKey(fingerprint, true)
        yield* refresh(key, pack, first.stale, dates)
        return yield* readWorklist(key, actor, scope, date)
      }))))
      return read.pipe(
        Effect.flatMap((r) =>
          r.stale.length === 0
            ? Effect.succeed(r)
            : Effect.zipRight(computeGrids(fingerprint, pack, r.stale, dates), read)
        ),
        Effect.flatMap((r) => (r.stale.length === 0 ? Effect.succeed(r) : locked)),
        Effect.flatMap((r) =>
          r.stale.length === 0
            ? Effect.succeed(r.list)
            : Effect.fail(new Problem.StoreError({ reason: "task state: grids could not be brought current" }))
        ),
        Effect.catchTag("SqlError", (e) => Effect.fail(toStoreError("reading task state")(e)))
      )
    }

    const tasks: TaskState.Shape["tasks"] = (actor, pack, options) => {
      const { asOf, from, to } = options
      const scope = { liaisonId: options.liaisonId, placeId: options.placeId }
      return answer(actor, pack, scope, { from, to }, (key, reached) =>
        Effect.gen(function*() {
          if (key === undefined) return []
          const entries: Array<TaskState.Entry> = []
          for (const chunk of chunksOf(reached.grids)) {
            const rows = yield* sql`SELECT ${sql.literal(taskColumns)}
              WHERE t.pack = ${key} AND t.place_id IN ${inList(chunk)}
              AND t.window_to >= ${from} AND t.window_from <= ${to}`
            entries.push(...(yield* entriesOf(rows)))
          }
          const listed = TaskState.tasksOf(entries, { from, to, asOf })
          const { liaisonId } = options
          if (liaisonId === undefined) return listed
          const households = yield* householdsById([...new Set(listed.map((t) => t.householdId))])
          const owners = Worklist.owners({ households, liaisons: reached.liaisons, places: reached.places })
          return listed.filter((t) => owners.get(t.householdId)?.id === liaisonId)
        }))
    }

    const refreshGrids: Shape["refreshGrids"] = (pack, grids, dates) => {
      const fingerprint = fingerprintOf(pack)
      return Effect.gen(function*() {
        const known = yield* packKey(fingerprint, false)
        const rows = known === undefined ? new Map<string, GridRow>() : yield* gridRows(known, grids)
        const stale = grids.filter((g) => !isCurrent(rows.get(g), dates))
        let key = known
        for (const chunk of chunksOf(stale, GRIDS_PER_WRITE)) {
          key = yield* retry(internal.commitFailures(writeTransaction(Effect.gen(function*() {
            const key = yield* packKey(fingerprint, true)
            yield* refresh(key, pack, chunk, dates)
            return key
          }))))
        }
        return { key, grids: grids.length, computed: stale.length }
      }).pipe(Effect.mapError(toStoreError("bringing task state current")))
    }

    // -----------------------------------------------------------------------------------------
    // Refreshing in the background after writes

    const quietMillis = options.refreshWhenQuietFor === false
      ? undefined
      : Duration.toMillis(options.refreshWhenQuietFor ?? Duration.seconds(1))
    if (quietMillis !== undefined) {
      // The refresh runs in fibers of the service's scope: closing it (the store's layer) interrupts them.
      const run = yield* FiberSet.makeRuntime<never>()
      let closed = false
      let lastWrite = 0
      let pending = false
      let running = false
      const staleGrids = sql<{
        readonly pack: number
        readonly fingerprint: string
        readonly place_id: string
        readonly horizon_from: string
      }>`SELECT g.pack, p.fingerprint, g.place_id, g.horizon_from FROM task_grids g JOIN task_packs p ON p.key = g.pack
        WHERE g.dirty_seq < max(
          coalesce((SELECT max(d.seq) FROM task_dirty d WHERE d.place_id = g.place_id), 0),
          coalesce((SELECT d.seq FROM task_dirty d WHERE d.place_id = ${EVERYTHING} AND d.household_id = ${EVERYTHING}), 0))`
      const untilQuiet = Effect.gen(function*() {
        for (;;) {
          const wait = lastWrite + quietMillis - (yield* Clock.currentTimeMillis)
          if (wait <= 0) return
          yield* Effect.sleep(Duration.millis(wait))
        }
      })
      // Grid by grid, each in its own write transaction, starting over when a write comes.
      const loop = Effect.gen(function*() {
        for (;;) {
          yield* untilQuiet
          pending = false
          const seen = lastWrite
          const rows = (yield* staleGrids).filter((r) => packs.has(r.fingerprint))
          if (rows.length === 0) return
          for (const row of rows) {
            if (lastWrite !== seen) break
            const date = LocalDate.make(row.horizon_from)
            yield* retry(internal.commitFailures(writeTransaction(
              refresh(row.pack, packs.get(row.fingerprint)!, [row.place_id], { from: date, to: date })
            )))
          }
        }
      }).pipe(
        Effect.catchAllCause((cause) => Effect.logDebug("task state: background refresh stopped", cause))
      )
      const start = (): void => {
        if (closed) return
        running = true
        pending = false
        run(Effect.ensuring(
          loop,
          Effect.sync(() => {
            running = false
            if (pending) start()
          })
        ))
      }
      const listener = (now: number): void => {
        lastWrite = Math.max(lastWrite, now)
        pending = true
        if (!running) start()
      }
      let listeners = afterWriteListeners.get(sql)
      if (listeners === undefined) afterWriteListeners.set(sql, listeners = new Set())
      listeners.add(listener)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          closed = true
          listeners.delete(listener)
        })
      )
    }

    return { worklist, tasks, refreshGrids }
  })
