import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, Deployment, Fact, Store } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
const file = ".data/probe.db"
for (const f of [file, file + "-wal", file + "-shm"]) fs.rmSync(f, { force: true })
const s = Scenario.roster({ size: "S" })
const actor = Access.system([s.rootId])
const prog = Effect.gen(function*() {
  const store = yield* Store.Store
  let t = performance.now()
  const roster = Fact.toArray(s.facts)
  for (let i = 0; i < roster.length; i += 2000) yield* store.write(actor, roster.slice(i, i + 2000))
  console.log("roster", roster.length, performance.now() - t)
  t = performance.now()
  let n = 0
  for (const day of Scenario.visits(s)) {
    for (let i = 0; i < day.length; i += 1000) {
      yield* store.write(actor, day.slice(i, i + 1000))
      n += Math.min(1000, day.length - i)
    }
    if (n > 20000) break
  }
  console.log("visits", n, performance.now() - t, (n / (performance.now() - t) * 1000).toFixed(0), "/s")
  t = performance.now()
  const facts = yield* store.load(actor, {})
  console.log("load", facts.visits.length, performance.now() - t)
})
await Effect.runPromise(
  Effect.provide(prog, SqliteStore.layer({ filename: file }).pipe(Layer.provide(Deployment.layer())))
)
