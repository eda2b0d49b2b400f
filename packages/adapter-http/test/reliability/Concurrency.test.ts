/**
 * Two server processes on one SQLite file: the same batch posted three times at once
 * (across both processes, interleaved with other batches) is stored once and answered the
 * same way to every client; then bounded autocannon load on loopback against both: no
 * `SQLITE_BUSY` and no 5xx reaches a client, and every acknowledged visit is stored once
 * with its audit row.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { createRequire } from "node:module"
import * as path from "node:path"
import { withSql } from "./Database.js"
import { type Reply, sendJson } from "./Http.js"
import { leaksIn } from "./Leaks.js"
import { ROOT, type ServerProcess, startServer, tempDir } from "./Processes.js"
import { record, scale } from "./Summary.js"
import { auditTrail, seed, type Tokens, W } from "./World.js"

// autocannon is the workspace's load generator (a dependency of the benchmarks).
const autocannon: (options: Record<string, unknown>) => Promise<any> = createRequire(
  path.join(ROOT, "bench", "package.json")
)("autocannon")

const g1 = W.idsOf(W.placeIds.s1v1g1)
const g2 = W.idsOf(W.placeIds.s1v1g2)

const visit = (id: string, at = g1, minute = 0, note = "巡查") => ({
  _tag: "Visit",
  id,
  householdId: at.household,
  liaisonId: at.liaison,
  at: `2021-05-12T0${Math.floor(minute / 60) % 10}:${String(minute % 60).padStart(2, "0")}:00.000Z`,
  outcome: "contacted",
  observations: [{ _tag: "health-check", residentId: at.resident, symptoms: false, note }]
})

const batch = (prefix: string, size: number, at = g1) => ({
  visits: Array.from({ length: size }, (_, i) => visit(`${prefix}-${i}`, at, i))
})

/** A reply with every receipt's `created`/`replayed` folded into one value, to compare what clients learnt. */
const normalised = (reply: Reply) =>
  JSON.stringify({
    status: reply.status,
    receipts: (reply.json?.receipts ?? []).map((r: any) => ({
      ...r,
      status: r.status === "replayed" ? "created" : r.status
    }))
  })

