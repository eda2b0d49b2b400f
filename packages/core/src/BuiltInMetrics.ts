/**
 * The built-in metrics: the figures the source's leaders ask for ("no household missed in
 * screening, no person missed in vaccination"), each defined with `Metric.make` like a
 * metric of your own, with the boundaries in its description.
 *
 * | id | scoring | counts |
 * | --- | --- | --- |
 * | `household-screening` | proportion, daily series | active households with a contacted visit |
 * | `rule-compliance` | proportion, per rule | tasks resolved inside their window, of those whose window ended |
 * | `vaccination-first-dose` | proportion | present, eligible residents of target age with ≥ 1 dose |
 * | `vaccination-primary-course` | proportion | … with the primary course complete |
 * | `vaccination-booster` | proportion | … with a booster |
 * | `vaccination-status-checked` | proportion | … whose status was checked in the period |
 * | `arrivals-reported-in-advance` | proportion | arrivals reported before the arrival date |
 * | `arrival-monitoring-completed` | proportion | arrivals with a health check on every monitoring day |
 * | `elderly-checkins-done` | proportion | check-in tasks of elderly people living alone, done |
 * | `decoction-served` | proportion per day | households served on each campaign day |
 * | `matters-opened`, `matters-resolved`, `matters-overdue` | cohort | matters |
 * | `matter-resolution-days` | continuous (median) | days from opening to resolution |
 * | `workload-households`, `workload-tasks-per-day`, `workload-visits-per-day` | continuous (mean, spread) | per liaison |
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Arrival from "./Arrival.js"
import type { ArrivalReport } from "./Arrival.js"
import type { Household } from "./Household.js"
import { isActiveOn } from "./Household.js"
import type { PlaceId } from "./Ids.js"
import type * as Labels from "./Labels.js"
import type { Liaison } from "./Liaison.js"
import * as LocalDate from "./LocalDate.js"
import type { Matter } from "./Matter.js"
import * as Metric from "./Metric.js"
import * as Resident from "./Resident.js"
import type { Visit } from "./Visit.js"

const l = (zhHans: string, zhHant: string, en: string): Labels.Label => ({ "zh-Hans": zhHans, "zh-Hant": zhHant, en })
const day = LocalDate.toEpochDay

const overlaps = (
  r: { readonly activeFrom: LocalDate.LocalDate; readonly activeUntil?: LocalDate.LocalDate },
  from: LocalDate.LocalDate,
  to: LocalDate.LocalDate
) => r.activeFrom <= to && (r.activeUntil === undefined || r.activeUntil >= from)

/** A value computed once per context (per metric run, per day), without building memo keys. */
const perContext = <A>(compute: (ctx: Metric.Context<any>) => A) => {
  const cache = new WeakMap<object, A>()
  return (ctx: Metric.Context<any>): A => {
    let value = cache.get(ctx)
    if (value === undefined) {
      value = compute(ctx)
      cache.set(ctx, value)
    }
    return value
  }
}

const gridOf = (h: Household): PlaceId => h.gridId

const NOT_VISITED = Metric.reason("not-visited")

const visitReasons = {
  "not-visited": l("期内未入户", "期內未入戶", "Not visited in the period"),
  "nobody-home": l("入户无人在家", "入戶無人在家", "Visited, nobody home"),
  refused: l("入户被拒", "入戶被拒", "Visited, refused")
}

/** Whether a visit handed out decoction for one of the campaigns. */
const servedDecoction = (v: Visit, campaignIds: ReadonlyArray<string>): boolean => {
  const observations = v.observations
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i]
    if (o._tag === "decoction" && campaignIds.includes(o.campaignId)) return true
  }
  return false
}

/**
 * Why a household was not reached on days `[fromDay, toDay]`, or `true` when a contacted
 * visit did it (handing out decoction for one of `decoctionFor`, when given).
 */
const reached = (
  ctx: Metric.Context<unknown>,
  householdId: Household["id"],
  fromDay: number,
  toDay: number,
  decoctionFor?: ReadonlyArray<string>
): true | Metric.Reason => {
  const { days, visits } = ctx.index.visitsOf(householdId, ctx.period.from)
  let attempts = 0
  let contacted = 0
  let last: string | undefined
  for (let i = Metric.lastOnOrBefore(days, toDay); i >= 0; i--) {
    if (days[i] < fromDay) break
    const v = visits[i]
    attempts++
    if (v.outcome === "contacted") {
      if (decoctionFor === undefined || servedDecoction(v, decoctionFor)) return true
      contacted++
    }
    last ??= v.outcome
  }
  if (attempts === 0) return NOT_VISITED
  if (contacted > 0) return Metric.reason("not-served", { visits: attempts })
  return Metric.reason(last === "refused" ? "refused" : "nobody-home", { visits: attempts })
}

// ---------------------------------------------------------------------------
// Household screening
// ---------------------------------------------------------------------------

/**
 * Household screening coverage (入户排查覆盖率): households active on at least one day of
 * the period (up to the as-of date) with at least one contacted visit on a local date of the
 * period, ÷ those households; with a daily series (each day: households active that day,
 * contacted that day). Missing households say whether nobody visited, nobody was home or
 * the door was refused.
 *
 * @since 0.1.0
 * @category metrics
 */
export const householdScreening: Metric.Metric<undefined> = Metric.make<Household, undefined>({
  id: "household-screening",
  title: l("入户排查覆盖率", "入戶排查覆蓋率", "Household screening coverage"),
  description: l(
    "期内（含首尾日，截至统计日）有效户中，至少有一次“已见面”入户（按入户时间的本地日期）的户数占比；逐日序列按当日有效户、当日入户计算。",
    "期內（含首尾日，截至統計日）有效戶中，至少有一次「已見面」入戶（按入戶時間的本地日期）的戶數佔比；逐日序列按當日有效戶、當日入戶計算。",
    "Households active on at least one day of the period (inclusive, up to the as-of date) with at least one contacted visit on a local date of the period (Visit.at in the deployment zone), over those households. The daily series counts households active that day, contacted that day."
  ),
  scoring: "proportion",
  subject: "household",
  dateField: "Visit.at",
  series: true,
  reasons: visitReasons,
  subjects: (ctx) => ctx.index.households,
  describe: (h, ctx) => ctx.index.householdSubject(h),
  place: gridOf,
  initialPopulation: (h, ctx) => overlaps(h, ctx.period.from, ctx.on),
  numerator: (h, ctx) => reached(ctx, h.id, ctx.fromDay, ctx.onDay)
})

