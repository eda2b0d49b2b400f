/**
 * The coverage engine: runs metrics (`Metric`) over a scope of the place tree, a period of
 * local dates and an as-of date, and returns every figure rolled up the tree (the scope,
 * its villages, their grids…), each with its members: who is counted, who is missing and
 * why, who is excluded and why.
 *
 * The engine is pure. One index of the facts (households in route order, residents by
 * household, visits by household and local day) is built per report and shared by all its
 * metrics; the rules engine's tasks are computed once, on first use.
 *
 * "As of" a date, a figure only reads facts known then: households, residents and liaisons
 * active or appointed later, visits after it, doses after it, arrival reports reported after
 * it, matters opened after it and resolutions after it are ignored. (The store also leaves
 * out versions recorded after it.)
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Arrival from "./Arrival.js"
import * as BuiltInRules from "./BuiltInRules.js"
import type { Campaign } from "./Campaign.js"
import { Deployment } from "./Deployment.js"
import * as Engine from "./Engine.js"
import type * as Fact from "./Fact.js"
import type { Household } from "./Household.js"
import type { HouseholdId, PlaceId, ResidentId } from "./Ids.js"
import { byId, type Mutable, sortById } from "./internal/plain.js"
import { bucket, type Buckets, lending, positions, sortVisits } from "./internal/visits.js"
import type { Liaison } from "./Liaison.js"
import * as LocalDate from "./LocalDate.js"
import type * as Metric from "./Metric.js"
import * as Place from "./Place.js"
import type { Resident } from "./Resident.js"
import type * as RulePack from "./RulePack.js"
import * as TimeZone from "./TimeZone.js"
import type { Visit } from "./Visit.js"

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * The report could not be computed from the options given (an unknown scope, a period
 * that ends before it starts, two metrics with one id).
 *
 * @since 0.1.0
 * @category errors
 */
export class CoverageError extends Schema.TaggedError<CoverageError>()("CoverageError", {
  reason: Schema.String
}) {
  override get message(): string {
    return `Coverage could not be computed: ${this.reason}`
  }
}

/**
 * The counts behind a figure. All of them add up along the tree: a parent's counts are
 * the sums of its children's (plus members placed on the parent itself).
 *
 * - `population`: the initial population (members considered);
 * - `excluded`: excluded from it, with a reason;
 * - `denominator`: `population − excluded`;
 * - `numerator` and `missing` (`denominator − numerator`): proportions only;
 * - `observed` and `sum`: members with an observation and their total (continuous variables).
 *
 * @since 0.1.0
 * @category models
 */
export interface Counts {
  readonly population: number
  readonly excluded: number
  readonly denominator: number
  readonly numerator: number
  readonly missing: number
  readonly observed: number
  readonly sum: number
}

/**
 * Statistics of a continuous variable's observations (`undefined` fields when none).
 * `sd` is the population standard deviation and `cv` is `sd ÷ mean`: the spread between
 * members (liaisons, say).
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly count: number
  readonly sum: number
  readonly mean: number | undefined
  readonly median: number | undefined
  readonly min: number | undefined
  readonly max: number | undefined
  readonly sd: number | undefined
  readonly cv: number | undefined
}

/**
 * A figure for one day of the period.
 *
 * @since 0.1.0
 * @category models
 */
export interface SeriesPoint {
  readonly date: LocalDate.LocalDate
  readonly counts: Counts
  readonly score: number | undefined
}

/**
 * A figure for one stratum (one rule of a compliance figure, say).
 *
 * @since 0.1.0
 * @category models
 */
export interface StratumFigure {
  readonly stratum: string
  readonly counts: Counts
  readonly score: number | undefined
  readonly stats: Stats | undefined
}

/**
 * A metric's figure for one place: counts, score, statistics, strata, daily series and the
 * members.
 *
 * - proportion: `score` = numerator ÷ denominator (`undefined` when the denominator is 0);
 * - cohort: `score` = denominator;
 * - continuous variable: `score` = the metric's aggregate of the observations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Figure {
  readonly placeId: PlaceId
  readonly counts: Counts
  readonly score: number | undefined
  readonly stats: Stats | undefined
  /** Counted members (proportions). */
  readonly numerator: ReadonlyArray<Metric.Member>
  /** Members of the denominator not counted, each with the reason (proportions). */
  readonly missing: ReadonlyArray<Metric.Member>
  /** Members excluded, each with the reason. */
  readonly excluded: ReadonlyArray<Metric.Member>
  /** The population of a cohort or continuous variable (after exclusions). */
  readonly included: ReadonlyArray<Metric.Member>
  readonly strata: ReadonlyArray<StratumFigure>
  readonly series: ReadonlyArray<SeriesPoint>
}

/**
 * A place of the report's roll-up.
 *
 * @since 0.1.0
 * @category models
 */
export interface Node {
  readonly placeId: PlaceId
  readonly name: string
  readonly level: string
  /** The parent within the report (`undefined` for the scope). */
  readonly parentId: PlaceId | undefined
  /** 0 for the scope, 1 for its children… */
  readonly depth: number
  readonly children: ReadonlyArray<PlaceId>
}

/**
 * One metric's figures, one per place of the report, in the report's place order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly metric: Metric.Metric
  readonly figures: ReadonlyArray<Figure>
}

/**
 * A coverage report: the scope, period, as-of date, the places of the roll-up (scope first,
 * then depth-first) and one result per metric.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly scope: PlaceId
  readonly period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  readonly asOf: LocalDate.LocalDate
  /** The last date the report sees: the period's end, or the as-of date if earlier. */
  readonly end: LocalDate.LocalDate
  readonly zone: TimeZone.ZoneName
  readonly places: ReadonlyArray<Node>
  readonly results: ReadonlyArray<Result>
}

