/**
 * The visit history of a scenario: each day, each liaison walks their grid east to west and
 * records what the built-in rules ask for, with the gaps real rounds have.
 *
 * Every chance is keyed by (seed, subject, day, purpose), so a grid's visits depend only on
 * the seed and that grid's facts. The only state carried from day to day is what happens
 * once (a leaflet handed over, an arrival first seen), so days are generated in order.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import type { ArrivalReport } from "../../Arrival.js"
import type { Household } from "../../Household.js"
import { type CampaignId, type LiaisonId, type PlaceId, type ResidentId, VisitId } from "../../Ids.js"
import * as LocalDate from "../../LocalDate.js"
import type { Matter } from "../../Matter.js"
import {
  ArrivalSeen,
  Decoction,
  ElderlyWellbeing,
  HealthCheck,
  MatterFollowUp,
  type Observation,
  Publicity,
  VaccinationCheck
} from "../../Observation.js"
import * as Place from "../../Place.js"
import { isEligibleOn, type Resident } from "../../Resident.js"
import * as TimeZone from "../../TimeZone.js"
import { Visit } from "../../Visit.js"
import type { Scenario } from "../Scenario.js"
import { constructorOf } from "./instance.js"
import * as Names from "./names.js"
import { hash, hashString, Rng, unit } from "./random.js"
import { monitoringDefault, primaryDoses } from "./roster.js"

// Purposes of keyed chances.
const WALK = 1
const ABSENT = 2
const MISS = 3
const REFUSE = 4
const NOBODY = 5
const REVISIT = 6
const REVISIT_OUTCOME = 7
const FORGET_ELDERLY = 8
const WELLBEING = 9
const FORGET_VACCINATION = 10
const PERSUADE = 11
const FORGET_DECOCTION = 12
const FORGET_LEAFLET = 13
const MEDIUM = 14
const FORGET_MATTER = 15
const FORGET_HEALTH = 16
const TEMPERATURE = 17
const REFUSER = 18
const FRAILTY = 19
const REFUSES_VACCINE = 20

// Rates behind the realistic gaps.
const LIAISON_DAY_OFF = 0.01
const HOUSEHOLD_MISSED = 0.015
const NOBODY_HOME = 0.015
const NOBODY_HOME_WORKING = 0.06
const REFUSED = 0.002
const REFUSED_BY_REFUSER = 0.08
const EVENING_REVISIT = 0.35

const MINUTE = 60_000
const LATEST_MINUTE = 20 * 60 - 1

interface ResidentInfo {
  readonly resident: Resident
  readonly key: number
  readonly from: number
  readonly until: number
  readonly presentFrom: number
  readonly adultFrom: number
  readonly elderFrom: number
  readonly doseDays: ReadonlyArray<number>
  readonly required: number
  readonly frailty: number
  readonly refuses: boolean
  /** The observations of this resident made so far, shared by every visit that records the same one. */
  wellbeing: Array<ElderlyWellbeing | undefined> | undefined
  checks: Array<VaccinationCheck | undefined> | undefined
}

interface ArrivalInfo {
  readonly report: ArrivalReport
  readonly key: number
  readonly residentId: ResidentId | undefined
  readonly aware: number
  readonly end: number
  seen: boolean
}

interface MatterInfo {
  readonly matter: Matter
  readonly key: number
  readonly opened: number
  readonly firstFollowUp: number
  readonly resolved: number | undefined
  readonly raised: boolean
  readonly followed: boolean
}

interface Span {
  readonly id: CampaignId
  readonly from: number
  readonly to: number
  /** The decoctions handed out, by servings, shared by every visit that records the same one. */
  readonly servings: Array<Decoction | undefined>
}

interface HouseholdInfo {
  readonly household: Household
  readonly key: number
  /** `<household id>.`, the start of its visits' ids. */
  readonly idPrefix: string
  readonly from: number
  readonly until: number
  readonly refuser: boolean
  readonly residents: Array<ResidentInfo>
  readonly arrivals: Array<ArrivalInfo>
  readonly matters: Array<MatterInfo>
  readonly forced: Set<number>
  readonly decoctions: ReadonlyArray<Span>
  readonly leaflets: ReadonlyArray<Span>
  readonly leafletsDone: Set<CampaignId>
}

interface GridInfo {
  readonly key: number
  readonly liaisonId: LiaisonId
  readonly households: Array<HouseholdInfo>
  readonly forced: Set<number>
}

const epoch = (date: LocalDate.LocalDate) => LocalDate.toEpochDay(date)

