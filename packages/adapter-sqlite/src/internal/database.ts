import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Problem } from "@minqing/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"

/** @internal */
export type StoreError = Problem.StoreError

const codeOf = (cause: unknown): string | undefined =>
  Predicate.hasProperty(cause, "code") && typeof cause.code === "string" ? cause.code : undefined

const messageOf = (error: SqlError): string =>
  Predicate.hasProperty(error.cause, "message") ? String(error.cause.message) : error.message

/**
 * Whether a failure is SQLite saying another connection holds the lock (`SQLITE_BUSY`,
 * `SQLITE_BUSY_SNAPSHOT`, `SQLITE_LOCKED`…): worth retrying, never worth showing a caller.
 *
 * @internal
 */
export const isBusy = (error: unknown): boolean => {
  const code = codeOf(Predicate.hasProperty(error, "cause") ? error.cause : error) ?? codeOf(error)
  return code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
}

/**
 * Turns the failures of `@effect/sql` (and a stored row that no longer decodes) into the
 * core's `StoreError`.
 *
 * @internal
 */
export const toStoreError = (what: string) => (error: SqlError | ParseResult.ParseError): StoreError =>
  error._tag === "ParseError"
    ? new Problem.StoreError({ reason: `${what}: a stored record does not decode: ${error.message}`, cause: error })
    : new Problem.StoreError({
      reason: `${what}: ${Predicate.hasProperty(error.cause, "message") ? String(error.cause.message) : error.message}${
        codeOf(error.cause) === undefined ? "" : ` (${codeOf(error.cause)})`
      }`,
      cause: error
    })

/**
 * Retries while SQLite reports the database busy (after its own busy timeout), with a
 * jittered exponential backoff capped at about `budget` in total.
 *
 * @internal
 */
export const retryBusy = (budget: Duration.DurationInput) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.retry(effect, {
    schedule: Schedule.exponential("5 millis", 2).pipe(
      Schedule.either(Schedule.spaced("250 millis")),
      Schedule.jittered,
      Schedule.upTo(budget)
    ),
    while: isBusy
  })

/**
 * Runs `effect` in a write transaction begun with `BEGIN IMMEDIATE`, so the write lock is
 * taken up front (and waited for with the busy timeout) instead of failing with
 * `SQLITE_BUSY_SNAPSHOT` when a read transaction tries to become a write one. Nested calls
 * become savepoints, and `sql.withTransaction` inside it joins it.
 *
 * @internal
 */
export const makeWriteTransaction = Effect.map(
  SqlClient.SqlClient,
  (sql) =>
    SqlClient.makeWithTransaction({
      transactionTag: SqlClient.TransactionConnection,
      spanAttributes: [["db.system.name", "sqlite"]],
      acquireConnection: Effect.flatMap(
        Scope.make(),
        (scope) => Effect.map(Scope.extend(sql.reserve, scope), (conn) => [scope, conn] as const)
      ),
      begin: (conn) => conn.executeUnprepared("BEGIN IMMEDIATE", [], undefined),
      savepoint: (conn, id) => conn.executeUnprepared(`SAVEPOINT minqing_${id}`, [], undefined),
      commit: (conn) => conn.executeUnprepared("COMMIT", [], undefined),
      // When BEGIN itself failed (busy) or SQLite already rolled back, there is nothing to undo;
      // failing here would turn the retryable error into a defect.
      rollback: (conn) =>
        Effect.catchIf(
          conn.executeUnprepared("ROLLBACK", [], undefined),
          (e) => /no transaction is active/.test(messageOf(e)),
          () => Effect.void
        ),
      rollbackSavepoint: (conn, id) => conn.executeUnprepared(`ROLLBACK TO SAVEPOINT minqing_${id}`, [], undefined)
    })
)

/**
 * A failed COMMIT or ROLLBACK is a defect in `@effect/sql`; a busy or I/O failure there is
 * the storage failing, so it comes back as a typed failure.
 *
 * @internal
 */
export const commitFailures = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
  Effect.catchSomeDefect(
    effect,
    (defect) => defect instanceof SqlError ? Option.some(Effect.fail(defect)) : Option.none()
  )
