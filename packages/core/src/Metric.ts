/**
 * Metrics: how a coverage figure is defined, the way a FHIR Measure is — an initial
 * population, exclusions, a numerator, over an inclusive period of local dates, "as of" a
 * date. A metric is a set of plain functions of a subject and a `Context`; the coverage
 * engine (`Coverage`) runs them over a scope, lists every member (counted, missing with the
 * reason, excluded with the reason) and rolls the figures up the place tree.
 *
 * Built-in metrics (`BuiltInMetrics`) use exactly this API, so a metric a developer writes
 * rolls up, exports and explains itself like they do.
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ArrivalReport } from "./Arrival.js"
import type { Campaign } from "./Campaign.js"
import type * as Fact from "./Fact.js"
import type { Household } from "./Household.js"
import type { HouseholdId, PlaceId, ResidentId } from "./Ids.js"
import type * as Labels from "./Labels.js"
import type { Liaison } from "./Liaison.js"
import type * as LocalDate from "./LocalDate.js"
import type { Matter } from "./Matter.js"
import type * as Place from "./Place.js"
import type { Resident } from "./Resident.js"
import type * as TimeZone from "./TimeZone.js"
import type { Visit } from "./Visit.js"

/**
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("@minqing/core/Metric")

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * How a figure is scored, after FHIR's measure scoring:
 *
 * - `proportion`: numerator ÷ (population − exclusions); every member not in the numerator
 *   is listed as missing, with the reason.
 * - `cohort`: the size of the population (after exclusions); every member is listed.
 * - `continuous-variable`: an observation per member (days, counts…), aggregated.
 *
 * @since 0.1.0
 * @category models
 */
export type Scoring = "proportion" | "cohort" | "continuous-variable"

/**
 * How a continuous-variable metric aggregates its observations into its score. The figure
 * also carries all the statistics (min, max, mean, median, standard deviation, coefficient
 * of variation) whatever the aggregate.
 *
 * @since 0.1.0
 * @category models
 */
export type Aggregate = "mean" | "median" | "sum" | "min" | "max"

/**
 * What kind of thing a member is.
 *
 * @since 0.1.0
 * @category models
 */
export type SubjectKind = "household" | "resident" | "arrival" | "matter" | "liaison" | "campaign" | "task"

/**
 * What a member list says about a subject: its id, a display name and address, and the
 * place it rolls up from (a grid, usually). Never national ID numbers or phones.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subject {
  readonly kind: SubjectKind
  readonly id: string
  /** A display name: the resident's or liaison's name, the household's address, … */
  readonly name: string
  readonly householdId?: HouseholdId
  readonly address?: string
  /** The place the subject rolls up from (the household's grid). */
  readonly placeId: PlaceId
}

/**
 * Why a member is missing from the numerator or excluded (or a note on a counted one): a
 * code (labelled through the metric's `reasons` table) and optional details for the reader.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reason {
  readonly code: string
  readonly detail?: { readonly [key: string]: string | number }
}

/**
 * A reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reason = (code: string, detail?: { readonly [key: string]: string | number }): Reason => {
  if (detail !== undefined) return { code, detail }
  // A reason without details is a value: one per code, shared by every member that has it.
  let r = plainReasons.get(code)
  if (r === undefined) {
    r = { code }
    if (plainReasons.size < 1024) plainReasons.set(code, r)
  }
  return r
}

const plainReasons = new Map<string, Reason>()

/**
 * Where a member stands:
 *
 * - `numerator`: counted;
 * - `missing`: in the denominator but not the numerator (a proportion's gap, with a reason);
 * - `excluded`: in the initial population but excluded (with a reason);
 * - `included`: in the population of a cohort or continuous-variable metric.
 *
 * @since 0.1.0
 * @category models
 */
export type Status = "numerator" | "missing" | "excluded" | "included"

/**
 * One member of a figure. Metrics judged per day (`per: "day"`) have one member per subject
 * and day, with `date` set; other metrics may date their members too (a task by its due date).
 *
 * @since 0.1.0
 * @category models
 */
export interface Member {
  readonly subject: Subject
  readonly status: Status
  readonly date?: LocalDate.LocalDate
  readonly reason?: Reason
  /** The observation of a continuous-variable metric. */
  readonly value?: number
  /** The stratum (e.g. the rule of a task), when the metric is stratified. */
  readonly stratum?: string
}

