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
  days === 0 ? date : dateOfDay(LocalDate.toEpochDay(date) + days)

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)

/** The date someone born on `birthDate` turns `years` old (a 29 February birthday: 1 March). */
export const dateOfAge = (birthDate: LocalDate.LocalDate, years: number): LocalDate.LocalDate => {
  const year = Number(birthDate.slice(0, 4)) + years
  const monthDay = birthDate.slice(4)
  return (monthDay === "-02-29" && !isLeap(year) ? `${year}-03-01` : `${year}${monthDay}`) as LocalDate.LocalDate
}