// ---------------------------------------------------------------------------
// Vaccination
// ---------------------------------------------------------------------------

/**
 * Parameters of the vaccination metrics: the target age range (on the judged date) and the
 * doses a primary course needs per vaccine product (the product of the first dose decides).
 *
 * @since 0.1.0
 * @category parameters
 */
export const VaccinationParameters = Schema.Struct({
  minAge: Schema.Int.pipe(Schema.between(0, 130)),
  maxAge: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 130)), { exact: true }),
  primaryDoses: Schema.Record({
    key: Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9-]{0,39}$/)),
    value: Schema.Int.pipe(Schema.between(1, 10))
  }),
  defaultPrimaryDoses: Schema.Int.pipe(Schema.between(1, 10))
}).annotations({ identifier: "VaccinationParameters" })

/**
 * @since 0.1.0
 * @category parameters
 */
export type VaccinationParameters = typeof VaccinationParameters.Type

/**
 * Defaults: residents aged 18 and over; two doses for the inactivated vaccines, one for the
 * adenovirus vector vaccine, three for the recombinant protein vaccine; two otherwise.
 *
 * @since 0.1.0
 * @category parameters
 */
export const vaccinationDefaults: VaccinationParameters = {
  minAge: 18,
  primaryDoses: { "sinopharm-bibp": 2, "sinopharm-wibp": 2, "sinovac-coronavac": 2, "cansino-ad5": 1, zf2001: 3 },
  defaultPrimaryDoses: 2
}

interface VaccinationSubject {
  readonly resident: Resident.Resident
  /** The household's grid (the resident's display reference is made only when listed). */
  readonly gridId: PlaceId
  readonly doses: number
  readonly needed: number
  readonly exclusion: Metric.Reason | undefined
}

const vaccinationReasons = {
  away: l("外出不在本地", "外出不在本地", "Away"),
  "temporarily-contraindicated": l("暂缓接种", "暫緩接種", "Temporarily contraindicated"),
  "permanently-contraindicated": l("禁忌接种", "禁忌接種", "Permanently contraindicated"),
  unvaccinated: l("未接种", "未接種", "Unvaccinated"),
  "primary-incomplete": l("未完成全程", "未完成全程", "Primary course incomplete"),
  "no-booster": l("未加强", "未加強", "No booster"),
  "not-checked": l("期内未核查接种情况", "期內未核查接種情況", "Status not checked in the period")
}

const vaccinationPopulation = (ctx: Metric.Context<VaccinationParameters>): ReadonlyArray<VaccinationSubject> => {
  const byParams = ctx.memo(
    `minqing/vaccination/${ctx.on}`,
    () => new WeakMap<VaccinationParameters, ReadonlyArray<VaccinationSubject>>()
  )
  let out = byParams.get(ctx.parameters)
  if (out !== undefined) return out
  const p = ctx.parameters
  const on = ctx.on
  const list: Array<VaccinationSubject> = []
  const residents = ctx.index.residents
  for (let k = 0; k < residents.length; k++) {
    const r = residents[k]
    if (!isActiveOn(r, on)) continue
    const h = ctx.index.household(r.householdId)
    if (h === undefined || !isActiveOn(h, on)) continue
    const age = LocalDate.ageOn(r.birthDate, on)
    if (age < p.minAge || (p.maxAge !== undefined && age > p.maxAge)) continue
    // Doses by the judged date, and the product of the first one, without sorting copies.
    let doses = 0
    let first: Resident.Dose | undefined
    const all = r.doses
    for (let d = 0; d < all.length; d++) {
      const dose = all[d]
      if (dose.date > on) continue
      doses++
      if (first === undefined || dose.date < first.date) first = dose
    }
    const needed = first === undefined ? p.defaultPrimaryDoses : p.primaryDoses[first.product] ?? p.defaultPrimaryDoses
    const e = r.eligibility
    const exclusion = r.presence === "away"
      ? Metric.reason("away")
      : Resident.isEligibleOn(r, on)
      ? undefined
      : e._tag === "temporarily-contraindicated" && e.until !== undefined
      ? Metric.reason(e._tag, { until: e.until })
      : Metric.reason(e._tag)
    list.push({ resident: r, gridId: h.gridId, doses, needed, exclusion })
  }
  out = list
  byParams.set(p, out)
  return out
}

const vaccinationMetric = (
  id: string,
  title: Labels.Label,
  description: Labels.Label,
  dateField: string,
  numerator: (s: VaccinationSubject, ctx: Metric.Context<VaccinationParameters>) => boolean | Metric.Reason
): Metric.Metric<VaccinationParameters> =>
  Metric.make<VaccinationSubject, VaccinationParameters>({
    id,
    title,
    description,
    scoring: "proportion",
    subject: "resident",
    dateField,
    reasons: vaccinationReasons,
    parameters: { schema: VaccinationParameters, defaults: vaccinationDefaults },
    subjects: vaccinationPopulation,
    describe: (s, ctx) => ctx.index.residentSubject(s.resident),
    place: (s) => s.gridId,
    exclusion: (s) => s.exclusion,
    numerator
  })

const POPULATION_ZH_HANS = "统计日（期末或截至日，取较早者）在册、在家、可接种、目标年龄段的居民"
const POPULATION_ZH_HANT = "統計日（期末或截至日，取較早者）在冊、在家、可接種、目標年齡段的居民"
const POPULATION_EN =
  "Residents active on the judged date (the period's end, or the as-of date if earlier) in an active household, of target age on that date; away and contraindicated residents are excluded with the reason"

/**
 * Vaccination coverage, at least one dose (Dose.date on or before the judged date).
 *
 * @since 0.1.0
 * @category metrics
 */
export const vaccinationFirstDose: Metric.Metric<VaccinationParameters> = vaccinationMetric(
  "vaccination-first-dose",
  l("疫苗接种率（至少一剂）", "疫苗接種率（至少一劑）", "Vaccination coverage (≥ 1 dose)"),
  l(
    `${POPULATION_ZH_HANS}中，至统计日至少接种一剂的比例。`,
    `${POPULATION_ZH_HANT}中，至統計日至少接種一劑的比例。`,
    `${POPULATION_EN}; counted: at least one dose dated on or before the judged date.`
  ),
  "Dose.date",
  (s) => s.doses >= 1 || Metric.reason("unvaccinated")
)

