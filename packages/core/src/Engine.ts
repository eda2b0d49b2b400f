/**
 * The rules engine: a rule pack × facts × dates → tasks, fully or incrementally.
 *
 * `evaluate` is the one-shot form. `make` builds an engine once from the facts (visits grouped
 * by household and sorted by local day, residents, arrivals and matters by household, the
 * place tree) and evaluates; `update` feeds it new facts and re-evaluates only the households
 * they touch: a visit, a resident, an arrival or a matter touches its household (and the one
 * it left); a place, a campaign or a liaison touches all. What a rule derives from a
 * household's facts (who it applies to, from when, the recurrence, the explanation) is cached
 * per household and kept when only visits arrive, so a visit costs a re-check of resolution.
 * Full and incremental evaluation give identical tasks.
 *
 * Dates: a visit counts for the local date of its instant in the zone (a visit at 23:30 counts
 * for that day). Only visits on or before `asOf` resolve tasks; tasks whose windows overlap
 * `[from, to]` are returned, with states as of `asOf`.
 *
 * @example
 * ```ts
 * import { BuiltInRules, Engine, Fact, LocalDate } from "@minqing/core"
 *
 * declare const facts: Fact.Facts
 * const today = LocalDate.make("2021-05-10")
 *
 * // today's tasks
 * const tasks = Engine.evaluate(BuiltInRules.pack, facts, { asOf: today, from: today, to: today })
 *
 * // or keep an engine and feed it new facts as they arrive
 * const engine = Engine.make(BuiltInRules.pack, facts, { asOf: today, from: today, to: today })
 * declare const visit: Fact.Of<"Visit">
 * Engine.update(engine, [visit])
 * Engine.tasks(engine)
 * ```
 *
 * @since 0.1.0
 */
import type { ArrivalReport } from "./Arrival.js"
import type { Campaign } from "./Campaign.js"
import type * as Fact from "./Fact.js"
import type { Household } from "./Household.js"
import type { HouseholdId } from "./Ids.js"
import { dateOfDay } from "./internal/days.js"
import type { Liaison } from "./Liaison.js"
import * as LocalDate from "./LocalDate.js"
import type { Matter } from "./Matter.js"
import * as Place from "./Place.js"
import * as Recurrence from "./Recurrence.js"
import type { Resident } from "./Resident.js"
import * as Rule from "./Rule.js"
import type { RulePack } from "./RulePack.js"
import type { Task } from "./Task.js"
import * as TimeZone from "./TimeZone.js"
import type { Visit } from "./Visit.js"

/**
 * The dates of an evaluation: tasks whose windows overlap `[from, to]`, with states as of
 * `asOf`; and the zone that turns visit instants into local dates (default `Asia/Shanghai`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly asOf: LocalDate.LocalDate
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
  readonly zone?: TimeZone.TimeZone | string | undefined
}

/**
 * An engine: indexed facts, a pack, the evaluation dates and the current tasks. It is a
 * mutable cache: `update` and `moveTo` change it in place.
 *
 * @since 0.1.0
 * @category models
 */
export interface Engine {
  readonly pack: RulePack
  readonly zone: TimeZone.TimeZone
  readonly asOf: LocalDate.LocalDate
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
}

const DAY = 24 * 60 * 60 * 1000

const byId = <A extends { readonly id: string }>(a: A, b: A) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

interface Part {
  readonly id: HouseholdId
  household: Household | undefined
  readonly residents: Map<string, Resident>
  readonly arrivals: Map<string, ArrivalReport>
  readonly matters: Map<string, Matter>
  /** Sorted by instant, then id; `days` and `millis` run parallel. */
  visits: Array<Visit>
  days: Array<number>
  millis: Array<number>
  /** The household's facts without visits: what subjects and applicability are read from. */
  facts: Fact.Facts | undefined
  /** Per rule of the pack, the subjects that apply with their schedules; cleared when a non-visit fact changes. */
  schedule: ReadonlyArray<ReadonlyArray<Entry>> | undefined
  tasks: ReadonlyArray<Task>
}

