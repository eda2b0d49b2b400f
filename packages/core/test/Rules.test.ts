import { assert, describe, it } from "@effect/vitest"
import { BuiltInRules, Engine, Ids, LocalDate, Recurrence, Rule, RulePack, Task, Visit } from "@minqing/core"
import { RuleTesting } from "@minqing/core/testing"
import { DateTime, Either, Schema } from "effect"

const { observe } = RuleTesting
const d = LocalDate.make

// A rule of a subdistrict's own, on a subject kind of its own: households where two or more
// residents are 80 or older get a weekly visit on the weekdays given.
const veryOldHouseholds = Rule.subject({
  kind: "very-old-household",
  subjects: (facts) => {
    const household = facts.households[0]
    const old = facts.residents.filter((r) => r.birthDate <= "1941-01-01")
    return household !== undefined && old.length >= 2 ? [{ household, residents: old }] : []
  },
  id: (s) => s.household.id,
  householdId: (s) => s.household.id
})

const veryOldCheck = Rule.make({
  id: "very-old-check",
  version: 2,
  title: { "zh-Hans": "高龄户走访", "zh-Hant": "高齡戶走訪", en: "Very old household check" },
  subject: veryOldHouseholds,
  params: Schema.Struct({ weekdays: Schema.Array(Recurrence.Weekday), priority: Task.Priority }),
  defaults: { weekdays: [2, 5], priority: "high" },
  applies: (s) =>
    Rule.since(s.household.activeFrom, [`${s.residents.length} residents aged 80 or more`]).pipe(
      Rule.within(s.household, `household ${s.household.id}`)
    ),
  recurrence: (_, { params, from }) => Recurrence.weekly(params.weekdays, from),
  window: { before: 0, after: 1 },
  priority: (_, params) => params.priority,
  // the subject's type flows here: s.residents is typed
  resolvedBy: (visit, s) =>
    s.residents.every((r) => visit.observations.some((o) => o._tag === "elderly-wellbeing" && o.residentId === r.id))
})

const oldCouple = () =>
  RuleTesting.facts()
    .household("h-1")
    .resident("r-1", { household: "h-1", birthDate: "1935-01-01" })
    .resident("r-2", { household: "h-1", birthDate: "1938-06-01" })

