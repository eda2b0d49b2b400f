import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, TestClock } from "effect"
// Imported module by module (not through the barrels) so this suite depends only on the store.
import * as Deployment from "../src/Deployment.js"
import * as LocalDate from "../src/LocalDate.js"
import * as MemoryStore from "../src/MemoryStore.js"
import * as Store from "../src/Store.js"
import * as F from "../src/testing/StoreFixture.js"
import * as StoreSuite from "../src/testing/StoreSuite.js"
import * as WriteCheck from "../src/WriteCheck.js"

const fresh = (options: Parameters<typeof Deployment.layer>[0] = {}) =>
  MemoryStore.layerMemory.pipe(Layer.provideMerge(Deployment.layer(options)))

describe("MemoryStore conformance", () => {
  for (const c of StoreSuite.cases) {
    it.effect(c.name, () => c.test.pipe(Effect.provide(fresh())))
  }
})

describe("MemoryStore", () => {
  it.effect("follows a deployment's own levels: households on buildings under grids", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(F.millis(F.NOW))
      const store = yield* Store.Store
      const building = F.place("dongcun-1-b1", "1号楼", "building", F.ids.grid11)
      const onBuilding = F.household("h-b1-101", building.id)
      const misplaced = F.place("v-under-grid", "错村", "village", F.ids.grid11)
      const base = [F.subdistrict, F.village1, F.grid11]
      const refused = yield* Effect.either(store.write(F.actors.admin, [...base, building, onBuilding, misplaced]))
      assert.isTrue(Either.isLeft(refused) && refused.left._tag === "Rejected")
      if (Either.isLeft(refused) && refused.left._tag === "Rejected") {
        assert.deepStrictEqual(refused.left.problems.map((p) => [p.index, p.code, p.path]), [[5, "invalid", ["level"]]])
      }
      yield* store.write(F.actors.admin, [...base, building, onBuilding])
      const seen = yield* store.get(F.actors.eastLiaison, "Household", onBuilding.id)
      assert.strictEqual(seen._tag, "Some", "the grid's liaison sees a household on a building in the grid")
    }).pipe(Effect.provide(fresh({ levels: ["subdistrict", "village", "grid", "building"] }))))

  it.effect("counts visits on the local dates of the deployment's zone", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(F.millis("2021-05-11T08:00:00+08:00"))
      const store = yield* Store.Store
      yield* store.write(F.actors.admin, F.all)
      // 07:30 on 05-11 in Shanghai is 23:30 on 05-10 in UTC.
      yield* store.write(F.actors.admin, [
        F.visit("v-utc", F.ids.household2, F.ids.liaison11, "2021-05-11T07:30:00+08:00")
      ])
      const day = LocalDate.make("2021-05-10")
      const facts = yield* store.load(F.actors.admin, { window: { from: day, to: day } })
      assert.deepStrictEqual(facts.visits.map((v) => v.id).sort(), [F.ids.visit1, F.ids.visit2, "v-utc"])
    }).pipe(Effect.provide(fresh({ zone: "UTC" }))))

  it.effect("starts empty on every build of the layer", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(F.millis(F.NOW))
      yield* Effect.flatMap(Store.Store, (s) => s.write(F.actors.admin, F.all)).pipe(Effect.provide(fresh()))
      const facts = yield* Effect.flatMap(Store.Store, (s) => s.load(F.actors.admin)).pipe(Effect.provide(fresh()))
      assert.strictEqual(facts.households.length, 0)
    }))

  it.effect("answers as WriteCheck does over the same facts without a store", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(F.millis(F.NOW))
      const store = yield* Store.Store
      yield* store.write(F.actors.admin, F.all)
      const batch = [
        F.resident("r-copy", F.ids.household2, {
          birthDate: LocalDate.make("1950-03-07"),
          nationalId: F.resident1.nationalId!
        }),
        F.resident("r-zhang-wei-2", F.ids.household1, { name: "张伟", birthDate: LocalDate.make("1978-11-02") })
      ]
      const fromStore = yield* Effect.flip(store.write(F.actors.admin, batch))
      const fromCheck = yield* Effect.flip(WriteCheck.check({
        actor: F.actors.admin,
        facts: batch,
        settings: Deployment.make(),
        now: F.millis(F.NOW),
        lookup: WriteCheck.lookupOf(F.all)
      }))
      assert.strictEqual(fromStore._tag, "Rejected")
      assert.deepStrictEqual(fromStore, fromCheck)
    }).pipe(Effect.provide(fresh())))
})
