/**
 * Test a rule pack like code: build a few facts by hand, pick an as-of date, get the tasks,
 * and assert on them with failures that list what the engine did produce.
 *
 * @example
 * ```ts
 * import { BuiltInRules } from "@minqing/core"
 * import { RuleTesting } from "@minqing/core/testing"
 *
 * const facts = RuleTesting.facts()
 *   .household("h-1")
 *   .resident("r-1", { household: "h-1", birthDate: "1950-03-07", livesAlone: true })
 *   .visit({ household: "h-1", at: "2021-05-10 23:30", observations: [RuleTesting.observe.wellbeing("r-1")] })
 *   .build()
 *
 * RuleTesting.expectTasks(BuiltInRules.pack, facts, "2021-05-11", { from: "2021-05-10" })
 *   .toInclude({ rule: "elderly-alone-checkin", subject: "r-1", due: "2021-05-10", state: "done" })
 *   .toInclude({ rule: "elderly-alone-checkin", subject: "r-1", due: "2021-05-11", state: "due" })
 * ```
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { ArrivalReport, KnownResident, Newcomer } from "../Arrival.js"
import { Campaign } from "../Campaign.js"
import * as Engine from "../Engine.js"
import * as Fact from "../Fact.js"
import { Household } from "../Household.js"
import { ArrivalId, CampaignId, HouseholdId, LiaisonId, MatterId, PlaceId, ResidentId, VisitId } from "../Ids.js"
import type * as Labels from "../Labels.js"
import { Liaison } from "../Liaison.js"
import * as LocalDate from "../LocalDate.js"
import { Matter, Resolution } from "../Matter.js"
import * as Observation from "../Observation.js"
import * as PersonalData from "../PersonalData.js"
import { Place } from "../Place.js"
import { Dose, Resident } from "../Resident.js"
import { Eligibility } from "../Resident.js"
import type { RulePack } from "../RulePack.js"
import * as Task from "../Task.js"
import * as TimeZone from "../TimeZone.js"
import { Visit } from "../Visit.js"

// ---------------------------------------------------------------------------------------------
// Fixture builder
// ---------------------------------------------------------------------------------------------

/**
 * A local time in the builder's zone: `"2021-05-10"` (10:00), `"2021-05-10 23:30"` or
 * `"2021-05-10T23:30"`.
 *
 * @since 0.1.0
 * @category models
 */
export type LocalTime = string

/**
 * Builds facts by hand with sensible defaults: every record active from 2021-01-01, places
 * created for the grids households name (under one village and one subdistrict), visits
 * contacted, at local times in the builder's zone.
 *
 * @since 0.1.0
 * @category fixtures
 */
export interface Builder {
  readonly zone: TimeZone.TimeZone
  /** The instant of a local time in the builder's zone. */
  readonly instant: (at: LocalTime) => DateTime.Utc
  readonly place: (
    id: string,
    options?: { readonly level?: string; readonly parent?: string; readonly name?: string }
  ) => Builder
  readonly liaison: (
    id: string,
    options?: { readonly grids?: ReadonlyArray<string>; readonly name?: string; readonly active?: boolean }
  ) => Builder
  readonly household: (
    id: string,
    options?: {
      readonly grid?: string
      readonly routePosition?: number
      readonly address?: string
      readonly activeFrom?: string
      readonly activeUntil?: string
    }
  ) => Builder
  readonly resident: (
    id: string,
    options: {
      readonly household: string
      readonly name?: string
      readonly birthDate?: string
      readonly sex?: "male" | "female"
      readonly livesAlone?: boolean
      readonly presence?: "present" | "away"
      readonly doses?: ReadonlyArray<{ readonly date: string; readonly product: string }>
      /** As in JSON: `{ _tag: "temporarily-contraindicated", reason: "fever", until: "2021-05-10" }`. */
      readonly eligibility?: Schema.Schema.Encoded<typeof Eligibility>
      readonly activeFrom?: string
      readonly activeUntil?: string
    }
  ) => Builder
  readonly arrival: (
    id: string,
    options: {
      readonly household: string
      /** A resident id already on the roster, or a newcomer's name (default "Newcomer"). */
      readonly resident?: string
      readonly name?: string
      readonly origin?: string
      readonly risk?: "low" | "medium" | "high"
      readonly expected: string
      readonly actual?: string
      readonly reportedAt?: LocalTime
      readonly monitoringDays?: number
      readonly status?: Labels.ValueOf<"arrivalStatus">
    }
  ) => Builder
  readonly matter: (
    id: string,
    options: {
      readonly household: string
      readonly category?: Labels.ValueOf<"matterCategory">
      readonly openedAt: LocalTime
      readonly dueBy?: string
      readonly status?: Labels.ValueOf<"matterStatus">
      readonly resolvedAt?: LocalTime
      readonly summary?: string
    }
  ) => Builder
  readonly campaign: (
    id: string,
    options: {
      readonly kind: Labels.ValueOf<"campaignKind">
      readonly scope?: string
      readonly from: string
      readonly to: string
      readonly name?: string
    }
  ) => Builder
  readonly visit: (options: {
    readonly household: string
    readonly at: LocalTime
    readonly id?: string
    readonly liaison?: string
    readonly outcome?: Labels.ValueOf<"visitOutcome">
    readonly observations?: ReadonlyArray<Observation.Observation>
  }) => Builder
  /** Any fact as is. */
  readonly add: (...facts: ReadonlyArray<Fact.Fact>) => Builder
  /** The facts added so far, in order (places and liaisons first). */
  readonly facts: () => ReadonlyArray<Fact.Fact>
  readonly build: () => Fact.Facts
}

