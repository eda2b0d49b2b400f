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
import { dateOfDay, epochDay } from "./internal/days.js"
import { byId, type Mutable, sortById, Window } from "./internal/plain.js"
import { borrowed, type Buckets, positions } from "./internal/visits.js"
import type { Liaison } from "./Liaison.js"
import * as LocalDate from "./LocalDate.js"
import type { Matter } from "./Matter.js"
import type * as Metric from "./Metric.js"
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

/** Epoch days beyond any date (small integers, so the engine's numbers stay unboxed). */
const NEVER = 1 << 29
const BEFORE_ALL = -(1 << 29)

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
  /** While `file` runs: how many visits it files here, then where the next goes. */
  incoming: number
}

/** A part as a constructor makes it (an evaluation makes one per household; see internal/plain). */
class PartObject implements Part {
  household: Household | undefined = undefined
  // Shared empty lists until the household has some (most have no arrival or matter).
  residents: Array<Resident> = NO_RECORDS
  arrivals: Array<ArrivalReport> = NO_RECORDS
  matters: Array<Matter> = NO_RECORDS
  visits: Array<Visit> = NO_RECORDS
  days: Array<number> = NO_RECORDS
  millis: Array<number> = NO_RECORDS
  facts: Fact.Facts | undefined = undefined
  schedule: ReadonlyArray<Entry> | undefined = undefined
  tasks: ReadonlyArray<Task> = NO_TASKS
  incoming = 0
  constructor(readonly id: HouseholdId) {}
}

const ONCE = 0
const EVERY = 1
const OTHER = 2

/** One subject of one rule: everything that depends neither on the dates nor on visits. */
class Entry {
  /** Built when the first task needs it: its words are read from the applicability then. */
  explanation: Task["explanation"] | undefined = undefined
  /** `rule:subject:`, the start of its tasks' ids (with the subject's id, made for the first task). */
  prefix: string | undefined = undefined
  subjectId: string | undefined = undefined
  constructor(
    public rule: Rule.Any,
    public subject: unknown,
    /** What `applies` saw (a rule's `explain` reads it again). */
    public context: Rule.Context<unknown>,
    public app: Rule.Applicability,
    public spanFrom: number,
    public spanUntil: number,
    public recurrence: Recurrence.Recurrence,
    /** The recurrence as numbers: its shape (`ONCE`, `EVERY`, `OTHER`), anchor, step and last day. */
    public shape: number,
    public anchor: number,
    public step: number,
    public last: number,
    public before: number,
    public after: number,
    public priority: Task["priority"]
  ) {}
}

/** An entry to be filled (see `forEachEntry`). */
const blankEntry = (): Entry =>
  new Entry(undefined!, undefined, undefined!, undefined!, 0, 0, undefined!, 0, 0, 0, 0, 0, 0, "normal")

const explanationOf = (entry: Entry): Task["explanation"] => {
  if (entry.explanation !== undefined) return entry.explanation
  const { app, recurrence, rule } = entry
  const params = Rule.encodedParams(rule)
  let because: ReadonlyArray<string>
  let facts: ReadonlyArray<Task["explanation"]["facts"][number]>
  let stopped: string | undefined
  if (rule.explain !== undefined) {
    const words = rule.explain(entry.subject, entry.context)
    because = words.because ?? NONE
    facts = words.facts ?? NONE
    stopped = words.stopped
  } else {
    because = app.because
    facts = app.facts
    stopped = app.stopped
  }
  return entry.explanation = stopped === undefined
    ? new Explanation(rule.id, rule.version, params, because, facts, recurrence)
    : new StoppedExplanation(rule.id, rule.version, params, because, facts, recurrence, stopped)
}

// Tasks, views and explanations are plain objects made by constructors (see internal/plain):
// an evaluation makes tens of thousands of them.

