import { BuiltInMetrics, Coverage, LocalDate } from "../packages/core/src/index.js"
import * as Scenario from "../packages/core/src/testing/Scenario.js"
const s = Scenario.make({ size: "S" })
const days = Number(process.argv[2] ?? 7)
const period = { from: LocalDate.addDays(s.today, 1 - days), to: s.today }
const metrics = process.argv[3] === "one" ? null : BuiltInMetrics.withoutTasks
const measure = (label: string, f: () => void) => {
  const cpu: number[] = [], wall: number[] = []
  for (let i = 0; i < 25; i++) {
    const c0 = process.cpuUsage(); const t0 = performance.now()
    f()
    wall.push(performance.now() - t0); const c = process.cpuUsage(c0); cpu.push((c.user + c.system) / 1000)
  }
  cpu.sort((a, b) => a - b); wall.sort((a, b) => a - b)
  console.log(label.padEnd(34), "cpu min", cpu[0].toFixed(1), "med", cpu[12].toFixed(1), "| wall min", wall[0].toFixed(1), "med", wall[12].toFixed(1))
}
if (metrics === null) {
  for (const m of BuiltInMetrics.withoutTasks) measure(m.id, () => Coverage.compute({ facts: s.facts, metrics: [m], scope: s.rootId, period, tasks: [] }))
  measure("no metrics", () => Coverage.compute({ facts: s.facts, metrics: [], scope: s.rootId, period, tasks: [] }))
} else measure(`withoutTasks ${days}d`, () => Coverage.compute({ facts: s.facts, metrics, scope: s.rootId, period, tasks: [] }))
