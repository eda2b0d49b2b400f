/**
 * The server end to end: the real server on an ephemeral port, called with the typed client
 * (and plain `fetch` where the wire format matters).
 */
import { assert, describe, it } from "@effect/vitest"
import { Accounts, Ids, LocalDate, Observation, Visit } from "@minqing/core"
import { StoreFixture as F } from "@minqing/core/testing"
import { validate } from "@readme/openapi-parser"
import { DateTime, Effect, Redacted, Schema, TestClock } from "effect"
import { createHash } from "node:crypto"
import { Api, WorklistView } from "../src/Api.js"
import * as Client from "../src/Client.js"
import * as W from "./world.js"

const clientFor = (token: string) => Client.make({ token })

const g11 = W.idsOf(W.placeIds.s1v1g1)
const g12 = W.idsOf(W.placeIds.s1v1g2)
const pd11 = W.personalDataOf(W.placeIds.s1v1g1)

const visit = (id: string, householdId: string, liaisonId: string, overrides: Partial<Visit.Visit> = {}) =>
  new Visit.Visit({
    id: Ids.VisitId.make(id),
    householdId: Ids.HouseholdId.make(householdId),
    liaisonId: Ids.LiaisonId.make(liaisonId),
    at: DateTime.unsafeMake(W.NOW - 3_600_000),
    outcome: "contacted",
    observations: [],
    ...overrides
  })

describe("accounts and tokens", () => {
  it.scoped("an administrator creates an account and a token; the token works until revoked or expired", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const admin = yield* clientFor(tokens.admin)
      const account = yield* admin.accounts.save({
        path: { accountId: Accounts.AccountId.make("l2") },
        payload: {
          name: "孙立新",
          role: "liaison",
          scope: [Ids.PlaceId.make(W.placeIds.s1v1g2)],
          liaisonId: Ids.LiaisonId.make(g12.liaison),
          active: true
        }
      })
      assert.strictEqual(account.role, "liaison")
      const issued = yield* admin.accounts.issueToken({ path: { accountId: account.id }, payload: { label: "phone" } })
      const secret = Redacted.value(issued.token)
      const l2 = yield* clientFor(secret)
      const me = yield* l2.accounts.me()
      assert.strictEqual(me.account.id, "l2")
      assert.isTrue(me.seesPersonalData)

      const stored = yield* Effect.flatMap(Accounts.Accounts, (port) => port.listTokens(account.id))
      assert.strictEqual(stored.length, 1)
      assert.strictEqual(stored[0].hash, createHash("sha256").update(secret).digest("hex"), "stored as its hash")
      assert.notInclude(JSON.stringify(stored), secret, "the secret is not stored")
      const listed = yield* admin.accounts.listTokens({ path: { accountId: account.id } })
      assert.deepStrictEqual(listed.items.map((t) => t.id), [issued.info.id])
      assert.notProperty(listed.items[0], "hash")

      yield* admin.accounts.revokeToken({ path: { accountId: account.id, tokenId: issued.info.id } })
      const revoked = yield* Effect.flip(l2.accounts.me())
      assert.strictEqual(revoked._tag, "Unauthorized")
      if (revoked._tag === "Unauthorized") assert.include(revoked.message, "revoked")

      const short = yield* admin.accounts.issueToken({ path: { accountId: account.id }, payload: { expiresInDays: 1 } })
      const l2b = yield* clientFor(Redacted.value(short.token))
      yield* l2b.accounts.me()
      yield* TestClock.adjust("25 hours")
      const expired = yield* Effect.flip(l2b.accounts.me())
      assert.strictEqual(expired._tag, "Unauthorized")
      if (expired._tag === "Unauthorized") assert.include(expired.message, "expired")
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("only an administrator manages accounts; 403 names the role and scope", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const liaison = yield* clientFor(tokens.liaison)
      const refused = yield* Effect.flip(liaison.accounts.list())
      assert.strictEqual(refused._tag, "Forbidden")
      if (refused._tag === "Forbidden") {
        assert.strictEqual(refused.role, "liaison")
        assert.deepStrictEqual(refused.scope, [W.placeIds.s1v1g1])
        assert.include(refused.message, "subdistrict-admin")
        assert.include(refused.message, W.placeIds.s1v1g1)
      }
      const admin = yield* clientFor(tokens.admin)
      const elsewhere = yield* Effect.flip(admin.accounts.save({
        path: { accountId: Accounts.AccountId.make("intruder") },
        payload: { name: "x", role: "auditor", scope: [Ids.PlaceId.make(W.placeIds.s2)], active: true }
      }))
      assert.strictEqual(elsewhere._tag, "Invalid")
      if (elsewhere._tag === "Invalid") assert.deepStrictEqual(elsewhere.problems[0].path, ["scope", 0])

      // An administrator of one village sees the subdistrict above it, but cannot grant it.
      const villageAdmin = yield* admin.accounts.save({
        path: { accountId: Accounts.AccountId.make("village-admin") },
        payload: {
          name: "村管理员",
          role: "subdistrict-admin",
          scope: [Ids.PlaceId.make(W.placeIds.s1v1)],
          active: true
        }
      })
      const issued = yield* admin.accounts.issueToken({ path: { accountId: villageAdmin.id }, payload: {} })
      const narrow = yield* clientFor(Redacted.value(issued.token))
      const escalation = yield* Effect.flip(narrow.accounts.save({
        path: { accountId: Accounts.AccountId.make("escalated") },
        payload: { name: "x", role: "subdistrict-admin", scope: [Ids.PlaceId.make(W.placeIds.s1)], active: true }
      }))
      assert.strictEqual(escalation._tag, "Invalid")
      const others = yield* Effect.flip(narrow.accounts.get({ path: { accountId: Accounts.AccountId.make("admin") } }))
      assert.strictEqual(others._tag, "NotFound", "nor manage an account above its scope")
    }).pipe(Effect.provide(W.layerServer())))
})

