/**
 * The conformance suite of the `TaskState` port: every implementation (the one computed from
 * the store, `@minqing/adapter-sqlite`'s kept task rows, yours) runs these cases and must
 * give exactly what the core's engines give on the facts `Store.load` returns — worklists
 * equal to `Worklist.make`, task lists equal to `Engine.evaluate` in the same order — over a
 * generated scenario, on several dates, after writes of every kind, after a pack override,
 * and with the same refusals for places and liaisons outside the actor's scope.
 *
 * Each case is an `Effect` needing `Store`, `TaskState` and `Deployment` (with the default
 * zone, Asia/Shanghai), run on a fresh, empty store where Effect's test services are
 * provided (`it.effect` of `@effect/vitest`); it fails with a readable `AssertionFailed`.
 *
 * @example
 * ```ts
 * import { it } from "@effect/vitest"
 * import { Deployment, MemoryStore } from "@minqing/core"
 * import { TaskStateSuite } from "@minqing/core/testing"
 * import { Effect, Layer } from "effect"
 *
 * const fresh = () => MemoryStore.layerMemory.pipe(Layer.provideMerge(Deployment.layer()))
 *
 * for (const c of TaskStateSuite.cases) {
 *   it.effect(c.name, () => c.test.pipe(Effect.provide(fresh())))
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Access from "../Access.js"
import * as BuiltInRules from "../BuiltInRules.js"
import { Deployment } from "../Deployment.js"
import * as Engine from "../Engine.js"
import * as Fact from "../Fact.js"
import type { LiaisonId, PlaceId } from "../Ids.js"
import * as LocalDate from "../LocalDate.js"
import type { RulePack } from "../RulePack.js"
import * as RulePackModule from "../RulePack.js"
import * as Store from "../Store.js"
import * as TaskState from "../TaskState.js"
import * as Worklist from "../Worklist.js"
import * as WriteCheck from "../WriteCheck.js"
import * as A from "./Assertions.js"
import * as Scenario from "./Scenario.js"

/**
 * One case of the suite.
 *
 * @since 0.1.0
 * @category models
 */
export interface Case {
  readonly name: string
  readonly test: Effect.Effect<void, unknown, Store.Store | TaskState.TaskState | Deployment>
}

type R = Store.Store | TaskState.TaskState | Deployment

/**
 * The scenario the cases write: two villages of three grids of six households, three weeks
 * of visits, arrivals, matters and campaigns.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const scenario: Scenario.Options = {
  villagesPerSubdistrict: 2,
  gridsPerVillage: 3,
  householdsPerGrid: 6,
  historyDays: 21,
  seed: 5
}

const decodeFact = Schema.decodeUnknownSync(Fact.Fact)

/** A fact with some encoded fields changed (decoded, so it is valid). */
const remake = <F extends Fact.Fact>(
  fact: F,
  changes: Record<string, unknown>,
  drop: ReadonlyArray<string> = []
): F => {
  const encoded = { ...(WriteCheck.encode(fact) as Record<string, unknown>), ...changes }
  for (const key of drop) delete encoded[key]
  return decodeFact(encoded) as F
}

interface World {
  readonly s: Scenario.Scenario
  readonly admin: Access.Actor
  readonly today: LocalDate.LocalDate
  readonly liaisons: ReadonlyArray<
    { readonly liaisonId: LiaisonId; readonly gridId: PlaceId; readonly actor: Access.Actor }
  >
  readonly at: (date: LocalDate.LocalDate, hour: number) => DateTime.Utc
}

const write = (actor: Access.Actor, facts: ReadonlyArray<Fact.Fact>) =>
  Effect.flatMap(Store.Store, (store) => store.write(actor, facts))

/** Writes the scenario with the clock an hour after the end of its last day. */
const setup: Effect.Effect<World, unknown, R> = Effect.gen(function*() {
  const { zone } = yield* Deployment
  const s = Scenario.make(scenario)
  yield* TestClock.setTime(zone.endOf(s.today) + 3_600_000)
  const admin = Access.system([s.rootId])
  const all = Fact.toArray(s.facts)
  for (let i = 0; i < all.length; i += 500) yield* write(admin, all.slice(i, i + 500))
  const liaisons = s.gridIds.flatMap((gridId) => {
    const liaisonId = s.liaisonOf.get(gridId)
    return liaisonId === undefined
      ? []
      : [{
        liaisonId,
        gridId,
        actor: new Access.Actor({ id: liaisonId, role: "liaison", scope: [gridId] }, { disableValidation: true })
      }]
  })
  return {
    s,
    admin,
    today: s.today,
    liaisons,
    at: (date, hour) => DateTime.unsafeMake(zone.startOf(date) + hour * 3_600_000)
  }
})

