/**
 * The authorisation matrix: every endpoint × every role × a target inside and outside the
 * role's scope, through the real server with plain `fetch`. Each answer must have the
 * expected status, must not contain a marker of a place the role does not reach, and —
 * for the auditor — must not contain any national ID or phone number unmasked.
 */
import { assert, describe, it } from "@effect/vitest"
import { Access, Fact } from "@minqing/core"
import { Effect, Schema } from "effect"
import { Api } from "../src/Api.js"
import * as W from "./world.js"

type Side = "in" | "out"

interface Request {
  readonly method: string
  readonly path: string
  readonly body?: unknown
}

interface Case {
  /** Whether the request names a target inside or outside the caller's scope. */
  readonly scoped: boolean
  readonly request: (role: W.RoleKey, side: Side) => Request
  readonly expect: (role: W.RoleKey, side: Side) => number
  readonly check?: (reply: W.Reply, role: W.RoleKey, side: Side) => void
}

const encode = (fact: Fact.Fact) => Schema.encodeSync(Fact.Fact)(fact)

const gridOf = (role: W.RoleKey, side: Side) => W.targets[role][side]

const records = (role: W.RoleKey, side: Side) => W.recordsOf(gridOf(role, side))

const ids = (role: W.RoleKey, side: Side) => W.idsOf(gridOf(role, side))

const adminOnly = (role: W.RoleKey) => (role === "admin" ? 200 : 403)

const kinds = [
  {
    group: "places",
    path: "places",
    tag: "Place",
    fact: (r: W.RoleKey, s: Side) => W.places.find((p) => p.id === gridOf(r, s))!
  },
  { group: "liaisons", path: "liaisons", tag: "Liaison", fact: (r: W.RoleKey, s: Side) => records(r, s).liaison },
  {
    group: "households",
    path: "households",
    tag: "Household",
    fact: (r: W.RoleKey, s: Side) => records(r, s).household
  },
  { group: "residents", path: "residents", tag: "Resident", fact: (r: W.RoleKey, s: Side) => records(r, s).resident },
  { group: "visits", path: "visits", tag: "Visit", fact: (r: W.RoleKey, s: Side) => records(r, s).visit },
  { group: "arrivals", path: "arrivals", tag: "ArrivalReport", fact: (r: W.RoleKey, s: Side) => records(r, s).arrival },
  { group: "matters", path: "matters", tag: "Matter", fact: (r: W.RoleKey, s: Side) => records(r, s).matter },
  { group: "campaigns", path: "campaigns", tag: "Campaign", fact: (r: W.RoleKey, s: Side) => records(r, s).campaign }
] as const

const roleOf = (role: W.RoleKey) => W.accounts[role].role

