/**
 * Local calendar dates (`YYYY-MM-DD`) and inclusive periods of them.
 *
 * Every rule window, period and "day" in Minqing is a local date in the deployment's time
 * zone (see `TimeZone`). Dates are ISO strings so they read well in JSON and sort as text;
 * arithmetic goes through epoch days (days since 1970-01-01), which is exact on the
 * proleptic Gregorian calendar and never touches a time zone.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month)
    ? 30
    : 31

/**
 * Whether a string is a real calendar date written as `YYYY-MM-DD`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isValid = (s: string): boolean => {
  const m = PATTERN.exec(s)
  if (m === null) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

/**
 * The earliest and latest dates Minqing accepts anywhere.
 *
 * @since 0.1.0
 * @category constants
 */
export const MIN = "1900-01-01" as LocalDate
/** @since 0.1.0 @category constants */
export const MAX = "2199-12-31" as LocalDate

const LocalDateBase = Schema.String.pipe(
  Schema.filter((s) =>
    isValid(s) && s >= "1900-01-01" && s <= "2199-12-31"
      ? undefined
      : `expected a calendar date written as YYYY-MM-DD between 1900-01-01 and 2199-12-31, got ${JSON.stringify(s)}`
  ),
  Schema.brand("LocalDate")
)

/**
 * A local calendar date, `YYYY-MM-DD`, between 1900-01-01 and 2199-12-31.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LocalDate = LocalDateBase.annotations({
  identifier: "LocalDate",
  description: "A local calendar date, YYYY-MM-DD",
  examples: ["2021-05-10" as typeof LocalDateBase.Type],
  arbitrary: () => (fc) =>
    fc.integer({ min: toEpochDayUnsafe("1900-01-01"), max: toEpochDayUnsafe("2199-12-31") }).map((n) =>
      civilFromDays(n) as typeof LocalDateBase.Type
    )
})

/**
 * @since 0.1.0
 * @category models
 */
export type LocalDate = typeof LocalDate.Type

/**
 * Builds a date from a string, throwing on an invalid one. For literals in code and tests;
 * decode untrusted input with the `LocalDate` schema instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (s: string): LocalDate => {
  if (!isValid(s)) throw new Error(`Invalid local date ${JSON.stringify(s)}: expected YYYY-MM-DD`)
  return s as LocalDate
}

function toEpochDayUnsafe(s: string): number {
  // Howard Hinnant's days_from_civil.
  let y = Number(s.slice(0, 4))
  const m = Number(s.slice(5, 7))
  const d = Number(s.slice(8, 10))
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const epochDayCache = new Map<string, number>()

/**
 * Days since 1970-01-01.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toEpochDay = (date: LocalDate): number => {
  let n = epochDayCache.get(date)
  if (n === undefined) {
    n = toEpochDayUnsafe(date)
    if (epochDayCache.size > 200_000) epochDayCache.clear()
    epochDayCache.set(date, n)
  }
  return n
}

const pad = (n: number, width: number) => String(n).padStart(width, "0")

/**
 * The date `n` days after 1970-01-01.
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromEpochDay = (n: number): LocalDate => civilFromDays(n) as LocalDate

function civilFromDays(n: number): string {
  // Howard Hinnant's civil_from_days.
  const z = n + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp + (mp < 10 ? 3 : -9)
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`
}

/**
 * The date `days` later (earlier when negative).
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const addDays = (date: LocalDate, days: number): LocalDate => fromEpochDay(toEpochDay(date) + days)

/**
 * Whole days from `from` to `to` (negative when `to` is earlier).
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const diffDays = (from: LocalDate, to: LocalDate): number => toEpochDay(to) - toEpochDay(from)

/**
 * ISO weekday: 1 = Monday … 7 = Sunday.
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const weekday = (date: LocalDate): number => {
  // 1970-01-01 was a Thursday (4).
  const r = (toEpochDay(date) + 3) % 7
  return (r < 0 ? r + 7 : r) + 1
}

/**
 * Age in whole years on `on`.
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const ageOn = (birthDate: LocalDate, on: LocalDate): number => {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4))
  return on.slice(5) >= birthDate.slice(5) ? years : years - 1
}

/** @since 0.1.0 @category ordering */
export const min = (a: LocalDate, b: LocalDate): LocalDate => (a <= b ? a : b)
/** @since 0.1.0 @category ordering */
export const max = (a: LocalDate, b: LocalDate): LocalDate => (a >= b ? a : b)

/**
 * An inclusive range of local dates, `from` ≤ `to`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Period extends Schema.Class<Period>("Period")(
  Schema.Struct({ from: LocalDate, to: LocalDate }).pipe(
    Schema.filter((p: { readonly from: LocalDate; readonly to: LocalDate }) =>
      p.from <= p.to || {
        path: ["to"],
        message: `a period ends on or after it starts: "to" (${p.to}) is before "from" (${p.from})`
      }
    )
  ),
  { description: "An inclusive range of local dates" }
) {
  /** Number of days in the period (both ends counted). */
  get length(): number {
    return diffDays(this.from, this.to) + 1
  }
}

/**
 * A period from two date strings, throwing when invalid. For literals in code and tests.
 *
 * @since 0.1.0
 * @category constructors
 */
export const period = (from: string, to: string = from): Period => {
  const p = { from: make(from), to: make(to) }
  if (p.from > p.to) throw new Error(`Invalid period: ${to} is before ${from}`)
  return new Period(p, { disableValidation: true })
}

/**
 * Whether `date` lies inside the inclusive period.
 *
 * @since 0.1.0
 * @category predicates
 */
export const contains = (p: { readonly from: LocalDate; readonly to: LocalDate }, date: LocalDate): boolean =>
  date >= p.from && date <= p.to

/**
 * Every date of the period, in order.
 *
 * @since 0.1.0
 * @category getters
 */
export const days = (p: { readonly from: LocalDate; readonly to: LocalDate }): Array<LocalDate> => {
  const out: Array<LocalDate> = []
  const end = toEpochDay(p.to)
  for (let n = toEpochDay(p.from); n <= end; n++) out.push(fromEpochDay(n))
  return out
}
