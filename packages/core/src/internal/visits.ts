/**
 * Visits bucketed by UTC day, so that the engines find the visits of a few local days
 * without reading every visit of a bundle again. A local day's instants lie in the UTC day
 * before, on or after it whatever the zone, so a range of local days maps to a range of
 * buckets.
 */
import type { Visit } from "../Visit.js"

const DAY = 24 * 60 * 60 * 1000

/**
 * `order` lists the visits' positions day by day: the visits of UTC day `first + d` are at
 * `order[start[d]]` up to (not including) `order[start[d + 1]]`, in the bundle's order.
 */
export interface Buckets {
  readonly first: number
  readonly start: Int32Array
  readonly order: Int32Array
}

/**
 * Buckets visits by UTC day (a counting sort, two typed arrays), or `undefined` when they
 * span so many days that a plain scan is as good.
 */
export const bucket = (visits: ReadonlyArray<Visit>): Buckets | undefined => {
  const n = visits.length
  if (n === 0) return undefined
  // The UTC day of each visit, kept for the second pass (reading instants again is slower).
  const days = new Int32Array(n)
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let k = 0; k < n; k++) {
    const d = Math.floor(visits[k].at.epochMillis / DAY)
    days[k] = d
    if (d < min) min = d
    if (d > max) max = d
  }
  const span = max - min + 1
  if (!(span > 0 && span <= 4 * n + 1024)) return undefined
  const start = new Int32Array(span + 1)
  for (let k = 0; k < n; k++) start[days[k] - min + 1]++
  for (let d = 1; d <= span; d++) start[d] += start[d - 1]
  const fill = start.slice(0, span)
  const order = new Int32Array(n)
  for (let k = 0; k < n; k++) order[fill[days[k] - min]++] = k
  return { first: min, start, order }
}

/**
 * The positions in `order` of the visits of UTC days `[lo, hi]`: `[from, to)`, empty when
 * none.
 */
export const positions = (buckets: Buckets, lo: number, hi: number): readonly [number, number] => {
  const { first, start } = buckets
  const a = Math.max(lo, first) - first
  const b = Math.min(hi, first + start.length - 2) - first
  return a > b ? [0, 0] : [start[a], start[b + 1]]
}

/**
 * Buckets handed from one engine to another during one computation (the coverage engine
 * and the rules engine it runs read the same visits): never kept past it.
 */
const lent = new WeakMap<ReadonlyArray<Visit>, Buckets | undefined>()

/**
 * The buckets lent for `visits` during the current computation, if any (`undefined` when
 * none are, or when those lent are none).
 */
export const borrowed = (visits: ReadonlyArray<Visit>): Buckets | undefined => lent.get(visits)

/** The buckets of visits: those lent for the current computation, or new ones. */
export const bucketsOf = (visits: ReadonlyArray<Visit>): Buckets | undefined =>
  lent.has(visits) ? lent.get(visits) : bucket(visits)

/** Runs `f` with `buckets` lent for `visits`. */
export const lending = <A>(visits: ReadonlyArray<Visit>, buckets: Buckets | undefined, f: () => A): A => {
  lent.set(visits, buckets)
  try {
    return f()
  } finally {
    lent.delete(visits)
  }
}

/**
 * Sorts parallel lists of visits and their days by instant, then id, in place (insertion
 * sort: one household's visits are few, often already in order).
 */
export const sortVisits = (visits: Array<Visit>, days: Array<number>, millis?: Array<number>): void => {
  for (let i = 1; i < visits.length; i++) {
    const v = visits[i]
    const ms = v.at.epochMillis
    const day = days[i]
    let j = i - 1
    while (j >= 0) {
      const w = visits[j]
      const wm = w.at.epochMillis
      if (!(wm > ms || (wm === ms && w.id > v.id))) break
      visits[j + 1] = w
      days[j + 1] = days[j]
      if (millis !== undefined) millis[j + 1] = millis[j]
      j--
    }
    if (j + 1 !== i) {
      visits[j + 1] = v
      days[j + 1] = day
      if (millis !== undefined) millis[j + 1] = ms
    }
  }
}