describe("facts", () => {
  it.scoped("visits are idempotent by id; a different visit under a used id is a 409; batches are all or nothing", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const liaison = yield* clientFor(tokens.liaison)
      const v = visit("v-new", g11.household, g11.liaison, {
        observations: [new Observation.HealthCheck({ residentId: Ids.ResidentId.make(g11.resident), symptoms: false })]
      })
      assert.strictEqual((yield* liaison.visits.save({ payload: v })).status, "created")
      assert.strictEqual((yield* liaison.visits.save({ payload: v })).status, "replayed")
      const conflict = yield* Effect.flip(
        liaison.visits.save({ payload: visit("v-new", g11.household, g11.liaison, { outcome: "nobody-home" }) })
      )
      assert.strictEqual(conflict._tag, "Conflict")
      if (conflict._tag === "Conflict") assert.strictEqual(conflict.problems[0].code, "conflict")

      const refused = yield* Effect.flip(liaison.visits.batch({
        payload: { visits: [visit("v-b1", g11.household, g11.liaison), visit("v-b2", g12.household, g11.liaison)] }
      }))
      assert.strictEqual(refused._tag, "Forbidden")
      if (refused._tag === "Forbidden") {
        assert.deepStrictEqual(refused.problems.map((p) => [p.index, p.code]), [[1, "out-of-scope"]])
      }
      const notWritten = yield* Effect.flip(
        liaison.visits.get({ path: { id: Ids.VisitId.make("v-b1") }, urlParams: {} })
      )
      assert.strictEqual(notWritten._tag, "NotFound")

      const written = yield* liaison.visits.batch({
        payload: { visits: [visit("v-b1", g11.household, g11.liaison), visit("v-b3", g11.household, g11.liaison)] }
      })
      assert.deepStrictEqual(written.receipts.map((r) => r.status), ["created", "created"])

      const inAnotherName = yield* Effect.flip(liaison.visits.save({ payload: visit("v-x", g11.household, "l-other") }))
      assert.strictEqual(inAnotherName._tag, "Forbidden")
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("a national ID already registered is refused naming the record; a likely duplicate is flagged", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const leader = yield* clientFor(tokens.leader)
      const existing = W.recordsOf(W.placeIds.s1v1g1).resident
      const duplicate = yield* Effect.flip(leader.residents.save({
        payload: F.resident("r-dup", g11.household, {
          name: "另一个人",
          birthDate: existing.birthDate,
          nationalId: existing.nationalId!
        })
      }))
      assert.strictEqual(duplicate._tag, "Conflict")
      if (duplicate._tag === "Conflict") {
        assert.strictEqual(duplicate.problems[0].code, "duplicate-national-id")
        assert.strictEqual(duplicate.problems[0].existing, existing.id)
      }
      const receipt = yield* leader.residents.save({
        payload: F.resident("r-like", g11.household, { name: existing.name, birthDate: existing.birthDate })
      })
      assert.strictEqual(receipt.status, "created")
      assert.deepStrictEqual(receipt.flags[0].candidates, [existing.id])
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("lists page through everything in scope", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const admin = yield* clientFor(tokens.admin)
      const seen: Array<string> = []
      let after: string | undefined = undefined
      for (let i = 0; i < 10; i++) {
        const page: { readonly items: ReadonlyArray<{ readonly id: string }>; readonly next?: string } = yield* admin
          .residents.list({ urlParams: { limit: 1, ...(after === undefined ? {} : { after }) } })
        seen.push(...page.items.map((r) => r.id))
        if (page.next === undefined) break
        after = page.next
      }
      assert.deepStrictEqual(seen, ["r.s1-v1-g1", "r.s1-v1-g2", "r.s1-v2-g1"])
    }).pipe(Effect.provide(W.layerServer())))
})

