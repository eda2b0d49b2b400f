import { BuiltInMetrics, Coverage, LocalDate } from "../packages/core/src/index.js"
import * as Scenario from "../packages/core/src/testing/Scenario.js"

const s = Scenario.make({ size: "S" })
console.log("households", s.facts.households.length, "residents", s.facts.residents.length, "visits", s.facts.visits.length,
  "arrivals", s.facts.arrivals.length, "matters", s.facts.matters.length, "campaigns", s.facts.campaigns.length)
const run = (days: number, metrics: ReadonlyArray<any>, label: string, tasks?: any) => {
  const period = { from: LocalDate.addDays(s.today, 1 - days), to: s.today }
  const times: Array<number> = []
  let r: any
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now()
    r = Coverage.compute({ facts: s.facts, metrics, scope: s.rootId, period, ...(tasks ? { tasks } : {}) })
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  console.log(label, days, "days: median", times[7].toFixed(1), "ms, min", times[0].toFixed(1), "ms, max", times[14].toFixed(1))
  return r
}
run(7, BuiltInMetrics.withoutTasks, "without tasks")
run(30, BuiltInMetrics.withoutTasks, "without tasks")
run(7, BuiltInMetrics.all, "all (rules engine)")
const r = run(30, BuiltInMetrics.all, "all (rules engine)")
// precomputed tasks: the coverage part alone
const period = { from: LocalDate.addDays(s.today, -29), to: s.today }
const tasks = Coverage.rules((await import("../packages/core/src/BuiltInRules.js")).pack)
let list: any
const t0 = performance.now()
list = tasks({ facts: s.facts, asOf: s.today, from: period.from, to: period.to, zone: (await import("../packages/core/src/TimeZone.js")).make("Asia/Shanghai") })
console.log("rules engine alone 30 days", (performance.now() - t0).toFixed(1), "ms", list.length, "tasks")
run(30, BuiltInMetrics.all, "all with tasks given", list)
run(7, BuiltInMetrics.all, "all with tasks given", list)
const root = r.right.results.map((x: any) => [x.metric.id, x.figures[0].score?.toFixed?.(3), x.figures[0].counts.denominator])
console.log(root)
