/**
 * Worklists: a liaison's (or any place's) open tasks for a date, grouped by household so one
 * door-knock resolves several, and ordered for the walk: higher priority first, then
 * households with overdue work, then route position (east → west, `routePosition`
 * ascending).
 *
 * @example
 * ```ts
 * import { BuiltInRules, Fact, Ids, LocalDate, Worklist } from "@minqing/core"
 *
 * declare const facts: Fact.Facts
 * const list = Worklist.make(BuiltInRules.pack, facts, {
 *   date: LocalDate.make("2021-05-10"),
 *   liaisonId: Ids.LiaisonId.make("l-01")
 * })
 * for (const stop of list.stops) {
 *   console.log(stop.address, stop.tasks.map((t) => t.rule).join(", "))
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as Engine from "./Engine.js"
import type * as Fact from "./Fact.js"
import type { Household } from "./Household.js"
import type { HouseholdId, LiaisonId, PlaceId } from "./Ids.js"
import type { Liaison } from "./Liaison.js"
import type * as LocalDate from "./LocalDate.js"
import * as Place from "./Place.js"
import type { RulePack } from "./RulePack.js"
import * as Task from "./Task.js"
import type * as TimeZone from "./TimeZone.js"

/**
 * One household on the walk, with its open tasks in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stop {
  readonly householdId: HouseholdId
  readonly address: string
  readonly routePosition: number
  readonly gridId: PlaceId | undefined
  /** The highest priority among the tasks. */
  readonly priority: Task.Priority
  /** Whether any task is overdue. */
  readonly overdue: boolean
  readonly tasks: ReadonlyArray<Task.Task>
}

/**
 * A worklist: the date, the scope (a liaison, a place, or everything) and the stops in walking
 * order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Worklist {
  readonly date: LocalDate.LocalDate
  readonly liaisonId: LiaisonId | undefined
  readonly placeId: PlaceId | undefined
  readonly stops: ReadonlyArray<Stop>
  /** The number of open tasks over all stops. */
  readonly tasks: number
}

/**
 * Whose is a worklist: a liaison (the households in the grids they own), a place (its
 * subtree), or, with neither, every household.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scope {
  readonly liaisonId?: LiaisonId | undefined
  readonly placeId?: PlaceId | undefined
}

/**
 * Which liaison owns each household: the active liaison owning the household's grid (or a
 * place above it, when a deployment adds levels under grids). When several do, the one with
 * the smallest id.
 *
 * @since 0.1.0
 * @category getters
 */
export const owners = (
  facts: Pick<Fact.Facts, "households" | "liaisons" | "places">
): ReadonlyMap<HouseholdId, Liaison> => {
  const tree = Place.tree(facts.places)
  const byPlace = new Map<PlaceId, Liaison>()
  for (const l of facts.liaisons) {
    if (!l.active) continue
    for (const g of l.gridIds) {
      const current = byPlace.get(g)
      if (current === undefined || l.id < current.id) byPlace.set(g, l)
    }
  }
  const byGrid = new Map<PlaceId, Liaison | undefined>()
  const out = new Map<HouseholdId, Liaison>()
  for (const h of facts.households) {
    let owner: Liaison | undefined
    if (byGrid.has(h.gridId)) owner = byGrid.get(h.gridId)
    else {
      const ancestry = tree.ancestry(h.gridId)
      for (const id of ancestry.length > 0 ? ancestry : [h.gridId]) {
        owner = byPlace.get(id)
        if (owner !== undefined) break
      }
      byGrid.set(h.gridId, owner)
    }
    if (owner !== undefined) out.set(h.id, owner)
  }
  return out
}

const inScope = (
  facts: Pick<Fact.Facts, "households" | "liaisons" | "places">,
  scope: Scope
): ReadonlyMap<HouseholdId, Household> => {
  const out = new Map<HouseholdId, Household>()
  if (scope.liaisonId !== undefined) {
    const own = owners(facts)
    for (const h of facts.households) if (own.get(h.id)?.id === scope.liaisonId) out.set(h.id, h)
  } else if (scope.placeId !== undefined) {
    const tree = Place.tree(facts.places)
    for (const h of facts.households) {
      if (h.gridId === scope.placeId || tree.isWithin(h.gridId, scope.placeId)) out.set(h.id, h)
    }
  } else {
    for (const h of facts.households) out.set(h.id, h)
  }
  return out
}

/**
 * A worklist from tasks already evaluated as of `date`: the open ones (due or overdue) of the
 * households in scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTasks = (
  tasks: Iterable<Task.Task>,
  facts: Pick<Fact.Facts, "households" | "liaisons" | "places">,
  options: Scope & { readonly date: LocalDate.LocalDate }
): Worklist => {
  const households = inScope(facts, options)
  const groups = new Map<HouseholdId, Array<Task.Task>>()
  let count = 0
  for (const t of tasks) {
    if (!Task.isOpen(t) || !households.has(t.householdId)) continue
    let list = groups.get(t.householdId)
    if (list === undefined) groups.set(t.householdId, list = [])
    list.push(t)
    count++
  }
  const stops: Array<Stop> = []
  for (const [id, list] of groups) {
    const h = households.get(id)!
    list.sort(Task.Order)
    let rank = 0
    let overdue = false
    for (const t of list) {
      rank = Math.max(rank, Task.priorityRank(t.priority))
      overdue ||= t.state === "overdue"
    }
    stops.push({
      householdId: id,
      address: h.address,
      routePosition: h.routePosition,
      gridId: h.gridId,
      priority: rank === 2 ? "high" : rank === 1 ? "normal" : "low",
      overdue,
      tasks: list
    })
  }
  stops.sort((a, b) =>
    Task.priorityRank(b.priority) - Task.priorityRank(a.priority) ||
    (a.overdue === b.overdue ? 0 : a.overdue ? -1 : 1) ||
    a.routePosition - b.routePosition ||
    (a.householdId < b.householdId ? -1 : a.householdId > b.householdId ? 1 : 0)
  )
  return { date: options.date, liaisonId: options.liaisonId, placeId: options.placeId, stops, tasks: count }
}

/**
 * Evaluates the pack for `date` and builds the worklist.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  pack: RulePack,
  facts: Fact.Facts,
  options: Scope & {
    readonly date: LocalDate.LocalDate
    readonly zone?: TimeZone.TimeZone | string | undefined
  }
): Worklist =>
  fromTasks(
    Engine.evaluate(pack, facts, { asOf: options.date, from: options.date, to: options.date, zone: options.zone }),
    facts,
    options
  )

/**
 * The worklist from an engine evaluated as of `date` over a range containing it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEngine = (
  engine: Engine.Engine,
  facts: Pick<Fact.Facts, "households" | "liaisons" | "places">,
  scope: Scope = {}
): Worklist => fromTasks(Engine.tasks(engine), facts, { ...scope, date: engine.asOf })

/**
 * The worklist as text, one line per household then one per task, for logs and printouts.
 *
 * @since 0.1.0
 * @category getters
 */
export const format = (worklist: Worklist): string => {
  const lines = [`Worklist ${worklist.date}: ${worklist.stops.length} households, ${worklist.tasks} tasks`]
  for (const s of worklist.stops) {
    lines.push(`- #${s.routePosition} ${s.address} (${s.householdId}) ${s.priority}${s.overdue ? ", overdue" : ""}`)
    for (const t of s.tasks) lines.push(`    ${t.rule} ${t.subjectId} ${t.state} (due ${t.due})`)
  }
  return lines.join("\n")
}
