import { assert, describe, it } from "@effect/vitest"
import type { Ids } from "@minqing/core"
import { BuiltInMetrics, Coverage, Fact, LocalDate, type Metric } from "@minqing/core"
import { FastCheck as fc } from "effect"
import { arrival, at, decodeAll, household, matter, resident, visit } from "./CoverageFixtures.js"

const BASE = LocalDate.make("2021-05-01")
const date = (offset: number) => LocalDate.addDays(BASE, offset)
const PERIOD = { from: date(4), to: date(13) }

const STATES = ["upcoming", "due", "overdue", "done", "missed", "cancelled"] as const

/** A random subdistrict: villages of grids, households with residents, visits, arrivals, matters, tasks. */
const world = fc.record({
  villages: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  households: fc.array(
    fc.record({
      grid: fc.nat(),
      from: fc.integer({ min: -30, max: 16 }),
      until: fc.option(fc.integer({ min: -5, max: 20 }), { nil: undefined }),
      residents: fc.array(
        fc.record({
          age: fc.integer({ min: 5, max: 90 }),
          doses: fc.array(fc.integer({ min: -60, max: 16 }), { maxLength: 3 }),
          away: fc.boolean(),
          contraindicated: fc.boolean()
        }),
        { maxLength: 3 }
      )
    }),
    { maxLength: 20 }
  ),
  visits: fc.array(
    fc.record({
      household: fc.nat(),
      day: fc.integer({ min: -10, max: 16 }),
      hour: fc.integer({ min: 0, max: 23 }),
      outcome: fc.constantFrom("contacted" as const, "nobody-home" as const, "refused" as const),
      decoction: fc.boolean(),
      check: fc.boolean()
    }),
    { maxLength: 60 }
  ),
  arrivals: fc.array(
    fc.record({
      household: fc.nat(),
      arrives: fc.integer({ min: -10, max: 14 }),
      reported: fc.integer({ min: -12, max: 14 }),
      risk: fc.constantFrom("low", "medium", "high")
    }),
    { maxLength: 5 }
  ),
  matters: fc.array(
    fc.record({
      household: fc.nat(),
      opened: fc.integer({ min: -10, max: 13 }),
      due: fc.integer({ min: 0, max: 10 }),
      resolvedAfter: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined })
    }),
    { maxLength: 6 }
  ),
  tasks: fc.array(
    fc.record({
      household: fc.nat(),
      due: fc.integer({ min: 0, max: 16 }),
      state: fc.constantFrom(...STATES),
      rule: fc.constantFrom("household-sweep", "elderly-alone-checkin")
    }),
    { maxLength: 30 }
  )
})

type World = typeof world extends fc.Arbitrary<infer A> ? A : never

