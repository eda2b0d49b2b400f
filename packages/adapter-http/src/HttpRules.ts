/**
 * Handlers of the rules endpoints: the effective pack and its parameters (overrides by the
 * subdistrict administrator), tasks with explanations, worklists and the workload
 * forecast. Worklists and tasks come from the core's `TaskState` port (kept by the SQLite
 * adapter, recomputed from the store in memory) within the caller's scope; the forecast
 * loads facts through `Store.load` and runs the core's pure engines.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import {
  Accounts,
  Deployment,
  Forecast,
  type Ids,
  LocalDate,
  Problem,
  Rule,
  RulePack,
  TaskState,
  type Worklist
} from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Analytics from "./Analytics.js"
import { Api, RulePackView, RuleView, type WorklistView } from "./Api.js"
import { NotFound } from "./ApiError.js"
import { Session, type SessionShape } from "./Auth.js"
import { requireAdmin } from "./HttpAccounts.js"
import { forbidden, invalid, serverError } from "./internal/errors.js"
import { checkSpan, load } from "./internal/scoped.js"
import * as Masking from "./Masking.js"

const ruleView = (base: RulePack.RulePack, effective: RulePack.RulePack, overrides: Analytics.Overrides) =>
(
  rule: Rule.Any
): RuleView => {
  const running = RulePack.get(effective, rule.id)
  return new RuleView({
    id: rule.id,
    version: (running ?? rule).version,
    title: rule.title,
    description: rule.description,
    subject: rule.subject.kind,
    enabled: running !== undefined,
    overridden: Object.prototype.hasOwnProperty.call(overrides, rule.id),
    params: Rule.encodedParams(running ?? rule),
    defaults: Rule.encodedParams(RulePack.get(base, rule.id) ?? rule)
  })
}

const OverrideEntry = Schema.Struct({
  enabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
  params: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { exact: true })
})

// A stored override as an object (`false` is the short form of `{ enabled: false }`).
const overrideOf = (stored: unknown): typeof OverrideEntry.Type =>
  stored === false
    ? { enabled: false }
    : Either.getOrElse(Schema.decodeUnknownEither(OverrideEntry)(stored), () => ({}))

const current = Effect.gen(function*() {
  const analytics = yield* Analytics.Analytics
  const { overrides, pack } = yield* Analytics.effectivePack(analytics).pipe(Effect.catchAll(serverError))
  return { analytics, pack, overrides }
})

const findRule = (base: RulePack.RulePack, id: string) => {
  const rule = RulePack.get(base, id)
  return rule === undefined
    ? Effect.fail(
      new NotFound({
        message: `No rule "${id}" in the pack "${base.name}"; it has: ${RulePack.ids(base).join(", ")}.`,
        kind: "rule",
        id
      })
    )
    : Effect.succeed(rule)
}

const liaisonOf = (session: SessionShape, requested: Ids.LiaisonId | undefined): Ids.LiaisonId | undefined =>
  requested ?? (session.actor.role === "liaison" ? session.account.liaisonId : undefined)

// The port's refusal as the API's: an unknown place or liaison is a 404, a place above the
// caller's scope a 403.
const outsideScope = (session: SessionShape, error: TaskState.OutsideScope) =>
  error.reason === "not-found"
    ? Effect.fail(new NotFound({ message: error.message, kind: error.kind, id: error.id }))
    : Effect.fail(forbidden(session.actor, `Place "${error.id}" is above your scope; ask for a place within it`))

type Defined<A> =
  & { readonly [K in keyof A as undefined extends A[K] ? never : K]: A[K] }
  & { readonly [K in keyof A as undefined extends A[K] ? K : never]?: Exclude<A[K], undefined> }

// The engines' results spell absent fields as `undefined`; the views leave them out.
const dropUndefined = <A extends object>(a: A): Defined<A> =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Defined<A>

/**
 * A worklist as the JSON body `WorklistView` encodes it to: the same fields in the same order,
 * absent ones left out. Tasks and explanations are the core's objects, already in their
 * encoded form.
 */
const worklistBody = (worklist: Worklist.Worklist): typeof WorklistView.Encoded => ({
  date: worklist.date,
  ...(worklist.liaisonId === undefined ? {} : { liaisonId: worklist.liaisonId }),
  ...(worklist.placeId === undefined ? {} : { placeId: worklist.placeId }),
  stops: worklist.stops.map((stop) => ({
    householdId: stop.householdId,
    address: stop.address,
    routePosition: stop.routePosition,
    ...(stop.gridId === undefined ? {} : { gridId: stop.gridId }),
    priority: stop.priority,
    overdue: stop.overdue,
    tasks: stop.tasks
  })),
  tasks: worklist.tasks
})

// A rule's parameters as the audit trail keeps them.
const auditedParams = (view: RuleView) => ({ enabled: view.enabled, overridden: view.overridden, params: view.params })

// Saves the overrides and records the change of one rule's parameters in the audit trail (at
// the administrator's places); when the record cannot be written, the overrides go back.
const saveAudited = (
  session: SessionShape,
  analytics: Analytics.Shape,
  previous: Analytics.Overrides,
  next: Analytics.Overrides,
  before: RuleView,
  after: RuleView
) =>
  Effect.gen(function*() {
    const accounts = yield* Accounts.Accounts
    yield* analytics.overrides.save(next)
    yield* accounts.record(session.actor, {
      tag: "RuleParameters",
      id: after.id,
      operation: "update",
      before: auditedParams(before),
      after: auditedParams(after),
      places: session.actor.scope
    }).pipe(Effect.tapError(() => analytics.overrides.save(previous)))
  }).pipe(Effect.catchAll(serverError))

