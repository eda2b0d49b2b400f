/**
 * Who is acting: roles, the place subtrees they reach, and what each role may write.
 * Stores enforce this on every read and write; personal data is visible only to roles that
 * need it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as Fact from "./Fact.js"
import { PlaceId } from "./Ids.js"
import * as Labels from "./Labels.js"

/**
 * A role: liaison (own grid), village leader (own village), subdistrict admin (everything),
 * auditor (read-only, personal data masked).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Role = Labels.literal("role")

/** @since 0.1.0 @category models */
export type Role = typeof Role.Type

/**
 * The one doing a read or a write: an id for the audit trail, a role, and the roots of the
 * place subtrees they reach.
 *
 * @since 0.1.0
 * @category models
 */
export class Actor extends Schema.Class<Actor>("Actor")({
  id: Schema.String.pipe(Schema.minLength(1)),
  role: Role,
  scope: Schema.Array(PlaceId)
}) {}

/**
 * An actor that may do anything: for seeding, migrations and jobs run by the deployment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const system = (rootIds: ReadonlyArray<PlaceId>, id = "system"): Actor =>
  new Actor({ id, role: "subdistrict-admin", scope: rootIds }, { disableValidation: true })

const writable: { readonly [R in Role]: ReadonlySet<Fact.Tag> } = {
  liaison: new Set(["Visit", "Resident", "ArrivalReport", "Matter"]),
  "village-leader": new Set(["Visit", "Household", "Resident", "ArrivalReport", "Matter", "Campaign", "Liaison"]),
  "subdistrict-admin": new Set([
    "Place",
    "Liaison",
    "Household",
    "Resident",
    "Visit",
    "ArrivalReport",
    "Matter",
    "Campaign"
  ]),
  auditor: new Set()
}

/**
 * Whether the role may write facts of this kind (within its scope).
 *
 * @since 0.1.0
 * @category policy
 */
export const canWrite = (role: Role, tag: Fact.Tag): boolean => writable[role].has(tag)

/**
 * Whether the role may see national ID numbers and phone numbers unmasked.
 *
 * @since 0.1.0
 * @category policy
 */
export const seesPersonalData = (role: Role): boolean => role !== "auditor"
