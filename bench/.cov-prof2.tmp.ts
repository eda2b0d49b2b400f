import { BuiltInMetrics, Coverage, LocalDate } from "../packages/core/src/index.js"
import * as Scenario from "../packages/core/src/testing/Scenario.js"
const s = Scenario.make({ size: "S" })
const period = { from: LocalDate.addDays(s.today, -6), to: s.today }
const t0 = performance.now()
for (let i = 0; i < 20; i++) Coverage.compute({ facts: s.facts, metrics: BuiltInMetrics.withoutTasks, scope: s.rootId, period, tasks: [] })
console.log("avg", ((performance.now() - t0) / 20).toFixed(1))