describe("personal data", () => {
  it.scoped("is masked for the auditor, and a recorded, time-limited break-the-glass read unmasks one resident", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const auditor = yield* clientFor(tokens.auditor)
      const liaison = yield* clientFor(tokens.liaison)
      const id = Ids.ResidentId.make(g11.resident)
      const masked = yield* auditor.residents.get({ path: { id }, urlParams: {} })
      assert.strictEqual(masked.nationalId, `410***********${pd11.residentNationalId.slice(-4)}`)
      assert.strictEqual(masked.phone, `138****${pd11.residentPhone.slice(-4)}`)
      assert.strictEqual(
        (yield* liaison.residents.get({ path: { id }, urlParams: {} })).nationalId,
        pd11.residentNationalId
      )
      const liaisonRecord = yield* auditor.liaisons.get({
        path: { id: Ids.LiaisonId.make(g11.liaison) },
        urlParams: {}
      })
      assert.strictEqual(liaisonRecord.phone, `139****${pd11.liaisonPhone.slice(-4)}`)
      const arrival = yield* auditor.arrivals.get({ path: { id: Ids.ArrivalId.make(g11.arrival) }, urlParams: {} })
      assert.strictEqual(arrival.person._tag, "Newcomer")
      if (arrival.person._tag === "Newcomer") assert.include(arrival.person.nationalId!, "***")

      const result = yield* auditor.audit.breakGlass({
        payload: { residentId: id, reason: "核实返乡人员身份，电话无法接通" }
      })
      assert.strictEqual(result.resident.nationalId, pd11.residentNationalId)
      assert.strictEqual(
        DateTime.toEpochMillis(result.grant.expiresAt) - DateTime.toEpochMillis(result.grant.at),
        15 * 60_000
      )
      assert.strictEqual(
        (yield* auditor.residents.get({ path: { id }, urlParams: {} })).nationalId,
        pd11.residentNationalId
      )
      const other = yield* auditor.residents.get({ path: { id: Ids.ResidentId.make(g12.resident) }, urlParams: {} })
      assert.include(other.nationalId!, "***", "only the resident named is unmasked")
      yield* TestClock.adjust("16 minutes")
      assert.include((yield* auditor.residents.get({ path: { id }, urlParams: {} })).nationalId!, "***", "time-limited")

      const admin = yield* clientFor(tokens.admin)
      const log = yield* admin.audit.breakGlassLog({ urlParams: {} })
      assert.deepStrictEqual(log.items.map((g) => [g.accountId, g.residentId, g.reason]), [[
        "auditor",
        id,
        "核实返乡人员身份，电话无法接通"
      ]])
      assert.strictEqual((yield* Effect.flip(auditor.audit.breakGlassLog({ urlParams: {} })))._tag, "Forbidden")

      const trail = yield* auditor.audit.writes({ urlParams: { id } })
      assert.isTrue(trail.items.length > 0)
      assert.notInclude(JSON.stringify(trail), pd11.residentNationalId, "the audit trail is masked too")
    }).pipe(Effect.provide(W.layerServer())))
})

