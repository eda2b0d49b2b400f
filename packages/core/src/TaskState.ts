/**
 * Task state: the port that answers "what are this liaison's tasks today" and "which tasks,
 * in which state, for these dates", so a storage adapter can keep the answer instead of
 * recomputing it from every fact on every request.
 *
 * Every implementation gives exactly what the core's engines give on the facts `Store.load`
 * returns for the same actor and scope: `worklist` is `Worklist.make`, `tasks` is
 * `Engine.evaluate` (filtered to a liaison's households when one is named), in the same
 * order. The conformance suite `TaskStateSuite` in `@minqing/core/testing` proves it for any
 * implementation, across writes, dates and pack overrides.
 *
 * - `layerMemory` (also provided by `MemoryStore.layerMemory`) keeps nothing: each call loads
 *   the scope through the `Store` (visits from `lookbackDays` before the first date) and
 *   evaluates the pack.
 * - `@minqing/adapter-sqlite` keeps task rows in the database, re-evaluating only the
 *   households a write touched; its `SqliteStore.layer` provides it.
 *
 * For adapters that keep tasks, this module also has the pure pieces: a pack's
 * {@link fingerprint} (what the stored rows were computed with), {@link schedule} and
 * {@link resolve} (a household's tasks over a range of dates, with what their state depends
 * on), and {@link at} (a stored entry's task as of any date).
 *
 * @example
 * ```ts
 * import { Access, BuiltInRules, Ids, LocalDate, TaskState } from "@minqing/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const state = yield* TaskState.TaskState
 *   const actor = Access.system([Ids.PlaceId.make("daiwang")])
 *   const list = yield* state.worklist(actor, BuiltInRules.pack, {
 *     date: LocalDate.make("2021-05-14"),
 *     liaisonId: Ids.LiaisonId.make("l-01")
 *   })
 *   return list.stops.length
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { Actor } from "./Access.js"
import { Deployment, type Settings } from "./Deployment.js"
import * as Engine from "./Engine.js"
import type * as Fact from "./Fact.js"
import type { HouseholdId, PlaceId, VisitId } from "./Ids.js"
import * as LocalDate from "./LocalDate.js"
import * as Place from "./Place.js"
import type { StoreError } from "./Problem.js"
import * as Rule from "./Rule.js"
import type { RulePack } from "./RulePack.js"
import * as Store from "./Store.js"
import * as Task from "./Task.js"
import type * as TimeZone from "./TimeZone.js"
import * as Worklist from "./Worklist.js"

// ---------------------------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------------------------

/**
 * The place or liaison a request names is not within the actor's scope: it does not exist
 * there (`not-found`), or the place lies above the actor's subtrees (`above-scope`).
 *
 * @since 0.1.0
 * @category errors
 */
export class OutsideScope extends Schema.TaggedError<OutsideScope>()("OutsideScope", {
  kind: Schema.Literal("place", "liaison"),
  id: Schema.String,
  reason: Schema.Literal("not-found", "above-scope")
}) {
  override get message(): string {
    return this.reason === "not-found"
      ? `No ${this.kind} "${this.id}" within your scope.`
      : `Place "${this.id}" is above your scope; ask for a place within it.`
  }
}

/**
 * A worklist request: the date and whose list (a liaison, a place's subtree, or, with
 * neither, the actor's whole scope). `lookbackDays` bounds how many days of visits before the
 * date an implementation that recomputes must read (default 90); one that keeps tasks reads
 * every visit inside each task's window and may ignore it.
 *
 * @since 0.1.0
 * @category models
 */
export interface WorklistOptions extends Worklist.Scope {
  readonly date: LocalDate.LocalDate
  readonly lookbackDays?: number | undefined
}

/**
 * A tasks request: tasks whose windows overlap `[from, to]`, with states as of `asOf`,
 * of a liaison's households, a place's subtree, or the actor's whole scope.
 *
 * @since 0.1.0
 * @category models
 */
export interface TasksOptions extends Worklist.Scope {
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
  readonly asOf: LocalDate.LocalDate
  readonly lookbackDays?: number | undefined
}