/**
 * Vaccination coverage, primary course complete (as many doses as the first dose's product
 * needs, per the parameters).
 *
 * @since 0.1.0
 * @category metrics
 */
export const vaccinationPrimaryCourse: Metric.Metric<VaccinationParameters> = vaccinationMetric(
  "vaccination-primary-course",
  l("全程接种率", "全程接種率", "Vaccination coverage (primary course complete)"),
  l(
    `${POPULATION_ZH_HANS}中，至统计日完成全程（剂次按首剂疫苗品种的参数）的比例。`,
    `${POPULATION_ZH_HANT}中，至統計日完成全程（劑次按首劑疫苗品種的參數）的比例。`,
    `${POPULATION_EN}; counted: as many doses by the judged date as the first dose's product needs (parameters).`
  ),
  "Dose.date",
  (s) =>
    s.doses >= s.needed ||
    (s.doses === 0
      ? Metric.reason("unvaccinated")
      : Metric.reason("primary-incomplete", { doses: s.doses, needed: s.needed }))
)

/**
 * Vaccination coverage, booster (more doses than the primary course needs).
 *
 * @since 0.1.0
 * @category metrics
 */
export const vaccinationBooster: Metric.Metric<VaccinationParameters> = vaccinationMetric(
  "vaccination-booster",
  l("加强免疫接种率", "加強免疫接種率", "Vaccination coverage (booster)"),
  l(
    `${POPULATION_ZH_HANS}中，至统计日完成全程后又接种加强针的比例。`,
    `${POPULATION_ZH_HANT}中，至統計日完成全程後又接種加強針的比例。`,
    `${POPULATION_EN}; counted: more doses by the judged date than the primary course needs.`
  ),
  "Dose.date",
  (s) =>
    s.doses > s.needed ||
    (s.doses === 0
      ? Metric.reason("unvaccinated")
      : s.doses < s.needed
      ? Metric.reason("primary-incomplete", { doses: s.doses, needed: s.needed })
      : Metric.reason("no-booster", { doses: s.doses }))
)

const checkedResidents = perContext((ctx): ReadonlySet<string> =>
  ctx.memo(`minqing/vaccination-checked/${ctx.period.from}/${ctx.on}`, () => {
    const from = ctx.fromDay
    const to = ctx.onDay
    const out = new Set<string>()
    const households = ctx.index.households
    for (let k = 0; k < households.length; k++) {
      const { days, visits } = ctx.index.visitsOf(households[k].id, ctx.period.from)
      for (let i = days.length - 1; i >= 0 && days[i] >= from; i--) {
        if (days[i] > to || visits[i].outcome !== "contacted") continue
        const observations = visits[i].observations
        for (let j = 0; j < observations.length; j++) {
          const o = observations[j]
          if (o._tag === "vaccination-check") out.add(o.residentId)
        }
      }
    }
    return out
  })
)

/**
 * Status-checked coverage: the same population, checked by a vaccination-check observation
 * on a contacted visit on a local date of the period.
 *
 * @since 0.1.0
 * @category metrics
 */
export const vaccinationStatusChecked: Metric.Metric<VaccinationParameters> = vaccinationMetric(
  "vaccination-status-checked",
  l("接种情况核查率", "接種情況核查率", "Vaccination status checked"),
  l(
    `${POPULATION_ZH_HANS}中，期内（含首尾日）有“已见面”入户核查其接种情况的比例。`,
    `${POPULATION_ZH_HANT}中，期內（含首尾日）有「已見面」入戶核查其接種情況的比例。`,
    `${POPULATION_EN}; counted: a vaccination-check observation of the resident on a contacted visit whose local date (Visit.at) is in the period.`
  ),
  "Visit.at",
  (s, ctx) => checkedResidents(ctx).has(s.resident.id) || Metric.reason("not-checked")
)

// ---------------------------------------------------------------------------
// Arrivals
// ---------------------------------------------------------------------------

/**
 * A resident of the index, looked for among the household's residents first (a few to
 * compare, no index of every resident built).
 */
const residentOf = (
  ctx: Metric.Context<unknown>,
  householdId: Household["id"],
  residentId: string
): Resident.Resident | undefined => {
  const own = ctx.index.residentsOf(householdId)
  for (let i = own.length - 1; i >= 0; i--) if (own[i].id === residentId) return own[i]
  return ctx.index.resident(residentId as Resident.Resident["id"])
}

// Arrivals, matters and tasks reach the metrics only for households in the index. Their
// display references are built once per report and shared by every metric and task.
const arrivalSubjects = (ctx: Metric.Context<unknown>): ReadonlyMap<string, Metric.Subject> =>
  ctx.memo("minqing/arrival-subjects", () => {
    const out = new Map<string, Metric.Subject>()
    for (const a of ctx.index.arrivals) {
      const h = ctx.index.household(a.householdId)!
      const name = a.person._tag === "Newcomer"
        ? a.person.name
        : residentOf(ctx, a.householdId, a.person.residentId)?.name ?? a.person.residentId
      out.set(a.id, {
        kind: "arrival",
        id: a.id,
        name,
        householdId: a.householdId,
        address: h.address,
        placeId: h.gridId
      })
    }
    return out
  })

const arrivalSubject = (a: ArrivalReport, ctx: Metric.Context<unknown>): Metric.Subject =>
  arrivalSubjects(ctx).get(a.id)!

/**
 * Arrivals reported in advance (提前报备率): arrival reports (not cancelled) whose arrival
 * date (actual, else expected) is in the period, reported (local date of
 * `ArrivalReport.reportedAt`) before that date.
 *
 * @since 0.1.0
 * @category metrics
 */
