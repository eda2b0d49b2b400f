import { Session } from "node:inspector/promises"
import { writeFileSync } from "node:fs"
import { BuiltInMetrics, Coverage, LocalDate } from "../packages/core/src/index.js"
import * as Scenario from "../packages/core/src/testing/Scenario.js"
const s = Scenario.make({ size: "S" })
const days = Number(process.argv[2] ?? 30)
const period = { from: LocalDate.addDays(s.today, 1 - days), to: s.today }
for (let i = 0; i < 5; i++) Coverage.compute({ facts: s.facts, metrics: BuiltInMetrics.withoutTasks, scope: s.rootId, period, tasks: [] })
const session = new Session(); session.connect()
await session.post("Profiler.enable"); await session.post("Profiler.setSamplingInterval", { interval: 100 }); await session.post("Profiler.start")
const t0 = performance.now()
for (let i = 0; i < 20; i++) Coverage.compute({ facts: s.facts, metrics: BuiltInMetrics.withoutTasks, scope: s.rootId, period, tasks: [] })
console.log("avg wall", ((performance.now() - t0) / 20).toFixed(1))
const { profile } = await session.post("Profiler.stop")
writeFileSync("/tmp/covbench/p.cpuprofile", JSON.stringify(profile))