/**
 * The port.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /** `Worklist.make(pack, facts, options)` on the facts of the scope, the zone's dates. */
  readonly worklist: (
    actor: Actor,
    pack: RulePack,
    options: WorklistOptions
  ) => Effect.Effect<Worklist.Worklist, OutsideScope | StoreError>
  /**
   * `Engine.evaluate(pack, facts, { from, to, asOf })` on the facts of the scope, keeping
   * the tasks of the liaison's households when a liaison is named.
   */
  readonly tasks: (
    actor: Actor,
    pack: RulePack,
    options: TasksOptions
  ) => Effect.Effect<ReadonlyArray<Task.Task>, OutsideScope | StoreError>
}

/**
 * The port's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class TaskState extends Context.Tag("@minqing/core/TaskState")<TaskState, Shape>() {}

/**
 * Days of visits before the first date that the recomputing implementation reads when a
 * request does not say (the HTTP server's default too).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_LOOKBACK_DAYS = 90

// ---------------------------------------------------------------------------------------------
// Recomputing from the store
// ---------------------------------------------------------------------------------------------

/**
 * Checks a request's place and liaison against the facts loaded for it, as the HTTP server
 * always has: a place missing from the loaded tree is not found, one that no root of the
 * actor contains is above the scope; a liaison not among the loaded ones is not found.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkScope = (
  actor: Actor,
  facts: Pick<Fact.Facts, "places" | "liaisons">,
  scope: Worklist.Scope
): Effect.Effect<void, OutsideScope> => {
  const { liaisonId, placeId } = scope
  if (placeId !== undefined) {
    const tree = Place.tree(facts.places)
    if (tree.get(placeId) === undefined) {
      return Effect.fail(new OutsideScope({ kind: "place", id: placeId, reason: "not-found" }))
    }
    if (!actor.scope.some((root) => tree.isWithin(placeId, root))) {
      return Effect.fail(new OutsideScope({ kind: "place", id: placeId, reason: "above-scope" }))
    }
  }
  if (liaisonId !== undefined && !facts.liaisons.some((l) => l.id === liaisonId)) {
    return Effect.fail(new OutsideScope({ kind: "liaison", id: liaisonId, reason: "not-found" }))
  }
  return Effect.void
}

/**
 * The port computed from a store on every call: loads the scope (visits from `lookbackDays`
 * before the first date), checks the request's place and liaison, and runs the engines.
 * Nothing is kept between calls.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStore = (store: Store.Shape, settings: Pick<Settings, "zone">): Shape => {
  const { zone } = settings
  const scoped = (scope: PlaceId | undefined) => (scope === undefined ? {} : { scope })
  return {
    worklist: (actor, pack, options) =>
      Effect.gen(function*() {
        const lookback = options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS
        const facts = yield* store.load(actor, {
          ...scoped(options.placeId),
          window: { from: LocalDate.addDays(options.date, -lookback), to: options.date }
        })
        yield* checkScope(actor, facts, options)
        return Worklist.make(pack, facts, {
          date: options.date,
          zone,
          ...(options.liaisonId === undefined ? {} : { liaisonId: options.liaisonId }),
          ...(options.placeId === undefined ? {} : { placeId: options.placeId })
        })
      }),
    tasks: (actor, pack, options) =>
      Effect.gen(function*() {
        const lookback = options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS
        const facts = yield* store.load(actor, {
          ...scoped(options.placeId),
          window: {
            from: LocalDate.addDays(options.from, -lookback),
            to: LocalDate.max(options.to, options.asOf)
          }
        })
        yield* checkScope(actor, facts, options)
        const tasks = Engine.evaluate(pack, facts, { asOf: options.asOf, from: options.from, to: options.to, zone })
        const { liaisonId } = options
        if (liaisonId === undefined) return tasks
        const owners = Worklist.owners(facts)
        return tasks.filter((t) => owners.get(t.householdId)?.id === liaisonId)
      })
  }
}

/**
 * The port computed from the `Store` in context on every call (see {@link fromStore}).
 * `MemoryStore.layerMemory` provides it with the store.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TaskState, never, Store.Store | Deployment> = Layer.effect(
  TaskState,
  Effect.map(Effect.all([Store.Store, Deployment]), ([store, settings]) => fromStore(store, settings))
)

// ---------------------------------------------------------------------------------------------
// Keeping tasks: the pure pieces
// ---------------------------------------------------------------------------------------------

/**
 * What a pack's tasks depend on besides the facts, as text: each rule's id, version,
 * subject kind and parameters (encoded), in order. Two packs with the same fingerprint give
 * the same tasks, so stored tasks are keyed by it: overriding a parameter, adding, removing
 * or reordering rules changes it. A rule whose logic changes must get a new `version`.
 *
 * @since 0.1.0
 * @category getters
 */