export const arrivalsReportedInAdvance: Metric.Metric<undefined> = Metric.make<ArrivalReport, undefined>({
  id: "arrivals-reported-in-advance",
  title: l("来（返）人员提前报备率", "來（返）人員提前報備率", "Arrivals reported in advance"),
  description: l(
    "到达日期（实际到达日，未到达则为预计日）在期内（含首尾日）的未取消报备中，报备时间的本地日期早于到达日期的比例。",
    "到達日期（實際到達日，未到達則為預計日）在期內（含首尾日）的未取消報備中，報備時間的本地日期早於到達日期的比例。",
    "Arrival reports (not cancelled) whose arrival date (actualArrival, else expectedArrival) is in the period (inclusive, up to the as-of date), reported on a local date (ArrivalReport.reportedAt) before the arrival date."
  ),
  scoring: "proportion",
  subject: "arrival",
  dateField: "ArrivalReport.reportedAt",
  reasons: {
    "reported-late": l("到达当日或之后才报备", "到達當日或之後才報備", "Reported on or after the arrival day")
  },
  subjects: (ctx) => ctx.index.arrivals,
  describe: arrivalSubject,
  date: Arrival.arrivalDate,
  initialPopulation: (a, ctx) => {
    const date = Arrival.arrivalDate(a)
    return a.status !== "cancelled" && date >= ctx.period.from && date <= ctx.on
  },
  numerator: (a, ctx) => {
    const late = ctx.index.epochDayOf(a.reportedAt) - day(Arrival.arrivalDate(a))
    return late < 0 || Metric.reason("reported-late", { daysAfterArrival: late })
  }
})

/**
 * Parameters of the monitoring metric: monitoring days by the origin's risk level, when the
 * report does not say (the `arrival-monitoring` rule's defaults).
 *
 * @since 0.1.0
 * @category parameters
 */
export const MonitoringParameters = Schema.Struct({
  low: Schema.Int.pipe(Schema.between(0, 60)),
  medium: Schema.Int.pipe(Schema.between(0, 60)),
  high: Schema.Int.pipe(Schema.between(0, 60))
}).annotations({ identifier: "MonitoringParameters" })

/**
 * @since 0.1.0
 * @category parameters
 */
export type MonitoringParameters = typeof MonitoringParameters.Type

const monitoringDays = (a: ArrivalReport, p: MonitoringParameters) => a.monitoringDays ?? p[a.originRisk]

/**
 * Arrival monitoring completed: arrivals (arrived or cleared) whose last monitoring day
 * (arrival date + monitoring days) is in the period, with a health check of the person on a
 * contacted visit to the household on every monitoring day (the days after the arrival
 * date). Arrivals needing no monitoring are excluded.
 *
 * @since 0.1.0
 * @category metrics
 */
export const arrivalMonitoringCompleted: Metric.Metric<MonitoringParameters> = Metric.make<
  ArrivalReport,
  MonitoringParameters
>({
  id: "arrival-monitoring-completed",
  title: l("来（返）人员健康监测完成率", "來（返）人員健康監測完成率", "Arrival monitoring completed"),
  description: l(
    "已到达人员中，监测期最后一天（到达日加监测天数）在期内（含首尾日）的，监测期每天都有健康排查（入户时间的本地日期）的比例；无需监测的排除。",
    "已到達人員中，監測期最後一天（到達日加監測天數）在期內（含首尾日）的，監測期每天都有健康排查（入戶時間的本地日期）的比例；無需監測的排除。",
    "Arrivals (arrived or cleared) whose last monitoring day (arrival date + monitoring days) is in the period (inclusive, up to the as-of date), with a health check of the person on a contacted visit to the household on every monitoring day (local date of Visit.at); arrivals needing no monitoring are excluded."
  ),
  scoring: "proportion",
  subject: "arrival",
  dateField: "Visit.at",
  reasons: {
    "no-monitoring-required": l("无需健康监测", "無需健康監測", "No monitoring required"),
    "monitoring-incomplete": l("有监测日未做健康排查", "有監測日未做健康排查", "Monitoring days without a health check")
  },
  parameters: { schema: MonitoringParameters, defaults: { low: 0, medium: 7, high: 14 } },
  subjects: (ctx) => ctx.index.arrivals,
  describe: arrivalSubject,
  date: Arrival.arrivalDate,
  initialPopulation: (a, ctx) => {
    if (a.status !== "arrived" && a.status !== "cleared") return false
    const last = LocalDate.addDays(Arrival.arrivalDate(a), monitoringDays(a, ctx.parameters))
    return last >= ctx.period.from && last <= ctx.on
  },
  exclusion: (a, ctx) => monitoringDays(a, ctx.parameters) === 0 ? Metric.reason("no-monitoring-required") : undefined,
  numerator: (a, ctx) => {
    const arrived = day(Arrival.arrivalDate(a))
    const n = monitoringDays(a, ctx.parameters)
    const residentId = a.person._tag === "KnownResident" ? a.person.residentId : undefined
    const { days, visits } = ctx.index.visitsOf(a.householdId, LocalDate.fromEpochDay(arrived + 1))
    const checked = new Set<number>()
    for (let i = 0; i < days.length; i++) {
      if (days[i] <= arrived || days[i] > arrived + n || visits[i].outcome !== "contacted") continue
      const observations = visits[i].observations
      for (let j = 0; j < observations.length; j++) {
        const o = observations[j]
        if (
          o._tag === "health-check" &&
          (o.arrivalId === a.id || (residentId !== undefined && o.residentId === residentId))
        ) {
          checked.add(days[i])
        }
      }
    }
    if (checked.size === n) return true
    let first = 0
    for (let d = arrived + 1; d <= arrived + n; d++) {
      if (!checked.has(d)) {
        first = d
        break
      }
    }
    return Metric.reason("monitoring-incomplete", {
      daysMissed: n - checked.size,
      days: n,
      firstMissed: LocalDate.fromEpochDay(first)
    })
  }
})

// ---------------------------------------------------------------------------
// Tasks: compliance and elderly check-ins
// ---------------------------------------------------------------------------

/**
 * A task is listed as its subject (the resident, household, arrival or matter), dated by its
 * due date and stratified by its rule.
 */
const taskSubject = (t: Metric.TaskView, ctx: Metric.Context<unknown>): Metric.Subject => {
  // A subject's tasks come one after another (the rules engine makes them so): remember the last.
  const last = ctx.memo("minqing/last-task-subject", newLastSubject)
  if (last.id === t.subjectId && last.kind === t.subjectKind && last.householdId === t.householdId) {
    return last.subject!
  }
  const subject = taskSubjectOf(t, ctx)
  last.id = t.subjectId
  last.kind = t.subjectKind
  last.householdId = t.householdId
  last.subject = subject
  return subject
}

