/**
 * Campaigns: dated publicity or distribution drives over a place (decoction distribution,
 * leaflet rounds, online notices with their posts and reach).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { CampaignId, PlaceId } from "./Ids.js"
import * as Labels from "./Labels.js"
import { Period } from "./LocalDate.js"

/**
 * An online post made for a campaign.
 *
 * @since 0.1.0
 * @category models
 */
export class Post extends Schema.Class<Post>("Post")({
  channel: Labels.literal("channel"),
  at: Schema.DateTimeUtc,
  reach: Schema.Int.pipe(Schema.nonNegative())
}) {}

/**
 * A campaign over a place's subtree, for an inclusive period of local dates.
 *
 * @since 0.1.0
 * @category models
 */
export class Campaign extends Schema.TaggedClass<Campaign>()("Campaign", {
  id: CampaignId,
  kind: Labels.literal("campaignKind"),
  name: Schema.Trim.pipe(Schema.minLength(1, { message: () => "a campaign needs a name" }), Schema.maxLength(100)),
  scopeId: PlaceId,
  period: Period,
  posts: Schema.Array(Post)
}) {}
