/**
 * The HTTP suite: a liaison's worklist GET and a batch visit POST through Minqing's real
 * server (SQLite adapter, bearer tokens, schema decoding) under autocannon on loopback,
 * against a bare `node:http` server answering the same requests with raw better-sqlite3.
 * Each server runs in its own process; the load generator runs in this one.
 */
import { BuiltInMetrics, BuiltInRules, type Ids } from "@minqing/core"
import type { Scenario } from "@minqing/core/testing"
import * as fs from "node:fs"
import * as path from "node:path"
import { baselineFile, DATA_DIR, describe, rosterOf, sqliteFile } from "../data.js"
import { atLeast, type Figure, log, type Row, type RunOptions, type Size } from "../harness.js"
import { load, type LoadResult, type RequestSpec, startServer } from "../Load.js"

const CONNECTIONS = 10
const VISITS_PER_POST = 50

interface Liaison {
  readonly liaisonId: Ids.LiaisonId
  readonly gridId: Ids.PlaceId
  readonly households: ReadonlyArray<string>
}

const liaisonsOf = (s: Scenario.Scenario, n: number): Array<Liaison> => {
  const byGrid = new Map<string, Array<string>>()
  for (const h of s.facts.households) {
    let list = byGrid.get(h.gridId)
    if (list === undefined) byGrid.set(h.gridId, list = [])
    list.push(h.id)
  }
  const out: Array<Liaison> = []
  const step = Math.max(1, Math.floor(s.gridIds.length / n))
  for (let i = 0; i < s.gridIds.length && out.length < n; i += step) {
    const gridId = s.gridIds[i]
    const liaisonId = s.liaisonOf.get(gridId)
    if (liaisonId !== undefined) out.push({ liaisonId, gridId, households: byGrid.get(gridId) ?? [] })
  }
  return out
}

const copyDb = (from: string, to: string) => {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(to + suffix, { force: true })
  fs.copyFileSync(from, to)
}

/** A batch of new visits to one liaison's households (fresh ids, so none is a replay). */
const visitBatch = (l: Liaison, s: Scenario.Scenario, counter: { n: number }, prefix: string): string => {
  const noon = Date.parse(`${s.today}T12:00:00+08:00`)
  const visits = []
  for (let k = 0; k < VISITS_PER_POST; k++) {
    const n = counter.n++
    visits.push({
      _tag: "Visit",
      id: `${prefix}-${n}`,
      householdId: l.households[n % l.households.length],
      liaisonId: l.liaisonId,
      at: new Date(noon + (n % 3_600_000)).toISOString(),
      outcome: "contacted",
      observations: []
    })
  }
  return JSON.stringify({ visits })
}

interface Pair {
  readonly get: LoadResult
  readonly post: LoadResult
}

const runPair = async (
  name: string,
  seconds: number,
  base: string,
  getSpec: (i: number) => RequestSpec,
  postSpec: (i: number) => RequestSpec
): Promise<Pair> => {
  // A short untimed run first, so both servers are measured warm (not in quick mode: a smoke run).
  if (seconds > 1) await load({ base, seconds: 1, connections: CONNECTIONS, method: "GET", request: getSpec })
  const get = await load({ base, seconds, connections: CONNECTIONS, method: "GET", request: getSpec })
  log(`${name} GET: ${get.reqPerSec.toFixed(0)} req/s, p99 ${get.latencyP99} ms, non-2xx ${get.non2xx}`)
  const post = await load({ base, seconds, connections: CONNECTIONS, method: "POST", request: postSpec })
  log(`${name} POST: ${post.reqPerSec.toFixed(0)} req/s, p99 ${post.latencyP99} ms, non-2xx ${post.non2xx}`)
  return { get, post }
}

const figure = (label: string, r: LoadResult): Figure => ({
  label,
  unit: "req/s",
  median: r.reqPerSec,
  p99: r.latencyP99
})

