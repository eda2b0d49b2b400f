import { assert, describe, it } from "@effect/vitest"
import { Fact, LocalDate, Place, Resident, TimeZone, Visit } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { DateTime, Schema } from "effect"
import { createHash } from "node:crypto"

const small: Scenario.Options = {
  seed: 11,
  villagesPerSubdistrict: 2,
  gridsPerVillage: 3,
  householdsPerGrid: 12,
  historyDays: 21
}

const lazy = <A>(f: () => A): () => A => {
  let value: { readonly a: A } | undefined
  return () => (value ??= { a: f() }).a
}

const S = lazy(() => Scenario.make({ seed: 1 }))

const roundTrip = (fact: Fact.Fact): void => {
  const json = JSON.stringify(Schema.encodeSync(Fact.Fact)(fact))
  const decoded = Schema.decodeUnknownSync(Fact.Fact)(JSON.parse(json), { errors: "all" })
  assert.strictEqual(decoded._tag, fact._tag)
  assert.strictEqual(JSON.stringify(Schema.encodeSync(Fact.Fact)(decoded)), json)
}

const dateOf = (s: Scenario.Scenario) => {
  const zone = TimeZone.make(s.zone)
  return (v: Visit.Visit) => zone.dateOf(DateTime.toEpochMillis(v.at))
}

const active = (
  r: { readonly activeFrom: LocalDate.LocalDate; readonly activeUntil?: LocalDate.LocalDate },
  d: string
) => r.activeFrom <= d && (r.activeUntil === undefined || d <= r.activeUntil)