describe("two server processes on one SQLite file", () => {
  const dir = tempDir()
  const filename = dir.file("minqing.db")
  let a: ServerProcess
  let b: ServerProcess
  let tokens: Tokens
  const figures: Record<string, unknown> = {}

  beforeAll(async () => {
    tokens = await seed(filename)
    ;[a, b] = await Promise.all([
      startServer({ filename, busyTimeoutMillis: 1 }),
      startServer({ filename, busyTimeoutMillis: 1 })
    ])
  }, 180_000)

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    dir.remove()
    record("concurrency", figures)
  })

  const countVisits = (prefix: string) =>
    withSql(
      filename,
      (sql) =>
        sql<{ id: string; n: number }>`SELECT id, count(*) AS n FROM visits WHERE id >= ${prefix} AND id < ${
          prefix + "\uffff"
        } GROUP BY id`
    )

  it(
    "the same batch posted three times at once, among other batches: stored once, the same answer to every client",
    async () => {
      const rounds = scale(12, 60)
      const size = 40
      let copies = 0
      for (let round = 0; round < rounds; round++) {
        const same = batch(`idem-${round}`, size)
        const servers = [a, b, round % 2 === 0 ? a : b]
        const posts = [
          ...servers.map((s) => sendJson(s.url, "POST", "/visits/batch", tokens.valid.liaison, same)),
          sendJson(b.url, "POST", "/visits/batch", tokens.valid.leader, batch(`other-${round}`, size, g2)),
          sendJson(a.url, "POST", "/visits/batch", tokens.valid.admin, batch(`more-${round}`, 10, g2)),
          sendJson(b.url, "POST", "/sync/visits", tokens.valid.liaison, batch(`sync-${round}`, 5))
        ]
        // Shuffle the order the requests leave in.
        const replies = await Promise.all(round % 3 === 0 ? posts.reverse() : posts)
        if (round % 3 === 0) replies.reverse()
        const [r1, r2, r3, ...rest] = replies
        for (const r of replies) assert.strictEqual(r.status, 200, r.text)
        assert.strictEqual(normalised(r1), normalised(r2))
        assert.strictEqual(normalised(r1), normalised(r3))
        // Each visit was created by exactly one of the three; the others were told it was replayed.
        for (let i = 0; i < size; i++) {
          const statuses = [r1, r2, r3].map((r) => r.json.receipts[i].status).sort()
          assert.deepStrictEqual(statuses, ["created", "replayed", "replayed"], `visit ${i} of round ${round}`)
        }
        assert.isTrue(rest.every((r) => r.status === 200))
        const stored = await countVisits(`idem-${round}-`)
        assert.strictEqual(stored.length, size)
        copies += stored.reduce((n, row) => n + row.n, 0)
        assert.isTrue(stored.every((row) => row.n === 1))
      }
      // One audit row per visit, however many times it was posted.
      const trail = await auditTrail(filename)
      const audited = trail.filter((e) => e.tag === "Visit" && e.id.startsWith("idem-"))
      assert.strictEqual(audited.length, rounds * size)
      assert.strictEqual(new Set(audited.map((e) => e.id)).size, rounds * size)
      Object.assign(figures, {
        idempotency: {
          rounds,
          batchSize: size,
          postsOfTheSameBatch: 3 * rounds,
          visitsStored: copies,
          auditRows: audited.length
        }
      })
    },
    300_000
  )

  it(
    "a visit id reused with other content at the same moment: one wins, the rest get 409, the winner is stored",
    async () => {
      const rounds = scale(10, 40)
      for (let round = 0; round < rounds; round++) {
        const variants = ["甲", "乙", "丙"].map((note) => ({ visits: [visit(`race-${round}`, g1, round, note)] }))
        const replies = await Promise.all(
          variants.map((v, i) => sendJson((i % 2 === 0 ? a : b).url, "POST", "/visits/batch", tokens.valid.liaison, v))
        )
        const won = replies.filter((r) => r.status === 200)
        assert.strictEqual(won.length, 1, replies.map((r) => r.status).join(","))
        assert.isTrue(replies.every((r) => r.status === 200 || (r.status === 409 && r.json._tag === "Conflict")))
        const stored = await sendJson(a.url, "GET", `/visits/race-${round}`, tokens.valid.admin)
        const winner = variants[replies.indexOf(won[0])]
        assert.strictEqual(stored.json.observations[0].note, winner.visits[0].observations[0].note)
      }
    },
    120_000
  )

  it(
    "bounded autocannon load on both processes: no SQLITE_BUSY, no 5xx, every acknowledged visit stored once",
    async () => {
      const seconds = scale(4, 30)
      const connections = 8
      const acked: Array<string> = []
      const load = async (server: ServerProcess, name: string) => {
        assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
        let n = 0
        const auth = { authorization: `Bearer ${tokens.valid.admin}`, "content-type": "application/json" }
        const post = () => ({
          method: "POST",
          path: "/visits/batch",
          headers: auth,
          setupRequest: (req: any, context: any) => {
            const ids = [`load-${name}-${n++}`, `load-${name}-${n++}`]
            context.ids = ids
            return { ...req, body: JSON.stringify({ visits: ids.map((id, i) => visit(id, g1, i)) }) }
          },
          onResponse: (status: number, _body: string, context: any) => {
            if (status === 200) acked.push(...context.ids)
          }
        })
        return autocannon({
          url: server.url,
          connections,
          duration: seconds,
          timeout: 30,
          // Mostly writes, between reads, so both processes contend for the write lock.
          requests: [
            post(),
            { method: "GET", path: `/residents?limit=100`, headers: auth },
            post(),
            post(),
            { method: "GET", path: `/sync/changes?since=0&limit=50`, headers: auth },
            post(),
            { method: "GET", path: `/visits?limit=50&scope=${W.placeIds.s1v1g1}`, headers: auth }
          ]
        })
      }
      const [ra, rb] = await Promise.all([load(a, "a"), load(b, "b")])
      const total = (k: string) => (ra[k] ?? 0) + (rb[k] ?? 0)
      const logs = [a, b].map((s) => s.lines.join("\n") + s.stderr()).join("\n")
      const busy = (logs.match(/SQLITE_BUSY|database is locked/g) ?? []).length
      const stored = await countVisits("load-")
      Object.assign(figures, {
        load: {
          command: "npx vitest run packages/adapter-http/test/reliability/Concurrency.test.ts",
          servers: 2,
          connectionsPerServer: connections,
          seconds,
          requests: ra.requests.total + rb.requests.total,
          "2xx": total("2xx"),
          "4xx": total("4xx"),
          "5xx": total("5xx"),
          errors: total("errors"),
          timeouts: total("timeouts"),
          busyInLogs: busy,
          visitsAcknowledged: acked.length,
          visitsStored: stored.length
        }
      })
      assert.strictEqual(total("5xx"), 0)
      assert.strictEqual(total("non2xx"), 0)
      assert.strictEqual(total("errors"), 0)
      assert.strictEqual(total("timeouts"), 0)
      assert.strictEqual(busy, 0)
      assert.isAbove(acked.length, 0)
      const storedIds = new Set(stored.map((r) => r.id))
      assert.deepStrictEqual(acked.filter((id) => !storedIds.has(id)), [], "acknowledged visits missing")
      assert.isTrue(stored.every((r) => r.n === 1))
      const trail = await auditTrail(filename)
      const audited = new Set(trail.filter((e) => e.tag === "Visit").map((e) => e.id))
      assert.deepStrictEqual(acked.filter((id) => !audited.has(id)), [], "acknowledged visits without an audit row")
    },
    300_000
  )

  it("the servers' logs carry no personal data", () => {
    assert.deepStrictEqual(leaksIn([a, b].map((s) => s.lines.join("\n") + s.stderr()).join("\n")), [])
  })
})