function ExplanationObject(
  this: Mutable<Task["explanation"]>,
  rule: string,
  version: number,
  params: unknown,
  because: ReadonlyArray<string>,
  facts: ReadonlyArray<Task["explanation"]["facts"][number]>,
  recurrence: Recurrence.Recurrence
) {
  this.rule = rule
  this.version = version
  this.params = params
  this.because = because
  this.facts = facts
  this.recurrence = recurrence
}
ExplanationObject.prototype = Object.prototype
const Explanation = ExplanationObject as unknown as new(
  rule: string,
  version: number,
  params: unknown,
  because: ReadonlyArray<string>,
  facts: ReadonlyArray<Task["explanation"]["facts"][number]>,
  recurrence: Recurrence.Recurrence
) => Task["explanation"]

function StoppedExplanationObject(
  this: Mutable<Task["explanation"]>,
  rule: string,
  version: number,
  params: unknown,
  because: ReadonlyArray<string>,
  facts: ReadonlyArray<Task["explanation"]["facts"][number]>,
  recurrence: Recurrence.Recurrence,
  stopped: string
) {
  this.rule = rule
  this.version = version
  this.params = params
  this.because = because
  this.facts = facts
  this.recurrence = recurrence
  this.stopped = stopped
}
StoppedExplanationObject.prototype = Object.prototype
const StoppedExplanation = StoppedExplanationObject as unknown as new(
  rule: string,
  version: number,
  params: unknown,
  because: ReadonlyArray<string>,
  facts: ReadonlyArray<Task["explanation"]["facts"][number]>,
  recurrence: Recurrence.Recurrence,
  stopped: string
) => Task["explanation"]

function OpenTaskObject(
  this: Mutable<Task>,
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  priority: Task["priority"],
  state: Task["state"],
  explanation: Task["explanation"]
) {
  this.id = id
  this.rule = rule
  this.subjectKind = subjectKind
  this.subjectId = subjectId
  this.householdId = householdId
  this.due = due
  this.window = window
  this.priority = priority
  this.state = state
  this.explanation = explanation
}
OpenTaskObject.prototype = Object.prototype
const OpenTask = OpenTaskObject as unknown as new(
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  priority: Task["priority"],
  state: Task["state"],
  explanation: Task["explanation"]
) => Task

function DoneTaskObject(
  this: Mutable<Task>,
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  priority: Task["priority"],
  state: Task["state"],
  resolvedBy: Visit["id"],
  resolvedOn: LocalDate.LocalDate,
  explanation: Task["explanation"]
) {
  this.id = id
  this.rule = rule
  this.subjectKind = subjectKind
  this.subjectId = subjectId
  this.householdId = householdId
  this.due = due
  this.window = window
  this.priority = priority
  this.state = state
  this.resolvedBy = resolvedBy
  this.resolvedOn = resolvedOn
  this.explanation = explanation
}
DoneTaskObject.prototype = Object.prototype
const DoneTask = DoneTaskObject as unknown as new(
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  priority: Task["priority"],
  state: Task["state"],
  resolvedBy: Visit["id"],
  resolvedOn: LocalDate.LocalDate,
  explanation: Task["explanation"]
) => Task

function OpenViewObject(
  this: Mutable<Metric.TaskView>,
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  state: Task["state"]
) {
  this.id = id
  this.rule = rule
  this.subjectKind = subjectKind
  this.subjectId = subjectId
  this.householdId = householdId
  this.due = due
  this.window = window
  this.state = state
}
OpenViewObject.prototype = Object.prototype
const OpenView = OpenViewObject as unknown as new(
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  state: Task["state"]
) => Metric.TaskView

function DoneViewObject(
  this: Mutable<Metric.TaskView>,
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  state: Task["state"],
  resolvedOn: LocalDate.LocalDate
) {
  this.id = id
  this.rule = rule
  this.subjectKind = subjectKind
  this.subjectId = subjectId
  this.householdId = householdId
  this.due = due
  this.window = window
  this.state = state
  this.resolvedOn = resolvedOn
}
DoneViewObject.prototype = Object.prototype
const DoneView = DoneViewObject as unknown as new(
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: HouseholdId,
  due: LocalDate.LocalDate,
  window: Task["window"],
  state: Task["state"],
  resolvedOn: LocalDate.LocalDate
) => Metric.TaskView

