import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import { Access, Ids, Observation, Store, TimeZone, Visit } from "@minqing/core"
import * as Cause from "effect/Cause"
import type * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import * as App from "../src/App.js"
import * as Tool from "../src/Tool.js"
import { tempDir } from "./helpers.js"

/** Runs the tool in-process and keeps what it prints. */
const cli = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const base = yield* Effect.console
    const out: Array<string> = []
    const err: Array<string> = []
    const capture: Console.Console = {
      ...base,
      log: (...xs) => Effect.sync(() => void out.push(xs.join(" "))),
      error: (...xs) => Effect.sync(() => void err.push(xs.join(" ")))
    }
    const exit = yield* Effect.exit(Effect.withConsole(Tool.run(["node", "cli", ...args]), capture))
    const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
    const message = Option.isSome(failure) && failure.value instanceof Tool.CliError ? failure.value.message : ""
    return { ok: Exit.isSuccess(exit), out: out.join("\n"), err: err.join("\n"), message }
  }).pipe(Effect.provide(NodeContext.layer))

const places = [
  "编号,名称,层级,上级编号,代码",
  "t.v1,一村,village,t,",
  "t.v1.g1,一村第一片区,grid,t.v1,",
  "t.v1.g2,一村第二片区,grid,t.v1,"
].join("\n")

const liaisons = [
  "编号,姓名,手机号,人员来源,负责片区,任职日期,在岗",
  "l1,张三,13800000001,党员,t.v1.g1；t.v1.g2,2021-01-01,是"
].join("\n")

const households = [
  "编号,片区编号,地址,走访顺序,纬度,经度,起始日期,截止日期",
  "h1,t.v1.g1,一村1号,10,,,2021-01-01,",
  "h2,t.v1.g1,一村2号,20,,,2021-01-01,",
  "h3,t.v1.g2,一村3号,10,,,2021-01-01,"
].join("\n")

const countHouseholds = (dataFile: string) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const page = yield* store.list(Access.system([Ids.PlaceId.make("t")]), "Household")
    return page.items.length
  }).pipe(Effect.provide(App.layerPorts({ dataFile, zone: "Asia/Shanghai" })))

describe("the command-line tool", () => {
  it.scopedLive(
    "initialises a database, imports rosters (refusing bad rows whole), recomputes and reports",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const data = path.join(dir, "cli.db")
        const file = (name: string, text: string) => {
          const p = path.join(dir, name)
          writeFileSync(p, text)
          return p
        }

        const init = yield* cli("init", "--data", data, "--root", "t", "--root-name", "测试街道")
        assert.isTrue(init.ok, init.err)
        assert.match(init.out, /Database ready: .*cli\.db/)
        assert.match(init.out, /mq_[\w-]+_[\w-]+/)
        assert.include(init.out, "Administrators reach: t")

        const placesImport = yield* cli("import", file("places.csv", places), "--data", data)
        assert.isTrue(placesImport.ok, placesImport.err)
        assert.include(placesImport.out, "Imported 3 places from places.csv: 3 created, 0 updated, 0 unchanged.")
        assert.isTrue((yield* cli("import", file("liaisons.csv", liaisons), "--data", data)).ok)

        // A row the schema refuses: every problem listed with its line, nothing written.
        const bad = yield* cli(
          "import",
          file(
            "households-bad.csv",
            households + "\nh4,t.v1.g2,一村4号,east,,,2021-01-01,\nh5,t.v1.g2,一村5号,30,,,2021-02-30,"
          ),
          "--data",
          data
        )
        assert.isFalse(bad.ok)
        assert.include(bad.err, "households-bad.csv: refused, nothing written. 2 problem(s) on 2 row(s)")
        assert.match(bad.err, /\n5 +走访顺序 +\S/)
        assert.match(bad.err, /\n6 +起始日期 +\S/)
        assert.include(bad.message, "Nothing imported: 2 problem(s) in households-bad.csv")
        assert.strictEqual(yield* countHouseholds(data), 0)

        // A row the store refuses (a grid that does not exist): located on its line, nothing written.
        const unknownGrid = yield* cli(
          "import",
          file("households-grid.csv", households + "\nh4,t.v9.g1,九村1号,10,,,2021-01-01,"),
          "--data",
          data
        )
        assert.isFalse(unknownGrid.ok)
        assert.match(unknownGrid.err, /\n5 +片区编号 +.*t\.v9\.g1/)
        assert.strictEqual(yield* countHouseholds(data), 0)

        const good = yield* cli("import", file("households.csv", households), "--data", data)
        assert.isTrue(good.ok, good.err)
        assert.include(good.out, "Imported 3 households")
        assert.strictEqual(yield* countHouseholds(data), 3)

        // One household visited on 2021-05-10.
        const zone = TimeZone.make("Asia/Shanghai")
        yield* Effect.gen(function*() {
          const store = yield* Store.Store
          yield* store.write(Access.system([Ids.PlaceId.make("t")]), [
            Visit.Visit.make({
              id: Ids.VisitId.make("v1"),
              householdId: Ids.HouseholdId.make("h1"),
              liaisonId: Ids.LiaisonId.make("l1"),
              at: DateTime.unsafeMake(zone.startOf("2021-05-10" as any) + 10 * 3600_000),
              outcome: "contacted",
              observations: [] as ReadonlyArray<Observation.Observation>
            })
          ])
        }).pipe(Effect.provide(App.layerPorts({ dataFile: data, zone: "Asia/Shanghai" })))

        const recompute = yield* cli("recompute", "--data", data, "--date", "2021-05-10", "--days", "1")
        assert.isTrue(recompute.ok, recompute.err)
        assert.include(recompute.out, "for 2021-05-10 to 2021-05-10")
        // household-sweep: h1 done, h2 and h3 due
        assert.match(recompute.out, /household-sweep +1 +2 +0 +0 +0 +0 +3/)

        const table = yield* cli(
          "report",
          "--data",
          data,
          "--from",
          "2021-05-10",
          "--to",
          "2021-05-10",
          "--metric",
          "household-screening",
          "--locale",
          "en"
        )
        assert.isTrue(table.ok, table.err)
        assert.include(table.out, "Household screening coverage")
        assert.match(table.out, /测试街道 +33\.3% \(1\/3\)/)
        assert.match(table.out, / {2}一村 +33\.3% \(1\/3\)/)

        const csv = yield* cli(
          "report",
          "--data",
          data,
          "--from",
          "2021-05-10",
          "--to",
          "2021-05-10",
          "--format",
          "csv"
        )
        assert.isTrue(csv.ok, csv.err)
        const lines = csv.out.split(/\r?\n/)
        assert.match(lines[0], /^指标,指标代码,地点,地点代码/)
        const screening = lines.find((l) => l.includes(",household-screening,一村,t.v1,"))
        assert.isDefined(screening)
        assert.include(screening!, ",3,1,2,")

        const unknown = yield* cli("report", "--data", data, "--metric", "nope")
        assert.isFalse(unknown.ok)
        assert.include(unknown.message, "Unknown metric nope")
      }),
    60_000
  )
})
