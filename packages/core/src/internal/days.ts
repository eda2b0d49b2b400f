/**
 * Memoized conversions between epoch days and local dates, for the engines' hot loops (a
 * date string is built once per day, not once per task).
 */
import * as LocalDate from "../LocalDate.js"

const cache = new Map<number, LocalDate.LocalDate>()

/** The local date of an epoch day, memoized. */
export const dateOfDay = (day: number): LocalDate.LocalDate => {
  let d = cache.get(day)
  if (d === undefined) {
    if (cache.size > 100_000) cache.clear()
    d = LocalDate.fromEpochDay(day)
    cache.set(day, d)
  }
  return d
}

/** `LocalDate.addDays`, memoized. */
export const plusDays = (date: LocalDate.LocalDate, days: number): LocalDate.LocalDate =>
  days === 0 ? date : dateOfDay(epochDay(date) + days)

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)

/** The date someone born on `birthDate` turns `years` old (a 29 February birthday: 1 March). */
export const dateOfAge = (birthDate: LocalDate.LocalDate, years: number): LocalDate.LocalDate => {
  const year = Number(birthDate.slice(0, 4)) + years
  const monthDay = birthDate.slice(4)
  return (monthDay === "-02-29" && !isLeap(year) ? `${year}-03-01` : `${year}${monthDay}`) as LocalDate.LocalDate
}

/**
 * `LocalDate.toEpochDay` by arithmetic on the characters: no cache lookup and no garbage,
 * for dates the engines derive afresh for every subject (a birthday's anniversary, an
 * arrival's next day).
 */
export const epochDay = (date: LocalDate.LocalDate): number => {
  // Howard Hinnant's days_from_civil, as LocalDate.toEpochDay.
  let y = (date.charCodeAt(0) - 48) * 1000 + (date.charCodeAt(1) - 48) * 100 + (date.charCodeAt(2) - 48) * 10 +
    date.charCodeAt(3) - 48
  const m = (date.charCodeAt(5) - 48) * 10 + date.charCodeAt(6) - 48
  const d = (date.charCodeAt(8) - 48) * 10 + date.charCodeAt(9) - 48
  if (m <= 2) y -= 1
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}
