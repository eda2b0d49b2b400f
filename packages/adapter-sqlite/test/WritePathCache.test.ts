import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Store } from "@minqing/core"
import { Effect, Either, TestClock } from "effect"
import { admin, household, layerTempWithClient, NOW, roster } from "./fixtures.js"

const statuses = (receipts: ReadonlyArray<Store.Receipt>) => receipts.map((r) => `${r.id} ${r.status}`)

describe("the write path's decoded versions", () => {
  it.scoped("a version read before a rollback is never taken for the one that reuses its seq", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store.Store
      const sql = yield* SqlClient.SqlClient
      yield* store.write(admin, roster)
      // Inside the caller's transaction: a new version of h1, then a write that reads it back.
      const undone = household("h1", "g1", 1, { address: "撤销的地址" })
      const result = yield* Effect.either(sql.withTransaction(Effect.gen(function*() {
        yield* store.write(admin, [undone])
        assert.deepStrictEqual(statuses(yield* store.write(admin, [undone])), ["h1 unchanged"])
        return yield* Effect.fail("rolled back" as const)
      })))
      assert.deepStrictEqual(result, Either.left("rolled back"))
      // The same seq, other content, committed; then every later read of h1 must be this version.
      const kept = household("h1", "g1", 1, { address: "保留的地址" })
      assert.deepStrictEqual(statuses(yield* store.write(admin, [kept])), ["h1 updated"])
      assert.deepStrictEqual(statuses(yield* store.write(admin, [kept])), ["h1 unchanged"])
      assert.deepStrictEqual(statuses(yield* store.write(admin, [undone])), ["h1 updated"])
      assert.deepStrictEqual(statuses(yield* store.write(admin, [undone])), ["h1 unchanged"])
      assert.deepStrictEqual(statuses(yield* store.write(admin, [kept])), ["h1 updated"])
    }).pipe(Effect.provide(layerTempWithClient)))
})
