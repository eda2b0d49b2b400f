/**
 * Roster import and export: places, liaisons, households and residents as CSV (RFC 4180),
 * with headers in zh-Hans, zh-Hant or English.
 *
 * Import is all-or-nothing and pure: {@link parse} validates every row with the model's
 * Schemas and either returns the facts (for one `Store.write`, which checks references,
 * scope and duplicates and again writes all or nothing) or fails with a {@link RosterError}
 * listing **every** bad row with its line number, column and reason. {@link locate} turns
 * the problems of a rejected write back into lines of the file. {@link format} writes the
 * same columns, so an exported file imports unchanged.
 *
 * Cells are trimmed, and an empty cell is an absent value. Enumerations accept the code (`female`) or any label (`女`, `Female`);
 * yes/no cells accept `是`/`否`, `true`/`false`, `yes`/`no`, `1`/`0`. Lists (a liaison's grids)
 * are separated by `;`, `；` or `、`; doses are written `2021-04-01 sinovac-coronavac`, several
 * separated by `;`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Fact from "./Fact.js"
import { Household } from "./Household.js"
import * as Labels from "./Labels.js"
import { Liaison } from "./Liaison.js"
import { Place } from "./Place.js"
import type * as Problem from "./Problem.js"
import { Resident } from "./Resident.js"

/**
 * The kinds of roster file.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "places" | "liaisons" | "households" | "residents"

/**
 * The kinds, in the order their facts are written (parents first).
 *
 * @since 0.1.0
 * @category constants
 */
export const kinds: ReadonlyArray<Kind> = ["places", "liaisons", "households", "residents"]

/**
 * The fact each kind of file holds.
 *
 * @since 0.1.0
 * @category models
 */
export type FactOf<K extends Kind> = {
  readonly places: Place
  readonly liaisons: Liaison
  readonly households: Household
  readonly residents: Resident
}[K]

/**
 * A column: its key (the model's field, or a name of its own for flattened fields), its
 * header in each locale, and whether a row must fill it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Column {
  readonly key: string
  readonly header: Labels.Label
  readonly required: boolean
}

const col = (key: string, zhHans: string, zhHant: string, en: string, required = false): Column => ({
  key,
  header: { "zh-Hans": zhHans, "zh-Hant": zhHant, en },
  required
})

/**
 * The columns of each kind of file, in the order {@link format} writes them.
 *
 * @since 0.1.0
 * @category constants
 */
export const columns: { readonly [K in Kind]: ReadonlyArray<Column> } = {
  places: [
    col("id", "编号", "編號", "id", true),
    col("name", "名称", "名稱", "name", true),
    col("level", "层级", "層級", "level", true),
    col("parentId", "上级编号", "上級編號", "parentId"),
    col("code", "代码", "代碼", "code")
  ],
  liaisons: [
    col("id", "编号", "編號", "id", true),
    col("name", "姓名", "姓名", "name", true),
    col("phone", "手机号", "手機號", "phone", true),
    col("background", "人员来源", "人員來源", "background", true),
    col("gridIds", "负责片区", "負責片區", "gridIds", true),
    col("appointedFrom", "任职日期", "任職日期", "appointedFrom", true),
    col("active", "在岗", "在崗", "active", true)
  ],
  households: [
    col("id", "编号", "編號", "id", true),
    col("gridId", "片区编号", "片區編號", "gridId", true),
    col("address", "地址", "地址", "address", true),
    col("routePosition", "走访顺序", "走訪順序", "routePosition", true),
    col("lat", "纬度", "緯度", "lat"),
    col("lng", "经度", "經度", "lng"),
    col("activeFrom", "起始日期", "起始日期", "activeFrom", true),
    col("activeUntil", "截止日期", "截止日期", "activeUntil")
  ],
  residents: [
    col("id", "编号", "編號", "id", true),
    col("householdId", "户编号", "戶編號", "householdId", true),
    col("name", "姓名", "姓名", "name", true),
    col("sex", "性别", "性別", "sex", true),
    col("birthDate", "出生日期", "出生日期", "birthDate", true),
    col("nationalId", "身份证号", "身分證號", "nationalId"),
    col("phone", "手机号", "手機號", "phone"),
    col("livesAlone", "独居", "獨居", "livesAlone", true),
    col("presence", "在家情况", "在家情況", "presence", true),
    col("doses", "接种记录", "接種記錄", "doses"),
    col("eligibility", "接种资格", "接種資格", "eligibility", true),
    col("contraindicationReason", "禁忌原因", "禁忌原因", "contraindicationReason"),
    col("contraindicationUntil", "暂缓至", "暫緩至", "contraindicationUntil"),
    col("activeFrom", "起始日期", "起始日期", "activeFrom", true),
    col("activeUntil", "截止日期", "截止日期", "activeUntil")
  ]
}

