/**
 * A small hand-built subdistrict for the coverage tests. Every figure the tests expect is
 * worked out from the facts listed here.
 *
 *   sd (subdistrict)
 *   ├── v1 (village) ── g1: h1, h2      liaison L1
 *   │                └─ g2: h3          liaison L2
 *   └── v2 (village) ── g3: h4, h5, h6  liaison L3
 *
 * h5 is active from 05-11; h6 was active until 05-09. The period is 2021-05-10..05-12.
 */
import type { Coverage, Metric } from "@minqing/core"
import { Fact, LocalDate } from "@minqing/core"
import { Schema } from "effect"

export const PERIOD = LocalDate.period("2021-05-10", "2021-05-12")

const decode = Schema.decodeUnknownSync(Fact.Fact)

/** An instant at a local (Asia/Shanghai, UTC+8) date and time. */
export const at = (date: string, time = "09:00") => `${date}T${time}:00+08:00`

const place = (id: string, level: string, parentId?: string) => ({
  _tag: "Place",
  id,
  name: id.toUpperCase(),
  level,
  ...(parentId === undefined ? {} : { parentId })
})

export const household = (id: string, gridId: string, routePosition: number, extra: object = {}) => ({
  _tag: "Household",
  id,
  gridId,
  address: `${id} 号`,
  routePosition,
  activeFrom: "2020-01-01",
  ...extra
})

export const resident = (id: string, householdId: string, birthDate: string, extra: object = {}) => ({
  _tag: "Resident",
  id,
  householdId,
  name: `居民${id}`,
  sex: "female",
  birthDate,
  nationalId: undefined,
  livesAlone: false,
  presence: "present",
  doses: [],
  eligibility: { _tag: "eligible" },
  activeFrom: "2020-01-01",
  ...extra
})

export const visit = (
  householdId: string,
  liaisonId: string,
  when: string,
  outcome: "contacted" | "nobody-home" | "refused" = "contacted",
  observations: Array<object> = []
) => ({
  _tag: "Visit",
  id: `visit-${householdId}-${Date.parse(when)}`,
  householdId,
  liaisonId,
  at: when,
  outcome,
  observations
})

const liaison = (id: string, gridIds: Array<string>) => ({
  _tag: "Liaison",
  id,
  name: `联络员${id}`,
  phone: "13812345678",
  background: "party-member",
  gridIds,
  appointedFrom: "2021-04-01",
  active: true
})

export const arrival = (id: string, householdId: string, extra: object) => ({
  _tag: "ArrivalReport",
  id,
  householdId,
  person: { _tag: "Newcomer", name: `来人${id}`, phone: "13912345678" },
  origin: "武汉",
  originRisk: "medium",
  expectedArrival: "2021-05-04",
  reportedAt: at("2021-05-01"),
  status: "arrived",
  ...extra
})

export const matter = (id: string, householdId: string, opened: string, dueBy: string, extra: object = {}) => ({
  _tag: "Matter",
  id,
  householdId,
  category: "help-request",
  summary: `事项${id}`,
  openedAt: at(opened),
  dueBy,
  status: "open",
  ...extra
})

const clean = (o: object): object => JSON.parse(JSON.stringify(o))

export const decodeAll = (raw: ReadonlyArray<object>): Array<Fact.Fact> => raw.map((f) => decode(clean(f)))

