import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Store } from "@minqing/core"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"
import { admin, onFile, tempFile } from "./fixtures.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(here, "../../..")
const WRITER = path.join(here, "child", "writer.ts")

interface Writer {
  readonly child: ChildProcess
  readonly lines: Array<string>
  readonly stderr: () => string
  readonly until: (predicate: (line: string) => boolean) => Promise<void>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Starts `child/writer.ts` (through tsx, resolving the workspace sources). */
const startWriter = (options: Record<string, unknown>): Writer => {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  let stderr = ""
  const waiters: Array<{ readonly predicate: (line: string) => boolean; readonly resolve: () => void }> = []
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line)
    for (const w of [...waiters]) {
      if (w.predicate(line)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  })
  child.stderr!.on("data", (chunk) => stderr += String(chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  return {
    child,
    lines,
    stderr: () => stderr,
    until: (predicate) =>
      lines.some(predicate)
        ? Promise.resolve()
        : Promise.race([
          new Promise<void>((resolve) => waiters.push({ predicate, resolve })),
          exited.then(({ code }) => {
            throw new Error(`the writer exited (${code}) before the expected line: ${stderr}`)
          })
        ]),
    exited
  }
}

/** Runs `f` with the SQL client and the store on `filename` (recovering it if needed). */
const inspect = <A, E>(
  filename: string,
  f: (sql: SqlClient.SqlClient, store: Store.Shape) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const store = yield* Store.Store
    return yield* f(sql, store)
  }).pipe(
    Effect.provide(
      onFile(filename)
    )
  )

const countPrefix = (sql: SqlClient.SqlClient, prefix: string) =>
  Effect.map(
    sql<{ n: number }>`SELECT count(*) AS n FROM visits WHERE id >= ${prefix} AND id < ${prefix + "\uffff"}`,
    ([row]) => row.n
  )

describe("SqliteStore across processes", () => {
  it.scopedLive(
    "a writer killed with SIGKILL in the middle of a batch leaves all of the batch or none of it",
    () =>
      Effect.gen(function*() {
        const filename = yield* tempFile
        const batchSize = 2000
        let cutInFlight = 0
        for (let round = 0; round < 4; round++) {
          const writer = startWriter({ filename, prefix: `k${round}`, batches: 100, batchSize })
          yield* Effect.addFinalizer(() => Effect.sync(() => writer.child.kill("SIGKILL")))
          // Let one batch commit, then kill during a later one at a varying moment.
          yield* Effect.promise(() => writer.until((l) => l === "ack 0"))
          const target = 1 + round % 2
          yield* Effect.promise(() => writer.until((l) => l === `start ${target}`))
          yield* Effect.sleep(`${10 + 40 * round} millis`)
          writer.child.kill("SIGKILL")
          const exit = yield* Effect.promise(() => writer.exited)
          assert.strictEqual(exit.signal, "SIGKILL")
          const acked = writer.lines.filter((l) => l.startsWith("ack ")).map((l) => Number(l.slice(4)))
          const started = writer.lines.filter((l) => l.startsWith("start ")).map((l) => Number(l.slice(6)))
          const inFlight = started.filter((b) => !acked.includes(b))

          yield* inspect(filename, (sql, store) =>
            Effect.gen(function*() {
              const [check] = yield* sql<{ integrity_check: string }>`PRAGMA integrity_check`
              assert.strictEqual(check.integrity_check, "ok")
              for (const b of started) {
                const n = yield* countPrefix(sql, `k${round}-${b}-`)
                if (acked.includes(b)) assert.strictEqual(n, batchSize, `acknowledged batch ${b} is complete`)
                else {
                  assert.include([0, batchSize], n, `batch ${b}, cut by the kill, is all or nothing`)
                  if (n === 0) cutInFlight += 1
                }
              }
              // The store opens and reads normally after the crash.
              const page = yield* store.list(admin, "Visit", { limit: 10 })
              assert.strictEqual(page.items.length, 10)
              // Nothing beyond the started batches was written.
              const total = yield* countPrefix(sql, `k${round}-`)
              const expected = acked.length * batchSize
              assert.isTrue(total === expected || total === expected + batchSize * inFlight.length)
            }))
        }
        // At least one kill landed while a batch was being written (started, never committed).
        assert.isAtLeast(cutInFlight, 1)
      }),
    240_000
  )

  it.scopedLive("two processes writing one file never surface SQLITE_BUSY", () =>
    Effect.gen(function*() {
      const filename = yield* tempFile
      const common = { filename, batches: 15, batchSize: 300, busyTimeoutMillis: 1, readBetween: true }
      // Both open a new file at once: the migration is raced too.
      const a = startWriter({ ...common, prefix: "a" })
      const b = startWriter({ ...common, prefix: "b" })
      yield* Effect.addFinalizer(() => Effect.sync(() => (a.child.kill("SIGKILL"), b.child.kill("SIGKILL"))))
      const [exitA, exitB] = yield* Effect.promise(() => Promise.all([a.exited, b.exited]))
      assert.strictEqual(exitA.code, 0, a.stderr())
      assert.strictEqual(exitB.code, 0, b.stderr())
      for (const w of [a, b]) {
        assert.notMatch(w.stderr() + w.lines.join("\n"), /SQLITE_BUSY|database is locked/)
        assert.include(w.lines, "done")
      }
      yield* inspect(filename, (sql) =>
        Effect.gen(function*() {
          assert.strictEqual(yield* countPrefix(sql, "a-"), common.batches * common.batchSize)
          assert.strictEqual(yield* countPrefix(sql, "b-"), common.batches * common.batchSize)
          const [audit] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM audit WHERE tag = 'Visit'`
          assert.strictEqual(audit.n, 2 * common.batches * common.batchSize)
        }))
    }), 240_000)
})
