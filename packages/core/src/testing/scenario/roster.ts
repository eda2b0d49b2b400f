/**
 * The roster of a scenario, one subdistrict at a time: places, liaisons, households,
 * residents, arrival reports, matters and campaigns. Each subdistrict draws from its own
 * generator (seeded by the scenario seed and the subdistrict id), so parts are independent.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import { ArrivalReport, KnownResident, Newcomer } from "../../Arrival.js"
import { Campaign, Post } from "../../Campaign.js"
import { Coordinates, Household } from "../../Household.js"
import { ArrivalId, CampaignId, HouseholdId, LiaisonId, MatterId, PlaceId, ResidentId } from "../../Ids.js"
import { Liaison } from "../../Liaison.js"
import * as LocalDate from "../../LocalDate.js"
import { Matter, Resolution } from "../../Matter.js"
import { NationalId, nationalIdCheckDigit, Phone } from "../../PersonalData.js"
import { Place } from "../../Place.js"
import { Dose, type Eligibility, Resident } from "../../Resident.js"
import type * as TimeZone from "../../TimeZone.js"
import type { Scenario, Shape } from "../Scenario.js"
import { instance } from "./instance.js"
import * as Names from "./names.js"
import { hash, hashString, Rng } from "./random.js"

/** Options after defaults and checks. @internal */
export interface Resolved {
  readonly seed: number
  readonly seedKey: number
  readonly shape: Shape
  readonly today: LocalDate.LocalDate
  readonly history: LocalDate.Period
  readonly zone: TimeZone.TimeZone
  readonly levels: ReadonlyArray<string>
}

type Sex = "male" | "female"
type Risk = "low" | "medium" | "high"
type MatterCategory = "help-request" | "dispute" | "infrastructure" | "policy-question" | "epidemic-report" | "other"
type MatterStatus = "open" | "in-progress" | "resolved" | "escalated"
type Product = "sinovac-coronavac" | "sinopharm-bibp" | "cansino-ad5"

/** Doses in a primary course, by product. @internal */
export const primaryDoses: Readonly<Record<string, number>> = {
  "sinovac-coronavac": 2,
  "sinopharm-bibp": 2,
  "cansino-ad5": 1
}

/** Default monitoring days after arrival by origin risk (DOMAIN.md §5). @internal */
export const monitoringDefault: Readonly<Record<Risk, number>> = { low: 0, medium: 7, high: 14 }

const riskLevels: ReadonlyArray<Risk> = ["low", "medium", "high"]
const categories: ReadonlyArray<MatterCategory> = [
  "help-request",
  "dispute",
  "infrastructure",
  "policy-question",
  "epidemic-report",
  "other"
]
const statuses: ReadonlyArray<MatterStatus> = ["open", "in-progress", "resolved", "escalated"]

const MINUTE = 60_000
const SOURCE_START = LocalDate.make("2021-04-01")

const pad = (n: number, width: number) => String(n).padStart(width, "0")
const ymd = (date: LocalDate.LocalDate) => date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10)

interface Top {
  readonly place: Place
  readonly emitted: { value: boolean }
}

interface District {
  readonly index: number
  readonly named: Names.Named & { readonly code: string }
  readonly place: Place | undefined
}

const districtAt = (index: number): Names.Named & { readonly code: string } =>
  index < Names.districts.length
    ? Names.districts[index]
    : { name: `第${index + 1}区`, slug: `d${pad(index + 1, 2)}`, code: `49${pad(index, 4)}` }

const subdistrictAt = (district: District, index: number): Names.Named => {
  if (district.named.slug === "macun" && index < Names.macunSubdistricts.length) return Names.macunSubdistricts[index]
  const pool = Names.genericSubdistricts
  const named = pool[(index + district.index * 3) % pool.length]
  const round = Math.floor(index / pool.length)
  return round === 0 ? named : {
    name: named.name.replace("街道", `${Names.chineseNumeral(round + 1)}街道`),
    slug: `${named.slug}${round + 1}`
  }
}

/**
 * The parts of a scenario, one per subdistrict, in order.
 *
 * @internal
 */