const birthday = (birth: LocalDate.LocalDate, years: number): number => {
  const s = `${String(Number(birth.slice(0, 4)) + years).padStart(4, "0")}${birth.slice(4)}`
  // Someone born on 29 February comes of age on 1 March in a common year.
  return epoch(LocalDate.make(LocalDate.isValid(s) ? s : `${s.slice(0, 4)}-03-01`))
}

const index = (scenario: Scenario, seedKey: number, zone: TimeZone.TimeZone): Array<GridInfo> => {
  const { facts } = scenario
  const tree = Place.tree(facts.places)
  const grids = new Map<PlaceId, GridInfo>()
  for (const gridId of scenario.gridIds) {
    const liaisonId = scenario.liaisonOf.get(gridId)
    if (liaisonId === undefined) continue
    grids.set(gridId, { key: hashString(gridId), liaisonId, households: [], forced: new Set() })
  }
  const spanOf = new Map<CampaignId, Span>()
  const spans = (kind: "decoction" | "leaflet", gridId: PlaceId): Array<Span> => {
    const ancestry = tree.ancestry(gridId)
    return facts.campaigns.filter((c) => c.kind === kind && ancestry.includes(c.scopeId)).map((c) => {
      let span = spanOf.get(c.id)
      if (span === undefined) {
        spanOf.set(c.id, span = { id: c.id, from: epoch(c.period.from), to: epoch(c.period.to), servings: [] })
      }
      return span
    })
  }
  const spansByGrid = new Map<PlaceId, { decoctions: Array<Span>; leaflets: Array<Span> }>()
  const households = new Map<string, HouseholdInfo>()
  for (const h of facts.households) {
    const grid = grids.get(h.gridId)
    if (grid === undefined) continue
    let s = spansByGrid.get(h.gridId)
    if (s === undefined) {
      spansByGrid.set(h.gridId, s = { decoctions: spans("decoction", h.gridId), leaflets: spans("leaflet", h.gridId) })
    }
    const key = hashString(h.id)
    const info: HouseholdInfo = {
      household: h,
      key,
      idPrefix: `${h.id}.`,
      from: epoch(h.activeFrom),
      until: h.activeUntil === undefined ? Infinity : epoch(h.activeUntil),
      refuser: unit(seedKey, key, 0, REFUSER) < 0.02,
      residents: [],
      arrivals: [],
      matters: [],
      forced: new Set(),
      decoctions: s.decoctions,
      leaflets: s.leaflets,
      leafletsDone: new Set()
    }
    households.set(h.id, info)
    grid.households.push(info)
  }
  for (const grid of grids.values()) {
    grid.households.sort((a, b) => a.household.routePosition - b.household.routePosition)
  }

  const returnedOn = new Map<ResidentId, number>()
  for (const a of facts.arrivals) {
    const h = households.get(a.householdId)
    if (h === undefined || a.actualArrival === undefined || a.status === "cancelled") continue
    const arrival = epoch(a.actualArrival)
    const reported = epoch(zone.dateOf(DateTime.toEpochMillis(a.reportedAt)))
    const aware = Math.max(arrival, reported)
    const residentId = a.person._tag === "KnownResident" ? a.person.residentId : undefined
    if (residentId !== undefined) returnedOn.set(residentId, arrival)
    // A late report is the liaison finding the person at the door.
    if (aware > arrival) h.forced.add(aware)
    h.arrivals.push({
      report: a,
      key: hashString(a.id),
      residentId,
      aware,
      end: arrival + (a.monitoringDays ?? monitoringDefault[a.originRisk]),
      seen: false
    })
  }
  for (const r of facts.residents) {
    const h = households.get(r.householdId)
    if (h === undefined) continue
    const key = hashString(r.id)
    const doses = [...r.doses].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    h.residents.push({
      resident: r,
      key,
      from: epoch(r.activeFrom),
      until: r.activeUntil === undefined ? Infinity : epoch(r.activeUntil),
      presentFrom: r.presence === "away" ? Infinity : returnedOn.get(r.id) ?? -Infinity,
      adultFrom: birthday(r.birthDate, 18),
      elderFrom: birthday(r.birthDate, 60),
      doseDays: doses.map((d) => epoch(d.date)),
      required: doses.length === 0 ? 0 : primaryDoses[doses[0].product] ?? 2,
      frailty: unit(seedKey, key, 0, FRAILTY),
      refuses: unit(seedKey, key, 0, REFUSES_VACCINE) < 0.4,
      wellbeing: undefined,
      checks: undefined
    })
  }
  for (const m of facts.matters) {
    const h = households.get(m.householdId)
    if (h === undefined) continue
    const key = hashString(m.id)
    const opened = epoch(zone.dateOf(DateTime.toEpochMillis(m.openedAt)))
    const raised = m.raisedBy !== undefined
    if (raised) h.forced.add(opened)
    h.matters.push({
      matter: m,
      key,
      opened,
      firstFollowUp: opened + 1 + (key % 2),
      resolved: m.resolution === undefined ? undefined : epoch(zone.dateOf(DateTime.toEpochMillis(m.resolution.at))),
      raised,
      followed: m.status !== "open"
    })
  }
  const out: Array<GridInfo> = []
  for (const grid of grids.values()) {
    for (const h of grid.households) for (const e of h.forced) grid.forced.add(e)
    out.push(grid)
  }
  return out
}