const ROOT = "sd-1"
const VILLAGE = "v-1"
const DEFAULT_FROM = "2021-01-01"

const parseLocal = (zone: TimeZone.TimeZone, at: LocalTime): DateTime.Utc => {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?$/.exec(at.trim())
  if (m === null) throw new Error(`Expected a local time such as "2021-05-10 23:30", got ${JSON.stringify(at)}`)
  const date = LocalDate.make(m[1])
  const hours = m[2] === undefined ? 10 : Number(m[2])
  const minutes = m[3] === undefined ? 0 : Number(m[3])
  const guess = zone.startOf(date) + (hours * 60 + minutes) * 60_000
  // Correct for an offset change between midnight and the time (daylight saving).
  const millis = guess + zone.offsetAt(zone.startOf(date)) - zone.offsetAt(guess)
  return DateTime.unsafeMake(millis)
}

/**
 * A fixture builder (default zone `Asia/Shanghai`).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const facts = (options: { readonly zone?: string } = {}): Builder => {
  const zone = TimeZone.make(options.zone ?? TimeZone.DEFAULT_ZONE)
  const places = new Map<string, Place>()
  const liaisons: Array<Liaison> = []
  const rest: Array<Fact.Fact> = []
  let visitCount = 0
  let positions = 0
  const ensureGrid = (grid: string) => {
    if (places.has(grid)) return
    if (!places.has(ROOT)) {
      places.set(ROOT, new Place({ id: PlaceId.make(ROOT), name: "Subdistrict", level: "subdistrict" }))
    }
    if (!places.has(VILLAGE)) {
      places.set(
        VILLAGE,
        new Place({ id: PlaceId.make(VILLAGE), name: "Village", level: "village", parentId: PlaceId.make(ROOT) })
      )
    }
    places.set(
      grid,
      new Place({ id: PlaceId.make(grid), name: `Grid ${grid}`, level: "grid", parentId: PlaceId.make(VILLAGE) })
    )
  }
  const date = (s: string) => LocalDate.make(s)
  const builder: Builder = {
    zone,
    instant: (at) => parseLocal(zone, at),
    place: (id, o = {}) => {
      places.set(
        id,
        new Place({
          id: PlaceId.make(id),
          name: o.name ?? id,
          level: o.level ?? "grid",
          ...(o.parent === undefined ? {} : { parentId: PlaceId.make(o.parent) })
        })
      )
      return builder
    },
    liaison: (id, o = {}) => {
      const grids = o.grids ?? ["g-1"]
      grids.forEach(ensureGrid)
      liaisons.push(
        new Liaison({
          id: LiaisonId.make(id),
          name: o.name ?? `Liaison ${id}`,
          phone: PersonalData.Phone.make("13800138000"),
          background: "grid-worker",
          gridIds: grids.map((g) => PlaceId.make(g)),
          appointedFrom: date(DEFAULT_FROM),
          active: o.active ?? true
        })
      )
      return builder
    },
    household: (id, o = {}) => {
      const grid = o.grid ?? "g-1"
      ensureGrid(grid)
      rest.push(
        new Household({
          id: HouseholdId.make(id),
          gridId: PlaceId.make(grid),
          address: o.address ?? `${id} Village Road`,
          routePosition: o.routePosition ?? ++positions,
          activeFrom: date(o.activeFrom ?? DEFAULT_FROM),
          ...(o.activeUntil === undefined ? {} : { activeUntil: date(o.activeUntil) })
        })
      )
      return builder
    },
    resident: (id, o) => {
      rest.push(
        new Resident({
          id: ResidentId.make(id),
          householdId: HouseholdId.make(o.household),
          name: o.name ?? `Resident ${id}`,
          sex: o.sex ?? "female",
          birthDate: date(o.birthDate ?? "1980-01-01"),
          livesAlone: o.livesAlone ?? false,
          presence: o.presence ?? "present",
          doses: (o.doses ?? []).map((d) => new Dose({ date: date(d.date), product: d.product })),
          eligibility: Schema.decodeUnknownSync(Eligibility)(o.eligibility ?? { _tag: "eligible" }),
          activeFrom: date(o.activeFrom ?? DEFAULT_FROM),
          ...(o.activeUntil === undefined ? {} : { activeUntil: date(o.activeUntil) })
        })
      )
      return builder
    },
    arrival: (id, o) => {
      const status = o.status ?? (o.actual === undefined ? "expected" : "arrived")
      rest.push(
        new ArrivalReport({
          id: ArrivalId.make(id),
          householdId: HouseholdId.make(o.household),
          person: o.resident !== undefined
            ? new KnownResident({ residentId: ResidentId.make(o.resident) })
            : new Newcomer({ name: o.name ?? "Newcomer" }),
          origin: o.origin ?? "Elsewhere",
          originRisk: o.risk ?? "low",
          expectedArrival: date(o.expected),
          ...(o.actual === undefined ? {} : { actualArrival: date(o.actual) }),
          reportedAt: parseLocal(zone, o.reportedAt ?? LocalDate.addDays(date(o.expected), -1)),
          ...(o.monitoringDays === undefined ? {} : { monitoringDays: o.monitoringDays }),
          status
        })
      )
      return builder
    },
    matter: (id, o) => {
      const opened = parseLocal(zone, o.openedAt)
      const status = o.status ?? (o.resolvedAt === undefined ? "open" : "resolved")
      rest.push(
        new Matter({
          id: MatterId.make(id),
          householdId: HouseholdId.make(o.household),
          category: o.category ?? "help-request",
          summary: o.summary ?? `Matter ${id}`,
          openedAt: opened,
          dueBy: date(o.dueBy ?? LocalDate.addDays(zone.dateOf(opened.epochMillis), 7)),
          status,
          ...(o.resolvedAt === undefined
            ? {}
            : { resolution: new Resolution({ at: parseLocal(zone, o.resolvedAt), note: "resolved" }) })
        })
      )
      return builder
    },
    campaign: (id, o) => {
      const scope = o.scope ?? ROOT
      if (scope === ROOT) ensureGrid("g-1")
      rest.push(
        new Campaign({
          id: CampaignId.make(id),
          kind: o.kind,
          name: o.name ?? `Campaign ${id}`,
          scopeId: PlaceId.make(scope),
          period: LocalDate.period(o.from, o.to),
          posts: []
        })
      )
      return builder
    },
    visit: (o) => {
      const observations = o.observations ?? []
      rest.push(
        new Visit({
          id: VisitId.make(o.id ?? `v-${++visitCount}`),
          householdId: HouseholdId.make(o.household),
          liaisonId: LiaisonId.make(o.liaison ?? liaisons[0]?.id ?? "l-1"),
          at: parseLocal(zone, o.at),
          outcome: o.outcome ?? "contacted",
          observations
        })
      )
      return builder
    },
    add: (...facts) => {
      for (const f of facts) {
        if (f._tag === "Place") places.set(f.id, f)
        else if (f._tag === "Liaison") liaisons.push(f)
        else rest.push(f)
      }
      return builder
    },
    facts: () => [...places.values(), ...liaisons, ...rest],
    build: () => Fact.bundle(builder.facts())
  }
  return builder
}

/**
 * Observations for fixture visits.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const observe = {
  wellbeing: (residentId: string, wellbeing: Labels.ValueOf<"wellbeing"> = "well"): Observation.Observation =>
    new Observation.ElderlyWellbeing({ residentId: ResidentId.make(residentId), wellbeing, needs: [] }),
  vaccinationCheck: (
    residentId: string,
    status: Labels.ValueOf<"vaccinationStatus"> = "unvaccinated"
  ): Observation.Observation =>
    new Observation.VaccinationCheck({ residentId: ResidentId.make(residentId), status, persuaded: true }),
  healthCheck: (person: { readonly residentId?: string; readonly arrivalId?: string }): Observation.Observation =>
    new Observation.HealthCheck({
      ...(person.residentId === undefined ? {} : { residentId: ResidentId.make(person.residentId) }),
      ...(person.arrivalId === undefined ? {} : { arrivalId: ArrivalId.make(person.arrivalId) }),
      symptoms: false
    }),
  decoction: (campaignId: string, servings = 3): Observation.Observation =>
    new Observation.Decoction({ campaignId: CampaignId.make(campaignId), servings }),
  publicity: (campaignId: string): Observation.Observation =>
    new Observation.Publicity({ campaignId: CampaignId.make(campaignId), medium: "leaflet" }),
  matter: (matterId: string, note = "followed up"): Observation.Observation =>
    new Observation.MatterFollowUp({ matterId: MatterId.make(matterId), note })
}

// ---------------------------------------------------------------------------------------------
// Tasks and expectations
// ---------------------------------------------------------------------------------------------

/**
 * Evaluation dates for tests: the range of windows (default from the as-of day, or `from`,
 * to the later of the as-of day and `from`) and the zone (default the builder's, else
 * `Asia/Shanghai`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly from?: string
  readonly to?: string
  readonly zone?: string | TimeZone.TimeZone
}

/**
 * The tasks of a pack over facts as of a date.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const tasks = (
  pack: RulePack,
  facts: Fact.Facts | Builder,
  asOf: string,
  options: Options = {}
): ReadonlyArray<Task.Task> => {
  const bundle = "build" in facts ? facts.build() : facts
  const zone = options.zone ?? ("build" in facts ? facts.zone : undefined)
  return Engine.evaluate(pack, bundle, {
    asOf: LocalDate.make(asOf),
    from: LocalDate.make(options.from ?? asOf),
    to: LocalDate.make(options.to ?? LocalDate.max(LocalDate.make(asOf), LocalDate.make(options.from ?? asOf))),
    zone
  })
}

/**
 * What a task should look like; only the given fields are compared.
 *
 * @since 0.1.0
 * @category models
 */