describe("rules", () => {
  it("runs a rule written outside the core, on a subject kind of its own", () => {
    const pack = RulePack.make("custom", [veryOldCheck])
    // 2021-05-11 is a Tuesday, 2021-05-14 a Friday
    const facts = oldCouple()
      .visit({ household: "h-1", at: "2021-05-12 10:00", observations: [observe.wellbeing("r-1")] })
      .visit({
        household: "h-1",
        at: "2021-05-14 10:00",
        id: "v-both",
        observations: [observe.wellbeing("r-1"), observe.wellbeing("r-2")]
      })
    RuleTesting.expectTasks(pack, facts, "2021-05-16", { from: "2021-05-10", to: "2021-05-16" })
      .toEqual([
        { rule: "very-old-check", subject: "h-1", due: "2021-05-11", state: "missed", priority: "high" },
        { rule: "very-old-check", subject: "h-1", due: "2021-05-14", state: "done", resolvedBy: "v-both" }
      ])
    const one = RuleTesting.facts().household("h-1").resident("r-1", { household: "h-1", birthDate: "1935-01-01" })
    assert.deepStrictEqual(RuleTesting.tasks(pack, one, "2021-05-11"), [])
  })

  it("explains every task: rule, version, parameters, facts and recurrence", () => {
    const [task] = RuleTesting.tasks(RulePack.make("custom", [veryOldCheck]), oldCouple(), "2021-05-11")
    assert.deepStrictEqual(task.explanation.rule, "very-old-check")
    assert.deepStrictEqual(task.explanation.version, 2)
    assert.deepStrictEqual(task.explanation.params, { weekdays: [2, 5], priority: "high" })
    assert.deepStrictEqual(task.explanation.because, ["2 residents aged 80 or more"])
    assert.deepStrictEqual(task.explanation.facts, [{ tag: "Household", id: "h-1" }])
    assert.strictEqual(Recurrence.describe(task.explanation.recurrence), "on Tue, Fri from 2021-01-01")

    const [elderly] = RuleTesting.tasks(
      BuiltInRules.pack,
      RuleTesting.facts().household("h-1").resident("r-9", {
        household: "h-1",
        name: "王秀英",
        birthDate: "1950-03-07",
        livesAlone: true
      }),
      "2021-05-10"
    ).filter((t) => t.rule === "elderly-alone-checkin")
    assert.deepStrictEqual(elderly.explanation.because, [
      "王秀英 (r-9) lives alone",
      "aged 60 or more from 2010-03-07 (born 1950-03-07)"
    ])
    assert.deepStrictEqual(elderly.explanation.facts, [{ tag: "Resident", id: "r-9" }, { tag: "Household", id: "h-1" }])
  })

  it("builds lazy explanations once, only for subjects with a task, and keeps them through the combinators", () => {
    let built = 0
    const lazy = Rule.make({
      id: "lazy-words",
      version: 1,
      title: { "zh-Hans": "测试", "zh-Hant": "測試", en: "Lazy words" },
      subject: Rule.household,
      params: Schema.Struct({}),
      defaults: {},
      applies: (h) =>
        Rule.applies({
          from: h.activeFrom,
          because: () => {
            built++
            return [`household ${h.id}`]
          },
          facts: () => [{ tag: "Household", id: h.id }]
        }).pipe(
          Rule.because("and one more reason"),
          Rule.within(h, `household ${h.id}`),
          Rule.startingOn(d("2021-05-01"))
        ),
      recurrence: (_, { from }) => Recurrence.daily(from),
      resolvedBy: Rule.contacted
    })
    const facts = RuleTesting.facts()
      .household("h-1")
      .household("h-2", { activeFrom: "2021-06-01" })
    const tasks = RuleTesting.tasks(RulePack.make("lazy", [lazy]), facts, "2021-05-10", {
      from: "2021-05-09",
      to: "2021-05-11"
    })
    assert.deepStrictEqual(tasks.map((t) => t.subjectId), ["h-1", "h-1", "h-1"])
    // h-2 has no task in the dates: its words were never built; h-1's once for its three tasks
    assert.strictEqual(built, 1)
    assert.deepStrictEqual(tasks[0].explanation.because, ["household h-1", "and one more reason"])
    assert.deepStrictEqual(tasks[0].explanation.facts, [{ tag: "Household", id: "h-1" }])
    assert.strictEqual(tasks[2].explanation, tasks[0].explanation)
    const app = Rule.applies({ from: d("2021-05-01"), because: () => ["lazy"], stopped: () => "ended" })
    assert.deepStrictEqual(JSON.parse(JSON.stringify(Rule.endingOn(app, d("2021-05-09"), "moved out"))), {
      from: "2021-05-01",
      until: "2021-05-09",
      cancelled: false,
      because: ["lazy"],
      facts: [],
      stopped: "moved out"
    })
  })

  it("builds a rule's own explanation (explain) only for subjects with a task", () => {
    const explained: Array<string> = []
    const rule = Rule.make({
      id: "explained",
      version: 1,
      title: { "zh-Hans": "测试", "zh-Hant": "測試", en: "Explained" },
      subject: Rule.household,
      params: Schema.Struct({}),
      defaults: {},
      applies: (h) => Rule.since(h.activeFrom),
      explain: (h, { facts }) => {
        explained.push(h.id)
        return { because: [`household ${h.id} of ${facts.households.length}`], facts: [{ tag: "Household", id: h.id }] }
      },
      recurrence: (_, { from }) => Recurrence.daily(from),
      resolvedBy: Rule.contacted
    })
    const facts = RuleTesting.facts().household("h-1").household("h-2", { activeFrom: "2021-06-01" })
    const tasks = RuleTesting.tasks(RulePack.make("explained", [rule]), facts, "2021-05-10")
    assert.deepStrictEqual(tasks.map((t) => t.explanation.because), [["household h-1 of 1"]])
    assert.deepStrictEqual(tasks[0].explanation.facts, [{ tag: "Household", id: "h-1" }])
    assert.deepStrictEqual(explained, ["h-1"])
    assert.isFalse("stopped" in tasks[0].explanation)
  })

  it("gives tasks deterministic ids, the same on every evaluation", () => {
    const facts = oldCouple().build()
    const options = { asOf: d("2021-05-10"), from: d("2021-05-01"), to: d("2021-05-20") }
    const a = Engine.evaluate(BuiltInRules.pack, facts, options).map((t) => t.id)
    const b = Engine.evaluate(BuiltInRules.pack, facts, { ...options, asOf: d("2021-05-20") }).map((t) => t.id)
    assert.deepStrictEqual(a, b)
    assert.strictEqual(new Set(a).size, a.length)
    assert.include(a, "household-sweep:h-1:2021-05-10")
    assert.include(a, "vaccination-followup:r-1:2021-05-10")
  })

  it("encodes tasks with the Task schema for the edges", () => {
    const facts = RuleTesting.facts().household("h-1").visit({ household: "h-1", at: "2021-05-10 10:00" }).build()
    const tasks = Engine.evaluate(BuiltInRules.pack, facts, {
      asOf: d("2021-05-10"),
      from: d("2021-05-10"),
      to: d("2021-05-10")
    })
    const json = JSON.parse(JSON.stringify(Schema.encodeSync(Schema.Array(Task.Task))(tasks)))
    const back = Schema.decodeUnknownSync(Schema.Array(Task.Task))(json)
    assert.deepStrictEqual(back, tasks)
    assert.strictEqual(back[0].resolvedBy, "v-1")
  })
})