/**
 * What a task source is given: the facts known on the as-of date within the scope (see
 * `knownOn`), the as-of date, the dates whose tasks the report reads (tasks whose windows
 * overlap `[from, to]`) and the zone.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskInput {
  readonly facts: Fact.Facts
  readonly asOf: LocalDate.LocalDate
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
  readonly zone: TimeZone.TimeZone
}

/**
 * Where tasks come from: a list, or a function called at most once per report, and only if
 * a metric reads tasks.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskSource = ReadonlyArray<Metric.TaskView> | ((input: TaskInput) => ReadonlyArray<Metric.TaskView>)

/**
 * Tasks from a rule pack, through the rules engine (`Engine.views`: the tasks of
 * `Engine.evaluate` without their explanations). Its input's visits are not cut to the
 * scope and the as-of date: the engine reads only the visits of the households it is given,
 * and none after the as-of date, so cutting them would only cost a copy.
 *
 * @example
 * ```ts
 * import { BuiltInRules, Coverage, RulePack } from "@minqing/core"
 *
 * // compliance against a pack without the leaflet rule
 * const tasks = Coverage.rules(RulePack.remove(BuiltInRules.pack, "publicity-leaflet"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const rules = (pack: RulePack.RulePack): TaskSource => {
  const source = (input: TaskInput) =>
    Engine.views(pack, input.facts, { asOf: input.asOf, from: input.from, to: input.to, zone: input.zone })
  engineSources.add(source)
  return source
}

/**
 * Sources that run the rules engine, which reads only the visits of the households it is
 * given and none after the as-of date: `compute` hands them the scope's visits uncut.
 */
const engineSources = new WeakSet<object>()

/**
 * What to compute.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly facts: Fact.Facts
  readonly metrics: ReadonlyArray<Metric.Metric>
  /** Any place: the figures are for its subtree, rolled up to it. */
  readonly scope: PlaceId
  /** Inclusive local dates. */
  readonly period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  /** Default: the period's last day. */
  readonly asOf?: LocalDate.LocalDate
  /** Default: `Asia/Shanghai`. */
  readonly zone?: TimeZone.TimeZone
  /** How many levels below the scope get their own figure (default: all). */
  readonly depth?: number
  /** The tasks compliance, check-ins and workload read (default: `rules(BuiltInRules.pack)`). */
  readonly tasks?: TaskSource
}

// ---------------------------------------------------------------------------
// Index
// ---------------------------------------------------------------------------

const EMPTY_VISITS: Metric.HouseholdVisits = { visits: [], days: [] }

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Facts known on `asOf` (households, residents, liaisons, arrivals, matters, visits), for a
 * rules engine or anything else that must not see later facts; with `households`, only the
 * facts of those households. Doses and resolutions after `asOf` are kept: readers cut them
 * by date.
 *
 * @since 0.1.0
 * @category utils
 */
export const knownOn = (
  facts: Fact.Facts,
  asOf: LocalDate.LocalDate,
  zone: TimeZone.TimeZone,
  households?: ReadonlySet<HouseholdId>
): Fact.Facts => knownOn_(facts, asOf, zone, households, true)

/** The elements that pass, or the list itself when all do (no copy). */
const keepWhere = <A>(xs: ReadonlyArray<A>, keep: (a: A) => boolean): ReadonlyArray<A> => {
  let i = 0
  while (i < xs.length && keep(xs[i])) i++
  if (i === xs.length) return xs
  const out = xs.slice(0, i)
  for (i++; i < xs.length; i++) if (keep(xs[i])) out.push(xs[i])
  return out
}

const knownOn_ = (
  facts: Fact.Facts,
  asOf: LocalDate.LocalDate,
  zone: TimeZone.TimeZone,
  households: ReadonlySet<HouseholdId> | undefined,
  cutVisits: boolean
): Fact.Facts => {
  const endMs = zone.endOf(asOf)
  const keep = households === undefined ? () => true : (id: HouseholdId) => households.has(id)
  return {
    places: facts.places,
    liaisons: keepWhere(facts.liaisons, (l) => l.appointedFrom <= asOf),
    households: keepWhere(facts.households, (h) => h.activeFrom <= asOf && keep(h.id)),
    residents: keepWhere(facts.residents, (r) => r.activeFrom <= asOf && keep(r.householdId)),
    visits: cutVisits ? keepWhere(facts.visits, (v) => v.at.epochMillis < endMs && keep(v.householdId)) : facts.visits,
    arrivals: keepWhere(facts.arrivals, (a) => a.reportedAt.epochMillis < endMs && keep(a.householdId)),
    matters: keepWhere(facts.matters, (m) => m.openedAt.epochMillis < endMs && keep(m.householdId)),
    campaigns: facts.campaigns
  }
}

