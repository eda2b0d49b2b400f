import { BuiltInMetrics, Coverage, LocalDate } from "../packages/core/src/index.js"
import * as Scenario from "../packages/core/src/testing/Scenario.js"
const s = Scenario.make({ size: "S" })
const period = { from: LocalDate.addDays(s.today, -6), to: s.today }
for (const m of BuiltInMetrics.withoutTasks) {
  const ts: number[] = []
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now()
    Coverage.compute({ facts: s.facts, metrics: [m], scope: s.rootId, period, tasks: [] })
    ts.push(performance.now() - t0)
  }
  ts.sort((a, b) => a - b)
  console.log(m.id.padEnd(32), ts[3].toFixed(1))
}
const ts: number[] = []
for (let i = 0; i < 7; i++) {
  const t0 = performance.now()
  Coverage.compute({ facts: s.facts, metrics: [], scope: s.rootId, period, tasks: [] })
  ts.push(performance.now() - t0)
}
ts.sort((a, b) => a - b)
console.log("no metrics".padEnd(32), ts[3].toFixed(1))