/**
 * The visits of one household the index holds, oldest first, with their local dates as
 * epoch days (`LocalDate.toEpochDay`) in a parallel array.
 *
 * @since 0.1.0
 * @category models
 */
export interface HouseholdVisits {
  readonly visits: ReadonlyArray<Visit>
  readonly days: ReadonlyArray<number>
}

/**
 * A task as the coverage engine reads it: the fields of the rules engine's `Task.Task` that
 * compliance, check-ins and workload need (a `Task.Task` is one).
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskView {
  readonly id: string
  readonly rule: string
  readonly subjectKind: string
  readonly subjectId: string
  /** The household whose door the task sends the liaison to. */
  readonly householdId: HouseholdId
  readonly due: LocalDate.LocalDate
  readonly window: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  /** The state on the report's as-of date. */
  readonly state: "upcoming" | "due" | "overdue" | "done" | "missed" | "cancelled"
  /** The local date of the visit that resolved it, if done. */
  readonly resolvedOn?: LocalDate.LocalDate
}

/**
 * Lookups over the facts of a report's scope, built once per report and shared by every
 * metric. Everything here is already cut to what was known on the as-of date: households,
 * residents and liaisons active or appointed after it are left out, and so are arrival
 * reports reported, matters opened and visits made after it. Doses after a date are dropped
 * by `Resident.dosesBy`, which metrics use.
 *
 * @since 0.1.0
 * @category models
 */
export interface Index {
  readonly tree: Place.Tree
  readonly zone: TimeZone.TimeZone
  readonly scope: PlaceId
  /** The report's period. */
  readonly period: LocalDate.Period | { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  readonly asOf: LocalDate.LocalDate
  /** The last date the report can see: the period's end, or the as-of date if earlier. */
  readonly end: LocalDate.LocalDate
  /** Whether a place is in the scope's subtree. */
  readonly inScope: (placeId: PlaceId) => boolean
  readonly households: ReadonlyArray<Household>
  readonly household: (id: HouseholdId) => Household | undefined
  readonly residents: ReadonlyArray<Resident>
  readonly resident: (id: ResidentId) => Resident | undefined
  readonly residentsOf: (householdId: HouseholdId) => ReadonlyArray<Resident>
  /** Liaisons appointed by the as-of date who own a grid in scope (active or not). */
  readonly liaisons: ReadonlyArray<Liaison>
  readonly liaisonsOf: (gridId: PlaceId) => ReadonlyArray<Liaison>
  readonly arrivals: ReadonlyArray<ArrivalReport>
  readonly matters: ReadonlyArray<Matter>
  /** Campaigns over the scope, a place in it, or a place above it. */
  readonly campaigns: ReadonlyArray<Campaign>
  /** Whether a campaign reaches a household (the household's grid is under its scope). */
  readonly campaignReaches: (campaign: Campaign, household: Household) => boolean
  /** The local date of an instant, as an epoch day. */
  readonly epochDayOf: (instant: DateTime.DateTime) => number
  /** The local date of an instant. */
  readonly dateOf: (instant: DateTime.DateTime) => LocalDate.LocalDate
  /**
   * The household's visits made on or after `from` (a local date) and by the end of the
   * report; the list may start earlier. Visits of the period are indexed on first use,
   * earlier ones when first asked for.
   */
  readonly visitsOf: (householdId: HouseholdId, from?: LocalDate.LocalDate) => HouseholdVisits
  /** The display reference of a household, a resident or a liaison (built once, shared). */
  readonly householdSubject: (household: Household) => Subject
  readonly residentSubject: (resident: Resident) => Subject
  readonly liaisonSubject: (liaison: Liaison) => Subject | undefined
}

/**
 * What a metric's functions read: the shared index, the period being judged (the report's
 * period, or one day of it for daily figures), the as-of date, the parameters, the tasks
 * of the rules engine (computed once per report, on first use) and a memo shared by the
 * report's metrics.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context<P = unknown> {
  readonly facts: Fact.Facts
  readonly index: Index
  readonly scope: PlaceId
  /** The period judged: the report's period, or a single day of it. */
  readonly period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  readonly asOf: LocalDate.LocalDate
  /**
   * The date states are judged on (active, present, eligible, age, doses): the period's
   * last day, or the as-of date when that is earlier.
   */
  readonly on: LocalDate.LocalDate
  /** `period.from` as an epoch day, to compare with `HouseholdVisits.days`. */
  readonly fromDay: number
  /** `on` as an epoch day. */
  readonly onDay: number
  readonly zone: TimeZone.TimeZone
  readonly parameters: P
  /** The tasks of the rules engine as of `asOf`, computed on first use. */
  readonly tasks: () => ReadonlyArray<TaskView>
  /** A value computed once per report under a key (include what it depends on in the key). */
  readonly memo: <A>(key: string, compute: () => A) => A
}

