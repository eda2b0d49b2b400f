/**
 * Residents (居民): people in households, with their vaccination record and eligibility.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { validity } from "./Household.js"
import { HouseholdId, ResidentId } from "./Ids.js"
import * as Labels from "./Labels.js"
import { LocalDate } from "./LocalDate.js"
import { birthDateOfNationalId, NationalId, Phone } from "./PersonalData.js"

/**
 * A vaccine product, as written on the vaccination record (e.g. `sinopharm-bibp`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Product = Schema.Trim.pipe(
  Schema.pattern(/^[a-z0-9][a-z0-9-]{0,39}$/, {
    message: () =>
      "expected a vaccine product code: lowercase letters, digits and hyphens, such as \"sinovac-coronavac\""
  }),
  Schema.annotations({ identifier: "VaccineProduct" })
)

/**
 * One dose received.
 *
 * @since 0.1.0
 * @category models
 */
export class Dose extends Schema.Class<Dose>("Dose")({
  date: LocalDate,
  product: Product
}) {}

/**
 * Whether the person may be vaccinated. Contraindications carry a reason; a temporary one may
 * say until when.
 *
 * @since 0.1.0
 * @category models
 */
export const Eligibility = Schema.Union(
  Schema.TaggedStruct("eligible", {}),
  Schema.TaggedStruct("temporarily-contraindicated", {
    reason: Schema.Trim.pipe(
      Schema.minLength(1, { message: () => "a contraindication needs a reason" }),
      Schema.maxLength(500)
    ),
    until: Schema.optionalWith(LocalDate, { exact: true })
  }),
  Schema.TaggedStruct("permanently-contraindicated", {
    reason: Schema.Trim.pipe(
      Schema.minLength(1, { message: () => "a contraindication needs a reason" }),
      Schema.maxLength(500)
    )
  })
).annotations({ identifier: "Eligibility" })

/** @since 0.1.0 @category models */
export type Eligibility = typeof Eligibility.Type

/**
 * A resident. `nationalId` and `phone` are personal data. When a national ID is given, the
 * birth date written inside it must equal `birthDate`.
 *
 * @since 0.1.0
 * @category models
 */
export class Resident extends Schema.TaggedClass<Resident>()(
  "Resident",
  Schema.Struct({
    id: ResidentId,
    householdId: HouseholdId,
    name: Schema.Trim.pipe(Schema.minLength(1, { message: () => "a resident needs a name" }), Schema.maxLength(50)),
    sex: Labels.literal("sex"),
    birthDate: LocalDate,
    nationalId: Schema.optionalWith(NationalId, { exact: true }),
    phone: Schema.optionalWith(Phone, { exact: true }),
    livesAlone: Schema.Boolean,
    presence: Labels.literal("presence"),
    doses: Schema.Array(Dose),
    eligibility: Eligibility,
    ...validity
  }).pipe(Schema.filter((r) => {
    if (r.nationalId !== undefined && birthDateOfNationalId(r.nationalId) !== r.birthDate) {
      return {
        path: ["nationalId"],
        message: `the national ID says the birth date is ${
          birthDateOfNationalId(r.nationalId)
        }, but birthDate is ${r.birthDate}`
      }
    }
    if (r.activeUntil !== undefined && r.activeUntil < r.activeFrom) {
      return { path: ["activeUntil"], message: `activeUntil (${r.activeUntil}) is before activeFrom (${r.activeFrom})` }
    }
    const early = r.doses.find((d) => d.date < r.birthDate)
    if (early !== undefined) {
      return { path: ["doses"], message: `a dose dated ${early.date} is before the birth date ${r.birthDate}` }
    }
    return undefined
  }))
) {}

/**
 * Doses received on or before a date, oldest first.
 *
 * @since 0.1.0
 * @category getters
 */
export const dosesBy = (resident: Resident, date: LocalDate): ReadonlyArray<Dose> =>
  resident.doses.filter((d) => d.date <= date).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))

/**
 * Whether the resident may be vaccinated on a date (a temporary contraindication with an
 * `until` date lapses after it).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isEligibleOn = (resident: Resident, date: LocalDate): boolean => {
  const e = resident.eligibility
  switch (e._tag) {
    case "eligible":
      return true
    case "temporarily-contraindicated":
      return e.until !== undefined && date > e.until
    case "permanently-contraindicated":
      return false
  }
}