/**
 * Builds the shared index of a scope's facts as of a date. `compute` builds one per report;
 * it is exported for tools that run metrics' functions directly.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeIndex = (
  facts: Fact.Facts,
  options: {
    readonly scope: PlaceId
    readonly period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
    readonly asOf: LocalDate.LocalDate
    readonly zone: TimeZone.TimeZone
    readonly tree?: Place.Tree
  }
): Metric.Index => {
  const { asOf, period, scope, zone } = options
  const tree = options.tree ?? Place.tree(facts.places)
  const end = LocalDate.min(period.to, asOf)
  const endDay = LocalDate.toEpochDay(end)
  const asOfEndMs = zone.endOf(asOf)
  const scopeIds = new Set(tree.subtree(scope))
  const inScope = (id: PlaceId) => scopeIds.has(id)

  // Route order: grid, then position on the street, so member lists read like the walk.
  const households = facts.households
    .filter((h) => scopeIds.has(h.gridId) && h.activeFrom <= asOf)
    .sort((a, b) => compareText(a.gridId, b.gridId) || a.routePosition - b.routePosition || compareText(a.id, b.id))
  const slotOf = new Map<HouseholdId, number>()
  for (let i = 0; i < households.length; i++) slotOf.set(households[i].id, i)

  const residents: Array<Resident> = []
  const residentsBySlot: Array<Array<Resident> | undefined> = new Array(households.length)
  const allResidents = facts.residents
  for (let k = 0; k < allResidents.length; k++) {
    const r = allResidents[k]
    if (r.activeFrom > asOf) continue
    const slot = slotOf.get(r.householdId)
    if (slot === undefined) continue
    ;(residentsBySlot[slot] ??= []).push(r)
  }
  // Where each household's residents begin in `residents`.
  const residentsFrom = new Int32Array(households.length + 1)
  for (let i = 0; i < households.length; i++) {
    residentsFrom[i] = residents.length
    const list = residentsBySlot[i]
    if (list === undefined) continue
    sortById(list)
    for (let k = 0; k < list.length; k++) residents.push(list[k])
  }
  residentsFrom[households.length] = residents.length
  // A resident's position in `residents` (the last with an id, as a map keeps it), made on
  // first use: most reports find residents through their household instead.
  let residentAtMap: Map<ResidentId, number> | undefined
  const residentAt = (id: ResidentId): number | undefined => {
    if (residentAtMap === undefined) {
      residentAtMap = new Map()
      for (let k = 0; k < residents.length; k++) residentAtMap.set(residents[k].id, k)
    }
    return residentAtMap.get(id)
  }
  /** The position of a resident object of the index (found through its household), or -1. */
  const positionOf = (r: Resident): number => {
    const slot = slotOf.get(r.householdId)
    if (slot === undefined) return -1
    for (let k = residentsFrom[slot]; k < residentsFrom[slot + 1]; k++) if (residents[k] === r) return k
    return -1
  }

  const liaisons = facts.liaisons
    .filter((l) => l.appointedFrom <= asOf && l.gridIds.some(inScope))
    .sort(byId)
  const liaisonsByGrid = new Map<PlaceId, Array<Liaison>>()
  for (const l of liaisons) {
    for (const g of l.gridIds) {
      if (!scopeIds.has(g)) continue
      let list = liaisonsByGrid.get(g)
      if (list === undefined) liaisonsByGrid.set(g, list = [])
      list.push(l)
    }
  }

  const arrivals = facts.arrivals
    .filter((a) => slotOf.has(a.householdId) && a.reportedAt.epochMillis < asOfEndMs)
    .sort((a, b) => compareText(Arrival.arrivalDate(a), Arrival.arrivalDate(b)) || compareText(a.id, b.id))
  const matters = facts.matters
    .filter((m) => slotOf.has(m.householdId) && m.openedAt.epochMillis < asOfEndMs)
    .sort((a, b) => a.openedAt.epochMillis - b.openedAt.epochMillis || compareText(a.id, b.id))
  const campaigns = facts.campaigns.filter((c) => scopeIds.has(c.scopeId) || tree.isWithin(scope, c.scopeId))
  const campaignReaches = (c: Campaign, h: Household) => tree.isWithin(h.gridId, c.scopeId)

  const epochDayOf = (instant: DateTime.DateTime): number => {
    const ms = instant.epochMillis
    return Math.floor((ms + zone.offsetAt(ms)) / DAY_MS)
  }

  // Visits are indexed lazily: every household's from the period's start on first use, and
  // one household's further back when a metric asks for earlier days (monitoring of an arrival).
  const periodFromDay = LocalDate.toEpochDay(period.from)
  let covered = false
  const bySlot: Array<Metric.HouseholdVisits | undefined> = new Array(households.length)
  /** The first day of each household's list, when it starts before the period. */
  const slotFrom = new Map<number, number>()
  let buckets: Buckets | undefined | null = null
  /** The visits of local days `[fromDay, hi]` by household (of one household when `only` is given). */
  const collect = (
    fromDay: number,
    hi: number,
    only: number | undefined,
    f: (slot: number, list: Array<Visit>, days: Array<number>) => void
  ) => {
    if (fromDay > hi) return
    // Each local day's first instant: a visit's day is found from them, not from the zone.
    const bounds: Array<number> = []
    for (let d = fromDay; d <= hi + 1; d++) bounds.push(zone.startOf(LocalDate.fromEpochDay(d)))
    const startMs = bounds[0]
    const endMs = bounds[bounds.length - 1]
    const last = hi - fromDay
    const offset = zone.offsetAt(startMs)
    const all = facts.visits
    if (buckets === null) buckets = bucket(all)
    const [lo, to] = buckets === undefined
      ? [0, all.length]
      : positions(buckets, Math.floor(startMs / DAY_MS), Math.floor((endMs - 1) / DAY_MS))
    const order = buckets?.order
    const onlyId = only === undefined ? undefined : households[only].id
    const visits: Array<Array<Visit> | undefined> = new Array(only === undefined ? households.length : 1)
    const days: Array<Array<number> | undefined> = new Array(visits.length)
    const touched: Array<number> = []
    for (let i = lo; i < to; i++) {
      const v = all[order === undefined ? i : order[i]]
      if (onlyId !== undefined && v.householdId !== onlyId) continue
      const ms = v.at.epochMillis
      if (ms < startMs || ms >= endMs) continue
      const slot = onlyId !== undefined ? 0 : slotOf.get(v.householdId)
      if (slot === undefined) continue
      let list = visits[slot]
      if (list === undefined) {
        visits[slot] = list = []
        days[slot] = []
        touched.push(slot)
      }
      list.push(v)
      // A guess at the first day's offset, corrected by the bounds (the offset may change).
      let d = Math.floor((ms + offset) / DAY_MS) - fromDay
      if (d < 0) d = 0
      else if (d > last) d = last
      while (d > 0 && ms < bounds[d]) d--
      while (ms >= bounds[d + 1]) d++
      days[slot]!.push(fromDay + d)
    }
    for (let t = 0; t < touched.length; t++) {
      const k = touched[t]
      const list = visits[k]!
      const listDays = days[k]!
      sortVisits(list, listDays)
      f(only ?? k, list, listDays)
    }
  }
  const cover = () => {
    covered = true
    collect(periodFromDay, endDay, undefined, (slot, list, days) => {
      bySlot[slot] = { visits: list, days }
    })
  }
  const extend = (slot: number, fromDay: number) => {
    const first = slotFrom.get(slot) ?? periodFromDay
    if (fromDay >= first) return
    slotFrom.set(slot, fromDay)
    collect(fromDay, Math.min(endDay, first - 1), slot, (_, list, days) => {
      const after = bySlot[slot]
      bySlot[slot] = after === undefined
        ? { visits: list, days }
        : { visits: list.concat(after.visits), days: days.concat(after.days) }
    })
  }
  const visitsOf = (id: HouseholdId, from?: LocalDate.LocalDate): Metric.HouseholdVisits => {
    const slot = slotOf.get(id)
    if (slot === undefined) return EMPTY_VISITS
    if (!covered) cover()
    if (from !== undefined) {
      const fromDay = LocalDate.toEpochDay(from)
      if (fromDay < periodFromDay) extend(slot, fromDay)
    }
    return bySlot[slot] ?? EMPTY_VISITS
  }

  const householdSubjects: Array<Metric.Subject | undefined> = new Array(households.length)
  const householdSubject = (h: Household): Metric.Subject => {
    const slot = slotOf.get(h.id)
    if (slot === undefined) {
      return { kind: "household", id: h.id, name: h.address, householdId: h.id, address: h.address, placeId: h.gridId }
    }
    return householdSubjects[slot] ??= {
      kind: "household",
      id: h.id,
      name: h.address,
      householdId: h.id,
      address: h.address,
      placeId: h.gridId
    }
  }
  const residentSubjectsAt: Array<Metric.Subject | undefined> = new Array(residents.length)
  const residentSubjects = new Map<ResidentId, Metric.Subject>()
  const residentSubject = (r: Resident): Metric.Subject => {
    const at = positionOf(r)
    if (at >= 0) {
      const known = residentSubjectsAt[at]
      if (known !== undefined) return known
    }
    let s = residentSubjects.get(r.id)
    if (s === undefined) {
      const slot = slotOf.get(r.householdId)
      const h = slot === undefined ? undefined : households[slot]
      s = h === undefined
        ? { kind: "resident", id: r.id, name: r.name, householdId: r.householdId, placeId: scope }
        : {
          kind: "resident",
          id: r.id,
          name: r.name,
          householdId: r.householdId,
          address: h.address,
          placeId: h.gridId
        }
      if (at >= 0) residentSubjectsAt[at] = s
      else residentSubjects.set(r.id, s)
    }
    return s
  }
  const liaisonSubjects = new Map<string, Metric.Subject | undefined>()
  const liaisonSubject = (l: Liaison): Metric.Subject | undefined => {
    if (liaisonSubjects.has(l.id)) return liaisonSubjects.get(l.id)
    const grid = l.gridIds.find(inScope)
    const s: Metric.Subject | undefined = grid === undefined
      ? undefined
      : { kind: "liaison", id: l.id, name: l.name, placeId: grid }
    liaisonSubjects.set(l.id, s)
    return s
  }

  const index: Metric.Index = {
    tree,
    zone,
    scope,
    period,
    asOf,
    end,
    inScope,
    households,
    household: (id) => {
      const slot = slotOf.get(id)
      return slot === undefined ? undefined : households[slot]
    },
    residents,
    resident: (id) => {
      const at = residentAt(id)
      return at === undefined ? undefined : residents[at]
    },
    residentsOf: (id) => {
      const slot = slotOf.get(id)
      return slot === undefined ? [] : residentsBySlot[slot] ?? []
    },
    liaisons,
    liaisonsOf: (gridId) => liaisonsByGrid.get(gridId) ?? [],
    arrivals,
    matters,
    campaigns,
    campaignReaches,
    epochDayOf,
    dateOf: (instant) => LocalDate.fromEpochDay(epochDayOf(instant)),
    visitsOf,
    householdSubject,
    residentSubject,
    liaisonSubject
  }
  bucketsOfIndex.set(index, () => {
    if (buckets === null) buckets = bucket(facts.visits)
    return buckets
  })
  return index
}

