/**
 * The roll-up of the coverage engine (`Coverage.compute`), for figures whose members were
 * counted elsewhere (in SQL, or a chunk of households at a time): the report's places in the
 * engine's order, tallies per place, the same roll-up along the tree and the same figures.
 * Sums are added in the engine's order, so even the floating-point totals agree.
 */
import type { Coverage, Ids, Metric, Place } from "@minqing/core"
import { Coverage as CoverageModule } from "@minqing/core"

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** @internal */
export interface Layout {
  readonly nodes: ReadonlyArray<Coverage.Node>
  readonly parent: Int32Array
  /** The place each member's place counts for: itself, or its deepest ancestor shown. */
  readonly nodeOf: (placeId: string) => number
}

/**
 * The report's places: the scope, then depth first, children by code (or id) in natural
 * order, down to `maxDepth` levels.
 *
 * @internal
 */
export const layout = (tree: Place.Tree, scope: Ids.PlaceId, maxDepth: number): Layout => {
  const nodes: Array<Coverage.Node> = []
  const parent: Array<number> = []
  const index = new Map<string, number>()
  const sortKey = (p: Place.Place) => p.code ?? p.id
  const visit = (place: Place.Place, parentIndex: number, depth: number) => {
    const i = nodes.length
    const kids = depth < maxDepth
      ? [...tree.children(place.id)].sort((a, b) =>
        sortKey(a).localeCompare(sortKey(b), "en", { numeric: true }) || compareText(a.id, b.id)
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
    index.set(place.id, i)
    for (const k of kids) visit(k, i, depth + 1)
  }
  visit(tree.get(scope)!, -1, 0)
  const nodeOf = (placeId: string): number => {
    const direct = index.get(placeId)
    if (direct !== undefined) return direct
    for (const a of tree.ancestry(placeId as Ids.PlaceId)) {
      const i = index.get(a)
      if (i !== undefined) {
        index.set(placeId, i)
        return i
      }
    }
    return 0
  }
  return { nodes, parent: Int32Array.from(parent), nodeOf }
}

/** @internal */
export interface Tally {
  readonly population: Float64Array
  readonly excluded: Float64Array
  readonly numerator: Float64Array
  readonly observed: Float64Array
  readonly sum: Float64Array
  readonly values: Array<Array<number>> | undefined
}

/** @internal */
export const tally = (n: number, withValues: boolean): Tally => ({
  population: new Float64Array(n),
  excluded: new Float64Array(n),
  numerator: new Float64Array(n),
  observed: new Float64Array(n),
  sum: new Float64Array(n),
  values: withValues ? Array.from({ length: n }, () => []) : undefined
})

/**
 * Counts `n` members at a place at once (proportions and cohorts: no observations).
 *
 * @internal
 */
export const add = (t: Tally, i: number, population: number, excluded: number, numerator: number) => {
  t.population[i] += population
  t.excluded[i] += excluded
  t.numerator[i] += numerator
}

/**
 * One member, as the engine counts it.
 *
 * @internal
 */
export const bump = (t: Tally, i: number, status: Metric.Status, value: number | undefined) => {
  t.population[i]++
  if (status === "excluded") t.excluded[i]++
  else if (status === "numerator") t.numerator[i]++
  if (value !== undefined) {
    t.observed[i]++
    t.sum[i] += value
    t.values![i].push(value)
  }
}

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

/**
 * The number as a small integer when it is one: read from a `Float64Array`, a count would
 * otherwise be kept as a boxed double, and a report at M holds millions of them.
 */
const small = (x: number): number => ((x | 0) === x ? x | 0 : x)

const countsOf = (t: Tally, i: number, scoring: Metric.Scoring): Coverage.Counts => {
  const population = small(t.population[i])
  const excluded = small(t.excluded[i])
  const denominator = small(population - excluded)
  const numerator = small(t.numerator[i])
  return {
    population,
    excluded,
    denominator,
    numerator,
    missing: scoring === "proportion" ? small(denominator - numerator) : 0,
    observed: small(t.observed[i]),
    sum: small(t.sum[i])
  }
}

const scoreOf = (metric: Metric.Metric, counts: Coverage.Counts, st: Coverage.Stats | undefined) => {
  switch (metric.scoring) {
    case "proportion":
      return counts.denominator > 0 ? counts.numerator / counts.denominator : undefined
    case "cohort":
      return counts.denominator
    case "continuous-variable":
      return st === undefined ? undefined : st[metric.aggregate]
  }
}

const NO_MEMBERS: ReadonlyArray<Metric.Member> = []

/**
 * What one metric counts while a report is computed: the period total, strata, and one tally
 * per day of the series (when the metric has one).
 *
 * @internal
 */
export class MetricTally {
  readonly total: Tally
  readonly strata = new Map<string, Tally>()
  readonly series: ReadonlyArray<Tally>
  readonly isCV: boolean
  constructor(
    readonly metric: Metric.Metric,
    readonly n: number,
    readonly days: ReadonlyArray<string>
  ) {
    this.isCV = metric.scoring === "continuous-variable"
    this.total = tally(n, this.isCV)
    this.series = metric.series ? days.map(() => tally(n, this.isCV)) : []
  }
  stratum(key: string): Tally {
    let t = this.strata.get(key)
    if (t === undefined) this.strata.set(key, t = tally(this.n, this.isCV))
    return t
  }
  /** The figures of every place, in the layout's order, without member lists. */
  result(lay: Layout): Coverage.Result {
    const { isCV, metric } = this
    const scoring = metric.scoring
    rollUp(this.total, lay.parent)
    for (const t of this.strata.values()) rollUp(t, lay.parent)
    for (const t of this.series) rollUp(t, lay.parent)
    const keys = [...this.strata.keys()].sort(compareText)
    const figures = lay.nodes.map((node, i): Coverage.Figure => {
      const st = isCV ? CoverageModule.stats(this.total.values![i]) : undefined
      const counts = countsOf(this.total, i, scoring)
      return {
        placeId: node.placeId,
        counts,
        score: scoreOf(metric, counts, st),
        stats: st,
        numerator: NO_MEMBERS,
        missing: NO_MEMBERS,
        excluded: NO_MEMBERS,
        included: NO_MEMBERS,
        strata: keys.map((key) => {
          const t = this.strata.get(key)!
          const sst = isCV ? CoverageModule.stats(t.values![i]) : undefined
          const c = countsOf(t, i, scoring)
          return { stratum: key, counts: c, score: scoreOf(metric, c, sst), stats: sst }
        }),
        series: this.days.length === 0 || !metric.series ? [] : this.days.map((date, k) => {
          const t = this.series[k]
          const c = countsOf(t, i, scoring)
          return {
            date: date as Coverage.SeriesPoint["date"],
            counts: c,
            score: scoreOf(metric, c, isCV ? CoverageModule.stats(t.values![i]) : undefined)
          }
        })
      }
    })
    return { metric, figures }
  }
}

/**
 * A figure without its member lists (for results computed in memory on pruned facts, whose
 * lists would be partial).
 *
 * @internal
 */
export const withoutMembers = (f: Coverage.Figure): Coverage.Figure => ({
  placeId: f.placeId,
  counts: f.counts,
  score: f.score,
  stats: f.stats,
  numerator: NO_MEMBERS,
  missing: NO_MEMBERS,
  excluded: NO_MEMBERS,
  included: NO_MEMBERS,
  strata: f.strata,
  series: f.series
})