const NO_VISITS: ReadonlyArray<Visit> = []

const NONE: ReadonlyArray<never> = []

/** The empty list parts share until they hold something; never changed. */
const NO_RECORDS: Array<any> = []

/** Gives a part lists of visits of its own before they change. */
const ownVisits = (p: Part) => {
  if (p.visits === NO_RECORDS) {
    p.visits = []
    p.days = []
    p.millis = []
  }
}

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

// Templates for lists of a known size: a copy of a template's start is a packed array of
// that size, where `new Array(size)` is a slow, holey one.
const VISITS: Array<Visit> = Array.from({ length: 64 }, () => undefined as unknown as Visit)
const DAYS: Array<number> = Array.from({ length: 64 }, () => 0)
const MILLIS: Array<number> = Array.from({ length: 64 }, () => 0.5)

/** A list of `size` elements (to be overwritten). */
const sized = <A>(template: Array<A>, size: number): Array<A> => {
  if (size <= template.length) return template.slice(0, size)
  const out = template.slice()
  while (out.length < size) out.push(template[0])
  return out
}

/** Positions found by `readInstants` and `findInstants` (grown as needed, reused). */
let candidates = new Int32Array(1024)

const found = (count: number, k: number) => {
  if (count === candidates.length) {
    const grown = new Int32Array(count * 2)
    grown.set(candidates)
    candidates = grown
  }
  candidates[count] = k
}

/**
 * Reads every visit's instant into `instants` (later passes read that instead of the visits)
 * and puts the positions of those in `[loMs, hiMs)` in `candidates`; returns how many.
 */
const readInstants = (visits: ReadonlyArray<Visit>, instants: Float64Array, loMs: number, hiMs: number): number => {
  let count = 0
  for (let k = 0; k < visits.length; k++) {
    const millis = visits[k].at.epochMillis
    instants[k] = millis
    if (millis >= loMs && millis < hiMs) found(count++, k)
  }
  return count
}