/** The visit buckets an index built (or builds now), to lend the rules engine it runs. */
const bucketsOfIndex = new WeakMap<Metric.Index, () => Buckets | undefined>()

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

interface Tally {
  readonly population: Float64Array
  readonly excluded: Float64Array
  readonly numerator: Float64Array
  readonly observed: Float64Array
  readonly sum: Float64Array
  readonly values: Array<Array<number>> | undefined
}

const tally = (n: number, withValues: boolean): Tally => ({
  population: new Float64Array(n),
  excluded: new Float64Array(n),
  numerator: new Float64Array(n),
  observed: new Float64Array(n),
  sum: new Float64Array(n),
  values: withValues ? Array.from({ length: n }, () => []) : undefined
})

const bump = (t: Tally, i: number, status: Metric.Status, value: number | undefined) => {
  t.population[i]++
  if (status === "excluded") t.excluded[i]++
  else if (status === "numerator") t.numerator[i]++
  if (value !== undefined) {
    t.observed[i]++
    t.sum[i] += value
    t.values![i].push(value)
  }
}

const countsOf = (t: Tally, i: number, scoring: Metric.Scoring): Counts => {
  const population = t.population[i]
  const excluded = t.excluded[i]
  const denominator = population - excluded
  const numerator = t.numerator[i]
  return {
    population,
    excluded,
    denominator,
    numerator,
    missing: scoring === "proportion" ? denominator - numerator : 0,
    observed: t.observed[i],
    sum: t.sum[i]
  }
}