const newLastSubject = (): {
  id: string | undefined
  kind: string | undefined
  householdId: string | undefined
  subject: Metric.Subject | undefined
} => ({ id: undefined, kind: undefined, householdId: undefined, subject: undefined })

const taskSubjectOf = (t: Metric.TaskView, ctx: Metric.Context<unknown>): Metric.Subject => {
  switch (t.subjectKind) {
    case "resident": {
      const r = residentOf(ctx, t.householdId, t.subjectId)
      if (r !== undefined) return ctx.index.residentSubject(r)
      break
    }
    case "arrival": {
      const a = arrivalSubjects(ctx).get(t.subjectId)
      if (a !== undefined) return a
      break
    }
    case "matter": {
      const m = matterSubjects(ctx).get(t.subjectId)
      if (m !== undefined) return m
      break
    }
  }
  return ctx.index.householdSubject(ctx.index.household(t.householdId)!)
}

interface LastHousehold {
  id: string | undefined
  gridId: PlaceId | undefined
  residents: ReadonlyArray<Resident.Resident>
}

/** The household of the last task placed, per index (tasks come a household at a time). */
const lastHouseholds = new WeakMap<Metric.Index, LastHousehold>()

/** A task's place, the same as its subject's (`taskSubject`), found without building it. */
const taskPlace = (t: Metric.TaskView, ctx: Metric.Context<unknown>): PlaceId => {
  const kind = t.subjectKind
  if (kind === "arrival" || kind === "matter") return taskSubject(t, ctx).placeId
  let last = lastHouseholds.get(ctx.index)
  if (last === undefined) {
    last = { id: undefined, gridId: undefined, residents: [] }
    lastHouseholds.set(ctx.index, last)
  }
  if (last.id !== t.householdId) {
    const h = ctx.index.household(t.householdId)
    if (h === undefined) return taskSubject(t, ctx).placeId
    last.id = t.householdId
    last.gridId = h.gridId
    last.residents = ctx.index.residentsOf(t.householdId)
  }
  if (kind === "resident") {
    // A resident of the task's household is placed at its grid; any other, as its subject says.
    const own = last.residents
    let i = own.length - 1
    while (i >= 0 && own[i].id !== t.subjectId) i--
    if (i < 0) return taskSubject(t, ctx).placeId
  }
  return last.gridId!
}

const taskReasons = {
  cancelled: l("已取消", "已取消", "Cancelled"),
  missed: l("已漏访", "已漏訪", "Missed"),
  due: l("今日应访", "今日應訪", "Due"),
  overdue: l("已逾期", "已逾期", "Overdue"),
  upcoming: l("未到期", "未到期", "Upcoming")
}

const inScopeTasks = (ctx: Metric.Context<unknown>): ReadonlyArray<Metric.TaskView> =>
  ctx.memo("minqing/tasks-in-scope", () => {
    // The rules engine's tasks are all in scope: the list itself, unless one is not.
    const tasks = ctx.tasks()
    let i = 0
    // Tasks come a household at a time: look each household up once.
    let last: string | undefined
    for (; i < tasks.length; i++) {
      const id = tasks[i].householdId
      if (id === last) continue
      if (ctx.index.household(id) === undefined) break
      last = id
    }
    return i === tasks.length ? tasks : tasks.filter((t) => ctx.index.household(t.householdId) !== undefined)
  })

/**
 * Rule compliance (规则执行率), per rule: tasks whose window closed (window end) in the
 * period, resolved by a visit inside their window, ÷ those tasks; cancelled ones are
 * excluded; missed ones are listed. Strata are the rules.
 *
 * @since 0.1.0
 * @category metrics
 */
export const ruleCompliance: Metric.Metric<undefined> = Metric.make<Metric.TaskView, undefined>({
  id: "rule-compliance",
  title: l("走访规则执行率", "走訪規則執行率", "Visit rule compliance"),
  description: l(
    "时间窗最后一天在期内（含首尾日，截至统计日）的任务中，在时间窗内由入户完成的比例，按规则分列；已取消的排除，漏访的列出。",
    "時間窗最後一天在期內（含首尾日，截至統計日）的任務中，在時間窗內由入戶完成的比例，按規則分列；已取消的排除，漏訪的列出。",
    "Tasks whose window ended (Task.window.to) in the period (inclusive, up to the as-of date), resolved by a visit inside the window, per rule; cancelled tasks are excluded, missed ones listed."
  ),
  scoring: "proportion",
  subject: "task",
  dateField: "Task.window.to",
  reasons: taskReasons,
  subjects: (ctx) => {
    const tasks = inScopeTasks(ctx)
    const from = ctx.period.from
    const on = ctx.on
    const out: Array<Metric.TaskView> = []
    for (let i = 0; i < tasks.length; i++) {
      const to = tasks[i].window.to
      if (to >= from && to <= on) out.push(tasks[i])
    }
    return out
  },
  describe: taskSubject,
  place: taskPlace,
  date: (t) => t.due,
  stratum: (t) => t.rule,
  exclusion: (t) => (t.state === "cancelled" ? Metric.reason("cancelled", { task: t.id }) : undefined),
  numerator: (t) =>
    (t.state === "done" && t.resolvedOn !== undefined && t.resolvedOn >= t.window.from &&
      t.resolvedOn <= t.window.to) ||
    Metric.reason(t.state === "done" ? "missed" : t.state, { task: t.id })
})

/**
 * Parameters of the elderly check-in metric: the rule whose tasks it reads.
 *
 * @since 0.1.0
 * @category parameters
 */
export const CheckinParameters = Schema.Struct({ rule: Schema.String }).annotations({
  identifier: "CheckinParameters"
})

/**
 * Elderly-alone check-ins done (独居老人问候完成率): check-in tasks (of the
 * `elderly-alone-checkin` rule) due in the period, done as of the as-of date; cancelled
 * ones are excluded; the others are listed with their state.
 *
 * @since 0.1.0
 * @category metrics
 */
export const elderlyCheckins: Metric.Metric<typeof CheckinParameters.Type> = Metric.make<
  Metric.TaskView,
  typeof CheckinParameters.Type
