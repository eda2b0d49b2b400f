import { seed } from "./World.js"
import { startServer, tempDir } from "./Processes.js"
import { contentHash } from "./Database.js"

const t = tempDir()
const filename = t.file("m.db")
const tokens = await seed(filename)
console.log(tokens)
const h = await contentHash(filename)
console.log(h.total, Object.keys(h.tables))
const s = await startServer({ filename })
const get = async (p: string, tok?: string, init: RequestInit = {}) => {
  const r = await fetch(s.url + p, { ...init, headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...(init.headers ?? {}) } })
  console.log(init.method ?? "GET", p, r.status, (await r.text()).slice(0, 300))
}
await get("/health")
await get("/me", tokens.valid.admin)
await get("/residents", tokens.valid.auditor)
await get("/residents", tokens.valid.eastLiaison)
await get("/residents/r-other-1", tokens.valid.admin)
await get("/residents", tokens.expired)
await get("/residents", tokens.revoked)
await get("/residents", tokens.inactive)
await get("/visits", tokens.valid.admin, { method: "POST", body: "{bad", headers: { "content-type": "application/json" } })
await get("/visits", tokens.valid.admin, { method: "POST", body: "x".repeat(2_000_000), headers: { "content-type": "application/json" } })
await get("/sync/visits", tokens.valid.admin, { method: "POST", body: "{bad", headers: { "content-type": "application/json" } })
await get("/sync/changes?since=abc", tokens.valid.admin)
await get("/audit?limit=2", tokens.valid.auditor)
await s.stop()
console.log(s.lines.slice(-20).join("\n"))
console.log("STDERR", s.stderr())
t.remove()