/**
 * A metric's definition. `subjects` lists the candidates; then for each one:
 * `initialPopulation` (default: all), `exclusion` (a reason, or `undefined`), and for a
 * proportion `numerator` (`true`, or `false`/a reason why it is missing), for a
 * continuous variable `observation`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Definition<S, P> {
  /** Lowercase letters, digits and hyphens; unique within a report. */
  readonly id: string
  readonly title: Labels.Label
  /** What is counted and the boundaries: which date field counts, which dates are inclusive. */
  readonly description: Labels.Label
  readonly scoring: Scoring
  readonly subject: SubjectKind
  /** The fact field whose local date places a subject in the period (e.g. `Visit.at`). */
  readonly dateField: string
  /**
   * `period` (default): each subject is judged once over the period. `day`: each subject is
   * judged on every day of the period (members carry `date`; the figure counts
   * subject-days; the daily series comes with it).
   */
  readonly per?: "period" | "day"
  /** A `per: "period"` metric with `series: true` is also judged on every day of the period. */
  readonly series?: boolean
  /** Whether a higher score is better (default `increase`). */
  readonly improvement?: "increase" | "decrease"
  readonly aggregate?: Aggregate
  /** The unit of a continuous-variable observation, such as `days` or `visits/day`. */
  readonly unit?: string
  /** Labels of the reason codes the metric gives. */
  readonly reasons?: { readonly [code: string]: Labels.Label }
  readonly parameters?: {
    readonly schema: Schema.Schema<P, any, never>
    readonly defaults: P
  }
  readonly subjects: (ctx: Context<P>) => Iterable<S>
  readonly describe: (subject: S, ctx: Context<P>) => Subject
  /**
   * The place a subject rolls up from, the same as `describe(subject, ctx).placeId`, when it
   * is cheaper to find than the whole display reference: figures need only the place, and
   * `describe` is then called only for the members a reader lists.
   */
  readonly place?: (subject: S, ctx: Context<P>) => PlaceId
  readonly initialPopulation?: (subject: S, ctx: Context<P>) => boolean
  readonly exclusion?: (subject: S, ctx: Context<P>) => Reason | undefined
  readonly numerator?: (subject: S, ctx: Context<P>) => boolean | Reason
  readonly observation?: (subject: S, ctx: Context<P>) => number | undefined
  readonly stratum?: (subject: S, ctx: Context<P>) => string | undefined
  /** The date a member is listed under (a task's due date, say); `per: "day"` members get the day. */
  readonly date?: (subject: S, ctx: Context<P>) => LocalDate.LocalDate | undefined
  /** A note on a counted or included member (how many days overdue, say), in its `reason`. */
  readonly note?: (subject: S, ctx: Context<P>) => Reason | undefined
}

