/**
 * The rule pack of another subdistrict (an illustrative 九里山街道, Jiulishan), built on the
 * core's built-in pack without forking it:
 *
 * - the household sweep is weekly instead of daily: due on Sunday, any contacted visit from
 *   Monday to Sunday counts;
 * - a rule of its own, `flood-season-check` (see `FloodSeasonCheck.ts`);
 * - decoction distribution is removed (the subdistrict runs no decoction campaign).
 *
 * The places that are low-lying differ by deployment, so they are configured from plain JSON
 * with `configure`, validated by the rule's schema.
 */
import { BuiltInRules, Recurrence, Rule, RulePack } from "@minqing/core"
import type { Either } from "effect"
import { floodSeasonCheck } from "./FloodSeasonCheck.js"

export { floodSeasonCheck, FloodSeasonParams } from "./FloodSeasonCheck.js"

/** The built-in sweep, weekly: due each Sunday, the window the whole week. */
export const weeklySweep = Rule.withParams(BuiltInRules.householdSweep, {
  cadence: Recurrence.patternWeekdays([7]),
  window: { before: 6, after: 0 }
})

/** The subdistrict's pack. */
export const pack: RulePack.RulePack = BuiltInRules.pack.pipe(
  RulePack.rename("jiulishan"),
  RulePack.remove("decoction-distribution"),
  // `add` replaces the built-in sweep in place and appends the new rule
  RulePack.add(weeklySweep, floodSeasonCheck)
)

/**
 * The pack with the deployment's settings, as they come from a configuration file:
 * `{ "flood-season-check": { "params": { "areas": ["jls.v03"] } } }`.
 */
export const configure = (config: unknown): Either.Either<RulePack.RulePack, Rule.InvalidParams | Rule.UnknownRule> =>
  RulePack.configure(pack, config)