/** One subject of one rule: everything that depends neither on the dates nor on visits. */
interface Entry {
  readonly subject: unknown
  readonly spanFrom: number
  readonly spanUntil: number
  readonly cancelled: boolean
  readonly recurrence: Recurrence.Recurrence
  readonly before: number
  readonly after: number
  readonly priority: Task["priority"]
  readonly subjectId: string
  readonly prefix: string
  readonly explanation: Task["explanation"]
}

const NO_VISITS: ReadonlyArray<Visit> = []

const lowerBound = (xs: ReadonlyArray<number>, x: number): number => {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (xs[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

class EngineImpl implements Engine {
  pack: RulePack
  zone: TimeZone.TimeZone
  asOf: LocalDate.LocalDate
  from: LocalDate.LocalDate
  to: LocalDate.LocalDate
  asOfDay = 0
  fromDay = 0
  toDay = 0

  readonly parts = new Map<HouseholdId, Part>()
  readonly residentHome = new Map<string, HouseholdId>()
  readonly arrivalHome = new Map<string, HouseholdId>()
  readonly matterHome = new Map<string, HouseholdId>()
  readonly visitHome = new Map<string, HouseholdId>()
  /** Resident id → arrival ids naming that resident. */
  readonly arrivalsOfResident = new Map<string, Set<string>>()
  readonly places = new Map<string, Place.Place>()
  readonly liaisons = new Map<string, Liaison>()
  readonly campaigns = new Map<string, Campaign>()
  placeList: ReadonlyArray<Place.Place> = []
  liaisonList: ReadonlyArray<Liaison> = []
  campaignList: ReadonlyArray<Campaign> = []
  tree: Place.Tree = Place.tree([])
  partOrder: Array<HouseholdId> | undefined
  flat: ReadonlyArray<Task> | undefined

  constructor(pack: RulePack, options: Options) {
    this.pack = pack
    this.zone = typeof options.zone === "string"
      ? TimeZone.make(options.zone)
      : options.zone ?? TimeZone.make(TimeZone.DEFAULT_ZONE)
    this.asOf = options.asOf
    this.from = options.from
    this.to = options.to
    this.setDates(options)
  }

  setDates(
    options: {
      readonly asOf: LocalDate.LocalDate
      readonly from: LocalDate.LocalDate
      readonly to: LocalDate.LocalDate
    }
  ) {
    if (options.from > options.to) {
      throw new Error(`Invalid evaluation: to (${options.to}) is before from (${options.from})`)
    }
    this.asOf = options.asOf
    this.from = options.from
    this.to = options.to
    this.asOfDay = LocalDate.toEpochDay(options.asOf)
    this.fromDay = LocalDate.toEpochDay(options.from)
    this.toDay = LocalDate.toEpochDay(options.to)
  }

  part(id: HouseholdId): Part {
    let p = this.parts.get(id)
    if (p === undefined) {
      p = {
        id,
        household: undefined,
        residents: new Map(),
        arrivals: new Map(),
        matters: new Map(),
        visits: [],
        days: [],
        millis: [],
        facts: undefined,
        schedule: undefined,
        tasks: []
      }
      this.parts.set(id, p)
      this.partOrder = undefined
    }
    return p
  }

  dayOf(millis: number): number {
    return Math.floor((millis + this.zone.offsetAt(millis)) / DAY)
  }

  refreshGlobals(places: boolean, liaisons: boolean, campaigns: boolean) {
    if (places) {
      this.placeList = [...this.places.values()].sort(byId)
      this.tree = Place.tree(this.placeList)
    }
    if (liaisons) this.liaisonList = [...this.liaisons.values()].sort(byId)
    if (campaigns) this.campaignList = [...this.campaigns.values()].sort(byId)
    for (const p of this.parts.values()) {
      p.facts = undefined
      p.schedule = undefined
    }
  }

  /**
   * Files facts into the index; returns the households touched, or `"all"`. In bulk mode
   * visits are appended unsorted (the caller sorts once).
   */
  /** Whether `visitHome` lists every visit (it is built on demand after a bulk load of a bundle). */
  visitHomeReady = true

  ensureVisitHome() {
    if (this.visitHomeReady) return
    for (const p of this.parts.values()) for (const v of p.visits) this.visitHome.set(v.id, p.id)
    this.visitHomeReady = true
  }

  /**
   * Loads a bundle in bulk: each fact once (as `Fact.bundle` and stores give them), visits
   * appended unsorted without the visit-id index; the caller sorts.
   */
  ingestBundle(facts: Fact.Facts) {
    this.ingest(facts.places, true)
    this.ingest(facts.liaisons, true)
    this.ingest(facts.campaigns, true)
    this.ingest(facts.households, true)
    this.ingest(facts.residents, true)
    this.ingest(facts.arrivals, true)
    this.ingest(facts.matters, true)
    const visits = facts.visits
    let part: Part | undefined
    for (let i = 0; i < visits.length; i++) {
      const v = visits[i]
      if (part === undefined || part.id !== v.householdId) part = this.part(v.householdId)
      const millis = v.at.epochMillis
      part.visits.push(v)
      part.days.push(this.dayOf(millis))
      part.millis.push(millis)
    }
    if (visits.length > 0) this.visitHomeReady = false
  }

  ingest(facts: Iterable<Fact.Fact>, bulk: boolean): Set<HouseholdId> | "all" {
    const touched = new Set<HouseholdId>()
    let all = false
    let places = false
    let liaisons = false
    let campaigns = false
    const touch = (p: Part) => {
      p.facts = undefined
      p.schedule = undefined
      touched.add(p.id)
    }
    // A visit changes resolution only: the schedule stays.
    const touchVisits = (p: Part) => {
      touched.add(p.id)
    }
    for (const fact of facts) {
      switch (fact._tag) {
        case "Household": {
          const p = this.part(fact.id)
          p.household = fact
          touch(p)
          break
        }
        case "Resident": {
          const old = this.residentHome.get(fact.id)
          if (old !== undefined && old !== fact.householdId) {
            const from = this.part(old)
            from.residents.delete(fact.id)
            touch(from)
          }
          const p = this.part(fact.householdId)
          p.residents.set(fact.id, fact)
          this.residentHome.set(fact.id, fact.householdId)
          touch(p)
          // Arrivals naming this resident may live in another household.
          const named = this.arrivalsOfResident.get(fact.id)
          if (named !== undefined) {
            for (const a of named) {
              const home = this.arrivalHome.get(a)
              if (home !== undefined) touch(this.part(home))
            }
          }
          break
        }
        case "ArrivalReport": {
          const old = this.arrivalHome.get(fact.id)
          if (old !== undefined) {
            const from = this.part(old)
            const previous = from.arrivals.get(fact.id)
            if (previous !== undefined && previous.person._tag === "KnownResident") {
              this.arrivalsOfResident.get(previous.person.residentId)?.delete(fact.id)
            }
            if (old !== fact.householdId) {
              from.arrivals.delete(fact.id)
              touch(from)
            }
          }
          const p = this.part(fact.householdId)
          p.arrivals.set(fact.id, fact)
          this.arrivalHome.set(fact.id, fact.householdId)
          if (fact.person._tag === "KnownResident") {
            let set = this.arrivalsOfResident.get(fact.person.residentId)
            if (set === undefined) this.arrivalsOfResident.set(fact.person.residentId, set = new Set())
            set.add(fact.id)
          }
          touch(p)
          break
        }
        case "Matter": {
          const old = this.matterHome.get(fact.id)
          if (old !== undefined && old !== fact.householdId) {
            const from = this.part(old)
            from.matters.delete(fact.id)
            touch(from)
          }
          const p = this.part(fact.householdId)
          p.matters.set(fact.id, fact)
          this.matterHome.set(fact.id, fact.householdId)
          touch(p)
          break
        }
        case "Visit": {
          this.ensureVisitHome()
          const millis = fact.at.epochMillis
          const day = this.dayOf(millis)
          const old = this.visitHome.get(fact.id)
          if (old !== undefined) {
            const from = this.part(old)
            const at = from.visits.findIndex((v) => v.id === fact.id)
            if (at >= 0) {
              from.visits.splice(at, 1)
              from.days.splice(at, 1)
              from.millis.splice(at, 1)
            }
            touchVisits(from)
          }
          const p = this.part(fact.householdId)
          this.visitHome.set(fact.id, fact.householdId)
          if (bulk) {
            p.visits.push(fact)
            p.days.push(day)
            p.millis.push(millis)
          } else {
            let at = lowerBound(p.millis, millis)
            while (at < p.visits.length && p.millis[at] === millis && p.visits[at].id < fact.id) at++
            p.visits.splice(at, 0, fact)
            p.days.splice(at, 0, day)
            p.millis.splice(at, 0, millis)
          }
          touchVisits(p)
          break
        }
        case "Place": {
          this.places.set(fact.id, fact)
          places = true
          all = true
          break
        }
        case "Liaison": {
          this.liaisons.set(fact.id, fact)
          liaisons = true
          all = true
          break
        }
        case "Campaign": {
          this.campaigns.set(fact.id, fact)
          campaigns = true
          all = true
          break
        }
      }
    }
    if (places || liaisons || campaigns) this.refreshGlobals(places, liaisons, campaigns)
    return all ? "all" : touched
  }

  sortVisits(p: Part) {
    const n = p.visits.length
    let sorted = true
    for (let i = 1; i < n && sorted; i++) {
      sorted = p.millis[i - 1] < p.millis[i] || (p.millis[i - 1] === p.millis[i] && p.visits[i - 1].id < p.visits[i].id)
    }
    if (sorted) return
    const order = Array.from({ length: n }, (_, i) => i)
    order.sort((a, b) => p.millis[a] - p.millis[b] || (p.visits[a].id < p.visits[b].id ? -1 : 1))
    p.visits = order.map((i) => p.visits[i])
    p.days = order.map((i) => p.days[i])
    p.millis = order.map((i) => p.millis[i])
  }

  factsOf(p: Part): Fact.Facts {
    if (p.facts === undefined) {
      p.facts = {
        places: this.placeList,
        liaisons: this.liaisonList,
        households: p.household === undefined ? [] : [p.household],
        residents: [...p.residents.values()].sort(byId),
        visits: NO_VISITS,
        arrivals: [...p.arrivals.values()].sort(byId),
        matters: [...p.matters.values()].sort(byId),
        campaigns: this.campaignList
      }
    }
    return p.facts
  }

  evaluatePart(p: Part) {
    p.tasks = evaluatePart(this, p)
    this.flat = undefined
  }

  evaluateAll() {
    for (const p of this.parts.values()) p.tasks = evaluatePart(this, p)
    this.flat = undefined
  }

  tasks(): ReadonlyArray<Task> {
    if (this.flat === undefined) {
      if (this.partOrder === undefined) this.partOrder = [...this.parts.keys()].sort()
      const out: Array<Task> = []
      for (const id of this.partOrder) {
        const tasks = this.parts.get(id)!.tasks
        for (let i = 0; i < tasks.length; i++) out.push(tasks[i])
      }
      this.flat = out
    }
    return this.flat
  }
}

const scheduleOf = (engine: EngineImpl, part: Part): ReadonlyArray<ReadonlyArray<Entry>> => {
  if (part.schedule !== undefined) return part.schedule
  const facts = engine.factsOf(part)
  const { tree, zone } = engine
  const out: Array<Array<Entry>> = []
  for (const rule of engine.pack.rules) {
    const entries: Array<Entry> = []
    out.push(entries)
    const params = rule.defaults
    const context: Rule.Context<unknown> = { params, facts, places: tree, zone }
    let encoded: unknown = undefined
    for (const subject of rule.subject.subjects(facts, tree)) {
      if (rule.subject.householdId(subject) !== part.id) continue
      const app = rule.applies(subject, context)
      if (app === undefined) continue
      const spanFrom = LocalDate.toEpochDay(app.from)
      const spanUntil = app.until === undefined ? Number.POSITIVE_INFINITY : LocalDate.toEpochDay(app.until)
      if (spanUntil < spanFrom) continue
      const recurrence = rule.recurrence(subject, { ...context, from: app.from, until: app.until })
      const window = rule.window(subject, params)
      const subjectId = rule.subject.id(subject)
      if (encoded === undefined) encoded = Rule.encodedParams(rule)
      entries.push({
        subject,
        spanFrom,
        spanUntil,
        cancelled: app.cancelled,
        recurrence,
        before: window.before,
        after: window.after,
        priority: rule.priority(subject, params),
        subjectId,
        prefix: `${rule.id}:${subjectId}:`,
        explanation: app.stopped === undefined
          ? {
            rule: rule.id,
            version: rule.version,
            params: encoded,
            because: app.because,
            facts: app.facts,
            recurrence
          }
          : {
            rule: rule.id,
            version: rule.version,
            params: encoded,
            because: app.because,
            facts: app.facts,
            recurrence,
            stopped: app.stopped
          }
      })
    }
  }
  part.schedule = out
  return out
}

const evaluatePart = (engine: EngineImpl, part: Part): ReadonlyArray<Task> => {
  const out: Array<Task> = []
  const schedule = scheduleOf(engine, part)
  const { asOfDay, fromDay, toDay } = engine
  const { days, visits } = part
  const rules = engine.pack.rules
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]
    const entries = schedule[r]
    if (entries.length === 0) continue
    const params = rule.defaults
    const kind = rule.subject.kind
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e]
      const { after, before, spanFrom, spanUntil } = entry
      const lo = Math.max(fromDay - after, spanFrom)
      // An occurrence exists when its window opened while the rule applied.
      const hi = Math.min(toDay, spanUntil) + before
      if (lo > hi) continue
      const dues = Recurrence.days(entry.recurrence, lo, hi)
      for (let k = 0; k < dues.length; k++) {
        const due = dues[k]
        const wf = Math.max(due - before, spanFrom)
        const wt = due + after
        if (wt < fromDay || wf > toDay) continue
        let resolved = -1
        const last = wt < asOfDay ? wt : asOfDay
        if (last >= wf) {
          for (let i = lowerBound(days, wf); i < days.length && days[i] <= last; i++) {
            if (rule.resolvedBy(visits[i], entry.subject, params)) {
              resolved = i
              break
            }
          }
        }
        const state: Task["state"] = resolved >= 0
          ? "done"
          : entry.cancelled || (spanUntil < wt && asOfDay > spanUntil)
          ? "cancelled"
          : asOfDay < wf
          ? "upcoming"
          : asOfDay <= due
          ? "due"
          : asOfDay <= wt
          ? "overdue"
          : "missed"
        const dueDate = dateOfDay(due)
        out.push(
          resolved >= 0
            ? {
              id: entry.prefix + dueDate,
              rule: rule.id,
              subjectKind: kind,
              subjectId: entry.subjectId,
              householdId: part.id,
              due: dueDate,
              window: { from: dateOfDay(wf), to: dateOfDay(wt) },
              priority: entry.priority,
              state,
              resolvedBy: visits[resolved].id,
              resolvedOn: dateOfDay(days[resolved]),
              explanation: entry.explanation
            }
            : {
              id: entry.prefix + dueDate,
              rule: rule.id,
              subjectKind: kind,
              subjectId: entry.subjectId,
              householdId: part.id,
              due: dueDate,
              window: { from: dateOfDay(wf), to: dateOfDay(wt) },
              priority: entry.priority,
              state,
              explanation: entry.explanation
            }
        )
      }
    }
  }
  return out
}