>({
  id: "elderly-checkins-done",
  title: l("独居老人问候完成率", "獨居老人問候完成率", "Elderly-alone check-ins done"),
  description: l(
    "应访日在期内（含首尾日，截至统计日）的独居老人问候任务中，截至统计日已完成的比例；已取消的排除。",
    "應訪日在期內（含首尾日，截至統計日）的獨居老人問候任務中，截至統計日已完成的比例；已取消的排除。",
    "Check-in tasks of elderly people living alone due (Task.due) in the period (inclusive, up to the as-of date), done as of the as-of date; cancelled tasks are excluded."
  ),
  scoring: "proportion",
  subject: "task",
  dateField: "Task.due",
  reasons: taskReasons,
  parameters: { schema: CheckinParameters, defaults: { rule: "elderly-alone-checkin" } },
  subjects: (ctx) => {
    const tasks = inScopeTasks(ctx)
    const { rule } = ctx.parameters
    const from = ctx.period.from
    const on = ctx.on
    const out: Array<Metric.TaskView> = []
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]
      if (t.rule === rule && t.due >= from && t.due <= on) out.push(t)
    }
    return out
  },
  describe: taskSubject,
  place: taskPlace,
  date: (t) => t.due,
  exclusion: (t) => (t.state === "cancelled" ? Metric.reason("cancelled", { task: t.id }) : undefined),
  numerator: (t) => t.state === "done" || Metric.reason(t.state, { task: t.id })
})

// ---------------------------------------------------------------------------
// Decoction
// ---------------------------------------------------------------------------

interface DecoctionDay {
  readonly households: ReadonlyArray<Household>
  /** The running decoction campaigns that reach each grid. */
  readonly byGrid: ReadonlyMap<PlaceId, ReadonlyArray<string>>
}

const decoctionDay = perContext((ctx): DecoctionDay =>
  ctx.memo(`minqing/decoction/${ctx.on}`, () => {
    const d = ctx.on
    const campaigns = ctx.index.campaigns.filter((c) =>
      c.kind === "decoction" && c.period.from <= d && d <= c.period.to
    )
    const byGrid = new Map<PlaceId, Array<string>>()
    const households: Array<Household> = []
    if (campaigns.length > 0) {
      const all = ctx.index.households
      for (let k = 0; k < all.length; k++) {
        const h = all[k]
        if (!isActiveOn(h, d)) continue
        let ids = byGrid.get(h.gridId)
        if (ids === undefined) {
          ids = campaigns.filter((c) => ctx.index.campaignReaches(c, h)).map((c) => c.id)
          byGrid.set(h.gridId, ids)
        }
        if (ids.length > 0) households.push(h)
      }
    }
    return { households, byGrid }
  })
)

/**
 * Decoction served per campaign day (中药预防汤剂发放率): on each day of the period (up to
 * the as-of date) that a decoction campaign runs, the active households it reaches with a
 * `decoction` observation for one of those campaigns on a contacted visit that day, ÷ those
 * households. The period figure counts household-days; the daily series is each day's share.
 *
 * @since 0.1.0
 * @category metrics
 */
export const decoctionServed: Metric.Metric<undefined> = Metric.make<Household, undefined>({
  id: "decoction-served",
  title: l("中药预防汤剂发放率", "中藥預防湯劑發放率", "Decoction served per campaign day"),
  description: l(
    "期内（含首尾日，截至统计日）每个汤剂发放活动日，活动覆盖的有效户中，当日“已见面”入户并发放汤剂的户数占比；期间合计按户·日计。",
    "期內（含首尾日，截至統計日）每個湯劑發放活動日，活動覆蓋的有效戶中，當日「已見面」入戶並發放湯劑的戶數佔比；期間合計按戶·日計。",
    "On each campaign day in the period (inclusive, up to the as-of date), active households a decoction campaign reaches with a decoction observation for it on a contacted visit that day (local date of Visit.at); the period figure counts household-days."
  ),
  scoring: "proportion",
  subject: "household",
  dateField: "Visit.at",
  per: "day",
  reasons: { ...visitReasons, "not-served": l("入户但未发放", "入戶但未發放", "Visited, not served") },
  subjects: (ctx) => decoctionDay(ctx).households,
  describe: (h, ctx) => ctx.index.householdSubject(h),
  place: gridOf,
  numerator: (h, ctx) => reached(ctx, h.id, ctx.onDay, ctx.onDay, decoctionDay(ctx).byGrid.get(h.gridId))
})

// ---------------------------------------------------------------------------
// Matters
// ---------------------------------------------------------------------------

const matterSubjects = (ctx: Metric.Context<unknown>): ReadonlyMap<string, Metric.Subject> =>
  ctx.memo("minqing/matter-subjects", () => {
    const out = new Map<string, Metric.Subject>()
    for (const m of ctx.index.matters) {
      const h = ctx.index.household(m.householdId)!
      out.set(m.id, {
        kind: "matter",
        id: m.id,
        name: m.summary.length > 60 ? m.summary.slice(0, 59) + "…" : m.summary,
        householdId: m.householdId,
        address: h.address,
        placeId: h.gridId
      })
    }
    return out
  })

const matterSubject = (m: Matter, ctx: Metric.Context<unknown>): Metric.Subject => matterSubjects(ctx).get(m.id)!

const openedDay = (m: Matter, ctx: Metric.Context<unknown>) => ctx.index.epochDayOf(m.openedAt)
/** The local day of the resolution, if resolved by the judged date. */
const resolvedDay = (m: Matter, ctx: Metric.Context<unknown>): number | undefined => {
  if (m.resolution === undefined) return undefined
  const d = ctx.index.epochDayOf(m.resolution.at)
  return d <= ctx.onDay ? d : undefined
}
const inPeriod = (d: number | undefined, ctx: Metric.Context<unknown>) =>
  d !== undefined && d >= ctx.fromDay && d <= ctx.onDay

