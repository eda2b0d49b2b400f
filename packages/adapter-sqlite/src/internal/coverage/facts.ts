/**
 * Decoded facts for the parts of a report that need the rules engine or a metric's own
 * functions: a chunk of households at a time, as `Store.load` would return them, with only
 * the visits that can matter.
 */
import type { SqlError } from "@effect/sql/SqlError"
import type { Fact, LocalDate, Metric, RulePack, TimeZone } from "@minqing/core"
import { Engine, Problem } from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { decodeData } from "../tables.js"
import type { Frame, Queries } from "./queries.js"

/** @internal */
export const decodeAll = <T extends Fact.Tag>(
  tag: T,
  rows: ReadonlyArray<{ readonly data: string }>
): Effect.Effect<Array<Fact.Of<T>>, Problem.StoreError> =>
  Effect.suspend(() => {
    const out: Array<Fact.Of<T>> = []
    for (const row of rows) {
      const fact = decodeData(tag, row.data)
      if (Either.isLeft(fact)) return Effect.fail(fact.left)
      out.push(fact.right)
    }
    return Effect.succeed(out)
  })

/** What every chunk shares: the places, liaisons and campaigns of the scope. @internal */
export interface Shared {
  readonly places: ReadonlyArray<Fact.Of<"Place">>
  readonly liaisons: ReadonlyArray<Fact.Of<"Liaison">>
  readonly campaigns: ReadonlyArray<Fact.Of<"Campaign">>
}

/**
 * The facts of some households known at the cutoff, without visits, cut as the coverage
 * engine cuts what it hands the rules engine (`Coverage.knownOn`).
 *
 * @internal
 */
export const roster = (
  q: Queries,
  f: Frame,
  shared: Shared,
  ids: ReadonlyArray<string>
): Effect.Effect<Fact.Facts, SqlError | Problem.StoreError> =>
  Effect.gen(function*() {
    const households = yield* Effect.flatMap(q.householdsById(f, ids), (rows) => decodeAll("Household", rows))
    const residents = yield* Effect.flatMap(q.atHouseholds("residents", f, ids), (rows) => decodeAll("Resident", rows))
    const arrivals = yield* Effect.flatMap(
      q.atHouseholds("arrivals", f, ids),
      (rows) => decodeAll("ArrivalReport", rows)
    )
    const matters = yield* Effect.flatMap(q.atHouseholds("matters", f, ids), (rows) => decodeAll("Matter", rows))
    return {
      places: shared.places,
      liaisons: shared.liaisons.filter((l) => l.appointedFrom <= f.asOf),
      households: households.filter((h) => h.activeFrom <= f.asOf),
      residents: residents.filter((r) => r.activeFrom <= f.asOf),
      visits: [],
      arrivals: arrivals.filter((a) => a.reportedAt.epochMillis < f.cutoff),
      matters: matters.filter((m) => m.openedAt.epochMillis < f.cutoff),
      campaigns: shared.campaigns
    }
  })

/** The visits of some households on local dates `[from, f.asOf]`, decoded. @internal */
export const visits = (
  q: Queries,
  f: Frame,
  ids: ReadonlyArray<string>,
  from: LocalDate.LocalDate
): Effect.Effect<Array<Fact.Of<"Visit">>, Problem.StoreError | SqlError> =>
  from > f.asOf
    ? Effect.succeed([])
    : Effect.flatMap(q.visits(f, ids, from, f.asOf), (rows) => decodeAll("Visit", rows))

/**
 * The tasks of a pack for some households, as the coverage engine computes them (views: no
 * explanations). Tasks never depend on visits (only their states do), and a task reads
 * visits inside its window only: a first evaluation without visits gives the tasks' windows,
 * and a second one with the visits from the earliest window on gives exactly what
 * `Engine.evaluate` gives on every visit.
 *
 * @internal
 */
export const tasks = (
  q: Queries,
  f: Frame,
  pack: RulePack.RulePack,
  facts: Fact.Facts,
  zone: TimeZone.TimeZone,
  visitsFrom?: LocalDate.LocalDate
): Effect.Effect<
  { readonly tasks: ReadonlyArray<Metric.TaskView>; readonly visits: ReadonlyArray<Fact.Of<"Visit">> },
  SqlError | Problem.StoreError
> =>
  Effect.gen(function*() {
    const options = { asOf: f.asOf, from: f.from, to: f.end, zone }
    const first = Engine.views(pack, facts, options)
    let from = visitsFrom
    for (const t of first) if (from === undefined || t.window.from < from) from = t.window.from
    if (from === undefined) return { tasks: first, visits: [] }
    const found = yield* visits(q, f, facts.households.map((h) => h.id), from)
    return {
      tasks: found.length === 0 || first.length === 0
        ? first
        : Engine.views(pack, { ...facts, visits: found }, options),
      visits: found
    }
  })