describe("offline sync", () => {
  it.scoped("a push gets one result per item; a pull returns what changed since the cursor", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const liaison = yield* clientFor(tokens.liaison)
      const first = yield* liaison.sync.pull({ urlParams: {} })
      assert.isTrue(first.facts.some((f) => f.id === g11.household))
      assert.isFalse(first.facts.some((f) => f.id === g12.household), "only the liaison's grid")
      const quiet = yield* liaison.sync.pull({ urlParams: { since: first.cursor } })
      assert.deepStrictEqual(quiet.facts, [])

      const fresh = Schema.encodeSync(Visit.Visit)(visit("v-off-1", g11.household, g11.liaison))
      const reply = yield* W.call("POST", "/sync/visits", {
        token: tokens.liaison,
        body: {
          visits: [
            fresh,
            fresh,
            { ...fresh, id: "bad id", outcome: "maybe" },
            {
              ...Schema.encodeSync(Visit.Visit)(W.recordsOf(W.placeIds.s1v1g1).visit),
              outcome: "refused",
              observations: []
            },
            Schema.encodeSync(Visit.Visit)(visit("v-off-2", g12.household, g11.liaison))
          ]
        }
      })
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(reply.json.results.map((r: any) => [r.index, r.status]), [
        [0, "created"],
        [1, "replayed"],
        [2, "invalid"],
        [3, "conflict"],
        [4, "forbidden"]
      ])
      const paths = reply.json.results[2].problems.map((p: any) => `#${p.index} ${p.path.join(".")}`)
      assert.deepStrictEqual([...new Set(paths)].sort(), ["#2 id", "#2 outcome"])
      assert.deepStrictEqual([reply.json.accepted, reply.json.refused], [2, 3])

      const changed = yield* liaison.sync.pull({ urlParams: { since: first.cursor } })
      assert.deepStrictEqual(changed.facts.map((f) => f.id), ["v-off-1"])

      const auditor = yield* clientFor(tokens.auditor)
      const all = yield* auditor.sync.pull({ urlParams: { limit: 1000 } })
      assert.notInclude(JSON.stringify(all), pd11.residentNationalId)
    }).pipe(Effect.provide(W.layerServer())))
})

describe("rules and coverage", () => {
  for (const store of ["memory", "sqlite"] as const) {
    it.scoped(`a worklist's body is exactly what its schema encodes (${store})`, () =>
      Effect.gen(function*() {
        const tokens = yield* W.seed
        const requests = [
          { token: tokens.liaison, path: "/worklist" },
          { token: tokens.leader, path: `/worklist?date=2021-05-10&placeId=${W.placeIds.s1v1}` },
          { token: tokens.admin, path: `/worklist?liaisonId=${g12.liaison}` },
          { token: tokens.admin, path: "/worklist?date=2021-05-11" }
        ]
        for (const { path, token } of requests) {
          const reply = yield* W.call("GET", path, { token })
          assert.strictEqual(reply.status, 200, reply.text)
          const decoded = Schema.decodeUnknownSync(WorklistView)(reply.json)
          assert.isTrue(decoded.stops.length > 0, path)
          assert.deepStrictEqual(Schema.encodeSync(WorklistView)(decoded), reply.json, path)
        }
      }).pipe(Effect.provide(W.layerServer({ store }))))
  }

  it.scoped("worklists, tasks with explanations, overrides by the administrator, forecast", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const liaison = yield* clientFor(tokens.liaison)
      const worklist = yield* liaison.rules.worklist({ urlParams: {} })
      assert.strictEqual(worklist.date, "2021-05-10")
      assert.strictEqual(worklist.liaisonId, g11.liaison)
      assert.deepStrictEqual(worklist.stops.map((s) => s.householdId), [g11.household])
      assert.isTrue(worklist.stops[0].tasks.every((t) => t.explanation.because.length > 0))

      const refused = yield* Effect.flip(liaison.rules.override({ path: { ruleId: "household-sweep" }, payload: {} }))
      assert.strictEqual(refused._tag, "Forbidden")

      const admin = yield* clientFor(tokens.admin)
      const sweep = (from: string) =>
        Effect.map(
          admin.rules.tasks({ urlParams: { from: LocalDate.make(from) } }),
          (r) => r.tasks.filter((t) => t.rule === "household-sweep").length
        )
      assert.isTrue((yield* sweep("2021-05-10")) > 0)
      const off = yield* admin.rules.override({ path: { ruleId: "household-sweep" }, payload: { enabled: false } })
      assert.deepStrictEqual([off.enabled, off.overridden], [false, true])
      assert.strictEqual(yield* sweep("2021-05-10"), 0)
      yield* admin.rules.reset({ path: { ruleId: "household-sweep" } })
      assert.isTrue((yield* sweep("2021-05-10")) > 0)

      const bad = yield* Effect.flip(
        admin.rules.override({ path: { ruleId: "household-sweep" }, payload: { params: { window: { before: -3 } } } })
      )
      assert.strictEqual(bad._tag, "Invalid")
      if (bad._tag === "Invalid") assert.deepStrictEqual(bad.problems[0].path.slice(0, 2), ["params", "window"])
      const unknown = yield* Effect.flip(admin.rules.reset({ path: { ruleId: "no-such-rule" } }))
      assert.strictEqual(unknown._tag, "NotFound")

      const forecast = yield* admin.rules.forecast({ urlParams: { days: 3 } })
      assert.deepStrictEqual(forecast.days as ReadonlyArray<string>, ["2021-05-10", "2021-05-11", "2021-05-12"])
      assert.deepStrictEqual(forecast.rows.map((r): string | undefined => r.liaisonId).sort(), [
        "l.s1-v1-g1",
        "l.s1-v1-g2",
        "l.s1-v2-g1"
      ])
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("coverage for a scope and period, rolled up, with a CSV download", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const leader = yield* clientFor(tokens.leader)
      const report = yield* leader.coverage.report({
        urlParams: {
          metric: ["household-screening"],
          from: LocalDate.make("2021-05-01"),
          to: LocalDate.make("2021-05-10")
        }
      })
      assert.deepStrictEqual(report.places.map((p) => p.placeId), ["s1-v1", "s1-v1-g1", "s1-v1-g2"])
      const figures = report.metrics[0].figures
      assert.deepStrictEqual(figures.map((f) => [f.counts.denominator, f.counts.numerator]), [[2, 2], [1, 1], [1, 1]])

      const above = yield* Effect.flip(leader.coverage.report({
        urlParams: {
          scope: Ids.PlaceId.make("s1"),
          from: LocalDate.make("2021-05-01"),
          to: LocalDate.make("2021-05-10")
        }
      }))
      assert.strictEqual(above._tag, "Forbidden")
      const unknown = yield* Effect.flip(leader.coverage.report({
        urlParams: { metric: ["nope"], from: LocalDate.make("2021-05-01"), to: LocalDate.make("2021-05-10") }
      }))
      assert.strictEqual(unknown._tag, "Invalid")

      const csv = yield* W.call("GET", "/coverage.csv?from=2021-05-01&to=2021-05-10&metric=household-screening", {
        token: tokens.leader
      })
      assert.strictEqual(csv.status, 200)
      assert.include(csv.text.split("\n")[1], "household-screening")
      const typed = yield* leader.coverage.csv({
        urlParams: { from: LocalDate.make("2021-05-01"), to: LocalDate.make("2021-05-10"), locale: "en" }
      })
      assert.include(typed, "household-screening")
    }).pipe(Effect.provide(W.layerServer())))
})