const impl = (engine: Engine): EngineImpl => {
  if (!(engine instanceof EngineImpl)) throw new Error("Not an engine made by Engine.make")
  return engine
}

/**
 * Builds an engine from facts and evaluates the pack.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (pack: RulePack, facts: Fact.Facts | Iterable<Fact.Fact>, options: Options): Engine => {
  const engine = new EngineImpl(pack, options)
  if (isBundle(facts)) engine.ingestBundle(facts)
  else engine.ingest(facts, true)
  for (const p of engine.parts.values()) engine.sortVisits(p)
  engine.evaluateAll()
  return engine
}

const isBundle = (u: Fact.Facts | Iterable<Fact.Fact>): u is Fact.Facts => !(Symbol.iterator in u) && "households" in u

/**
 * Feeds new or changed facts (the last version of a record wins, as in a store) and
 * re-evaluates only the households they touch. Returns the ids of the households whose tasks
 * were recomputed.
 *
 * @since 0.1.0
 * @category combinators
 */
export const update = (engine: Engine, facts: Iterable<Fact.Fact>): ReadonlyArray<HouseholdId> => {
  const self = impl(engine)
  const touched = self.ingest(facts, false)
  if (touched === "all") {
    self.evaluateAll()
    return [...self.parts.keys()]
  }
  for (const id of touched) self.evaluatePart(self.parts.get(id)!)
  return [...touched]
}