export function* rosterParts(r: Resolved): Generator<Scenario> {
  const { shape } = r
  const tops: Array<Top> = []
  const districts: Array<District> = []
  if (shape.districts > 1) {
    const city = instance(Place, {
      id: PlaceId.make(Names.city.slug, true),
      name: Names.city.name,
      level: "city",
      code: Names.city.code
    })
    tops.push({ place: city, emitted: { value: false } })
    for (let d = 0; d < shape.districts; d++) {
      const named = districtAt(d)
      const place = instance(Place, {
        // District ids stand alone, so 马村区's ids are the same under a city as at the root.
        id: PlaceId.make(named.slug, true),
        name: named.name,
        level: "district",
        parentId: city.id,
        code: named.code
      })
      districts.push({ index: d, named, place })
    }
  } else if (shape.districts === 1) {
    const named = districtAt(0)
    const place = instance(Place, {
      id: PlaceId.make(named.slug, true),
      name: named.name,
      level: "district",
      code: named.code
    })
    tops.push({ place, emitted: { value: false } })
    districts.push({ index: 0, named, place })
  } else {
    districts.push({ index: 0, named: districtAt(0), place: undefined })
  }
  const rootId = tops.length > 0 ? tops[0].place.id : undefined
  const total = districts.length * shape.subdistricts
  // Each subdistrict numbers the national IDs it issues from its own range of sequence
  // numbers, so IDs stay unique across parts generated independently (up to 500 parts).
  const width = Math.max(2, Math.floor(1000 / total / 2) * 2)
  const districtEmitted = new Set<number>()
  let global = 0
  for (const district of districts) {
    for (let s = 0; s < shape.subdistricts; s++, global++) {
      const ancestors: Array<Place> = []
      if (tops.length > 0 && !tops[0].emitted.value) {
        ancestors.push(tops[0].place)
        tops[0].emitted.value = true
      }
      if (district.place !== undefined && district.place !== tops[0]?.place && !districtEmitted.has(district.index)) {
        ancestors.push(district.place)
        districtEmitted.add(district.index)
      }
      yield subdistrictPart(r, {
        ancestors,
        rootId,
        parentId: district.place?.id,
        district,
        named: subdistrictAt(district, s),
        seqBase: (global * width) % 1000,
        seqWidth: width,
        index: global
      })
    }
  }
}

interface PartInput {
  readonly ancestors: ReadonlyArray<Place>
  readonly rootId: PlaceId | undefined
  readonly parentId: PlaceId | undefined
  readonly district: District
  readonly named: Names.Named
  readonly seqBase: number
  readonly seqWidth: number
  readonly index: number
}

interface Person {
  id: ResidentId
  householdId: HouseholdId
  name: string
  sex: Sex
  birthE: number
  nationalId: NationalId
  phone: Phone | undefined
  livesAlone: boolean
  away: boolean
  doses: Array<Dose>
  eligibility: Eligibility
  activeFrom: LocalDate.LocalDate
  activeUntil: LocalDate.LocalDate | undefined
}

interface HouseholdDraft {
  readonly household: Household
  readonly gridIndex: number
  readonly people: Array<Person>
  readonly stable: boolean
}