describe("documentation and logs", () => {
  it.scoped("serves an OpenAPI 3.1 document that a validator accepts and that lists every endpoint", () =>
    Effect.gen(function*() {
      const reply = yield* W.call("GET", "/openapi.json")
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.json.openapi, "3.1.0")
      const result = yield* Effect.promise(() => validate(structuredClone(reply.json)))
      assert.isTrue(result.valid, JSON.stringify(result.valid ? [] : result.errors).slice(0, 2000))
      const missing: Array<string> = []
      for (const group of Object.values(Api.groups) as Array<any>) {
        for (const endpoint of Object.values(group.endpoints) as Array<any>) {
          const path = endpoint.path.replace(/:(\w+)/g, "{$1}")
          const operation = reply.json.paths[path]?.[endpoint.method.toLowerCase()]
          if (operation === undefined) missing.push(`${endpoint.method} ${path}`)
          else assert.strictEqual(operation.operationId, `${group.identifier}.${endpoint.name}`)
        }
      }
      assert.deepStrictEqual(missing, [])
      const docs = yield* W.call("GET", "/docs")
      assert.strictEqual(docs.status, 200)
      assert.include(docs.text, "<html")
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("request logs carry the method, path, status and duration, and no personal data", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      W.logLines.length = 0
      yield* W.call("GET", `/residents?after=${pd11.residentNationalId}`, { token: tokens.admin })
      yield* W.call("GET", `/residents/${pd11.residentNationalId}`, { token: tokens.admin })
      yield* W.call("POST", "/residents", {
        token: tokens.admin,
        body: { _tag: "Resident", id: "r-log", phone: pd11.residentPhone, nationalId: "41081119610111101X" }
      })
      yield* W.call("GET", `/residents/${g11.resident}`, { token: tokens.admin })
      const lines = W.logLines.filter((l) => l.includes("http.path"))
      assert.strictEqual(lines.length, 4)
      for (const line of lines) {
        const { annotations } = JSON.parse(line)
        assert.hasAllKeys(annotations, ["http.method", "http.path", "http.status", "http.ms"])
        assert.notInclude(annotations["http.path"], "?")
      }
      for (const line of W.logLines) {
        for (const pd of [...W.allPersonalData, "41081119610111101X"]) assert.notInclude(line, pd)
      }
    }).pipe(Effect.provide(W.layerServer())))
})