/** Puts the positions of the instants in `[loMs, hiMs)` in `candidates`; returns how many. */
const findInstants = (instants: Float64Array, loMs: number, hiMs: number): number => {
  let count = 0
  for (let k = 0; k < instants.length; k++) {
    const millis = instants[k]
    if (millis >= loMs && millis < hiMs) found(count++, k)
  }
  return count
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
  coveredLo = NEVER
  coveredHi = BEFORE_ALL
  /** Ids of visits fed by `update` while `pending` is set: their versions in the bundle are stale. */
  superseded: Set<string> | undefined = undefined
  /**
   * The pending visits by UTC day when the computation that runs this engine lent them
   * (`undefined` when it did not, `null` until the first `file` asks).
   */
  buckets: Buckets | undefined | null = null
  /**
   * The pending visits' instants, read on the first `file` that needs more than one pass:
   * later passes read this array instead of every visit again.
   */
  instants: Float64Array | undefined = undefined
  /** Local days found by `localDay`: first instant, end and day, by day modulo 8. */
  readonly spans = new Float64Array(24).fill(Number.NaN)
  /**
   * Whether schedules are kept for the next evaluation (an engine that is kept) or dropped
   * once a household's tasks are out (a one-shot evaluation).
   */
  retain = true
  /** Whether tasks are made as `Metric.TaskView`s (no explanation, priority or resolving visit). */
  views = false
  /** The contexts a one-shot evaluation reuses, two a rule (see `forEachEntry`). */
  shared: Array<Shared> | undefined = undefined
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
      p = new PartObject(id)
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

  /** Whether the maps of which household holds each resident, arrival and matter are filled. */
  homesReady = true

  ensureHomes() {
    if (this.homesReady) return
    for (const p of this.parts.values()) {
      for (const r of p.residents) this.residentHome.set(r.id, p.id)
      for (const m of p.matters) this.matterHome.set(m.id, p.id)
      for (const a of p.arrivals) {
        this.arrivalHome.set(a.id, p.id)
        if (a.person._tag === "KnownResident") {
          let set = this.arrivalsOfResident.get(a.person.residentId)
          if (set === undefined) this.arrivalsOfResident.set(a.person.residentId, set = new Set())
          set.add(a.id)
        }
      }
    }
    this.homesReady = true
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
    // Which household holds each record is only needed to move records on an update.
    // A roster lists a household's residents together: each run is copied at its size.
    const residents = facts.residents
    for (let i = 0; i < residents.length;) {
      const id = residents[i].householdId
      let j = i + 1
      while (j < residents.length && residents[j].householdId === id) j++
      const p = this.part(id)
      if (p.residents === NO_RECORDS) p.residents = residents.slice(i, j)
      else for (let k = i; k < j; k++) p.residents.push(residents[k])
      i = j
    }
    const arrivals = facts.arrivals
    for (let i = 0; i < arrivals.length; i++) {
      const p = this.part(arrivals[i].householdId)
      if (p.arrivals === NO_RECORDS) p.arrivals = []
      p.arrivals.push(arrivals[i])
    }
    const matters = facts.matters
    for (let i = 0; i < matters.length; i++) {
      const p = this.part(matters[i].householdId)
      if (p.matters === NO_RECORDS) p.matters = []
      p.matters.push(matters[i])
    }
    if (residents.length + arrivals.length + matters.length > 0) this.homesReady = false
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
    this.ensureHomes()
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
          if (bulk && old === undefined && p.residents !== NO_RECORDS) p.residents.push(fact)
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
          if (bulk && old === undefined && p.arrivals !== NO_RECORDS) p.arrivals.push(fact)
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
          if (bulk && old === undefined && p.matters !== NO_RECORDS) p.matters.push(fact)
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
          ownVisits(p)
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
      if (p.residents.length > 1) sortById(p.residents)
      if (p.arrivals.length > 1) sortById(p.arrivals)
      if (p.matters.length > 1) sortById(p.matters)
    }
  }

  /** Sorts a household's visits by instant, then id (a household has few: insertion sort, in place). */
  sortVisits(p: Part) {
    const { days, millis, visits } = p
    for (let i = 1; i < visits.length; i++) {
      const v = visits[i]
      const ms = millis[i]
      const day = days[i]
      let j = i - 1
      while (j >= 0 && (millis[j] > ms || (millis[j] === ms && visits[j].id > v.id))) {
        visits[j + 1] = visits[j]
        millis[j + 1] = millis[j]
        days[j + 1] = days[j]
        j--
      }
      if (j + 1 !== i) {
        visits[j + 1] = v
        millis[j + 1] = ms
        days[j + 1] = day
      }
    }
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
    if (this.coveredLo > this.coveredHi) this.file(BEFORE_ALL, NEVER)
    else {
      this.file(BEFORE_ALL, this.coveredLo - 1)
      this.file(this.coveredHi + 1, NEVER)
    }
    this.pending = undefined
    this.buckets = null
    this.instants = undefined
    this.superseded = undefined
    this.coveredLo = NEVER
    this.coveredHi = BEFORE_ALL
  }

  /**
   * The local day of an instant: `dayOf`, with the instants of the last days found
   * remembered (eight slots by day), so most visits cost a few comparisons.
   */
  localDay(millis: number): number {
    const utc = Math.floor(millis / DAY)
    const spans = this.spans
    // The local day is the UTC day, the one after or the one before, whatever the zone.
    for (let c = utc; c <= utc + 1; c++) {
      const slot = (c & 7) * 3
      if (spans[slot + 2] === c && millis >= spans[slot] && millis < spans[slot + 1]) return c
    }
    const before = ((utc - 1) & 7) * 3
    if (spans[before + 2] === utc - 1 && millis >= spans[before] && millis < spans[before + 1]) return utc - 1
    const day = this.dayOf(millis)
    const { zone } = this
    const start = zone.startOf(dateOfDay(day))
    const end = zone.startOf(dateOfDay(day + 1))
    // Remembered only when one offset holds from the day's first instant to its last.
    if (
      start <= millis && millis < end && this.dayOf(start) === day && this.dayOf(end - 1) === day &&
      zone.offsetAt(start) === zone.offsetAt(end - 1)
    ) {
      const slot = (day & 7) * 3
      spans[slot] = start
      spans[slot + 1] = end
      spans[slot + 2] = day
    }
    return day
  }

  /**
   * Files the pending visits of local days `[lo, hi]` (not filed yet) into their households.
   * The first pass reads every pending visit's instant once (kept in `instants` for later
   * passes); only the visits of those days are filed, so an evaluation as of today costs
   * one read of each instant and the few days its windows reach.
   */
  file(lo: number, hi: number) {
    const visits = this.pending!
    if (this.buckets === null) this.buckets = borrowed(visits)
    const buckets = this.buckets
    // A local day's instants lie in the UTC day before, on or after it, whatever the zone.
    let found: Int32Array
    let count: number
    if (buckets !== undefined) {
      const [from, to] = positions(buckets, lo - 1, hi + 1)
      found = buckets.order.subarray(from, to)
      count = to - from
    } else {
      const loMs = lo <= BEFORE_ALL ? Number.NEGATIVE_INFINITY : (lo - 1) * DAY
      const hiMs = hi >= NEVER ? Number.POSITIVE_INFINITY : (hi + 2) * DAY
      if (this.instants === undefined) {
        this.instants = new Float64Array(visits.length)
        count = readInstants(visits, this.instants, loMs, hiMs)
      } else count = findInstants(this.instants, loMs, hiMs)
      found = candidates
    }
    // The visits of those days, counted by household; then each household's lists are made
    // at their size and filled.
    const superseded = this.superseded
    const touched: Array<Part> = []
    const taken = new Array<Part | undefined>(count)
    const days = new Int32Array(count)
    const instants = new Float64Array(count)
    let part: Part | undefined
    for (let i = 0; i < count; i++) {
      const k = found[i]
      const v = visits[k]
      const millis = v.at.epochMillis
      const day = this.localDay(millis)
      if (day < lo || day > hi) continue
      if (superseded !== undefined && superseded.has(v.id)) continue
      if (part === undefined || part.id !== v.householdId) part = this.part(v.householdId)
      if (part.incoming === 0) touched.push(part)
      part.incoming++
      taken[i] = part
      days[i] = day
      instants[i] = millis
    }
    for (let i = 0; i < touched.length; i++) {
      const p = touched[i]
      const had = p.visits.length
      const size = had + p.incoming
      const pv = sized(VISITS, size)
      const pd = sized(DAYS, size)
      const pm = sized(MILLIS, size)
      for (let j = 0; j < had; j++) {
        pv[j] = p.visits[j]
        pd[j] = p.days[j]
        pm[j] = p.millis[j]
      }
      p.visits = pv
      p.days = pd
      p.millis = pm
      p.incoming = had
    }
    const homes = this.visitHomeReady ? this.visitHome : undefined
    for (let i = 0; i < count; i++) {
      const p = taken[i]
      if (p === undefined) continue
      const at = p.incoming++
      const v = visits[found[i]]
      p.visits[at] = v
      p.days[at] = days[i]
      p.millis[at] = instants[i]
      if (homes !== undefined) homes.set(v.id, p.id)
    }
    for (let i = 0; i < touched.length; i++) {
      touched[i].incoming = 0
      this.sortVisits(touched[i])
    }
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

  /** Windows by first day and length: tasks share them (they are values). */
  readonly windows = new Map<number, Task["window"]>()

  window(from: number, to: number): Task["window"] {
    const length = to - from
    if (length < 0 || length > 1023) return new Window(dateOfDay(from), dateOfDay(to))
    const key = from * 1024 + length
    let w = this.windows.get(key)
    if (w === undefined) {
      w = new Window(dateOfDay(from), dateOfDay(to))
      this.windows.set(key, w)
    }
    return w
  }

  /** Files the visits the schedule's windows can reach for the current dates. */
  coverFor(schedule: ReadonlyArray<Entry>, count = schedule.length) {
    if (this.pending === undefined) return
    let lo = NEVER
    let hi = BEFORE_ALL
    for (let e = 0; e < count; e++) {
      if (!reaches(this, schedule[e])) continue
      if (reachLo < lo) lo = reachLo
      if (reachHi > hi) hi = reachHi
    }
    this.cover(lo, Math.min(hi, this.asOfDay))
  }

  evaluatePart(p: Part) {
    const schedule = scheduleOf(this, p)
    this.coverFor(schedule)
    p.tasks = evaluatePart(this, p, schedule)
    this.flat = undefined
  }

  evaluateAll() {
    if (this.retain) {
      for (const p of this.parts.values()) {
        const schedule = scheduleOf(this, p)
        this.coverFor(schedule)
        p.tasks = evaluatePart(this, p, schedule)
      }
    } else {
      // One shot: a household's entries are filled into a pool reused for the next one, the
      // visits all of them reach are filed at once (the first household's usually reach every
      // day any will, so the visits are filed in one pass), then their tasks are made.
      const pool: Array<Entry> = []
      let used = 0
      const next = (): Entry => pool[used] ??= blankEntry()
      // Households in the order `tasks` gives them (by id: a bundle's usually are already),
      // their tasks straight into one list.
      const order = new Array<Part>(this.parts.size)
      let sorted = true
      let n = 0
      for (const p of this.parts.values()) {
        if (n > 0 && order[n - 1].id > p.id) sorted = false
        order[n++] = p
      }
      if (!sorted) order.sort(byId)
      const out: Array<Task> = []
      const count = () => {
        used++
      }
      for (let i = 0; i < order.length; i++) {
        const p = order[i]
        used = 0
        forEachEntry(this, p, next, count)
        if (used > 0) {
          if (this.pending !== undefined) this.coverFor(pool, used)
          for (let e = 0; e < used; e++) evaluateEntry(this, p, pool[e], out)
        }
        p.tasks = NO_TASKS
        p.facts = undefined
      }
      this.flat = out
      return
    }
    this.flat = undefined
  }

  tasks(): ReadonlyArray<Task> {
    if (this.flat === undefined) {
      if (this.partOrder === undefined) this.partOrder = [...this.parts.keys()].sort()
      const order = this.partOrder
      const lists = new Array<ReadonlyArray<Task>>(order.length)
      let n = 0
      for (let p = 0; p < order.length; p++) n += (lists[p] = this.parts.get(order[p])!.tasks).length
      const out = new Array<Task>(n)
      let at = 0
      for (let p = 0; p < lists.length; p++) {
        const tasks = lists[p]
        for (let i = 0; i < tasks.length; i++) out[at++] = tasks[i]
      }
      this.flat = out
    }
    return this.flat
  }
}

