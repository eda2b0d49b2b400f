/**
 * A small hand-built world for the store conformance suite: Daiwang subdistrict with two
 * villages, three grids, three liaisons, four households, four residents, a campaign, an
 * arrival report, a matter and two visits on 2021-05-10 (Asia/Shanghai), plus builders to
 * vary them and the actors that read and write them.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import { Actor } from "../Access.js"
import { ArrivalReport, KnownResident, Newcomer } from "../Arrival.js"
import { Campaign } from "../Campaign.js"
import type * as Fact from "../Fact.js"
import { Household } from "../Household.js"
import * as Ids from "../Ids.js"
import { Liaison } from "../Liaison.js"
import * as LocalDate from "../LocalDate.js"
import { Matter } from "../Matter.js"
import { Decoction, HealthCheck } from "../Observation.js"
import * as PersonalData from "../PersonalData.js"
import { Place } from "../Place.js"
import { Dose, Resident } from "../Resident.js"
import { Visit } from "../Visit.js"

/**
 * The fixture's "now": 2021-05-10 10:00 in Asia/Shanghai.
 *
 * @since 0.1.0
 * @category constants
 */
export const NOW = "2021-05-10T10:00:00+08:00"

/**
 * The local date of {@link NOW}.
 *
 * @since 0.1.0
 * @category constants
 */
export const TODAY = LocalDate.make("2021-05-10")

/**
 * Epoch milliseconds of an ISO instant (with its offset).
 *
 * @since 0.1.0
 * @category utils
 */
export const millis = (iso: string): number => DateTime.toEpochMillis(DateTime.unsafeMake(iso))

/**
 * A `DateTime.Utc` of an ISO instant (with its offset).
 *
 * @since 0.1.0
 * @category utils
 */
export const instant = (iso: string): DateTime.Utc => DateTime.unsafeMake(millis(iso))

/**
 * A valid national ID number (GB 11643 check character computed) for a birth date.
 *
 * @since 0.1.0
 * @category utils
 */
export const nationalId = (birthDate: string, sequence: number, region = "410811"): PersonalData.NationalId => {
  const first17 = region + birthDate.replaceAll("-", "") + String(sequence).padStart(3, "0")
  return PersonalData.NationalId.make(first17 + PersonalData.nationalIdCheckDigit(first17))
}

/** @since 0.1.0 @category ids */
export const ids = {
  subdistrict: Ids.PlaceId.make("daiwang"),
  village1: Ids.PlaceId.make("dongcun"),
  village2: Ids.PlaceId.make("xicun"),
  grid11: Ids.PlaceId.make("dongcun-1"),
  grid12: Ids.PlaceId.make("dongcun-2"),
  grid21: Ids.PlaceId.make("xicun-1"),
  liaison11: Ids.LiaisonId.make("l-dong-1"),
  liaison12: Ids.LiaisonId.make("l-dong-2"),
  liaison21: Ids.LiaisonId.make("l-xi-1"),
  household1: Ids.HouseholdId.make("h-dong-1-01"),
  household2: Ids.HouseholdId.make("h-dong-1-02"),
  household3: Ids.HouseholdId.make("h-dong-2-01"),
  household4: Ids.HouseholdId.make("h-xi-1-01"),
  resident1: Ids.ResidentId.make("r-wang-xiuying"),
  resident2: Ids.ResidentId.make("r-li-jianguo"),
  resident3: Ids.ResidentId.make("r-zhang-wei"),
  resident4: Ids.ResidentId.make("r-liu-fang"),
  campaign: Ids.CampaignId.make("c-decoction-may"),
  arrival: Ids.ArrivalId.make("a-chen-ming"),
  matter: Ids.MatterId.make("m-roof-leak"),
  visit1: Ids.VisitId.make("v-0001"),
  visit2: Ids.VisitId.make("v-0002")
} as const

/**
 * A place.
 *
 * @since 0.1.0
 * @category builders
 */
export const place = (id: string, name: string, level: string, parentId?: string): Place =>
  new Place({
    id: Ids.PlaceId.make(id),
    name,
    level,
    ...(parentId === undefined ? {} : { parentId: Ids.PlaceId.make(parentId) })
  })

/**
 * A liaison owning grids.
 *
 * @since 0.1.0
 * @category builders
 */
export const liaison = (id: string, name: string, gridIds: ReadonlyArray<string>, phone = "13900000001"): Liaison =>
  new Liaison({
    id: Ids.LiaisonId.make(id),
    name,
    phone: PersonalData.Phone.make(phone),
    background: "party-member",
    gridIds: gridIds.map((g) => Ids.PlaceId.make(g)),
    appointedFrom: LocalDate.make("2021-04-01"),
    active: true
  })

/**
 * A household on a grid.
 *
 * @since 0.1.0
 * @category builders
 */
