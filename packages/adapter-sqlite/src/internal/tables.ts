import type { TimeZone } from "@minqing/core"
import { Fact, Problem, WriteCheck } from "@minqing/core"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** @internal */
export const tableOf: { readonly [T in Fact.Tag]: string } = {
  Place: "places",
  Liaison: "liaisons",
  Household: "households",
  Resident: "residents",
  Visit: "visits",
  ArrivalReport: "arrivals",
  Matter: "matters",
  Campaign: "campaigns"
}

/**
 * How a kind of fact is found by place subtree:
 * - `place`: the row's own id is the place;
 * - `placements`: through the `placements` of its version (a liaison's grids);
 * - `column`: its `place_id` column (a household's grid, a campaign's scope);
 * - `household`: through its household's `place_id`, as of the same instant.
 *
 * @internal
 */
export type ScopeKind = "place" | "placements" | "column" | "household"

/** @internal */
export const scopeOf: { readonly [T in Fact.Tag]: ScopeKind } = {
  Place: "place",
  Liaison: "placements",
  Household: "column",
  Resident: "household",
  Visit: "household",
  ArrivalReport: "household",
  Matter: "household",
  Campaign: "column"
}

/**
 * The indexed columns of a version, besides `seq`, `id`, `recorded_at`, `superseded_at`
 * and `data`.
 *
 * @internal
 */
export const columnsOf = (
  fact: Fact.Fact,
  zone: TimeZone.TimeZone
): Record<string, string | number | null> => {
  switch (fact._tag) {
    case "Place":
      return { parent_id: fact.parentId ?? null, level: fact.level }
    case "Liaison":
      return {}
    case "Household":
      return {
        place_id: fact.gridId,
        route_position: fact.routePosition,
        active_from: fact.activeFrom,
        active_until: fact.activeUntil ?? null
      }
    case "Resident":
      return {
        household_id: fact.householdId,
        national_id: fact.nationalId ?? null,
        name: fact.name,
        birth_date: fact.birthDate
      }
    case "Visit": {
      const at = fact.at.epochMillis
      return {
        household_id: fact.householdId,
        liaison_id: fact.liaisonId,
        at,
        local_date: zone.dateOf(at),
        outcome: fact.outcome
      }
    }
    case "ArrivalReport":
    case "Matter":
      return { household_id: fact.householdId }
    case "Campaign":
      return { place_id: fact.scopeId, period_from: fact.period.from, period_to: fact.period.to }
  }
}

const decoders = Object.fromEntries(
  Fact.tags.map((tag) => [tag, Schema.decodeUnknownEither(Fact.schemas[tag] as Schema.Schema<Fact.Fact, unknown>)])
) as { readonly [T in Fact.Tag]: (u: unknown) => Either.Either<Fact.Of<T>, ParseResult.ParseError> }

const isOf = <T extends Fact.Tag>(tag: T, fact: Fact.Fact): fact is Fact.Of<T> => fact._tag === tag

/**
 * Decodes a `data` column (the fact encoded with its Schema, as JSON).
 *
 * @internal
 */
export const decodeData = <T extends Fact.Tag>(tag: T, data: string): Either.Either<Fact.Of<T>, Problem.StoreError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch (cause) {
    return Either.left(new Problem.StoreError({ reason: `a stored ${tag} is not valid JSON`, cause }))
  }
  // The core's decoder takes a fast path for the valid records a store holds; a record it
  // refuses goes through the tag's own schema below, for the error.
  try {
    const fact = WriteCheck.decode(parsed)
    if (isOf(tag, fact)) return Either.right(fact)
  } catch {
    // reported below
  }
  return Either.mapLeft(
    decoders[tag](parsed) as Either.Either<Fact.Of<T>, ParseResult.ParseError>,
    (error) => new Problem.StoreError({ reason: `a stored ${tag} no longer decodes: ${error.message}`, cause: error })
  )
}