const scheduleOf = (engine: EngineImpl, part: Part): ReadonlyArray<Entry> => {
  if (part.schedule !== undefined) return part.schedule
  const out: Array<Entry> = []
  forEachEntry(engine, part, undefined, (entry) => {
    out.push(entry)
  })
  part.schedule = out
  return out
}

/** A context a one-shot evaluation fills anew for each household. */
type Shared = { -readonly [K in keyof Rule.ScheduleContext<unknown>]: Rule.ScheduleContext<unknown>[K] }

/**
 * Calls `f` with an entry for each subject of each rule that applies, in pack order: new
 * entries, or entries `next` gives, filled anew (a one-shot evaluation keeps none).
 */
const forEachEntry = (
  engine: EngineImpl,
  part: Part,
  next: (() => Entry) | undefined,
  f: (entry: Entry) => void
) => {
  const facts = engine.factsOf(part)
  const { tree, zone } = engine
  const rules = engine.pack.rules
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]
    const params = rule.defaults
    const found = rule.subject.subjects(facts, tree)
    const subjects = Array.isArray(found) ? found as ReadonlyArray<unknown> : Array.from(found)
    if (subjects.length === 0) continue
    // A recurrence is plain data built from its context: one context serves every subject.
    let context: Rule.Context<unknown>
    let schedule: Shared | undefined
    if (next === undefined) context = { params, facts, places: tree, zone }
    else {
      // One shot: a rule's contexts serve one household after another (each household's
      // tasks, explanations included, are made before the next is read).
      const shared = engine.shared ??= []
      let c = shared[2 * r]
      if (c === undefined) {
        c = shared[2 * r] = { params, facts, places: tree, zone, from: LocalDate.MIN, until: undefined }
        shared[2 * r + 1] = { params, facts, places: tree, zone, from: LocalDate.MIN, until: undefined }
      }
      c.facts = facts
      context = c
      schedule = shared[2 * r + 1]
      schedule.facts = facts
    }
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[k]
      if (rule.subject.householdId(subject) !== part.id) continue
      const app = rule.applies(subject, context)
      if (app === undefined) continue
      const spanFrom = epochDay(app.from)
      const spanUntil = app.until === undefined ? NEVER : epochDay(app.until)
      if (spanUntil < spanFrom) continue
      const window = rule.window(subject, params)
      // One shot: a subject whose span cannot open a window in the dates has no task (as
      // `evaluateEntry` finds), so its recurrence is not built.
      if (
        next !== undefined &&
        Math.max(engine.fromDay - window.after, spanFrom) > Math.min(engine.toDay, spanUntil) + window.before
      ) continue
      if (schedule === undefined) {
        schedule = { params, facts, places: tree, zone, from: app.from, until: app.until }
      } else {
        schedule.from = app.from
        schedule.until = app.until
      }
      const recurrence = rule.recurrence(subject, schedule)
      const pattern = recurrence.pattern
      const anchor = epochDay(recurrence.anchor)
      const count = recurrence.count
      let last = recurrence.until === undefined ? NEVER : epochDay(recurrence.until)
      let shape = OTHER
      let step = 1
      if (count !== undefined && count < 1) last = BEFORE_ALL
      if (pattern._tag === "once") shape = ONCE
      else if (pattern._tag === "every") {
        shape = EVERY
        step = pattern.days
        if (count !== undefined) last = Math.min(last, anchor + (count - 1) * step)
      }
      const priority = rule.priority(subject, params)
      if (next === undefined) {
        f(
          new Entry(
            rule,
            subject,
            context,
            app,
            spanFrom,
            spanUntil,
            recurrence,
            shape,
            anchor,
            step,
            last,
            window.before,
            window.after,
            priority
          )
        )
      } else {
        const e = next()
        e.rule = rule
        e.subject = subject
        e.context = context
        e.app = app
        e.spanFrom = spanFrom
        e.spanUntil = spanUntil
        e.recurrence = recurrence
        e.shape = shape
        e.anchor = anchor
        e.step = step
        e.last = last
        e.before = window.before
        e.after = window.after
        e.priority = priority
        e.explanation = undefined
        e.prefix = undefined
        e.subjectId = undefined
        f(e)
      }
    }
  }
}