describe("time zones", () => {
  const sweep = RulePack.make("sweep", [BuiltInRules.householdSweep])

  it("counts a visit at 23:30 local for that day, and one at 00:30 for the next", () => {
    const facts = RuleTesting.facts()
      .household("h-1")
      .visit({ household: "h-1", at: "2021-05-10 23:30", id: "late" })
      .visit({ household: "h-1", at: "2021-05-12 00:30", id: "early" })
    RuleTesting.expectTasks(sweep, facts, "2021-05-12", { from: "2021-05-10", to: "2021-05-12" })
      .toHaveStates("household-sweep", "h-1", { "2021-05-10": "done", "2021-05-11": "missed", "2021-05-12": "done" })
      .toInclude({ due: "2021-05-10", resolvedBy: "late" })
      .toInclude({ due: "2021-05-12", resolvedBy: "early" })
  })

  it("uses the deployment's zone, not UTC or the server's", () => {
    // 03:30 UTC on 10 May is 23:30 on 9 May in New York and 11:30 on 10 May in Shanghai
    const visit = new Visit.Visit({
      id: Ids.VisitId.make("v-utc"),
      householdId: Ids.HouseholdId.make("h-1"),
      liaisonId: Ids.LiaisonId.make("l-1"),
      at: DateTime.unsafeMake("2021-05-10T03:30:00Z"),
      outcome: "contacted",
      observations: []
    })
    const facts = RuleTesting.facts().household("h-1").add(visit).build()
    const options = { from: "2021-05-09", to: "2021-05-10" }
    RuleTesting.expectTasks(sweep, facts, "2021-05-10", { ...options, zone: "America/New_York" })
      .toHaveStates("household-sweep", "h-1", { "2021-05-09": "done", "2021-05-10": "due" })
    RuleTesting.expectTasks(sweep, facts, "2021-05-10", { ...options, zone: "Asia/Shanghai" })
      .toHaveStates("household-sweep", "h-1", { "2021-05-09": "missed", "2021-05-10": "done" })
  })

  it("reads local times of fixtures in the builder's zone, across daylight saving", () => {
    // New York springs forward on 14 March 2021
    const facts = RuleTesting.facts({ zone: "America/New_York" })
      .household("h-1")
      .visit({ household: "h-1", at: "2021-03-14 23:30" })
      .visit({ household: "h-1", at: "2021-03-15 00:10" })
    RuleTesting.expectTasks(sweep, facts, "2021-03-16", { from: "2021-03-13", to: "2021-03-16" })
      .toHaveStates("household-sweep", "h-1", {
        "2021-03-13": "missed",
        "2021-03-14": "done",
        "2021-03-15": "done",
        "2021-03-16": "due"
      })
  })
})