/**
 * Re-evaluates every household for other dates, reusing the indexes.
 *
 * @since 0.1.0
 * @category combinators
 */
export const moveTo = (
  engine: Engine,
  dates: { readonly asOf: LocalDate.LocalDate; readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
): Engine => {
  const self = impl(engine)
  self.setDates(dates)
  self.evaluateAll()
  return self
}

/**
 * Every task, grouped by household (households by id), then in pack order.
 *
 * @since 0.1.0
 * @category getters
 */
export const tasks = (engine: Engine): ReadonlyArray<Task> => impl(engine).tasks()

/**
 * The tasks of one household.
 *
 * @since 0.1.0
 * @category getters
 */
export const tasksOf = (engine: Engine, householdId: HouseholdId): ReadonlyArray<Task> =>
  impl(engine).parts.get(householdId)?.tasks ?? []

/**
 * The facts the engine holds, as a bundle (for worklists and forecasts over the same facts).
 *
 * @since 0.1.0
 * @category getters
 */
export const facts = (engine: Engine): Fact.Facts => {
  const self = impl(engine)
  const households: Array<Household> = []
  const residents: Array<Resident> = []
  const visits: Array<Visit> = []
  const arrivals: Array<ArrivalReport> = []
  const matters: Array<Matter> = []
  for (const p of self.parts.values()) {
    if (p.household !== undefined) households.push(p.household)
    for (const r of p.residents.values()) residents.push(r)
    for (const v of p.visits) visits.push(v)
    for (const a of p.arrivals.values()) arrivals.push(a)
    for (const m of p.matters.values()) matters.push(m)
  }
  return {
    places: self.placeList,
    liaisons: self.liaisonList,
    households,
    residents,
    visits,
    arrivals,
    matters,
    campaigns: self.campaignList
  }
}

/**
 * The tasks of a pack over facts: those whose windows overlap `[from, to]`, with states as of
 * `asOf`, in the zone's local dates.
 *
 * @example
 * ```ts
 * import { BuiltInRules, Engine, Fact, LocalDate, Task } from "@minqing/core"
 *
 * declare const facts: Fact.Facts
 * const tasks = Engine.evaluate(BuiltInRules.pack, facts, {
 *   asOf: LocalDate.make("2021-05-10"),
 *   from: LocalDate.make("2021-05-01"),
 *   to: LocalDate.make("2021-05-10"),
 *   zone: "Asia/Shanghai"
 * })
 * const missed = tasks.filter((t) => t.state === "missed")
 * console.log(missed.map(Task.format).join("\n"))
 * ```
 *
 * @since 0.1.0
 * @category evaluation
 */
export const evaluate = (
  pack: RulePack,
  facts: Fact.Facts | Iterable<Fact.Fact>,
  options: Options
): ReadonlyArray<Task> => tasks(make(pack, facts, options))
