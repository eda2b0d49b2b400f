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

const indexOfId = (xs: ReadonlyArray<{ readonly id: string }>, id: string): number => {
  for (let i = 0; i < xs.length; i++) if (xs[i].id === id) return i
  return -1
}

/** A copy of a list sorted by id with one record put in (replacing the one with its id). */
const withRecord = <A extends { readonly id: string }>(xs: ReadonlyArray<A>, x: A): Array<A> => {
  const out = xs.slice()
  const at = indexOfId(out, x.id)
  if (at >= 0) out[at] = x
  else {
    out.push(x)
    out.sort(byId)
  }
  return out
}

/** A copy of a list without the record with an id. */
const withoutRecord = <A extends { readonly id: string }>(xs: ReadonlyArray<A>, id: string): Array<A> => {
  const at = indexOfId(xs, id)
  if (at < 0) return xs.slice()
  const out = xs.slice()
  out.splice(at, 1)
  return out
}

interface Part {
  readonly id: HouseholdId
  household: Household | undefined
  /**
   * Sorted by id. Replaced, never changed in place, once a `Facts` shares them (see
   * `factsOf`); a bulk load fills and sorts them before that.
   */
  residents: Array<Resident>
  arrivals: Array<ArrivalReport>
  matters: Array<Matter>
  /** Sorted by instant, then id; `days` and `millis` run parallel. */
  visits: Array<Visit>
  days: Array<number>
  millis: Array<number>
  /** The household's facts without visits: what subjects and applicability are read from. */
  facts: Fact.Facts | undefined
  /** The subjects that apply, rule by rule in pack order; cleared when a non-visit fact changes. */
  schedule: ReadonlyArray<Entry> | undefined
  tasks: ReadonlyArray<Task>
  /** Whether a coverage scan appended visits that are not sorted in yet. */
  appended: boolean
}

const ONCE = 0
const EVERY = 1
const OTHER = 2

/** One subject of one rule: everything that depends neither on the dates nor on visits. */
interface Entry {
  readonly rule: Rule.Any
  readonly subject: unknown
  readonly spanFrom: number
  readonly spanUntil: number
  readonly cancelled: boolean
  readonly recurrence: Recurrence.Recurrence
  /** The recurrence as numbers: its shape (`ONCE`, `EVERY`, `OTHER`), anchor, step and last day. */
  readonly shape: number
  readonly anchor: number
  readonly step: number
  readonly last: number
  readonly before: number
  readonly after: number
  readonly priority: Task["priority"]
  readonly subjectId: string
  readonly prefix: string
  readonly app: Rule.Applicability
  /** Built when the first task needs it: its words are read from the applicability then. */
  explanation: Task["explanation"] | undefined
}

