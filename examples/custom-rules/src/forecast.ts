/**
 * What adopting the pack would cost: the workload forecast for the next two weeks under the
 * built-in pack and under this subdistrict's pack, on a seeded population the size of the
 * source (60 grids, 1,800 households) whose first village is low-lying.
 *
 *   pnpm --filter @minqing/example-custom-rules forecast
 */
import { BuiltInRules, Forecast, LocalDate } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { Either } from "effect"
import { configure } from "./index.js"

const scenario = Scenario.make({ size: "S", today: "2021-06-06" })
const lowLying = scenario.villageIds.slice(0, 1)

const pack = configure({ "flood-season-check": { params: { areas: lowLying } } })
if (Either.isLeft(pack)) {
  console.error(pack.left.message)
  process.exit(1)
}

const options = { from: LocalDate.addDays(scenario.today, 1), days: 14, zone: scenario.zone }
const before = Forecast.make(BuiltInRules.pack, scenario.facts, options)
const after = Forecast.make(pack.right, scenario.facts, options)

console.log(
  `Low-lying: ${lowLying.join(", ")}; ${scenario.facts.households.length} households, ${after.rows.length} liaisons\n`
)
console.log(Forecast.formatComparison(before, after))
console.log()
console.log(Forecast.format(after, { maxRows: 8 }))
