/**
 * The built-in rule pack: the eight rules of the source (Daiwang subdistrict, 2021), every
 * number a parameter.
 *
 * | rule | subject | default | resolved by |
 * | --- | --- | --- | --- |
 * | `household-sweep` | each active household | daily | a contacted visit that day |
 * | `elderly-alone-checkin` | resident aged ≥ 60 living alone | daily, high | a wellbeing observation for that person |
 * | `vaccination-followup` | present, eligible resident aged ≥ 18, course not complete | every 3 days (window 3 days) | a vaccination check of that person |
 * | `arrival-first-visit` | arrival report | on arrival day, window + 1 day, high | a health check of the arriving person |
 * | `arrival-monitoring` | arrival report | daily for 0 / 7 / 14 days after arrival by origin risk (or the report's days) | a health check that day |
 * | `decoction-distribution` | household in a decoction campaign's scope | daily during the campaign | decoction handed out for that campaign |
 * | `publicity-leaflet` | household in a leaflet campaign's scope | once per campaign, by its last day | publicity for that campaign |
 * | `matter-followup` | open matter | within 2 days of opening, then every 3 days; disputes high | a follow-up observation of that matter |
 *
 * Household and resident validity dates bound every rule: nothing is due before a record is
 * active, and an occurrence still open when it stops being active is cancelled.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Arrival from "./Arrival.js"
import type { Campaign } from "./Campaign.js"
import type { Household } from "./Household.js"
import { dateOfAge, plusDays } from "./internal/days.js"
import { FactRef, pair, single, triple } from "./internal/plain.js"
import * as LocalDate from "./LocalDate.js"
import * as Recurrence from "./Recurrence.js"
import type { Resident } from "./Resident.js"
import * as Rule from "./Rule.js"
import * as RulePack from "./RulePack.js"
import * as Task from "./Task.js"
import type * as TimeZone from "./TimeZone.js"

const householdOf = (facts: { readonly households: ReadonlyArray<Household> }): Household | undefined =>
  facts.households[0]

// Words are made for every task an evaluation returns: through constructors (see internal/plain).
const householdRef = (h: Household): Task.FactRef => new FactRef("Household", h.id)
const residentRef = (r: Resident): Task.FactRef => new FactRef("Resident", r.id)

/**
 * Applies from `from` (no earlier than each record's `activeFrom`) until the earliest of
 * `endDate` and the records' `activeUntil`. The rules run over every resident of a
 * district: their words come apart (`explain`), built only for subjects with a task.
 */
const within = (
  from: LocalDate.LocalDate,
  first: Household | Resident,
  second: Household | undefined,
  endDate?: LocalDate.LocalDate
): Rule.Applicability => {
  let start = from
  let until = endDate
  if (first.activeFrom > start) start = first.activeFrom
  if (first.activeUntil !== undefined && (until === undefined || first.activeUntil < until)) until = first.activeUntil
  if (second !== undefined) {
    if (second.activeFrom > start) start = second.activeFrom
    if (second.activeUntil !== undefined && (until === undefined || second.activeUntil < until)) {
      until = second.activeUntil
    }
  }
  return Rule.applies({ from: start, until })
}

/**
 * Why `within` stopped applying: the record whose `activeUntil` came first, else `ended`
 * (what ends it on `endDate`).
 */
const stoppedBy = (
  first: Household | Resident,
  second: Household | undefined,
  endDate?: LocalDate.LocalDate,
  ended?: () => string
): string | undefined => {
  let until = endDate
  let ender: Household | Resident | undefined
  if (first.activeUntil !== undefined && (until === undefined || first.activeUntil < until)) {
    until = first.activeUntil
    ender = first
  }
  if (second?.activeUntil !== undefined && (until === undefined || second.activeUntil < until)) ender = second
  if (ender !== undefined) {
    return `${ender._tag === "Household" ? "household" : "resident"} ${ender.id} is inactive after ${ender.activeUntil}`
  }
  return endDate === undefined ? undefined : ended?.()
}

const Days = (min: number, max: number) => Schema.Int.pipe(Schema.between(min, max))

/**
 * Every active household, on the cadence (default daily), resolved by any contacted visit.
 *
 * @since 0.1.0
 * @category rules
 */
