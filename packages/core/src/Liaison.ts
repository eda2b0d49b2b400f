/**
 * Liaisons (民情联络员): the people who own grids and walk them.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { LiaisonId, PlaceId } from "./Ids.js"
import * as Labels from "./Labels.js"
import { LocalDate } from "./LocalDate.js"
import { Phone } from "./PersonalData.js"

/**
 * Where a liaison was chosen from.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Background = Labels.literal("liaisonBackground")

/**
 * A liaison: name, phone (personal data), background, the grid(s) they own.
 *
 * @since 0.1.0
 * @category models
 */
export class Liaison extends Schema.TaggedClass<Liaison>()("Liaison", {
  id: LiaisonId,
  name: Schema.Trim.pipe(Schema.minLength(1, { message: () => "a liaison needs a name" }), Schema.maxLength(50)),
  phone: Phone,
  background: Background,
  gridIds: Schema.Array(PlaceId).pipe(Schema.minItems(1, { message: () => "a liaison owns at least one grid" })),
  appointedFrom: LocalDate,
  active: Schema.Boolean
}) {}