/**
 * Statistics of a list of numbers.
 *
 * @since 0.1.0
 * @category utils
 */
export const stats = (values: ReadonlyArray<number>): Stats => {
  const count = values.length
  if (count === 0) {
    return {
      count: 0,
      sum: 0,
      mean: undefined,
      median: undefined,
      min: undefined,
      max: undefined,
      sd: undefined,
      cv: undefined
    }
  }
  const sorted = [...values].sort((a, b) => a - b)
  let sum = 0
  for (const v of sorted) sum += v
  const mean = sum / count
  let squares = 0
  for (const v of sorted) squares += (v - mean) * (v - mean)
  const sd = Math.sqrt(squares / count)
  const mid = count >> 1
  const median = count % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return {
    count,
    sum,
    mean,
    median,
    min: sorted[0],
    max: sorted[count - 1],
    sd,
    cv: mean === 0 ? undefined : sd / mean
  }
}

const scoreOf = (metric: Metric.Metric, counts: Counts, st: Stats | undefined): number | undefined => {
  switch (metric.scoring) {
    case "proportion":
      return counts.denominator > 0 ? counts.numerator / counts.denominator : undefined
    case "cohort":
      return counts.denominator
    case "continuous-variable":
      return st === undefined ? undefined : st[metric.aggregate]
  }
}

const NOT_IN_NUMERATOR: Metric.Reason = { code: "not-in-numerator" }

interface Layout {
  readonly nodes: ReadonlyArray<Node>
  readonly parent: Int32Array
  /** One past the last place of each place's subtree (places are in preorder). */
  readonly end: Int32Array
  readonly nodeOf: (placeId: PlaceId) => number
}

/** `localeCompare(…, "en", { numeric: true })` without a collator made per comparison. */
let collator: Intl.Collator | undefined
const placeCollator = (): Intl.Collator => collator ??= new Intl.Collator("en", { numeric: true })

const layout = (tree: Place.Tree, scope: PlaceId, maxDepth: number): Layout => {
  const nodes: Array<Node> = []
  const parent: Array<number> = []
  const ends: Array<number> = []
  const index = new Map<PlaceId, number>()
  const sortKey = (p: Place.Place) => p.code ?? p.id
  const visit = (place: Place.Place, parentIndex: number, depth: number) => {
    const i = nodes.length
    const kids = depth < maxDepth
      ? [...tree.children(place.id)].sort((a, b) =>
        placeCollator().compare(sortKey(a), sortKey(b)) || compareText(a.id, b.id)
      )
      : []
    nodes.push({
      placeId: place.id,
      name: place.name,
      level: place.level,
      parentId: parentIndex < 0 ? undefined : nodes[parentIndex].placeId,
      depth,
      children: kids.map((k) => k.id)
    })
    parent.push(parentIndex)
    ends.push(0)
    index.set(place.id, i)
    for (const k of kids) visit(k, i, depth + 1)
    ends[i] = nodes.length
  }
  visit(tree.get(scope)!, -1, 0)
  // Places below the deepest level shown count for their ancestor that is shown.
  const nodeOf = (placeId: PlaceId): number => {
    const direct = index.get(placeId)
    if (direct !== undefined) return direct
    for (const a of tree.ancestry(placeId)) {
      const i = index.get(a)
      if (i !== undefined) {
        index.set(placeId, i)
        return i
      }
    }
    return 0
  }
  return { nodes, parent: Int32Array.from(parent), end: Int32Array.from(ends), nodeOf }
}

/** Adds every place's counts into its parent's (preorder: children come after parents). */
const rollUp = (t: Tally, parent: Int32Array) => {
  for (let i = parent.length - 1; i > 0; i--) {
    const p = parent[i]
    t.population[p] += t.population[i]
    t.excluded[p] += t.excluded[i]
    t.numerator[p] += t.numerator[i]
    t.observed[p] += t.observed[i]
    t.sum[p] += t.sum[i]
    if (t.values !== undefined && t.values[i].length > 0) {
      const into = t.values[p]
      for (const v of t.values[i]) into.push(v)
    }
  }
}

const EMPTY_MEMBERS: ReadonlyArray<Metric.Member> = []

const STATUSES: ReadonlyArray<Metric.Status> = ["numerator", "missing", "excluded", "included"]
const STATUS_CODE: { readonly [S in Metric.Status]: number } = { numerator: 0, missing: 1, excluded: 2, included: 3 }

/** A column grown to a capacity (holes read as undefined). */
const grow = <A>(xs: Array<A> | undefined, count: number, capacity: number): Array<A> | undefined => {
  if (xs === undefined) return undefined
  const out = new Array<A>(capacity)
  for (let i = 0; i < count; i++) out[i] = xs[i]
  return out
}

/** A member with the fields it has (made only when a reader opens its list). */
const memberRow = (
  subject: Metric.Subject,
  status: Metric.Status,
  date: LocalDate.LocalDate | undefined,
  reason: Metric.Reason | undefined,
  value: number | undefined,
  stratum: string | undefined
): Metric.Member => {
  const m: Mutable<Metric.Member> = { subject, status }
  if (date !== undefined) m.date = date
  if (reason !== undefined) m.reason = reason
  if (value !== undefined) m.value = value
  if (stratum !== undefined) m.stratum = stratum
  return m
}

