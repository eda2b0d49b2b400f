/**
 * Branded identifiers of every entity. Ids are opaque, non-empty strings of at most 64
 * characters (letters, digits, `-`, `_`, `.`, `:`) so they travel safely in URLs, CSV and
 * SQL. Visits carry client-generated ids (a UUID is ideal) so a retried upload is a no-op.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/

const id = <B extends string>(brand: B, what: string) =>
  Schema.String.pipe(
    Schema.filter((s) =>
      ID_PATTERN.test(s) ||
      `expected ${what} id: 1–64 letters, digits, "-", "_", "." or ":" starting with a letter or digit, got ${
        JSON.stringify(s.length > 80 ? s.slice(0, 80) + "…" : s)
      }`
    ),
    Schema.brand(brand),
    Schema.annotations({ identifier: brand })
  )

/** @since 0.1.0 @category ids */
export const PlaceId = id("PlaceId", "a place")
/** @since 0.1.0 @category ids */
export type PlaceId = typeof PlaceId.Type
/** @since 0.1.0 @category ids */
export const LiaisonId = id("LiaisonId", "a liaison")
/** @since 0.1.0 @category ids */
export type LiaisonId = typeof LiaisonId.Type
/** @since 0.1.0 @category ids */
export const HouseholdId = id("HouseholdId", "a household")
/** @since 0.1.0 @category ids */
export type HouseholdId = typeof HouseholdId.Type
/** @since 0.1.0 @category ids */
export const ResidentId = id("ResidentId", "a resident")
/** @since 0.1.0 @category ids */
export type ResidentId = typeof ResidentId.Type
/** @since 0.1.0 @category ids */
export const VisitId = id("VisitId", "a visit")
/** @since 0.1.0 @category ids */
export type VisitId = typeof VisitId.Type
/** @since 0.1.0 @category ids */
export const ArrivalId = id("ArrivalId", "an arrival report")
/** @since 0.1.0 @category ids */
export type ArrivalId = typeof ArrivalId.Type
/** @since 0.1.0 @category ids */
export const MatterId = id("MatterId", "a matter")
/** @since 0.1.0 @category ids */
export type MatterId = typeof MatterId.Type
/** @since 0.1.0 @category ids */
export const CampaignId = id("CampaignId", "a campaign")
/** @since 0.1.0 @category ids */
export type CampaignId = typeof CampaignId.Type