export interface Match {
  readonly rule?: string
  readonly subject?: string
  readonly household?: string
  readonly due?: string
  readonly state?: Task.State
  readonly priority?: Task.Priority
  readonly resolvedBy?: string
  readonly window?: readonly [string, string]
}

/**
 * Whether a task matches.
 *
 * @since 0.1.0
 * @category predicates
 */
export const matches = (task: Task.Task, m: Match): boolean =>
  (m.rule === undefined || task.rule === m.rule) &&
  (m.subject === undefined || task.subjectId === m.subject) &&
  (m.household === undefined || task.householdId === m.household) &&
  (m.due === undefined || task.due === m.due) &&
  (m.state === undefined || task.state === m.state) &&
  (m.priority === undefined || task.priority === m.priority) &&
  (m.resolvedBy === undefined || task.resolvedBy === m.resolvedBy) &&
  (m.window === undefined || (task.window.from === m.window[0] && task.window.to === m.window[1]))

const showMatch = (m: Match): string =>
  "{ " + Object.entries(m).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ") + " }"

/**
 * The tasks as a readable table, one line each, sorted by rule, subject and due date.
 *
 * @since 0.1.0
 * @category getters
 */
export const table = (tasks: Iterable<Task.Task>): string => {
  const sorted = [...tasks].sort((a, b) =>
    a.rule !== b.rule ? (a.rule < b.rule ? -1 : 1) : a.subjectId !== b.subjectId
      ? (a.subjectId < b.subjectId ? -1 : 1)
      : a.due < b.due
      ? -1
      : a.due > b.due
      ? 1
      : 0
  )
  return sorted.length === 0 ? "  (no tasks)" : sorted.map((t) => "  " + Task.format(t)).join("\n")
}