/**
 * A result's members, one row per member in the order the metric judged them, kept as
 * columns: a `Member` object is made only when a figure's list is read (a report's reader
 * opens a few places, not all of them).
 */
class Members {
  count = 0
  /** Per row: its place and status, `node * 4 + status`. */
  codes = new Int32Array(64)
  subjects: Array<Metric.Subject> = new Array(64)
  reasons: Array<Metric.Reason | undefined> = new Array(64)
  // Most metrics date, value or stratify no member: these columns are made on first use.
  dates: Array<LocalDate.LocalDate | undefined> | undefined
  values: Array<number | undefined> | undefined
  strata: Array<string | undefined> | undefined
  /** Rows by place (preorder), then judging order; `start[i]` is where place `i`'s rows begin. */
  #order: Int32Array | undefined
  #start: Int32Array | undefined
  #built: Array<Metric.Member | undefined> | undefined
  constructor(readonly places: number) {}

  /** Makes room for `n` more rows (no growth inside the loop that adds them). */
  reserve(n: number) {
    const need = this.count + n
    if (need <= this.codes.length) return
    const capacity = Math.max(need, this.codes.length * 2)
    const codes = new Int32Array(capacity)
    codes.set(this.codes.subarray(0, this.count))
    this.codes = codes
    this.subjects = grow(this.subjects, this.count, capacity)!
    this.reasons = grow(this.reasons, this.count, capacity)!
    this.dates = grow(this.dates, this.count, capacity)
    this.values = grow(this.values, this.count, capacity)
    this.strata = grow(this.strata, this.count, capacity)
  }

  add(
    subject: Metric.Subject,
    status: Metric.Status,
    node: number,
    date: LocalDate.LocalDate | undefined,
    reason: Metric.Reason | undefined,
    value: number | undefined,
    stratum: string | undefined
  ) {
    if (this.count === this.codes.length) this.reserve(1)
    const k = this.count++
    this.codes[k] = node * 4 + STATUS_CODE[status]
    this.subjects[k] = subject
    this.reasons[k] = reason
    if (date !== undefined) (this.dates ??= new Array(this.codes.length))[k] = date
    if (value !== undefined) (this.values ??= new Array(this.codes.length))[k] = value
    if (stratum !== undefined) (this.strata ??= new Array(this.codes.length))[k] = stratum
  }

  /** The members of places `[from, to)` with a status, in place order. */
  list(status: Metric.Status, from: number, to: number): ReadonlyArray<Metric.Member> {
    if (this.#order === undefined) this.#sort()
    const order = this.#order!
    const start = this.#start!
    const code = STATUS_CODE[status]
    let out: Array<Metric.Member> | undefined
    for (let i = start[from]; i < start[to]; i++) {
      const k = order[i]
      if ((this.codes[k] & 3) !== code) continue
      ;(out ??= []).push(this.#member(k))
    }
    return out ?? EMPTY_MEMBERS
  }

  #member(k: number): Metric.Member {
    const built = this.#built ??= new Array(this.count)
    let m = built[k]
    if (m === undefined) {
      m = memberRow(
        this.subjects[k],
        STATUSES[this.codes[k] & 3],
        this.dates?.[k],
        this.reasons[k],
        this.values?.[k],
        this.strata?.[k]
      )
      built[k] = m
    }
    return m
  }

  /** A counting sort of the rows by place. */
  #sort() {
    const n = this.count
    const codes = this.codes
    const start = new Int32Array(this.places + 1)
    for (let k = 0; k < n; k++) start[(codes[k] >> 2) + 1]++
    for (let i = 1; i <= this.places; i++) start[i] += start[i - 1]
    const fill = start.slice(0, this.places)
    const order = new Int32Array(n)
    for (let k = 0; k < n; k++) order[fill[codes[k] >> 2]++] = k
    this.#order = order
    this.#start = start
  }
}

/**
 * A figure whose member lists, strata and series are put together on first read: a result's
 * members are listed (once, each at its own place) when a reader first opens a list, and a
 * place's lists are its subtree's.
 */
class LazyFigure implements Figure {
  readonly #members: () => Members
  readonly #from: number
  readonly #to: number
  readonly #lists: { [S in Metric.Status]?: ReadonlyArray<Metric.Member> } = {}
  readonly #strata: () => ReadonlyArray<StratumFigure>
  readonly #series: () => ReadonlyArray<SeriesPoint>
  #strataValue: ReadonlyArray<StratumFigure> | undefined
  #seriesValue: ReadonlyArray<SeriesPoint> | undefined
  constructor(
    readonly placeId: PlaceId,
    readonly counts: Counts,
    readonly score: number | undefined,
    readonly stats: Stats | undefined,
    members: () => Members,
    from: number,
    to: number,
    strata: () => ReadonlyArray<StratumFigure>,
    series: () => ReadonlyArray<SeriesPoint>
  ) {
    this.#members = members
    this.#from = from
    this.#to = to
    this.#strata = strata
    this.#series = series
  }
  #list(status: Metric.Status): ReadonlyArray<Metric.Member> {
    return this.#lists[status] ??= this.#members().list(status, this.#from, this.#to)
  }
  get numerator() {
    return this.#list("numerator")
  }
  get missing() {
    return this.#list("missing")
  }
  get excluded() {
    return this.#list("excluded")
  }
  get included() {
    return this.#list("included")
  }
  get strata() {
    return this.#strataValue ??= this.#strata()
  }
  get series() {
    return this.#seriesValue ??= this.#series()
  }
}