export const fingerprint = (pack: RulePack): string => {
  let cached = fingerprints.get(pack)
  if (cached === undefined) {
    cached = JSON.stringify(pack.rules.map((r) => [r.id, r.version, r.subject.kind, Rule.encodedParams(r)]))
    fingerprints.set(pack, cached)
  }
  return cached
}

const fingerprints = new WeakMap<RulePack, string>()

/**
 * A task without what depends on the as-of date: its state and its resolution.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Template = Task.Task.pipe(Schema.omit("state", "resolvedBy", "resolvedOn")).annotations({
  identifier: "TaskTemplate"
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Template extends Schema.Schema.Type<typeof Template> {}

/**
 * A task as an adapter keeps it: the template, the first visit inside its window that
 * resolves it (whatever the as-of date), from when it is cancelled if unresolved
 * (`"always"`: its subject was cancelled; a date: the day after its subject stopped
 * applying; absent: never), and its position among its household's tasks in the engine's
 * order. {@link at} gives the task as of any date.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly task: Template
  readonly resolvedBy: VisitId | undefined
  readonly resolvedOn: LocalDate.LocalDate | undefined
  readonly cancelled: "always" | LocalDate.LocalDate | undefined
  readonly ordinal: number
}

/**
 * The state of a kept task as of a date: done once its resolving visit's day has come;
 * otherwise cancelled from its cancellation date; otherwise upcoming, due, overdue or missed
 * by its window (see `Task`).
 *
 * @since 0.1.0
 * @category getters
 */
export const stateAt = (entry: Entry, asOf: LocalDate.LocalDate): Task.State => {
  if (entry.resolvedOn !== undefined && entry.resolvedOn <= asOf) return "done"
  if (entry.cancelled === "always" || (entry.cancelled !== undefined && entry.cancelled <= asOf)) return "cancelled"
  const { due, window } = entry.task
  return asOf < window.from ? "upcoming" : asOf <= due ? "due" : asOf <= window.to ? "overdue" : "missed"
}

/**
 * A kept task as of a date: exactly the task `Engine.evaluate` gives with that `asOf`.
 *
 * @since 0.1.0
 * @category getters
 */
export const at = (entry: Entry, asOf: LocalDate.LocalDate): Task.Task => {
  const t = entry.task
  const state = stateAt(entry, asOf)
  return state === "done"
    ? {
      id: t.id,
      rule: t.rule,
      subjectKind: t.subjectKind,
      subjectId: t.subjectId,
      householdId: t.householdId,
      due: t.due,
      window: t.window,
      priority: t.priority,
      state,
      resolvedBy: entry.resolvedBy!,
      resolvedOn: entry.resolvedOn!,
      explanation: t.explanation
    }
    : {
      id: t.id,
      rule: t.rule,
      subjectKind: t.subjectKind,
      subjectId: t.subjectId,
      householdId: t.householdId,
      due: t.due,
      window: t.window,
      priority: t.priority,
      state,
      explanation: t.explanation
    }
}

/**
 * The range of dates to keep tasks for, and the zone of the deployment.
 *
 * @since 0.1.0
 * @category models
 */
export interface Range {
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
  readonly zone: TimeZone.TimeZone | string
}

/**
 * The tasks of some households over a range, before looking at visits: every entry
 * unresolved, and the span of local dates whose visits can resolve one (absent when there
 * are no tasks).
 *
 * @since 0.1.0
 * @category models
 */
