/**
 * Visits (入户排查): one knock on a household's door, with what was observed. Visits are
 * append-only and carry client-generated ids, so a device may upload the same visit twice
 * and the second is a no-op.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { HouseholdId, LiaisonId, VisitId } from "./Ids.js"
import * as Labels from "./Labels.js"
import { Observation } from "./Observation.js"

/**
 * How the knock went.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Outcome = Labels.literal("visitOutcome")

/**
 * A visit. `at` is the instant; its local date in the deployment zone is the day it counts
 * for. Observations need a `contacted` outcome.
 *
 * @since 0.1.0
 * @category models
 */
export class Visit extends Schema.TaggedClass<Visit>()(
  "Visit",
  Schema.Struct({
    id: VisitId,
    householdId: HouseholdId,
    liaisonId: LiaisonId,
    at: Schema.DateTimeUtc,
    outcome: Outcome,
    observations: Schema.Array(Observation).pipe(Schema.maxItems(100))
  }).pipe(Schema.filter((v) =>
    v.outcome === "contacted" || v.observations.length === 0 ||
    { path: ["observations"], message: `a visit with outcome "${v.outcome}" cannot record observations` }
  ))
) {}