const evaluate = (
  metric: Metric.Metric,
  base: Omit<Metric.Context<unknown>, "parameters" | "period" | "on" | "fromDay" | "onDay">,
  lay: Layout
): Result => {
  const def = metric.definition
  const n = lay.nodes.length
  const { parent } = lay
  const scoring = metric.scoring
  const isCV = scoring === "continuous-variable"
  const period = base.index.period
  const end = base.index.end
  const days = end < period.from ? [] : LocalDate.days({ from: period.from, to: end })

  const total = tally(n, isCV)
  const strata = new Map<string, Tally>()
  const series = metric.series ? days.map(() => tally(n, isCV)) : []

  let lastPlace: PlaceId | undefined
  let lastNode = 0
  // The places of the last subject list counted, by position: a list judged again on other
  // days (the same array) is not described again (`describe` is pure).
  let nodesFor: ReadonlyArray<unknown> | undefined
  let nodesOf: Int32Array | undefined
  /**
   * Judges the subjects of a context: counts them (`into` undefined) or lists them as
   * members. Figures need only the counts; members are listed by a second pass over the
   * same contexts when a reader first opens a list (metrics are pure, so it judges alike).
   */
  const run = (
    ctx: Metric.Context<unknown>,
    date: LocalDate.LocalDate | undefined,
    day: Tally | undefined,
    into: Members | undefined
  ) => {
    const periodRun = metric.per === "day" || day === undefined
    const subjects = def.subjects(ctx)
    // Arrays are walked by index: an iterator per subject would be garbage in the hot loop.
    const list = Array.isArray(subjects) ? subjects as ReadonlyArray<unknown> : Array.from(subjects)
    if (into !== undefined) into.reserve(list.length)
    const known = into === undefined && list === nodesFor ? nodesOf : undefined
    const nodes = known ?? (into === undefined ? new Int32Array(list.length).fill(-1) : undefined)
    for (let k = 0; k < list.length; k++) {
      const s = list[k]
      if (def.initialPopulation !== undefined && !def.initialPopulation(s, ctx)) continue
      let node = known === undefined ? -1 : known[k]
      let subject: Metric.Subject | undefined
      if (node < 0) {
        const placeId = into === undefined && def.place !== undefined
          ? def.place(s, ctx)
          : (subject = def.describe(s, ctx)).placeId
        // Subjects come place by place more often than not: remember the last place.
        node = placeId === lastPlace ? lastNode : (lastNode = lay.nodeOf(lastPlace = placeId))
        if (nodes !== undefined) nodes[k] = node
      }
      // Strata belong to the period figure; daily count-only runs skip them.
      const stratum = periodRun ? def.stratum?.(s, ctx) : undefined
      const exclusion = def.exclusion?.(s, ctx)
      let status: Metric.Status
      let why: Metric.Reason | undefined
      let value: number | undefined
      if (exclusion !== undefined) {
        status = "excluded"
        why = exclusion
      } else if (scoring === "proportion") {
        const verdict = def.numerator!(s, ctx)
        if (verdict === true) {
          status = "numerator"
          if (into !== undefined && def.note !== undefined) why = def.note(s, ctx)
        } else {
          status = "missing"
          why = verdict === false ? NOT_IN_NUMERATOR : verdict
        }
      } else {
        status = "included"
        if (isCV) value = def.observation!(s, ctx)
        if (into !== undefined && def.note !== undefined) why = def.note(s, ctx)
      }
      if (into !== undefined) {
        into.add(
          subject!,
          status,
          node,
          date ?? (def.date === undefined ? undefined : def.date(s, ctx)),
          why,
          value,
          stratum
        )
        continue
      }
      if (day !== undefined) bump(day, node, status, value)
      if (stratum !== undefined) {
        let strat = strata.get(stratum)
        if (strat === undefined) strata.set(stratum, strat = tally(n, isCV))
        bump(strat, node, status, value)
      }
      if (periodRun) bump(total, node, status, value)
    }
    if (nodes !== undefined && known === undefined) {
      nodesFor = list
      nodesOf = nodes
    }
  }

  const ctxFor = (
    from: LocalDate.LocalDate,
    to: LocalDate.LocalDate,
    on: LocalDate.LocalDate
  ): Metric.Context<unknown> => ({
    ...base,
    parameters: metric.parameters,
    period: { from, to },
    on,
    fromDay: LocalDate.toEpochDay(from),
    onDay: LocalDate.toEpochDay(on)
  })

  // The contexts whose subjects are members (the period's, or each day's), kept for listing.
  const listed: Array<readonly [Metric.Context<unknown>, LocalDate.LocalDate | undefined]> = []
  if (metric.per === "day") {
    days.forEach((d, k) => {
      const ctx = ctxFor(d, d, d)
      listed.push([ctx, d])
      run(ctx, d, series[k], undefined)
    })
  } else {
    const ctx = ctxFor(period.from, period.to, end)
    listed.push([ctx, undefined])
    run(ctx, undefined, undefined, undefined)
    if (metric.series) days.forEach((d, k) => run(ctxFor(d, d, d), undefined, series[k], undefined))
  }
  // Each member is kept once, at its own place; figures gather their subtree on demand.
  let members: Members | undefined
  const membersOf = (): Members => {
    if (members === undefined) {
      members = new Members(n)
      for (const [ctx, date] of listed) run(ctx, date, undefined, members)
    }
    return members
  }

  rollUp(total, parent)
  for (const t of strata.values()) rollUp(t, parent)
  for (const t of series) rollUp(t, parent)

  const strataKeys = [...strata.keys()].sort(compareText)
  const figures: Array<Figure> = lay.nodes.map((node, i) => {
    const st = isCV ? stats(total.values![i]) : undefined
    const counts = countsOf(total, i, scoring)
    return new LazyFigure(
      node.placeId,
      counts,
      scoreOf(metric, counts, st),
      st,
      membersOf,
      i,
      lay.end[i],
      () =>
        strataKeys.map((key) => {
          const t = strata.get(key)!
          const sst = isCV ? stats(t.values![i]) : undefined
          const c = countsOf(t, i, scoring)
          return { stratum: key, counts: c, score: scoreOf(metric, c, sst), stats: sst }
        }),
      () =>
        days.length === 0 || !metric.series ? [] : days.map((date, k) => {
          const t = series[k]
          const c = countsOf(t, i, scoring)
          return { date, counts: c, score: scoreOf(metric, c, isCV ? stats(t.values![i]) : undefined) }
        })
    )
  })
  return { metric, figures }
}