/** The raw facts of the world (decoded by `facts`). */
export const rawFacts = (): Array<object> => {
  const monitoring = ["05-05", "05-06", "05-07", "05-08", "05-09", "05-10", "05-11"].map((d) =>
    visit(
      "h3",
      "L2",
      at(`2021-${d}`, "10:00"),
      "contacted",
      [
        { _tag: "health-check", arrivalId: "a1", symptoms: false },
        ...(d === "05-11" ? [{ _tag: "decoction", campaignId: "c1", servings: 2 }] : [])
      ]
    )
  )
  return [
    place("sd", "subdistrict"),
    place("v1", "village", "sd"),
    place("v2", "village", "sd"),
    place("g1", "grid", "v1"),
    place("g2", "grid", "v1"),
    place("g3", "grid", "v2"),
    liaison("L1", ["g1"]),
    liaison("L2", ["g2"]),
    liaison("L3", ["g3"]),
    household("h1", "g1", 1),
    household("h2", "g1", 2),
    household("h3", "g2", 1),
    household("h4", "g3", 1),
    household("h5", "g3", 2, { activeFrom: "2021-05-11" }),
    household("h6", "g3", 3, { activeUntil: "2021-05-09" }),
    // Vaccination population on 05-12 (aged ≥ 18).
    resident("r1", "h1", "1951-01-01", {
      livesAlone: true,
      doses: [{ date: "2021-03-01", product: "sinovac-coronavac" }, {
        date: "2021-04-01",
        product: "sinovac-coronavac"
      }]
    }),
    resident("r2", "h1", "1981-01-01", { doses: [{ date: "2021-04-10", product: "sinopharm-bibp" }] }),
    resident("r3", "h2", "1991-01-01"),
    resident("r4", "h3", "1971-01-01", { presence: "away" }),
    resident("r5", "h3", "2011-01-01"),
    resident("r6", "h4", "1956-01-01", { eligibility: { _tag: "permanently-contraindicated", reason: "过敏史" } }),
    resident("r7", "h4", "1996-01-01", {
      doses: [{ date: "2021-03-01", product: "cansino-ad5" }, { date: "2021-04-20", product: "cansino-ad5" }]
    }),
    resident("r8", "h4", "1976-01-01", {
      doses: [
        { date: "2021-03-01", product: "sinovac-coronavac" },
        { date: "2021-03-29", product: "sinovac-coronavac" },
        { date: "2021-05-20", product: "sinovac-coronavac" }
      ]
    }),
    resident("r9", "h5", "1988-01-01", { activeFrom: "2021-05-11" }),
    {
      _tag: "Campaign",
      id: "c1",
      kind: "decoction",
      name: "中药预防汤剂",
      scopeId: "v1",
      period: { from: "2021-05-10", to: "2021-05-11" },
      posts: []
    },
    arrival("a1", "h3", { actualArrival: "2021-05-04" }),
    arrival("a2", "h1", {
      originRisk: "high",
      expectedArrival: "2021-05-11",
      reportedAt: at("2021-05-11", "08:00"),
      status: "expected"
    }),
    arrival("a3", "h4", {
      originRisk: "low",
      expectedArrival: "2021-05-12",
      actualArrival: "2021-05-12",
      reportedAt: at("2021-05-09")
    }),
    arrival("a4", "h2", {
      monitoringDays: 2,
      expectedArrival: "2021-05-09",
      actualArrival: "2021-05-09",
      reportedAt: at("2021-05-08")
    }),
    matter("m1", "h1", "2021-05-10", "2021-05-12", {
      status: "resolved",
      resolution: { at: at("2021-05-11", "16:00"), note: "已解决" }
    }),
    matter("m2", "h2", "2021-05-01", "2021-05-05", { category: "dispute" }),
    matter("m3", "h4", "2021-05-05", "2021-05-08", {
      status: "resolved",
      resolution: { at: at("2021-05-12", "11:00"), note: "已解决" }
    }),
    matter("m4", "h3", "2021-05-11", "2021-05-20", { status: "in-progress" }),
    matter("m5", "h3", "2021-05-02", "2021-05-04", {
      status: "resolved",
      resolution: { at: at("2021-05-14"), note: "后来解决" }
    }),
    visit("h1", "L1", at("2021-05-10", "09:00"), "contacted", [
      { _tag: "vaccination-check", residentId: "r1", status: "complete", persuaded: false },
      { _tag: "decoction", campaignId: "c1", servings: 2 }
    ]),
    // 23:30 local on 05-10 is 15:30Z; 00:30 local on 05-11 is 16:30Z on 05-10.
    visit("h2", "L1", "2021-05-10T15:30:00Z", "nobody-home"),
    visit("h2", "L1", "2021-05-10T16:30:00Z", "refused"),
    ...monitoring,
    visit("h3", "L2", at("2021-05-12", "10:00")),
    visit("h4", "L3", at("2021-05-09", "10:00"), "contacted", [
      { _tag: "vaccination-check", residentId: "r7", status: "boosted", persuaded: false }
    ]),
    visit("h5", "L3", at("2021-05-11", "10:00"))
  ]
}

export const facts = (extra: ReadonlyArray<object> = []): Fact.Facts =>
  Fact.bundle(decodeAll([...rawFacts(), ...extra]))

const task = (
  id: string,
  rule: string,
  subjectKind: string,
  subjectId: string,
  householdId: string,
  due: string,
  state: Metric.TaskView["state"],
  resolvedOn?: string
): Metric.TaskView => ({
  id,
  rule,
  subjectKind,
  subjectId,
  householdId: householdId as Metric.TaskView["householdId"],
  due: LocalDate.make(due),
  window: { from: LocalDate.make(due), to: LocalDate.make(due) },
  state,
  ...(resolvedOn === undefined ? {} : { resolvedOn: LocalDate.make(resolvedOn) })
})

/** Tasks as the rules engine would give them as of 05-12. */
export const TASKS: ReadonlyArray<Metric.TaskView> = [
  task("t1", "elderly-alone-checkin", "resident", "r1", "h1", "2021-05-10", "done", "2021-05-10"),
  task("t2", "elderly-alone-checkin", "resident", "r1", "h1", "2021-05-11", "missed"),
  task("t3", "elderly-alone-checkin", "resident", "r1", "h1", "2021-05-12", "due"),
  task("t4", "elderly-alone-checkin", "resident", "r1", "h1", "2021-05-13", "upcoming"),
  task("t5", "household-sweep", "household", "h4", "h4", "2021-05-10", "missed"),
  task("t6", "household-sweep", "household", "h3", "h3", "2021-05-12", "done", "2021-05-12"),
  task("t7", "household-sweep", "household", "h2", "h2", "2021-05-11", "cancelled")
]

export const ids = (members: ReadonlyArray<Metric.Member>) => members.map((m) => m.subject.id)

export const countsOf = (f: Coverage.Figure | undefined) => {
  if (f === undefined) throw new Error("no figure")
  return f.counts
}