export const householdSweep = Rule.make({
  id: "household-sweep",
  version: 1,
  title: { "zh-Hans": "入户排查", "zh-Hant": "入戶排查", en: "Household sweep" },
  description: "Knock on every active household's door on the cadence; any contacted visit counts.",
  subject: Rule.household,
  params: Schema.Struct({ cadence: Recurrence.Pattern, window: Rule.Window, priority: Task.Priority }),
  defaults: { cadence: Recurrence.patternDaily, window: Rule.sameDay, priority: "normal" },
  applies: (h) => within(h.activeFrom, h, undefined),
  explain: (h) => ({
    because: single(`household ${h.id} (${h.address}) is active from ${h.activeFrom}`),
    facts: single(householdRef(h)),
    stopped: stoppedBy(h, undefined)
  }),
  recurrence: (_, { from, params }) => Recurrence.make(params.cadence, from),
  window: (_, params) => params.window,
  priority: (_, params) => params.priority,
  resolvedBy: Rule.contacted
})

/**
 * Residents aged `minAge` (60) or more who live alone, daily, high priority; resolved by an
 * elderly-wellbeing observation for that person.
 *
 * @since 0.1.0
 * @category rules
 */
export const elderlyAloneCheckin = Rule.make({
  id: "elderly-alone-checkin",
  version: 1,
  title: { "zh-Hans": "独居老人问候", "zh-Hant": "獨居老人問候", en: "Check-in with elderly living alone" },
  description: "Ask elderly people living alone whether they need help.",
  subject: Rule.resident,
  params: Schema.Struct({
    minAge: Days(0, 150),
    cadence: Recurrence.Pattern,
    window: Rule.Window,
    priority: Task.Priority
  }),
  defaults: { minAge: 60, cadence: Recurrence.patternDaily, window: Rule.sameDay, priority: "high" },
  applies: (r, { facts, params }) => {
    const h = householdOf(facts)
    if (h === undefined || !r.livesAlone) return undefined
    return within(dateOfAge(r.birthDate, params.minAge), r, h)
  },
  explain: (r, { facts, params }) => {
    const h = householdOf(facts)!
    return {
      because: pair(
        `${r.name} (${r.id}) lives alone`,
        `aged ${params.minAge} or more from ${dateOfAge(r.birthDate, params.minAge)} (born ${r.birthDate})`
      ),
      facts: pair(residentRef(r), householdRef(h)),
      stopped: stoppedBy(r, h)
    }
  },
  recurrence: (_, { from, params }) => Recurrence.make(params.cadence, from),
  window: (_, params) => params.window,
  priority: (_, params) => params.priority,
  resolvedBy: Rule.observation("elderly-wellbeing", (o, r: Resident) => o.residentId === r.id)
})

/**
 * The date a resident's primary course is complete, given doses needed per product (the
 * first dose's product decides), or `undefined`.
 */
const courseCompleteOn = (
  r: Resident,
  dosesNeeded: { readonly [product: string]: number },
  fallback: number
): { readonly date: LocalDate.LocalDate; readonly needed: number } | undefined => {
  if (r.doses.length === 0) return undefined
  let doses = r.doses
  for (let i = 1; i < doses.length; i++) {
    if (doses[i].date < doses[i - 1].date) {
      doses = [...doses].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
      break
    }
  }
  const needed = dosesNeeded[doses[0].product] ?? fallback
  return doses.length >= needed ? { date: doses[needed - 1].date, needed } : undefined
}

/**
 * Present, eligible residents of the target age (18+) whose primary course is not complete,
 * every 3 days until complete or contraindicated; resolved by a vaccination check of that
 * person. Doses needed per product are a parameter.
 *
 * @since 0.1.0
 * @category rules
 */