/**
 * Computes a coverage report: every metric for the scope and each place under it.
 *
 * @example
 * ```ts
 * import { BuiltInMetrics, Coverage, LocalDate } from "@minqing/core"
 * import { Either } from "effect"
 *
 * declare const facts: import("@minqing/core").Fact.Facts
 *
 * const report = Either.getOrThrow(Coverage.compute({
 *   facts,
 *   metrics: BuiltInMetrics.all,
 *   scope: "daiwang" as any,
 *   period: LocalDate.period("2021-05-01", "2021-05-07")
 * }))
 * const screening = Coverage.figure(report, "household-screening", report.scope)
 * screening?.missing.map((m) => m.subject.name) // the households nobody reached
 * ```
 *
 * @since 0.1.0
 * @category computation
 */
export const compute = (options: Options): Either.Either<Report, CoverageError> => {
  const { facts, period, scope } = options
  const zone = options.zone ?? TimeZone.make(TimeZone.DEFAULT_ZONE)
  const asOf = options.asOf ?? period.to
  if (period.from > period.to) {
    return Either.left(
      new CoverageError({ reason: `the period ends (${period.to}) before it starts (${period.from})` })
    )
  }
  const seen = new Set<string>()
  for (const m of options.metrics) {
    if (seen.has(m.id)) {
      return Either.left(
        new CoverageError({ reason: `two metrics have the id "${m.id}"; rename one with Metric.rename` })
      )
    }
    seen.add(m.id)
  }
  const tree = Place.tree(facts.places)
  if (tree.get(scope) === undefined) {
    return Either.left(new CoverageError({ reason: `the scope "${scope}" is not a place of these facts` }))
  }
  const index = makeIndex(facts, { scope, period, asOf, zone, tree })
  const memo = new Map<string, unknown>()
  let tasks: ReadonlyArray<Metric.TaskView> | undefined
  const source = options.tasks ?? rules(BuiltInRules.pack)
  const base: Omit<Metric.Context<unknown>, "parameters" | "period" | "on" | "fromDay" | "onDay"> = {
    facts,
    index,
    scope,
    asOf,
    zone,
    tasks: () =>
      tasks ??= typeof source !== "function"
        ? source
        : index.end < period.from
        ? []
        : engineSources.has(source)
        ? lending(facts.visits, bucketsOfIndex.get(index)!(), () =>
          source({
            facts: knownOn_(facts, asOf, zone, new Set(index.households.map((h) => h.id)), false),
            asOf,
            from: period.from,
            to: index.end,
            zone
          }))
        : source({
          facts: knownOn(facts, asOf, zone, new Set(index.households.map((h) => h.id))),
          asOf,
          from: period.from,
          to: index.end,
          zone
        }),
    memo: <A>(key: string, f: () => A): A => {
      if (memo.has(key)) return memo.get(key) as A
      const value = f()
      memo.set(key, value)
      return value
    }
  }
  const lay = layout(tree, scope, options.depth ?? Number.POSITIVE_INFINITY)
  return Either.right({
    scope,
    period: { from: period.from, to: period.to },
    asOf,
    end: index.end,
    zone: zone.name,
    places: lay.nodes,
    results: options.metrics.map((m) => evaluate(m, base, lay))
  })
}

/**
 * `compute` as an Effect: the zone comes from the `Deployment`, the as-of date defaults to
 * today (from Effect's `Clock`), and bad options fail with `CoverageError`.
 *
 * @since 0.1.0
 * @category computation
 */
export const report = (
  options: Omit<Options, "zone" | "asOf"> & { readonly asOf?: LocalDate.LocalDate }
): Effect.Effect<Report, CoverageError, Deployment> =>
  Effect.gen(function*() {
    const { zone } = yield* Deployment
    const asOf = options.asOf ?? zone.dateOf(yield* Clock.currentTimeMillis)
    return yield* compute({ ...options, zone, asOf })
  })

/**
 * A metric's result in a report.
 *
 * @since 0.1.0
 * @category getters
 */
export const result = (report: Report, metricId: string): Result | undefined =>
  report.results.find((r) => r.metric.id === metricId)

/**
 * A metric's figure for a place of the report.
 *
 * @since 0.1.0
 * @category getters
 */
export const figure = (report: Report, metricId: string, placeId: PlaceId): Figure | undefined => {
  const r = result(report, metricId)
  if (r === undefined) return undefined
  const i = report.places.findIndex((p) => p.placeId === placeId)
  return i < 0 ? undefined : r.figures[i]
}

/**
 * The figures of a place's children in the report, in the report's order.
 *
 * @since 0.1.0
 * @category getters
 */
export const children = (report: Report, metricId: string, placeId: PlaceId): ReadonlyArray<Figure> => {
  const r = result(report, metricId)
  const node = report.places.find((p) => p.placeId === placeId)
  if (r === undefined || node === undefined) return []
  return node.children.map((id) => r.figures[report.places.findIndex((p) => p.placeId === id)])
}