export const household = (
  id: string,
  gridId: string,
  overrides: Partial<Omit<ConstructorParameters<typeof Household>[0], "id" | "gridId">> = {}
): Household =>
  new Household({
    id: Ids.HouseholdId.make(id),
    gridId: Ids.PlaceId.make(gridId),
    address: `${id} 号`,
    routePosition: 1,
    activeFrom: LocalDate.make("2021-01-01"),
    ...overrides
  })

/**
 * A resident of a household (present, eligible, no doses, no national ID unless given).
 *
 * @since 0.1.0
 * @category builders
 */
export const resident = (
  id: string,
  householdId: string,
  overrides: Partial<Omit<ConstructorParameters<typeof Resident>[0], "id" | "householdId">> = {}
): Resident =>
  new Resident({
    id: Ids.ResidentId.make(id),
    householdId: Ids.HouseholdId.make(householdId),
    name: "居民",
    sex: "female",
    birthDate: LocalDate.make("1970-01-01"),
    livesAlone: false,
    presence: "present",
    doses: [],
    eligibility: { _tag: "eligible" },
    activeFrom: LocalDate.make("2021-01-01"),
    ...overrides
  })

/**
 * A visit at an instant (ISO with offset), contacted with no observations unless overridden.
 *
 * @since 0.1.0
 * @category builders
 */
export const visit = (
  id: string,
  householdId: string,
  liaisonId: string,
  at: string,
  overrides: Partial<Omit<ConstructorParameters<typeof Visit>[0], "id" | "householdId" | "liaisonId" | "at">> = {}
): Visit =>
  new Visit({
    id: Ids.VisitId.make(id),
    householdId: Ids.HouseholdId.make(householdId),
    liaisonId: Ids.LiaisonId.make(liaisonId),
    at: instant(at),
    outcome: "contacted",
    observations: [],
    ...overrides
  })

/**
 * A campaign over a place.
 *
 * @since 0.1.0
 * @category builders
 */
export const campaign = (id: string, scopeId: string, from = "2021-05-01", to = "2021-05-31"): Campaign =>
  new Campaign({
    id: Ids.CampaignId.make(id),
    kind: "decoction",
    name: "五月中药预防汤剂发放",
    scopeId: Ids.PlaceId.make(scopeId),
    period: LocalDate.period(from, to),
    posts: []
  })

/**
 * A matter at a household.
 *
 * @since 0.1.0
 * @category builders
 */
export const matter = (id: string, householdId: string, residentId?: string): Matter =>
  new Matter({
    id: Ids.MatterId.make(id),
    householdId: Ids.HouseholdId.make(householdId),
    ...(residentId === undefined ? {} : { residentId: Ids.ResidentId.make(residentId) }),
    category: "help-request",
    summary: "屋顶漏雨，需要维修",
    openedAt: instant("2021-05-09T09:00:00+08:00"),
    dueBy: LocalDate.make("2021-05-12"),
    status: "open"
  })

/**
 * An arrival report at a household, for a newcomer or (with `residentId`) a known resident.
 *
 * @since 0.1.0
 * @category builders
 */
export const arrival = (id: string, householdId: string, residentId?: string): ArrivalReport =>
  new ArrivalReport({
    id: Ids.ArrivalId.make(id),
    householdId: Ids.HouseholdId.make(householdId),
    person: residentId === undefined
      ? new Newcomer({ name: "陈明" })
      : new KnownResident({ residentId: Ids.ResidentId.make(residentId) }),
    origin: "广州",
    originRisk: "medium",
    expectedArrival: LocalDate.make("2021-05-09"),
    actualArrival: LocalDate.make("2021-05-09"),
    reportedAt: instant("2021-05-08T10:00:00+08:00"),
    status: "arrived"
  })

