/**
 * The rules suite: full evaluation of the built-in pack over S as of a date, an incremental
 * update after one visit, and the same three rules on json-rules-engine.
 */
import {
  BuiltInRules,
  Engine,
  type Fact,
  LocalDate,
  Observation,
  type Resident,
  RulePack,
  type Task,
  TimeZone,
  Visit
} from "@minqing/core"
import * as DateTime from "effect/DateTime"
import * as JsonRules from "../baseline/JsonRules.js"
import { describe, inMemory } from "../data.js"
import {
  atLeast,
  below,
  iterationsFor,
  log,
  measure,
  ms,
  type Row,
  type RunOptions,
  type Size,
  timeFigure
} from "../harness.js"

const THREE = ["household-sweep", "elderly-alone-checkin", "vaccination-followup"]

const sameTasks = (ours: ReadonlyArray<Task.Task>, theirs: ReadonlyArray<JsonRules.BaselineTask>): string => {
  const key = (t: { id: string; state: string; resolvedBy?: string | undefined }) =>
    `${t.id}|${t.state}|${t.resolvedBy ?? ""}`
  const a = new Set(ours.map(key))
  const b = new Set(theirs.map(key))
  let onlyOurs = 0
  for (const k of a) if (!b.has(k)) onlyOurs++
  let onlyTheirs = 0
  for (const k of b) if (!a.has(k)) onlyTheirs++
  return onlyOurs === 0 && onlyTheirs === 0
    ? `same ${a.size} tasks (id, state, resolving visit) from both`
    : `tasks differ: ${onlyOurs} of Minqing's ${a.size} and ${onlyTheirs} of the baseline's ${b.size} have no match`
}

/** Visits for incremental updates: one contacted visit today at a different household each time. */
const freshVisits = (facts: Fact.Facts, today: LocalDate.LocalDate, zone: TimeZone.TimeZone, n: number) => {
  const liaisonOf = new Map<string, string>()
  for (const l of facts.liaisons) for (const g of l.gridIds) liaisonOf.set(g, l.id)
  const residents = new Map<string, string>()
  for (const r of facts.residents) if (!residents.has(r.householdId)) residents.set(r.householdId, r.id)
  const start = zone.startOf(today) + 10 * 3_600_000
  const out: Array<Visit.Visit> = []
  for (let i = 0; i < n; i++) {
    const h = facts.households[(i * 7919) % facts.households.length]
    const resident = residents.get(h.id)
    out.push(
      Visit.Visit.make({
        id: `bench-incremental-${i}` as Visit.Visit["id"],
        householdId: h.id,
        liaisonId: liaisonOf.get(h.gridId)! as Visit.Visit["liaisonId"],
        at: DateTime.unsafeMake(start + i * 1000),
        outcome: "contacted",
        observations: resident === undefined ? [] : [
          Observation.VaccinationCheck.make({
            residentId: resident as Resident.Resident["id"],
            status: "partial",
            persuaded: true
          })
        ]
      })
    )
  }
  return out
}

