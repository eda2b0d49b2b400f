import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Store } from "@minqing/core"
import { Effect, Either, Fiber, TestClock } from "effect"
import { admin, layerTempWithClient, NOW, roster, visit } from "./fixtures.js"

const at = "2021-05-10T01:00:00Z"
const batch = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => visit(`${prefix}-${i}`, "h1", "l1", at))

const visitIds = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => Effect.map(sql<{ id: string }>`SELECT id FROM visits ORDER BY id`, (rows) => rows.map((r) => r.id))
)

describe("concurrent writes (group commit)", () => {
  it.scoped("each batch is all or nothing and answered as if the writes ran one after the other", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store.Store
      yield* store.write(admin, roster)
      const writes = [
        batch("a", 3),
        // Refused: its second visit names a household that does not exist.
        [visit("bad-0", "h1", "l1", at), visit("bad-1", "nowhere", "l1", at)],
        batch("b", 2),
        // The same visit twice: one is created, the other a replay.
        [visit("same", "h2", "l1", at)],
        [visit("same", "h2", "l1", at)],
        // The same id with other content: a conflict, whichever of the three comes last.
        [visit("same", "h2", "l1", at, { outcome: "refused" })],
        batch("c", 4)
      ]
      const results = yield* Effect.all(writes.map((facts) => Effect.either(store.write(admin, facts))), {
        concurrency: "unbounded"
      })
      const [a, bad, b, same1, same2, other, c] = results
      for (const ok of [a, b, c]) assert.isTrue(Either.isRight(ok) && ok.right.every((r) => r.status === "created"))
      assert.isTrue(Either.isLeft(bad) && bad.left._tag === "Rejected")
      const statuses = [same1, same2].map((r) => (Either.isRight(r) ? r.right[0].status : r.left._tag)).sort()
      assert.deepStrictEqual(statuses, ["created", "replayed"])
      assert.isTrue(Either.isLeft(other) && other.left._tag === "Rejected")
      assert.deepStrictEqual(yield* visitIds, [
        "a-0",
        "a-1",
        "a-2",
        "b-0",
        "b-1",
        "c-0",
        "c-1",
        "c-2",
        "c-3",
        "same"
      ])
      // One audit entry per visit written, none for the refused batches.
      const audit = yield* store.audit(admin, { limit: 1000 })
      assert.strictEqual(audit.filter((e) => e.tag === "Visit").length, 10)
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("a writer that gives up waiting does not hold back or undo the others", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store.Store
      yield* store.write(admin, roster)
      const fibers = yield* Effect.forEach(["p", "q", "r", "s"], (prefix) =>
        Effect.fork(store.write(admin, batch(prefix, 2))))
      yield* Fiber.interrupt(fibers[1])
      for (const fiber of [fibers[0], fibers[2], fibers[3]]) {
        assert.isTrue((yield* Fiber.join(fiber)).every((r) =>
          r.status === "created"
        ))
      }
      const ids = yield* visitIds
      for (const id of ["p-0", "p-1", "r-0", "r-1", "s-0", "s-1"]) assert.include(ids, id)
      // The interrupted batch is whole or absent, never half written.
      assert.include([0, 2], ids.filter((id) => id.startsWith("q-")).length)
    }).pipe(Effect.provide(layerTempWithClient)))

  it.scoped("a write inside the caller's own transaction joins it and is undone with it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store.Store
      const sql = yield* SqlClient.SqlClient
      yield* store.write(admin, roster)
      const result = yield* Effect.either(sql.withTransaction(Effect.gen(function*() {
        yield* store.write(admin, batch("inner", 2))
        return yield* Effect.fail("changed my mind" as const)
      })))
      assert.deepStrictEqual(result, Either.left("changed my mind"))
      assert.deepStrictEqual(yield* visitIds, [])
      yield* sql.withTransaction(store.write(admin, batch("kept", 1)))
      assert.deepStrictEqual(yield* visitIds, ["kept-0"])
    }).pipe(Effect.provide(layerTempWithClient)))
})
