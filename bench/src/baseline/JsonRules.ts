/**
 * The rules baseline a developer might pick instead of Minqing's engine: the same three
 * rules (household-sweep, elderly-alone-checkin, vaccination-followup) written for
 * `json-rules-engine` 7, run over the same facts with the same dates, producing the same
 * tasks (id, due date, window, state, resolving visit).
 *
 * json-rules-engine decides whether a rule applies to a subject on a day (its conditions
 * read facts the caller computes per subject and day, as that library expects); plain code
 * finds the visit that resolves each task. The facts are indexed inside the timed call, as
 * Minqing's engine indexes them inside its own.
 */
import { type Fact, LocalDate, type TimeZone } from "@minqing/core"
import { Engine, type RuleProperties } from "json-rules-engine"

/** The parameters of the three rules (the built-in pack's defaults). */
export const defaults = {
  elderlyMinAge: 60,
  vaccinationMinAge: 18,
  vaccinationEveryDays: 3,
  vaccinationWindowAfter: 2,
  dosesNeeded: { "sinovac-coronavac": 2, "sinopharm-bibp": 2, "cansino-ad5": 1 } as Record<string, number>,
  defaultDosesNeeded: 2
}

const rules: ReadonlyArray<RuleProperties> = [
  {
    name: "household-sweep",
    conditions: {
      all: [
        { fact: "kind", operator: "equal", value: "household" },
        { fact: "active", operator: "equal", value: true }
      ]
    },
    event: { type: "task", params: { rule: "household-sweep", priority: "normal", after: 0 } }
  },
  {
    name: "elderly-alone-checkin",
    conditions: {
      all: [
        { fact: "kind", operator: "equal", value: "resident" },
        { fact: "active", operator: "equal", value: true },
        { fact: "livesAlone", operator: "equal", value: true },
        { fact: "age", operator: "greaterThanInclusive", value: defaults.elderlyMinAge }
      ]
    },
    event: { type: "task", params: { rule: "elderly-alone-checkin", priority: "high", after: 0 } }
  },
  {
    name: "vaccination-followup",
    conditions: {
      all: [
        { fact: "kind", operator: "equal", value: "resident" },
        { fact: "active", operator: "equal", value: true },
        { fact: "present", operator: "equal", value: true },
        { fact: "eligible", operator: "equal", value: true },
        { fact: "age", operator: "greaterThanInclusive", value: defaults.vaccinationMinAge },
        { fact: "courseComplete", operator: "equal", value: false },
        { fact: "daysSinceFollowupAnchor", operator: "greaterThanInclusive", value: 0 },
        { fact: "followupDay", operator: "equal", value: true }
      ]
    },
    event: {
      type: "task",
      params: { rule: "vaccination-followup", priority: "normal", after: defaults.vaccinationWindowAfter }
    }
  }
]

/** A task as the baseline produces it (the fields Minqing's tasks have, bar the explanation). */
export interface BaselineTask {
  readonly id: string
  readonly rule: string
  readonly subjectId: string
  readonly householdId: string
  readonly due: string
  readonly window: { readonly from: string; readonly to: string }
  readonly priority: string
  readonly state: "upcoming" | "due" | "overdue" | "done" | "missed" | "cancelled"
  readonly resolvedBy?: string
}

type Visit = Fact.Of<"Visit">
type Resident = Fact.Of<"Resident">
type Household = Fact.Of<"Household">

const ageOn = (birth: string, day: string): number => {
  const years = Number(day.slice(0, 4)) - Number(birth.slice(0, 4))
  return day.slice(5) >= birth.slice(5) ? years : years - 1
}

const dateOfAge = (birth: string, years: number): string => {
  const year = Number(birth.slice(0, 4)) + years
  const candidate = `${String(year).padStart(4, "0")}${birth.slice(4)}`
  return LocalDate.isValid(candidate) ? candidate : `${year}-03-01`
}

const courseCompleteOn = (r: Resident): string | undefined => {
  if (r.doses.length === 0) return undefined
  const doses = [...r.doses].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
  const needed = defaults.dosesNeeded[doses[0].product] ?? defaults.defaultDosesNeeded
  return doses.length >= needed ? doses[needed - 1].date : undefined
}

const active = (rec: { readonly activeFrom: string; readonly activeUntil?: string }, day: string) =>
  rec.activeFrom <= day && (rec.activeUntil === undefined || day <= rec.activeUntil)

/** The json-rules-engine instance with the three rules, built once. */
export const makeEngine = (): Engine => {
  const engine = new Engine([], { allowUndefinedFacts: true })
  for (const r of rules) engine.addRule(r)
  return engine
}

/**
 * The three rules' tasks whose windows overlap `[from, to]`, with states as of `asOf`, as
 * `Engine.evaluate` of the same three rules gives them.
 */