/**
 * Compares tasks with expectations: `undefined` when every expectation matches a task (and,
 * with `exact`, every task matches one), or a readable report of what is missing and what
 * was found.
 *
 * @since 0.1.0
 * @category assertions
 */
export const diff = (
  tasks: ReadonlyArray<Task.Task>,
  expected: ReadonlyArray<Match>,
  options: { readonly exact?: boolean } = {}
): string | undefined => {
  const missing = expected.filter((m) => !tasks.some((t) => matches(t, m)))
  const extra = options.exact === true ? tasks.filter((t) => !expected.some((m) => matches(t, m))) : []
  if (missing.length === 0 && extra.length === 0) return undefined
  const lines: Array<string> = []
  for (const m of missing) lines.push(`- missing: ${showMatch(m)}`)
  for (const t of extra) lines.push(`+ unexpected: ${Task.format(t)}`)
  lines.push("tasks found:", table(tasks))
  return lines.join("\n")
}

/**
 * A failed task expectation; the message lists the tasks the engine produced.
 *
 * @since 0.1.0
 * @category assertions
 */
export class TaskExpectationError extends Error {
  override readonly name = "TaskExpectationError"
}

/**
 * Assertions over the tasks of a pack as of a date. Each returns the same object, so they
 * chain; a failure throws `TaskExpectationError` with the tasks that were found.
 *
 * @since 0.1.0
 * @category assertions
 */