const runS = async (size: Size, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const { quick } = options
  const s = inMemory(size, quick)
  const workload = describe(size, quick)
  const zone = TimeZone.make(s.zone)
  const today = s.today
  const dates = { asOf: today, from: today, to: today, zone }
  log(
    `rules: ${s.facts.households.length} households, ${s.facts.residents.length} residents, ${s.facts.visits.length} visits, as of ${today}`
  )
  const three = RulePack.make("three", THREE.map((id) => RulePack.get(BuiltInRules.pack, id)!))
  const rows: Array<Row> = []

  // 1. Full evaluation of the built-in pack, today's tasks as of today.
  let fullTasks = 0
  const full = await measure(iterationsFor(quick, { warmup: 3, iterations: 30, budgetMs: 8_000 }), () => {
    fullTasks = Engine.evaluate(BuiltInRules.pack, s.facts, dates).length
  })
  const fullFigure = timeFigure(
    "full evaluation, built-in pack (8 rules), as of a date (facts indexed in the call)",
    full
  )
  rows.push({
    suite: "rules",
    id: "rules.full",
    size: workload,
    ours: fullFigure,
    rssMiB: full.rssMiB,
    targets: [below("rules.full", "< 20 ms", ms(fullFigure), 20)],
    note: `${fullTasks} tasks`
  })

  // 1b. The same, on an engine that already holds the indexed facts (a server keeps one).
  const held = Engine.make(BuiltInRules.pack, s.facts, dates)
  const yesterday = { ...dates, asOf: LocalDate.addDays(today, -1), from: LocalDate.addDays(today, -1) }
  const moved = await measure(
    iterationsFor(quick, { warmup: 3, iterations: 30, budgetMs: 5_000 }),
    () => Engine.moveTo(held, dates),
    () => void Engine.moveTo(held, yesterday)
  )
  const movedFigure = timeFigure("full re-evaluation on an indexed engine (Engine.moveTo)", moved)
  rows.push({
    suite: "rules",
    id: "rules.full.indexed",
    size: workload,
    ours: movedFigure,
    rssMiB: moved.rssMiB,
    targets: [below("rules.full.indexed", "< 20 ms", ms(movedFigure), 20)],
    note:
      "the same evaluation without building the indexes: the engine was made once over S and moved to another date before each timed call"
  })

  // 2. The same three rules on both engines.
  // Like row 1, neither side holds a timed call's result into the next call (a caller uses the
  // tasks and lets them go): a result kept across calls is copied by every young-generation
  // collection of the next one, which times the collector, not the rules. The results compared
  // below come from one more call of each, outside the timing.
  let ourCount = 0
  const ours3 = await measure(iterationsFor(quick, { warmup: 3, iterations: 30, budgetMs: 8_000 }), () => {
    ourCount = Engine.evaluate(three, s.facts, dates).length
  })
  const jre = JsonRules.makeEngine()
  let theirCount = 0
  const baseline = await measure(
    iterationsFor(quick, { warmup: 1, iterations: 5, budgetMs: 10_000, min: 3 }, { iterations: 2, warmup: 0 }),
    async () => {
      theirCount = (await JsonRules.evaluate(jre, s.facts, dates)).length
    }
  )
  const ourTasks: ReadonlyArray<Task.Task> = Engine.evaluate(three, s.facts, dates)
  const theirTasks: Array<JsonRules.BaselineTask> = await JsonRules.evaluate(jre, s.facts, dates)
  if (ourTasks.length !== ourCount || theirTasks.length !== theirCount) {
    throw new Error("rules bench: a timed call returned another number of tasks than the compared one")
  }
  const ours3Figure = timeFigure("full evaluation, the 3 rules", ours3)
  const speedup = baseline.stats.median / ours3.stats.median
  rows.push({
    suite: "rules",
    id: "rules.vs-json-rules-engine",
    size: workload,
    ours: ours3Figure,
    baseline: timeFigure("json-rules-engine 7", baseline),
    ratio: { value: speedup, text: `${speedup.toFixed(0)}× faster` },
    rssMiB: Math.max(ours3.rssMiB, baseline.rssMiB),
    targets: [atLeast("rules.vs-json-rules-engine", "≥ 50× faster than json-rules-engine", speedup, 50)],
    note: sameTasks(ourTasks, theirTasks)
  })

  // 3. Incremental: one new visit, re-evaluating the household it touches.
  const engine = Engine.make(BuiltInRules.pack, s.facts, dates)
  const iters = iterationsFor(quick, { warmup: 200, iterations: 2_000 }, { warmup: 20, iterations: 200 })
  const visits = freshVisits(s.facts, today, zone, iters.warmup + iters.iterations)
  const incremental = await measure(iters, (_, i) => Engine.update(engine, [visits[iters.warmup + i]]), (i) => {
    if (i < iters.warmup) Engine.update(engine, [visits[i]])
  })
  const incFigure = timeFigure("incremental update after one visit", incremental)
  rows.push({
    suite: "rules",
    id: "rules.incremental",
    size: workload,
    ours: incFigure,
    rssMiB: incremental.rssMiB,
    targets: [below("rules.incremental", "< 0.1 ms", ms(incFigure), 0.1)],
    note: "Engine.update with one new visit; the built-in pack"
  })

  // 4. Not a target: the whole history (what compliance over the period needs).
  if (!quick) {
    let historyTasks = 0
    const history = await measure({ warmup: 0, iterations: 3, budgetMs: 10_000, min: 1 }, () => {
      historyTasks = Engine.evaluate(BuiltInRules.pack, s.facts, { ...dates, from: s.history.from }).length
    })
    rows.push({
      suite: "rules",
      id: "rules.history",
      size: workload,
      ours: timeFigure(`full evaluation over the ${s.shape.historyDays}-day history`, history),
      rssMiB: history.rssMiB,
      targets: [],
      note: `${historyTasks} tasks; no target (for reference)`
    })
  }
  return rows
}

/** Runs one group of this suite. */
export const run = async (name: string, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const size = name.split(":")[1] as Size
  return runS(size, options)
}