// `reaches` answers in these two, to make no garbage.
let reachLo = 0
let reachHi = 0

/**
 * Whether an entry can have a task in the engine's dates, and then the days whose visits
 * can resolve them, `[reachLo, reachHi]` (the first and last due dates as `evaluateEntry`
 * finds them, widened by the window).
 */
const reaches = (engine: EngineImpl, entry: Entry): boolean => {
  const { after, before, spanFrom, spanUntil } = entry
  const lo = Math.max(engine.fromDay - after, spanFrom)
  const hi = Math.min(engine.toDay, spanUntil) + before
  if (lo > hi) return false
  let first = lo
  let last = hi
  if (entry.shape === ONCE) {
    if (entry.anchor < lo || entry.anchor > hi || entry.anchor > entry.last) return false
    first = last = entry.anchor
  } else if (entry.shape === EVERY) {
    const { anchor, step } = entry
    first = lo <= anchor ? anchor : anchor + Math.ceil((lo - anchor) / step) * step
    last = Math.min(hi, entry.last)
    if (first > last) return false
  }
  reachLo = Math.max(first - before, spanFrom)
  reachHi = last + after
  return true
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
    : entry.app.cancelled || (spanUntil < wt && asOfDay > spanUntil)
    ? "cancelled"
    : asOfDay < wf
    ? "upcoming"
    : asOfDay <= due
    ? "due"
    : asOfDay <= wt
    ? "overdue"
    : "missed"
  const dueDate = dateOfDay(due)
  let prefix = entry.prefix
  if (prefix === undefined) {
    entry.subjectId = rule.subject.id(entry.subject)
    prefix = entry.prefix = `${rule.id}:${entry.subjectId}:`
  }
  const subjectId = entry.subjectId!
  const window = engine.window(wf, wt)
  if (engine.views) {
    // What the coverage engine reads (`Metric.TaskView`): no explanation to build.
    out.push(
      (resolved >= 0
        ? new DoneView(
          prefix + dueDate,
          rule.id,
          rule.subject.kind,
          subjectId,
          part.id,
          dueDate,
          window,
          state,
          dateOfDay(days[resolved])
        )
        : new OpenView(
          prefix + dueDate,
          rule.id,
          rule.subject.kind,
          subjectId,
          part.id,
          dueDate,
          window,
          state
        )) as Task
    )
    return
  }
  out.push(
    resolved >= 0
      ? new DoneTask(
        prefix + dueDate,
        rule.id,
        rule.subject.kind,
        subjectId,
        part.id,
        dueDate,
        window,
        entry.priority,
        state,
        visits[resolved].id,
        dateOfDay(days[resolved]),
        explanationOf(entry)
      )
      : new OpenTask(
        prefix + dueDate,
        rule.id,
        rule.subject.kind,
        subjectId,
        part.id,
        dueDate,
        window,
        entry.priority,
        state,
        explanationOf(entry)
      )
  )
}

