import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as W from "./world.js"

describe("smoke", () => {
  it.scoped("serves", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const r1 = yield* W.call("GET", "/health")
      console.log(r1)
      const r2 = yield* W.call("GET", "/residents", { token: tokens.auditor })
      console.log(r2.status, r2.text.slice(0, 1500))
      const r3 = yield* W.call("GET", "/residents?limit=abc", { token: tokens.auditor })
      console.log(r3.status, r3.text.slice(0, 1500))
      const r4 = yield* W.call("POST", "/residents", { token: tokens.liaison, body: { id: 3 } })
      console.log(r4.status, r4.text.slice(0, 1500))
      const r5 = yield* W.call("POST", "/residents", { token: tokens.liaison, rawBody: "{bad" })
      console.log(r5.status, r5.text.slice(0, 1500))
      const r6 = yield* W.call("GET", "/nope", { token: tokens.liaison })
      console.log(r6.status, r6.text.slice(0, 1500))
      const r7 = yield* W.call("GET", "/residents")
      console.log(r7.status, r7.text.slice(0, 1500))
      const r8 = yield* W.call("POST", "/residents", { token: tokens.liaison, rawBody: "x".repeat(70000) })
      console.log(r8.status, r8.text.slice(0, 1500))
      const o = yield* W.call("GET", "/openapi.json")
      console.log(JSON.stringify(o.json.paths["/places"].post.requestBody), JSON.stringify(o.json.paths["/sync/visits"].post.requestBody))
      const r9 = yield* W.call("POST", "/residents", { token: tokens.liaison, body: { _tag: "Resident", id: "bad id", name: "", sex: "x", doses: [1] } })
      console.log(r9.status, r9.text.slice(0, 2500))
      for (const u of ["/rules", "/worklist?date=2021-05-10", "/tasks?from=2021-05-09&to=2021-05-10", "/forecast?days=3", "/metrics", "/coverage?from=2021-05-01&to=2021-05-10&metric=household-screening", "/coverage.csv?from=2021-05-01&to=2021-05-10&metric=household-screening"]) {
        const r = yield* W.call("GET", u, { token: tokens.liaison })
        console.log(u, r.status, r.text.slice(0, 700))
      }
      const ro = yield* W.call("PUT", "/rules/household-sweep", { token: tokens.admin, body: { params: { window: { before: 0, after: 2 } } } })
      console.log(ro.status, ro.text.slice(0, 700))
      const rb = yield* W.call("PUT", "/rules/household-sweep", { token: tokens.admin, body: { params: { window: { before: "x" } } } })
      console.log(rb.status, rb.text.slice(0, 700))
      assert.strictEqual(r1.status, 200)
    }).pipe(Effect.provide(W.layerServer())))
})