const explanationOf = (entry: Entry): Task["explanation"] => {
  if (entry.explanation !== undefined) return entry.explanation
  const { app, recurrence, rule } = entry
  const params = Rule.encodedParams(rule)
  const stopped = app.stopped
  return entry.explanation = stopped === undefined
    ? { rule: rule.id, version: rule.version, params, because: app.because, facts: app.facts, recurrence }
    : { rule: rule.id, version: rule.version, params, because: app.because, facts: app.facts, recurrence, stopped }
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

  /**
   * The visits of a bundle not all filed yet: only those whose local day lies in
   * `[coveredLo, coveredHi]` are, since an evaluation reads only the days its windows reach.
   * `undefined` once every visit is filed.
   */
  pending: ReadonlyArray<Visit> | undefined = undefined
  coveredLo = Number.POSITIVE_INFINITY
  coveredHi = Number.NEGATIVE_INFINITY
  /** Ids of visits fed by `update` while `pending` is set: their versions in the bundle are stale. */
  superseded: Set<string> | undefined = undefined
  /** Whether `visitHome` lists every filed visit (it is built on the first update). */
  visitHomeReady = true

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
        residents: [],
        arrivals: [],
        matters: [],
        visits: [],
        days: [],
        millis: [],
        facts: undefined,
        schedule: undefined,
        tasks: [],
        appended: false
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

  ensureVisitHome() {
    if (this.visitHomeReady) return
    for (const p of this.parts.values()) for (const v of p.visits) this.visitHome.set(v.id, p.id)
    this.visitHomeReady = true
  }

  /**
   * Loads a bundle in bulk: each fact once (as `Fact.bundle` and stores give them). Visits
   * are only kept: `cover` files the days an evaluation reads.
   */
  ingestBundle(facts: Fact.Facts) {
    for (const p of facts.places) this.places.set(p.id, p)
    for (const l of facts.liaisons) this.liaisons.set(l.id, l)
    for (const c of facts.campaigns) this.campaigns.set(c.id, c)
    this.refreshGlobals(facts.places.length > 0, facts.liaisons.length > 0, facts.campaigns.length > 0)
    const households = facts.households
    for (let i = 0; i < households.length; i++) {
      const h = households[i]
      this.part(h.id).household = h
    }
    this.ingest(facts.residents, true)
    this.ingest(facts.arrivals, true)
    this.ingest(facts.matters, true)
    this.sortRecords()
    if (facts.visits.length > 0) {
      this.pending = facts.visits
      this.visitHomeReady = false
    }
  }

  /**
   * Files facts into the index; returns the households touched, or `"all"`. In bulk mode
   * (a first load) visits are appended unsorted (the caller sorts once) and record lists are
   * changed in place (the caller sorts them by id).
   */
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
            from.residents = withoutRecord(from.residents, fact.id)
            touch(from)
          }
          const p = this.part(fact.householdId)
          if (bulk && old === undefined) p.residents.push(fact)
          else p.residents = withRecord(p.residents, fact)
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
            const at = indexOfId(from.arrivals, fact.id)
            const previous = at < 0 ? undefined : from.arrivals[at]
            if (previous !== undefined && previous.person._tag === "KnownResident") {
              this.arrivalsOfResident.get(previous.person.residentId)?.delete(fact.id)
            }
            if (old !== fact.householdId) {
              from.arrivals = withoutRecord(from.arrivals, fact.id)
              touch(from)
            }
          }
          const p = this.part(fact.householdId)
          if (bulk && old === undefined) p.arrivals.push(fact)
          else p.arrivals = withRecord(p.arrivals, fact)
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
            from.matters = withoutRecord(from.matters, fact.id)
            touch(from)
          }
          const p = this.part(fact.householdId)
          if (bulk && old === undefined) p.matters.push(fact)
          else p.matters = withRecord(p.matters, fact)
          this.matterHome.set(fact.id, fact.householdId)
          touch(p)
          break
        }
        case "Visit": {
          // A visit changes resolution only: the schedule stays.
          this.ensureVisitHome()
          const millis = fact.at.epochMillis
          const day = this.dayOf(millis)
          const old = this.visitHome.get(fact.id)
          if (old !== undefined) {
            const from = this.part(old)
            const at = indexOfId(from.visits, fact.id)
            if (at >= 0) {
              from.visits.splice(at, 1)
              from.days.splice(at, 1)
              from.millis.splice(at, 1)
            }
            touched.add(from.id)
          }
          if (this.pending !== undefined) (this.superseded ??= new Set()).add(fact.id)
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
          touched.add(p.id)
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

  /** After a bulk load: each household's records by id. */
  sortRecords() {
    for (const p of this.parts.values()) {
      if (p.residents.length > 1) p.residents.sort(byId)
      if (p.arrivals.length > 1) p.arrivals.sort(byId)
      if (p.matters.length > 1) p.matters.sort(byId)
    }
  }

  sortVisits(p: Part) {
    p.appended = false
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

  /**
   * Files the pending visits whose local day lies in `[lo, hi]`, so that the filed days are
   * one range containing it.
   */
  cover(lo: number, hi: number) {
    if (this.pending === undefined || lo > hi) return
    if (this.coveredLo > this.coveredHi) {
      this.file(lo, hi)
      this.coveredLo = lo
      this.coveredHi = hi
      return
    }
    if (lo < this.coveredLo) {
      this.file(lo, this.coveredLo - 1)
      this.coveredLo = lo
    }
    if (hi > this.coveredHi) {
      this.file(this.coveredHi + 1, hi)
      this.coveredHi = hi
    }
  }

  /** Files every pending visit. */
  coverAll() {
    if (this.pending === undefined) return
    if (this.coveredLo > this.coveredHi) this.file(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)
    else {
      this.file(Number.NEGATIVE_INFINITY, this.coveredLo - 1)
      this.file(this.coveredHi + 1, Number.POSITIVE_INFINITY)
    }
    this.pending = undefined
    this.superseded = undefined
    this.coveredLo = Number.POSITIVE_INFINITY
    this.coveredHi = Number.NEGATIVE_INFINITY
  }

  /** Files the pending visits of local days `[lo, hi]` (not filed yet) into their households. */
  file(lo: number, hi: number) {
    const visits = this.pending!
    // A day's instants lie within a day of its UTC span whatever the zone: a cheap first cut.
    const minMs = lo === Number.NEGATIVE_INFINITY ? lo : (lo - 1) * DAY
    const maxMs = hi === Number.POSITIVE_INFINITY ? hi : (hi + 2) * DAY
    const superseded = this.superseded
    const homes = this.visitHomeReady ? this.visitHome : undefined
    const touched: Array<Part> = []
    let part: Part | undefined
    for (let k = 0; k < visits.length; k++) {
      const v = visits[k]
      const millis = v.at.epochMillis
      if (millis < minMs || millis >= maxMs) continue
      const day = this.dayOf(millis)
      if (day < lo || day > hi) continue
      if (superseded !== undefined && superseded.has(v.id)) continue
      if (part === undefined || part.id !== v.householdId) part = this.part(v.householdId)
      if (!part.appended) {
        part.appended = true
        touched.push(part)
      }
      part.visits.push(v)
      part.days.push(day)
      part.millis.push(millis)
      if (homes !== undefined) homes.set(v.id, part.id)
    }
    for (let i = 0; i < touched.length; i++) this.sortVisits(touched[i])
  }

  factsOf(p: Part): Fact.Facts {
    if (p.facts === undefined) {
      p.facts = {
        places: this.placeList,
        liaisons: this.liaisonList,
        households: p.household === undefined ? [] : [p.household],
        residents: p.residents,
        visits: NO_VISITS,
        arrivals: p.arrivals,
        matters: p.matters,
        campaigns: this.campaignList
      }
    }
    return p.facts
  }

  /** Files the visits the schedule's windows can reach for the current dates. */
  coverFor(schedule: ReadonlyArray<Entry>) {
    if (this.pending === undefined) return
    let lo = Number.POSITIVE_INFINITY
    let hi = Number.NEGATIVE_INFINITY
    this.reach(schedule, (a, b) => {
      if (a < lo) lo = a
      if (b > hi) hi = b
    })
    this.cover(lo, Math.min(hi, this.asOfDay))
  }

  /** The days whose visits can resolve the schedule's occurrences for the current dates. */
  reach(schedule: ReadonlyArray<Entry>, f: (lo: number, hi: number) => void) {
    const { fromDay, toDay } = this
    for (let e = 0; e < schedule.length; e++) {
      const { after, before, spanFrom, spanUntil } = schedule[e]
      const lo = Math.max(fromDay - after, spanFrom)
      const hi = Math.min(toDay, spanUntil) + before
      if (lo > hi) continue
      f(Math.max(lo - before, spanFrom), hi + after)
    }
  }

  evaluatePart(p: Part) {
    const schedule = scheduleOf(this, p)
    this.coverFor(schedule)
    p.tasks = evaluatePart(this, p, schedule)
    this.flat = undefined
  }

  evaluateAll() {
    if (this.pending !== undefined) {
      let lo = Number.POSITIVE_INFINITY
      let hi = Number.NEGATIVE_INFINITY
      const widen = (a: number, b: number) => {
        if (a < lo) lo = a
        if (b > hi) hi = b
      }
      for (const p of this.parts.values()) this.reach(scheduleOf(this, p), widen)
      this.cover(lo, Math.min(hi, this.asOfDay))
    }
    for (const p of this.parts.values()) p.tasks = evaluatePart(this, p, scheduleOf(this, p))
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

const scheduleOf = (engine: EngineImpl, part: Part): ReadonlyArray<Entry> => {
  if (part.schedule !== undefined) return part.schedule
  const out: Array<Entry> = []
  const facts = engine.factsOf(part)
  const { tree, zone } = engine
  const rules = engine.pack.rules
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]
    const params = rule.defaults
    const found = rule.subject.subjects(facts, tree)
    const subjects = Array.isArray(found) ? found as ReadonlyArray<unknown> : Array.from(found)
    if (subjects.length === 0) continue
    const context: Rule.Context<unknown> = { params, facts, places: tree, zone }
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[k]
      if (rule.subject.householdId(subject) !== part.id) continue
      const app = rule.applies(subject, context)
      if (app === undefined) continue
      const spanFrom = LocalDate.toEpochDay(app.from)
      const spanUntil = app.until === undefined ? Number.POSITIVE_INFINITY : LocalDate.toEpochDay(app.until)
      if (spanUntil < spanFrom) continue
      const recurrence = rule.recurrence(subject, {
        params,
        facts,
        places: tree,
        zone,
        from: app.from,
        until: app.until
      })
      const window = rule.window(subject, params)
      const subjectId = rule.subject.id(subject)
      const pattern = recurrence.pattern
      const anchor = LocalDate.toEpochDay(recurrence.anchor)
      const count = recurrence.count
      let last = recurrence.until === undefined ? Number.POSITIVE_INFINITY : LocalDate.toEpochDay(recurrence.until)
      let shape = OTHER
      let step = 1
      if (count !== undefined && count < 1) last = Number.NEGATIVE_INFINITY
      if (pattern._tag === "once") shape = ONCE
      else if (pattern._tag === "every") {
        shape = EVERY
        step = pattern.days
        if (count !== undefined) last = Math.min(last, anchor + (count - 1) * step)
      }
      out.push({
        rule,
        subject,
        spanFrom,
        spanUntil,
        cancelled: app.cancelled,
        recurrence,
        shape,
        anchor,
        step,
        last,
        before: window.before,
        after: window.after,
        priority: rule.priority(subject, params),
        subjectId,
        prefix: `${rule.id}:${subjectId}:`,
        app,
        explanation: undefined
      })
    }
  }
  part.schedule = out
  return out
}

