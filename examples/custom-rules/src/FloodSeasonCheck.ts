/**
 * A rule of the subdistrict's own: during the flood season (汛期), households in low-lying
 * places get a check twice a week, high priority. Any contacted visit counts, so the weekly
 * sweep's door-knock resolves it too.
 */
import { Ids, LocalDate, Recurrence, Rule } from "@minqing/core"
import { Schema } from "effect"

/**
 * The rule's parameters: the low-lying places (villages or grids; a household inside any of
 * them is covered), the season, the weekdays of the checks and the days each stays open.
 */
export const FloodSeasonParams = Schema.Struct({
  areas: Schema.Array(Ids.PlaceId),
  season: LocalDate.Period,
  weekdays: Schema.Array(Recurrence.Weekday).pipe(Schema.minItems(1)),
  windowDays: Schema.Int.pipe(Schema.between(1, 7))
})

export const floodSeasonCheck = Rule.make({
  id: "flood-season-check",
  version: 1,
  title: { "zh-Hans": "汛期低洼户巡查", "zh-Hant": "汛期低窪戶巡查", en: "Flood-season check of low-lying households" },
  description: "Check on households in low-lying places twice a week during the flood season.",
  subject: Rule.household,
  params: FloodSeasonParams,
  defaults: {
    areas: [],
    season: LocalDate.period("2021-06-01", "2021-09-30"),
    weekdays: [1, 4],
    windowDays: 3
  },
  applies: (household, { params, places }) => {
    const area = params.areas.find((a) => household.gridId === a || places.isWithin(household.gridId, a))
    if (area === undefined) return undefined
    return Rule.during(
      params.season,
      [
        `household ${household.id} lies in low-lying ${area}`,
        `flood season ${params.season.from}..${params.season.to}`
      ],
      [{ tag: "Household", id: household.id }, { tag: "Place", id: area }]
    ).pipe(Rule.within(household, `household ${household.id}`))
  },
  // Mondays and Thursdays from the start of the season
  recurrence: (_, { from, params }) => Recurrence.weekly(params.weekdays, from),
  window: (_, params) => ({ before: 0, after: params.windowDays - 1 }),
  priority: "high",
  resolvedBy: Rule.contacted
})
