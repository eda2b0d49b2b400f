/**
 * Personal data on the real server: the auditor (whose role sees national IDs and phone
 * numbers masked) reads everything it can reach — every readable endpoint, every page of
 * every list, of the change feed and of the audit trail — and no response carries one of
 * the world's national IDs or phone numbers unmasked. Requests that carry personal data in
 * bodies, paths and query strings are then made, and the server's captured log lines are
 * scanned for the patterns of a national ID (/\d{17}[\dX]/) and a mobile number
 * (/1[3-9]\d{9}/), counting a match when it is one of the exact values of the data.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { StoreFixture } from "@minqing/core/testing"
import { Option } from "effect"
import { endpoints, fillPath, type Parts, queryString, templates, today } from "./Endpoints.js"
import { send, sendJson } from "./Http.js"
import { knownValues, leaksIn, patterns } from "./Leaks.js"
import { type ServerProcess, startServer, tempDir } from "./Processes.js"
import { aim, forbiddenMarkers, leaksFor } from "./Scope.js"
import { record } from "./Summary.js"
import { auditTrail, seed, type Tokens, W } from "./World.js"

describe("personal data", () => {
  const dir = tempDir()
  const filename = dir.file("minqing.db")
  let server: ServerProcess
  let tokens: Tokens
  let of: ReadonlyMap<string, Parts>
  const figures = {
    auditorResponses: 0,
    auditorBytes: 0,
    auditorLeaks: 0,
    logLines: 0,
    logPatternMatches: 0,
    logLeaks: 0
  }
  const written: Array<{ tag: string; id: string }> = []

  beforeAll(async () => {
    tokens = await seed(filename)
    of = templates(tokens).of
    server = await startServer({ filename })
  }, 180_000)

  afterAll(async () => {
    await server?.stop()
    dir.remove()
    record("personal-data", figures)
  })

  it("the auditor reads every endpoint, every page: nothing unmasked", async () => {
    const leaks: Array<string> = []
    let masked = 0
    const read = async (path: string) => {
      const reply = await sendJson(server.url, "GET", path, tokens.valid.auditor)
      figures.auditorResponses++
      figures.auditorBytes += reply.text.length
      masked += (reply.text.match(/\d{3}\*{4,}\d{4}/g) ?? []).length
      for (const l of leaksFor("auditor", reply.text)) leaks.push(`GET ${path}: ${l}`)
      return reply
    }
    // Every readable endpoint, on its template aimed at each grid of the auditor's subdistrict and at none.
    for (const e of endpoints.filter((x) => x.method === "GET")) {
      for (const grid of [W.placeIds.s1v1g1, W.placeIds.s1v1g2, W.placeIds.s1v2g1]) {
        const parts = aim(of.get(e.key)!, grid, "pd")
        await read(fillPath(e.path, parts.path) + queryString(parts.urlParams))
      }
      if (Option.isNone(e.pathSchema)) await read(e.path)
    }
    // Every page of every list, of the change feed and of the audit trail.
    for (
      const collection of [
        "places",
        "liaisons",
        "households",
        "residents",
        "visits",
        "arrivals",
        "matters",
        "campaigns"
      ]
    ) {
      let after: string | undefined
      do {
        const page = await read(
          `/${collection}?limit=2${after === undefined ? "" : `&after=${encodeURIComponent(after)}`}`
        )
        after = page.json?.next
      } while (after !== undefined)
    }
    let since = "0"
    for (let more = true; more;) {
      const page = await read(`/sync/changes?since=${since}&limit=3`)
      more = page.json?.more === true
      since = page.json?.cursor
    }
    let afterSeq = 0
    for (let next: number | undefined = 0; next !== undefined;) {
      const page = await read(`/audit?afterSeq=${afterSeq}&limit=5`)
      next = page.json?.next
      if (next !== undefined) afterSeq = next
    }
    figures.auditorLeaks = leaks.length
    assert.deepStrictEqual(leaks, [])
    assert.isAbove(masked, 10, "the auditor sees the masked forms")
  }, 300_000)

  it("a duplicate national ID is refused without showing another grid's record", async () => {
    const other = W.personalDataOf(W.placeIds.s1v2g1)
    const reply = await sendJson(server.url, "POST", "/residents", tokens.valid.leader, {
      ...(await sendJson(server.url, "GET", `/residents/${W.idsOf(W.placeIds.s1v1g1).resident}`, tokens.valid.admin))
        .json,
      id: "r.pd-dup",
      birthDate: other.birthDate,
      nationalId: other.residentNationalId
    })
    assert.strictEqual(reply.status, 409, reply.text)
    assert.deepStrictEqual(forbiddenMarkers("leader").filter((m) => reply.text.includes(m)), [], reply.text)
  })

  it("requests carrying personal data in bodies, paths and queries leave none of it in the log", async () => {
    const admin = tokens.valid.admin
    const g = W.idsOf(W.placeIds.s1v1g1)
    const pd = W.personalDataOf(W.placeIds.s1v1g1)
    const fresh = StoreFixture.nationalId("1955-05-05", 55)
    const resident = {
      _tag: "Resident",
      id: "r.pd-1",
      householdId: g.household,
      name: "新登记",
      sex: "female",
      birthDate: "1955-05-05",
      nationalId: fresh,
      phone: "13611112222",
      livesAlone: false,
      presence: "present",
      doses: [],
      eligibility: { _tag: "eligible" },
      activeFrom: "2021-01-01"
    }
    const calls: Array<[string, string, string | undefined, unknown?]> = [
      ["POST", "/residents", admin, resident],
      ["POST", "/residents", admin, { ...resident, id: "r.pd-2" }], // duplicate national ID: 409
      ["POST", "/residents", admin, { ...resident, id: "r.pd-3", nationalId: fresh.slice(0, 17) + "0" }], // bad check digit
      ["POST", "/residents", admin, { ...resident, id: "r.pd-4", nationalId: undefined, phone: "13611112222x" }],
      ["GET", `/residents/${pd.residentNationalId}`, admin],
      ["GET", `/residents/${pd.residentPhone}`, tokens.valid.leader],
      ["GET", `/residents?after=${pd.residentPhone}&limit=5`, admin],
      ["GET", `/audit?id=${pd.residentNationalId}`, admin],
      ["GET", `/residents/${pd.residentNationalId}`, undefined],
      ["GET", "/me", pd.residentPhone],
      ["POST", "/break-glass", tokens.valid.auditor, {
        residentId: g.resident,
        reason: `核对号码 ${pd.residentPhone} 是否正确`
      }],
      ["POST", "/sync/visits", tokens.valid.liaison, {
        visits: [{ id: pd.residentNationalId, phone: pd.residentPhone }, {
          _tag: "Visit",
          id: "v.pd-1",
          householdId: g.household,
          liaisonId: g.liaison,
          at: `${today()}T01:00:00.000Z`,
          outcome: "contacted",
          observations: []
        }]
      }],
      ["PUT", `/accounts/acct-${pd.residentPhone}`, admin, {
        name: pd.residentNationalId,
        role: "auditor",
        scope: [W.placeIds.s1],
        active: true
      }],
      ["POST", `/accounts/acct-${pd.residentPhone}/tokens`, admin, { label: pd.residentPhone }]
    ]
    for (const [method, path, token, body] of calls) {
      const reply = await sendJson(server.url, method, path, token, body)
      assert.isBelow(reply.status, 500, `${method} ${path}: ${reply.text}`)
      if (reply.status < 300 && reply.json?.tag !== undefined) written.push({ tag: reply.json.tag, id: reply.json.id })
      if (reply.status < 300 && Array.isArray(reply.json?.results)) {
        for (const r of reply.json.results) if (r.status === "created") written.push({ tag: "Visit", id: r.id })
      }
    }
    // A body that is not JSON, carrying personal data.
    await send(server.url, {
      method: "POST",
      path: "/residents",
      token: admin,
      contentType: "application/json",
      body: `{"nationalId": "${pd.residentNationalId}", "phone": ${pd.residentPhone}`
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    const logs = server.lines.join("\n") + "\n" + server.stderr()
    const matches = [...logs.matchAll(patterns.nationalId), ...logs.matchAll(patterns.phone)].map((m) => m[0])
    const leaks = leaksIn(logs)
    Object.assign(figures, {
      logLines: logs.split("\n").length,
      logPatternMatches: matches.length,
      logPatternMatchesOfData: matches.filter((m) => knownValues.has(m)).length,
      logLeaks: leaks.length
    })
    const lines = logs.split("\n")
    const where = leaks.map((v) => {
      const i = lines.findIndex((l) => l.includes(v))
      return lines.slice(Math.max(0, i - 3), i + 2).join("\n")
    })
    assert.deepStrictEqual(where, [], "personal data in the server's log")
  }, 120_000)

  it("every write made here has its audit row", async () => {
    const trail = await auditTrail(filename)
    const audited = new Set(trail.map((e) => `${e.tag}:${e.id}`))
    assert.isAbove(written.length, 0)
    assert.deepStrictEqual(written.filter((w) => !audited.has(`${w.tag}:${w.id}`)), [])
  })
})