function subdistrictPart(r: Resolved, input: PartInput): Scenario {
  const { history, shape, today, zone } = r
  const rng = new Rng(hash(r.seedKey, hashString(input.named.slug), input.index, 0x5ce7a210))
  const todayE = LocalDate.toEpochDay(today)
  const fromE = LocalDate.toEpochDay(history.from)
  const days = shape.historyDays
  const baseline = LocalDate.make(`${pad(Number(history.from.slice(0, 4)) - 1, 4)}-01-01`)
  const regionCode = input.district.named.code
  const isSource = input.district.named.slug === "macun" && input.named.slug === "daiwang"

  const instant = (epochDay: number, minuteOfDay: number): DateTime.Utc =>
    DateTime.unsafeMake(zone.startOf(LocalDate.fromEpochDay(epochDay)) + minuteOfDay * MINUTE)

  // National IDs and phones, unique within the part (IDs across parts too, by range).
  const idCounters = new Map<string, number>()
  const nationalId = (region: string, birthE: number, sex: Sex): { id: NationalId; birthE: number } => {
    for (;;) {
      const digits = ymd(LocalDate.fromEpochDay(birthE))
      const key = region + digits + sex
      const k = idCounters.get(key) ?? 0
      if (2 * k + 1 < input.seqWidth) {
        idCounters.set(key, k + 1)
        const first17 = region + digits + pad(input.seqBase + 2 * k + (sex === "male" ? 1 : 0), 3)
        return { id: NationalId.make(first17 + nationalIdCheckDigit(first17), true), birthE }
      }
      birthE -= 1
    }
  }
  const householdFamily = new Map<HouseholdId, string>()
  const phones = new Set<string>()
  const phone = (): Phone => {
    for (;;) {
      const prefix = rng.pick(["13", "15", "18", "17", "19", "16", "14"])
      const p = prefix + pad(rng.int(0, 999_999_999), 9)
      if (!phones.has(p)) {
        phones.add(p)
        return Phone.make(p, true)
      }
    }
  }
  const surname = () => rng.weighted(Names.surnames)
  const givenName = (birthE: number, sex: Sex) =>
    rng.pick(Names.givenNames(Number(LocalDate.fromEpochDay(birthE).slice(0, 4)), sex))
  const birthOf = (age: number) => Math.max(-25_567, todayE - Math.floor((age + rng.next()) * 365.2425))

  // --- places -------------------------------------------------------------------------
  const places: Array<Place> = [...input.ancestors]
  const subdistrictId = PlaceId.make(
    input.parentId === undefined ? input.named.slug : `${input.parentId}.${input.named.slug}`,
    true
  )
  places.push(
    instance(Place, {
      id: subdistrictId,
      name: input.named.name,
      level: "subdistrict",
      ...(input.parentId === undefined ? {} : { parentId: input.parentId })
    })
  )
  const villageIds: Array<PlaceId> = []
  const gridIds: Array<PlaceId> = []
  const liaisons: Array<Liaison> = []
  const liaisonOf = new Map<PlaceId, LiaisonId>()
  const drafts: Array<HouseholdDraft> = []
  const villageNames = new Set<string>()
  const appointedFrom = LocalDate.min(SOURCE_START, history.from)
  const centerLat = 35.262 + (input.index % 7) * 0.04
  const centerLng = 113.335 + Math.floor(input.index / 7) * 0.05

  for (let v = 0; v < shape.villagesPerSubdistrict; v++) {
    let village: Names.Named
    if (isSource && v < Names.daiwangVillages.length) village = Names.daiwangVillages[v]
    else {
      let tries = 0
      do {
        village = Names.villageName(rng.int(0, 999), rng.int(0, 999), rng.int(0, 999))
        tries++
      } while (villageNames.has(village.name) && tries < 50)
      if (villageNames.has(village.name)) {
        village = {
          name: village.name.replace("村", `${Names.chineseNumeral(v + 1)}村`),
          slug: `${village.slug}${v + 1}`
        }
      }
    }
    villageNames.add(village.name)
    const villageId = PlaceId.make(`${subdistrictId}.${village.slug}`, true)
    villageIds.push(villageId)
    places.push(instance(Place, { id: villageId, name: village.name, level: "village", parentId: subdistrictId }))
    const clan = isSource && v === 0 ? "王" : surname()
    const vLat = centerLat + (v % 3) * 0.012
    const vLng = centerLng + Math.floor(v / 3) * 0.016

    // Grid sizes vary in pairs that cancel out, so the total is exact.
    const sizes: Array<number> = []
    for (let g = 0; g < shape.gridsPerVillage; g++) {
      if (g % 2 === 1) sizes.push(2 * shape.householdsPerGrid - sizes[g - 1])
      else if (g === shape.gridsPerVillage - 1) sizes.push(shape.householdsPerGrid)
      else {sizes.push(
          shape.householdsPerGrid +
            rng.int(-Math.min(4, shape.householdsPerGrid - 1), Math.min(4, shape.householdsPerGrid - 1))
        )}
    }

    for (let g = 0; g < shape.gridsPerVillage; g++) {
      const gridId = PlaceId.make(`${villageId}.g${pad(g + 1, 2)}`, true)
      gridIds.push(gridId)
      places.push(
        instance(Place, {
          id: gridId,
          name: `${village.name}第${Names.chineseNumeral(g + 1)}片区`,
          level: "grid",
          parentId: villageId
        })
      )
      const liaisonId = LiaisonId.make(`${gridId}.liaison`, true)
      liaisonOf.set(gridId, liaisonId)
      const source = isSource && v === 0 && g === 0
      const lSex: Sex = source ? "female" : rng.chance(0.5) ? "male" : "female"
      const lBirth = birthOf(rng.int(30, 60))
      liaisons.push(
        instance(Liaison, {
          id: liaisonId,
          // The source's liaison in 待王村.
          name: source ? "王丽霞" : (rng.chance(0.5) ? clan : surname()) + givenName(lBirth, lSex),
          phone: phone(),
          background: rng.weighted(
            [
              ["party-member", 30],
              ["villager-group-leader", 25],
              ["grid-worker", 20],
              ["villager-representative", 25]
            ] as const
          ),
          gridIds: [gridId],
          appointedFrom,
          active: true
        })
      )
      const street = g < Names.streets.length ? Names.streets[g] : `${Names.chineseNumeral(g + 1)}巷`
      for (let i = 0; i < sizes[g]; i++) {
        const householdId = HouseholdId.make(`${gridId}.h${pad(i + 1, 2)}`, true)
        const movedIn = days >= 3 && rng.chance(0.004)
        const activeFrom = movedIn ? LocalDate.fromEpochDay(fromE + rng.int(1, days - 1)) : baseline
        const people = members(activeFrom)
        // An elderly person living alone who dies or moves in with family closes the household.
        const leaves = days >= 3 && !movedIn && people.length === 1 && people[0].age >= 60 && rng.chance(0.01)
        const activeUntil = leaves ? LocalDate.fromEpochDay(fromE + rng.int(0, days - 2)) : undefined
        const household = instance(Household, {
          id: householdId,
          gridId,
          address: `${village.name}${street}${i + 1}号`,
          routePosition: (i + 1) * 10,
          coordinates: instance(Coordinates, {
            lat: Math.round((vLat + g * 0.0009) * 1e6) / 1e6,
            lng: Math.round((vLng + 0.004 - i * 0.00025) * 1e6) / 1e6
          }),
          activeFrom,
          ...(activeUntil === undefined ? {} : { activeUntil })
        })
        const draft: HouseholdDraft = {
          household,
          gridIndex: gridIds.length - 1,
          people: [],
          stable: !movedIn && activeUntil === undefined
        }
        people.forEach((m, k) =>
          draft.people.push(person(m, householdId, k, clan, activeFrom, activeUntil, people.length === 1))
        )
        drafts.push(draft)
      }
    }
  }

  interface Member {
    readonly age: number
    readonly sex: Sex
    readonly family: boolean
    readonly bornE?: number
  }

  function members(activeFrom: LocalDate.LocalDate): Array<Member> {
    const kind = rng.weighted(
      [
        ["elderly-alone", 0.065],
        ["single", 0.035],
        ["elderly-couple", 0.14],
        ["couple", 0.08],
        ["parent-child", 0.04],
        ["nuclear-3", 0.3],
        ["nuclear-4", 0.14],
        ["three-gen-4", 0.08],
        ["three-gen-5", 0.08],
        ["three-gen-6", 0.04]
      ] as const
    )
    const out: Array<Member> = []
    const couple = (min: number, max: number) => {
      const a = rng.int(min, max)
      const b = Math.max(min - 3, Math.min(95, a + rng.int(-5, 3)))
      const headMale = rng.chance(0.85)
      out.push({ age: a, sex: headMale ? "male" : "female", family: headMale })
      out.push({ age: b, sex: headMale ? "female" : "male", family: !headMale })
      return a
    }
    const child = (parent: number, older?: number) => {
      const age = Math.max(0, older === undefined ? parent - rng.int(22, 32) : older - rng.int(2, 8))
      out.push({ age, sex: rng.chance(0.52) ? "male" : "female", family: true })
      return age
    }
    const elders = (head: number, n: number) => {
      const age = Math.min(95, head + rng.int(24, 32))
      if (n === 1) {
        const male = rng.chance(0.4)
        out.push({ age, sex: male ? "male" : "female", family: male })
      } else {
        out.push({ age, sex: "male", family: true })
        out.push({ age: Math.min(95, age + rng.int(-4, 2)), sex: "female", family: false })
      }
    }
    switch (kind) {
      case "elderly-alone":
        out.push({ age: rng.int(60, 75) + rng.int(0, 17), sex: rng.chance(0.65) ? "female" : "male", family: false })
        break
      case "single":
        out.push({ age: rng.int(22, 59), sex: rng.chance(0.7) ? "male" : "female", family: true })
        break
      case "elderly-couple":
        couple(60, 86)
        break
      case "couple":
        couple(40, 59)
        break
      case "parent-child":
        if (rng.chance(0.5)) {
          const elder = rng.int(62, 90)
          out.push({ age: elder, sex: rng.chance(0.6) ? "female" : "male", family: false })
          out.push({
            age: Math.max(25, elder - rng.int(24, 34)),
            sex: rng.chance(0.7) ? "male" : "female",
            family: true
          })
        } else {
          const parent = rng.int(30, 50)
          out.push({ age: parent, sex: rng.chance(0.6) ? "female" : "male", family: false })
          child(parent)
        }
        break
      case "nuclear-3":
      case "nuclear-4": {
        const head = couple(25, 52)
        const first = child(head)
        if (kind === "nuclear-4") child(head, first)
        // A baby born during the history.
        if (days >= 3 && head <= 35 && activeFrom === baseline && rng.chance(0.03)) {
          out.push({
            age: 0,
            sex: rng.chance(0.52) ? "male" : "female",
            family: true,
            bornE: fromE + rng.int(0, days - 1)
          })
        }
        break
      }
      case "three-gen-4": {
        const head = couple(28, 52)
        child(head)
        elders(head, 1)
        break
      }
      case "three-gen-5": {
        const head = couple(28, 52)
        if (rng.chance(0.5)) {
          child(head, child(head))
          elders(head, 1)
        } else {
          child(head)
          elders(head, 2)
        }
        break
      }
      case "three-gen-6": {
        const head = couple(28, 52)
        child(head, child(head))
        elders(head, 2)
        break
      }
    }
    return out
  }

  function person(
    m: Member,
    householdId: HouseholdId,
    k: number,
    clan: string,
    activeFrom: LocalDate.LocalDate,
    activeUntil: LocalDate.LocalDate | undefined,
    alone: boolean
  ): Person {
    const family = householdFamily.get(householdId) ??
      (householdFamily.set(householdId, rng.chance(0.4) ? clan : surname()), householdFamily.get(householdId)!)
    const region = rng.chance(m.family ? 0.02 : 0.15) ? rng.pick(Names.outsideRegions) : regionCode
    const issued = nationalId(region, m.bornE ?? birthOf(m.age), m.sex)
    const birth = LocalDate.fromEpochDay(issued.birthE)
    const age = LocalDate.ageOn(birth, today)
    const awayP = age < 18 ? 0.02 : age <= 24 ? 0.3 : age <= 50 ? 0.15 : age < 60 ? 0.05 : 0.02
    const { doses, eligibility } = vaccination(age, m.sex)
    const from = LocalDate.max(activeFrom, birth)
    // Some elderly residents die or move in with their children during the history.
    const until = activeUntil ??
      (age >= 70 && days >= 3 && !alone && from === activeFrom && rng.chance(0.004)
        ? LocalDate.fromEpochDay(fromE + rng.int(0, days - 2))
        : undefined)
    return {
      id: ResidentId.make(`${householdId}.r${k + 1}`, true),
      householdId,
      name: (m.family ? family : surname()) + givenName(issued.birthE, m.sex),
      sex: m.sex,
      birthE: issued.birthE,
      nationalId: issued.id,
      phone: age >= 16 && rng.chance(age <= 75 ? 0.85 : 0.4) ? phone() : undefined,
      livesAlone: false,
      away: rng.chance(awayP),
      doses,
      eligibility,
      activeFrom: from,
      activeUntil: until
    }
  }

  function vaccination(age: number, sex: Sex): { doses: Array<Dose>; eligibility: Eligibility } {
    if (age < 18) return { doses: [], eligibility: { _tag: "eligible" } }
    if (rng.chance(age >= 60 ? 0.06 : 0.01)) {
      return {
        doses: [],
        eligibility: { _tag: "permanently-contraindicated", reason: rng.pick(Names.permanentReasons) }
      }
    }
    let state = rng.weighted(
      age >= 60
        ? [["unvaccinated", 62], ["partial", 15], ["complete", 21], ["boosted", 2]] as const
        : [["unvaccinated", 40], ["partial", 22], ["complete", 35], ["boosted", 3]] as const
    )
    let eligibility: Eligibility = { _tag: "eligible" }
    if (rng.chance(0.04)) {
      const reason = sex === "female" && age >= 20 && age <= 40 && rng.chance(0.5)
        ? rng.pick(Names.temporaryReasons.youngWoman)
        : rng.pick(Names.temporaryReasons.any)
      eligibility = rng.chance(0.6)
        ? { _tag: "temporarily-contraindicated", reason, until: LocalDate.fromEpochDay(todayE + rng.int(-40, 60)) }
        : { _tag: "temporarily-contraindicated", reason }
      state = rng.chance(0.7) ? "unvaccinated" : "partial"
    }
    if (state === "unvaccinated") return { doses: [], eligibility }
    let product: Product = rng.weighted(
      [["sinovac-coronavac", 45], ["sinopharm-bibp", 43], ["cansino-ad5", 12]] as const
    )
    if (state === "partial" && product === "cansino-ad5") product = "sinopharm-bibp"
    const interval = rng.int(21, 28)
    const dose = (e: number) => instance(Dose, { date: LocalDate.fromEpochDay(e), product })
    const doses: Array<Dose> = []
    if (state === "partial") doses.push(dose(todayE - rng.int(1, 45)))
    else {
      const d1 = todayE -
        (state === "boosted" ? rng.int(240, 330) : rng.int(primaryDoses[product] === 1 ? 1 : interval + 1, 160))
      doses.push(dose(d1))
      if (primaryDoses[product] === 2) doses.push(dose(d1 + interval))
      if (state === "boosted") doses.push(dose(d1 + (primaryDoses[product] === 2 ? interval : 0) + rng.int(183, 200)))
    }
    return { doses, eligibility }
  }

  for (const d of drafts) {
    if (d.people.length === 1) d.people[0].livesAlone = true
  }

  // --- campaigns ----------------------------------------------------------------------
  const householdCount = drafts.length
  const decoctionFrom = Math.max(fromE, todayE - 27)
  const leafletFrom = Math.max(fromE, todayE - 20)
  const leafletTo = Math.min(todayE, Math.max(leafletFrom, todayE - 7))
  const postAt = (e: number) => instant(e, rng.int(7 * 60, 21 * 60))
  const campaign = (
    kind: "decoction" | "leaflet" | "online-notice",
    name: string,
    from: number,
    to: number,
    posts: Array<Post>
  ) =>
    instance(Campaign, {
      id: CampaignId.make(`${subdistrictId}.campaign-${kind}`, true),
      kind,
      name,
      scopeId: subdistrictId,
      period: instance(LocalDate.Period, { from: LocalDate.fromEpochDay(from), to: LocalDate.fromEpochDay(to) }),
      posts
    })
  const reach = () => Math.round(householdCount * (0.3 + rng.next() * 0.6))
  const noticePosts: Array<Post> = []
  for (let e = fromE; e <= todayE; e += rng.int(2, 4)) {
    noticePosts.push(
      instance(Post, {
        channel: rng.weighted([["work-group", 5], ["wechat-moments", 4], ["village-broadcast", 1]] as const),
        at: postAt(e),
        reach: reach()
      })
    )
  }
  const campaigns = [
    campaign("decoction", "中药预防汤剂发放", decoctionFrom, todayE, [
      instance(Post, { channel: "work-group", at: postAt(decoctionFrom), reach: reach() })
    ]),
    campaign("leaflet", "疫情防控入户宣传单", leafletFrom, leafletTo, []),
    campaign("online-notice", "来（返）焦人员报备及疫苗接种宣传", fromE, todayE, noticePosts)
  ]

  // --- arrivals -----------------------------------------------------------------------
  const stable = drafts.filter((d) => d.stable)
  const awayAdults: Array<Person> = []
  for (const d of stable) {
    for (const p of d.people) {
      const age = LocalDate.ageOn(LocalDate.fromEpochDay(p.birthE), today)
      if (p.away && age >= 18 && age < 60 && p.activeUntil === undefined) awayAdults.push(p)
    }
  }
  const arrivals: Array<ArrivalReport> = []
  const returned = new Set<Person>()
  const arrivalCount = Math.max(3, Math.round(householdCount * days * 0.0006))
  for (let i = 0; i < arrivalCount && stable.length > 0; i++) {
    const risk: Risk = i < 3 ? riskLevels[i] : rng.weighted([["low", 70], ["medium", 20], ["high", 10]] as const)
    let householdId: HouseholdId
    let who: KnownResident | Newcomer
    let returnee: Person | undefined
    if (awayAdults.length > 0 && rng.chance(0.45)) {
      returnee = awayAdults.splice(rng.int(0, awayAdults.length - 1), 1)[0]
      householdId = returnee.householdId
      who = instance(KnownResident, { residentId: returnee.id })
    } else {
      householdId = rng.pick(stable).household.id
      const sex: Sex = rng.chance(0.5) ? "male" : "female"
      const birthE = birthOf(rng.int(20, 65))
      const withId = rng.chance(0.6)
      const issued = withId ? nationalId(rng.pick(Names.outsideRegions), birthE, sex) : undefined
      const withPhone = rng.chance(0.7)
      who = instance(Newcomer, {
        name: surname() + givenName(issued?.birthE ?? birthE, sex),
        ...(issued === undefined ? {} : { nationalId: issued.id }),
        ...(withPhone ? { phone: phone() } : {})
      })
    }
    const expected = fromE + rng.int(0, days + 6)
    const cancelled = rng.chance(0.04)
    let actual: number | undefined
    if (!cancelled) {
      const shift = rng.weighted([[0, 70], [1, 15], [2, 6], [3, 4], [-1, 5]] as const)
      const e = Math.max(fromE, expected + shift)
      if (e <= todayE) actual = e
    }
    const monitoring = monitoringDefault[risk]
    const late = actual !== undefined && rng.chance(0.2)
    const reported = late
      ? instant(Math.min(todayE, actual! + rng.int(1, 3)), rng.int(9 * 60, 17 * 60))
      : instant(expected - rng.int(1, 5), rng.int(8 * 60, 21 * 60))
    const status = cancelled
      ? "cancelled"
      : actual === undefined
      ? "expected"
      : actual + monitoring < todayE
      ? "cleared"
      : "arrived"
    if (returnee !== undefined && (status === "arrived" || status === "cleared")) returned.add(returnee)
    arrivals.push(
      instance(ArrivalReport, {
        id: ArrivalId.make(`${subdistrictId}.arrival-${pad(i + 1, 4)}`, true),
        householdId,
        person: who,
        origin: rng.pick(Names.origins[risk]),
        originRisk: risk,
        expectedArrival: LocalDate.fromEpochDay(expected),
        ...(actual === undefined ? {} : { actualArrival: LocalDate.fromEpochDay(actual) }),
        reportedAt: reported,
        ...(rng.chance(0.85) ? { monitoringDays: monitoring } : {}),
        status
      })
    )
  }

  // --- matters ------------------------------------------------------------------------
  const matters: Array<Matter> = []
  const matterCount = Math.max(6, Math.round(householdCount * days * 0.0015))
  for (let i = 0; i < matterCount && stable.length > 0; i++) {
    const category: MatterCategory = i < categories.length ? categories[i] : rng.weighted(
      [
        ["help-request", 30],
        ["dispute", 15],
        ["infrastructure", 20],
        ["policy-question", 20],
        ["epidemic-report", 7],
        ["other", 8]
      ] as const
    )
    const texts = Names.matterTexts[category]
    const draft = rng.pick(stable)
    const residents = draft.people.filter((p) => p.activeUntil === undefined && p.birthE <= todayE - 18 * 365)
    let opened = fromE + rng.int(0, days - 1)
    let status: MatterStatus
    let resolvedE: number | undefined
    const forced = i < statuses.length ? statuses[i] : undefined
    if (forced === "open") {
      opened = Math.max(fromE, todayE - rng.int(0, 1))
      status = "open"
    } else if (forced === "resolved") {
      status = "resolved"
      resolvedE = Math.min(todayE, opened + rng.int(0, texts.dueDays))
    } else if (forced !== undefined) status = forced
    else {
      const candidate = opened + rng.int(0, texts.dueDays * 2)
      if (candidate <= todayE) {
        const u = rng.next()
        status = u < 0.85 ? "resolved" : u < 0.93 ? "escalated" : "in-progress"
        if (status === "resolved") resolvedE = candidate
      } else status = todayE - opened <= 1 ? "open" : rng.chance(0.12) ? "escalated" : "in-progress"
    }
    const openedMinute = rng.int(8 * 60 + 30, 18 * 60)
    const [summary, resolution] = rng.pick(texts.cases)
    const liaisonId = liaisonOf.get(draft.household.gridId)!
    matters.push(
      instance(Matter, {
        id: MatterId.make(`${subdistrictId}.matter-${pad(i + 1, 4)}`, true),
        householdId: draft.household.id,
        ...(residents.length > 0 && rng.chance(0.85) ? { residentId: rng.pick(residents).id } : {}),
        ...(rng.chance(0.8) ? { raisedBy: liaisonId } : {}),
        category,
        summary,
        openedAt: instant(opened, openedMinute),
        dueBy: LocalDate.fromEpochDay(opened + texts.dueDays),
        status,
        ...(resolvedE === undefined ? {} : {
          resolution: instance(Resolution, {
            at: instant(
              resolvedE,
              resolvedE === opened ? Math.min(23 * 60, openedMinute + rng.int(30, 180)) : rng.int(8 * 60, 19 * 60)
            ),
            note: resolution
          })
        })
      })
    )
  }

  // --- residents ----------------------------------------------------------------------
  const households: Array<Household> = []
  const residents: Array<Resident> = []
  for (const d of drafts) {
    households.push(d.household)
    for (const p of d.people) {
      residents.push(
        instance(Resident, {
          id: p.id,
          householdId: p.householdId,
          name: p.name,
          sex: p.sex,
          birthDate: LocalDate.fromEpochDay(p.birthE),
          nationalId: p.nationalId,
          ...(p.phone === undefined ? {} : { phone: p.phone }),
          livesAlone: p.livesAlone,
          presence: p.away && !returned.has(p) ? "away" : "present",
          doses: p.doses,
          eligibility: p.eligibility,
          activeFrom: p.activeFrom,
          ...(p.activeUntil === undefined ? {} : { activeUntil: p.activeUntil })
        })
      )
    }
  }

  return {
    seed: r.seed,
    shape: r.shape,
    today,
    history,
    zone: zone.name,
    levels: r.levels,
    rootId: input.rootId ?? subdistrictId,
    subdistrictIds: [subdistrictId],
    villageIds,
    gridIds,
    liaisonOf,
    facts: {
      places,
      liaisons,
      households,
      residents,
      visits: [],
      arrivals,
      matters,
      campaigns
    }
  }
}