/**
 * The rules handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.group(Api, "rules", (handlers) =>
  handlers
    .handle("pack", () =>
      Effect.gen(function*() {
        const { analytics, overrides, pack } = yield* current
        return new RulePackView({
          name: pack.name,
          rules: analytics.pack.rules.map(ruleView(analytics.pack, pack, overrides))
        })
      }))
    .handle("override", ({ path, payload }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Changing rule parameters")
        const { analytics, overrides, pack: running } = yield* current
        const rule = yield* findRule(analytics.pack, path.ruleId)
        const before = overrideOf(overrides[rule.id])
        const entry = {
          ...(payload.enabled ?? before.enabled) === undefined ? {} : { enabled: payload.enabled ?? before.enabled },
          ...(payload.params === undefined && before.params === undefined)
            ? {}
            : { params: { ...before.params, ...payload.params } }
        }
        const next = { ...overrides, [rule.id]: entry }
        const configured = RulePack.configure(analytics.pack, next)
        if (Either.isLeft(configured)) {
          const error = configured.left
          const path = error._tag === "InvalidRuleParams" && error.parameter !== "" && error.parameter !== "enabled"
            ? ["params", ...error.parameter.split(".")]
            : error._tag === "InvalidRuleParams" && error.parameter === "enabled"
            ? ["enabled"]
            : []
          return yield* invalid([Problem.make("invalid", error.message, { path })], "Rule parameters refused")
        }
        const view = ruleView(analytics.pack, configured.right, next)(rule)
        yield* saveAudited(
          session,
          analytics,
          overrides,
          next,
          ruleView(analytics.pack, running, overrides)(rule),
          view
        )
        yield* Effect.logInfo("rule override saved").pipe(
          Effect.annotateLogs({ by: Masking.maskText(session.account.id), rule: rule.id })
        )
        return view
      }))
    .handle("reset", ({ path }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Changing rule parameters")
        const { analytics, overrides, pack: running } = yield* current
        const rule = yield* findRule(analytics.pack, path.ruleId)
        const { [rule.id]: _dropped, ...rest } = overrides
        const configured = RulePack.configure(analytics.pack, rest)
        const view = ruleView(analytics.pack, Either.getOrElse(configured, () => analytics.pack), rest)(rule)
        yield* saveAudited(
          session,
          analytics,
          overrides,
          rest,
          ruleView(analytics.pack, running, overrides)(rule),
          view
        )
        return view
      }))
    .handle("worklist", ({ urlParams }) =>
      Effect.gen(function*() {
        const session = yield* Session
        const { analytics, pack } = yield* current
        const taskState = yield* TaskState.TaskState
        const date = urlParams.date ?? (yield* Deployment.today)
        const liaisonId = liaisonOf(session, urlParams.liaisonId)
        const worklist = yield* taskState.worklist(session.actor, pack, {
          date,
          lookbackDays: analytics.lookbackDays,
          ...(liaisonId === undefined ? {} : { liaisonId }),
          ...(urlParams.placeId === undefined ? {} : { placeId: urlParams.placeId })
        }).pipe(Effect.catchTags({ OutsideScope: (e) => outsideScope(session, e), StoreError: serverError }))
        // What the core built is already valid and already in its encoded form (plain data, no
        // transformations): it is written as JSON as it is, instead of being checked again
        // field by field by `WorklistView`'s encoder (tests compare both).
        return HttpServerResponse.unsafeJson(worklistBody(worklist))
      }))
    .handle("tasks", ({ urlParams }) =>
      Effect.gen(function*() {
        const session = yield* Session
        const { analytics, pack } = yield* current
        const taskState = yield* TaskState.TaskState
        const today = yield* Deployment.today
        const from = urlParams.from ?? today
        const to = urlParams.to ?? from
        const asOf = urlParams.asOf ?? today
        yield* checkSpan(from, to, 62)
        const liaisonId = liaisonOf(session, urlParams.liaisonId)
        const listed = yield* taskState.tasks(session.actor, pack, {
          from,
          to,
          asOf,
          lookbackDays: analytics.lookbackDays,
          ...(liaisonId === undefined ? {} : { liaisonId }),
          ...(urlParams.placeId === undefined ? {} : { placeId: urlParams.placeId })
        }).pipe(Effect.catchTags({ OutsideScope: (e) => outsideScope(session, e), StoreError: serverError }))
        const tasks = urlParams.state === undefined ? listed : listed.filter((t) => t.state === urlParams.state)
        return { from, to, asOf, tasks }
      }))
    .handle("forecast", ({ urlParams }) =>
      Effect.gen(function*() {
        const session = yield* Session
        const { analytics, pack } = yield* current
        const { zone } = yield* Deployment.Deployment
        const from = urlParams.from ?? (yield* Deployment.today)
        const days = urlParams.days ?? 7
        const facts = yield* load(session, {
          placeId: urlParams.placeId,
          from,
          to: LocalDate.addDays(from, days - 1),
          lookbackDays: analytics.lookbackDays
        })
        const forecast = Forecast.make(pack, facts, { from, days, zone })
        return {
          pack: forecast.pack,
          days: forecast.days,
          rows: forecast.rows.map((row) => dropUndefined({ ...row })),
          totals: forecast.totals,
          byRule: forecast.byRule
        }
      })))
