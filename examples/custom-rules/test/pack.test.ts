import { assert, describe, it } from "@effect/vitest"
import { RulePack } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"
import { Either } from "effect"
import { configure, pack } from "../src/index.js"

const { observe } = RuleTesting

// The low-lying village v-1 holds grid g-1; grid g-2 sits in village v-2 on higher ground.
const settings = { "flood-season-check": { params: { areas: ["v-1"] } } }
const configured = Either.getOrThrow(configure(settings))

const village = () =>
  RuleTesting.facts()
    .place("v-2", { level: "village", parent: "sd-1" })
    .place("g-2", { level: "grid", parent: "v-2" })
    .household("h-low", { grid: "g-1" })
    .household("h-high", { grid: "g-2" })

describe("the Jiulishan pack", () => {
  it("sweeps each household weekly: due on Sunday, any visit in the week counts", () => {
    // Monday 7 June to Sunday 20 June 2021
    const facts = village().visit({ household: "h-low", at: "2021-06-09 16:00" })
    RuleTesting.expectTasks(pack, facts, "2021-06-10", { from: "2021-06-07", to: "2021-06-20" })
      .toHaveStates("household-sweep", "h-low", { "2021-06-13": "done", "2021-06-20": "upcoming" })
      .toHaveStates("household-sweep", "h-high", { "2021-06-13": "due", "2021-06-20": "upcoming" })
      .toInclude({ rule: "household-sweep", subject: "h-high", window: ["2021-06-07", "2021-06-13"] })
  })

  it("has no decoction distribution, even during a decoction campaign", () => {
    const facts = village().campaign("c-1", { kind: "decoction", from: "2021-06-01", to: "2021-06-30" })
    assert.notInclude(RulePack.ids(pack), "decoction-distribution")
    RuleTesting.expectTasks(pack, facts, "2021-06-10").toExclude({ rule: "decoction-distribution" })
  })

  it("checks low-lying households twice a week in the flood season, high priority", () => {
    RuleTesting.expectTasks(configured, village(), "2021-06-08", { from: "2021-06-07", to: "2021-06-13" })
      .toHaveStates("flood-season-check", "h-low", { "2021-06-07": "overdue", "2021-06-10": "upcoming" })
      .toInclude({
        rule: "flood-season-check",
        due: "2021-06-07",
        window: ["2021-06-07", "2021-06-09"],
        priority: "high"
      })
      .toExclude({ rule: "flood-season-check", subject: "h-high" })
    // none before the season
    RuleTesting.expectTasks(configured, village(), "2021-05-20", { to: "2021-05-31" })
      .toExclude({ rule: "flood-season-check" })
  })

  it("lets one door-knock resolve the flood check and the weekly sweep", () => {
    const facts = village().visit({ household: "h-low", at: "2021-06-08 10:00", id: "v-knock" })
    RuleTesting.expectTasks(configured, facts, "2021-06-14", { from: "2021-06-07", to: "2021-06-13" })
      .toInclude({ rule: "flood-season-check", due: "2021-06-07", state: "done", resolvedBy: "v-knock" })
      .toInclude({ rule: "flood-season-check", due: "2021-06-10", state: "missed" })
      .toInclude({ rule: "household-sweep", subject: "h-low", due: "2021-06-13", state: "done", resolvedBy: "v-knock" })
  })

  it("keeps the other built-in rules", () => {
    const facts = village()
      .resident("r-1", { household: "h-high", birthDate: "1945-02-01", livesAlone: true })
      .visit({ household: "h-high", at: "2021-06-10 09:00", observations: [observe.wellbeing("r-1")] })
    RuleTesting.expectTasks(pack, facts, "2021-06-10")
      .toInclude({ rule: "elderly-alone-checkin", subject: "r-1", state: "done", priority: "high" })
  })

  it("refuses a bad configuration, naming the rule and the parameter", () => {
    const bad = configure({ "flood-season-check": { params: { weekdays: [] } } })
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) {
      assert.include(bad.left.message, "Rule \"flood-season-check\", parameter \"weekdays\"")
    }
    const gone = configure({ "decoction-distribution": false })
    assert.isTrue(Either.isLeft(gone))
    if (Either.isLeft(gone)) assert.include(gone.left.message, "Unknown rule \"decoction-distribution\"")
  })
})