export interface Schedule {
  readonly entries: ReadonlyArray<Entry>
  readonly visits: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate } | undefined
}

// Late enough that every window of a task overlapping the range has closed (windows reach at
// most 366 days either side of a due date).
const FAR_DAYS = 800

const withoutVisits = (facts: Fact.Facts): Fact.Facts => (facts.visits.length === 0 ? facts : { ...facts, visits: [] })

const onlyHouseholds = (facts: Fact.Facts, ids: ReadonlySet<string>): Fact.Facts => ({
  places: facts.places,
  liaisons: facts.liaisons,
  campaigns: facts.campaigns,
  households: facts.households.filter((h) => ids.has(h.id)),
  residents: facts.residents.filter((r) => ids.has(r.householdId)),
  arrivals: facts.arrivals.filter((a) => ids.has(a.householdId)),
  matters: facts.matters.filter((m) => ids.has(m.householdId)),
  visits: []
})

const template = (t: Task.Task): Template => ({
  id: t.id,
  rule: t.rule,
  subjectKind: t.subjectKind,
  subjectId: t.subjectId,
  householdId: t.householdId,
  due: t.due,
  window: t.window,
  priority: t.priority,
  explanation: t.explanation
})

/**
 * The tasks of the households in `facts` whose windows overlap the range, with when each is
 * cancelled if unresolved; visits in `facts` are ignored (they never decide whether a rule
 * applies). Uses only the engine: tasks and their order come from one evaluation, and the
 * day a subject stopped applying is read off evaluations as of the days in question.
 *
 * @since 0.1.0
 * @category keeping tasks
 */
export const schedule = (pack: RulePack, facts: Fact.Facts, range: Range): Schedule => {
  const bare = withoutVisits(facts)
  const dates = { from: range.from, to: range.to }
  const engine = Engine.make(pack, bare, { ...dates, asOf: LocalDate.addDays(range.to, FAR_DAYS), zone: range.zone })
  const tasks = Engine.tasks(engine)
  if (tasks.length === 0) return { entries: [], visits: undefined }

  // Unresolved forever, a task ends cancelled when its subject was cancelled or stopped
  // applying inside its window. All occurrences of a subject share that day: find it once.
  const subjectOf = (t: Task.Task) => `${t.rule}\u0000${t.subjectId}`
  const probes = new Map<string, Task.Task>()
  for (const t of tasks) {
    if (t.state === "cancelled" && !probes.has(subjectOf(t))) probes.set(subjectOf(t), t)
  }
  const stops = new Map<string, "always" | LocalDate.LocalDate>()
  if (probes.size > 0) {
    const households = new Set([...probes.values()].map((t) => t.householdId))
    const sub = Engine.make(pack, onlyHouseholds(bare, households), { ...dates, asOf: range.from, zone: range.zone })
    // Cancelled the day before its window opens: cancelled outright. Otherwise the first day
    // after the window opens on which it is cancelled (the subject stopped the day before).
    const wanted = new Map<LocalDate.LocalDate, Array<string>>()
    const want = (date: LocalDate.LocalDate, key: string) => {
      const list = wanted.get(date)
      if (list === undefined) wanted.set(date, [key])
      else list.push(key)
    }
    for (const [key, t] of probes) {
      want(LocalDate.addDays(t.window.from, -1), key)
      for (let d = LocalDate.addDays(t.window.from, 1); d <= t.window.to; d = LocalDate.addDays(d, 1)) want(d, key)
    }
    const firstDay = new Map<string, LocalDate.LocalDate>()
    for (const date of [...wanted.keys()].sort()) {
      const keys = wanted.get(date)!.filter((k) => !stops.has(k) && !firstDay.has(k))
      if (keys.length === 0) continue
      Engine.moveTo(sub, { ...dates, asOf: date })
      const byId = new Map(Engine.tasks(sub).map((t) => [t.id, t]))
      for (const key of keys) {
        const probe = probes.get(key)!
        if (byId.get(probe.id)?.state !== "cancelled") continue
        if (date < probe.window.from) stops.set(key, "always")
        else firstDay.set(key, date)
      }
    }
    for (const [key, date] of firstDay) if (!stops.has(key)) stops.set(key, date)
  }

  const entries: Array<Entry> = []
  const ordinals = new Map<HouseholdId, number>()
  let from = tasks[0].window.from
  let to = tasks[0].window.to
  for (const t of tasks) {
    const ordinal = ordinals.get(t.householdId) ?? 0
    ordinals.set(t.householdId, ordinal + 1)
    if (t.window.from < from) from = t.window.from
    if (t.window.to > to) to = t.window.to
    entries.push({
      task: template(t),
      resolvedBy: undefined,
      resolvedOn: undefined,
      cancelled: t.state === "cancelled" ? stops.get(subjectOf(t)) ?? "always" : undefined,
      ordinal
    })
  }
  return { entries, visits: { from, to } }
}