export const vaccinationFollowup = Rule.make({
  id: "vaccination-followup",
  version: 1,
  title: { "zh-Hans": "疫苗接种动员", "zh-Hant": "疫苗接種動員", en: "Vaccination follow-up" },
  description: "Check the vaccination status of eligible people and explain the policy until their course is complete.",
  subject: Rule.resident,
  params: Schema.Struct({
    minAge: Days(0, 150),
    everyDays: Days(1, 366),
    window: Rule.Window,
    dosesNeeded: Schema.Record({ key: Schema.String, value: Days(1, 10) }),
    defaultDosesNeeded: Days(1, 10),
    priority: Task.Priority
  }),
  defaults: {
    minAge: 18,
    everyDays: 3,
    window: { before: 0, after: 2 },
    dosesNeeded: { "sinovac-coronavac": 2, "sinopharm-bibp": 2, "cansino-ad5": 1 },
    defaultDosesNeeded: 2,
    priority: "normal"
  },
  applies: (r, { facts, params }) => {
    const h = householdOf(facts)
    if (h === undefined || r.presence !== "present") return undefined
    const e = r.eligibility
    let eligibleFrom: LocalDate.LocalDate = LocalDate.MIN
    if (e._tag === "temporarily-contraindicated") {
      if (e.until === undefined) return undefined
      eligibleFrom = plusDays(e.until, 1)
    } else if (e._tag === "permanently-contraindicated") {
      return undefined
    }
    const course = courseCompleteOn(r, params.dosesNeeded, params.defaultDosesNeeded)
    return within(
      LocalDate.max(dateOfAge(r.birthDate, params.minAge), eligibleFrom),
      r,
      h,
      course === undefined ? undefined : plusDays(course.date, -1)
    )
  },
  explain: (r, { facts, params }) => {
    const h = householdOf(facts)!
    const e = r.eligibility
    const aged = dateOfAge(r.birthDate, params.minAge)
    const course = courseCompleteOn(r, params.dosesNeeded, params.defaultDosesNeeded)
    return {
      because: triple(
        `${r.name} (${r.id}) is present and ${
          e._tag === "temporarily-contraindicated"
            ? `eligible again from ${plusDays(e.until!, 1)} (temporary contraindication until ${e.until})`
            : "eligible"
        }`,
        `aged ${params.minAge} or more from ${aged} (born ${r.birthDate})`,
        `${r.doses.length} dose(s) recorded`
      ),
      facts: pair(residentRef(r), householdRef(h)),
      stopped: stoppedBy(
        r,
        h,
        course === undefined ? undefined : plusDays(course.date, -1),
        () => `primary course complete on ${course!.date} (${course!.needed} doses)`
      )
    }
  },
  recurrence: (_, { from, params }) => Recurrence.every(params.everyDays, from),
  window: (_, params) => params.window,
  priority: (_, params) => params.priority,
  resolvedBy: Rule.observation("vaccination-check", (o, r: Resident) => o.residentId === r.id)
})

const arrivalCheck = Rule.observation(
  "health-check",
  (o, a: Arrival.ArrivalReport) =>
    o.arrivalId === a.id || (a.person._tag === "KnownResident" && o.residentId === a.person.residentId)
)

const personOf = (a: Arrival.ArrivalReport): string =>
  a.person._tag === "KnownResident" ? `resident ${a.person.residentId}` : a.person.name

const arrivalApplies = (a: Arrival.ArrivalReport, from: LocalDate.LocalDate, h: Household): Rule.Applicability => {
  const app = within(from, h, undefined)
  return a.status === "cancelled" ? Rule.applies({ from: app.from, until: app.until, cancelled: true }) : app
}

const arrivalWords = (
  a: Arrival.ArrivalReport,
  h: Household,
  zone: TimeZone.TimeZone,
  because: ReadonlyArray<string>
): Rule.Words => {
  const day = Arrival.arrivalDate(a)
  const reported = zone.dateOf(a.reportedAt.epochMillis)
  return {
    because: [
      `${personOf(a)} arriving from ${a.origin} (${a.originRisk} risk) on ${day}${
        a.actualArrival === undefined ? " (expected)" : ""
      }, reported on ${reported}${reported < day ? " in advance" : ""}`,
      ...because
    ],
    facts: pair<Task.FactRef>(new FactRef("ArrivalReport", a.id), householdRef(h)),
    stopped: a.status === "cancelled" ? `arrival report ${a.id} was cancelled` : stoppedBy(h, undefined)
  }
}

/**
 * An arrival report: a visit on the arrival day (window: the next day too), high priority;
 * resolved by a health check of the arriving person (by arrival or resident id).
 *
 * @since 0.1.0
 * @category rules
 */
export const arrivalFirstVisit = Rule.make({
  id: "arrival-first-visit",
  version: 1,
  title: { "zh-Hans": "来（返）人员首访", "zh-Hant": "來（返）人員首訪", en: "First visit to an arrival" },
  description: "Screen a person arriving or returning from elsewhere on the day they arrive.",
  subject: Rule.arrival,
  params: Schema.Struct({ window: Rule.Window, priority: Task.Priority }),
  defaults: { window: { before: 0, after: 1 }, priority: "high" },
  applies: (a, { facts }) => {
    const h = householdOf(facts)
    return h === undefined ? undefined : arrivalApplies(a, Arrival.arrivalDate(a), h)
  },
  explain: (a, { facts, zone }) => arrivalWords(a, householdOf(facts)!, zone, []),
  recurrence: (a) => Recurrence.once(Arrival.arrivalDate(a)),
  window: (_, params) => params.window,
  priority: (_, params) => params.priority,
  resolvedBy: arrivalCheck
})

