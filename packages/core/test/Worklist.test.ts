import { assert, describe, it } from "@effect/vitest"
import { BuiltInRules, Engine, Ids, LocalDate, Worklist } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"

const date = LocalDate.make("2021-05-10")

const fixture = () =>
  RuleTesting.facts()
    .liaison("l-1", { grids: ["g-1"], name: "李建国" })
    .liaison("l-2", { grids: ["g-2"], name: "张丽" })
    // route positions: smaller is further east, walked first
    .household("h-1", { grid: "g-1", routePosition: 3 })
    .household("h-2", { grid: "g-1", routePosition: 1 })
    .household("h-3", { grid: "g-1", routePosition: 2 })
    .household("h-4", { grid: "g-2", routePosition: 0 })
    .household("h-5", { grid: "g-1", routePosition: 0 })
    .resident("r-old", { household: "h-1", birthDate: "1940-01-01", livesAlone: true })
    .resident("r-vax", { household: "h-3", activeFrom: "2021-05-09" })
    .visit({ household: "h-5", at: "2021-05-10 08:00" })
    .build()

describe("Worklist", () => {
  it("groups a liaison's open tasks by household, ordered by priority, overdue, then route position", () => {
    const list = Worklist.make(BuiltInRules.pack, fixture(), { date, liaisonId: Ids.LiaisonId.make("l-1") })
    assert.deepStrictEqual(
      list.stops.map((s) => [s.householdId, s.priority, s.overdue, s.tasks.map((t) => `${t.rule}:${t.state}`)]),
      [
        ["h-1", "high", false, ["elderly-alone-checkin:due", "household-sweep:due", "vaccination-followup:due"]],
        ["h-3", "normal", true, ["vaccination-followup:overdue", "household-sweep:due"]],
        ["h-2", "normal", false, ["household-sweep:due"]]
      ]
    )
    assert.strictEqual(list.tasks, 6)
    // h-5 was visited this morning: nothing open; h-4 belongs to another liaison
    assert.isFalse(list.stops.some((s) => s.householdId === "h-5" || s.householdId === "h-4"))
  })

  it("builds a worklist for any place, or everything", () => {
    const facts = fixture()
    const grid2 = Worklist.make(BuiltInRules.pack, facts, { date, placeId: Ids.PlaceId.make("g-2") })
    assert.deepStrictEqual(grid2.stops.map((s) => s.householdId), ["h-4"])
    const village = Worklist.make(BuiltInRules.pack, facts, { date, placeId: Ids.PlaceId.make("v-1") })
    assert.deepStrictEqual(village.stops.map((s) => s.householdId), ["h-1", "h-3", "h-4", "h-2"])
    const all = Worklist.make(BuiltInRules.pack, facts, { date })
    assert.strictEqual(all.stops.length, 4)
  })

  it("comes from an engine kept up to date", () => {
    const facts = fixture()
    const engine = Engine.make(BuiltInRules.pack, facts, { asOf: date, from: date, to: date })
    Engine.update(engine, RuleTesting.facts().visit({ household: "h-2", at: "2021-05-10 11:00", id: "v-h2" }).facts())
    const list = Worklist.fromEngine(engine, facts, { liaisonId: Ids.LiaisonId.make("l-1") })
    assert.deepStrictEqual(list.stops.map((s) => s.householdId), ["h-1", "h-3"])
    assert.include(Worklist.format(list), "Worklist 2021-05-10: 2 households, 5 tasks")
  })

  it("knows who owns each household", () => {
    const owners = Worklist.owners(fixture())
    assert.strictEqual(owners.get(Ids.HouseholdId.make("h-1"))?.name, "李建国")
    assert.strictEqual(owners.get(Ids.HouseholdId.make("h-4"))?.name, "张丽")
  })
})