const LOOKBACK = TaskState.DEFAULT_LOOKBACK_DAYS

/** What `Worklist.make` gives on the loaded facts: the definition the port must meet. */
const expectedWorklist = (actor: Access.Actor, pack: RulePack, options: TaskState.WorklistOptions) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const { zone } = yield* Deployment
    const facts = yield* store.load(actor, {
      ...(options.placeId === undefined ? {} : { scope: options.placeId }),
      window: { from: LocalDate.addDays(options.date, -LOOKBACK), to: options.date }
    })
    return Worklist.make(pack, facts, { ...options, zone })
  })

/** What `Engine.evaluate` gives on the loaded facts, for the liaison's households if named. */
const expectedTasks = (actor: Access.Actor, pack: RulePack, options: TaskState.TasksOptions) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const { zone } = yield* Deployment
    const facts = yield* store.load(actor, {
      ...(options.placeId === undefined ? {} : { scope: options.placeId }),
      window: { from: LocalDate.addDays(options.from, -LOOKBACK), to: LocalDate.max(options.to, options.asOf) }
    })
    const tasks = Engine.evaluate(pack, facts, { asOf: options.asOf, from: options.from, to: options.to, zone })
    if (options.liaisonId === undefined) return tasks
    const owners = Worklist.owners(facts)
    return tasks.filter((t) => owners.get(t.householdId)?.id === options.liaisonId)
  })

const describeScope = (actor: Access.Actor, options: Worklist.Scope) =>
  `${actor.id}${options.liaisonId === undefined ? "" : ` liaison ${options.liaisonId}`}${
    options.placeId === undefined ? "" : ` place ${options.placeId}`
  }`

const sameWorklist = (actor: Access.Actor, pack: RulePack, options: TaskState.WorklistOptions) =>
  Effect.gen(function*() {
    const state = yield* TaskState.TaskState
    const actual = yield* state.worklist(actor, pack, options)
    const expected = yield* expectedWorklist(actor, pack, options)
    yield* A.equal(actual, expected, `worklist of ${describeScope(actor, options)} on ${options.date}`)
    return actual
  })

const sameTasks = (actor: Access.Actor, pack: RulePack, options: TaskState.TasksOptions) =>
  Effect.gen(function*() {
    const state = yield* TaskState.TaskState
    const actual = yield* state.tasks(actor, pack, options)
    const expected = yield* expectedTasks(actor, pack, options)
    yield* A.equal(
      actual,
      expected,
      `tasks of ${describeScope(actor, options)} over ${options.from}..${options.to} as of ${options.asOf}`
    )
    return actual
  })

/** Every liaison's worklist, the admin's by village and by liaison, on each date. */
const allWorklists = (w: World, pack: RulePack, dates: ReadonlyArray<LocalDate.LocalDate>) =>
  Effect.gen(function*() {
    for (const date of dates) {
      for (const l of w.liaisons) {
        yield* sameWorklist(l.actor, pack, { date, liaisonId: l.liaisonId })
        yield* sameWorklist(l.actor, pack, { date })
      }
      yield* sameWorklist(w.admin, pack, { date })
      yield* sameWorklist(w.admin, pack, { date, placeId: w.s.villageIds[0] })
      yield* sameWorklist(w.admin, pack, { date, liaisonId: w.liaisons[w.liaisons.length - 1].liaisonId })
    }
  })

/** Task lists over ranges with as-of dates before, inside and after them. */
const allTasks = (w: World, pack: RulePack) =>
  Effect.gen(function*() {
    const d = (n: number) => LocalDate.addDays(w.today, n)
    const ranges = [
      { from: d(-6), to: d(0), asOf: d(0) },
      { from: d(-3), to: d(3), asOf: d(-5) },
      { from: d(-10), to: d(-8), asOf: d(5) },
      { from: d(1), to: d(4), asOf: d(0) }
    ]
    const first = w.liaisons[0]
    for (const range of ranges) {
      yield* sameTasks(w.admin, pack, range)
      yield* sameTasks(w.admin, pack, { ...range, placeId: w.s.villageIds[1] })
      yield* sameTasks(w.admin, pack, { ...range, liaisonId: first.liaisonId })
      yield* sameTasks(first.actor, pack, { ...range, liaisonId: first.liaisonId })
    }
  })

