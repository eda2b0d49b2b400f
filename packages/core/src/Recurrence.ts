/**
 * Recurrence on local calendar days: every N days from an anchor, on given weekdays, or
 * once; bounded by an end date or a count of occurrences.
 *
 * A `Pattern` is the anchorless shape a rule's parameters carry (`{ "_tag": "every",
 * "days": 3 }` in JSON); a `Recurrence` is a pattern fixed to an anchor date for one subject.
 * Calculations run on epoch days, never on instants or time zones, so they are exact and fast.
 *
 * @example
 * ```ts
 * import { LocalDate, Recurrence } from "@minqing/core"
 *
 * // every 3 days from 10 May, four times
 * const r = Recurrence.times(Recurrence.every(3, LocalDate.make("2021-05-10")), 4)
 * Recurrence.occurrences(r, LocalDate.period("2021-05-01", "2021-05-31"))
 * // ["2021-05-10", "2021-05-13", "2021-05-16", "2021-05-19"]
 *
 * // Mondays and Thursdays
 * const w = Recurrence.weekly([1, 4], LocalDate.make("2021-05-10"))
 * ```
 *
 * @since 0.1.0
 */
import { dual } from "effect/Function"
import * as Schema from "effect/Schema"
import type { Mutable } from "./internal/plain.js"
import * as LocalDate from "./LocalDate.js"

/**
 * An ISO weekday: 1 = Monday … 7 = Sunday.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Weekday = Schema.Int.pipe(
  Schema.between(1, 7, { message: () => "expected an ISO weekday: 1 (Monday) to 7 (Sunday)" }),
  Schema.annotations({ identifier: "Weekday" })
)

/** @since 0.1.0 @category models */
export type Weekday = typeof Weekday.Type

/**
 * Occurs once, on the anchor.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Once = Schema.TaggedStruct("once", {})

/**
 * Occurs on the anchor and every `days` days after it (`days: 1` is daily).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Every = Schema.TaggedStruct("every", {
  days: Schema.Int.pipe(Schema.between(1, 366, { message: () => "expected a number of days between 1 and 366" }))
})

/**
 * Occurs on the given weekdays, on or after the anchor.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Weekdays = Schema.TaggedStruct("weekdays", {
  days: Schema.Array(Weekday).pipe(
    Schema.minItems(1, { message: () => "name at least one weekday (1 = Monday … 7 = Sunday)" })
  )
})

/**
 * The shape of a recurrence without its anchor, as rule parameters carry it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Pattern = Schema.Union(Once, Every, Weekdays).annotations({
  identifier: "RecurrencePattern",
  description: "once, every N days, or on given ISO weekdays"
})

/** @since 0.1.0 @category models */
export type Pattern = typeof Pattern.Type

const Count = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1, { message: () => "a count is at least 1" }))

/**
 * A pattern fixed to an anchor, optionally bounded by a last date (`until`, inclusive) and a
 * number of occurrences (`count`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Recurrence = Schema.Struct({
  pattern: Pattern,
  anchor: LocalDate.LocalDate,
  until: Schema.optionalWith(LocalDate.LocalDate, { exact: true }),
  count: Schema.optionalWith(Count, { exact: true })
}).annotations({ identifier: "Recurrence" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Recurrence extends Schema.Schema.Type<typeof Recurrence> {}

// A rule builds a recurrence for every subject: plain objects made by constructors (see
// internal/plain), one per shape, so absent bounds are absent keys.

function Anchored(this: Mutable<Recurrence>, pattern: Pattern, anchor: LocalDate.LocalDate) {
  this.pattern = pattern
  this.anchor = anchor
}
Anchored.prototype = Object.prototype

function Counted(this: Mutable<Recurrence>, pattern: Pattern, anchor: LocalDate.LocalDate, count: number) {
  this.pattern = pattern
  this.anchor = anchor
  this.count = count
}
Counted.prototype = Object.prototype

function Until(this: Mutable<Recurrence>, pattern: Pattern, anchor: LocalDate.LocalDate, until: LocalDate.LocalDate) {
  this.pattern = pattern
  this.anchor = anchor
  this.until = until
}
Until.prototype = Object.prototype

function UntilCounted(
  this: Mutable<Recurrence>,
  pattern: Pattern,
  anchor: LocalDate.LocalDate,
  until: LocalDate.LocalDate,
  count: number
) {
  this.pattern = pattern
  this.anchor = anchor
  this.until = until
  this.count = count
}
UntilCounted.prototype = Object.prototype

const build4 = (
  pattern: Pattern,
  anchor: LocalDate.LocalDate,
  until: LocalDate.LocalDate | undefined,
  count: number | undefined
): Recurrence =>
  until === undefined
    ? count === undefined
      ? new (Anchored as any)(pattern, anchor)
      : new (Counted as any)(pattern, anchor, count)
    : count === undefined
    ? new (Until as any)(pattern, anchor, until)
    : new (UntilCounted as any)(pattern, anchor, until, count)

const build = (fields: {
  readonly pattern: Pattern
  readonly anchor: LocalDate.LocalDate
  readonly until?: LocalDate.LocalDate | undefined
  readonly count?: number | undefined
}): Recurrence => build4(fields.pattern, fields.anchor, fields.until, fields.count)

/** @since 0.1.0 @category patterns */
export const patternOnce: Pattern = { _tag: "once" }