/** The task of the occurrence of an entry due on a day, if its window overlaps the dates. */
const occurrence = (
  engine: EngineImpl,
  part: Part,
  entry: Entry,
  due: number,
  out: Array<Task>
) => {
  const { after, before, spanFrom, spanUntil } = entry
  const wf = Math.max(due - before, spanFrom)
  const wt = due + after
  const { asOfDay } = engine
  if (wt < engine.fromDay || wf > engine.toDay) return
  const { days, visits } = part
  const rule = entry.rule
  let resolved = -1
  const last = wt < asOfDay ? wt : asOfDay
  if (last >= wf) {
    const params = rule.defaults
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
        subjectKind: rule.subject.kind,
        subjectId: entry.subjectId,
        householdId: part.id,
        due: dueDate,
        window: { from: dateOfDay(wf), to: dateOfDay(wt) },
        priority: entry.priority,
        state,
        resolvedBy: visits[resolved].id,
        resolvedOn: dateOfDay(days[resolved]),
        explanation: explanationOf(entry)
      }
      : {
        id: entry.prefix + dueDate,
        rule: rule.id,
        subjectKind: rule.subject.kind,
        subjectId: entry.subjectId,
        householdId: part.id,
        due: dueDate,
        window: { from: dateOfDay(wf), to: dateOfDay(wt) },
        priority: entry.priority,
        state,
        explanation: explanationOf(entry)
      }
  )
}