/** @since 0.1.0 @category facts */
export const subdistrict = place(ids.subdistrict, "待王街道", "subdistrict")
/** @since 0.1.0 @category facts */
export const village1 = place(ids.village1, "东村", "village", ids.subdistrict)
/** @since 0.1.0 @category facts */
export const village2 = place(ids.village2, "西村", "village", ids.subdistrict)
/** @since 0.1.0 @category facts */
export const grid11 = place(ids.grid11, "东村一片区", "grid", ids.village1)
/** @since 0.1.0 @category facts */
export const grid12 = place(ids.grid12, "东村二片区", "grid", ids.village1)
/** @since 0.1.0 @category facts */
export const grid21 = place(ids.grid21, "西村一片区", "grid", ids.village2)
/** @since 0.1.0 @category facts */
export const liaison11 = liaison(ids.liaison11, "赵红梅", [ids.grid11], "13900000011")
/** @since 0.1.0 @category facts */
export const liaison12 = liaison(ids.liaison12, "孙立新", [ids.grid12], "13900000012")
/** @since 0.1.0 @category facts */
export const liaison21 = liaison(ids.liaison21, "周建华", [ids.grid21], "13900000021")
/** @since 0.1.0 @category facts */
export const household1 = household(ids.household1, ids.grid11, { address: "东村东街1号", routePosition: 1 })
/** @since 0.1.0 @category facts */
export const household2 = household(ids.household2, ids.grid11, { address: "东村东街2号", routePosition: 2 })
/** @since 0.1.0 @category facts */
export const household3 = household(ids.household3, ids.grid12, { address: "东村西街1号", routePosition: 1 })
/** @since 0.1.0 @category facts */
export const household4 = household(ids.household4, ids.grid21, { address: "西村南街1号", routePosition: 1 })
/** @since 0.1.0 @category facts */
export const resident1 = resident(ids.resident1, ids.household1, {
  name: "王秀英",
  sex: "female",
  birthDate: LocalDate.make("1950-03-07"),
  nationalId: nationalId("1950-03-07", 2),
  livesAlone: true
})
/** @since 0.1.0 @category facts */
export const resident2 = resident(ids.resident2, ids.household1, {
  name: "李建国",
  sex: "male",
  birthDate: LocalDate.make("1985-06-15"),
  nationalId: nationalId("1985-06-15", 13),
  phone: PersonalData.Phone.make("13812345678"),
  doses: [
    new Dose({ date: LocalDate.make("2021-04-02"), product: "sinopharm-bibp" }),
    new Dose({ date: LocalDate.make("2021-04-30"), product: "sinopharm-bibp" })
  ]
})
/** @since 0.1.0 @category facts */
export const resident3 = resident(ids.resident3, ids.household3, {
  name: "张伟",
  sex: "male",
  birthDate: LocalDate.make("1978-11-02")
})
/** @since 0.1.0 @category facts */
export const resident4 = resident(ids.resident4, ids.household4, {
  name: "刘芳",
  sex: "female",
  birthDate: LocalDate.make("1992-08-21"),
  presence: "away"
})
/** @since 0.1.0 @category facts */
export const decoctionCampaign = campaign(ids.campaign, ids.subdistrict)
/** @since 0.1.0 @category facts */
export const arrival1 = arrival(ids.arrival, ids.household2)
/** @since 0.1.0 @category facts */
export const matter1 = matter(ids.matter, ids.household1, ids.resident1)
/** @since 0.1.0 @category facts */
export const visit1 = visit(ids.visit1, ids.household1, ids.liaison11, "2021-05-10T09:00:00+08:00", {
  observations: [
    new HealthCheck({ residentId: ids.resident1, symptoms: false, temperatureC: 36.5 }),
    new Decoction({ campaignId: ids.campaign, servings: 2 })
  ]
})
/** @since 0.1.0 @category facts */
export const visit2 = visit(ids.visit2, ids.household4, ids.liaison21, "2021-05-10T09:30:00+08:00", {
  outcome: "nobody-home"
})

/**
 * Every fact of the fixture, parents before children.
 *
 * @since 0.1.0
 * @category facts
 */
export const all: ReadonlyArray<Fact.Fact> = [
  subdistrict,
  village1,
  village2,
  grid11,
  grid12,
  grid21,
  liaison11,
  liaison12,
  liaison21,
  household1,
  household2,
  household3,
  household4,
  resident1,
  resident2,
  resident3,
  resident4,
  decoctionCampaign,
  arrival1,
  matter1,
  visit1,
  visit2
]

/**
 * The facts of the fixture in the West village (`xicun`) branch.
 *
 * @since 0.1.0
 * @category facts
 */
export const westIds: ReadonlyArray<string> = [
  ids.village2,
  ids.grid21,
  ids.liaison21,
  ids.household4,
  ids.resident4,
  ids.visit2
]

const actor = (id: string, role: Actor["role"], scope: ReadonlyArray<string>): Actor =>
  new Actor({ id, role, scope: scope.map((s) => Ids.PlaceId.make(s)) })

/**
 * The actors of the fixture.
 *
 * @since 0.1.0
 * @category actors
 */
export const actors = {
  /** The subdistrict's administrator: everything. */
  admin: actor("admin", "subdistrict-admin", [ids.subdistrict]),
  /** The East village's leader. */
  eastLeader: actor("leader-dong", "village-leader", [ids.village1]),
  /** The liaison of East grid 1. */
  eastLiaison: actor("acct-l-dong-1", "liaison", [ids.grid11]),
  /** The liaison of West grid 1. */
  westLiaison: actor("acct-l-xi-1", "liaison", [ids.grid21]),
  /** A read-only auditor of the whole subdistrict. */
  auditor: actor("auditor", "auditor", [ids.subdistrict])
} as const