/** @since 0.1.0 @category patterns */
export const patternDaily: Pattern = { _tag: "every", days: 1 }

/**
 * A pattern of every `days` days (not validated: decode configuration with `Pattern`).
 *
 * @since 0.1.0
 * @category patterns
 */
export const patternEvery = (days: number): Pattern => {
  if (days === 1) return patternDaily
  if (!(Number.isInteger(days) && days > 1 && days <= 366)) return { _tag: "every", days }
  // Patterns are values: one per number of days, shared by every recurrence built from it.
  return everyPatterns[days] ??= { _tag: "every", days }
}

const everyPatterns: Array<Pattern | undefined> = []

/**
 * A pattern of the given ISO weekdays.
 *
 * @since 0.1.0
 * @category patterns
 */
export const patternWeekdays = (days: ReadonlyArray<number>): Pattern => ({ _tag: "weekdays", days })

/**
 * A recurrence from a pattern and an anchor.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  pattern: Pattern,
  anchor: LocalDate.LocalDate,
  bounds?: { readonly until?: LocalDate.LocalDate | undefined; readonly count?: number | undefined }
): Recurrence =>
  bounds === undefined
    ? build4(pattern, anchor, undefined, undefined)
    : build4(pattern, anchor, bounds.until, bounds.count)

/**
 * Once, on a date.
 *
 * @since 0.1.0
 * @category constructors
 */
export const once = (date: LocalDate.LocalDate): Recurrence => make(patternOnce, date)

/**
 * Every day from the anchor.
 *
 * @since 0.1.0
 * @category constructors
 */
export const daily = (anchor: LocalDate.LocalDate): Recurrence => make(patternDaily, anchor)

/**
 * Every `days` days from the anchor.
 *
 * @since 0.1.0
 * @category constructors
 */
export const every = (days: number, anchor: LocalDate.LocalDate): Recurrence => make(patternEvery(days), anchor)

/**
 * On the given ISO weekdays (1 = Monday), on or after the anchor.
 *
 * @since 0.1.0
 * @category constructors
 */
export const weekly = (weekdays: ReadonlyArray<number>, anchor: LocalDate.LocalDate): Recurrence =>
  make(patternWeekdays(weekdays), anchor)

/**
 * Bounds a recurrence by a last date (inclusive). An earlier bound already set wins.
 *
 * @since 0.1.0
 * @category combinators
 */
export const until: {
  (date: LocalDate.LocalDate): (self: Recurrence) => Recurrence
  (self: Recurrence, date: LocalDate.LocalDate): Recurrence
} = dual(
  2,
  (self: Recurrence, date: LocalDate.LocalDate): Recurrence =>
    build({ ...self, until: self.until === undefined ? date : LocalDate.min(self.until, date) })
)

/**
 * Bounds a recurrence by a number of occurrences. A smaller count already set wins.
 *
 * @since 0.1.0
 * @category combinators
 */
export const times: {
  (count: number): (self: Recurrence) => Recurrence
  (self: Recurrence, count: number): Recurrence
} = dual(
  2,
  (self: Recurrence, count: number): Recurrence =>
    build({ ...self, count: self.count === undefined ? count : Math.min(self.count, count) })
)

const weekdayOfDay = (day: number): number => {
  const r = (day + 3) % 7
  return (r < 0 ? r + 7 : r) + 1
}

