/**
 * The typed observations a visit records. Each names what it is about (a resident, an
 * arrival report, a campaign or a matter), so rules can tell which task a visit resolves.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ArrivalId, CampaignId, MatterId, ResidentId } from "./Ids.js"
import * as Labels from "./Labels.js"

const Note = Schema.Trim.pipe(Schema.maxLength(500))

/**
 * A health check of a resident or of a person named in an arrival report (at least one).
 *
 * @since 0.1.0
 * @category models
 */
export class HealthCheck extends Schema.TaggedClass<HealthCheck>()(
  "health-check",
  Schema.Struct({
    residentId: Schema.optionalWith(ResidentId, { exact: true }),
    arrivalId: Schema.optionalWith(ArrivalId, { exact: true }),
    temperatureC: Schema.optionalWith(Schema.Number.pipe(Schema.between(30, 45)), { exact: true }),
    symptoms: Schema.Boolean,
    note: Schema.optionalWith(Note, { exact: true })
  }).pipe(Schema.filter((o) =>
    o.residentId !== undefined || o.arrivalId !== undefined ||
    { path: ["residentId"], message: "a health check names the person: residentId, arrivalId or both" }
  ))
) {}

/**
 * A check of a resident's vaccination status: what was seen, whether the policy was
 * explained, and why they refuse if they do.
 *
 * @since 0.1.0
 * @category models
 */
export class VaccinationCheck extends Schema.TaggedClass<VaccinationCheck>()("vaccination-check", {
  residentId: ResidentId,
  status: Labels.literal("vaccinationStatus"),
  persuaded: Schema.Boolean,
  refusalReason: Schema.optionalWith(Note, { exact: true })
}) {}

/**
 * How an elderly person living alone is, and what they need.
 *
 * @since 0.1.0
 * @category models
 */
export class ElderlyWellbeing extends Schema.TaggedClass<ElderlyWellbeing>()("elderly-wellbeing", {
  residentId: ResidentId,
  wellbeing: Labels.literal("wellbeing"),
  needs: Schema.Array(Labels.literal("need")),
  note: Schema.optionalWith(Note, { exact: true })
}) {}

/**
 * Preventive decoction handed out to the household during a campaign.
 *
 * @since 0.1.0
 * @category models
 */
export class Decoction extends Schema.TaggedClass<Decoction>()("decoction", {
  campaignId: CampaignId,
  servings: Schema.Int.pipe(Schema.between(1, 50))
}) {}

/**
 * Publicity delivered to the household for a campaign.
 *
 * @since 0.1.0
 * @category models
 */
export class Publicity extends Schema.TaggedClass<Publicity>()("publicity", {
  campaignId: CampaignId,
  medium: Labels.literal("publicityMedium")
}) {}

/**
 * A matter raised or followed up during the visit.
 *
 * @since 0.1.0
 * @category models
 */
export class MatterFollowUp extends Schema.TaggedClass<MatterFollowUp>()("matter", {
  matterId: MatterId,
  note: Note
}) {}

/**
 * An arriving person seen at the household.
 *
 * @since 0.1.0
 * @category models
 */
export class ArrivalSeen extends Schema.TaggedClass<ArrivalSeen>()("arrival-seen", {
  arrivalId: ArrivalId
}) {}

/**
 * Any observation.
 *
 * @since 0.1.0
 * @category models
 */
export const Observation = Schema.Union(
  HealthCheck,
  VaccinationCheck,
  ElderlyWellbeing,
  Decoction,
  Publicity,
  MatterFollowUp,
  ArrivalSeen
).annotations({ identifier: "Observation" })

/** @since 0.1.0 @category models */
export type Observation = typeof Observation.Type

/** @since 0.1.0 @category models */
export type Kind = Observation["_tag"]
