/**
 * Group commit for the store's writes. A commit in synchronous FULL mode waits for the disk
 * (an fsync of the write-ahead log), and on a busy server that wait, not the work, bounds how
 * many writes a second one file takes. So a write that arrives while another write's
 * transaction is open joins it: each write runs in its own savepoint of that transaction (a
 * refused batch rolls back to its savepoint and changes nothing), the transaction commits
 * once for all of them, and every write is answered only after that commit. Nothing is
 * acknowledged before it is durable, each batch stays all or nothing, and the writes of a
 * group see each other exactly as writes in a row would.
 *
 * A group forms as soon as a write finds no open one, before its transaction has even begun:
 * writes arriving while it waits for the lock, or while an earlier group commits, join it
 * instead of queueing for transactions of their own. Its writes run one after the other on
 * the one connection, the first write first; the group closes when no joined write is left
 * (or it is full) and commits. A write made inside a transaction the caller opened joins
 * that transaction instead, as before.
 *
 * @internal
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"

/** Writes at most in one group: a bound on how long the first one waits for its answer. */
const MAX_MEMBERS = 64

type Connection = Context.Tag.Service<typeof SqlClient.TransactionConnection>

interface Group {
  /** Set once the group's transaction has begun. */
  connection: Connection | undefined
  /** Completed when the first write is done and the others may run (failed if the transaction failed first). */
  readonly ready: Deferred.Deferred<void, SqlError>
  /** Completed after the commit (failed if the transaction failed). */
  readonly committed: Deferred.Deferred<void, SqlError>
  /** The joined writes run one at a time. */
  readonly mutex: Effect.Semaphore
  open: boolean
  members: number
  /** Joined writes not finished yet. */
  pending: number
  drained: Deferred.Deferred<void> | undefined
}

/** Resumes after the I/O callbacks already due (`setImmediate`), not just the microtasks. */
const nextTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** @internal */
export interface Options {
  /** Runs one transaction attempt (BEGIN IMMEDIATE … COMMIT), failing with the commit's failure. */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
  /** The same transaction maker: inside a transaction it opens a savepoint. */
  readonly savepoint: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
  /** Retries what SQLite refused because the database was busy. */
  readonly retry: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * Makes the runner: `run(write)` runs a write in a group and answers after its commit.
 *
 * @internal
 */
export const make = (options: Options) => {
  let current: Group | undefined

  const finish = (group: Group) =>
    Effect.suspend(() => {
      group.pending -= 1
      return group.pending === 0 && group.drained !== undefined ? Deferred.succeed(group.drained, void 0) : Effect.void
    })

  /** Runs a write in the group's transaction once its first write is done, then waits for the commit. */
  const join = <A, E, R>(group: Group, write: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Deferred.await(group.ready).pipe(
      Effect.zipRight(
        group.mutex.withPermits(1)(
          Effect.suspend(() =>
            Effect.provideService(options.savepoint(write), SqlClient.TransactionConnection, group.connection!)
          )
        )
      ),
      Effect.exit,
      Effect.ensuring(finish(group)),
      Effect.flatMap((exit) => Exit.isFailure(exit) ? exit : Effect.as(Deferred.await(group.committed), exit.value))
    )

  /** Begins the group's transaction, runs its first write, lets the joined ones run, commits. */
  const lead = <A, E, R>(group: Group, write: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Effect.uninterruptible(Effect.gen(function*() {
      // Writers already under way get to join before the transaction begins: one turn of the
      // event loop lets the requests that arrived with this one reach their write.
      yield* nextTurn
      const attempt = options.transaction(Effect.gen(function*() {
        const connection = yield* Effect.serviceOption(SqlClient.TransactionConnection)
        if (Option.isNone(connection)) return yield* Effect.dieMessage("group commit: no transaction connection")
        group.connection = connection.value
        const own = yield* Effect.exit(options.savepoint(write))
        yield* Deferred.succeed(group.ready, void 0)
        // Close once every joined write has run (joining and this check are synchronous).
        while (group.pending > 0) {
          group.drained = yield* Deferred.make<void>()
          yield* Deferred.await(group.drained)
        }
        group.open = false
        return own
      })).pipe(Effect.ensuring(Effect.sync(() => {
        group.open = false
        if (current === group) current = undefined
      })))
      const exit = yield* Effect.exit(attempt)
      if (Exit.isSuccess(exit)) {
        yield* Deferred.succeed(group.committed, void 0)
        return yield* exit.value
      }
      // Nothing of the group was committed: every write of it fails (and is retried when busy).
      yield* Deferred.failCause(group.ready, exit.cause)
      yield* Deferred.failCause(group.committed, exit.cause)
      return yield* Effect.failCause(exit.cause)
    }))

  const runOnce = <A, E, R>(write: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Effect.suspend(() => {
      const open = current
      if (open !== undefined && open.open && open.members < MAX_MEMBERS) {
        open.members += 1
        open.pending += 1
        return join(open, write)
      }
      const group: Group = {
        connection: undefined,
        ready: Deferred.unsafeMake(FiberId.none),
        committed: Deferred.unsafeMake(FiberId.none),
        mutex: Effect.unsafeMakeSemaphore(1),
        open: true,
        members: 1,
        pending: 0,
        drained: undefined
      }
      current = group
      return lead(group, write)
    })

  return <A, E, R>(write: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Effect.flatMap(
      Effect.serviceOption(SqlClient.TransactionConnection),
      (outer): Effect.Effect<A, E | SqlError, R> =>
        Option.isSome(outer) ? options.transaction(write) : options.retry(runOnce(write))
    )
}
