/**
 * The scenario suite: how long the seeded scenario builder takes to make S in memory (what
 * every test, benchmark and demo that uses `Scenario.make` pays), and that the same seed
 * gives the same output.
 */
import { Scenario } from "@minqing/core/testing"
import { createHash } from "node:crypto"
import { performance } from "node:perf_hooks"
import { describe, scenarioOptions } from "../data.js"
import { below, iterationsFor, log, measure, ms, type Row, type RunOptions, type Size, timeFigure } from "../harness.js"

const gc = (globalThis as { readonly gc?: () => void }).gc

/** A sha256 of everything a scenario holds, as JSON. */
const digest = (s: Scenario.Scenario): string =>
  createHash("sha256").update(JSON.stringify({ ...s, liaisonOf: [...s.liaisonOf] })).digest("hex")

const runS = async (size: Size, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const { quick } = options
  const scenarioOf = scenarioOptions(size, quick)
  const workload = describe(size, quick)
  const rows: Array<Row> = []

  // 1. The first call in a fresh process: what a test file pays (the code is not optimised yet).
  const t0 = performance.now()
  let made: Scenario.Scenario | undefined = Scenario.make(scenarioOf)
  const first = performance.now() - t0
  const { facts } = made
  log(
    `scenario: ${facts.households.length} households, ${facts.residents.length} residents, ${facts.visits.length} visits`
  )
  const firstFigure = timeFigure("Scenario.make, first call in a fresh process", {
    samples: [first],
    stats: { n: 1, median: first, p99: first, mean: first, min: first, max: first },
    rssMiB: 0
  }, false)
  rows.push({
    suite: "scenario",
    id: "scenario.make.first",
    size: workload,
    ours: firstFigure,
    targets: [below("scenario.make.first", "< 1000 ms", ms(firstFigure), 1000)],
    note: `${facts.households.length} households, ${facts.residents.length} residents, ${facts.visits.length} visits`
  })

  // 2. Repeated builds: each starts from a collected heap, the previous scenario let go.
  const repeated = await measure(
    iterationsFor(quick, { warmup: 2, iterations: 15, budgetMs: 15_000, min: 5 }),
    () => {
      made = Scenario.make(scenarioOf)
    },
    () => {
      made = undefined
      gc?.()
    }
  )
  const repeatedFigure = timeFigure("Scenario.make (roster and every visit in memory)", repeated)
  rows.push({
    suite: "scenario",
    id: "scenario.make",
    size: workload,
    ours: repeatedFigure,
    rssMiB: repeated.rssMiB,
    targets: [below("scenario.make", "< 1000 ms", ms(repeatedFigure), 1000)],
    note: "seed 1; after warm-up, each build from a collected heap"
  })

  // 3. Not a target: the roster, then the visits streamed a day at a time and let go (how
  // bench/.data's files of M and L are written), and the same seed giving the same output.
  if (!quick) {
    made = undefined
    gc?.()
    let visits = 0
    const streamed = await measure({ warmup: 1, iterations: 5, budgetMs: 8_000, min: 3 }, () => {
      visits = 0
      for (const day of Scenario.visits(Scenario.roster(scenarioOf))) visits += day.length
    })
    const a = digest(Scenario.make(scenarioOf))
    const b = digest(Scenario.make(scenarioOf))
    const other = digest(Scenario.make({ ...scenarioOf, seed: 2 }))
    rows.push({
      suite: "scenario",
      id: "scenario.streamed",
      size: workload,
      ours: timeFigure("Scenario.roster, then Scenario.visits a day at a time", streamed),
      rssMiB: streamed.rssMiB,
      targets: [],
      note: `${visits} visits, none kept; no target (for reference). Same seed, same output: ${
        a === b ? `two builds hash alike (sha256 of their JSON ${a.slice(0, 12)}…)` : "NO, two builds differ"
      }; ${a === other ? "seed 2 gave the SAME output" : "seed 2 gives another"}`
    })
  }
  return rows
}

/** Runs one group of this suite. */
export const run = async (name: string, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const size = name.split(":")[1] as Size
  return runS(size, options)
}