const evaluatePart = (engine: EngineImpl, part: Part, schedule: ReadonlyArray<Entry>): ReadonlyArray<Task> => {
  if (schedule.length === 0) return NO_TASKS
  const out: Array<Task> = []
  for (let e = 0; e < schedule.length; e++) evaluateEntry(engine, part, schedule[e], out)
  return out.length === 0 ? NO_TASKS : out
}

/** The tasks of one entry whose windows overlap the dates. */
const evaluateEntry = (engine: EngineImpl, part: Part, entry: Entry, out: Array<Task>) => {
  const { after, before, spanFrom, spanUntil } = entry
  const lo = Math.max(engine.fromDay - after, spanFrom)
  // An occurrence exists when its window opened while the rule applied.
  const hi = Math.min(engine.toDay, spanUntil) + before
  if (lo > hi) return
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
export const make = (pack: RulePack, facts: Fact.Facts | Iterable<Fact.Fact>, options: Options): Engine =>
  build(pack, facts, options, true, false)

const build = (
  pack: RulePack,
  facts: Fact.Facts | Iterable<Fact.Fact>,
  options: Options,
  retain: boolean,
  views: boolean
): EngineImpl => {
  const engine = new EngineImpl(pack, options)
  engine.retain = retain
  engine.views = views
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
): ReadonlyArray<Task> => build(pack, facts, options, false, false).tasks()

/**
 * The same tasks as `evaluate`, as the coverage engine reads them (`Metric.TaskView`): ids,
 * dates, states and the day each was resolved, without explanations, priorities or the
 * resolving visit's id, which a count does not need.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const views = (
  pack: RulePack,
  facts: Fact.Facts | Iterable<Fact.Fact>,
  options: Options
): ReadonlyArray<Metric.TaskView> => build(pack, facts, options, false, true).tasks()