/**
 * A metric: its definition and the parameters it runs with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Metric<P = any> {
  readonly [TypeId]: TypeId
  readonly id: string
  readonly title: Labels.Label
  readonly description: Labels.Label
  readonly scoring: Scoring
  readonly per: "period" | "day"
  readonly series: boolean
  readonly improvement: "increase" | "decrease"
  readonly aggregate: Aggregate
  readonly unit: string | undefined
  readonly dateField: string
  readonly subject: SubjectKind
  readonly reasons: { readonly [code: string]: Labels.Label }
  readonly parameters: P
  readonly definition: Definition<any, P>
}

const ID = /^[a-z][a-z0-9-]{0,63}$/

/**
 * Defines a metric.
 *
 * @example
 * ```ts
 * import { Metric } from "@minqing/core"
 *
 * // Share of households with at least one visit by anyone in the period, contacted or not.
 * const knocked = Metric.make({
 *   id: "households-knocked",
 *   title: { "zh-Hans": "已敲门户数占比", "zh-Hant": "已敲門戶數佔比", en: "Households knocked" },
 *   description: { "zh-Hans": "…", "zh-Hant": "…", en: "Households with a visit (Visit.at) in the period" },
 *   scoring: "proportion",
 *   subject: "household",
 *   dateField: "Visit.at",
 *   subjects: (ctx) => ctx.index.households,
 *   describe: (h, ctx) => ctx.index.householdSubject(h),
 *   numerator: (h, ctx) =>
 *     ctx.index.visitsOf(h.id).days.some((d) => d >= ctx.fromDay && d <= ctx.onDay) ||
 *     Metric.reason("not-visited")
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <S, P = undefined>(definition: Definition<S, P>): Metric<P> => {
  if (!ID.test(definition.id)) {
    throw new Error(
      `Invalid metric id ${JSON.stringify(definition.id)}: use lowercase letters, digits and hyphens`
    )
  }
  if (definition.scoring === "proportion" && definition.numerator === undefined) {
    throw new Error(`Metric ${definition.id}: a proportion needs a numerator`)
  }
  if (definition.scoring === "continuous-variable" && definition.observation === undefined) {
    throw new Error(`Metric ${definition.id}: a continuous variable needs an observation`)
  }
  return {
    [TypeId]: TypeId,
    id: definition.id,
    title: definition.title,
    description: definition.description,
    scoring: definition.scoring,
    per: definition.per ?? "period",
    series: definition.per === "day" || definition.series === true,
    improvement: definition.improvement ?? "increase",
    aggregate: definition.aggregate ?? "mean",
    unit: definition.unit,
    dateField: definition.dateField,
    subject: definition.subject,
    reasons: definition.reasons ?? {},
    parameters: definition.parameters?.defaults as P,
    definition: definition as Definition<any, P>
  }
}

/**
 * Whether a value is a metric.
 *
 * @since 0.1.0
 * @category guards
 */
export const isMetric = (u: unknown): u is Metric => typeof u === "object" && u !== null && TypeId in u

/**
 * The metric with other parameters (already typed).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withParameters = <P>(metric: Metric<P>, parameters: P): Metric<P> => ({ ...metric, parameters })

/**
 * The metric with parameters decoded from configuration (unknown input, e.g. JSON),
 * merged over its defaults; fails with the decoding error naming the bad field.
 *
 * @since 0.1.0
 * @category combinators
 */
export const configure = <P>(
  metric: Metric<P>,
  input: unknown
): Either.Either<Metric<P>, ParseResult.ParseError> => {
  const spec = metric.definition.parameters
  if (spec === undefined) return Either.right(metric)
  const merged = typeof input === "object" && input !== null && !Array.isArray(input)
    ? { ...Schema.encodeSync(spec.schema)(metric.parameters), ...input }
    : input
  return Either.map(
    Schema.decodeUnknownEither(spec.schema)(merged, { errors: "all" }),
    (p) => withParameters(metric, p)
  )
}

/**
 * The metric under another id and title (to run a built-in one twice with different
 * parameters in one report).
 *
 * @since 0.1.0
 * @category combinators
 */
export const rename = <P>(metric: Metric<P>, id: string, title?: Labels.Label): Metric<P> => {
  if (!ID.test(id)) {
    throw new Error(`Invalid metric id ${JSON.stringify(id)}: use lowercase letters, digits and hyphens`)
  }
  return { ...metric, id, title: title ?? metric.title }
}

/**
 * A local date as an epoch day, to compare with `HouseholdVisits.days`.
 *
 * @since 0.1.0
 * @category utils
 */
export { toEpochDay as day } from "./LocalDate.js"

/**
 * The index of the last of `days` (sorted) that is on or before `day`, or -1: where to start
 * walking a household's visits backwards from a date.
 *
 * @since 0.1.0
 * @category utils
 */
export const lastOnOrBefore = (days: ReadonlyArray<number>, day: number): number => {
  let lo = 0
  let hi = days.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (days[mid] <= day) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

/**
 * The label of a reason code in a locale (the metric's own table first; unknown codes come
 * back as themselves).
 *
 * @since 0.1.0
 * @category getters
 */
export const reasonLabel = (metric: Metric, code: string, locale: Labels.Locale): string => {
  const entry = metric.reasons[code]
  return entry === undefined ? code : entry[locale]
}
