/**
 * Households (户): the unit of the door-to-door round.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { HouseholdId, PlaceId } from "./Ids.js"
import { LocalDate } from "./LocalDate.js"

/**
 * WGS-84 coordinates.
 *
 * @since 0.1.0
 * @category models
 */
export class Coordinates extends Schema.Class<Coordinates>("Coordinates")({
  lat: Schema.Number.pipe(Schema.between(-90, 90)),
  lng: Schema.Number.pipe(Schema.between(-180, 180))
}) {}

/**
 * Validity dates shared by households and residents: active from a date, until an optional
 * last date (inclusive), so a figure "as of" a past date is reproducible.
 *
 * @since 0.1.0
 * @category schemas
 */
export const validity = {
  activeFrom: LocalDate,
  activeUntil: Schema.optionalWith(LocalDate, { exact: true })
}

/**
 * Whether a record with validity dates is active on a date.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isActiveOn = (
  record: { readonly activeFrom: LocalDate; readonly activeUntil?: LocalDate },
  date: LocalDate
): boolean => record.activeFrom <= date && (record.activeUntil === undefined || date <= record.activeUntil)

/**
 * A household: its grid, address and position on the liaison's route (east → west, smaller
 * first).
 *
 * @since 0.1.0
 * @category models
 */
export class Household extends Schema.TaggedClass<Household>()(
  "Household",
  Schema.Struct({
    id: HouseholdId,
    gridId: PlaceId,
    address: Schema.Trim.pipe(
      Schema.minLength(1, { message: () => "a household needs an address" }),
      Schema.maxLength(200)
    ),
    routePosition: Schema.Int.pipe(Schema.between(0, 1_000_000)),
    coordinates: Schema.optionalWith(Coordinates, { exact: true }),
    ...validity
  }).pipe(Schema.filter((h) =>
    h.activeUntil === undefined || h.activeUntil >= h.activeFrom ||
    { path: ["activeUntil"], message: `activeUntil (${h.activeUntil}) is before activeFrom (${h.activeFrom})` }
  ))
) {}
