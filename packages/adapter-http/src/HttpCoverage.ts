/**
 * Handlers of the coverage endpoints: the metrics on offer, a report for any metrics, scope
 * and period (rolled up the place tree, with who is missing and why), and the same as CSV.
 * Facts come from `Store.load` within the caller's scope, as known on the as-of date — or,
 * when the store provides the core's `CoverageStore` (SQLite does), the store computes the
 * report itself (member lists for small scopes only).
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Coverage, CoverageStore, Deployment, LocalDate, type Metric, Problem, Report } from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Analytics from "./Analytics.js"
import { Api, type CoverageParams, type CoverageReport, MetricView } from "./Api.js"
import { Session } from "./Auth.js"
import { invalid, serverError } from "./internal/errors.js"
import { checkSpan, load } from "./internal/scoped.js"

const metricView = (metric: Metric.Metric): MetricView => {
  const spec = metric.definition.parameters
  return new MetricView({
    id: metric.id,
    title: metric.title,
    description: metric.description,
    scoring: metric.scoring,
    subject: metric.subject,
    per: metric.per,
    dateField: metric.dateField,
    unit: metric.unit ?? null,
    improvement: metric.improvement,
    parameters: spec === undefined ? null : Schema.encodeSync(spec.schema)(metric.parameters)
  })
}

const compute = (params: typeof CoverageParams.Type) =>
  Effect.gen(function*() {
    const session = yield* Session
    const analytics = yield* Analytics.Analytics
    const { pack } = yield* Analytics.effectivePack(analytics).pipe(Effect.catchAll(serverError))
    const { zone } = yield* Deployment.Deployment
    const problems: Array<Problem.Problem> = []
    const metrics = params.metric === undefined ? analytics.metrics : params.metric.flatMap((id, i) => {
      const found = analytics.metrics.find((m) => m.id === id)
      if (found === undefined) {
        problems.push(
          Problem.make(
            "invalid",
            `unknown metric "${id}"; see GET /metrics for the ${analytics.metrics.length} known`,
            {
              path: ["metric", i]
            }
          )
        )
      }
      return found === undefined ? [] : [found]
    })
    const scope = params.scope ?? (session.actor.scope.length === 1 ? session.actor.scope[0] : undefined)
    if (scope === undefined) {
      problems.push(Problem.make("invalid", "you reach several places: say which one in `scope`", { path: ["scope"] }))
    }
    if (problems.length > 0 || scope === undefined) return yield* invalid(problems, "Coverage not computed")
    yield* checkSpan(params.from, params.to)
    const today = yield* Deployment.today
    const asOf = params.asOf ?? LocalDate.min(params.to, today)
    // A store that computes reports next to its data (SQLite) answers without loading the
    // scope; member lists come for small scopes only. On any refusal the loading path below
    // gives the usual answer (404, 403 or 400).
    const pushdown = yield* Effect.serviceOption(CoverageStore.CoverageStore)
    if (Option.isSome(pushdown)) {
      const pushed = yield* pushdown.value.report(session.actor, {
        scope,
        period: { from: params.from, to: params.to },
        asOf,
        metrics,
        pack,
        depth: params.depth,
        members: params.members !== "none"
      }).pipe(
        Effect.catchTag("CoverageError", () => Effect.succeed(undefined)),
        Effect.catchTag("StoreError", serverError)
      )
      if (pushed !== undefined) return pushed
    }
    const facts = yield* load(session, {
      placeId: scope,
      from: params.from,
      to: params.to,
      asOf,
      lookbackDays: analytics.lookbackDays
    })
    const report = Coverage.compute({
      facts,
      metrics,
      scope,
      period: { from: params.from, to: params.to },
      asOf,
      zone,
      tasks: Coverage.rules(pack),
      ...(params.depth === undefined ? {} : { depth: params.depth })
    })
    if (Either.isLeft(report)) {
      return yield* invalid([Problem.make("invalid", report.left.message)], "Coverage not computed")
    }
    return report.right
  })

/**
 * The coverage handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.group(Api, "coverage", (handlers) =>
  handlers
    .handle("metrics", () =>
      Effect.map(Analytics.Analytics, (analytics) => ({ items: analytics.metrics.map(metricView) })))
    .handle("report", ({ urlParams }) =>
      Effect.map(
        compute(urlParams),
        // `Report.ReportJson` spells an absent reason detail as `undefined`; the view leaves it out.
        (report): typeof CoverageReport.Type =>
          Report.toJson(report, {
            members: urlParams.members ?? "gaps",
            locale: urlParams.locale ?? "zh-Hans"
          }) as typeof CoverageReport.Type
      ))
    .handle("csv", ({ urlParams }) =>
      Effect.map(compute(urlParams), (report) => {
        const options = { locale: urlParams.locale ?? "zh-Hans" } as const
        switch (urlParams.table ?? "figures") {
          case "series":
            return Report.seriesToCsv(report, options)
          case "members":
            return Report.membersToCsv(report, {
              ...options,
              ...(urlParams.members === "all" ? { statuses: ["numerator", "missing", "excluded", "included"] } : {})
            })
          default:
            return Report.toCsv(report, options)
        }
      })))