const statusOn = (r: ResidentInfo, e: number): "unvaccinated" | "partial" | "complete" | "boosted" => {
  let n = 0
  while (n < r.doseDays.length && r.doseDays[n] <= e) n++
  return n === 0 ? "unvaccinated" : n < r.required ? "partial" : n === r.required ? "complete" : "boosted"
}

// Constructors of the facts a history is made of, hundreds of thousands of them for S. The
// fields are assigned in the order the Schema classes' constructors give them.
const newVisit = constructorOf(
  Visit,
  function(
    id: VisitId,
    householdId: Household["id"],
    liaisonId: LiaisonId,
    at: DateTime.Utc,
    outcome: Visit["outcome"],
    observations: ReadonlyArray<Observation>
  ) {
    this.id = id
    this.householdId = householdId
    this.liaisonId = liaisonId
    this.at = at
    this.outcome = outcome
    this.observations = observations
    this._tag = "Visit"
  }
)
const newVaccinationCheck = constructorOf(
  VaccinationCheck,
  function(residentId: ResidentId, status: VaccinationCheck["status"], persuaded: boolean, refusalReason?: string) {
    this.residentId = residentId
    this.status = status
    this.persuaded = persuaded
    if (refusalReason !== undefined) this.refusalReason = refusalReason
    this._tag = "vaccination-check"
  }
)
const newDecoction = constructorOf(Decoction, function(campaignId: CampaignId, servings: number) {
  this.campaignId = campaignId
  this.servings = servings
  this._tag = "decoction"
})
const newElderlyWellbeing = constructorOf(
  ElderlyWellbeing,
  function(residentId: ResidentId, wellbeing: ElderlyWellbeing["wellbeing"], needs: ElderlyWellbeing["needs"]) {
    this.residentId = residentId
    this.wellbeing = wellbeing
    this.needs = needs
    this._tag = "elderly-wellbeing"
  }
)
const newPublicity = constructorOf(Publicity, function(campaignId: CampaignId, medium: Publicity["medium"]) {
  this.campaignId = campaignId
  this.medium = medium
  this._tag = "publicity"
})
const newMatterFollowUp = constructorOf(MatterFollowUp, function(matterId: Matter["id"], note: string) {
  this.matterId = matterId
  this.note = note
  this._tag = "matter"
})
const newArrivalSeen = constructorOf(ArrivalSeen, function(arrivalId: ArrivalReport["id"]) {
  this.arrivalId = arrivalId
  this._tag = "arrival-seen"
})
const newHealthCheck = constructorOf(
  HealthCheck,
  function(
    residentId: ResidentId | undefined,
    arrivalId: ArrivalReport["id"],
    temperatureC: number,
    symptoms: boolean,
    note: string | undefined
  ) {
    if (residentId !== undefined) this.residentId = residentId
    this.arrivalId = arrivalId
    this.temperatureC = temperatureC
    this.symptoms = symptoms
    if (note !== undefined) this.note = note
    this._tag = "health-check"
  }
)

// Arrays nobody writes to are shared between the facts (frozen, so nobody can).
const NO_OBSERVATIONS: ReadonlyArray<Observation> = Object.freeze([])
const NO_NEEDS: ElderlyWellbeing["needs"] = Object.freeze([])
const MEDICAL_CARE: ElderlyWellbeing["needs"] = Object.freeze(["medical-care" as const])
const NEED: ReadonlyArray<ElderlyWellbeing["needs"]> = Names.needs.map((n) => Object.freeze([n]))

/**
 * A scenario's visit history, one day at a time: `next(out)` appends the next day's visits
 * (every grid's, grid by grid, in time order) to `out` and returns `false` once the history
 * is over. Days come in order because a few things happen once (a leaflet handed over, an
 * arrival first seen).
 */
interface Walk {
  readonly next: (out: Array<Visit>) => boolean
}

