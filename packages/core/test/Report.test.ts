import { assert, describe, it } from "@effect/vitest"
import type { Ids } from "@minqing/core"
import { BuiltInMetrics, Coverage, Report } from "@minqing/core"
import { Either } from "effect"
import { facts, household, PERIOD, TASKS } from "./CoverageFixtures.js"

const compute = (extra: ReadonlyArray<object> = [], metrics = BuiltInMetrics.all) =>
  Either.getOrThrow(Coverage.compute({
    facts: facts(extra),
    metrics,
    scope: "sd" as Ids.PlaceId,
    period: PERIOD,
    tasks: TASKS
  }))

const parseCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") {
        cell += "\""
        i++
      } else if (c === "\"") quoted = false
      else cell += c
    } else if (c === "\"") quoted = true
    else if (c === ",") {
      row.push(cell)
      cell = ""
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ""
      i++
    } else cell += c
  }
  return rows
}

describe("Report", () => {
  it("exports figures as CSV with zh-Hans headers by default and en on request", () => {
    const report = compute([], [BuiltInMetrics.householdScreening, BuiltInMetrics.ruleCompliance])
    const zh = parseCsv(Report.toCsv(report))
    assert.deepStrictEqual(zh[0].slice(0, 4), ["指标", "指标代码", "地点", "地点代码"])
    const en = parseCsv(Report.toCsv(report, { locale: "en" }))
    assert.deepStrictEqual(en[0].slice(0, 4), ["Metric", "Metric id", "Place", "Place id"])
    const hant = parseCsv(Report.toCsv(report, { locale: "zh-Hant" }))
    assert.strictEqual(hant[1][0], "入戶排查覆蓋率")
    // A header, screening at 6 places, compliance at 6 places each followed by its 2 strata
    // (every figure lists every stratum of the report, empty ones too).
    assert.strictEqual(en.length, 1 + 6 + (6 + 6 * 2))
    const column = (name: string) => en[0].indexOf(name)
    const sd = en.find((r) => r[column("Metric id")] === "household-screening" && r[column("Place id")] === "sd")!
    assert.deepStrictEqual(
      [
        sd[column("Level")],
        sd[column("Denominator")],
        sd[column("Numerator")],
        sd[column("Missing")],
        sd[column("Score")]
      ],
      ["Subdistrict", "5", "3", "2", "0.6"]
    )
    const g3 = en.find((r) => r[column("Metric id")] === "household-screening" && r[column("Place id")] === "g3")!
    assert.strictEqual(g3[column("Parent")], "V2")
    const stratum = en.find((r) => r[column("Stratum")] === "household-sweep" && r[column("Place id")] === "sd")!
    assert.deepStrictEqual([stratum[column("Numerator")], stratum[column("Denominator")]], ["1", "2"])
  })

  it("exports the daily series as CSV", () => {
    const rows = parseCsv(Report.seriesToCsv(compute([], [BuiltInMetrics.householdScreening]), { locale: "en" }))
    // 6 places × 3 days.
    assert.strictEqual(rows.length, 1 + 18)
    assert.deepStrictEqual(rows[1].slice(3, 11), ["sd", "2021-05-10", "4", "0", "4", "2", "2", "0.5"])
  })

  it("lists who is missing and why as CSV, quoting text and defusing formulas", () => {
    // An address that a spreadsheet would run as a formula, with a comma and a quote.
    const report = compute(
      [household("h4", "g3", 1, { address: "=HYPERLINK(\"x\"), 4号" })],
      [BuiltInMetrics.householdScreening, BuiltInMetrics.arrivalsReportedInAdvance]
    )
    const text = Report.membersToCsv(report, { locale: "en" })
    assert.include(text, "\"'=HYPERLINK(\"\"x\"\"), 4号\"")
    const rows = parseCsv(text)
    assert.deepStrictEqual(rows[0], [
      "Metric",
      "Metric id",
      "Grid",
      "Status",
      "Subject kind",
      "Subject id",
      "Name",
      "Address",
      "Household id",
      "Date",
      "Stratum",
      "Reason",
      "Detail",
      "Value"
    ])
    const h4 = rows.find((r) => r[5] === "h4")!
    assert.deepStrictEqual([h4[2], h4[3], h4[7], h4[11]], [
      "G3",
      "Missing",
      "'=HYPERLINK(\"x\"), 4号",
      "Not visited in the period"
    ])
    const a2 = rows.find((r) => r[5] === "a2")!
    assert.deepStrictEqual([a2[4], a2[6], a2[11], a2[12]], [
      "Arrival",
      "来人a2",
      "Reported on or after the arrival day",
      "daysAfterArrival=0"
    ])
    // Labels in zh-Hans by default.
    assert.include(Report.membersToCsv(report), "期内未入户")
  })

  it("never exports national ID numbers or phones", () => {
    const report = compute()
    const all = [
      Report.toCsv(report),
      Report.membersToCsv(report, { statuses: ["numerator", "missing", "excluded", "included"] }),
      JSON.stringify(Report.toJson(report))
    ].join("\n")
    // Phones of the liaisons (13812345678) and the newcomers (13912345678) are in the facts.
    assert.notInclude(all, "13812345678")
    assert.notInclude(all, "13912345678")
  })

  it("exports JSON with definitions, a figure per place and the members once", () => {
    const report = compute([], [BuiltInMetrics.householdScreening, BuiltInMetrics.vaccinationPrimaryCourse])
    const json = Report.toJson(report, { locale: "en" })
    assert.deepStrictEqual(json.period, { from: "2021-05-10", to: "2021-05-12" })
    assert.strictEqual(json.zone, "Asia/Shanghai")
    assert.deepStrictEqual(json.places.map((p) => p.parentId), [null, "sd", "v1", "v1", "sd", "v2"])
    const screening = json.metrics[0]
    assert.strictEqual(screening.title.en, "Household screening coverage")
    assert.strictEqual(screening.figures.length, 6)
    assert.strictEqual(screening.figures[0].score, 0.6)
    assert.strictEqual(screening.figures[0].series.length, 3)
    assert.deepStrictEqual(
      screening.members.map((m) => [m.status, m.subject.id, m.reason?.label ?? null]),
      [
        ["numerator", "h1", null],
        ["numerator", "h3", null],
        ["numerator", "h5", null],
        ["missing", "h2", "Visited, refused"],
        ["missing", "h4", "Not visited in the period"]
      ]
    )
    // Parameters are exported encoded, as configuration would write them.
    const vaccination = json.metrics[1]
    assert.deepInclude(vaccination.parameters as object, { minAge: 18, defaultPrimaryDoses: 2 })
    // Only the gaps, on request; and the JSON survives a round trip unchanged.
    const gaps = Report.toJson(report, { members: "gaps" })
    assert.deepStrictEqual(gaps.metrics[0].members.map((m) => m.status), ["missing", "missing"])
    assert.deepStrictEqual(JSON.parse(JSON.stringify(gaps)), gaps)
  })

  it("exports a FHIR MeasureReport for a metric and place", () => {
    const report = compute()
    const mr = Report.toMeasureReport(report, "household-screening", { placeId: "g1" as Ids.PlaceId, locale: "en" })!
    assert.strictEqual(mr.resourceType, "MeasureReport")
    assert.strictEqual(mr.status, "complete")
    assert.strictEqual(mr.type, "summary")
    assert.strictEqual(mr.measure, "urn:minqing:measure:household-screening")
    assert.deepStrictEqual(mr.period, { start: "2021-05-10", end: "2021-05-12" })
    assert.deepStrictEqual(mr.subject, { reference: "Location/g1", display: "G1" })
    // g1: h1 contacted, h2 not → 1/2.
    const group = mr.group[0]
    assert.deepStrictEqual(group.population.map((p) => [p.code.coding[0].code, p.count]), [
      ["initial-population", 2],
      ["denominator", 2],
      ["denominator-exclusion", 0],
      ["numerator", 1]
    ])
    assert.strictEqual(
      group.population[0].code.coding[0].system,
      "http://terminology.hl7.org/CodeSystem/measure-population"
    )
    assert.deepStrictEqual(group.measureScore, { value: 0.5 })

    // A stratified proportion with exclusions: compliance at sd (FHIR's denominator includes
    // the excluded task t7): 6 in, 1 excluded, 2 met, score 2 / 5.
    const compliance = Report.toMeasureReport(report, "rule-compliance")!.group[0]
    assert.deepStrictEqual(compliance.population.map((p) => p.count), [6, 6, 1, 2])
    assert.deepStrictEqual(compliance.measureScore, { value: 0.4 })
    assert.deepStrictEqual(
      compliance.stratifier![0].stratum.map((s) => [s.value.text, s.measureScore?.value]),
      [["elderly-alone-checkin", 0.333333], ["household-sweep", 0.5]]
    )
    // A continuous variable: the median days to resolution, with its unit.
    const days = Report.toMeasureReport(report, "matter-resolution-days")!.group[0]
    assert.deepStrictEqual(days.measureScore, { value: 4, unit: "days" })
    assert.deepStrictEqual(days.population.map((p) => p.code.coding[0].code), [
      "initial-population",
      "measure-population",
      "measure-population-exclusion",
      "measure-observation"
    ])
    // A cohort has counts and no score.
    const opened = Report.toMeasureReport(report, "matters-opened")!.group[0]
    assert.isUndefined(opened.measureScore)
    assert.strictEqual(opened.population[0].count, 2)

    const bundle = Report.toMeasureReportBundle(report)
    assert.strictEqual(bundle.resourceType, "Bundle")
    assert.strictEqual(bundle.entry.length, BuiltInMetrics.all.length)
    assert.isUndefined(Report.toMeasureReport(report, "no-such-metric"))
  })
})
