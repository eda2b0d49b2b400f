/**
 * The core's `Store` and `Accounts` ports on an embedded SQLite database, through
 * `@effect/sql` and `@effect/sql-sqlite-node`.
 *
 * - The file is migrated on open (see `Migrations`), in WAL mode with a busy timeout and
 *   foreign keys on.
 * - A write runs the core's `WriteCheck` against the stored state and applies its plan in
 *   one `BEGIN IMMEDIATE` transaction: all of it or none, even if the process is killed.
 *   Several processes may share one file; a write waits for the lock (and retries) instead
 *   of surfacing `SQLITE_BUSY`.
 * - Every version of every record is kept with the instant it was recorded, so reads "as
 *   of" a date reproduce the past; visits are append-only and idempotent by id.
 * - Reads are bounded by place subtree through the `place_closure` table and run on
 *   indexes; large scopes are loaded in chunks of households.
 *
 * @since 0.1.0
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Statement } from "@effect/sql/Statement"
import { Accounts, CoverageStore, Deployment, Fact, Problem, Store, TaskState, WriteCheck } from "@minqing/core"
import type { Access, Ids, LocalDate } from "@minqing/core"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as internal from "./internal/database.js"
import * as GroupCommit from "./internal/groupCommit.js"
import { decodeData, scopeOf, tableOf } from "./internal/tables.js"
import * as WritePath from "./internal/writePath.js"
import * as Migrations from "./Migrations.js"
import * as SqliteAccounts from "./SqliteAccounts.js"
import * as SqliteCoverage from "./SqliteCoverage.js"
import * as SqliteTaskState from "./SqliteTaskState.js"

/**
 * Options of the store.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The database file (created when missing), or `":memory:"`. */
  readonly filename: string
  /**
   * How long one statement waits for another connection's lock before SQLite gives up
   * (`PRAGMA busy_timeout`). Default: 5 seconds.
   */
  readonly busyTimeout?: Duration.DurationInput
  /**
   * How long, in total, an operation keeps retrying while the database stays locked before
   * it fails with `StoreError`. Default: 2 minutes.
   */
  readonly lockBudget?: Duration.DurationInput
  /**
   * `"full"` (default) syncs the write-ahead log at every commit, so a committed batch
   * survives a power cut; `"normal"` survives a crash of the process only, and is faster.
   */
  readonly synchronous?: "full" | "normal"
  /** Rows per statement when a scope is loaded in chunks. Default: 500 households. */
  readonly chunkSize?: number
}

const CHUNK = 500

/** Pages of write-ahead log between automatic checkpoints (SQLite's default is 1,000). */
const WAL_AUTOCHECKPOINT_PAGES = 10_000

