/**
 * A nightly report job that embeds `@minqing/core`: the in-memory store, the built-in rules
 * and metrics, no HTTP and no database. Each night it reports on yesterday: household
 * screening by village against a target, and the visit tasks missed in the past week.
 */
import {
  Access,
  BuiltInMetrics,
  BuiltInRules,
  Coverage,
  Deployment,
  Engine,
  type Fact,
  type Ids,
  LocalDate,
  MemoryStore,
  Store
} from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pathToFileURL } from "node:url"

export interface Village {
  readonly name: string
  readonly score: number
  readonly missing: number
}

export interface NightlyReport {
  readonly date: LocalDate.LocalDate
  readonly target: number
  readonly villages: ReadonlyArray<Village>
  readonly missed: ReadonlyArray<{ readonly rule: string; readonly subjectId: string; readonly due: string }>
}

/** Stores the facts (in an app: its own records as they arrive), then reports on yesterday. */
export const nightly = (facts: Fact.Facts, scope: Ids.PlaceId, target = 0.95) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const job = Access.system([scope], "nightly-report")
    const all = [...facts.places, ...facts.liaisons, ...facts.households, ...facts.residents, ...facts.campaigns]
    yield* store.write(job, [...all, ...facts.arrivals, ...facts.matters])
    for (let i = 0; i < facts.visits.length; i += 20_000) yield* store.write(job, facts.visits.slice(i, i + 20_000))

    const date = LocalDate.addDays(yield* Deployment.today, -1)
    const week = { from: LocalDate.addDays(date, -6), to: date }
    const known = yield* store.load(job)
    const { zone } = yield* Deployment.Deployment
    const tasks = Engine.evaluate(BuiltInRules.pack, known, { asOf: date, ...week, zone })
    const report = yield* Coverage.report({
      facts: known,
      metrics: [BuiltInMetrics.householdScreening],
      scope,
      period: { from: date, to: date },
      asOf: date,
      depth: 1
    })
    const villages = Coverage.children(report, "household-screening", scope).map((f) => ({
      name: report.places.find((p) => p.placeId === f.placeId)?.name ?? f.placeId,
      score: f.score ?? 0,
      missing: f.counts.missing
    }))
    const missed = tasks.filter((t) => t.state === "missed").map(({ due, rule, subjectId }) => ({
      rule,
      subjectId,
      due
    }))
    return { date, target, villages, missed } satisfies NightlyReport
  })

const percent = (x: number) => `${(x * 100).toFixed(1)}%`

/** The report as the text the job logs or mails. */
export const format = ({ date, missed, target, villages }: NightlyReport): string => {
  const byRule = new Map<string, number>()
  for (const t of missed) byRule.set(t.rule, (byRule.get(t.rule) ?? 0) + 1)
  const below = villages.filter((v) => v.score < target)
  return [
    `Nightly report for ${date}: household screening by village (target ${percent(target)})`,
    ...villages.map((v) =>
      `  ${v.score < target ? "BELOW" : "ok   "} ${v.name} ${percent(v.score)}, ${v.missing} not reached`
    ),
    `Villages below target: ${below.length === 0 ? "none" : below.map((v) => v.name).join(", ")}`,
    `Tasks missed in the week to ${date}: ${missed.length}`,
    ...[...byRule].map(([rule, n]) => `  ${rule}: ${n}`)
  ].join("\n")
}

// The demo: the seeded scenario of 待王街道 with history up to yesterday, in the deployment's zone.
export const main = Effect.gen(function*() {
  const today = yield* Deployment.today
  const scenario = Scenario.make({ today: LocalDate.addDays(today, -1), historyDays: 30 })
  return format(yield* nightly(scenario.facts, scenario.rootId, Number(process.env.MINQING_TARGET ?? 0.97)))
}).pipe(Effect.provide(MemoryStore.layerMemory.pipe(Layer.provideMerge(Deployment.layer()))))

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) Effect.runPromise(main).then(console.log)