/**
 * An arrival report: a health check every day for the monitoring days after arrival (the
 * report's `monitoringDays`, else by origin risk: low 0, medium 7, high 14).
 *
 * @since 0.1.0
 * @category rules
 */
export const arrivalMonitoring = Rule.make({
  id: "arrival-monitoring",
  version: 1,
  title: { "zh-Hans": "来（返）人员健康监测", "zh-Hant": "來（返）人員健康監測", en: "Arrival health monitoring" },
  description: "Check the health of an arrival every day of the monitoring period after arrival.",
  subject: Rule.arrival,
  params: Schema.Struct({
    days: Schema.Struct({ low: Days(0, 60), medium: Days(0, 60), high: Days(0, 60) }),
    window: Rule.Window,
    priority: Task.Priority
  }),
  defaults: { days: { low: 0, medium: 7, high: 14 }, window: Rule.sameDay, priority: "normal" },
  applies: (a, { facts, params }) => {
    const h = householdOf(facts)
    const days = a.monitoringDays ?? params.days[a.originRisk]
    if (h === undefined || days === 0) return undefined
    return arrivalApplies(a, plusDays(Arrival.arrivalDate(a), 1), h)
  },
  explain: (a, { facts, params, zone }) => {
    const days = a.monitoringDays ?? params.days[a.originRisk]
    return arrivalWords(a, householdOf(facts)!, zone, [
      a.monitoringDays === undefined
        ? `${days} monitoring days for ${a.originRisk} risk origins`
        : `the report sets ${days} monitoring days`
    ])
  },
  recurrence: (a, { params }) =>
    Recurrence.times(
      Recurrence.daily(plusDays(Arrival.arrivalDate(a), 1)),
      a.monitoringDays ?? params.days[a.originRisk]
    ),
  window: (_, params) => params.window,
  priority: (_, params) => params.priority,
  resolvedBy: arrivalCheck
})

const campaignApplies = (s: Rule.CampaignHousehold): Rule.Applicability =>
  within(s.campaign.period.from, s.household, undefined, s.campaign.period.to)

const campaignWords = (s: Rule.CampaignHousehold): Rule.Words => {
  const c = campaignText(s.campaign)
  return {
    because: pair(
      c.runs,
      `household ${s.household.id} is in grid ${s.household.gridId}, inside the campaign's scope ${s.campaign.scopeId}`
    ),
    facts: pair(c.ref, householdRef(s.household)),
    stopped: stoppedBy(s.household, undefined, s.campaign.period.to, () => c.ended)
  }
}

/** A campaign's words, the same for every household it reaches: made once per campaign. */
const campaignText = (c: Campaign): { readonly runs: string; readonly ended: string; readonly ref: Task.FactRef } => {
  let text = campaignTexts.get(c)
  if (text === undefined) {
    text = {
      runs: `campaign "${c.name}" (${c.id}) runs ${c.period.from}..${c.period.to}`,
      ended: `campaign ${c.id} ended on ${c.period.to}`,
      ref: { tag: "Campaign", id: c.id }
    }
    campaignTexts.set(c, text)
  }
  return text
}

const campaignTexts = new WeakMap<
  Campaign,
  { readonly runs: string; readonly ended: string; readonly ref: Task.FactRef }
>()

/**
 * Each active household inside a decoction campaign's scope, daily during the campaign;
 * resolved by decoction handed out for that campaign.
 *
 * @since 0.1.0
 * @category rules
 */
export const decoctionDistribution = Rule.make({
  id: "decoction-distribution",
  version: 1,
  title: { "zh-Hans": "中药预防汤剂发放", "zh-Hant": "中藥預防湯劑發放", en: "Decoction distribution" },
  description: "Hand out the preventive herbal decoction to every household on the cadence during the campaign.",
  subject: Rule.campaignHousehold("decoction"),
  params: Schema.Struct({ cadence: Recurrence.Pattern, window: Rule.Window, priority: Task.Priority }),
  defaults: { cadence: Recurrence.patternDaily, window: Rule.sameDay, priority: "normal" },
  applies: campaignApplies,
  explain: campaignWords,
  recurrence: (s, { params }) => Recurrence.make(params.cadence, s.campaign.period.from),
  window: (_, params) => params.window,
  priority: (_, params) => params.priority,
  resolvedBy: Rule.observation("decoction", (o, s: Rule.CampaignHousehold) => o.campaignId === s.campaign.id)
})

