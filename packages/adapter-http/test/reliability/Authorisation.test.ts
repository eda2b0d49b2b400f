/**
 * Authorisation on the real server (its own process, a SQLite file): every endpoint × every
 * account × a grid in and out of its scope, then the attacks — another grid's data reached
 * through ids in paths, filters, batch items, observations and sync cursors — and tokens
 * that are revoked, expired or of a deactivated account. Zero leaks: no response carries a
 * record of a place outside the caller's scope (every record's text is marked with its
 * place) nor a personal value the caller may not see.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { changedTables, contentHash } from "./Database.js"
import { endpoints, fillPath, type Parts, queryString, templates } from "./Endpoints.js"
import { type Reply, send, sendJson } from "./Http.js"
import { type ServerProcess, startServer, tempDir } from "./Processes.js"
import { aim, isAimed, leaksFor, targets } from "./Scope.js"
import { record } from "./Summary.js"
import { auditTrail, seed, tokenId, type Tokens, W, type Who } from "./World.js"

const accountKeys: ReadonlyArray<Who> = ["liaison", "leader", "admin", "auditor", "admin2"]

describe("authorisation", () => {
  const dir = tempDir()
  const filename = dir.file("minqing.db")
  let server: ServerProcess
  let tokens: Tokens
  let of: ReadonlyMap<string, Parts>
  const leaks: Array<string> = []
  const figures = { requests: 0, outOfScopeAttempts: 0, attacks: 0, fiveHundreds: 0, writes: 0 }

  /** Every successful write: facts by tag and id, other records (accounts, tokens, …) by kind and id. */
  const writes: Array<{ readonly kind: string; readonly id: string; readonly by: string }> = []
  const noteWrites = (who: Who, method: string, path: string, reply: Reply) => {
    if (method === "GET" || reply.status >= 300) return
    const by = `${method} ${path}`
    const json = reply.json
    const fact = (r: any) => writes.push({ kind: r.tag, id: r.id, by })
    if (typeof json?.tag === "string" && typeof json?.id === "string") fact(json)
    for (const r of json?.receipts ?? []) fact(r)
    for (const r of json?.results ?? []) if (r.status === "created") writes.push({ kind: "Visit", id: r.id, by })
    const account = path.match(/^\/accounts\/([^/?]+)$/)
    if (account !== null && method === "PUT") writes.push({ kind: "account", id: decodeURIComponent(account[1]), by })
    if (/^\/accounts\/[^/]+\/tokens$/.test(path) && json?.info?.id !== undefined) {
      writes.push({ kind: "token", id: json.info.id, by })
    }
    const revoke = path.match(/\/tokens\/([^/]+)\/revoke$/)
    if (revoke !== null) writes.push({ kind: "token", id: decodeURIComponent(revoke[1]), by })
    if (path.startsWith("/break-glass") && json?.grant?.id !== undefined) {
      writes.push({ kind: "break-glass", id: json.grant.id, by })
    }
    const rule = path.match(/^\/rules\/([^/?]+)/)
    if (rule !== null) writes.push({ kind: "rule", id: decodeURIComponent(rule[1]), by })
    void who
  }

  /** Sends as an account, checks the reply for leaks, counts it. */
  const as = async (who: Who, method: string, path: string, body?: unknown, allowed?: ReadonlySet<string>) => {
    const reply = await sendJson(server.url, method, path, tokens.valid[who], body)
    figures.requests++
    if (reply.status >= 500) figures.fiveHundreds++
    for (const l of leaksFor(who, reply.text, allowed)) leaks.push(`${who} ${method} ${path}: ${l}`)
    noteWrites(who, method, path, reply)
    return reply
  }

  const request = (key: string, parts: Parts) => {
    const e = endpoints.find((x) => x.key === key)!
    return {
      method: e.method,
      path: fillPath(e.path, parts.path) + queryString(parts.urlParams),
      body: Option.isSome(e.payloadSchema) ? parts.payload : undefined
    }
  }

  /** The accounts endpoints aim at an account rather than a grid. */
  const aimAccount = (key: string, parts: Parts, who: Who, side: "in" | "out"): Parts => {
    if (!key.startsWith("accounts.") || parts.path?.accountId === undefined || key === "accounts.save") return parts
    const own = W.accounts[who].id
    const other = who === "admin2" ? W.accounts.admin.id : W.accounts.admin2.id
    const accountId = side === "in" ? own : other
    return {
      ...parts,
      path: {
        ...parts.path,
        accountId,
        ...(parts.path.tokenId === undefined
          ? {}
          : { tokenId: tokenId(side === "in" ? tokens.valid[who] : tokens.spare) })
      }
    }
  }

  beforeAll(async () => {
    tokens = await seed(filename)
    of = templates(tokens).of
    server = await startServer({ filename })
  }, 180_000)

  afterAll(async () => {
    await server?.stop()
    dir.remove()
    record("authorisation", { ...figures, leaks: leaks.length })
  })

  it(
    "every endpoint × account (admin2 too), aimed outside its scope, on SQLite: refused or empty, nothing written, nothing leaked",
    async () => {
      const before = await contentHash(filename)
      const trailBefore = await auditTrail(filename)
      const wrongly: Array<string> = []
      for (const who of accountKeys) {
        const target = targets[who].out
        for (const e of endpoints) {
          if (e.key === "accounts.revokeToken" && who === "admin") continue // would revoke its own token
          const parts = aimAccount(e.key, aim(of.get(e.key)!, target, `${who}-out`), who, "out")
          const { body, method, path } = request(e.key, parts)
          const reply = await as(who, method, path, body)
          figures.outOfScopeAttempts++
          const aimed = isAimed(parts, target) || (e.key.startsWith("accounts.") && parts.path?.accountId !== undefined)
          // Offline sync answers 200 with each refused item listed; nothing may be accepted.
          const refusedItems = e.key === "sync.push" && reply.status === 200 && reply.json?.accepted === 0
          if (aimed && reply.status < 300 && !refusedItems && (method !== "GET" || parts.path !== undefined)) {
            wrongly.push(`${who} ${method} ${path}: ${reply.status} ${reply.text.slice(0, 200)}`)
          }
        }
      }
      const after = await contentHash(filename)
      assert.deepStrictEqual(wrongly, [], "requests aimed outside the caller's scope that succeeded")
      // Rule parameters belong to no place: an administrator's change of them is no out-of-scope
      // write, but it is audited. Nothing else may have been written.
      const added = (await auditTrail(filename)).filter((e) => e.seq > trailBefore[trailBefore.length - 1].seq)
      assert.deepStrictEqual(
        added.filter((e) => e.tag !== "RuleParameters").map((e) => `${e.tag} ${e.id} by ${e.actorId}`),
        [],
        "audit entries of out-of-scope requests"
      )
      const audited = added.length > 0 ? ["audit", "audit_records", "placements"] : []
      assert.deepStrictEqual(
        changedTables(before, after).filter((t) => !audited.includes(t)),
        [],
        "tables changed by out-of-scope requests"
      )
      assert.deepStrictEqual(leaks, [])
      assert.strictEqual(figures.fiveHundreds, 0)
    },
    300_000
  )

  // Inside the scope, the status each role gets from each endpoint is the matrix of
  // ../Matrix.test.ts; this suite adds the out-of-scope sweep on SQLite and the attacks below.

  describe("attacks", () => {
    const g1 = W.idsOf(W.placeIds.s1v1g1)
    const g2 = W.idsOf(W.placeIds.s1v1g2)
    const v2 = W.idsOf(W.placeIds.s1v2g1)
    const s2 = W.idsOf(W.placeIds.s2v1g1)
    const visit = (id: string, observations: ReadonlyArray<unknown> = [], at = g1) => ({
      _tag: "Visit",
      id,
      householdId: at.household,
      liaisonId: at.liaison,
      at: "2021-05-11T01:00:00.000Z",
      outcome: "contacted",
      observations
    })
    const stored = async (id: string) => (await as("admin", "GET", `/visits/${id}`)).status === 200

    it("a batch mixing an out-of-scope visit into in-scope ones is refused whole", async () => {
      figures.attacks++
      const reply = await as("liaison", "POST", "/visits/batch", {
        visits: [visit("atk-batch-1"), visit("atk-batch-2", [], g2), visit("atk-batch-3")]
      })
      assert.strictEqual(reply.status, 403, reply.text)
      assert.isFalse(await stored("atk-batch-1"))
      assert.isFalse(await stored("atk-batch-3"))
      // A leader's batch reaching into the other village, and an administrator's into the other subdistrict.
      for (
        const [who, other] of [["leader", v2], ["admin", s2]] as const
      ) {
        figures.attacks++
        const r = await as(who, "POST", "/visits/batch", {
          visits: [visit(`atk-b-${who}-1`), visit(`atk-b-${who}-2`, [], other)]
        })
        assert.include([403, 404], r.status, r.text)
        assert.isFalse(await stored(`atk-b-${who}-1`))
      }
    })

    it("observations cannot name another grid's resident, campaign, matter or arrival", async () => {
      const attempts = [
        { _tag: "health-check", residentId: g2.resident, symptoms: true, note: "伪造" },
        { _tag: "vaccination-check", residentId: s2.resident, status: "complete", persuaded: false },
        { _tag: "elderly-wellbeing", residentId: v2.resident, wellbeing: "unwell", needs: [] },
        { _tag: "decoction", campaignId: s2.campaign, servings: 3 },
        { _tag: "publicity", campaignId: g2.campaign, medium: "leaflet" },
        { _tag: "matter", matterId: v2.matter, note: "已解决" },
        { _tag: "arrival-seen", arrivalId: s2.arrival },
        { _tag: "health-check", arrivalId: g2.arrival, symptoms: false }
      ]
      const accepted: Array<string> = []
      for (const [i, observation] of attempts.entries()) {
        figures.attacks++
        const id = `atk-obs-${i}`
        const reply = await as("liaison", "POST", "/visits", visit(id, [observation]))
        if (reply.status < 300 || (await stored(id))) accepted.push(`${JSON.stringify(observation)}: ${reply.status}`)
      }
      assert.deepStrictEqual(accepted, [], "visits whose observations reach outside the liaison's grid were stored")
    })

    it("records cannot be moved out of scope, nor moved into it from outside", async () => {
      const resident = (await as("admin", "GET", `/residents/${g1.resident}`)).json
      const household = (await as("admin", "GET", `/households/${g1.household}`)).json
      const cases: Array<[Who, string, unknown]> = [
        ["liaison", "/residents", { ...resident, householdId: g2.household }],
        ["leader", "/households", { ...household, gridId: W.placeIds.s1v2g1 }],
        ["admin", "/households", { ...household, gridId: W.placeIds.s2v1g1 }],
        ["leader", "/residents", {
          ...((await as("admin", "GET", `/residents/${v2.resident}`)).json),
          householdId: g1.household
        }]
      ]
      for (const [who, path, body] of cases) {
        figures.attacks++
        const r = await as(who, "POST", path, body)
        assert.include([403, 404], r.status, `${who} ${path}: ${r.text}`)
      }
      assert.strictEqual((await as("admin", "GET", `/residents/${g1.resident}`)).json.householdId, g1.household)
      assert.strictEqual((await as("admin", "GET", `/households/${g1.household}`)).json.gridId, W.placeIds.s1v1g1)
    })

    it("ids in paths and filters never reach another grid", async () => {
      for (
        const [who, other] of [["liaison", g2], ["leader", v2], ["admin", s2], ["auditor", s2], ["admin2", g1]] as const
      ) {
        for (const [kind, id] of Object.entries(other)) {
          figures.attacks++
          const collection = {
            liaison: "liaisons",
            household: "households",
            resident: "residents",
            arrival: "arrivals",
            matter: "matters",
            campaign: "campaigns",
            visit: "visits"
          }[kind]!
          const r = await as(who, "GET", `/${collection}/${encodeURIComponent(id)}`)
          assert.include([403, 404], r.status, `${who} GET ${collection}/${id}: ${r.text}`)
        }
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
          figures.attacks++
          const outside = other.household.slice(2)
          await as(who, "GET", `/${collection}?scope=${outside}&limit=1000`)
        }
        figures.attacks++
        await as(who, "GET", `/audit?id=${encodeURIComponent(other.resident)}&limit=1000`)
      }
      assert.deepStrictEqual(leaks, [])
    })

    it("sync: pushes are refused item by item out of scope, and no cursor pulls another grid's changes", async () => {
      figures.attacks++
      const push = await as("liaison", "POST", "/sync/visits", {
        visits: [visit("atk-sync-1"), visit("atk-sync-2", [], g2), visit("atk-sync-3", [], s2)]
      })
      assert.strictEqual(push.status, 200, push.text)
      assert.deepStrictEqual(push.json.results.map((r: any) => r.status), ["created", "forbidden", "forbidden"])
      assert.isFalse(await stored("atk-sync-2"))
      // Walk every cursor from the start, as each account, with and without an out-of-scope filter.
      for (const who of accountKeys) {
        for (const scope of ["", `&scope=${targets[who].out}`]) {
          let since = "0"
          for (let page = 0; page < 200; page++) {
            figures.attacks++
            const r = await as(who, "GET", `/sync/changes?since=${since}&limit=5${scope}`)
            if (r.status !== 200) {
              assert.include([400, 403, 404], r.status, r.text)
              break
            }
            if (!r.json.more) break
            since = r.json.cursor
          }
        }
        // Cursors far ahead or forged give nothing of another grid either.
        for (const since of ["999999999999999", "1", "000000000000001"]) {
          figures.attacks++
          await as(who, "GET", `/sync/changes?since=${since}&limit=1000`)
        }
      }
      assert.deepStrictEqual(leaks, [])
    })

    it("an administrator of one subdistrict cannot manage the other's accounts and tokens", async () => {
      const attempts: Array<[string, string, unknown?]> = [
        ["GET", `/accounts/${W.accounts.admin.id}`],
        ["GET", `/accounts/${W.accounts.liaison.id}/tokens`],
        ["POST", `/accounts/${W.accounts.leader.id}/tokens`, { label: "atk" }],
        ["POST", `/accounts/${W.accounts.admin.id}/tokens/${tokenId(tokens.spare)}/revoke`],
        ["PUT", `/accounts/${W.accounts.leader.id}`, {
          name: "x",
          role: "village-leader",
          scope: [W.placeIds.s2],
          active: true
        }],
        ["PUT", `/accounts/atk-new`, { name: "x", role: "subdistrict-admin", scope: [W.placeIds.s1], active: true }]
      ]
      for (const [method, path, body] of attempts) {
        figures.attacks++
        const r = await as("admin2", method, path, body)
        assert.include([400, 403, 404], r.status, `${method} ${path}: ${r.text}`)
      }
      const list = await as("admin2", "GET", "/accounts")
      const ofFirst = Object.values(W.accounts).filter((a) => a.id !== W.accounts.admin2.id).map((a) => a.id)
      assert.deepStrictEqual(list.json.items.filter((a: any) => ofFirst.includes(a.id)), [])
      assert.include(list.json.items.map((a: any) => a.id), W.accounts.admin2.id)
      // Nobody but an administrator manages accounts, and nobody widens their own scope.
      for (const who of ["liaison", "leader", "auditor"] as const) {
        figures.attacks++
        const r = await as(who, "PUT", `/accounts/${W.accounts[who].id}`, {
          name: "x",
          role: "subdistrict-admin",
          scope: [W.placeIds.s1],
          active: true
        })
        assert.strictEqual(r.status, 403, r.text)
      }
      figures.attacks++
      const widen = await as("admin", "PUT", `/accounts/${W.accounts.admin.id}`, {
        name: "x",
        role: "subdistrict-admin",
        scope: [W.placeIds.s1, W.placeIds.s2],
        active: true
      })
      assert.include([400, 403], widen.status, widen.text)
      const me = await as("admin", "GET", "/me")
      assert.deepStrictEqual(me.json.account.scope, [W.placeIds.s1])
      // The spare token admin2 tried to revoke still works.
      assert.strictEqual((await send(server.url, { method: "GET", path: "/me", token: tokens.spare })).status, 200)
    })

    it("break the glass reaches only residents in scope, is recorded, and unmasks only that resident", async () => {
      figures.attacks++
      const out = await as("auditor", "POST", "/break-glass", {
        residentId: s2.resident,
        reason: "核查越权访问是否被拒绝 (attack)"
      })
      assert.strictEqual(out.status, 404, out.text)
      const pd = W.personalDataOf(W.placeIds.s1v1g1)
      const allowed = new Set([pd.residentNationalId, pd.residentPhone])
      const grant = await as(
        "auditor",
        "POST",
        "/break-glass",
        { residentId: g1.resident, reason: "核实身份以便上门送药 (verify identity)", minutes: 1 },
        allowed
      )
      assert.strictEqual(grant.status, 201, grant.text)
      assert.strictEqual(grant.json.resident.nationalId, pd.residentNationalId)
      const log = await as("admin", "GET", `/break-glass?accountId=${W.accounts.auditor.id}`)
      assert.include(log.json.items.map((g: any) => g.residentId), g1.resident)
      // Other residents stay masked for the auditor (checked by the leak scan of every reply).
      await as("auditor", "GET", "/residents?limit=1000", undefined, allowed)
      await as("auditor", "GET", "/arrivals?limit=1000", undefined, allowed)
      await as("auditor", "GET", "/liaisons?limit=1000", undefined, allowed)
      assert.deepStrictEqual(leaks, [])
    })
  })

  describe("tokens", () => {
    // Expired, revoked, tampered and deactivated accounts' tokens on every authenticated
    // endpoint: the corner cases of BadInput.test.ts.
    it("a token revoked through the API stops working at once; so does one of an account deactivated", async () => {
      const issued = await as("admin", "POST", `/accounts/${W.accounts.leader.id}/tokens`, {
        label: "to-revoke",
        expiresInDays: 1
      })
      assert.strictEqual(issued.status, 201, issued.text)
      const secret: string = issued.json.token
      assert.strictEqual((await send(server.url, { method: "GET", path: "/me", token: secret })).status, 200)
      const revoked = await as(
        "admin",
        "POST",
        `/accounts/${W.accounts.leader.id}/tokens/${issued.json.info.id}/revoke`
      )
      assert.strictEqual(revoked.status, 204, revoked.text)
      const after = await send(server.url, { method: "GET", path: "/residents", token: secret })
      assert.strictEqual(after.status, 401)
      // Deactivate an account: its token is refused on the next request.
      const account = { ...W.accounts.liaison }
      const issued2 = await as("admin", "POST", `/accounts/${account.id}/tokens`, { label: "to-deactivate" })
      const saved = await as("admin", "PUT", `/accounts/${account.id}`, {
        name: account.name,
        role: account.role,
        scope: account.scope,
        liaisonId: account.liaisonId,
        active: false
      })
      assert.strictEqual(saved.status, 200, saved.text)
      assert.strictEqual(
        (await send(server.url, { method: "GET", path: "/me", token: issued2.json.token })).status,
        401
      )
      assert.strictEqual(
        (await send(server.url, { method: "GET", path: "/me", token: tokens.valid.liaison })).status,
        401
      )
    })
  })

  it("every fact these tests wrote has its audit row", async () => {
    const trail = await auditTrail(filename)
    const audited = new Set(trail.map((e) => `${e.tag}:${e.id}`))
    const facts = writes.filter((w) => /^[A-Z]/.test(w.kind))
    figures.writes = writes.length
    assert.isAbove(facts.length, 0)
    assert.deepStrictEqual(facts.filter((w) => !audited.has(`${w.kind}:${w.id}`)), [])
  })

  it("every break-the-glass read is in the break-the-glass record", async () => {
    const log = await sendJson(server.url, "GET", "/break-glass?limit=1000", tokens.valid.admin)
    const recorded = new Set(log.json.items.map((g: any) => g.id))
    const grants = writes.filter((w) => w.kind === "break-glass")
    assert.isAbove(grants.length, 0)
    assert.deepStrictEqual(grants.filter((w) => !recorded.has(w.id)), [])
  })

  it("account, token and rule-parameter changes have audit rows too", async () => {
    const trail = await auditTrail(filename)
    const audited = new Set(trail.map((e) => e.id))
    const others = writes.filter((w) => ["account", "token", "rule"].includes(w.kind))
    assert.isAbove(others.length, 0)
    assert.deepStrictEqual(
      others.filter((w) => !audited.has(w.id)).map((w) => `${w.kind} ${w.id} (${w.by})`),
      [],
      "writes without an audit row"
    )
  })
})
