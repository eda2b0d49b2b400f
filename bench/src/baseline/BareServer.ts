/**
 * The HTTP baseline: a bare `node:http` server on raw `better-sqlite3`, answering the same
 * two requests as Minqing's server — a liaison's worklist for a date, and a batch of visits —
 * with no framework, no schema decoding beyond JSON.parse and a few checks, no auth.
 *
 * Run as a child process: `BareServer.ts <db file> <zone> <params JSON>`; it sends
 * `{ port }` to its parent once listening on 127.0.0.1.
 */
import { TimeZone } from "@minqing/core"
import { createServer } from "node:http"
import * as RawDb from "./RawDb.js"
import { type WorklistParams, worklistQuery } from "./Worklist.js"

const [filename, zoneName, paramsJson] = process.argv.slice(2)
const db = RawDb.open(filename)
// An acknowledged write survives a power cut, as Minqing's do (synchronous FULL): the schema's
// NORMAL would answer before the log reaches the disk, a weaker promise than the one compared.
db.pragma("synchronous = FULL")
const zone = TimeZone.make(zoneName)
const worklist = worklistQuery(db, JSON.parse(paramsJson) as WorklistParams)
const insertVisit = db.prepare(
  "INSERT OR IGNORE INTO visits (id, household_id, liaison_id, at, day, outcome) VALUES (?, ?, ?, ?, ?, ?)"
)
const insertObservation = db.prepare(
  "INSERT OR IGNORE INTO observations (visit_id, seq, kind, subject_id, payload) VALUES (?, ?, ?, ?, ?)"
)

interface VisitIn {
  readonly id: string
  readonly householdId: string
  readonly liaisonId: string
  readonly at: string
  readonly outcome: string
  readonly observations: ReadonlyArray<{ readonly _tag: string; readonly residentId?: string }>
}

const isVisit = (v: any): v is VisitIn =>
  typeof v === "object" && v !== null && typeof v.id === "string" && typeof v.householdId === "string" &&
  typeof v.liaisonId === "string" && typeof v.at === "string" && typeof v.outcome === "string" &&
  Array.isArray(v.observations)

const writeBatch = db.transaction((visits: ReadonlyArray<VisitIn>) =>
  visits.map((v) => {
    const at = Date.parse(v.at)
    const r = insertVisit.run(v.id, v.householdId, v.liaisonId, at, zone.dateOf(at), v.outcome)
    if (r.changes > 0) {
      v.observations.forEach((o, i) => insertObservation.run(v.id, i, o._tag, o.residentId ?? null, JSON.stringify(o)))
    }
    return { id: v.id, status: r.changes > 0 ? "created" : "replayed" }
  })
)

const send = (res: import("node:http").ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1")
  const match = /^\/worklist\/([^/]+)$/.exec(url.pathname)
  if (req.method === "GET" && match) {
    const date = url.searchParams.get("date")
    if (date === null || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return send(res, 400, { error: "date=YYYY-MM-DD" })
    return send(res, 200, { liaisonId: match[1], date, stops: worklist(decodeURIComponent(match[1]), date) })
  }
  if (req.method === "POST" && url.pathname === "/visits") {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      let body: unknown
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        return send(res, 400, { error: "invalid JSON" })
      }
      const visits = (body as { visits?: unknown }).visits
      if (!Array.isArray(visits) || !visits.every(isVisit)) {
        return send(res, 400, { error: "expected { visits: [...] }" })
      }
      send(res, 200, { results: writeBatch(visits) })
    })
    return
  }
  send(res, 404, { error: "not found" })
})

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  process.send!({ port: typeof address === "object" && address !== null ? address.port : 0 })
})
process.on("disconnect", () => process.exit(0))