const build = (w: World) => {
  const raw: Array<object> = [{ _tag: "Place", id: "sd", name: "SD", level: "subdistrict" }]
  const grids: Array<string> = []
  w.villages.forEach((n, v) => {
    raw.push({ _tag: "Place", id: `v${v}`, name: `V${v}`, level: "village", parentId: "sd" })
    for (let g = 0; g < n; g++) {
      const id = `g${v}-${g}`
      grids.push(id)
      raw.push({ _tag: "Place", id, name: id, level: "grid", parentId: `v${v}` })
      raw.push({
        _tag: "Liaison",
        id: `L${id}`,
        name: `联络员${id}`,
        phone: "13812345678",
        background: "grid-worker",
        gridIds: [id],
        appointedFrom: "2021-01-01",
        active: true
      })
    }
  })
  raw.push({
    _tag: "Campaign",
    id: "c1",
    kind: "decoction",
    name: "汤剂",
    scopeId: "v0",
    period: { from: date(6), to: date(10) },
    posts: []
  })
  const hs = w.households.map((h, i) => {
    const from = date(h.from)
    const until = h.until === undefined ? undefined : LocalDate.max(from, date(h.until))
    raw.push(household(`h${i}`, grids[h.grid % grids.length], i, {
      activeFrom: from,
      ...(until === undefined ? {} : { activeUntil: until })
    }))
    h.residents.forEach((r, k) => {
      const birth = LocalDate.make(`${2021 - r.age}-03-01`)
      raw.push(resident(`r${i}-${k}`, `h${i}`, birth, {
        presence: r.away ? "away" : "present",
        eligibility: r.contraindicated ? { _tag: "permanently-contraindicated", reason: "x" } : { _tag: "eligible" },
        doses: r.doses.map((d) => ({ date: LocalDate.max(birth, date(d)), product: "sinovac-coronavac" }))
      }))
    })
    return `h${i}`
  })
  if (hs.length > 0) {
    w.visits.forEach((v) => {
      const h = hs[v.household % hs.length]
      const observations = v.outcome !== "contacted" ? [] : [
        ...(v.decoction ? [{ _tag: "decoction", campaignId: "c1", servings: 1 }] : []),
        ...(v.check ? [{ _tag: "health-check", arrivalId: "a0", symptoms: false }] : [])
      ]
      raw.push(visit(h, "L", at(date(v.day), `${String(v.hour).padStart(2, "0")}:15`), v.outcome, observations))
    })
    w.arrivals.forEach((a, i) => {
      raw.push(arrival(`a${i}`, hs[a.household % hs.length], {
        originRisk: a.risk,
        expectedArrival: date(a.arrives),
        actualArrival: date(a.arrives),
        reportedAt: at(date(a.reported))
      }))
    })
    w.matters.forEach((m, i) => {
      raw.push(matter(`m${i}`, hs[m.household % hs.length], date(m.opened), date(m.opened + m.due), {
        ...(m.resolvedAfter === undefined ? {} : {
          status: "resolved",
          resolution: { at: at(date(m.opened + m.resolvedAfter)), note: "ok" }
        })
      }))
    })
  }
  const tasks: Array<Metric.TaskView> = hs.length === 0 ? [] : w.tasks.map((t, i) => ({
    id: `t${i}`,
    rule: t.rule,
    subjectKind: "household",
    subjectId: hs[t.household % hs.length],
    householdId: hs[t.household % hs.length] as Ids.HouseholdId,
    due: date(t.due),
    window: { from: date(t.due), to: date(t.due) },
    state: t.state,
    ...(t.state === "done" ? { resolvedOn: date(t.due) } : {})
  }))
  return { facts: Fact.bundle(decodeAll(raw)), tasks }
}

const ADDITIVE = ["population", "excluded", "denominator", "numerator", "missing", "observed", "sum"] as const

const assertAddsUp = (
  what: string,
  parent: Coverage.Counts,
  children: ReadonlyArray<Coverage.Counts>
) => {
  for (const key of ADDITIVE) {
    const total = children.reduce((s, c) => s + c[key], 0)
    assert.closeTo(total, parent[key], 1e-9, `${what}: ${key}`)
  }
}

describe("roll-up", () => {
  it("the children of every place add up to it, for every metric, stratum and day", () => {
    fc.assert(
      fc.property(world, (w) => {
        const { facts, tasks } = build(w)
        const report = Coverage.compute({
          facts,
          metrics: BuiltInMetrics.all,
          scope: "sd" as Ids.PlaceId,
          period: PERIOD,
          tasks
        })
        assert.isTrue(report._tag === "Right")
        if (report._tag !== "Right") return
        const r = report.right
        for (const result of r.results) {
          r.places.forEach((node, i) => {
            if (node.children.length === 0) return
            const parent = result.figures[i]
            const kids = node.children.map((id) => result.figures[r.places.findIndex((p) => p.placeId === id)])
            const what = `${result.metric.id} at ${node.placeId}`
            assertAddsUp(what, parent.counts, kids.map((k) => k.counts))
            // Member lists partition the same way.
            assert.strictEqual(
              kids.reduce((s, k) => s + k.missing.length + k.numerator.length, 0),
              parent.missing.length + parent.numerator.length,
              what
            )
            for (const s of parent.strata) {
              assertAddsUp(
                `${what} stratum ${s.stratum}`,
                s.counts,
                kids.flatMap((k) => k.strata.filter((x) => x.stratum === s.stratum).map((x) => x.counts))
              )
            }
            parent.series.forEach((p, d) =>
              assertAddsUp(`${what} on ${p.date}`, p.counts, kids.map((k) => k.series[d].counts))
            )
          })
          // A proportion's parts add up within each figure too.
          for (const f of result.figures) {
            assert.strictEqual(f.counts.denominator, f.counts.population - f.counts.excluded)
            if (result.metric.scoring === "proportion") {
              assert.strictEqual(f.counts.missing, f.missing.length)
              assert.strictEqual(f.counts.numerator, f.numerator.length)
              assert.strictEqual(f.counts.excluded, f.excluded.length)
            }
          }
        }
      }),
      { numRuns: 40 }
    )
  })
})
