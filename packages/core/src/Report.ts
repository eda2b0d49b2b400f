/**
 * Exports of a coverage report (`Coverage.Report`): CSV (headers in zh-Hans by default,
 * zh-Hant or en on request), JSON, and FHIR R4 `MeasureReport` resources.
 *
 * Member lists carry ids, display names, addresses and grids, never national ID numbers or
 * phones.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as Coverage from "./Coverage.js"
import type { PlaceId } from "./Ids.js"
import * as Labels from "./Labels.js"
import type * as Metric from "./Metric.js"

const l = (zhHans: string, zhHant: string, en: string): Labels.Label => ({ "zh-Hans": zhHans, "zh-Hant": zhHant, en })

/**
 * The labels of the exports: column headers, member statuses, subject kinds, scorings and
 * reasons shared by several metrics.
 *
 * @since 0.1.0
 * @category constants
 */
export const labels = {
  column: {
    metric: l("指标", "指標", "Metric"),
    metricId: l("指标代码", "指標代碼", "Metric id"),
    place: l("地点", "地點", "Place"),
    placeId: l("地点代码", "地點代碼", "Place id"),
    level: l("层级", "層級", "Level"),
    parent: l("上级", "上級", "Parent"),
    from: l("起始日期", "起始日期", "From"),
    to: l("截止日期", "截止日期", "To"),
    asOf: l("数据截至", "數據截至", "As of"),
    scoring: l("计算方式", "計算方式", "Scoring"),
    stratum: l("分类", "分類", "Stratum"),
    population: l("初始人群", "初始人群", "Initial population"),
    excluded: l("排除", "排除", "Excluded"),
    denominator: l("分母", "分母", "Denominator"),
    numerator: l("分子", "分子", "Numerator"),
    missing: l("缺口", "缺口", "Missing"),
    score: l("结果", "結果", "Score"),
    unit: l("单位", "單位", "Unit"),
    mean: l("均值", "均值", "Mean"),
    median: l("中位数", "中位數", "Median"),
    min: l("最小值", "最小值", "Min"),
    max: l("最大值", "最大值", "Max"),
    cv: l("变异系数", "變異係數", "Coefficient of variation"),
    date: l("日期", "日期", "Date"),
    status: l("状态", "狀態", "Status"),
    subjectKind: l("对象类型", "對象類型", "Subject kind"),
    subjectId: l("对象代码", "對象代碼", "Subject id"),
    name: l("名称", "名稱", "Name"),
    address: l("地址", "地址", "Address"),
    householdId: l("户代码", "戶代碼", "Household id"),
    grid: l("片区", "片區", "Grid"),
    reason: l("原因", "原因", "Reason"),
    detail: l("说明", "說明", "Detail"),
    value: l("数值", "數值", "Value")
  },
  status: {
    numerator: l("已覆盖", "已覆蓋", "Counted"),
    missing: l("缺口", "缺口", "Missing"),
    excluded: l("排除", "排除", "Excluded"),
    included: l("计入", "計入", "Included")
  },
  subjectKind: {
    household: l("户", "戶", "Household"),
    resident: l("居民", "居民", "Resident"),
    arrival: l("来（返）人员", "來（返）人員", "Arrival"),
    matter: l("民情事项", "民情事項", "Matter"),
    liaison: l("联络员", "聯絡員", "Liaison"),
    campaign: l("宣传发放活动", "宣傳發放活動", "Campaign"),
    task: l("走访任务", "走訪任務", "Task")
  },
  scoring: {
    proportion: l("比例", "比例", "Proportion"),
    cohort: l("计数", "計數", "Count"),
    "continuous-variable": l("连续变量", "連續變量", "Continuous variable")
  },
  reason: {
    "not-in-numerator": l("未达到", "未達到", "Not met"),
    overdue: l("已逾期", "已逾期", "Overdue")
  }
} as const

type Locale = Labels.Locale

const FHIR_POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
const FHIR_SCORING = "http://terminology.hl7.org/CodeSystem/measure-scoring"
const FHIR_IMPROVEMENT = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"

/**
 * The label of a member's reason code: the metric's table, then the shared one; unknown
 * codes come back as themselves.
 *
 * @since 0.1.0
 * @category getters
 */