const cases: Record<string, Case> = {
  "system.health": { scoped: false, request: () => ({ method: "GET", path: "/health" }), expect: () => 200 },
  "accounts.me": {
    scoped: false,
    request: () => ({ method: "GET", path: "/me" }),
    expect: () => 200,
    check: (reply, role) => assert.strictEqual(reply.json.account.id, W.accounts[role].id)
  },
  "accounts.list": {
    scoped: false,
    request: () => ({ method: "GET", path: "/accounts" }),
    expect: adminOnly,
    check: (reply, role) => {
      if (role !== "admin") return
      const listed = reply.json.items.map((a: { id: string }) => a.id)
      assert.isTrue(listed.includes("liaison"))
      assert.isFalse(listed.includes("admin2"), "an administrator lists only accounts within their scope")
    }
  },
  "accounts.get": {
    scoped: true,
    request: (_, side) => ({ method: "GET", path: `/accounts/${side === "in" ? "liaison" : "admin2"}` }),
    expect: (role, side) => (role !== "admin" ? 403 : side === "in" ? 200 : 404)
  },
  "accounts.save": {
    scoped: true,
    request: (_, side) => {
      const account = side === "in" ? W.accounts.liaison : W.accounts.admin2
      const { id: _id, ...input } = account
      return { method: "PUT", path: `/accounts/${account.id}`, body: input }
    },
    expect: (role, side) => (role !== "admin" ? 403 : side === "in" ? 200 : 403)
  },
  "accounts.issueToken": {
    scoped: true,
    request: (_, side) => ({
      method: "POST",
      path: `/accounts/${side === "in" ? "liaison" : "admin2"}/tokens`,
      body: { label: "matrix", expiresInDays: 1 }
    }),
    expect: (role, side) => (role !== "admin" ? 403 : side === "in" ? 201 : 404)
  },
  "accounts.listTokens": {
    scoped: true,
    request: (_, side) => ({ method: "GET", path: `/accounts/${side === "in" ? "liaison" : "admin2"}/tokens` }),
    expect: (role, side) => (role !== "admin" ? 403 : side === "in" ? 200 : 404),
    check: (reply, role, side) => {
      if (role === "admin" && side === "in") assert.notInclude(reply.text, "hash")
    }
  },
  "accounts.revokeToken": {
    scoped: true,
    request: (_, side) => ({
      method: "POST",
      path: side === "in"
        ? `/accounts/liaison/tokens/${spare.liaison}/revoke`
        : `/accounts/admin2/tokens/${spare.admin2}/revoke`
    }),
    expect: (role, side) => (role !== "admin" ? 403 : side === "in" ? 204 : 404)
  },
  "sync.push": {
    scoped: true,
    request: (role, side) => ({
      method: "POST",
      path: "/sync/visits",
      body: { visits: [encode(records(role, side).visit)] }
    }),
    expect: () => 200,
    check: (reply, role, side) => {
      const expected = side === "in" && Access.canWrite(roleOf(role), "Visit") ? "replayed" : "forbidden"
      assert.strictEqual(reply.json.results[0].status, expected, `${role} ${side}`)
    }
  },
  "sync.pull": {
    scoped: true,
    request: (role, side) => ({ method: "GET", path: `/sync/changes?scope=${gridOf(role, side)}` }),
    expect: () => 200,
    check: (reply, _, side) => assert.strictEqual(reply.json.facts.length > 0, side === "in")
  },
  "audit.writes": {
    scoped: true,
    request: (role, side) => ({ method: "GET", path: `/audit?id=${ids(role, side).resident}` }),
    expect: (role) => (role === "liaison" ? 403 : 200),
    check: (reply, role, side) => {
      if (role !== "liaison") assert.strictEqual(reply.json.items.length > 0, side === "in")
    }
  },
  "audit.breakGlassLog": {
    scoped: false,
    request: () => ({ method: "GET", path: "/break-glass" }),
    expect: adminOnly
  },
  "rules.pack": {
    scoped: false,
    request: () => ({ method: "GET", path: "/rules" }),
    expect: () => 200
  },
  "rules.override": {
    scoped: false,
    request: () => ({ method: "PUT", path: "/rules/household-sweep", body: { params: { priority: "normal" } } }),
    expect: adminOnly
  },
  "rules.reset": {
    scoped: false,
    request: () => ({ method: "POST", path: "/rules/household-sweep/reset" }),
    expect: adminOnly
  },
  "rules.worklist": {
    scoped: true,
    request: (role, side) => ({ method: "GET", path: `/worklist?date=2021-05-10&placeId=${gridOf(role, side)}` }),
    expect: (_, side) => (side === "in" ? 200 : 404),
    check: (reply, _, side) => {
      if (side === "in") assert.isTrue(reply.json.stops.length > 0)
    }
  },
  "rules.tasks": {
    scoped: true,
    request: (role, side) => ({ method: "GET", path: `/tasks?from=2021-05-10&placeId=${gridOf(role, side)}` }),
    expect: (_, side) => (side === "in" ? 200 : 404),
    check: (reply, _, side) => {
      if (side === "in") assert.isTrue(reply.json.tasks.length > 0)
    }
  },
  "rules.forecast": {
    scoped: true,
    request: (role, side) => ({
      method: "GET",
      path: `/forecast?from=2021-05-10&days=2&placeId=${gridOf(role, side)}`
    }),
    expect: (_, side) => (side === "in" ? 200 : 404)
  },
  "coverage.metrics": {
    scoped: false,
    request: () => ({ method: "GET", path: "/metrics" }),
    expect: () => 200
  },
  "coverage.report": {
    scoped: true,
    request: (role, side) => ({
      method: "GET",
      path: `/coverage?scope=${gridOf(role, side)}&from=2021-05-01&to=2021-05-10&members=all`
    }),
    expect: (_, side) => (side === "in" ? 200 : 404)
  },
  "coverage.csv": {
    scoped: true,
    request: (role, side) => ({
      method: "GET",
      path: `/coverage.csv?scope=${gridOf(role, side)}&from=2021-05-01&to=2021-05-10&table=members&members=all`
    }),
    expect: (_, side) => (side === "in" ? 200 : 404)
  },
  // Run last (see `ordered`): a grant unmasks the resident for the auditor afterwards.
  "audit.breakGlass": {
    scoped: true,
    request: (role, side) => ({
      method: "POST",
      path: "/break-glass",
      body: { residentId: ids(role, side).resident, reason: "核实身份证号以办理返乡登记" }
    }),
    expect: (_, side) => (side === "in" ? 201 : 404),
    check: (reply, role, side) => {
      if (side === "in") {
        assert.include(reply.text, W.personalDataOf(gridOf(role, side)).residentNationalId, "the record is unmasked")
      }
    }
  }
}