export interface Expectation {
  readonly tasks: ReadonlyArray<Task.Task>
  /** Some task matches. */
  readonly toInclude: (match: Match) => Expectation
  /** No task matches. */
  readonly toExclude: (match: Match) => Expectation
  /** Every expectation matches a task and every task (among those matching `where`) one expectation. */
  readonly toEqual: (expected: ReadonlyArray<Match>, where?: Match) => Expectation
  /** The states of one rule's tasks for one subject, by due date: `{ "2021-05-10": "done" }`. */
  readonly toHaveStates: (rule: string, subject: string, states: Readonly<Record<string, Task.State>>) => Expectation
  /** The tasks matching a filter. */
  readonly where: (match: Match) => ReadonlyArray<Task.Task>
}

/**
 * Evaluates and returns assertions over the tasks.
 *
 * @example
 * ```ts
 * import { BuiltInRules } from "@minqing/core"
 * import { RuleTesting } from "@minqing/core/testing"
 *
 * const facts = RuleTesting.facts().household("h-1").build()
 * RuleTesting.expectTasks(BuiltInRules.pack, facts, "2021-05-12", { from: "2021-05-10" })
 *   .toHaveStates("household-sweep", "h-1", { "2021-05-10": "missed", "2021-05-11": "missed", "2021-05-12": "due" })
 * ```
 *
 * @since 0.1.0
 * @category assertions
 */
export const expectTasks = (
  pack: RulePack,
  facts: Fact.Facts | Builder,
  asOf: string,
  options: Options = {}
): Expectation => {
  const found = tasks(pack, facts, asOf, options)
  const context = `as of ${asOf}${
    options.from !== undefined || options.to !== undefined
      ? `, windows overlapping ${options.from ?? asOf}..${options.to ?? asOf}`
      : ""
  }`
  const fail = (message: string, shown: ReadonlyArray<Task.Task>): never => {
    throw new TaskExpectationError(`${message} (${context})\ntasks found:\n${table(shown)}`)
  }
  const related = (m: Match) =>
    found.filter((t) =>
      (m.rule === undefined || t.rule === m.rule) && (m.subject === undefined || t.subjectId === m.subject)
    )
  const self: Expectation = {
    tasks: found,
    toInclude: (m) => {
      if (!found.some((t) => matches(t, m))) {
        const near = related(m)
        fail(`Expected a task matching ${showMatch(m)}, found none`, near.length > 0 ? near : found)
      }
      return self
    },
    toExclude: (m) => {
      const hits = found.filter((t) => matches(t, m))
      if (hits.length > 0) fail(`Expected no task matching ${showMatch(m)}, found ${hits.length}`, hits)
      return self
    },
    toEqual: (expected, where = {}) => {
      const scoped = found.filter((t) => matches(t, where))
      const d = diff(scoped, expected, { exact: true })
      if (d !== undefined) {
        throw new TaskExpectationError(
          `Tasks${Object.keys(where).length > 0 ? ` matching ${showMatch(where)}` : ""} differ (${context}):\n${d}`
        )
      }
      return self
    },
    toHaveStates: (rule, subject, states) => {
      const mine = found.filter((t) => t.rule === rule && t.subjectId === subject)
      const actual: Record<string, string> = {}
      for (const t of mine) actual[t.due] = t.state
      const keys = [...new Set([...Object.keys(states), ...Object.keys(actual)])].sort()
      const wrong = keys.filter((k) => actual[k] !== states[k])
      if (wrong.length > 0) {
        const rows = keys.map((k) =>
          `  ${k}  expected ${(states[k] ?? "(no task)").padEnd(10)} got ${actual[k] ?? "(no task)"}${
            wrong.includes(k) ? "   ✗" : ""
          }`
        )
        throw new TaskExpectationError(`States of ${rule} for ${subject} differ (${context}):\n${rows.join("\n")}`)
      }
      return self
    },
    where: (m) => found.filter((t) => matches(t, m))
  }
  return self
}
