/**
 * Facts: every kind of record the system keeps, as one tagged union, and `Facts`, a bundle
 * of them (what a store loads for a scope and what the engines read).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ArrivalReport } from "./Arrival.js"
import { Campaign } from "./Campaign.js"
import { Household } from "./Household.js"
import { Liaison } from "./Liaison.js"
import { Matter } from "./Matter.js"
import { Place } from "./Place.js"
import { Resident } from "./Resident.js"
import { Visit } from "./Visit.js"

/**
 * Any fact, discriminated by `_tag`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Fact = Schema.Union(Place, Liaison, Household, Resident, Visit, ArrivalReport, Matter, Campaign)
  .annotations({ identifier: "Fact" })

/** @since 0.1.0 @category models */
export type Fact = typeof Fact.Type

/** @since 0.1.0 @category models */
export type Tag = Fact["_tag"]

/**
 * The fact type of a tag.
 *
 * @since 0.1.0
 * @category models
 */
export type Of<T extends Tag> = Extract<Fact, { readonly _tag: T }>

/**
 * The tags, in the order a store writes a mixed batch (parents before children).
 *
 * @since 0.1.0
 * @category constants
 */
export const tags: ReadonlyArray<Tag> = [
  "Place",
  "Liaison",
  "Household",
  "Resident",
  "Campaign",
  "ArrivalReport",
  "Matter",
  "Visit"
]

/**
 * The schema of each tag.
 *
 * @since 0.1.0
 * @category schemas
 */
export const schemas: { readonly [T in Tag]: Schema.Schema<Of<T>, Schema.Schema.Encoded<typeof Fact>> } = {
  Place,
  Liaison,
  Household,
  Resident,
  Visit,
  ArrivalReport,
  Matter,
  Campaign
} as any

/**
 * A bundle of facts: a scope's places, roster, visits and the rest. Engines are plain
 * functions of a `Facts` and a date.
 *
 * @since 0.1.0
 * @category models
 */
export interface Facts {
  readonly places: ReadonlyArray<Place>
  readonly liaisons: ReadonlyArray<Liaison>
  readonly households: ReadonlyArray<Household>
  readonly residents: ReadonlyArray<Resident>
  readonly visits: ReadonlyArray<Visit>
  readonly arrivals: ReadonlyArray<ArrivalReport>
  readonly matters: ReadonlyArray<Matter>
  readonly campaigns: ReadonlyArray<Campaign>
}

/**
 * No facts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Facts = {
  places: [],
  liaisons: [],
  households: [],
  residents: [],
  visits: [],
  arrivals: [],
  matters: [],
  campaigns: []
}

/**
 * Groups loose facts into a bundle (the last fact with an id wins, as in a store).
 *
 * @since 0.1.0
 * @category constructors
 */
export const bundle = (facts: Iterable<Fact>): Facts => {
  const by = {
    Place: new Map<string, Place>(),
    Liaison: new Map<string, Liaison>(),
    Household: new Map<string, Household>(),
    Resident: new Map<string, Resident>(),
    Visit: new Map<string, Visit>(),
    ArrivalReport: new Map<string, ArrivalReport>(),
    Matter: new Map<string, Matter>(),
    Campaign: new Map<string, Campaign>()
  }
  for (const f of facts) (by[f._tag] as Map<string, Fact>).set(f.id, f)
  return {
    places: [...by.Place.values()],
    liaisons: [...by.Liaison.values()],
    households: [...by.Household.values()],
    residents: [...by.Resident.values()],
    visits: [...by.Visit.values()],
    arrivals: [...by.ArrivalReport.values()],
    matters: [...by.Matter.values()],
    campaigns: [...by.Campaign.values()]
  }
}

/**
 * Every fact of a bundle, in write order (parents before children).
 *
 * @since 0.1.0
 * @category getters
 */
export const toArray = (facts: Facts): Array<Fact> => [
  ...facts.places,
  ...facts.liaisons,
  ...facts.households,
  ...facts.residents,
  ...facts.campaigns,
  ...facts.arrivals,
  ...facts.matters,
  ...facts.visits
]