for (const kind of kinds) {
  cases[`${kind.group}.list`] = {
    scoped: true,
    request: (role, side) => ({ method: "GET", path: `/${kind.path}?scope=${gridOf(role, side)}` }),
    expect: () => 200,
    check: (reply, role, side) => {
      const listed = reply.json.items.map((f: { id: string }) => f.id)
      if (side === "in") assert.include(listed, kind.fact(role, side).id)
      else assert.deepStrictEqual(listed, [], "nothing is listed outside the caller's scope")
    }
  }
  cases[`${kind.group}.get`] = {
    scoped: true,
    request: (role, side) => ({ method: "GET", path: `/${kind.path}/${kind.fact(role, side).id}` }),
    expect: (_, side) => (side === "in" ? 200 : 404),
    check: (reply, role, side) => {
      if (side !== "in" || kind.tag !== "Resident") return
      const pd = W.personalDataOf(gridOf(role, side))
      if (role === "auditor") assert.notInclude(reply.text, pd.residentNationalId)
      else assert.include(reply.text, pd.residentNationalId, "roles that may see personal data see it")
    }
  }
  cases[`${kind.group}.save`] = {
    scoped: true,
    request: (role, side) => ({ method: "POST", path: `/${kind.path}`, body: encode(kind.fact(role, side)) }),
    expect: (role, side) => (side === "in" && Access.canWrite(roleOf(role), kind.tag) ? 200 : 403)
  }
}

cases["visits.batch"] = {
  scoped: true,
  request: (role, side) => ({
    method: "POST",
    path: "/visits/batch",
    body: { visits: [encode(records(role, side).visit)] }
  }),
  expect: (role, side) => (side === "in" && Access.canWrite(roleOf(role), "Visit") ? 200 : 403)
}

const spare: { liaison: string; admin2: string } = { liaison: "", admin2: "" }

const ordered = Object.entries(cases).sort(([a], [b]) =>
  Number(a === "audit.breakGlass") - Number(b === "audit.breakGlass")
)

const endpointsOfApi = Object.values(Api.groups).flatMap((group: any) =>
  Object.values(group.endpoints).map((endpoint: any) => `${group.identifier}.${endpoint.name}`)
)

describe.each(Object.keys(W.stores) as Array<keyof typeof W.stores>)("authorisation matrix (%s store)", (store) => {
  it("covers every endpoint of the API", () => {
    assert.deepStrictEqual([...Object.keys(cases)].sort(), [...endpointsOfApi].sort())
  })

  it.scoped("every endpoint × role × in/out of scope: expected status, no leak, masked for the auditor", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      for (const key of ["liaison", "admin2"] as const) {
        const issued = yield* W.call("POST", `/accounts/${key}/tokens`, {
          token: key === "liaison" ? tokens.admin : tokens.admin2,
          body: { label: "spare" }
        })
        assert.strictEqual(issued.status, 201)
        spare[key] = issued.json.info.id
      }
      const failures: Array<string> = []
      for (const [name, c] of ordered) {
        for (const role of W.roles) {
          for (const side of c.scoped ? (["in", "out"] as const) : (["in"] as const)) {
            const request = c.request(role, side)
            const reply = yield* W.call(request.method, request.path, { token: tokens[role], body: request.body })
            const where = `${name} as ${role} (${side}): ${request.method} ${request.path} → ${reply.status}`
            const expected = c.expect(role, side)
            if (reply.status !== expected) {
              failures.push(`${where}, expected ${expected}: ${reply.text.slice(0, 300)}`)
              continue
            }
            for (const m of W.forbiddenMarkers(role)) {
              if (reply.text.includes(m)) failures.push(`${where}: leaks ${m}`)
            }
            const unmaskedOnPurpose = name === "audit.breakGlass"
            if (role === "auditor" && !unmaskedOnPurpose) {
              for (const pd of W.allPersonalData) {
                if (reply.text.includes(pd)) failures.push(`${where}: personal data ${pd} unmasked`)
              }
            }
            try {
              c.check?.(reply, role, side)
            } catch (e) {
              failures.push(`${where}: ${(e as Error).message}`)
            }
          }
        }
      }
      assert.deepStrictEqual(failures, [])
    }).pipe(Effect.provide(W.layerServer({ store }))))

  it.scoped("without a token every endpoint but /health answers 401", () =>
    Effect.gen(function*() {
      yield* W.seed
      const failures: Array<string> = []
      for (const [name, c] of Object.entries(cases)) {
        const request = c.request("admin", "in")
        const reply = yield* W.call(request.method, request.path, { body: request.body })
        const expected = name === "system.health" ? 200 : 401
        if (reply.status !== expected) failures.push(`${name}: ${reply.status}`)
        else if (expected === 401) assert.strictEqual(reply.json._tag, "Unauthorized")
      }
      const bad = yield* W.call("GET", "/me", { token: "mq_not_a_real_token" })
      assert.strictEqual(bad.status, 401)
      assert.include(bad.json.message, "Unknown bearer token")
      assert.deepStrictEqual(failures, [])
    }).pipe(Effect.provide(W.layerServer({ store }))))
})