const matterMetric = (
  options: Pick<Metric.Definition<Matter, undefined>, "id" | "title" | "description" | "dateField" | "scoring"> & {
    readonly initialPopulation: (m: Matter, ctx: Metric.Context<undefined>) => boolean
    readonly observation?: (m: Matter, ctx: Metric.Context<undefined>) => number | undefined
    readonly note?: (m: Matter, ctx: Metric.Context<undefined>) => Metric.Reason | undefined
    readonly date: (m: Matter, ctx: Metric.Context<undefined>) => LocalDate.LocalDate | undefined
    readonly aggregate?: Metric.Aggregate
    readonly unit?: string
    readonly improvement?: "increase" | "decrease"
  }
): Metric.Metric<undefined> =>
  Metric.make<Matter, undefined>({
    ...options,
    subject: "matter",
    subjects: (ctx) => ctx.index.matters,
    describe: matterSubject,
    stratum: (m) => m.category
  })

/**
 * Matters opened in the period (local date of `Matter.openedAt`), by category.
 *
 * @since 0.1.0
 * @category metrics
 */
export const mattersOpened: Metric.Metric<undefined> = matterMetric({
  id: "matters-opened",
  title: l("新增民情事项", "新增民情事項", "Matters opened"),
  description: l(
    "登记时间的本地日期在期内（含首尾日，截至统计日）的民情事项数，按类别分列。",
    "登記時間的本地日期在期內（含首尾日，截至統計日）的民情事項數，按類別分列。",
    "Matters opened (local date of Matter.openedAt) in the period (inclusive, up to the as-of date), by category."
  ),
  scoring: "cohort",
  dateField: "Matter.openedAt",
  initialPopulation: (m, ctx) => inPeriod(openedDay(m, ctx), ctx),
  date: (m, ctx) => ctx.index.dateOf(m.openedAt)
})

/**
 * Matters resolved in the period (local date of `Matter.resolution.at`), by category.
 *
 * @since 0.1.0
 * @category metrics
 */
export const mattersResolved: Metric.Metric<undefined> = matterMetric({
  id: "matters-resolved",
  title: l("办结民情事项", "辦結民情事項", "Matters resolved"),
  description: l(
    "办结时间的本地日期在期内（含首尾日，截至统计日）的民情事项数，按类别分列。",
    "辦結時間的本地日期在期內（含首尾日，截至統計日）的民情事項數，按類別分列。",
    "Matters resolved (local date of Matter.resolution.at) in the period (inclusive, up to the as-of date), by category."
  ),
  scoring: "cohort",
  dateField: "Matter.resolution.at",
  initialPopulation: (m, ctx) => inPeriod(resolvedDay(m, ctx), ctx),
  date: (m, ctx) => ctx.index.dateOf(m.resolution!.at)
})

/**
 * Days to resolution of the matters resolved in the period: from the local date of opening
 * to the local date of resolution; the score is the median.
 *
 * @since 0.1.0
 * @category metrics
 */
export const matterResolutionDays: Metric.Metric<undefined> = matterMetric({
  id: "matter-resolution-days",
  title: l("民情事项办结天数（中位数）", "民情事項辦結天數（中位數）", "Days to resolve a matter (median)"),
  description: l(
    "期内（含首尾日，截至统计日）办结的民情事项，从登记日到办结日（本地日期）的天数中位数。",
    "期內（含首尾日，截至統計日）辦結的民情事項，從登記日到辦結日（本地日期）的天數中位數。",
    "Matters resolved in the period (local date of Matter.resolution.at, inclusive, up to the as-of date): the median of the days from the local date of opening to the local date of resolution."
  ),
  scoring: "continuous-variable",
  aggregate: "median",
  unit: "days",
  improvement: "decrease",
  dateField: "Matter.resolution.at",
  initialPopulation: (m, ctx) => inPeriod(resolvedDay(m, ctx), ctx),
  observation: (m, ctx) => resolvedDay(m, ctx)! - openedDay(m, ctx),
  date: (m, ctx) => ctx.index.dateOf(m.resolution!.at)
})

/**
 * Matters still open on the judged date (not resolved by then) and past their due date, with
 * how many days overdue.
 *
 * @since 0.1.0
 * @category metrics
 */
export const mattersOverdue: Metric.Metric<undefined> = matterMetric({
  id: "matters-overdue",
  title: l("逾期未办结民情事项", "逾期未辦結民情事項", "Overdue open matters"),
  description: l(
    "统计日（期末或截至日，取较早者）仍未办结、且已过办理期限（dueBy 早于统计日）的民情事项数。",
    "統計日（期末或截至日，取較早者）仍未辦結、且已過辦理期限（dueBy 早於統計日）的民情事項數。",
    "Matters not resolved by the judged date (the period's end, or the as-of date if earlier) whose due date (Matter.dueBy) is before it."
  ),
  scoring: "cohort",
  improvement: "decrease",
  dateField: "Matter.dueBy",
  initialPopulation: (m, ctx) => resolvedDay(m, ctx) === undefined && m.dueBy < ctx.on,
  date: (m) => m.dueBy,
  note: (m, ctx) => Metric.reason("overdue", { dueBy: m.dueBy, daysOverdue: LocalDate.diffDays(m.dueBy, ctx.on) })
})

// ---------------------------------------------------------------------------
// Liaison workload
// ---------------------------------------------------------------------------

interface Workload {
  readonly households: ReadonlyMap<PlaceId, number>
  readonly visits: ReadonlyMap<string, number>
  readonly days: number
}

const workload = (ctx: Metric.Context<unknown>): Workload =>
  ctx.memo(`minqing/workload/${ctx.period.from}/${ctx.on}`, () => {
    const from = ctx.fromDay
    const to = ctx.onDay
    const households = new Map<PlaceId, number>()
    const visits = new Map<string, number>()
    const all = ctx.index.households
    for (let k = 0; k < all.length; k++) {
      const h = all[k]
      if (isActiveOn(h, ctx.on)) households.set(h.gridId, (households.get(h.gridId) ?? 0) + 1)
      const v = ctx.index.visitsOf(h.id, ctx.period.from)
      for (let i = v.days.length - 1; i >= 0 && v.days[i] >= from; i--) {
        if (v.days[i] > to) continue
        const id = v.visits[i].liaisonId
        visits.set(id, (visits.get(id) ?? 0) + 1)
      }
    }
    return { households, visits, days: Math.max(0, to - from + 1) }
  })