const evaluatePart = (engine: EngineImpl, part: Part, schedule: ReadonlyArray<Entry>): ReadonlyArray<Task> => {
  if (schedule.length === 0) return NO_TASKS
  const out: Array<Task> = []
  const { fromDay, toDay } = engine
  for (let e = 0; e < schedule.length; e++) {
    const entry = schedule[e]
    const { after, before, spanFrom, spanUntil } = entry
    const lo = Math.max(fromDay - after, spanFrom)
    // An occurrence exists when its window opened while the rule applied.
    const hi = Math.min(toDay, spanUntil) + before
    if (lo > hi) continue
    switch (entry.shape) {
      case ONCE: {
        const d = entry.anchor
        if (d >= lo && d <= hi && d <= entry.last) occurrence(engine, part, entry, d, out)
        break
      }
      case EVERY: {
        const { anchor, step } = entry
        const last = Math.min(hi, entry.last)
        const k = lo <= anchor ? 0 : Math.ceil((lo - anchor) / step)
        for (let d = anchor + k * step; d <= last; d += step) occurrence(engine, part, entry, d, out)
        break
      }
      default: {
        const dues = Recurrence.days(entry.recurrence, lo, hi)
        for (let k = 0; k < dues.length; k++) occurrence(engine, part, entry, dues[k], out)
      }
    }
  }
  return out.length === 0 ? NO_TASKS : out
}

const NO_TASKS: ReadonlyArray<Task> = []

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
  else {
    engine.ingest(facts, true)
    engine.sortRecords()
    for (const p of engine.parts.values()) engine.sortVisits(p)
  }
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
  self.coverAll()
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