/** The size the write-ahead log file is truncated back to after a checkpoint, in bytes. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const byId = <A extends { readonly id: string }>(a: A, b: A) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

interface Row {
  readonly id: string
  readonly seq: number
  readonly data: string
}

/**
 * Builds the `Store` and `Accounts` services on the `SqlClient` in context, which must be a
 * SQLite client (`@effect/sql-sqlite-node`): sets the connection's pragmas, runs the
 * migrations, and checks the deployment's time zone against the one the file was written
 * with (re-dating visits if it changed).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Omit<Options, "filename"> = {}
): Effect.Effect<
  Context.Context<
    | Store.Store
    | Accounts.Accounts
    | SqliteCoverage.SqliteCoverage
    | CoverageStore.CoverageStore
    | TaskState.TaskState
  >,
  Problem.StoreError,
  SqlClient.SqlClient | Deployment.Deployment | Scope.Scope
> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const settings = yield* Deployment.Deployment
    const { zone } = settings
    const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? CHUNK))
    const retry = internal.retryBusy(options.lockBudget ?? Duration.minutes(2))
    const writeTransaction = yield* internal.makeWriteTransaction
    const inWrite = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      retry(internal.commitFailures(writeTransaction(effect)))
    const inRead = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      retry(internal.commitFailures(sql.withTransaction(effect)))
    // Writes that arrive while another write's transaction is open share its commit (see GroupCommit).
    const inWriteGroup = GroupCommit.make({
      transaction: (effect) => internal.commitFailures(writeTransaction(effect)),
      savepoint: writeTransaction,
      retry
    })

    const busyMillis = Math.max(0, Math.round(Duration.toMillis(options.busyTimeout ?? Duration.seconds(5))))
    yield* Effect.mapError(
      Effect.gen(function*() {
        yield* sql.unsafe(`PRAGMA busy_timeout = ${busyMillis}`).raw
        yield* sql.unsafe(`PRAGMA foreign_keys = ON`).raw
        // Statement journals (a statement that fires a trigger needs one) in memory, not in temp files.
        yield* sql.unsafe(`PRAGMA temp_store = MEMORY`).raw
        // Checkpoint the write-ahead log every ~40 MB instead of every 4 MB: a page that several
        // batches change is copied back once, not once per batch. Commits stay as durable.
        yield* sql.unsafe(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`).raw
        yield* sql.unsafe(`PRAGMA journal_size_limit = ${JOURNAL_SIZE_LIMIT}`).raw
        yield* sql.unsafe(`PRAGMA synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`).raw
      }),
      internal.toStoreError("configuring the connection")
    )

    // Visits carry the local date they count for; a new zone changes some of them.
    const redate = Effect.gen(function*() {
      let after = ""
      while (true) {
        const rows = yield* sql<{ readonly id: string; readonly at: number; readonly local_date: string }>`
          SELECT id, at, local_date FROM visits WHERE id > ${after} ORDER BY id LIMIT 5000`
        if (rows.length === 0) return
        for (const row of rows) {
          const date = zone.dateOf(row.at)
          if (date !== row.local_date) yield* sql`UPDATE visits SET local_date = ${date} WHERE id = ${row.id}`
        }
        after = rows[rows.length - 1].id
      }
    })

    yield* inWrite(Effect.gen(function*() {
      yield* sql`CREATE TABLE IF NOT EXISTS effect_sql_migrations (
        migration_id integer PRIMARY KEY NOT NULL,
        created_at datetime NOT NULL DEFAULT current_timestamp,
        name VARCHAR(255) NOT NULL
      )`
      const [newest] = yield* sql<
        { readonly id: number | null }
      >`SELECT max(migration_id) AS id FROM effect_sql_migrations`
      if (newest.id !== null && newest.id > Migrations.latest) {
        return yield* new Problem.StoreError({
          reason: `the database was written by a newer version of @minqing/adapter-sqlite (schema ${newest.id}, ` +
            `this version knows up to ${Migrations.latest}); upgrade the package, migrations only go forward`
        })
      }
      yield* Migrations.run
      const [stored] = yield* sql<{ readonly value: string }>`SELECT value FROM meta WHERE key = 'zone'`
      if (stored === undefined) {
        yield* sql`INSERT INTO meta (key, value) VALUES ('zone', ${zone.name})`
      } else if (stored.value !== zone.name) {
        yield* redate
        yield* sql`UPDATE meta SET value = ${zone.name} WHERE key = 'zone'`
      }
    })).pipe(
      Effect.catchTag(
        "MigrationError",
        (e) => new Problem.StoreError({ reason: `migration failed: ${e.message}`, cause: e })
      ),
      Effect.catchTag("SqlError", (e) => Effect.fail(internal.toStoreError("opening the database")(e)))
    )

    // ---------------------------------------------------------------------------------------
    // Fragments

    const inList = (values: ReadonlyArray<string | number>) =>
      values.length === 0 ? sql.literal("(NULL)") : sql.in(values)
    /** The places of the subtrees under these roots (the roots included). */
    const subtree = (roots: ReadonlyArray<Ids.PlaceId>) =>
      sql`SELECT descendant FROM place_closure WHERE ancestor IN ${inList(roots)}`
    /** The strict ancestors of these roots. */
    const above = (roots: ReadonlyArray<Ids.PlaceId>) =>
      sql`SELECT ancestor FROM place_closure WHERE descendant IN ${inList(roots)} AND depth > 0`
    /** The version of a record current at the exclusive instant `cutoff` (now when undefined). */
    const validAt = (tag: Fact.Tag, cutoff: number | undefined, alias: string) => {
      const a = sql.literal(alias)
      if (tag === "Visit") return cutoff === undefined ? sql.literal("1 = 1") : sql`${a}.recorded_at < ${cutoff}`
      return cutoff === undefined
        ? sql`${a}.superseded_at IS NULL`
        : sql`${a}.recorded_at < ${cutoff} AND (${a}.superseded_at IS NULL OR ${a}.superseded_at >= ${cutoff})`
    }
    /**
     * The writes placed at these places after `after`: a placement row's own `seq`, and the
     * visits of a run the row places as a whole (`first_seq` to `seq`, migration 10).
     */
    const placedAt = (places: Statement<unknown>, after: number) =>
      sql`SELECT p.seq FROM placements p WHERE p.place_id IN (${places}) AND p.seq > ${after}
        UNION SELECT v.seq FROM placements p JOIN visits v ON v.seq >= p.first_seq AND v.seq < p.seq
        WHERE p.place_id IN (${places}) AND p.seq > ${after} AND p.first_seq IS NOT NULL AND v.seq > ${after}`
    const householdsIn = (roots: ReadonlyArray<Ids.PlaceId>, cutoff: number | undefined) =>
      sql`SELECT h.id FROM households h WHERE h.place_id IN (${subtree(roots)}) AND ${
        validAt("Household", cutoff, "h")
      }`
    /**
     * Rows of one kind within the subtrees. Places and campaigns also match above the roots
     * (the ancestors a scope hangs from, and campaigns that cover it).
     */
    const inScope = (tag: Fact.Tag, roots: ReadonlyArray<Ids.PlaceId>, cutoff: number | undefined) => {
      switch (scopeOf[tag]) {
        case "place":
          return sql`(t.id IN (${subtree(roots)}) OR t.id IN (${above(roots)}))`
        case "placements":
          // A liaison's grids (kept by a trigger): its placements, without walking every visit's.
          return sql`t.seq IN (SELECT liaison_seq FROM liaison_grids WHERE place_id IN (${subtree(roots)}))`
        case "column":
          return tag === "Campaign"
            ? sql`(t.place_id IN (${subtree(roots)}) OR t.place_id IN (${above(roots)}))`
            : sql`t.place_id IN (${subtree(roots)})`
        case "household":
          return sql`t.household_id IN (${householdsIn(roots, cutoff)})`
      }
    }

    const decodeRows = <T extends Fact.Tag>(tag: T, rows: ReadonlyArray<{ readonly data: string }>) =>
      Effect.suspend(() => {
        const out: Array<Fact.Of<T>> = []
        for (const row of rows) {
          const fact = decodeData(tag, row.data)
          if (Either.isLeft(fact)) return Effect.fail(fact.left)
          out.push(fact.right)
        }
        return Effect.succeed(out)
      })

    const cutoffOf = (asOf: LocalDate.LocalDate | undefined) => (asOf === undefined ? undefined : zone.endOf(asOf))

    /** The roots an actor reads under: their own, narrowed to `scope` when given. */
    const rootsFor = (actor: Access.Actor, scope: Ids.PlaceId | undefined) =>
      Effect.gen(function*() {
        const own = [...new Set(actor.scope)]
        if (scope === undefined || own.length === 0) return own
        const within = yield* sql<{ readonly ancestor: Ids.PlaceId }>`
          SELECT ancestor FROM place_closure WHERE descendant = ${scope} AND ancestor IN ${inList(own)} LIMIT 1`
        if (within.length > 0) return [scope]
        const below = yield* sql<{ readonly descendant: Ids.PlaceId }>`
          SELECT descendant FROM place_closure WHERE ancestor = ${scope} AND descendant IN ${inList(own)}`
        return below.map((r) => r.descendant)
      })

    // ---------------------------------------------------------------------------------------
    // Reads

    const selectScoped = (
      tag: Fact.Tag,
      roots: ReadonlyArray<Ids.PlaceId>,
      cutoff: number | undefined,
      where: Statement<unknown> | undefined,
      tail: Statement<unknown> | undefined
    ) =>
      sql<Row>`SELECT t.id, t.seq, t.data FROM ${sql(tableOf[tag])} t WHERE ${validAt(tag, cutoff, "t")} AND ${
        inScope(tag, roots, cutoff)
      }${where === undefined ? sql.literal("") : sql` AND ${where}`}${tail === undefined ? sql.literal("") : tail}`

    const get = <T extends Fact.Tag>(
      actor: Access.Actor,
      tag: T,
      id: string,
      getOptions?: { readonly asOf?: LocalDate.LocalDate }
    ): Effect.Effect<Option.Option<Fact.Of<T>>, Problem.StoreError> =>
      Effect.gen(function*() {
        const roots = yield* rootsFor(actor, undefined)
        if (roots.length === 0) return Option.none()
        const rows = yield* selectScoped(tag, roots, cutoffOf(getOptions?.asOf), sql`t.id = ${id}`, sql` LIMIT 1`)
        const facts = yield* decodeRows(tag, rows)
        return Option.fromNullable(facts[0])
      }).pipe(inRead, Effect.mapError(toStoreError(`reading ${tag} "${id}"`)))

    const list = <T extends Fact.Tag>(
      actor: Access.Actor,
      tag: T,
      listOptions: Store.ListOptions = {}
    ): Effect.Effect<Store.Page<Fact.Of<T>>, Problem.StoreError> =>
      Effect.gen(function*() {
        const roots = yield* rootsFor(actor, listOptions.scope)
        if (roots.length === 0) return { items: [] }
        const limit = Store.pageSize(listOptions.limit)
        const rows = yield* selectScoped(
          tag,
          roots,
          cutoffOf(listOptions.asOf),
          listOptions.after === undefined ? undefined : sql`t.id > ${listOptions.after}`,
          sql` ORDER BY t.id LIMIT ${limit + 1}`
        )
        const items = yield* decodeRows(tag, rows.slice(0, limit))
        return rows.length > limit ? { items, next: rows[limit - 1].id } : { items }
      }).pipe(inRead, Effect.mapError(toStoreError(`listing ${tag}`)))

    const load = (actor: Access.Actor, loadOptions: Store.LoadOptions = {}) =>
      Effect.gen(function*() {
        const roots = yield* rootsFor(actor, loadOptions.scope)
        if (roots.length === 0) return Fact.empty
        const cutoff = cutoffOf(loadOptions.asOf)
        const all = <T extends Fact.Tag>(tag: T) =>
          Effect.flatMap(selectScoped(tag, roots, cutoff, undefined, undefined), (rows) => decodeRows(tag, rows))
        const places = yield* all("Place")
        const liaisons = yield* all("Liaison")
        const households = yield* all("Household")
        const campaigns = yield* all("Campaign")
        const householdIds = households.map((h) => h.id).sort()
        const window = loadOptions.window
        // Everything recorded at a household, a chunk of households at a time.
        const atHouseholds = <T extends "Resident" | "ArrivalReport" | "Matter" | "Visit">(tag: T) =>
          Stream.fromIterable(chunksOf(householdIds, chunkSize)).pipe(
            Stream.mapEffect((ids) =>
              Effect.flatMap(
                sql<Row>`SELECT t.id, t.seq, t.data FROM ${sql(tableOf[tag])} t WHERE t.household_id IN ${
                  inList(ids)
                } AND ${validAt(tag, cutoff, "t")}${
                  tag === "Visit" && window !== undefined
                    ? sql` AND t.local_date BETWEEN ${window.from} AND ${window.to}`
                    : sql.literal("")
                }`,
                (rows) => decodeRows(tag, rows)
              )
            ),
            Stream.flattenIterables,
            Stream.runCollect,
            Effect.map((chunk) => Chunk.toArray(chunk).sort(byId))
          )
        const residents = yield* atHouseholds("Resident")
        const arrivals = yield* atHouseholds("ArrivalReport")
        const matters = yield* atHouseholds("Matter")
        const visits = yield* atHouseholds("Visit")
        return {
          places: places.sort(byId),
          liaisons: liaisons.sort(byId),
          households: households.sort(byId),
          residents,
          visits,
          arrivals,
          matters,
          campaigns: campaigns.sort(byId)
        } satisfies Fact.Facts
      }).pipe(inRead, Effect.mapError(toStoreError("loading a scope")))

    /** The ids of every place in the subtrees, as a set (for filtering a handful of rows). */
    const subtreeSet = (roots: ReadonlyArray<Ids.PlaceId>) =>
      Effect.map(
        sql<{ readonly descendant: string }>`${subtree(roots)}`,
        (rows) => new Set(rows.map((r) => r.descendant))
      )

    /** The current household (or, for facts recorded at one, its household) of each fact. */
    const anchorsNow = (facts: ReadonlyArray<Fact.Fact>) =>
      Effect.gen(function*() {
        const wanted = [...new Set(facts.map(WriteCheck.householdIdOf).filter((id) => id !== undefined))]
        const households = new Map<string, Fact.Of<"Household">>()
        for (const ids of chunksOf(wanted, chunkSize)) {
          const rows = yield* sql<Row>`SELECT id, seq, data FROM households WHERE id IN ${
            inList(ids)
          } AND superseded_at IS NULL`
          for (const h of yield* decodeRows("Household", rows)) households.set(h.id, h)
        }
        return (fact: Fact.Fact) => WriteCheck.anchorsOf(fact, (id) => households.get(id))
      })

    const currentByTagAndSeq = (wanted: ReadonlyArray<{ readonly tag: Fact.Tag; readonly seq: number }>) =>
      Effect.gen(function*() {
        const out = new Map<number, Fact.Fact>()
        for (const tag of Fact.tags) {
          const seqs = wanted.filter((w) => w.tag === tag).map((w) => w.seq)
          for (const chunk of chunksOf(seqs, chunkSize)) {
            const rows = yield* sql<Row>`SELECT id, seq, data FROM ${sql(tableOf[tag])} t WHERE t.seq IN ${
              inList(chunk)
            } AND ${validAt(tag, undefined, "t")}`
            const facts = yield* decodeRows(tag, rows)
            rows.forEach((row, i) => out.set(row.seq, facts[i]))
          }
        }
        return out
      })

    const changes = (
      actor: Access.Actor,
      since: Store.Cursor | undefined,
      changeOptions: { readonly limit?: number; readonly scope?: Ids.PlaceId } = {}
    ): Effect.Effect<Store.Changes, Problem.StoreError> =>
      Effect.gen(function*() {
        const start = since === undefined ? 0 : Number(since)
        const limit = Store.pageSize(changeOptions.limit)
        const [{ top }] = yield* sql<{ readonly top: number | null }>`SELECT max(seq) AS top FROM audit`
        const newest = Math.max(start, top ?? 0)
        const end = { facts: [], cursor: String(newest) as Store.Cursor, more: false }
        const roots = yield* rootsFor(actor, changeOptions.scope)
        if (roots.length === 0) return end
        const within = yield* subtreeSet(roots)
        const aboveRoots = new Set(
          (yield* sql<{ readonly ancestor: string }>`${above(roots)}`).map((r) => r.ancestor)
        )
        const facts: Array<Fact.Fact> = []
        let from = start
        while (true) {
          // Candidates: writes placed in the subtrees or above them (places and campaigns
          // covering them), and versions that followed a household into the subtrees.
          const entries = yield* sql<{ readonly seq: number; readonly tag: Fact.Tag }>`
            SELECT a.seq, a.tag FROM audit a WHERE a.seq IN (
              ${placedAt(subtree(roots), from)}
              UNION SELECT p.seq FROM placements p WHERE p.place_id IN (${above(roots)}) AND p.seq > ${from}
              UNION SELECT r.seq FROM relocations r WHERE r.place_id IN (${subtree(roots)}) AND r.seq > ${from}
            ) ORDER BY a.seq LIMIT ${Math.max(limit, 200)}`
          if (entries.length === 0) return { ...end, facts }
          // An entry counts when it wrote the version that is still current and still visible.
          const current = yield* currentByTagAndSeq(entries)
          const anchors = yield* anchorsNow([...current.values()])
          for (const e of entries) {
            const fact = current.get(e.seq)
            if (fact === undefined) continue
            const visible = fact._tag === "Place"
              ? within.has(fact.id) || aboveRoots.has(fact.id)
              : fact._tag === "Campaign"
              ? within.has(fact.scopeId) || aboveRoots.has(fact.scopeId)
              : anchors(fact).some((p) => within.has(p))
            if (!visible) continue
            facts.push(fact)
            if (facts.length >= limit) {
              return { facts, cursor: String(e.seq) as Store.Cursor, more: e.seq < (top ?? 0) }
            }
          }
          from = entries[entries.length - 1].seq
        }
      }).pipe(inRead, Effect.mapError(toStoreError("reading changes")))

    const audit = (
      actor: Access.Actor,
      auditOptions: { readonly afterSeq?: number; readonly limit?: number; readonly id?: string } = {}
    ): Effect.Effect<ReadonlyArray<Store.AuditEntry>, Problem.StoreError> =>
      Effect.gen(function*() {
        const roots = yield* rootsFor(actor, undefined)
        if (roots.length === 0) return []
        const limit = Store.pageSize(auditOptions.limit)
        const after = auditOptions.afterSeq ?? 0
        const rows = yield* sql<{
          readonly seq: number
          readonly at: number
          readonly actor_id: string
          readonly role: string
          readonly operation: "create" | "update"
          readonly tag: Fact.Tag
          readonly id: string
          readonly before_seq: number | null
        }>`SELECT a.seq, a.at, a.actor_id, a.role, a.operation, a.tag, a.id, a.before_seq FROM audit a
          WHERE a.seq > ${after}${
          auditOptions.id === undefined
            ? sql.literal("")
            // `audit_by_id` lists every kind but visits (migration 7); a visit's entry is its row's `seq`.
            : sql` AND a.id = ${auditOptions.id} AND a.seq IN (
              SELECT seq FROM audit WHERE id = ${auditOptions.id} AND tag <> 'Visit'
              UNION ALL SELECT seq FROM visits WHERE id = ${auditOptions.id})`
        }
          AND a.seq IN (${placedAt(subtree(roots), after)})
          ORDER BY a.seq LIMIT ${limit}`
        const data = new Map<number, unknown>()
        for (const tag of Fact.tags) {
          const seqs = rows.filter((r) => r.tag === tag).flatMap((r) =>
            r.before_seq === null ? [r.seq] : [r.seq, r.before_seq]
          )
          for (const chunk of chunksOf(seqs, chunkSize)) {
            const versions = yield* sql<{ readonly seq: number; readonly data: string }>`
              SELECT seq, data FROM ${sql(tableOf[tag])} WHERE seq IN ${inList(chunk)}`
            for (const v of versions) data.set(v.seq, JSON.parse(v.data))
          }
        }
        // Changes to accounts, tokens and settings (`Accounts`) keep their records beside the trail.
        const factTags = new Set<string>(Fact.tags)
        const records = new Map<number, { readonly before: string | null; readonly after: string }>()
        for (const chunk of chunksOf(rows.filter((r) => !factTags.has(r.tag)).map((r) => r.seq), chunkSize)) {
          const found = yield* sql<{ readonly seq: number; readonly before: string | null; readonly after: string }>`
            SELECT seq, before, after FROM audit_records WHERE seq IN ${inList(chunk)}`
          for (const f of found) records.set(f.seq, f)
        }
        return rows.map((r) => {
          const record = records.get(r.seq)
          return new Store.AuditEntry({
            seq: r.seq,
            at: DateTime.unsafeMake(r.at),
            actorId: r.actor_id,
            role: r.role,
            operation: r.operation,
            tag: r.tag,
            id: r.id,
            ...(record === undefined
              ? (r.before_seq === null ? {} : { before: data.get(r.before_seq) })
              : (record.before === null ? {} : { before: JSON.parse(record.before) })),
            after: record === undefined ? data.get(r.seq) : JSON.parse(record.after)
          }, { disableValidation: true })
        })
      }).pipe(inRead, Effect.mapError(toStoreError("reading the audit trail")))

    // ---------------------------------------------------------------------------------------
    // Writes

    const { committed, lookup, persist } = WritePath.make(sql, zone)
    // What is visible outside a transaction is committed.
    if (Option.isNone(yield* Effect.serviceOption(SqlClient.TransactionConnection))) {
      const [opened] = yield* Effect.mapError(
        sql<{ readonly top: number | null }>`SELECT max(seq) AS top FROM audit`,
        internal.toStoreError("opening the database")
      )
      committed(opened?.top ?? 0)
    }

    const write = (
      actor: Access.Actor,
      facts: ReadonlyArray<Fact.Fact>
    ): Effect.Effect<ReadonlyArray<Store.Receipt>, Problem.Rejected | Problem.StoreError> =>
      Effect.gen(function*() {
        // Inside a transaction the caller opened, the write is committed only if the caller commits.
        const outer = yield* Effect.serviceOption(SqlClient.TransactionConnection)
        const { receipts, top } = yield* Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const plan = yield* WriteCheck.check({ actor, facts, settings, now, lookup })
          const top = yield* persist(actor, plan.writes, now)
          // Task state: the households these writes touch are stale, in this same transaction.
          yield* SqliteTaskState.afterWrite(sql, plan.writes)
          return { receipts: plan.receipts, top }
        }).pipe(inWriteGroup)
        if (Option.isNone(outer)) committed(top)
        return receipts
      }).pipe(
        Effect.catchTag("SqlError", (e) => Effect.fail(internal.toStoreError("writing a batch")(e)))
      )

    const store: Store.Shape = { write, get, list, load, changes, audit }
    const accounts = yield* SqliteAccounts.make(
      options.lockBudget === undefined ? {} : { lockBudget: options.lockBudget }
    )
    const taskState = yield* SqliteTaskState.make(
      options.lockBudget === undefined ? {} : { lockBudget: options.lockBudget }
    )
    const coverage = yield* SqliteCoverage.fromTaskState(taskState)
    return Context.make(Store.Store, store).pipe(
      Context.add(Accounts.Accounts, accounts),
      Context.add(SqliteCoverage.SqliteCoverage, coverage),
      Context.add(CoverageStore.CoverageStore, coverage),
      Context.add(TaskState.TaskState, taskState)
    )
  })