const walk = (scenario: Scenario, seedKey: number): Walk => {
  const zone = TimeZone.make(scenario.zone)
  const grids = index(scenario, seedKey, zone)
  const toE = epoch(scenario.history.to)
  const times: Array<DateTime.Utc | undefined> = new Array(24 * 60)
  // Per day.
  let e = epoch(scenario.history.from)
  let date: LocalDate.LocalDate
  let dayStart = 0
  let firstKnock = ""
  let secondKnock = ""
  // Per visit: the residents at home, and the observations before they are copied out.
  const present: Array<ResidentInfo> = []
  const scratch: Array<Observation> = []

  const at = (minute: number): DateTime.Utc => {
    const m = Math.min(minute, LATEST_MINUTE)
    return times[m] ??= DateTime.unsafeMake(dayStart + m * MINUTE)
  }

  const observe = (h: HouseholdInfo): ReadonlyArray<Observation> => {
    const out = scratch
    out.length = 0
    for (const a of h.arrivals) {
      if (e < a.aware) continue
      const first = !a.seen
      if (first) {
        out.push(new newArrivalSeen(a.report.id))
        a.seen = true
      }
      if (first || (e <= a.end && unit(seedKey, a.key, e, FORGET_HEALTH) >= 0.03)) {
        const t = unit(seedKey, a.key, e, TEMPERATURE)
        const symptoms = t > 0.995
        out.push(
          new newHealthCheck(
            a.residentId,
            a.report.id,
            symptoms ? 37.6 : 36 + Math.floor(t * 12) / 10,
            symptoms,
            symptoms ? "轻微咳嗽，已建议到卫生院就诊" : undefined
          )
        )
      }
    }
    for (const r of present) {
      if (!r.resident.livesAlone || e < r.elderFrom || unit(seedKey, r.key, e, FORGET_ELDERLY) < 0.04) continue
      const u = unit(seedKey, r.key, e, WELLBEING)
      const p = 0.02 + r.frailty * 0.2
      const need = (r.key + e) % NEED.length
      const slot = u < p * 0.25 ? 1 : u < p ? 2 + need : 0
      out.push(
        (r.wellbeing ??= [])[slot] ??= slot === 1
          ? new newElderlyWellbeing(r.resident.id, "unwell", MEDICAL_CARE)
          : slot === 0
          ? new newElderlyWellbeing(r.resident.id, "well", NO_NEEDS)
          : new newElderlyWellbeing(r.resident.id, "needs-help", NEED[need])
      )
    }
    for (const r of present) {
      if (e < r.adultFrom || (e + r.key) % 3 !== 0) continue
      const status = statusOn(r, e)
      if (status === "complete" || status === "boosted" || !isEligibleOn(r.resident, date)) continue
      if (unit(seedKey, r.key, e, FORGET_VACCINATION) < 0.1) continue
      let next = Infinity
      for (const d of r.doseDays) {
        if (d > e) {
          next = d
          break
        }
      }
      const soon = next - e <= 14
      const refusing = status === "unvaccinated" && !soon && r.refuses
      const persuaded = soon || status === "partial" || unit(seedKey, r.key, e, PERSUADE) < 0.9
      out.push(
        (r.checks ??= [])[(status === "partial" ? 4 : 0) + (persuaded ? 2 : 0) + (refusing ? 1 : 0)] ??=
          new newVaccinationCheck(
            r.resident.id,
            status,
            persuaded,
            refusing ? Names.refusalReasons[r.key % Names.refusalReasons.length] : undefined
          )
      )
    }
    for (const c of h.decoctions) {
      if (e < c.from || e > c.to || unit(seedKey, h.key, e, FORGET_DECOCTION) < 0.03) continue
      const servings = Math.min(50, Math.max(1, present.length))
      out.push(c.servings[servings] ??= new newDecoction(c.id, servings))
    }
    for (const c of h.leaflets) {
      if (e < c.from || e > c.to || h.leafletsDone.has(c.id) || unit(seedKey, h.key, e, FORGET_LEAFLET) < 0.12) {
        continue
      }
      h.leafletsDone.add(c.id)
      out.push(new newPublicity(c.id, unit(seedKey, h.key, e, MEDIUM) < 0.85 ? "leaflet" : "explanation"))
    }
    for (const m of h.matters) {
      let note: string | undefined
      if (m.resolved === e) note = `办结：${m.matter.resolution!.note}`
      else if (m.raised && e === m.opened) note = `入户登记：${m.matter.summary}`
      else if (
        m.followed && e >= m.firstFollowUp && (m.resolved === undefined || e < m.resolved) &&
        (e - m.firstFollowUp) % 3 === 0 && unit(seedKey, m.key, e, FORGET_MATTER) >= 0.08
      ) note = Names.followUpNotes[(m.key + e) % Names.followUpNotes.length]
      if (note !== undefined) out.push(new newMatterFollowUp(m.matter.id, note))
    }
    // A copy of exactly the right length: `out` has room for many more.
    return out.length === 0 ? NO_OBSERVATIONS : out.slice()
  }

  const knock = (
    out: Array<Visit>,
    grid: GridInfo,
    h: HouseholdInfo,
    second: boolean,
    minute: number,
    outcome: Visit["outcome"],
    observations: ReadonlyArray<Observation>
  ) =>
    out.push(
      new newVisit(
        VisitId.make(h.idPrefix + (second ? secondKnock : firstKnock), true),
        h.household.id,
        grid.liaisonId,
        at(minute),
        outcome,
        observations
      )
    )

  const next = (out: Array<Visit>): boolean => {
    if (e > toE) return false
    date = LocalDate.fromEpochDay(e)
    const stamp = date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10)
    firstKnock = `${stamp}.1`
    secondKnock = `${stamp}.2`
    dayStart = zone.startOf(date)
    times.fill(undefined)

    for (const grid of grids) {
      const rng = new Rng(hash(seedKey, grid.key, e, WALK))
      const dayOff = !(grid.forced.size > 0 && grid.forced.has(e)) &&
        unit(seedKey, grid.key, e, ABSENT) < LIAISON_DAY_OFF
      let minute = 7 * 60 + 30 + rng.int(0, 75)
      let lunch = 11 * 60 + 30 + rng.int(0, 30)
      const evening: Array<HouseholdInfo> = []
      for (const h of grid.households) {
        if (e < h.from || e > h.until) continue
        const forced = h.forced.size > 0 && h.forced.has(e)
        if (!forced && (dayOff || unit(seedKey, h.key, e, MISS) < HOUSEHOLD_MISSED)) continue
        if (minute >= lunch) {
          minute = 14 * 60 + rng.int(0, 30)
          lunch = Infinity
        }
        minute += rng.int(1, 3)
        present.length = 0
        let working = true
        for (const r of h.residents) {
          if (e < r.from || e > r.until || e < r.presentFrom) continue
          present.push(r)
          if (e < r.adultFrom || e >= r.elderFrom) working = false
        }
        let outcome: Visit["outcome"] = "contacted"
        if (!forced) {
          if (unit(seedKey, h.key, e, REFUSE) < (h.refuser ? REFUSED_BY_REFUSER : REFUSED)) outcome = "refused"
          else if (
            unit(seedKey, h.key, e, NOBODY) <
              (present.length === 0 ? 1 : working ? NOBODY_HOME_WORKING : NOBODY_HOME)
          ) outcome = "nobody-home"
        }
        if (outcome === "contacted") {
          const observations = observe(h)
          knock(out, grid, h, false, minute, outcome, observations)
          minute += rng.int(3, 9) + observations.length
        } else {
          knock(out, grid, h, false, minute, outcome, NO_OBSERVATIONS)
          minute += rng.int(1, 2)
          if (outcome === "nobody-home" && present.length > 0 && unit(seedKey, h.key, e, REVISIT) < EVENING_REVISIT) {
            evening.push(h)
          }
        }
      }
      let late = Math.max(minute + 30, 16 * 60 + 30 + rng.int(0, 60))
      for (const h of evening) {
        late += rng.int(3, 12)
        present.length = 0
        for (const r of h.residents) {
          if (e >= r.from && e <= r.until && e >= r.presentFrom) present.push(r)
        }
        if (unit(seedKey, h.key, e, REVISIT_OUTCOME) < 0.75) {
          const observations = observe(h)
          knock(out, grid, h, true, late, "contacted", observations)
          late += rng.int(3, 9) + observations.length
        } else knock(out, grid, h, true, late, "nobody-home", NO_OBSERVATIONS)
      }
    }
    e++
    return true
  }
  return { next }
}

/**
 * The visits of a scenario, one batch per day of history.
 *
 * @internal
 */
export function* visitBatches(scenario: Scenario, seedKey: number): Generator<Array<Visit>> {
  const days = walk(scenario, seedKey)
  for (;;) {
    const batch: Array<Visit> = []
    if (!days.next(batch)) return
    yield batch
  }
}

/**
 * All the visits of a scenario in one array, in the order of {@link visitBatches}.
 *
 * @internal
 */
export const allVisits = (scenario: Scenario, seedKey: number): Array<Visit> => {
  const days = walk(scenario, seedKey)
  const out: Array<Visit> = []
  let more = true
  while (more) more = days.next(out)
  return out
}