const overridden = (): RulePack => {
  const configured = RulePackModule.configure(BuiltInRules.pack, {
    "household-sweep": { params: { cadence: { _tag: "weekdays", days: [1, 3, 5] }, window: { before: 0, after: 2 } } },
    "vaccination-followup": { params: { everyDays: 5 } },
    "publicity-leaflet": false
  })
  if (Either.isLeft(configured)) throw configured.left
  return configured.right
}

const visitId = (n: number) => `conformance-visit-${n}`

const refused = (
  effect: Effect.Effect<unknown, unknown>,
  expected: { readonly kind: "place" | "liaison"; readonly reason: "not-found" | "above-scope" },
  what: string
) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(effect)
    yield* A.isTrue(
      error instanceof TaskState.OutsideScope && error.kind === expected.kind && error.reason === expected.reason,
      `${what}: expected OutsideScope ${expected.kind} ${expected.reason}, got ${A.show(error)}`
    )
  })

/**
 * The cases.
 *
 * @since 0.1.0
 * @category cases
 */
export const cases: ReadonlyArray<Case> = [
  {
    name: "worklists equal Worklist.make on the loaded facts, for every liaison and on several dates",
    test: Effect.gen(function*() {
      const w = yield* setup
      const d = (n: number) => LocalDate.addDays(w.today, n)
      // today, the past, the future, far outside what was read before, and back
      yield* allWorklists(w, BuiltInRules.pack, [d(0), d(-1), d(2), d(-16), d(0)])
    })
  },
  {
    name: "task lists equal Engine.evaluate, in order, for ranges and as-of dates before, inside and after them",
    test: Effect.gen(function*() {
      const w = yield* setup
      yield* allTasks(w, BuiltInRules.pack)
    })
  },
  {
    name: "a recorded visit shows in the next read: its tasks are done and leave the worklist",
    test: Effect.gen(function*() {
      const w = yield* setup
      const l = w.liaisons[0]
      const before = yield* sameWorklist(l.actor, BuiltInRules.pack, { date: w.today, liaisonId: l.liaisonId })
      const stop = before.stops.find((s) => s.tasks.some((t) => t.rule === "household-sweep"))
      if (stop === undefined) return yield* A.fail("the scenario has no open household sweep today")
      const visit = decodeFact({
        _tag: "Visit",
        id: visitId(1),
        householdId: stop.householdId,
        liaisonId: l.liaisonId,
        at: DateTime.formatIso(w.at(w.today, 15)),
        outcome: "contacted",
        observations: []
      })
      yield* write(l.actor, [visit])
      const after = yield* sameWorklist(l.actor, BuiltInRules.pack, { date: w.today, liaisonId: l.liaisonId })
      yield* A.isTrue(
        !after.stops.some((s) =>
          s.householdId === stop.householdId && s.tasks.some((t) => t.rule === "household-sweep")
        ),
        "the visited household's sweep is no longer open"
      )
      const tasks = yield* sameTasks(l.actor, BuiltInRules.pack, { from: w.today, to: w.today, asOf: w.today })
      const sweep = tasks.find((t) => t.rule === "household-sweep" && t.householdId === stop.householdId)
      yield* A.equal([sweep?.state, sweep?.resolvedBy], ["done", visitId(1)], "the sweep's state")
      yield* allWorklists(w, BuiltInRules.pack, [w.today, LocalDate.addDays(w.today, 1)])
    })
  },
  {
    name:
      "writes of every kind are reflected: a household moving grid or leaving, residents, arrivals, matters, campaigns",
    test: Effect.gen(function*() {
      const w = yield* setup
      const { s } = w
      const d = (n: number) => LocalDate.addDays(w.today, n)
      const check = (what: string) =>
        Effect.gen(function*() {
          yield* allWorklists(w, BuiltInRules.pack, [d(0), d(1)])
          yield* sameTasks(w.admin, BuiltInRules.pack, { from: d(-3), to: d(3), asOf: d(0) })
          yield* sameTasks(w.admin, BuiltInRules.pack, { from: d(-3), to: d(3), asOf: d(2) })
        }).pipe(
          Effect.mapError((
            e
          ) => (e instanceof A.AssertionFailed ? new A.AssertionFailed({ message: `after ${what}: ${e.message}` }) : e))
        )
      yield* check("the scenario")

      const [mover, leaver] = s.facts.households.filter((h) => h.gridId === w.liaisons[0].gridId)
      yield* write(w.admin, [remake(mover, { gridId: w.liaisons[1].gridId, routePosition: 999 })])
      yield* check("a household moved to another grid")

      yield* write(w.admin, [remake(leaver, { activeUntil: d(1) })])
      yield* check("a household leaving tomorrow")

      const resident = s.facts.residents.find((r) => r.householdId !== mover.id && r.householdId !== leaver.id)!
      yield* write(w.admin, [
        remake(resident, { eligibility: { _tag: "permanently-contraindicated", reason: "allergy" } }),
        remake(s.facts.residents[s.facts.residents.length - 1], { householdId: mover.id })
      ])
      yield* check("residents changed and moved")

      const arrival = s.facts.arrivals[0]
      if (arrival !== undefined) {
        yield* write(w.admin, [
          remake(arrival, { status: "cancelled" }, ["actualArrival"]),
          remake(arrival, { id: "conformance-arrival", expectedArrival: d(1), status: "expected" }, ["actualArrival"])
        ])
        yield* check("an arrival cancelled and another expected")
      }

      const matter = s.facts.matters[0]
      if (matter !== undefined) {
        yield* write(w.admin, [
          remake(matter, {
            id: "conformance-matter",
            openedAt: DateTime.formatIso(w.at(d(-1), 9)),
            dueBy: d(2),
            status: "open",
            category: "dispute"
          }, ["resolution"])
        ])
        yield* check("a dispute opened")
      }

      yield* write(w.admin, [
        decodeFact({
          _tag: "Campaign",
          id: "conformance-campaign",
          kind: "decoction",
          name: "Conformance round",
          scopeId: s.villageIds[0],
          period: { from: d(-2), to: d(0) },
          posts: []
        })
      ])
      yield* check("a campaign ending today")
    })
  },
  {
    name: "a pack override is evaluated with its own parameters, and the base pack still answers",
    test: Effect.gen(function*() {
      const w = yield* setup
      const other = overridden()
      const l = w.liaisons[2]
      yield* allWorklists(w, other, [w.today])
      yield* allTasks(w, other)
      yield* allWorklists(w, BuiltInRules.pack, [w.today])
      const list = yield* sameWorklist(l.actor, other, { date: w.today, liaisonId: l.liaisonId })
      const stop = list.stops[0]
      if (stop !== undefined) {
        yield* write(l.actor, [
          decodeFact({
            _tag: "Visit",
            id: visitId(2),
            householdId: stop.householdId,
            liaisonId: l.liaisonId,
            at: DateTime.formatIso(w.at(w.today, 16)),
            outcome: "contacted",
            observations: []
          })
        ])
      }
      yield* allWorklists(w, other, [w.today])
      yield* allWorklists(w, BuiltInRules.pack, [w.today])
      yield* sameTasks(w.admin, other, { from: w.today, to: w.today, asOf: w.today })
    })
  },
  {
    name: "places and liaisons outside the actor's scope are refused as the store's scope says",
    test: Effect.gen(function*() {
      const w = yield* setup
      const state = yield* TaskState.TaskState
      const l = w.liaisons[0]
      const other = w.liaisons[1]
      const date = w.today
      const range = { from: date, to: date, asOf: date }
      const pack = BuiltInRules.pack
      yield* refused(
        state.worklist(l.actor, pack, { date, placeId: w.s.villageIds[0] }),
        { kind: "place", reason: "above-scope" },
        "a liaison asking for their village"
      )
      yield* refused(
        state.tasks(l.actor, pack, { ...range, placeId: w.s.rootId }),
        { kind: "place", reason: "above-scope" },
        "a liaison asking for the subdistrict's tasks"
      )
      yield* refused(
        state.worklist(w.admin, pack, { date, placeId: "nowhere" as PlaceId }),
        { kind: "place", reason: "not-found" },
        "an unknown place"
      )
      yield* refused(
        state.worklist(l.actor, pack, { date, placeId: other.gridId }),
        { kind: "place", reason: "not-found" },
        "a grid outside the actor's scope"
      )
      yield* refused(
        state.worklist(l.actor, pack, { date, liaisonId: other.liaisonId }),
        { kind: "liaison", reason: "not-found" },
        "another grid's liaison"
      )
      yield* refused(
        state.tasks(w.admin, pack, { ...range, liaisonId: "nobody" as LiaisonId }),
        { kind: "liaison", reason: "not-found" },
        "an unknown liaison"
      )
      yield* refused(
        state.worklist(w.admin, pack, { date, placeId: w.s.villageIds[0], liaisonId: w.liaisons[5].liaisonId }),
        { kind: "liaison", reason: "not-found" },
        "a liaison outside the named place"
      )
      // inside the scope, a place or a liaison is answered
      yield* sameWorklist(l.actor, pack, { date, placeId: l.gridId, liaisonId: l.liaisonId })
      yield* sameWorklist(w.admin, pack, { date, placeId: w.s.villageIds[1], liaisonId: w.liaisons[5].liaisonId })
    })
  }
]