describe("rule packs", () => {
  it("composes: add, remove, replace, merge", () => {
    const pack = BuiltInRules.pack.pipe(
      RulePack.remove("decoction-distribution", "publicity-leaflet"),
      RulePack.add(veryOldCheck)
    )
    assert.deepStrictEqual(RulePack.ids(pack), [
      "household-sweep",
      "elderly-alone-checkin",
      "vaccination-followup",
      "arrival-first-visit",
      "arrival-monitoring",
      "matter-followup",
      "very-old-check"
    ])
    const stricter = Rule.modify(BuiltInRules.householdSweep, {
      version: 2,
      resolvedBy: (visit: Visit.Visit) => visit.outcome === "contacted" && visit.observations.length > 0
    })
    const replaced = Either.getOrThrow(RulePack.replace(pack, stricter))
    assert.strictEqual(RulePack.get(replaced, "household-sweep")?.version, 2)
    assert.strictEqual(RulePack.ids(replaced)[0], "household-sweep")
    assert.isTrue(Either.isLeft(RulePack.replace(RulePack.empty, stricter)))
    // data-first forms too
    assert.deepStrictEqual(RulePack.ids(RulePack.remove(BuiltInRules.pack, "matter-followup")).length, 7)
    assert.deepStrictEqual(RulePack.ids(RulePack.add(RulePack.empty, veryOldCheck)), ["very-old-check"])
    const merged = RulePack.merge(BuiltInRules.pack, RulePack.make("extra", [veryOldCheck, stricter]))
    assert.strictEqual(RulePack.ids(merged).length, 9)
    assert.strictEqual(RulePack.get(merged, "household-sweep")?.version, 2)

    // the replaced rule is what runs: a contacted visit without observations no longer counts
    const facts = RuleTesting.facts().household("h-1").visit({ household: "h-1", at: "2021-05-10 10:00" })
    RuleTesting.expectTasks(replaced, facts, "2021-05-10").toInclude({ rule: "household-sweep", state: "due" })
  })

  it("overrides parameters from plain JSON, merged over the current ones", () => {
    const pack = Either.getOrThrow(
      RulePack.configure(BuiltInRules.pack, {
        "arrival-monitoring": { params: { days: { high: 21 } } },
        "elderly-alone-checkin": { params: { minAge: 70 } },
        "publicity-leaflet": false,
        "decoction-distribution": { enabled: false }
      })
    )
    assert.deepStrictEqual(RulePack.get(pack, "arrival-monitoring")?.defaults.days, { low: 0, medium: 7, high: 21 })
    assert.strictEqual(RulePack.get(pack, "elderly-alone-checkin")?.defaults.minAge, 70)
    assert.isUndefined(RulePack.get(pack, "publicity-leaflet"))
    assert.isUndefined(RulePack.get(pack, "decoction-distribution"))
    // the built-in pack itself is unchanged
    assert.strictEqual(RulePack.get(BuiltInRules.pack, "elderly-alone-checkin")?.defaults.minAge, 60)
    // typed overrides in code
    const typed = Rule.withParams(BuiltInRules.vaccinationFollowup, { everyDays: 7 })
    assert.strictEqual(typed.defaults.everyDays, 7)
  })

  it("refuses bad parameters with an error naming the rule and the parameter", () => {
    const wrongType = RulePack.configure(BuiltInRules.pack, {
      "vaccination-followup": { params: { everyDays: "three" } }
    })
    assert.isTrue(Either.isLeft(wrongType))
    if (Either.isLeft(wrongType)) {
      const e = wrongType.left
      assert.strictEqual(e._tag, "InvalidRuleParams")
      if (e._tag === "InvalidRuleParams") {
        assert.strictEqual(e.rule, "vaccination-followup")
        assert.strictEqual(e.parameter, "everyDays")
      }
      assert.include(e.message, "Rule \"vaccination-followup\", parameter \"everyDays\"")
    }
    const nested = RulePack.configure(BuiltInRules.pack, {
      "household-sweep": { params: { cadence: { _tag: "weekdays", days: [0] } } }
    })
    assert.isTrue(Either.isLeft(nested))
    if (Either.isLeft(nested)) assert.include(nested.left.message, "parameter \"cadence.days.0\"")

    const unknownParam = RulePack.configure(BuiltInRules.pack, { "matter-followup": { params: { everyday: 2 } } })
    assert.isTrue(Either.isLeft(unknownParam))
    if (Either.isLeft(unknownParam)) assert.include(unknownParam.left.message, "parameter \"everyday\"")

    const unknownRule = RulePack.configure(BuiltInRules.pack, { "house-sweep": false })
    assert.isTrue(Either.isLeft(unknownRule))
    if (Either.isLeft(unknownRule)) {
      assert.strictEqual(unknownRule.left._tag, "UnknownRule")
      assert.include(unknownRule.left.message, "Unknown rule \"house-sweep\"; this pack has: household-sweep")
    }
  })

  it("refuses a rule whose own defaults break its schema", () => {
    assert.throws(
      () => Rule.withParams(BuiltInRules.vaccinationFollowup, { everyDays: 0 }),
      /Rule "vaccination-followup", parameter "everyDays"/
    )
  })
})

describe("RuleTesting", () => {
  it("fails with a readable list of the tasks found", () => {
    const facts = RuleTesting.facts().household("h-1")
    const failure = (() => {
      try {
        RuleTesting.expectTasks(BuiltInRules.pack, facts, "2021-05-10").toInclude({
          rule: "household-sweep",
          subject: "h-1",
          state: "done"
        })
        return undefined
      } catch (e) {
        return e instanceof Error ? e.message : String(e)
      }
    })()
    assert.strictEqual(
      failure,
      "Expected a task matching { rule: \"household-sweep\", subject: \"h-1\", state: \"done\" }, found none (as of 2021-05-10)\n" +
        "tasks found:\n" +
        "  household-sweep h-1 due 2021-05-10 [2021-05-10..2021-05-10] normal due"
    )
  })

  it("diffs tasks against expectations", () => {
    const tasks = RuleTesting.tasks(BuiltInRules.pack, RuleTesting.facts().household("h-1"), "2021-05-10")
    assert.isUndefined(RuleTesting.diff(tasks, [{ rule: "household-sweep", state: "due" }], { exact: true }))
    assert.include(RuleTesting.diff(tasks, [{ rule: "household-sweep", state: "done" }]) ?? "", "- missing")
    assert.include(RuleTesting.diff(tasks, [], { exact: true }) ?? "", "+ unexpected: household-sweep h-1")
  })
})
