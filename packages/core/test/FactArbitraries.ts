/**
 * Arbitrary facts for property tests of the engines: ids drawn from short lists, so a sequence
 * of facts often updates or moves the same records.
 */
import { Fact, LocalDate, type Observation } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"
import { FastCheck as fc } from "effect"

const { observe } = RuleTesting

// A small universe: ids drawn from short lists, so facts often update or move records.
export const H = ["h-1", "h-2", "h-3"]
export const R = ["r-1", "r-2", "r-3", "r-4", "r-5"]
export const A = ["a-1", "a-2"]
export const M = ["m-1", "m-2"]
export const C = ["c-1", "c-2"]
export const GRIDS = ["g-1", "g-2"]

export const day = (offset: number) => LocalDate.addDays(LocalDate.make("2021-05-01"), offset)

export const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 })

/** One fact (with the grid places it needs), built through the fixture builder so it is valid. */
export type Make = ReadonlyArray<Fact.Fact>

export const build = (f: (b: RuleTesting.Builder) => RuleTesting.Builder): Make => f(RuleTesting.facts()).facts()

export const household: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...H),
  grid: fc.constantFrom(...GRIDS),
  from: fc.integer({ min: -30, max: 10 }),
  until: sometimes(fc.integer({ min: 10, max: 25 })),
  position: fc.integer({ min: 0, max: 50 })
}).map((h) =>
  build((b) =>
    b.household(h.id, {
      grid: h.grid,
      routePosition: h.position,
      activeFrom: day(h.from),
      ...(h.until === undefined ? {} : { activeUntil: day(h.until) })
    })
  )
)

export const resident: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...R),
  household: fc.constantFrom(...H),
  born: fc.constantFrom("1935-02-03", "1961-05-06", "1990-07-08", "2004-05-10"),
  livesAlone: fc.boolean(),
  away: fc.boolean(),
  doses: fc.integer({ min: 0, max: 2 }),
  product: fc.constantFrom("sinovac-coronavac", "cansino-ad5"),
  eligibility: fc.constantFrom("eligible", "temporary", "permanent"),
  until: sometimes(fc.integer({ min: 5, max: 25 }))
}).map((r) =>
  build((b) =>
    b.resident(r.id, {
      household: r.household,
      birthDate: r.born,
      livesAlone: r.livesAlone,
      presence: r.away ? "away" : "present",
      doses: Array.from({ length: r.doses }, (_, i) => ({ date: day(i * 7), product: r.product })),
      eligibility: r.eligibility === "eligible"
        ? { _tag: "eligible" }
        : r.eligibility === "temporary"
        ? { _tag: "temporarily-contraindicated", reason: "fever", until: day(6) }
        : { _tag: "permanently-contraindicated", reason: "allergy" },
      ...(r.until === undefined ? {} : { activeUntil: day(r.until) })
    })
  )
)

export const arrival: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...A),
  household: fc.constantFrom(...H),
  resident: sometimes(fc.constantFrom(...R)),
  expected: fc.integer({ min: 0, max: 18 }),
  late: fc.integer({ min: 0, max: 3 }),
  arrived: fc.boolean(),
  risk: fc.constantFrom("low" as const, "medium" as const, "high" as const),
  days: sometimes(fc.integer({ min: 0, max: 5 })),
  cancelled: fc.boolean()
}).map((a) =>
  build((b) =>
    b.arrival(a.id, {
      household: a.household,
      ...(a.resident === undefined ? {} : { resident: a.resident }),
      expected: day(a.expected),
      ...(a.arrived ? { actual: day(a.expected + a.late) } : {}),
      risk: a.risk,
      ...(a.days === undefined ? {} : { monitoringDays: a.days }),
      ...(a.cancelled ? { status: "cancelled" as const } : {})
    })
  )
)

export const matter: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...M),
  household: fc.constantFrom(...H),
  opened: fc.integer({ min: 0, max: 15 }),
  resolvedAfter: sometimes(fc.integer({ min: 0, max: 8 })),
  dispute: fc.boolean()
}).map((m) =>
  build((b) =>
    b.matter(m.id, {
      household: m.household,
      openedAt: `${day(m.opened)} 09:00`,
      category: m.dispute ? "dispute" : "help-request",
      ...(m.resolvedAfter === undefined ? {} : { resolvedAt: `${day(m.opened + m.resolvedAfter)} 17:00` })
    })
  )
)

export const campaign: fc.Arbitrary<Make> = fc.record({
  id: fc.constantFrom(...C),
  kind: fc.constantFrom("decoction" as const, "leaflet" as const),
  scope: fc.constantFrom("sd-1", "v-1", ...GRIDS),
  from: fc.integer({ min: 0, max: 12 }),
  length: fc.integer({ min: 0, max: 8 })
}).map((c) =>
  build((b) => b.campaign(c.id, { kind: c.kind, scope: c.scope, from: day(c.from), to: day(c.from + c.length) }))
)

export const observation: fc.Arbitrary<Observation.Observation> = fc.oneof(
  fc.constantFrom(...R).map((r) => observe.wellbeing(r)),
  fc.constantFrom(...R).map((r) => observe.vaccinationCheck(r)),
  fc.constantFrom(...R).map((r) => observe.healthCheck({ residentId: r })),
  fc.constantFrom(...A).map((a) => observe.healthCheck({ arrivalId: a })),
  fc.constantFrom(...C).map((c) => observe.decoction(c)),
  fc.constantFrom(...C).map((c) => observe.publicity(c)),
  fc.constantFrom(...M).map((m) => observe.matter(m))
)

export const visit: fc.Arbitrary<Make> = fc.record({
  id: fc.integer({ min: 1, max: 40 }),
  household: fc.constantFrom(...H),
  day: fc.integer({ min: -1, max: 14 }),
  // few distinct times, so visits often share an instant (ties) or sit next to midnight
  time: fc.constantFrom("00:00", "09:00", "23:30"),
  outcome: fc.constantFrom("contacted" as const, "contacted" as const, "contacted" as const, "nobody-home" as const),
  observations: fc.array(observation, { maxLength: 3 })
}).map((v) =>
  build((b) =>
    b.visit({
      id: `v-${v.id}`,
      household: v.household,
      at: `${day(v.day)} ${v.time}`,
      outcome: v.outcome,
      observations: v.outcome === "contacted" ? v.observations : []
    })
  )
)

export const liaison: fc.Arbitrary<Make> = fc.record({ grid: fc.constantFrom(...GRIDS), active: fc.boolean() }).map(
  (l) => build((b) => b.liaison("l-1", { grids: [l.grid], active: l.active }))
)

export const fact = fc.oneof(
  { arbitrary: visit, weight: 8 },
  { arbitrary: household, weight: 2 },
  { arbitrary: resident, weight: 3 },
  { arbitrary: arrival, weight: 1 },
  { arbitrary: matter, weight: 1 },
  { arbitrary: campaign, weight: 1 },
  { arbitrary: liaison, weight: 1 }
)