/** Every reference of a scenario points at one of its facts, and the observations follow the rules. */
const assertConsistent = (s: Scenario.Scenario) => {
  const { facts } = s
  const tree = Place.tree(facts.places)
  const places = new Map(facts.places.map((p) => [p.id, p]))
  for (const p of facts.places) {
    const parent = p.parentId === undefined ? undefined : places.get(p.parentId)
    if (p.parentId !== undefined) assert.isDefined(parent, `parent of ${p.id}`)
    assert.isUndefined(Place.levelProblem(p, parent, s.levels), p.id)
  }
  assert.strictEqual(tree.roots.length, 1)
  assert.strictEqual(tree.roots[0].id, s.rootId)

  const liaisons = new Map(facts.liaisons.map((l) => [l.id, l]))
  for (const gridId of s.gridIds) {
    assert.strictEqual(places.get(gridId)?.level, "grid")
    const liaison = liaisons.get(s.liaisonOf.get(gridId)!)
    assert.deepStrictEqual(liaison?.gridIds, [gridId])
  }
  const households = new Map(facts.households.map((h) => [h.id, h]))
  for (const h of facts.households) assert.strictEqual(places.get(h.gridId)?.level, "grid", h.id)
  const residents = new Map(facts.residents.map((r) => [r.id, r]))
  const nationalIds = new Set<string>()
  for (const r of facts.residents) {
    assert.isTrue(households.has(r.householdId), r.id)
    assert.isFalse(nationalIds.has(r.nationalId!), `duplicate national ID ${r.nationalId}`)
    nationalIds.add(r.nationalId!)
  }
  const arrivals = new Map(facts.arrivals.map((a) => [a.id, a]))
  for (const a of facts.arrivals) {
    assert.isTrue(households.has(a.householdId), a.id)
    if (a.person._tag === "KnownResident") {
      assert.strictEqual(residents.get(a.person.residentId)?.householdId, a.householdId)
    }
  }
  const matters = new Map(facts.matters.map((m) => [m.id, m]))
  for (const m of facts.matters) {
    assert.isTrue(households.has(m.householdId), m.id)
    if (m.residentId !== undefined) assert.strictEqual(residents.get(m.residentId)?.householdId, m.householdId)
  }
  const campaigns = new Map(facts.campaigns.map((c) => [c.id, c]))
  for (const c of facts.campaigns) assert.isTrue(places.has(c.scopeId))

  const date = dateOf(s)
  const ids = new Set<string>()
  const leaflets = new Set<string>()
  // Hundreds of thousands of checks: fail with a message, but only build it on failure.
  const check = (ok: boolean, message: () => string) => {
    if (!ok) assert.fail(message())
  }
  for (const v of facts.visits) {
    check(!ids.has(v.id), () => `duplicate visit id ${v.id}`)
    ids.add(v.id)
    const d = date(v)
    check(LocalDate.contains(s.history, d), () => `${v.id} outside the history`)
    const h = households.get(v.householdId)!
    check(active(h, d), () => `${v.id}: household not active`)
    check(s.liaisonOf.get(h.gridId) === v.liaisonId, () => `${v.id}: not the grid's liaison`)
    for (const o of v.observations) {
      switch (o._tag) {
        case "elderly-wellbeing": {
          const r = residents.get(o.residentId)!
          check(
            r.householdId === v.householdId && r.livesAlone && LocalDate.ageOn(r.birthDate, d) >= 60,
            () => `${v.id}: ${o.residentId} is not an elderly person living alone there`
          )
          break
        }
        case "vaccination-check": {
          const r = residents.get(o.residentId)!
          check(
            r.householdId === v.householdId && LocalDate.ageOn(r.birthDate, d) >= 18 && Resident.isEligibleOn(r, d),
            () => `${v.id}: ${o.residentId} is not an eligible adult there`
          )
          check(
            (o.status === "unvaccinated") === !r.doses.some((dose) => dose.date <= d),
            () => `${v.id}: ${o.residentId} status ${o.status}`
          )
          break
        }
        case "health-check":
        case "arrival-seen": {
          const a = arrivals.get(o.arrivalId!)!
          check(
            a.householdId === v.householdId && a.actualArrival !== undefined && a.actualArrival <= d,
            () => `${v.id}: arrival ${o.arrivalId} not there yet`
          )
          break
        }
        case "decoction":
        case "publicity": {
          const c = campaigns.get(o.campaignId)!
          check(
            c.kind === (o._tag === "decoction" ? "decoction" : "leaflet") && LocalDate.contains(c.period, d) &&
              tree.isWithin(h.gridId, c.scopeId),
            () => `${v.id}: ${o._tag} outside campaign ${o.campaignId}`
          )
          if (o._tag === "publicity") {
            const key = `${v.householdId} ${o.campaignId}`
            check(!leaflets.has(key), () => `second leaflet for ${key}`)
            leaflets.add(key)
          }
          break
        }
        case "matter": {
          check(matters.get(o.matterId)?.householdId === v.householdId, () => `${v.id}: matter ${o.matterId}`)
          break
        }
      }
    }
  }
}