const toStoreError = (what: string) => (error: SqlError | Problem.StoreError): Problem.StoreError =>
  error._tag === "StoreError" ? error : internal.toStoreError(what)(error)

/**
 * The SQLite client for a file, mapped to the core's error.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Pick<Options, "filename">
): Layer.Layer<SqliteClient.SqliteClient | SqlClient.SqlClient, Problem.StoreError> =>
  SqliteClient.layer({ filename: options.filename }).pipe(
    Layer.mapError((e) => new Problem.StoreError({ reason: `opening ${options.filename}: ${e.message}`, cause: e }))
  )

/**
 * The `Store` and `Accounts` ports on a SQLite file (or `":memory:"`), migrated on open,
 * with `SqliteCoverage` (coverage reports computed in SQL, also provided as the core's
 * `CoverageStore`) and the core's `TaskState` with
 * tasks kept in the file (`SqliteTaskState`) on the same connection.
 * Needs the core's `Deployment` (its time zone decides the local date of each visit).
 *
 * @example
 * ```ts
 * import { Deployment, Store } from "@minqing/core"
 * import { SqliteStore } from "@minqing/adapter-sqlite"
 * import { Effect, Layer } from "effect"
 *
 * const StoreLive = SqliteStore.layer({ filename: "minqing.db" }).pipe(
 *   Layer.provide(Deployment.layer({ zone: "Asia/Shanghai" }))
 * )
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* Store.Store
 *   // store.write(actor, facts), store.load(actor, { scope, window }) …
 * })
 *
 * Effect.runPromise(Effect.provide(program, StoreLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  Store.Store | Accounts.Accounts | SqliteCoverage.SqliteCoverage | CoverageStore.CoverageStore | TaskState.TaskState,
  Problem.StoreError,
  Deployment.Deployment
> => Layer.scopedContext(make(options)).pipe(Layer.provide(layerClient(options)))