/** Runs one group of this suite. */
export const run = async (name: string, options: RunOptions): Promise<ReadonlyArray<Row>> => {
  const size = name.split(":")[1] as Size
  const { quick } = options
  const workload = describe(size, quick)
  const seconds = quick ? 1 : 6
  const s = rosterOf(size, quick)
  const liaisons = liaisonsOf(s, size === "S" ? 60 : 400)
  const date = s.today
  fs.mkdirSync(DATA_DIR, { recursive: true })

  // Minqing: the real server on a copy of the adapter's file (the POSTs write to it).
  const minqingFile = path.join(DATA_DIR, `tmp-http-minqing-${process.pid}.db`)
  copyDb(await sqliteFile(size, quick), minqingFile)
  const bareFile = path.join(DATA_DIR, `tmp-http-bare-${process.pid}.db`)
  copyDb(await baselineFile(size, quick), bareFile)

  let ours: Pair
  const minqing = await startServer("./servers/MinqingServer.ts", [
    minqingFile,
    JSON.stringify({ zone: s.zone, levels: s.levels }),
    JSON.stringify(liaisons.map(({ gridId, liaisonId }) => ({ gridId, liaisonId })))
  ])
  try {
    const tokens = minqing.info.tokens as Record<string, string>
    const auth = (l: Liaison) => ({ authorization: `Bearer ${tokens[l.liaisonId]}` })
    const counter = { n: 0 }
    ours = await runPair(
      "minqing",
      seconds,
      `http://127.0.0.1:${minqing.port}`,
      (i) => {
        const l = liaisons[i % liaisons.length]
        return { path: `/worklist?date=${date}`, headers: auth(l) }
      },
      (i) => {
        const l = liaisons[i % liaisons.length]
        return { path: "/visits/batch", headers: auth(l), body: visitBatch(l, s, counter, `bench-http-${process.pid}`) }
      }
    )
  } finally {
    await minqing.stop()
  }

  let bare: Pair
  const elderly = BuiltInRules.elderlyAloneCheckin.defaults
  const vacc = BuiltInRules.vaccinationFollowup.defaults
  const bareServer = await startServer("./baseline/BareServer.ts", [
    bareFile,
    s.zone,
    JSON.stringify({
      elderlyMinAge: elderly.minAge,
      vaccinationMinAge: vacc.minAge,
      vaccinationEveryDays: vacc.everyDays,
      primaryDoses: vacc.dosesNeeded ?? BuiltInMetrics.vaccinationDefaults.primaryDoses,
      defaultDoses: vacc.defaultDosesNeeded
    })
  ])
  try {
    const counter = { n: 0 }
    bare = await runPair(
      "bare",
      seconds,
      `http://127.0.0.1:${bareServer.port}`,
      (i) => ({ path: `/worklist/${encodeURIComponent(liaisons[i % liaisons.length].liaisonId)}?date=${date}` }),
      (i) => ({
        path: "/visits",
        body: visitBatch(liaisons[i % liaisons.length], s, counter, `bench-bare-${process.pid}`)
      })
    )
  } finally {
    await bareServer.stop()
  }
  for (const f of [minqingFile, bareFile]) {
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(f + suffix, { force: true })
  }

  const errors = (r: LoadResult) => (r.non2xx + r.errors > 0 ? `; ${r.non2xx} non-2xx, ${r.errors} errors` : "")
  const row = (id: string, label: string, o: LoadResult, b: LoadResult, what: string): Row => {
    const ratio = o.reqPerSec / b.reqPerSec
    return {
      suite: "http",
      id,
      size: workload,
      ours: figure(label, o),
      baseline: figure("bare node:http + raw SQL", b),
      ratio: { value: ratio, text: `${ratio.toFixed(2)}× the bare throughput` },
      targets: [atLeast(id, "ratio ≥ 0.5", ratio, 0.5)],
      note:
        `${what}; ${CONNECTIONS} connections, ${seconds} s, ${liaisons.length} liaisons in turn; p99 latency in ms; ` +
        `Minqing ${o.requests} requests${errors(o)}, bare ${b.requests}${errors(b)}`
    }
  }
  return [
    row(
      `http.worklist.${size}`,
      "GET worklist (liaison, today)",
      ours.get,
      bare.get,
      "Minqing: bearer token, the kept task state (SqliteTaskState) of the grid, built-in pack (8 rules); bare: one SQL query for the 3 core rules"
    ),
    row(
      `http.visits.${size}`,
      `POST batch of ${VISITS_PER_POST} visits`,
      ours.post,
      bare.post,
      "Minqing: /visits/batch, decoded, checked (WriteCheck), audited, one transaction; bare: JSON.parse, INSERT OR IGNORE in one transaction"
    )
  ]
}