/**
 * One problem of a roster file: the line (1 is the header; a quoted cell may span lines, the
 * record's first line is given), the column as written in the file's header when known, and
 * the reason.
 *
 * @since 0.1.0
 * @category models
 */
export class LineProblem extends Schema.Class<LineProblem>("LineProblem")({
  line: Schema.Int,
  column: Schema.optionalWith(Schema.String, { exact: true }),
  message: Schema.String
}) {}

/**
 * A roster file refused as a whole: nothing is imported. Lists every problem of every row.
 *
 * @since 0.1.0
 * @category errors
 */
export class RosterError extends Schema.TaggedError<RosterError>()("RosterError", {
  kind: Schema.Literal("places", "liaisons", "households", "residents"),
  problems: Schema.Array(LineProblem)
}) {
  override get message(): string {
    const shown = this.problems.slice(0, 5).map((p) =>
      `line ${p.line}${p.column === undefined ? "" : `, ${p.column}`}: ${p.message}`
    )
    const more = this.problems.length > 5 ? `; and ${this.problems.length - 5} more` : ""
    return `The ${this.kind} file was refused, nothing imported: ${shown.join("; ")}${more}`
  }
}

/**
 * A parsed file: the facts in file order, and the line each one came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Imported<K extends Kind = Kind> {
  readonly kind: K
  readonly facts: ReadonlyArray<FactOf<K>>
  readonly lines: ReadonlyArray<number>
}

// -------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/**
 * A record of a CSV text: its cells and the line it starts on.
 *
 * @since 0.1.0
 * @category models
 */
export interface CsvRecord {
  readonly line: number
  readonly cells: ReadonlyArray<string>
}

/**
 * Splits CSV text into records (RFC 4180: `,` between cells, CRLF or LF between records,
 * `"` around cells holding commas, quotes or line breaks, `""` for a quote inside). Blank
 * lines are skipped; a leading byte-order mark is ignored.
 *
 * @since 0.1.0
 * @category csv
 */
export const parseCsv = (text: string): Either.Either<Array<CsvRecord>, LineProblem> => {
  const records: Array<CsvRecord> = []
  let line = 1
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let cells: Array<string> = []
  let cell = ""
  let start = 1
  let blank = true
  const endRecord = () => {
    cells.push(cell)
    // Blank lines and rows of empty cells (spreadsheets leave them) hold nothing.
    if (cells.some((c) => c.trim() !== "")) records.push({ line: start, cells })
    cells = []
    cell = ""
    blank = true
  }
  while (i < text.length) {
    const c = text[i]
    if (blank && cell === "" && cells.length === 0) start = line
    if (c === "\"" && cell.trim() === "") {
      // A quoted cell: read to the closing quote.
      const opened = line
      cell = ""
      i++
      for (;;) {
        if (i >= text.length) {
          return Either.left(new LineProblem({ line: opened, message: "a quoted cell is never closed (missing \")" }))
        }
        const q = text[i]
        if (q === "\"") {
          if (text[i + 1] === "\"") {
            cell += "\""
            i += 2
            continue
          }
          i++
          break
        }
        if (q === "\n") line++
        cell += q
        i++
      }
      blank = false
      while (text[i] === " " || text[i] === "\t") i++
      if (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        return Either.left(
          new LineProblem({
            line,
            message: "text after a closing quote: a quoted cell must end at a comma or line end"
          })
        )
      }
      continue
    }
    if (c === ",") {
      cells.push(cell)
      cell = ""
      blank = false
      i++
      continue
    }
    if (c === "\r" || c === "\n") {
      endRecord()
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1
      line++
      continue
    }
    cell += c
    if (c !== " " && c !== "\t") blank = false
    i++
  }
  if (cell !== "" || cells.length > 0) endRecord()
  return Either.right(records)
}

