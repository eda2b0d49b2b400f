/**
 * A deterministic, seeded scenario builder: a place tree, a roster of liaisons, households
 * and residents, arrival reports, matters, campaigns and a visit history, for tests,
 * benchmarks and demos.
 *
 * The sizes follow the project's scale table: `S` is the source — 待王街道 of 马村区, six
 * villages, sixty grids of about thirty households, one liaison each, 90 days of visits;
 * `M` is a district of ten subdistricts (99,000 households, 30 days); `L` a city of ten
 * districts (990,000 households, 30 days). Explicit counts make small custom scenarios.
 *
 * The same options always give the same scenario, and a different seed a different one.
 * Every fact decodes with its schema and every reference points at a fact of the scenario.
 * The history is realistic rather than perfect: liaisons sometimes skip a day or a
 * household, find nobody home, are refused, or forget to record an observation.
 *
 * For sizes that do not fit in memory at once, build the {@link roster} and stream its
 * {@link visits} a day at a time, or take the scenario a subdistrict at a time with
 * {@link parts}.
 *
 * @since 0.1.0
 */
import type * as Fact from "../Fact.js"
import type { LiaisonId, PlaceId } from "../Ids.js"
import * as LocalDate from "../LocalDate.js"
import * as TimeZone from "../TimeZone.js"
import type { Visit } from "../Visit.js"
import { seedKey } from "./scenario/random.js"
import { type Resolved, rosterParts } from "./scenario/roster.js"
import { allVisits, visitBatches } from "./scenario/visits.js"

/**
 * A preset size.
 *
 * @since 0.1.0
 * @category models
 */
export type Size = "S" | "M" | "L"

/**
 * How many places, households and days a scenario has.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /**
   * Districts. `0` makes the root a single subdistrict; `1` makes the root a district
   * (马村区); more make the root a city (焦作市). When several subdistricts are asked for
   * with `0`, one district holds them.
   */
  readonly districts: number
  /** Subdistricts in each district (1–99). */
  readonly subdistricts: number
  /** Villages in each subdistrict (1–99). */
  readonly villagesPerSubdistrict: number
  /** Grids in each village (1–99); each has one liaison. */
  readonly gridsPerVillage: number
  /** Households in a grid on average (1–999); each grid varies by a few, pairs cancel out. */
  readonly householdsPerGrid: number
  /** Days of visit history, ending on `today` (1–3,650). */
  readonly historyDays: number
}

/**
 * The preset shapes.
 *
 * @since 0.1.0
 * @category constants
 */
export const shapes: { readonly [S in Size]: Shape } = {
  S: {
    districts: 0,
    subdistricts: 1,
    villagesPerSubdistrict: 6,
    gridsPerVillage: 10,
    householdsPerGrid: 30,
    historyDays: 90
  },
  M: {
    districts: 1,
    subdistricts: 10,
    villagesPerSubdistrict: 10,
    gridsPerVillage: 33,
    householdsPerGrid: 30,
    historyDays: 30
  },
  L: {
    districts: 10,
    subdistricts: 10,
    villagesPerSubdistrict: 10,
    gridsPerVillage: 33,
    householdsPerGrid: 30,
    historyDays: 30
  }
}

/**
 * The default last day of history: 2021-05-14, the morning the source article describes.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TODAY: LocalDate.LocalDate = LocalDate.make("2021-05-14")

/**
 * The default seed.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_SEED = 1

/**
 * Options of a scenario: a preset size (default `S`), any of its counts overridden, a
 * seed, the last day of history and the deployment zone.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Partial<Shape> {
  /** The preset the counts start from (default `"S"`). */
  readonly size?: Size
  /** Any number (default 1). */
  readonly seed?: number
  /** The last day of history, `YYYY-MM-DD` (default 2021-05-14). */
  readonly today?: string
  /** An IANA zone (default `Asia/Shanghai`). */
  readonly zone?: string
}

/**
 * A generated scenario: the facts and what a test or demo needs to find its way in them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  readonly seed: number
  readonly shape: Shape
  /** The last day of history: the demo's "today". */
  readonly today: LocalDate.LocalDate
  /** The days of visit history, ending on `today`. */
  readonly history: LocalDate.Period
  readonly zone: TimeZone.ZoneName
  /** Place levels, top first (`subdistrict → village → grid` for `S`). */
  readonly levels: ReadonlyArray<string>
  /** The root of the place tree (`daiwang` for `S`). */
  readonly rootId: PlaceId
  readonly subdistrictIds: ReadonlyArray<PlaceId>
  readonly villageIds: ReadonlyArray<PlaceId>
  readonly gridIds: ReadonlyArray<PlaceId>
  /** The liaison who owns each grid. */
  readonly liaisonOf: ReadonlyMap<PlaceId, LiaisonId>
  readonly facts: Fact.Facts
}

