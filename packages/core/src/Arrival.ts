/**
 * Arrival reports (来（返）人员报备): people coming or returning from elsewhere, ideally
 * reported before they arrive, then monitored for a number of days set by the origin's risk.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ArrivalId, HouseholdId, ResidentId } from "./Ids.js"
import * as Labels from "./Labels.js"
import { LocalDate } from "./LocalDate.js"
import { NationalId, Phone } from "./PersonalData.js"

/**
 * Someone not (yet) on the roster. `nationalId` and `phone` are personal data.
 *
 * @since 0.1.0
 * @category models
 */
export class Newcomer extends Schema.TaggedClass<Newcomer>()("Newcomer", {
  name: Schema.Trim.pipe(Schema.minLength(1, { message: () => "a newcomer needs a name" }), Schema.maxLength(50)),
  nationalId: Schema.optionalWith(NationalId, { exact: true }),
  phone: Schema.optionalWith(Phone, { exact: true })
}) {}

/**
 * A resident already on the roster.
 *
 * @since 0.1.0
 * @category models
 */
export class KnownResident extends Schema.TaggedClass<KnownResident>()("KnownResident", {
  residentId: ResidentId
}) {}

/**
 * An arrival report for a person staying at a household.
 *
 * @since 0.1.0
 * @category models
 */
export class ArrivalReport extends Schema.TaggedClass<ArrivalReport>()(
  "ArrivalReport",
  Schema.Struct({
    id: ArrivalId,
    householdId: HouseholdId,
    person: Schema.Union(KnownResident, Newcomer),
    origin: Schema.Trim.pipe(
      Schema.minLength(1, { message: () => "an arrival report names the origin" }),
      Schema.maxLength(100)
    ),
    originRisk: Labels.literal("riskLevel"),
    expectedArrival: LocalDate,
    actualArrival: Schema.optionalWith(LocalDate, { exact: true }),
    reportedAt: Schema.DateTimeUtc,
    /** Days of monitoring after arrival; omitted means the rule's default for the risk level. */
    monitoringDays: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 60)), { exact: true }),
    status: Labels.literal("arrivalStatus")
  }).pipe(Schema.filter((a) =>
    a.status !== "expected" || a.actualArrival === undefined ||
    { path: ["status"], message: "an arrival with an actualArrival date is no longer \"expected\"" }
  ))
) {}

/**
 * The day the person arrived, or is expected to.
 *
 * @since 0.1.0
 * @category getters
 */
export const arrivalDate = (a: ArrivalReport): LocalDate => a.actualArrival ?? a.expectedArrival
