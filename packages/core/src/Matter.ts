/**
 * Matters (民情事项): residents' requests, problems and disputes, tracked to resolution.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { HouseholdId, LiaisonId, MatterId, ResidentId } from "./Ids.js"
import * as Labels from "./Labels.js"
import { LocalDate } from "./LocalDate.js"

const Text = Schema.Trim.pipe(Schema.minLength(1, { message: () => "text must not be empty" }), Schema.maxLength(1000))

/**
 * How a matter was resolved.
 *
 * @since 0.1.0
 * @category models
 */
export class Resolution extends Schema.Class<Resolution>("Resolution")({
  at: Schema.DateTimeUtc,
  note: Text
}) {}

/**
 * A matter. Follow-ups are recorded as `matter` observations on visits; the status here is
 * the latest known one.
 *
 * @since 0.1.0
 * @category models
 */
export class Matter extends Schema.TaggedClass<Matter>()(
  "Matter",
  Schema.Struct({
    id: MatterId,
    householdId: HouseholdId,
    residentId: Schema.optionalWith(ResidentId, { exact: true }),
    raisedBy: Schema.optionalWith(LiaisonId, { exact: true }),
    category: Labels.literal("matterCategory"),
    summary: Text,
    openedAt: Schema.DateTimeUtc,
    dueBy: LocalDate,
    status: Labels.literal("matterStatus"),
    resolution: Schema.optionalWith(Resolution, { exact: true })
  }).pipe(Schema.filter((m) =>
    (m.status === "resolved") === (m.resolution !== undefined) ||
    {
      path: ["resolution"],
      message: m.status === "resolved"
        ? "a resolved matter needs a resolution"
        : "only a resolved matter has a resolution"
    }
  ))
) {}