const needsQuotes = /[",\r\n]|^\s|\s$/

/**
 * Writes records as CSV (RFC 4180, CRLF line ends), quoting cells that need it.
 *
 * @since 0.1.0
 * @category csv
 */
export const formatCsv = (rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  rows.map((row) => row.map((c) => (needsQuotes.test(c) ? `"${c.replaceAll("\"", "\"\"")}"` : c)).join(",")).join(
    "\r\n"
  ) + "\r\n"

// -------------------------------------------------------------------------------------------
// Cells

type Read = { readonly value: unknown } | { readonly problem: string }

const yes = new Set(["是", "true", "yes", "y", "1", "✓", "√"])
const no = new Set(["否", "false", "no", "n", "0", "✗", "×"])

const readBoolean = (cell: string): Read => {
  const c = cell.toLowerCase()
  if (yes.has(c)) return { value: true }
  if (no.has(c)) return { value: false }
  return { problem: `expected 是 or 否 (yes/no, true/false), got ${JSON.stringify(cell)}` }
}

const readInt = (cell: string): Read =>
  /^[+-]?\d+$/.test(cell)
    ? { value: Number(cell) }
    : { problem: `expected a whole number, got ${JSON.stringify(cell)}` }

const readNumber = (cell: string): Read =>
  /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) ? { value: Number(cell) } : {
    problem: `expected a number, got ${JSON.stringify(cell)}`
  }

const readEnum = (enumeration: Labels.Enumeration) => (cell: string): Read => {
  const wanted = cell.toLowerCase()
  const values: ReadonlyArray<string> = Labels.values(enumeration)
  for (const value of values) {
    if (value.toLowerCase() === wanted) return { value }
    const label = (Labels.table[enumeration] as Record<string, Labels.Label>)[value]
    if (Labels.locales.some((l) => label[l].toLowerCase() === wanted)) return { value }
  }
  const choices = values.map((v) => Labels.label(enumeration, v, "zh-Hans"))
  return {
    problem: `expected one of ${choices.join("、")} (or ${values.join(", ")}), got ${JSON.stringify(cell)}`
  }
}

const splitList = (cell: string): Array<string> =>
  cell.split(/[;；、\n]/).map((s) => s.trim()).filter((s) => s.length > 0)

const readDoses = (cell: string): Read => {
  const doses: Array<{ date: string; product: string }> = []
  for (const item of splitList(cell)) {
    const parts = item.split(/[\s/]+/).filter((s) => s.length > 0)
    if (parts.length !== 2) {
      return {
        problem: `expected doses written "2021-04-01 sinovac-coronavac", separated by ";", got ${JSON.stringify(item)}`
      }
    }
    doses.push({ date: parts[0], product: parts[1] })
  }
  return { value: doses }
}

// -------------------------------------------------------------------------------------------
// Rows → facts

type Cells = { readonly get: (key: string) => string | undefined }

interface Builder {
  /** The encoded fact of a row, and the problems found reading its cells. */
  readonly build: (cells: Cells, problem: (key: string, message: string) => void) => Record<string, unknown>
  readonly schema: Schema.Schema<any, any>
  /** The column of a Schema issue's path. */
  readonly columnOf: (path: ReadonlyArray<PropertyKey>) => string | undefined
  readonly toRow: (fact: any, locale: Labels.Locale) => Record<string, string>
}

const field = (
  out: Record<string, unknown>,
  cells: Cells,
  problem: (key: string, message: string) => void,
  key: string,
  read?: (cell: string) => Read,
  target = key
) => {
  const cell = cells.get(key)
  if (cell === undefined || cell === "") return
  if (read === undefined) {
    out[target] = cell
    return
  }
  const r = read(cell)
  if ("problem" in r) problem(key, r.problem)
  else out[target] = r.value
}

const firstKey = (path: ReadonlyArray<PropertyKey>) => (typeof path[0] === "string" ? path[0] : undefined)

const enumOut = (enumeration: Labels.Enumeration, value: string, locale: Labels.Locale) =>
  locale === "en" ? value : Labels.label(enumeration, value, locale)
const boolOut = (value: boolean, locale: Labels.Locale) => (locale === "en" ? String(value) : value ? "是" : "否")

const builders: { readonly [K in Kind]: Builder } = {
  places: {
    schema: Place,
    build: (cells, problem) => {
      const out: Record<string, unknown> = { _tag: "Place" }
      for (const key of ["id", "name", "parentId", "code"]) field(out, cells, problem, key)
      // A level a deployment added has no label: it is read as written.
      field(out, cells, problem, "level", (c) => {
        const known = readEnum("placeLevel")(c)
        return "value" in known ? known : { value: c }
      })
      return out
    },
    columnOf: firstKey,
    toRow: (p: Place, locale) => ({
      id: p.id,
      name: p.name,
      level: enumOut("placeLevel", p.level, locale),
      parentId: p.parentId ?? "",
      code: p.code ?? ""
    })
  },
  liaisons: {
    schema: Liaison,
    build: (cells, problem) => {
      const out: Record<string, unknown> = { _tag: "Liaison" }
      field(out, cells, problem, "id")
      field(out, cells, problem, "name")
      field(out, cells, problem, "phone")
      field(out, cells, problem, "background", readEnum("liaisonBackground"))
      field(out, cells, problem, "gridIds", (c) => ({ value: splitList(c) }))
      field(out, cells, problem, "appointedFrom")
      field(out, cells, problem, "active", readBoolean)
      return out
    },
    columnOf: firstKey,
    toRow: (l: Liaison, locale) => ({
      id: l.id,
      name: l.name,
      phone: l.phone,
      background: enumOut("liaisonBackground", l.background, locale),
      gridIds: l.gridIds.join(";"),
      appointedFrom: l.appointedFrom,
      active: boolOut(l.active, locale)
    })
  },
  households: {
    schema: Household,
    build: (cells, problem) => {
      const out: Record<string, unknown> = { _tag: "Household" }
      field(out, cells, problem, "id")
      field(out, cells, problem, "gridId")
      field(out, cells, problem, "address")
      field(out, cells, problem, "routePosition", readInt)
      const coordinates: Record<string, unknown> = {}
      field(coordinates, cells, problem, "lat", readNumber)
      field(coordinates, cells, problem, "lng", readNumber)
      const lat = cells.get("lat") ?? ""
      const lng = cells.get("lng") ?? ""
      if ((lat === "") !== (lng === "")) {
        problem(lat === "" ? "lat" : "lng", "give both latitude and longitude, or neither")
      } else if (lat !== "") out.coordinates = coordinates
      field(out, cells, problem, "activeFrom")
      field(out, cells, problem, "activeUntil")
      return out
    },
    columnOf: (path) => (path[0] === "coordinates" && typeof path[1] === "string" ? path[1] : firstKey(path)),
    toRow: (h: Household) => ({
      id: h.id,
      gridId: h.gridId,
      address: h.address,
      routePosition: String(h.routePosition),
      lat: h.coordinates === undefined ? "" : String(h.coordinates.lat),
      lng: h.coordinates === undefined ? "" : String(h.coordinates.lng),
      activeFrom: h.activeFrom,
      activeUntil: h.activeUntil ?? ""
    })
  },
  residents: {
    schema: Resident,
    build: (cells, problem) => {
      const out: Record<string, unknown> = { _tag: "Resident", doses: [] }
      field(out, cells, problem, "id")
      field(out, cells, problem, "householdId")
      field(out, cells, problem, "name")
      field(out, cells, problem, "sex", readEnum("sex"))
      field(out, cells, problem, "birthDate")
      field(out, cells, problem, "nationalId")
      field(out, cells, problem, "phone")
      field(out, cells, problem, "livesAlone", readBoolean)
      field(out, cells, problem, "presence", readEnum("presence"))
      field(out, cells, problem, "doses", readDoses)
      const eligibility: Record<string, unknown> = {}
      field(eligibility, cells, problem, "eligibility", readEnum("eligibility"), "_tag")
      field(eligibility, cells, problem, "contraindicationReason", undefined, "reason")
      field(eligibility, cells, problem, "contraindicationUntil", undefined, "until")
      if (eligibility._tag !== undefined) {
        if (eligibility._tag === "eligible") {
          for (const key of ["contraindicationReason", "contraindicationUntil"] as const) {
            if ((cells.get(key) ?? "") !== "") problem(key, "only a contraindicated resident has a contraindication")
          }
          out.eligibility = { _tag: "eligible" }
        } else if (eligibility._tag === "permanently-contraindicated") {
          if ((cells.get("contraindicationUntil") ?? "") !== "") {
            problem("contraindicationUntil", "a permanent contraindication has no end date")
          }
          out.eligibility = { _tag: eligibility._tag, reason: eligibility.reason }
        } else out.eligibility = eligibility
      }
      field(out, cells, problem, "activeFrom")
      field(out, cells, problem, "activeUntil")
      return out
    },
    columnOf: (path) => {
      if (path[0] === "eligibility") {
        return path[1] === "reason"
          ? "contraindicationReason"
          : path[1] === "until"
          ? "contraindicationUntil"
          : "eligibility"
      }
      return firstKey(path)
    },
    toRow: (r: Resident, locale) => ({
      id: r.id,
      householdId: r.householdId,
      name: r.name,
      sex: enumOut("sex", r.sex, locale),
      birthDate: r.birthDate,
      nationalId: r.nationalId ?? "",
      phone: r.phone ?? "",
      livesAlone: boolOut(r.livesAlone, locale),
      presence: enumOut("presence", r.presence, locale),
      doses: r.doses.map((d) => `${d.date} ${d.product}`).join(";"),
      eligibility: enumOut("eligibility", r.eligibility._tag, locale),
      contraindicationReason: r.eligibility._tag === "eligible" ? "" : r.eligibility.reason,
      contraindicationUntil: r.eligibility._tag === "temporarily-contraindicated" ? r.eligibility.until ?? "" : "",
      activeFrom: r.activeFrom,
      activeUntil: r.activeUntil ?? ""
    })
  }
}

const normalise = (header: string) => header.trim().toLowerCase().replace(/[\s_-]/g, "")

/**
 * Parses and validates a roster file. Succeeds with every row as a fact (in file order) or
 * fails with every problem found: unknown, missing or repeated columns; rows with too many
 * or too few cells; cells that are not what their column holds; rows the model's Schemas
 * refuse; ids used twice in the file. References, scope and duplicate national IDs are
 * checked by `Store.write`; map its `Rejected` to lines with {@link locate}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Roster, Store } from "@minqing/core"
 *
 * const importHouseholds = (actor, csv: string) =>
 *   Effect.gen(function*() {
 *     const imported = yield* Roster.parse("households", csv)
 *     const store = yield* Store.Store
 *     return yield* store.write(actor, imported.facts).pipe(
 *       Effect.mapError((e) => (e._tag === "Rejected" ? Roster.locate(imported, e)[0] : e))
 *     )
 *   })
 * ```
 *
 * @since 0.1.0
 * @category import
 */
export const parse = <K extends Kind>(kind: K, text: string): Either.Either<Imported<K>, RosterError> => {
  const fail = (problems: ReadonlyArray<LineProblem>) => Either.left(new RosterError({ kind, problems }))
  const csv = parseCsv(text)
  if (Either.isLeft(csv)) return fail([csv.left])
  const records = csv.right
  if (records.length === 0) {
    return fail([new LineProblem({ line: 1, message: "the file is empty: it needs a header row" })])
  }
  const [head, ...rows] = records
  const cols = columns[kind]
  const problems: Array<LineProblem> = []

  // The header: each cell names a column in any locale.
  const byHeader = new Map<string, Column>()
  for (const c of cols) for (const l of Labels.locales) byHeader.set(normalise(c.header[l]), c)
  const positions = new Map<string, number>()
  const written = new Map<string, string>()
  head.cells.forEach((h, i) => {
    if (h.trim() === "") return
    const c = byHeader.get(normalise(h))
    if (c === undefined) {
      problems.push(
        new LineProblem({
          line: head.line,
          column: h.trim(),
          message: `unknown column; the ${kind} columns are ${cols.map((c) => c.header["zh-Hans"]).join(", ")} (or ${
            cols.map((c) => c.header.en).join(", ")
          })`
        })
      )
    } else if (positions.has(c.key)) {
      problems.push(new LineProblem({ line: head.line, column: h.trim(), message: "this column appears twice" }))
    } else {
      positions.set(c.key, i)
      written.set(c.key, h.trim())
    }
  })
  const zh = [...written.values()].some((h) => /[\u4e00-\u9fff]/.test(h))
  const nameOf = (key: string) => written.get(key) ?? cols.find((c) => c.key === key)!.header[zh ? "zh-Hans" : "en"]
  for (const c of cols) {
    if (c.required && !positions.has(c.key)) {
      problems.push(
        new LineProblem({ line: head.line, column: nameOf(c.key), message: "a required column is missing" })
      )
    }
  }
  if (problems.length > 0) return fail(problems)

  const builder = builders[kind]
  const decode = Schema.decodeUnknownEither(builder.schema)
  const facts: Array<FactOf<K>> = []
  const lines: Array<number> = []
  const seen = new Map<string, number>()
  for (const row of rows) {
    const here: Array<LineProblem> = []
    if (row.cells.length > head.cells.length) {
      here.push(
        new LineProblem({
          line: row.line,
          message:
            `${row.cells.length} cells, but the header has ${head.cells.length} columns (a comma inside a cell needs quotes)`
        })
      )
    }
    const cells: Cells = {
      get: (key) => {
        const i = positions.get(key)
        return i === undefined ? undefined : (row.cells[i] ?? "").trim()
      }
    }
    const missing = new Set<string>()
    for (const c of cols) {
      if (c.required && (cells.get(c.key) ?? "") === "") {
        missing.add(c.key)
        here.push(new LineProblem({ line: row.line, column: nameOf(c.key), message: "this cell is required" }))
      }
    }
    const unreadable = new Set<string>()
    const input = builder.build(cells, (key, message) => {
      unreadable.add(key)
      here.push(new LineProblem({ line: row.line, column: nameOf(key), message }))
    })
    const result = decode(input, { errors: "all" })
    if (Either.isLeft(result)) {
      for (const issue of ParseResult.ArrayFormatter.formatErrorSync(result.left)) {
        const key = builder.columnOf(issue.path)
        // Already reported as missing or unreadable: the Schema would only repeat it.
        if (key !== undefined && (missing.has(key) || unreadable.has(key))) continue
        if (key === undefined && (missing.size > 0 || unreadable.size > 0)) continue
        here.push(
          new LineProblem({
            line: row.line,
            ...(key === undefined ? {} : { column: nameOf(key) }),
            message: issue.message
          })
        )
      }
    }
    const id = cells.get("id") ?? ""
    if (id !== "") {
      const first = seen.get(id)
      if (first !== undefined) {
        here.push(
          new LineProblem({ line: row.line, column: nameOf("id"), message: `the id ${id} is already on line ${first}` })
        )
      } else seen.set(id, row.line)
    }
    if (here.length > 0) problems.push(...here)
    else if (Either.isRight(result)) {
      facts.push(result.right)
      lines.push(row.line)
    }
  }
  return problems.length > 0 ? fail(problems) : Either.right({ kind, facts, lines })
}

/**
 * The problems of a write refused by the store (missing references, duplicate national
 * IDs, scope…) as lines of the files, for a batch made by {@link factsOf} from these files
 * (or from one file's facts as they are). One error per file with problems.
 *
 * @since 0.1.0
 * @category import
 */
export const locate = (
  imported: Imported | ReadonlyArray<Imported>,
  rejected: Problem.Rejected
): Array<RosterError> => {
  const files = "kind" in imported ? [imported as Imported] : (imported as ReadonlyArray<Imported>)
  // The batch order of factsOf: by kind, then by file, then by line.
  const origin: Array<{ readonly file: Imported; readonly line: number }> = []
  for (const kind of kinds) {
    for (const file of files) if (file.kind === kind) { for (const line of file.lines) origin.push({ file, line }) }
  }
  const byFile = new Map<Imported, Array<LineProblem>>()
  for (const p of rejected.problems) {
    const at = p.index === undefined ? undefined : origin[p.index]
    const file = at?.file ?? files[0]
    if (file === undefined) continue
    const key = p.path.length > 0 ? builders[file.kind].columnOf(p.path) : undefined
    const c = columns[file.kind].find((c) => c.key === key)
    let list = byFile.get(file)
    if (!list) byFile.set(file, list = [])
    list.push(
      new LineProblem({
        line: at?.line ?? 1,
        ...(c === undefined ? {} : { column: c.header["zh-Hans"] }),
        message: p.message
      })
    )
  }
  return [...byFile].map(([file, problems]) => new RosterError({ kind: file.kind, problems }))
}

/**
 * Writes facts as a roster file with headers in one locale (default zh-Hans). Enumerations
 * are written as labels in Chinese files and as codes in English ones; {@link parse} reads
 * both back.
 *
 * @since 0.1.0
 * @category export
 */
export const format = <K extends Kind>(
  kind: K,
  facts: ReadonlyArray<FactOf<K>>,
  options: { readonly locale?: Labels.Locale; readonly bom?: boolean } = {}
): string => {
  const locale = options.locale ?? "zh-Hans"
  const cols = columns[kind]
  const rows = facts.map((f) => {
    const row = builders[kind].toRow(f, locale)
    return cols.map((c) => row[c.key] ?? "")
  })
  return (options.bom === true ? "\ufeff" : "") + formatCsv([cols.map((c) => c.header[locale]), ...rows])
}

/**
 * The facts of several roster files as one batch in write order (places, liaisons,
 * households, residents), failing with the problems of every file.
 *
 * @since 0.1.0
 * @category import
 */
export const parseAll = (
  files: { readonly [K in Kind]?: string }
): Either.Either<ReadonlyArray<Imported>, ReadonlyArray<RosterError>> => {
  const ok: Array<Imported> = []
  const errors: Array<RosterError> = []
  for (const kind of kinds) {
    const text = files[kind]
    if (text === undefined) continue
    const result = parse(kind, text)
    if (Either.isLeft(result)) errors.push(result.left)
    else ok.push(result.right)
  }
  return errors.length > 0 ? Either.left(errors) : Either.right(ok)
}

/**
 * The facts of parsed files, in the order to write them.
 *
 * @since 0.1.0
 * @category import
 */
export const factsOf = (imported: ReadonlyArray<Imported>): Array<Fact.Fact> =>
  kinds.flatMap((k) => imported.filter((i) => i.kind === k).flatMap((i) => i.facts as ReadonlyArray<Fact.Fact>))