const tasksByGrid = (ctx: Metric.Context<unknown>): ReadonlyMap<PlaceId, number> =>
  ctx.memo(`minqing/workload-tasks/${ctx.period.from}/${ctx.on}`, () => {
    const tasks = new Map<PlaceId, number>()
    const all = inScopeTasks(ctx)
    const from = ctx.period.from
    const on = ctx.on
    // Tasks come a household at a time: look each household's grid up once.
    let household: string | undefined
    let grid: PlaceId | undefined
    let count = 0
    for (let i = 0; i < all.length; i++) {
      const t = all[i]
      if (t.due < from || t.due > on) continue
      if (t.householdId !== household) {
        if (grid !== undefined) tasks.set(grid, (tasks.get(grid) ?? 0) + count)
        household = t.householdId
        grid = ctx.index.household(t.householdId)!.gridId
        count = 0
      }
      count++
    }
    if (grid !== undefined) tasks.set(grid, (tasks.get(grid) ?? 0) + count)
    return tasks
  })

const gridsOf = (l: Liaison, ctx: Metric.Context<unknown>) => l.gridIds.filter(ctx.index.inScope)

const workloadMetric = (
  id: string,
  title: Labels.Label,
  description: Labels.Label,
  unit: string,
  dateField: string,
  observation: (l: Liaison, ctx: Metric.Context<undefined>) => number | undefined
): Metric.Metric<undefined> =>
  Metric.make<Liaison, undefined>({
    id,
    title,
    description,
    scoring: "continuous-variable",
    aggregate: "mean",
    unit,
    subject: "liaison",
    dateField,
    subjects: (ctx) => ctx.index.liaisons.filter((x) => x.active),
    describe: (x, ctx) => ctx.index.liaisonSubject(x)!,
    observation
  })

const WORKLOAD_ZH_HANS = "在岗联络员（按其在范围内的第一个片区归属）"
const WORKLOAD_ZH_HANT = "在崗聯絡員（按其在範圍內的第一個片區歸屬）"
const WORKLOAD_EN = "Active liaisons (each counted in the first of their grids in scope)"

/**
 * Households per liaison: active households on the judged date in the liaison's grids; the
 * figure's stats give the spread between liaisons (min, max, coefficient of variation).
 *
 * @since 0.1.0
 * @category metrics
 */
export const workloadHouseholds: Metric.Metric<undefined> = workloadMetric(
  "workload-households",
  l("联络员包户数", "聯絡員包戶數", "Households per liaison"),
  l(
    `${WORKLOAD_ZH_HANS}：统计日其片区内的有效户数；均值及联络员间的差异（最小、最大、变异系数）。`,
    `${WORKLOAD_ZH_HANT}：統計日其片區內的有效戶數；均值及聯絡員間的差異（最小、最大、變異係數）。`,
    `${WORKLOAD_EN}: households active on the judged date in their grids; the mean and the spread between liaisons (min, max, coefficient of variation).`
  ),
  "households",
  "Household.activeFrom",
  (x, ctx) => {
    const w = workload(ctx)
    let n = 0
    for (const g of gridsOf(x, ctx)) n += w.households.get(g) ?? 0
    return n
  }
)

/**
 * Tasks per liaison per day: tasks due in the period in the liaison's grids ÷ days of the
 * period (up to the as-of date).
 *
 * @since 0.1.0
 * @category metrics
 */
export const workloadTasks: Metric.Metric<undefined> = workloadMetric(
  "workload-tasks-per-day",
  l("联络员日均任务数", "聯絡員日均任務數", "Tasks per liaison per day"),
  l(
    `${WORKLOAD_ZH_HANS}：应访日在期内（含首尾日，截至统计日）的片区任务数 ÷ 天数；均值及联络员间的差异。`,
    `${WORKLOAD_ZH_HANT}：應訪日在期內（含首尾日，截至統計日）的片區任務數 ÷ 天數；均值及聯絡員間的差異。`,
    `${WORKLOAD_EN}: tasks of their grids due (Task.due) in the period (inclusive, up to the as-of date) ÷ days; the mean and the spread between liaisons.`
  ),
  "tasks/day",
  "Task.due",
  (x, ctx) => {
    const w = workload(ctx)
    if (w.days === 0) return undefined
    const tasks = tasksByGrid(ctx)
    let n = 0
    for (const g of gridsOf(x, ctx)) n += tasks.get(g) ?? 0
    return n / w.days
  }
)

/**
 * Visits per liaison per day: visits the liaison made in the period (local date of
 * `Visit.at`) to households in scope ÷ days of the period (up to the as-of date).
 *
 * @since 0.1.0
 * @category metrics
 */
export const workloadVisits: Metric.Metric<undefined> = workloadMetric(
  "workload-visits-per-day",
  l("联络员日均入户数", "聯絡員日均入戶數", "Visits per liaison per day"),
  l(
    `${WORKLOAD_ZH_HANS}：期内（含首尾日，截至统计日）本人入户次数 ÷ 天数；均值及联络员间的差异。`,
    `${WORKLOAD_ZH_HANT}：期內（含首尾日，截至統計日）本人入戶次數 ÷ 天數；均值及聯絡員間的差異。`,
    `${WORKLOAD_EN}: visits they made (local date of Visit.at) in the period (inclusive, up to the as-of date) ÷ days; the mean and the spread between liaisons.`
  ),
  "visits/day",
  "Visit.at",
  (x, ctx) => {
    const w = workload(ctx)
    return w.days === 0 ? undefined : (w.visits.get(x.id) ?? 0) / w.days
  }
)

// ---------------------------------------------------------------------------

/**
 * Every built-in metric, in report order.
 *
 * @since 0.1.0
 * @category collections
 */
export const all: ReadonlyArray<Metric.Metric> = [
  householdScreening,
  ruleCompliance,
  vaccinationFirstDose,
  vaccinationPrimaryCourse,
  vaccinationBooster,
  vaccinationStatusChecked,
  arrivalsReportedInAdvance,
  arrivalMonitoringCompleted,
  elderlyCheckins,
  decoctionServed,
  mattersOpened,
  mattersResolved,
  matterResolutionDays,
  mattersOverdue,
  workloadHouseholds,
  workloadTasks,
  workloadVisits
]

/**
 * The built-in metrics that need no tasks (for a report without a rules engine).
 *
 * @since 0.1.0
 * @category collections
 */
export const withoutTasks: ReadonlyArray<Metric.Metric> = all.filter((m) =>
  m !== ruleCompliance && m !== elderlyCheckins && m !== workloadTasks
)