export const reasonLabel = (metric: Metric.Metric, code: string, locale: Locale): string => {
  const own = metric.reasons[code]
  if (own !== undefined) return own[locale]
  const shared = (labels.reason as Record<string, Labels.Label>)[code]
  return shared === undefined ? code : shared[locale]
}

const round = (n: number | undefined): number | null =>
  n === undefined || Number.isNaN(n) ? null : Math.round(n * 1e6) / 1e6

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

const cell = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return ""
  if (typeof value === "number") return String(value)
  // Text that a spreadsheet would run as a formula is defused.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, "\"\"")}"` : text
}

const csv = (rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string =>
  rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n"

const header = (keys: ReadonlyArray<keyof typeof labels.column>, locale: Locale) =>
  keys.map((k) => labels.column[k][locale])

const placeName = (report: Coverage.Report, id: PlaceId | undefined) =>
  id === undefined ? undefined : report.places.find((p) => p.placeId === id)?.name

const detailText = (detail: Metric.Reason["detail"]): string | undefined =>
  detail === undefined ? undefined : Object.entries(detail).map(([k, v]) => `${k}=${v}`).join("; ")

/**
 * Options of the CSV exports.
 *
 * @since 0.1.0
 * @category models
 */
export interface CsvOptions {
  /** Header and label language (default `zh-Hans`). */
  readonly locale?: Locale
}

const FIGURE_COLUMNS = [
  "metric",
  "metricId",
  "place",
  "placeId",
  "level",
  "parent",
  "from",
  "to",
  "asOf",
  "scoring",
  "stratum",
  "population",
  "excluded",
  "denominator",
  "numerator",
  "missing",
  "score",
  "unit",
  "mean",
  "median",
  "min",
  "max",
  "cv"
] as const

/**
 * The figures as CSV: one row per metric and place (scope first, then depth-first), then
 * one row per stratum. Headers in zh-Hans unless `locale` says otherwise; CRLF line ends.
 *
 * @example
 * ```ts
 * import { Report } from "@minqing/core"
 *
 * declare const report: import("@minqing/core").Coverage.Report
 * const zh = Report.toCsv(report)
 * const en = Report.toCsv(report, { locale: "en" })
 * ```
 *
 * @since 0.1.0
 * @category exports
 */
export const toCsv = (report: Coverage.Report, options: CsvOptions = {}): string => {
  const locale = options.locale ?? "zh-Hans"
  const rows: Array<Array<string | number | null | undefined>> = [header(FIGURE_COLUMNS, locale)]
  for (const r of report.results) {
    const m = r.metric
    r.figures.forEach((f, i) => {
      const node = report.places[i]
      const base = [
        m.title[locale],
        m.id,
        node.name,
        node.placeId,
        Labels.label("placeLevel", node.level, locale),
        placeName(report, node.parentId),
        report.period.from,
        report.period.to,
        report.asOf,
        labels.scoring[m.scoring][locale]
      ]
      const line = (
        stratum: string | undefined,
        c: Coverage.Counts,
        score: number | undefined,
        s: Coverage.Stats | undefined
      ) =>
        rows.push([
          ...base,
          stratum,
          c.population,
          c.excluded,
          c.denominator,
          m.scoring === "proportion" ? c.numerator : undefined,
          m.scoring === "proportion" ? c.missing : undefined,
          round(score),
          m.unit,
          round(s?.mean),
          round(s?.median),
          round(s?.min),
          round(s?.max),
          round(s?.cv)
        ])
      line(undefined, f.counts, f.score, f.stats)
      for (const s of f.strata) line(s.stratum, s.counts, s.score, s.stats)
    })
  }
  return csv(rows)
}

const SERIES_COLUMNS = [
  "metric",
  "metricId",
  "place",
  "placeId",
  "date",
  "population",
  "excluded",
  "denominator",
  "numerator",
  "missing",
  "score"
] as const

/**
 * The daily series as CSV: one row per metric with a series, place and day.
 *
 * @since 0.1.0
 * @category exports
 */
export const seriesToCsv = (report: Coverage.Report, options: CsvOptions = {}): string => {
  const locale = options.locale ?? "zh-Hans"
  const rows: Array<Array<string | number | null | undefined>> = [header(SERIES_COLUMNS, locale)]
  for (const r of report.results) {
    r.figures.forEach((f, i) => {
      const node = report.places[i]
      for (const p of f.series) {
        rows.push([
          r.metric.title[locale],
          r.metric.id,
          node.name,
          node.placeId,
          p.date,
          p.counts.population,
          p.counts.excluded,
          p.counts.denominator,
          r.metric.scoring === "proportion" ? p.counts.numerator : undefined,
          r.metric.scoring === "proportion" ? p.counts.missing : undefined,
          round(p.score)
        ])
      }
    })
  }
  return csv(rows)
}

const MEMBER_COLUMNS = [
  "metric",
  "metricId",
  "grid",
  "status",
  "subjectKind",
  "subjectId",
  "name",
  "address",
  "householdId",
  "date",
  "stratum",
  "reason",
  "detail",
  "value"
] as const

/**
 * The members as CSV, for a leader to act on: by default those missing and excluded, with
 * the reason, in the scope (or under `placeId`).
 *
 * @since 0.1.0
 * @category exports
 */
export const membersToCsv = (
  report: Coverage.Report,
  options: CsvOptions & {
    readonly statuses?: ReadonlyArray<Metric.Status>
    readonly placeId?: PlaceId
  } = {}
): string => {
  const locale = options.locale ?? "zh-Hans"
  const statuses = options.statuses ?? ["missing", "excluded"]
  const at = Math.max(0, report.places.findIndex((p) => p.placeId === (options.placeId ?? report.scope)))
  const rows: Array<Array<string | number | null | undefined>> = [header(MEMBER_COLUMNS, locale)]
  for (const r of report.results) {
    const f = r.figures[at]
    for (const status of statuses) {
      for (const member of f[status]) {
        const s = member.subject
        rows.push([
          r.metric.title[locale],
          r.metric.id,
          placeName(report, s.placeId) ?? s.placeId,
          labels.status[status][locale],
          labels.subjectKind[s.kind][locale],
          s.id,
          s.name,
          s.address,
          s.householdId,
          member.date,
          member.stratum,
          member.reason === undefined ? undefined : reasonLabel(r.metric, member.reason.code, locale),
          detailText(member.reason?.detail),
          round(member.value)
        ])
      }
    }
  }
  return csv(rows)
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/**
 * A figure in JSON (`null` where a number is undefined).
 *
 * @since 0.1.0
 * @category models
 */
export interface FigureJson {
  readonly placeId: string
  readonly counts: Coverage.Counts
  readonly score: number | null
  readonly stats: { readonly [K in keyof Coverage.Stats]: number | null } | null
  readonly strata: ReadonlyArray<{
    readonly stratum: string
    readonly counts: Coverage.Counts
    readonly score: number | null
  }>
  readonly series: ReadonlyArray<
    { readonly date: string; readonly counts: Coverage.Counts; readonly score: number | null }
  >
}

/**
 * A member in JSON, with its reason's label.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemberJson {
  readonly status: Metric.Status
  readonly subject: Metric.Subject
  readonly date?: string
  readonly stratum?: string
  readonly value?: number
  readonly reason?: { readonly code: string; readonly label: string; readonly detail?: Metric.Reason["detail"] }
}

/**
 * A report in JSON: the scope, period and places, and for each metric its definition (title
 * and description in the three locales, scoring, boundaries, parameters), a figure per place,
 * and the members of the scope once (each names its grid, so a reader filters by place).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportJson {
  readonly scope: string
  readonly period: { readonly from: string; readonly to: string }
  readonly asOf: string
  readonly end: string
  readonly zone: string
  readonly places: ReadonlyArray<{
    readonly placeId: string
    readonly name: string
    readonly level: string
    readonly parentId: string | null
    readonly depth: number
  }>
  readonly metrics: ReadonlyArray<{
    readonly id: string
    readonly title: Labels.Label
    readonly description: Labels.Label
    readonly scoring: Metric.Scoring
    readonly subject: Metric.SubjectKind
    readonly dateField: string
    readonly per: "period" | "day"
    readonly aggregate: Metric.Aggregate | null
    readonly unit: string | null
    readonly improvement: "increase" | "decrease"
    readonly parameters: unknown
    readonly figures: ReadonlyArray<FigureJson>
    readonly members: ReadonlyArray<MemberJson>
  }>
}

const statsJson = (s: Coverage.Stats | undefined): FigureJson["stats"] =>
  s === undefined ? null : {
    count: s.count,
    sum: round(s.sum),
    mean: round(s.mean),
    median: round(s.median),
    min: round(s.min),
    max: round(s.max),
    sd: round(s.sd),
    cv: round(s.cv)
  }

const memberJson = (metric: Metric.Metric, m: Metric.Member, locale: Locale): MemberJson => ({
  status: m.status,
  subject: m.subject,
  ...(m.date === undefined ? {} : { date: m.date }),
  ...(m.stratum === undefined ? {} : { stratum: m.stratum }),
  ...(m.value === undefined ? {} : { value: round(m.value)! }),
  ...(m.reason === undefined ? {} : {
    reason: {
      code: m.reason.code,
      label: reasonLabel(metric, m.reason.code, locale),
      ...(m.reason.detail === undefined ? {} : { detail: m.reason.detail })
    }
  })
})

const encodeParameters = (metric: Metric.Metric): unknown => {
  const spec = metric.definition.parameters
  return spec === undefined ? null : Schema.encodeSync(spec.schema)(metric.parameters)
}

/**
 * The report as a JSON value (`JSON.stringify` it to write a file). `members`: `all`
 * (default), `gaps` (missing and excluded only) or `none`; reason labels in `locale`
 * (default zh-Hans).
 *
 * @since 0.1.0
 * @category exports
 */
export const toJson = (
  report: Coverage.Report,
  options: { readonly members?: "all" | "gaps" | "none"; readonly locale?: Locale } = {}
): ReportJson => {
  const which = options.members ?? "all"
  const locale = options.locale ?? "zh-Hans"
  const statuses: ReadonlyArray<Metric.Status> = which === "all"
    ? ["numerator", "missing", "excluded", "included"]
    : which === "gaps"
    ? ["missing", "excluded"]
    : []
  return {
    scope: report.scope,
    period: { from: report.period.from, to: report.period.to },
    asOf: report.asOf,
    end: report.end,
    zone: report.zone,
    places: report.places.map((p) => ({
      placeId: p.placeId,
      name: p.name,
      level: p.level,
      parentId: p.parentId ?? null,
      depth: p.depth
    })),
    metrics: report.results.map((r) => {
      const m = r.metric
      const root = r.figures[0]
      return {
        id: m.id,
        title: m.title,
        description: m.description,
        scoring: m.scoring,
        subject: m.subject,
        dateField: m.dateField,
        per: m.per,
        aggregate: m.scoring === "continuous-variable" ? m.aggregate : null,
        unit: m.unit ?? null,
        improvement: m.improvement,
        parameters: encodeParameters(m),
        figures: r.figures.map((f) => ({
          placeId: f.placeId,
          counts: f.counts,
          score: round(f.score),
          stats: statsJson(f.stats),
          strata: f.strata.map((s) => ({ stratum: s.stratum, counts: s.counts, score: round(s.score) })),
          series: f.series.map((p) => ({ date: p.date, counts: p.counts, score: round(p.score) }))
        })),
        members: statuses.flatMap((s) => root[s].map((member) => memberJson(m, member, locale)))
      }
    })
  }
}

// ---------------------------------------------------------------------------
// FHIR MeasureReport
// ---------------------------------------------------------------------------

/**
 * A FHIR R4 `MeasureReport` (summary), as plain JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface MeasureReport {
  readonly resourceType: "MeasureReport"
  readonly id: string
  readonly status: "complete"
  readonly type: "summary"
  readonly measure: string
  readonly date: string
  readonly period: { readonly start: string; readonly end: string }
  readonly subject: { readonly reference: string; readonly display: string }
  readonly scoring: { readonly coding: ReadonlyArray<Coding> }
  readonly improvementNotation: { readonly coding: ReadonlyArray<Coding> }
  readonly group: ReadonlyArray<MeasureReportGroup>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Coding {
  readonly system: string
  readonly code: string
  readonly display?: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Population {
  readonly code: { readonly coding: ReadonlyArray<Coding> }
  readonly count: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MeasureReportGroup {
  readonly code: { readonly text: string }
  readonly population: ReadonlyArray<Population>
  readonly measureScore?: { readonly value: number; readonly unit?: string }
  readonly stratifier?: ReadonlyArray<{
    readonly code: ReadonlyArray<{ readonly text: string }>
    readonly stratum: ReadonlyArray<{
      readonly value: { readonly text: string }
      readonly population: ReadonlyArray<Population>
      readonly measureScore?: { readonly value: number; readonly unit?: string }
    }>
  }>
}

const population = (code: string, count: number): Population => ({
  code: { coding: [{ system: FHIR_POPULATION, code }] },
  count
})

const populations = (scoring: Metric.Scoring, c: Coverage.Counts): ReadonlyArray<Population> => {
  switch (scoring) {
    case "proportion":
      return [
        population("initial-population", c.population),
        population("denominator", c.population),
        population("denominator-exclusion", c.excluded),
        population("numerator", c.numerator)
      ]
    case "cohort":
      return [population("initial-population", c.population)]
    case "continuous-variable":
      return [
        population("initial-population", c.population),
        population("measure-population", c.population),
        population("measure-population-exclusion", c.excluded),
        population("measure-observation", c.observed)
      ]
  }
}

const measureScore = (metric: Metric.Metric, score: number | undefined) => {
  const value = round(score)
  if (value === null || metric.scoring === "cohort") return {}
  return { measureScore: metric.unit === undefined ? { value } : { value, unit: metric.unit } }
}

/**
 * A metric's figure for a place (default: the scope) as a FHIR R4 `MeasureReport` of type
 * `summary`: the population counts (FHIR's denominator includes the exclusions), the score,
 * and a stratifier when the metric has strata. `measureBase` prefixes the metric id in
 * `measure` (default `urn:minqing:measure:`); the subject is `Location/<placeId>`.
 *
 * @since 0.1.0
 * @category exports
 */
export const toMeasureReport = (
  report: Coverage.Report,
  metricId: string,
  options: { readonly placeId?: PlaceId; readonly measureBase?: string; readonly locale?: Locale } = {}
): MeasureReport | undefined => {
  const result = report.results.find((r) => r.metric.id === metricId)
  const placeId = options.placeId ?? report.scope
  const i = report.places.findIndex((p) => p.placeId === placeId)
  if (result === undefined || i < 0) return undefined
  const m = result.metric
  const f = result.figures[i]
  const node = report.places[i]
  const locale = options.locale ?? "zh-Hans"
  const group: MeasureReportGroup = {
    code: { text: m.title[locale] },
    population: populations(m.scoring, f.counts),
    ...measureScore(m, f.score),
    ...(f.strata.length === 0 ? {} : {
      stratifier: [{
        code: [{ text: labels.column.stratum[locale] }],
        stratum: f.strata.map((s) => ({
          value: { text: s.stratum },
          population: populations(m.scoring, s.counts),
          ...measureScore(m, s.score)
        }))
      }]
    })
  }
  return {
    resourceType: "MeasureReport",
    id: `${m.id}-${node.placeId}-${report.asOf}`.replace(/[^A-Za-z0-9.-]/g, "-").slice(0, 64),
    status: "complete",
    type: "summary",
    measure: `${options.measureBase ?? "urn:minqing:measure:"}${m.id}`,
    date: report.asOf,
    period: { start: report.period.from, end: report.period.to },
    subject: { reference: `Location/${node.placeId}`, display: node.name },
    scoring: { coding: [{ system: FHIR_SCORING, code: m.scoring, display: labels.scoring[m.scoring].en }] },
    improvementNotation: { coding: [{ system: FHIR_IMPROVEMENT, code: m.improvement }] },
    group: [group]
  }
}

/**
 * Every metric of the report for a place (default: the scope) as `MeasureReport`s in a FHIR
 * `Bundle` of type `collection`.
 *
 * @since 0.1.0
 * @category exports
 */
export const toMeasureReportBundle = (
  report: Coverage.Report,
  options: { readonly placeId?: PlaceId; readonly measureBase?: string; readonly locale?: Locale } = {}
): {
  readonly resourceType: "Bundle"
  readonly type: "collection"
  readonly entry: ReadonlyArray<{ readonly resource: MeasureReport }>
} => ({
  resourceType: "Bundle",
  type: "collection",
  entry: report.results.flatMap((r) => {
    const resource = toMeasureReport(report, r.metric.id, options)
    return resource === undefined ? [] : [{ resource }]
  })
})