describe("Scenario", () => {
  it("gives the same scenario for the same seed", () => {
    assert.deepStrictEqual(Scenario.make(small), Scenario.make(small))
    const a = S()
    const b = Scenario.make({ seed: 1 })
    assert.deepStrictEqual(b.facts.residents, a.facts.residents)
    assert.strictEqual(b.facts.visits.length, a.facts.visits.length)
    // Every field of every fact, in order (the bench caches files keyed by this output).
    const fingerprint = (s: Scenario.Scenario) =>
      createHash("sha256").update(JSON.stringify({ ...s, liaisonOf: [...s.liaisonOf] })).digest("hex")
    assert.strictEqual(fingerprint(b), fingerprint(a))
  })

  it("gives a different scenario for a different seed", () => {
    const a = Scenario.make(small)
    const b = Scenario.make({ ...small, seed: 12 })
    assert.notDeepEqual(a.facts.residents, b.facts.residents)
    assert.notDeepEqual(a.facts.visits, b.facts.visits)
    assert.deepStrictEqual(a.gridIds, b.gridIds)
  })

  it("builds S as the source subdistrict: 6 villages, 60 grids and liaisons, ~1,800 households", () => {
    const s = S()
    const { facts } = s
    const root = facts.places.find((p) => p.id === s.rootId)!
    assert.strictEqual(root.name, "待王街道")
    assert.strictEqual(root.level, "subdistrict")
    assert.deepStrictEqual(s.levels, ["subdistrict", "village", "grid"])
    assert.strictEqual(s.villageIds.length, 6)
    assert.isTrue(facts.places.some((p) => p.name === "待王村" && p.level === "village"))
    assert.strictEqual(s.gridIds.length, 60)
    assert.strictEqual(facts.liaisons.length, 60)
    assert.strictEqual(new Set(facts.liaisons.flatMap((l) => l.gridIds)).size, 60)
    assert.isTrue(facts.households.length >= 1700 && facts.households.length <= 1900)
    assert.isTrue(facts.residents.length >= 5000 && facts.residents.length <= 5800)
    assert.strictEqual(s.today, "2021-05-14")
    assert.strictEqual(s.history.length, 90)
    const days = new Set(facts.visits.map(dateOf(s)))
    assert.strictEqual(days.size, 90)
    assert.isTrue(days.has(s.history.from) && days.has(s.today))
  })

  it("walks each grid east to west, about 30 households a grid", () => {
    const { facts } = S()
    const byGrid = new Map<string, Array<number>>()
    for (const h of facts.households) byGrid.set(h.gridId, [...(byGrid.get(h.gridId) ?? []), h.routePosition])
    for (const [grid, positions] of byGrid) {
      assert.isTrue(positions.length >= 25 && positions.length <= 35, grid)
      assert.strictEqual(new Set(positions).size, positions.length)
    }
    const first = facts.households.filter((h) => h.gridId === facts.households[0].gridId)
    const sorted = [...first].sort((a, b) => a.routePosition - b.routePosition)
    // East to west: longitude falls along the route.
    for (let i = 1; i < sorted.length; i++) assert.isBelow(sorted[i].coordinates!.lng, sorted[i - 1].coordinates!.lng)
  })

  it("has the people the rules care about", () => {
    const s = S()
    const { facts, today } = s
    const elderly = facts.residents.filter((r) => LocalDate.ageOn(r.birthDate, today) >= 60)
    const alone = elderly.filter((r) => r.livesAlone)
    assert.isTrue(alone.length / elderly.length >= 0.06 && alone.length / elderly.length <= 0.14)
    const households = new Map(facts.residents.map((r) => [r.householdId, 0]))
    for (const r of facts.residents) households.set(r.householdId, households.get(r.householdId)! + 1)
    for (const r of alone) assert.strictEqual(households.get(r.householdId), 1)
    assert.isTrue(facts.residents.some((r) => r.presence === "away"))
    const tags = new Set(facts.residents.map((r) => r.eligibility._tag))
    assert.deepStrictEqual([...tags].sort(), ["eligible", "permanently-contraindicated", "temporarily-contraindicated"])
    const products = new Set(facts.residents.flatMap((r) => r.doses.map((d) => d.product)))
    assert.deepStrictEqual([...products].sort(), ["cansino-ad5", "sinopharm-bibp", "sinovac-coronavac"])
    const doseCounts = new Set(facts.residents.map((r) => r.doses.length))
    for (const n of [0, 1, 2, 3]) assert.isTrue(doseCounts.has(n), `someone with ${n} doses`)
    assert.deepStrictEqual(new Set(facts.arrivals.map((a) => a.originRisk)), new Set(["low", "medium", "high"]))
    const zone = TimeZone.make(s.zone)
    assert.isTrue(
      facts.arrivals.some((a) => zone.dateOf(DateTime.toEpochMillis(a.reportedAt)) < a.expectedArrival),
      "some arrivals are reported in advance"
    )
    assert.isTrue(
      facts.arrivals.some((a) =>
        a.actualArrival !== undefined && zone.dateOf(DateTime.toEpochMillis(a.reportedAt)) > a.actualArrival
      ),
      "some arrivals are reported late"
    )
    assert.deepStrictEqual(
      new Set(facts.matters.map((m) => m.category)),
      new Set(["help-request", "dispute", "infrastructure", "policy-question", "epidemic-report", "other"])
    )
    assert.deepStrictEqual(
      new Set(facts.matters.map((m) => m.status)),
      new Set(["open", "in-progress", "resolved", "escalated"])
    )
    assert.deepStrictEqual(
      new Set(facts.campaigns.map((c) => c.kind)),
      new Set(["decoction", "leaflet", "online-notice"])
    )
    assert.isTrue(facts.campaigns.find((c) => c.kind === "online-notice")!.posts.length > 0)
  })

  it("makes facts that decode with their schemas", () => {
    for (const fact of Fact.toArray(Scenario.make(small).facts)) roundTrip(fact)
    const s = S()
    for (const fact of Fact.toArray({ ...s.facts, visits: [] })) roundTrip(fact)
    for (let i = 0; i < s.facts.visits.length; i += 101) roundTrip(s.facts.visits[i])
  })

  it("builds the same instances the constructors build", () => {
    const v = S().facts.visits.find((v) => v.observations.length > 1)!
    const rebuilt = new Visit.Visit({
      id: v.id,
      householdId: v.householdId,
      liaisonId: v.liaisonId,
      at: v.at,
      outcome: v.outcome,
      observations: v.observations
    })
    assert.instanceOf(v, Visit.Visit)
    assert.deepStrictEqual(v, rebuilt)
    assert.strictEqual(JSON.stringify(v), JSON.stringify(rebuilt))
    // One of each kind of fact and observation, with and without its optional fields: the same
    // object as its class's constructor makes, fields in the same order.
    const { facts } = S()
    const samples = new Map<string, object>()
    for (const fact of Fact.toArray(facts)) {
      samples.set(`${fact._tag} ${Object.keys(fact)}`, fact)
      if (fact._tag === "Visit") { for (const o of fact.observations) samples.set(`${o._tag} ${Object.keys(o)}`, o) }
    }
    assert.isAtLeast([...samples.keys()].filter((k) => k.startsWith("health-check")).length, 2)
    for (const [kind, sample] of samples) {
      const Class = sample.constructor as new(props: object) => object
      const props: Record<string, unknown> = { ...sample }
      delete props._tag
      const made = new Class(props)
      assert.deepStrictEqual(sample, made, kind)
      assert.strictEqual(JSON.stringify(sample), JSON.stringify(made), kind)
    }
  })

  it("keeps every reference inside the scenario and follows the rules", () => {
    assertConsistent(Scenario.make(small))
    assertConsistent(S())
  })

  it("has a realistic, imperfect history", () => {
    const s = S()
    const date = dateOf(s)
    const contacted = new Map<string, Set<string>>()
    const visited = new Map<string, Set<string>>()
    for (const v of s.facts.visits) {
      const d = date(v)
      if (!visited.has(d)) visited.set(d, new Set())
      visited.get(d)!.add(v.householdId)
      if (v.outcome !== "contacted") continue
      if (!contacted.has(d)) contacted.set(d, new Set())
      contacted.get(d)!.add(v.householdId)
    }
    const coverage = LocalDate.days(s.history).map((d) =>
      contacted.get(d)!.size / s.facts.households.filter((h) => active(h, d)).length
    )
    for (const c of coverage) assert.isTrue(c > 0.85 && c < 1, `daily screening coverage ${c}`)
    const mean = coverage.reduce((a, b) => a + b, 0) / coverage.length
    assert.isTrue(mean >= 0.92 && mean <= 0.97, `mean coverage ${mean}`)
    const missed = LocalDate.days(s.history).some((d) =>
      s.facts.households.some((h) => active(h, d) && !visited.get(d)!.has(h.id))
    )
    assert.isTrue(missed, "some household is passed by on some day")
    assert.isTrue(s.facts.visits.some((v) => v.outcome === "nobody-home"))
    assert.isTrue(s.facts.visits.some((v) => v.outcome === "refused"))
    assert.isTrue(s.facts.visits.some((v) => v.id.endsWith(".2")), "some evening second knocks")
    const zone = TimeZone.make(s.zone)
    for (const v of s.facts.visits) {
      const ms = DateTime.toEpochMillis(v.at)
      const hour = (ms - zone.startOf(zone.dateOf(ms))) / 3_600_000
      if (hour < 7.5 || hour >= 20) assert.fail(`${v.id} at ${hour}h`)
    }
    // A liaison sometimes forgets to ask an elderly person living alone how they are.
    const aloneOf = new Map(
      s.facts.residents.filter((r) => r.livesAlone && LocalDate.ageOn(r.birthDate, s.history.from) >= 60).map((
        r
      ) => [r.householdId, r.id])
    )
    const forgotten = s.facts.visits.some((v) =>
      v.outcome === "contacted" && aloneOf.has(v.householdId) &&
      !v.observations.some((o) => o._tag === "elderly-wellbeing")
    )
    assert.isTrue(forgotten)
  })

  it("records persuasion that leads to a dose later", () => {
    const s = S()
    const residents = new Map(s.facts.residents.map((r) => [r.id, r]))
    const date = dateOf(s)
    const persuaded = s.facts.visits.some((v) =>
      v.observations.some((o) => {
        if (o._tag !== "vaccination-check" || o.status !== "unvaccinated" || !o.persuaded) return false
        const d = date(v)
        return residents.get(o.residentId)!.doses.some((dose) => dose.date > d && dose.date <= s.today)
      })
    )
    assert.isTrue(persuaded)
  })

  it("splits into parts that add up to the whole", () => {
    const options: Scenario.Options = {
      seed: 3,
      districts: 2,
      subdistricts: 2,
      villagesPerSubdistrict: 1,
      gridsPerVillage: 2,
      householdsPerGrid: 6,
      historyDays: 6
    }
    const whole = Scenario.make(options)
    const parts = [...Scenario.parts(options)]
    assert.strictEqual(parts.length, 4)
    assert.deepStrictEqual(whole.levels, ["city", "district", "subdistrict", "village", "grid"])
    assert.deepStrictEqual(parts.flatMap((p) => p.facts.places), whole.facts.places)
    assert.deepStrictEqual(parts.flatMap((p) => p.facts.residents), whole.facts.residents)
    const streamed = parts.flatMap((p) => [...Scenario.visits(p)].flat())
    const byId = (a: Visit.Visit, b: Visit.Visit) => (a.id < b.id ? -1 : 1)
    assert.deepStrictEqual([...streamed].sort(byId), [...whole.facts.visits].sort(byId))
    assert.strictEqual([...Scenario.visits(Scenario.roster(options))].length, 6)
    assertConsistent(whole)
  })

  it("keeps ids valid across many districts, subdistricts and villages", () => {
    const s = Scenario.make({
      seed: 5,
      districts: 3,
      subdistricts: 7,
      villagesPerSubdistrict: 12,
      gridsPerVillage: 1,
      householdsPerGrid: 1,
      historyDays: 1
    })
    assert.strictEqual(s.subdistrictIds.length, 21)
    assert.strictEqual(new Set(s.facts.places.map((p) => p.id)).size, s.facts.places.length)
    for (const fact of Fact.toArray(s.facts)) roundTrip(fact)
    assertConsistent(s)
  })

  it("explains options it cannot use", () => {
    assert.throws(() => Scenario.make({ gridsPerVillage: 0 }), /gridsPerVillage must be a whole number from 1 to 99/)
    assert.throws(() => Scenario.make({ today: "2021-02-30" }), /YYYY-MM-DD/)
  })
})
