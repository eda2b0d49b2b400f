/**
 * Looking inside the SQLite file from the test process: a content hash of every table (so
 * "nothing changed" covers anything a write could touch), row counts, and raw queries.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect } from "effect"
import { createHash } from "node:crypto"

/** Runs `f` with a SQL client on the file. */
export const withSql = <A, E>(filename: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>): Promise<A> =>
  Effect.flatMap(SqlClient.SqlClient, f).pipe(
    Effect.provide(SqliteClient.layer({ filename })),
    Effect.runPromise
  )

/** The hash of one table and of the whole file's content, table by table. */
export interface ContentHash {
  readonly total: string
  readonly tables: Readonly<Record<string, { readonly rows: number; readonly hash: string }>>
}

/**
 * A hash of the content of every table in the file (its schema included), independent of
 * row order on disk.
 */
export const contentHash = (filename: string): Promise<ContentHash> =>
  withSql(filename, (sql) =>
    Effect.gen(function*() {
      const tables = yield* sql<{ name: string; sql: string | null }>`
        SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`
      const out: Record<string, { rows: number; hash: string }> = {}
      const total = createHash("sha256")
      for (const table of tables) {
        const rows = yield* sql.unsafe<Record<string, unknown>>(
          `SELECT * FROM "${table.name.replaceAll("\"", "\"\"")}"`
        )
        const lines = rows.map((row) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? String(v) : v))).sort()
        const hash = createHash("sha256").update(table.sql ?? "").update("\n").update(lines.join("\n")).digest("hex")
        out[table.name] = { rows: rows.length, hash }
        total.update(`${table.name}:${hash}\n`)
      }
      return { total: total.digest("hex"), tables: out }
    }))

/** The tables whose content differs between two hashes. */
export const changedTables = (before: ContentHash, after: ContentHash): ReadonlyArray<string> =>
  [...new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])].filter((t) =>
    before.tables[t]?.hash !== after.tables[t]?.hash
  )