/**
 * Each active household inside a leaflet campaign's scope, once per campaign: due on the
 * campaign's last day (or `daysToDeliver` days into it), the window from its first day;
 * resolved by publicity delivered for that campaign.
 *
 * @since 0.1.0
 * @category rules
 */
export const publicityLeaflet = Rule.make({
  id: "publicity-leaflet",
  version: 1,
  title: { "zh-Hans": "入户宣传", "zh-Hant": "入戶宣傳", en: "Publicity leaflet" },
  description: "Hand every household the campaign's leaflet and explain it, once per campaign.",
  subject: Rule.campaignHousehold("leaflet"),
  params: Schema.Struct({ daysToDeliver: Schema.NullOr(Days(1, 366)), priority: Task.Priority }),
  defaults: { daysToDeliver: null, priority: "normal" },
  applies: campaignApplies,
  explain: campaignWords,
  recurrence: (s, { params }) => {
    const last = s.campaign.period.to
    const due = params.daysToDeliver === null
      ? last
      : LocalDate.min(last, LocalDate.addDays(s.campaign.period.from, params.daysToDeliver - 1))
    return Recurrence.once(due)
  },
  window: (s, params) => ({
    before: params.daysToDeliver === null
      ? LocalDate.diffDays(s.campaign.period.from, s.campaign.period.to)
      : params.daysToDeliver - 1,
    after: 0
  }),
  priority: (_, params) => params.priority,
  resolvedBy: Rule.observation("publicity", (o, s: Rule.CampaignHousehold) => o.campaignId === s.campaign.id)
})

/**
 * Each matter until it is resolved: a follow-up within `firstWithinDays` (2) of opening, then
 * every `everyDays` (3); disputes (the `highPriority` categories) are high priority; resolved
 * by a `matter` observation of it.
 *
 * @since 0.1.0
 * @category rules
 */
export const matterFollowup = Rule.make({
  id: "matter-followup",
  version: 1,
  title: { "zh-Hans": "民情事项跟进", "zh-Hant": "民情事項跟進", en: "Matter follow-up" },
  description: "Follow a resident's matter up until it is resolved.",
  subject: Rule.matter,
  params: Schema.Struct({
    firstWithinDays: Days(0, 60),
    everyDays: Days(1, 60),
    highPriority: Schema.Array(Schema.String),
    priority: Task.Priority
  }),
  defaults: { firstWithinDays: 2, everyDays: 3, highPriority: ["dispute"], priority: "normal" },
  applies: (m, { facts, zone }) => {
    const h = householdOf(facts)
    if (h === undefined) return undefined
    const resolved = m.resolution === undefined ? undefined : zone.dateOf(m.resolution.at.epochMillis)
    return within(
      zone.dateOf(m.openedAt.epochMillis),
      h,
      undefined,
      resolved === undefined ? undefined : plusDays(resolved, -1)
    )
  },
  explain: (m, { facts, zone }) => {
    const h = householdOf(facts)!
    const opened = zone.dateOf(m.openedAt.epochMillis)
    const resolved = m.resolution === undefined ? undefined : zone.dateOf(m.resolution.at.epochMillis)
    return {
      because: [`${m.category} matter ${m.id} opened on ${opened}: ${m.summary}`, `status: ${m.status}`],
      facts: pair<Task.FactRef>(new FactRef("Matter", m.id), householdRef(h)),
      stopped: stoppedBy(
        h,
        undefined,
        resolved === undefined ? undefined : plusDays(resolved, -1),
        () => `matter resolved on ${resolved}`
      )
    }
  },
  recurrence: (m, { params, zone }) =>
    Recurrence.every(params.everyDays, plusDays(zone.dateOf(m.openedAt.epochMillis), params.firstWithinDays)),
  window: (_, params) => ({ before: Math.max(params.firstWithinDays, params.everyDays - 1), after: 0 }),
  priority: (m, params) => (params.highPriority.includes(m.category) ? "high" : params.priority),
  resolvedBy: Rule.observation("matter", (o, m: { readonly id: string }) => o.matterId === m.id)
})

/**
 * The built-in pack, in this order: household sweep, elderly check-in, vaccination follow-up,
 * arrival first visit, arrival monitoring, decoction distribution, publicity leaflet, matter
 * follow-up.
 *
 * @since 0.1.0
 * @category packs
 */
export const pack: RulePack.RulePack = RulePack.make("built-in", [
  householdSweep,
  elderlyAloneCheckin,
  vaccinationFollowup,
  arrivalFirstVisit,
  arrivalMonitoring,
  decoctionDistribution,
  publicityLeaflet,
  matterFollowup
])
