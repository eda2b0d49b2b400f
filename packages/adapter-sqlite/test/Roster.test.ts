import { assert, describe, it } from "@effect/vitest"
import { Access, Ids, type Problem, Roster, Store } from "@minqing/core"
import { Effect, Either, TestClock } from "effect"
import { layerTemp, NOW } from "./fixtures.js"

const admin = Access.system([Ids.PlaceId.make("daiwang")])

const files = {
  places: "编号,名称,层级,上级编号,代码\r\n" +
    "daiwang,待王街道,街道,,410811001\r\n" +
    "dongcun,东村,村（社区）,daiwang,\r\n" +
    "dongcun-1,东村一片,片区（网格）,dongcun,\r\n" +
    "dongcun-2,东村二片,片区（网格）,dongcun,\r\n",
  liaisons: "编号,姓名,手机号,人员来源,负责片区,任职日期,在岗\r\n" +
    "l-1,李娜,13812345678,党员,dongcun-1,2021-04-01,是\r\n" +
    "l-2,王强,13912345678,网格员,dongcun-2,2021-04-01,是\r\n",
  households: "编号,片区编号,地址,走访顺序,纬度,经度,起始日期,截止日期\r\n" +
    "h-1,dongcun-1,\"东村1号, 东头\",1,35.2,113.3,2021-01-01,\r\n" +
    "h-2,dongcun-1,东村2号,2,,,2021-01-01,\r\n" +
    "h-3,dongcun-2,东村3号,1,,,2021-01-01,2021-06-30\r\n",
  residents:
    "编号,户编号,姓名,性别,出生日期,身份证号,手机号,独居,在家情况,接种记录,接种资格,禁忌原因,暂缓至,起始日期,截止日期\r\n" +
    "r-1,h-1,王秀英,女,1950-03-07,410811195003070023,,是,在家,2021-04-01 sinovac-coronavac,可接种,,,2021-01-01,\r\n" +
    "r-2,h-2,张伟,男,1980-01-02,,13900001111,否,外出,,暂缓接种,发热,2021-06-01,2021-01-01,\r\n" +
    "r-3,h-3,赵敏,女,1990-06-01,,,否,在家,,禁忌接种,过敏,,2021-01-01,\r\n"
}

const rosterErrors = (result: Either.Either<unknown, Problem.StoreError | ReadonlyArray<Roster.RosterError>>) =>
  Either.isLeft(result) && !("_tag" in result.left) ? result.left : []

const importAll = (texts: { readonly [K in Roster.Kind]?: string }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const parsed = Roster.parseAll(texts)
    if (Either.isLeft(parsed)) return yield* Effect.fail(parsed.left)
    return yield* store.write(admin, Roster.factsOf(parsed.right)).pipe(
      Effect.catchTag("Rejected", (rejected) => Effect.fail(Roster.locate(parsed.right, rejected)))
    )
  })

describe("roster files into SQLite", () => {
  it.effect("imports a roster in one batch and exports the same files", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store.Store
      const receipts = yield* importAll(files)
      assert.strictEqual(receipts.length, 12)
      assert.isTrue(receipts.every((r) => r.status === "created"))
      for (const kind of Roster.kinds) {
        const tag = ({ places: "Place", liaisons: "Liaison", households: "Household", residents: "Resident" } as const)[
          kind
        ]
        const page = yield* store.list(admin, tag)
        assert.strictEqual(Roster.format(kind, page.items as any), files[kind], `${kind} round trip`)
      }
      // Importing the same files again changes nothing.
      const again = yield* importAll(files)
      assert.isTrue(again.every((r) => r.status === "unchanged"))
    }).pipe(Effect.provide(layerTemp())))

  it.effect("writes nothing when the store refuses a row, and names its line", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store.Store
      yield* importAll({ places: files.places, liaisons: files.liaisons })
      const bad = {
        households: "编号,片区编号,地址,走访顺序,起始日期\n" +
          "h-1,dongcun-1,东村1号,1,2021-01-01\n" +
          "h-9,xicun-1,西村1号,1,2021-01-01\n",
        residents: "编号,户编号,姓名,性别,出生日期,身份证号,独居,在家情况,接种资格,起始日期\n" +
          "r-1,h-1,王秀英,女,1950-03-07,410811195003070023,是,在家,可接种,2021-01-01\n" +
          "r-2,h-1,王秀,女,1950-03-07,410811195003070023,是,在家,可接种,2021-01-01\n"
      }
      const result = yield* Effect.either(importAll(bad))
      assert.isTrue(Either.isLeft(result))
      const errors = rosterErrors(result)
      const lines = errors.flatMap((e) => e.problems.map((p) => `${e.kind} ${p.line} ${p.column ?? ""}`))
      assert.deepStrictEqual(lines, ["households 3 片区编号", "residents 3 身份证号"])
      const households = yield* store.list(admin, "Household")
      const residents = yield* store.list(admin, "Resident")
      assert.strictEqual(households.items.length + residents.items.length, 0)
    }).pipe(Effect.provide(layerTemp())))

  it.effect("refuses a file with bad rows before anything reaches the store", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const result = yield* Effect.either(importAll({
        places: "编号,名称,层级,上级编号\nroot,待王街道,街道,\nv-1,,村（社区）,root\nv-2,西村,镇,root\n"
      }))
      assert.isTrue(Either.isLeft(result))
      const errors = rosterErrors(result)
      assert.deepStrictEqual(errors.flatMap((e) => e.problems.map((p) => p.line)), [3, 4])
      const store = yield* Store.Store
      assert.strictEqual((yield* store.list(admin, "Place")).items.length, 0)
    }).pipe(Effect.provide(layerTemp())))
})