const count = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Scenario: ${name} must be a whole number from ${min} to ${max}, got ${value}`)
  }
  return value
}

const resolve = (options: Options): Resolved => {
  const base = shapes[options.size ?? "S"]
  if (base === undefined) throw new RangeError(`Scenario: size must be "S", "M" or "L", got ${options.size}`)
  const subdistricts = count("subdistricts", options.subdistricts ?? base.subdistricts, 1, 99)
  const districts = Math.max(
    count("districts", options.districts ?? base.districts, 0, 99),
    subdistricts > 1 ? 1 : 0
  )
  const shape: Shape = {
    districts,
    subdistricts,
    villagesPerSubdistrict: count(
      "villagesPerSubdistrict",
      options.villagesPerSubdistrict ?? base.villagesPerSubdistrict,
      1,
      99
    ),
    gridsPerVillage: count("gridsPerVillage", options.gridsPerVillage ?? base.gridsPerVillage, 1, 99),
    householdsPerGrid: count("householdsPerGrid", options.householdsPerGrid ?? base.householdsPerGrid, 1, 999),
    historyDays: count("historyDays", options.historyDays ?? base.historyDays, 1, 3650)
  }
  const today = LocalDate.make(options.today ?? DEFAULT_TODAY)
  const seed = options.seed ?? DEFAULT_SEED
  if (!Number.isFinite(seed)) throw new RangeError(`Scenario: seed must be a finite number, got ${seed}`)
  return {
    seed,
    seedKey: seedKey(seed),
    shape,
    today,
    history: LocalDate.period(LocalDate.addDays(today, 1 - shape.historyDays), today),
    zone: TimeZone.make(options.zone ?? TimeZone.DEFAULT_ZONE),
    levels: districts === 0
      ? ["subdistrict", "village", "grid"]
      : districts === 1
      ? ["district", "subdistrict", "village", "grid"]
      : ["city", "district", "subdistrict", "village", "grid"]
  }
}

/**
 * The scenario one subdistrict at a time, each with its roster and no visits (stream them
 * with {@link visits}). Parts are independent: the places above the subdistricts come with
 * the first part that needs them, so writing the parts in order writes parents before
 * children. Concatenated, the parts are the {@link roster}.
 *
 * @example
 * ```ts
 * import { Scenario } from "@minqing/core/testing"
 *
 * for (const part of Scenario.parts({ size: "L" })) {
 *   // write part.facts, then each batch of Scenario.visits(part)
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parts = (options: Options = {}): Generator<Scenario> => rosterParts(resolve(options))

/**
 * Everything but the visits: places, liaisons, households, residents, arrival reports,
 * matters and campaigns (`facts.visits` is empty). Stream the visits with {@link visits}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const roster = (options: Options = {}): Scenario => {
  const all = [...rosterParts(resolve(options))]
  return {
    ...all[0],
    subdistrictIds: all.flatMap((p) => p.subdistrictIds),
    villageIds: all.flatMap((p) => p.villageIds),
    gridIds: all.flatMap((p) => p.gridIds),
    liaisonOf: new Map(all.flatMap((p) => [...p.liaisonOf])),
    facts: {
      places: all.flatMap((p) => p.facts.places),
      liaisons: all.flatMap((p) => p.facts.liaisons),
      households: all.flatMap((p) => p.facts.households),
      residents: all.flatMap((p) => p.facts.residents),
      visits: [],
      arrivals: all.flatMap((p) => p.facts.arrivals),
      matters: all.flatMap((p) => p.facts.matters),
      campaigns: all.flatMap((p) => p.facts.campaigns)
    }
  }
}

/**
 * The visit history of a scenario built by {@link roster}, {@link parts} or {@link make},
 * one batch per day of history in date order (each batch: every grid's visits that day,
 * grid by grid, in time order). A grid's visits depend only on the seed and that grid's
 * facts, so a part yields exactly the visits the whole scenario has for its grids.
 *
 * Each day, each liaison walks their grid from the east end to the west end between
 * 07:30 and 20:00 local time; a household not at home may get a second knock in the
 * evening. About one liaison-day in a hundred is skipped, a household is passed by now and
 * then, and an observation is sometimes forgotten, so daily screening coverage sits around
 * 92–97%.
 *
 * @example
 * ```ts
 * import { Scenario } from "@minqing/core/testing"
 *
 * const roster = Scenario.roster({ size: "M" })
 * for (const batch of Scenario.visits(roster)) {
 *   // about 99,000 visits: write them, then let them go
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const visits = (scenario: Scenario): Generator<ReadonlyArray<Visit>> =>
  visitBatches(scenario, seedKey(scenario.seed))

/**
 * A whole scenario in memory: the {@link roster} and all its {@link visits}. Meant for `S`
 * (built in well under a second) and small custom scenarios.
 *
 * @example
 * ```ts
 * import { Scenario } from "@minqing/core/testing"
 *
 * const s = Scenario.make({ seed: 7 })
 * s.rootId // "daiwang" (待王街道)
 * s.facts.households.length // 1800
 *
 * // a small one for a test: 1 village, 2 grids of 8 households, 14 days
 * const small = Scenario.make({ villagesPerSubdistrict: 1, gridsPerVillage: 2, householdsPerGrid: 8, historyDays: 14 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Scenario => {
  const base = roster(options)
  return { ...base, facts: { ...base.facts, visits: allVisits(base, seedKey(base.seed)) } }
}
