/**
 * Crash safety: a child process ingesting batches of visits into a SQLite file (the SQLite
 * adapter's own writer, `adapter-sqlite/test/child/writer.ts`, which prints `ack <n>` after
 * each committed batch) is killed with SIGKILL at random points, again and again on the
 * same file. After each kill the file is reopened: every acknowledged visit is there, no
 * batch is partial, the database is intact, and the next writer starts on it. Then the
 * same through the HTTP server: a server process killed while clients post batches loses
 * no acknowledged visit and keeps no partial batch.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as path from "node:path"
import { withSql } from "./Database.js"
import { sendJson } from "./Http.js"
import { ROOT, start, startServer, tempDir } from "./Processes.js"
import { record, scale } from "./Summary.js"
import { auditTrail, seed, W } from "./World.js"

const WRITER = path.join(ROOT, "packages", "adapter-sqlite", "test", "child", "writer.ts")

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const counts = (filename: string, prefix: string) =>
  withSql(filename, (sql) =>
    sql<{ batch: string; n: number; copies: number }>`
      SELECT substr(rtrim(id, '0123456789'), 1, length(rtrim(id, '0123456789')) - 1) AS batch,
             count(DISTINCT id) AS n, count(*) AS copies
      FROM visits WHERE id >= ${prefix} AND id < ${prefix + "\uffff"} GROUP BY batch`)

const integrity = (filename: string) =>
  withSql(filename, (sql) => sql<{ integrity_check: string }>`PRAGMA integrity_check`)

describe("crash safety", () => {
  const dir = tempDir()
  afterAll(() => dir.remove())
  const figures: Record<string, unknown> = {}
  afterAll(() => record("crash", figures))

  it(
    "a writer killed with SIGKILL at random points, restarted each time: every acknowledged visit kept, no partial batch",
    async () => {
      const filename = dir.file("writer.db")
      const kills = scale(20, 100)
      // Where each kill lands: a delay after start-up (so some land in migration or the
      // roster), or some milliseconds into a given batch.
      const plans = fc.sample(
        fc.record({
          batchSize: fc.integer({ min: 20, max: 300 }),
          mode: fc.constantFrom("early", "batch", "batch", "batch"),
          afterBatch: fc.integer({ min: 0, max: 3 }),
          delay: fc.integer({ min: 0, max: 40 })
        }),
        { numRuns: kills, seed: 1905 }
      )
      const acked = new Map<string, number>()
      let cutInFlight = 0
      let acknowledged = 0
      for (const [round, plan] of plans.entries()) {
        const prefix = `k${String(round).padStart(3, "0")}`
        const writer = start(WRITER, [JSON.stringify({ filename, prefix, batches: 1000, batchSize: plan.batchSize })])
        try {
          if (plan.mode === "early") {
            await writer.until((l) => l === "ready" || l.startsWith("start "), 120_000).catch(() => undefined)
            await sleep(plan.delay)
          } else {
            await writer.until((l) => l === `start ${plan.afterBatch}`, 120_000)
            await sleep(plan.delay)
          }
        } finally {
          await writer.kill()
        }
        const exit = await writer.exited
        assert.strictEqual(exit.signal, "SIGKILL", `round ${round} ended by itself: ${writer.stderr()}`)
        const ackedNow = writer.lines.filter((l) => l.startsWith("ack ")).map((l) => Number(l.slice(4)))
        const started = writer.lines.filter((l) => l.startsWith("start ")).map((l) => Number(l.slice(6)))
        for (const b of ackedNow) acked.set(`${prefix}-${b}`, plan.batchSize)
        acknowledged += ackedNow.length * plan.batchSize
        // Reopen: integrity, every acknowledged batch complete, every other batch absent or complete.
        assert.deepStrictEqual((await integrity(filename)).map((r) => r.integrity_check), ["ok"])
        const rows = new Map((await counts(filename, `${prefix}-`)).map((r) => [r.batch, r]))
        for (const b of started) {
          const n = rows.get(`${prefix}-${b}`)?.n ?? 0
          if (ackedNow.includes(b)) assert.strictEqual(n, plan.batchSize, `acknowledged batch ${prefix}-${b}`)
          else {
            assert.include([0, plan.batchSize], n, `batch ${prefix}-${b}, cut by the kill, is all or nothing`)
            if (n === 0) cutInFlight++
          }
        }
        for (const [batch, row] of rows) {
          assert.strictEqual(row.copies, row.n, `no visit of ${batch} stored twice`)
          assert.include([...started.map((b) => `${prefix}-${b}`)], batch)
        }
      }
      // Every acknowledged visit of every round is still there after all the later crashes.
      const all = new Map((await counts(filename, "k")).map((r) => [r.batch, r.n]))
      const lost = [...acked].filter(([batch, size]) => all.get(batch) !== size)
      // The writer's world is rooted at "sd" (adapter-sqlite/test/fixtures.ts).
      const trail = await auditTrail(filename, ["sd"])
      const audited = new Set(trail.filter((e) => e.tag === "Visit").map((e) => e.id))
      const unaudited = [...all].filter(([batch, size]) =>
        Array.from({ length: size }, (_, i) => `${batch}-${i}`).some((id) => !audited.has(id))
      ).map(([batch]) => batch)
      Object.assign(figures, {
        writer: {
          command: "npx vitest run packages/adapter-http/test/reliability/CrashSafety.test.ts",
          kills,
          killedEarly: plans.filter((p) => p.mode === "early").length,
          batchesAcknowledged: acked.size,
          visitsAcknowledged: acknowledged,
          batchesCutInFlight: cutInFlight,
          batchesLost: lost.length,
          batchesWithoutAudit: unaudited.length
        }
      })
      assert.deepStrictEqual(lost, [])
      assert.deepStrictEqual(unaudited, [])
      assert.isAtLeast(cutInFlight, 1, "at least one kill landed while a batch was being written")
    },
    600_000
  )

  it(
    "a server process killed while clients post batches: every acknowledged batch kept whole, no partial batch",
    async () => {
      const filename = dir.file("server.db")
      const tokens = await seed(filename)
      const kills = scale(3, 15)
      const g = W.idsOf(W.placeIds.s1v1g1)
      const size = 50
      const acked = new Set<string>()
      const sent = new Set<string>()
      for (let round = 0; round < kills; round++) {
        const server = await startServer({ filename })
        let stop = false
        const client = async (c: number) => {
          for (let i = 0; !stop; i++) {
            const prefix = `s${round}-${c}-${i}`
            sent.add(prefix)
            const visits = Array.from({ length: size }, (_, j) => ({
              _tag: "Visit",
              id: `${prefix}-${j}`,
              householdId: g.household,
              liaisonId: g.liaison,
              at: "2021-05-13T02:00:00.000Z",
              outcome: "nobody-home",
              observations: []
            }))
            const reply = await sendJson(server.url, "POST", "/visits/batch", tokens.valid.liaison, { visits }).catch(
              () => undefined
            )
            if (reply === undefined) return
            if (reply.status === 200) acked.add(prefix)
            else assert.fail(`batch ${prefix}: ${reply.status} ${reply.text}`)
          }
        }
        const clients = Promise.all([0, 1, 2].map(client))
        // Kill at a random moment once batches are flowing.
        const ackedBefore = acked.size
        for (let waited = 0; acked.size === ackedBefore && waited < 60_000; waited += 20) await sleep(20)
        await sleep(Math.floor(Math.random() * 300))
        await server.kill()
        stop = true
        await clients
      }
      const rows = await counts(filename, "s")
      const byBatch = new Map(rows.map((r) => [r.batch, r]))
      const lost = [...acked].filter((b) => byBatch.get(b)?.n !== size)
      const partial = rows.filter((r) => r.n !== size || r.copies !== r.n)
      const unacked = rows.filter((r) => !acked.has(r.batch)).length
      Object.assign(figures, {
        server: {
          kills,
          batchesSent: sent.size,
          batchesAcknowledged: acked.size,
          batchesLost: lost.length,
          partialBatches: partial.length,
          committedButUnacknowledged: unacked
        }
      })
      assert.isAbove(acked.size, 0)
      assert.deepStrictEqual(lost, [])
      assert.deepStrictEqual(partial, [])
      assert.deepStrictEqual((await integrity(filename)).map((r) => r.integrity_check), ["ok"])
    },
    600_000
  )
})