/**
 * Resolves a schedule with visits: each entry gets the first visit inside its window that
 * resolves it. `facts` are the ones the schedule was made from, with the visits of its
 * `visits` span (more do no harm).
 *
 * @since 0.1.0
 * @category keeping tasks
 */
export const resolve = (
  pack: RulePack,
  facts: Fact.Facts,
  range: Range,
  scheduled: Schedule
): ReadonlyArray<Entry> => {
  if (scheduled.entries.length === 0 || facts.visits.length === 0) return scheduled.entries
  const tasks = Engine.evaluate(pack, facts, {
    from: range.from,
    to: range.to,
    asOf: LocalDate.addDays(range.to, FAR_DAYS),
    zone: range.zone
  })
  const resolved = new Map<string, Task.Task>()
  for (const t of tasks) if (t.resolvedBy !== undefined) resolved.set(t.id, t)
  if (resolved.size === 0) return scheduled.entries
  return scheduled.entries.map((e) => {
    const t = resolved.get(e.task.id)
    return t === undefined ? e : { ...e, resolvedBy: t.resolvedBy, resolvedOn: t.resolvedOn }
  })
}

/**
 * {@link schedule} then {@link resolve} with the visits in `facts`.
 *
 * @example
 * ```ts
 * import { BuiltInRules, Engine, Fact, LocalDate, TaskState } from "@minqing/core"
 *
 * declare const facts: Fact.Facts
 * const from = LocalDate.make("2021-05-08")
 * const to = LocalDate.make("2021-05-21")
 * const kept = TaskState.materialise(BuiltInRules.pack, facts, { from, to, zone: "Asia/Shanghai" })
 *
 * // any as-of date gives what the engine gives
 * const asOf = LocalDate.make("2021-05-14")
 * kept.map((e) => TaskState.at(e, asOf))
 * // ≡ Engine.evaluate(BuiltInRules.pack, facts, { from, to, asOf, zone: "Asia/Shanghai" })
 * ```
 *
 * @since 0.1.0
 * @category keeping tasks
 */
export const materialise = (pack: RulePack, facts: Fact.Facts, range: Range): ReadonlyArray<Entry> =>
  resolve(pack, facts, range, schedule(pack, facts, range))

/**
 * Whether a kept task's window overlaps a range of dates (whether `Engine.evaluate` over that
 * range lists it).
 *
 * @since 0.1.0
 * @category predicates
 */
export const overlaps = (
  entry: Entry,
  range: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
): boolean => entry.task.window.from <= range.to && entry.task.window.to >= range.from

/**
 * The tasks of kept entries as `Engine.evaluate` lists them: those overlapping the range, as
 * of a date, households by id, each household's in the engine's order.
 *
 * @since 0.1.0
 * @category keeping tasks
 */
export const tasksOf = (
  entries: Iterable<Entry>,
  options: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate; readonly asOf: LocalDate.LocalDate }
): Array<Task.Task> => {
  const kept = [...entries].filter((e) => overlaps(e, options))
  kept.sort((a, b) =>
    a.task.householdId < b.task.householdId ? -1 : a.task.householdId > b.task.householdId ? 1 : a.ordinal - b.ordinal
  )
  return kept.map((e) => at(e, options.asOf))
}
