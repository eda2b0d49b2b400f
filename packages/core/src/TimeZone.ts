/**
 * The deployment's time zone: how instants become local dates.
 *
 * A visit at 23:30 in Jiaozuo counts for that local day, whatever the server's zone. The
 * zone is an IANA name; conversions use `Intl` once per 15 minutes of UTC (every real zone
 * changes offset on a quarter hour) and are cached, so turning 160k visits into dates is
 * cheap.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import * as LocalDate from "./LocalDate.js"

const isZoneName = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name })
    return true
  } catch {
    return false
  }
}

/**
 * An IANA time zone name such as `Asia/Shanghai`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ZoneName = Schema.String.pipe(
  Schema.filter((s) =>
    isZoneName(s) || `expected an IANA time zone name such as "Asia/Shanghai", got ${JSON.stringify(s)}`
  ),
  Schema.brand("ZoneName"),
  Schema.annotations({ identifier: "ZoneName", examples: ["Asia/Shanghai" as any] })
)

/** @since 0.1.0 @category models */
export type ZoneName = typeof ZoneName.Type

/**
 * The default zone of the source deployment (Jiaozuo, Henan).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ZONE = "Asia/Shanghai" as ZoneName

const QUARTER_HOUR = 15 * 60 * 1000
const DAY = 24 * 60 * 60 * 1000

/**
 * A time zone with cached conversions between instants (epoch milliseconds) and local dates.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimeZone {
  readonly name: ZoneName
  /** Offset from UTC in milliseconds at the instant. */
  readonly offsetAt: (epochMillis: number) => number
  /** The local date of an instant. */
  readonly dateOf: (epochMillis: number) => LocalDate.LocalDate
  /** The first instant of a local date. */
  readonly startOf: (date: LocalDate.LocalDate) => number
  /** The first instant of the next local date (an exclusive end). */
  readonly endOf: (date: LocalDate.LocalDate) => number
}

const cache = new Map<string, TimeZone>()

/**
 * A zone by name, throwing when the name is unknown (decode with `ZoneName` for input).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (name: string): TimeZone => {
  const cached = cache.get(name)
  if (cached) return cached
  if (!isZoneName(name)) throw new Error(`Unknown time zone ${JSON.stringify(name)}`)
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: name,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric"
  })
  const offsets = new Map<number, number>()
  const offsetAt = (epochMillis: number): number => {
    const bucket = Math.floor(epochMillis / QUARTER_HOUR)
    let offset = offsets.get(bucket)
    if (offset === undefined) {
      const at = bucket * QUARTER_HOUR
      const parts: Record<string, number> = {}
      for (const p of format.formatToParts(new Date(at))) {
        if (p.type !== "literal") parts[p.type] = Number(p.value)
      }
      const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second)
      offset = asUtc - at
      offsets.set(bucket, offset)
    }
    return offset
  }
  const dateOf = (epochMillis: number) =>
    LocalDate.fromEpochDay(Math.floor((epochMillis + offsetAt(epochMillis)) / DAY))
  const startOf = (date: LocalDate.LocalDate) => {
    const localMidnight = LocalDate.toEpochDay(date) * DAY
    // Two passes settle the offset even when midnight falls next to a transition.
    let guess = localMidnight - offsetAt(localMidnight)
    guess = localMidnight - offsetAt(guess)
    return guess
  }
  const zone: TimeZone = {
    name: name as ZoneName,
    offsetAt,
    dateOf,
    startOf,
    endOf: (date) => startOf(LocalDate.addDays(date, 1))
  }
  cache.set(name, zone)
  return zone
}

/**
 * The local date of an Effect `DateTime` in the zone.
 *
 * @since 0.1.0
 * @category conversions
 */
export const dateOfDateTime = (zone: TimeZone, dateTime: DateTime.DateTime): LocalDate.LocalDate =>
  zone.dateOf(DateTime.toEpochMillis(dateTime))