/**
 * The occurrences whose epoch day lies in `[fromDay, toDay]`, as epoch days in ascending
 * order. The low-level form the engine uses; `occurrences` is the friendly one.
 *
 * @since 0.1.0
 * @category getters
 */
export const days = (self: Recurrence, fromDay: number, toDay: number): Array<number> => {
  const out: Array<number> = []
  const anchor = LocalDate.toEpochDay(self.anchor)
  let last = self.until === undefined ? toDay : Math.min(toDay, LocalDate.toEpochDay(self.until))
  const count = self.count
  if (count !== undefined && count < 1) return out
  const p = self.pattern
  switch (p._tag) {
    case "once": {
      if (anchor >= fromDay && anchor <= last) out.push(anchor)
      return out
    }
    case "every": {
      const step = p.days
      if (count !== undefined) last = Math.min(last, anchor + (count - 1) * step)
      let k = fromDay <= anchor ? 0 : Math.ceil((fromDay - anchor) / step)
      for (let d = anchor + k * step; d <= last; k++, d += step) out.push(d)
      return out
    }
    case "weekdays": {
      const mask = [false, false, false, false, false, false, false, false]
      for (const w of p.days) mask[w] = true
      const perWeek = mask.filter(Boolean).length
      if (perWeek === 0) return out
      const start = Math.max(fromDay, anchor)
      let index = 0
      if (count !== undefined) {
        // Occurrences before `start`, counted in O(1): whole weeks, then the remainder.
        const span = start - anchor
        index = Math.floor(span / 7) * perWeek
        for (let d = anchor + Math.floor(span / 7) * 7; d < start; d++) if (mask[weekdayOfDay(d)]) index++
      }
      for (let d = start; d <= last; d++) {
        if (!mask[weekdayOfDay(d)]) continue
        if (count !== undefined && index >= count) break
        out.push(d)
        index++
      }
      return out
    }
  }
}

/**
 * The occurrences inside an inclusive period, in order.
 *
 * @since 0.1.0
 * @category getters
 */
export const occurrences = (
  self: Recurrence,
  period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
): Array<LocalDate.LocalDate> =>
  days(self, LocalDate.toEpochDay(period.from), LocalDate.toEpochDay(period.to)).map(LocalDate.fromEpochDay)

/**
 * Whether the recurrence occurs on a date.
 *
 * @since 0.1.0
 * @category predicates
 */
export const includes: {
  (date: LocalDate.LocalDate): (self: Recurrence) => boolean
  (self: Recurrence, date: LocalDate.LocalDate): boolean
} = dual(2, (self: Recurrence, date: LocalDate.LocalDate): boolean => {
  const d = LocalDate.toEpochDay(date)
  return days(self, d, d).length === 1
})

/**
 * The first occurrence on or after a date, if there is one.
 *
 * @since 0.1.0
 * @category getters
 */
export const next: {
  (date: LocalDate.LocalDate): (self: Recurrence) => LocalDate.LocalDate | undefined
  (self: Recurrence, date: LocalDate.LocalDate): LocalDate.LocalDate | undefined
} = dual(2, (self: Recurrence, date: LocalDate.LocalDate): LocalDate.LocalDate | undefined => {
  const from = Math.max(LocalDate.toEpochDay(date), LocalDate.toEpochDay(self.anchor))
  const step = self.pattern._tag === "every" ? self.pattern.days : 7
  const found = days(self, from, from + step - 1)
  return found.length > 0 ? LocalDate.fromEpochDay(found[0]) : undefined
})

/**
 * A short English description, for explanations: "every 3 days from 2021-05-10, 4 times".
 *
 * @since 0.1.0
 * @category getters
 */
export const describe = (self: Recurrence): string => {
  const names = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
  const p = self.pattern
  const head = p._tag === "once"
    ? `once on ${self.anchor}`
    : p._tag === "every"
    ? `${p.days === 1 ? "daily" : `every ${p.days} days`} from ${self.anchor}`
    : `on ${[...p.days].sort().map((d) => names[d]).join(", ")} from ${self.anchor}`
  return head + (self.until === undefined ? "" : ` until ${self.until}`) +
    (self.count === undefined || p._tag === "once" ? "" : `, ${self.count} time${self.count === 1 ? "" : "s"}`)
}