export const evaluate = async (
  engine: Engine,
  facts: Fact.Facts,
  options: { readonly asOf: string; readonly from: string; readonly to: string; readonly zone: TimeZone.TimeZone }
): Promise<Array<BaselineTask>> => {
  const { asOf, from, to, zone } = options
  // Index: each household's visits up to as-of, by local day; residents by household.
  const visitsByHousehold = new Map<string, Array<{ day: string; visit: Visit }>>()
  for (const v of facts.visits) {
    const day = zone.dateOf(v.at.epochMillis)
    if (day > asOf) continue
    let list = visitsByHousehold.get(v.householdId)
    if (list === undefined) visitsByHousehold.set(v.householdId, list = [])
    list.push({ day, visit: v })
  }
  for (const list of visitsByHousehold.values()) {
    list.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.visit.at.epochMillis - b.visit.at.epochMillis))
  }
  const residentsByHousehold = new Map<string, Array<Resident>>()
  for (const r of facts.residents) {
    let list = residentsByHousehold.get(r.householdId)
    if (list === undefined) residentsByHousehold.set(r.householdId, list = [])
    list.push(r)
  }
  const firstDay = LocalDate.addDays(LocalDate.make(from), -defaults.vaccinationWindowAfter)
  const days = LocalDate.days({ from: firstDay, to: LocalDate.make(to) })

  const out: Array<BaselineTask> = []
  const resolve = (
    h: Household,
    windowFrom: string,
    windowTo: string,
    matches: (v: Visit) => boolean
  ): Visit | undefined => {
    const last = windowTo < asOf ? windowTo : asOf
    for (const e of visitsByHousehold.get(h.id) ?? []) {
      if (e.day < windowFrom) continue
      if (e.day > last) break
      if (matches(e.visit)) return e.visit
    }
    return undefined
  }
  const emit = (
    rule: string,
    priority: string,
    after: number,
    subjectId: string,
    h: Household,
    due: string,
    until: string | undefined,
    matches: (v: Visit) => boolean
  ) => {
    const windowTo = LocalDate.addDays(LocalDate.make(due), after)
    if (windowTo < from || due > to) return
    const visit = resolve(h, due, windowTo, matches)
    const state: BaselineTask["state"] = visit !== undefined
      ? "done"
      : until !== undefined && until < windowTo && asOf > until
      ? "cancelled"
      : asOf < due
      ? "upcoming"
      : asOf <= due
      ? "due"
      : asOf <= windowTo
      ? "overdue"
      : "missed"
    out.push({
      id: `${rule}:${subjectId}:${due}`,
      rule,
      subjectId,
      householdId: h.id,
      due,
      window: { from: due, to: windowTo },
      priority,
      state,
      ...(visit === undefined ? {} : { resolvedBy: visit.id })
    })
  }

  for (const h of facts.households) {
    const residents = residentsByHousehold.get(h.id) ?? []
    const courses = residents.map(courseCompleteOn)
    for (const day of days) {
      const { events } = await engine.run({ kind: "household", active: active(h, day) })
      if (events.length > 0) {
        emit("household-sweep", "normal", 0, h.id, h, day, h.activeUntil, (v) => v.outcome === "contacted")
      }
      for (let k = 0; k < residents.length; k++) {
        const r = residents[k]
        const e = r.eligibility
        const eligibleFrom = e._tag === "temporarily-contraindicated" && e.until !== undefined
          ? LocalDate.addDays(e.until, 1)
          : undefined
        const anchor = [
          r.activeFrom,
          h.activeFrom,
          eligibleFrom ?? "",
          dateOfAge(r.birthDate, defaults.vaccinationMinAge)
        ].reduce((a, b) => (a > b ? a : b))
        const course = courses[k]
        const courseUntil = course === undefined ? undefined : LocalDate.addDays(LocalDate.make(course), -1)
        const since = LocalDate.diffDays(anchor as LocalDate.LocalDate, day)
        const result = await engine.run({
          kind: "resident",
          active: active(r, day) && active(h, day),
          livesAlone: r.livesAlone,
          age: ageOn(r.birthDate, day),
          present: r.presence === "present",
          eligible: e._tag === "eligible" || (eligibleFrom !== undefined && day >= eligibleFrom),
          courseComplete: courseUntil !== undefined && day > courseUntil,
          daysSinceFollowupAnchor: since,
          followupDay: since % defaults.vaccinationEveryDays === 0
        })
        const until = [r.activeUntil, h.activeUntil].filter((d): d is LocalDate.LocalDate => d !== undefined)
          .reduce<string | undefined>((a, b) => (a === undefined || b < a ? b : a), undefined)
        for (const ev of result.events) {
          const rule = ev.params!.rule as string
          if (rule === "elderly-alone-checkin") {
            emit(rule, "high", 0, r.id, h, day, until, (v) =>
              v.outcome === "contacted" &&
              v.observations.some((o) => o._tag === "elderly-wellbeing" && o.residentId === r.id))
          } else {
            const vUntil = courseUntil === undefined
              ? until
              : until === undefined || courseUntil < until
              ? courseUntil
              : until
            emit(
              rule,
              "normal",
              defaults.vaccinationWindowAfter,
              r.id,
              h,
              day,
              vUntil,
              (v) =>
                v.outcome === "contacted" &&
                v.observations.some((o) => o._tag === "vaccination-check" && o.residentId === r.id)
            )
          }
        }
      }
    }
  }
  return out
}
