/**
 * Malformed input for every endpoint that takes any: each answer is a 400 `Invalid` naming
 * the path of every bad field — never a 500. Also malformed JSON, oversized bodies and
 * unknown routes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Api } from "../src/Api.js"
import * as W from "./world.js"

interface Malformed {
  readonly method: string
  readonly path: string
  readonly body?: unknown
  /** Paths (joined with ".") that must each be named by a problem. */
  readonly paths: ReadonlyArray<string>
}

const factGroups = {
  places: "places",
  liaisons: "liaisons",
  households: "households",
  residents: "residents",
  visits: "visits",
  arrivals: "arrivals",
  matters: "matters",
  campaigns: "campaigns"
} as const

const malformed: Record<string, Malformed> = {
  "accounts.get": { method: "GET", path: "/accounts/bad%20id", paths: ["accountId"] },
  "accounts.save": {
    method: "PUT",
    path: "/accounts/new-one",
    body: { name: "", role: "boss", scope: [], active: "yes" },
    paths: ["name", "role", "scope", "active"]
  },
  "accounts.issueToken": {
    method: "POST",
    path: "/accounts/liaison/tokens",
    body: { expiresInDays: 0, label: 3 },
    paths: ["expiresInDays", "label"]
  },
  "accounts.listTokens": { method: "GET", path: "/accounts/%E2%9C%97/tokens", paths: ["accountId"] },
  "accounts.revokeToken": { method: "POST", path: "/accounts/liaison/tokens/bad%20token/revoke", paths: ["tokenId"] },
  "visits.batch": {
    method: "POST",
    path: "/visits/batch",
    body: { visits: [{ _tag: "Visit", id: "v 1" }] },
    paths: ["visits.0.id", "visits.0.householdId", "visits.0.at"]
  },
  "sync.push": { method: "POST", path: "/sync/visits", body: { visits: "all of them" }, paths: ["visits"] },
  "sync.pull": { method: "GET", path: "/sync/changes?since=yesterday&limit=0", paths: ["since", "limit"] },
  "audit.writes": { method: "GET", path: "/audit?afterSeq=-1&limit=x", paths: ["afterSeq", "limit"] },
  "audit.breakGlass": {
    method: "POST",
    path: "/break-glass",
    body: { residentId: "", reason: "why not", minutes: 600 },
    paths: ["residentId", "reason", "minutes"]
  },
  "audit.breakGlassLog": { method: "GET", path: "/break-glass?limit=5000", paths: ["limit"] },
  "rules.override": {
    method: "PUT",
    path: "/rules/Household_Sweep",
    body: { params: 3, enabled: "no" },
    paths: [
      "ruleId",
      "params",
      "enabled"
    ]
  },
  "rules.reset": { method: "POST", path: "/rules/Bad%20Rule/reset", paths: ["ruleId"] },
  "rules.worklist": { method: "GET", path: "/worklist?date=2021-13-01&liaisonId=%20", paths: ["date", "liaisonId"] },
  "rules.tasks": { method: "GET", path: "/tasks?state=bogus&from=10%2F05%2F2021", paths: ["state", "from"] },
  "rules.forecast": { method: "GET", path: "/forecast?days=100&from=today", paths: ["days", "from"] },
  "coverage.report": { method: "GET", path: "/coverage?depth=deep", paths: ["from", "to", "depth"] },
  "coverage.csv": { method: "GET", path: "/coverage.csv?from=2021-05-01&to=2021-05-10&table=pdf", paths: ["table"] }
}

for (const [group, path] of Object.entries(factGroups)) {
  malformed[`${group}.list`] = { method: "GET", path: `/${path}?limit=0&asOf=May`, paths: ["limit", "asOf"] }
  malformed[`${group}.get`] = { method: "GET", path: `/${path}/not%20an%20id?asOf=2021-02-30`, paths: ["id", "asOf"] }
  malformed[`${group}.save`] = { method: "POST", path: `/${path}`, body: { id: "x y" }, paths: ["id"] }
}

/** Endpoints with nothing to get wrong: no path parameters, query or body. */
const noInput = ["system.health", "accounts.me", "accounts.list", "rules.pack", "coverage.metrics"]

const endpointsOfApi = Object.values(Api.groups).flatMap((group: any) =>
  Object.values(group.endpoints).map((endpoint: any) => ({
    name: `${group.identifier}.${endpoint.name}`,
    method: endpoint.method as string,
    path: endpoint.path as string
  }))
)

describe("malformed input", () => {
  it("has a malformed request for every endpoint that takes input", () => {
    assert.deepStrictEqual(
      [...Object.keys(malformed), ...noInput].sort(),
      endpointsOfApi.map((e) => e.name).sort()
    )
  })

  it.scoped("answers 400 Invalid naming every bad field", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const failures: Array<string> = []
      for (const [name, m] of Object.entries(malformed)) {
        const reply = yield* W.call(m.method, m.path, { token: tokens.admin, body: m.body })
        const where = `${name}: ${m.method} ${m.path} → ${reply.status}`
        if (reply.status !== 400 || reply.json?._tag !== "Invalid") {
          failures.push(`${where}: ${reply.text.slice(0, 300)}`)
          continue
        }
        const named = new Set<string>(
          reply.json.problems.map((p: { path: Array<string | number> }) => p.path.join("."))
        )
        for (const path of m.paths) {
          if (!named.has(path)) failures.push(`${where}: no problem names "${path}" (named: ${[...named].join(", ")})`)
        }
        for (const path of m.paths) {
          if (!reply.json.message.includes(path)) failures.push(`${where}: the message does not mention "${path}"`)
        }
      }
      assert.deepStrictEqual(failures, [])
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("checks the token before the input: a malformed request without a token is a 401", () =>
    Effect.gen(function*() {
      yield* W.seed
      const failures: Array<string> = []
      for (const [name, m] of Object.entries(malformed)) {
        const reply = yield* W.call(m.method, m.path, { body: m.body })
        if (reply.status !== 401) failures.push(`${name}: ${reply.status} ${reply.text.slice(0, 200)}`)
      }
      assert.deepStrictEqual(failures, [])
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("answers malformed JSON with 400 on every endpoint that takes a body", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const failures: Array<string> = []
      for (const [name, m] of Object.entries(malformed)) {
        if (m.body === undefined) continue
        const reply = yield* W.call(m.method, m.path.split("?")[0], { token: tokens.admin, rawBody: "{\"visits\": [" })
        if (reply.status !== 400 || reply.json?._tag !== "Invalid") {
          failures.push(`${name}: ${reply.status} ${reply.text}`)
        }
      }
      assert.deepStrictEqual(failures, [])
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("answers an oversized body with 413, checked by Content-Length and while reading", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const big = JSON.stringify({
        visits: Array.from({ length: 2000 }, (_, i) => ({ id: `v-${i}`, pad: "x".repeat(40) }))
      })
      const declared = yield* W.call("POST", "/sync/visits", { token: tokens.liaison, rawBody: big })
      assert.strictEqual(declared.status, 413)
      assert.strictEqual(declared.json._tag, "PayloadTooLarge")
      assert.strictEqual(declared.json.limitBytes, 64 * 1024)
      // Chunked, so no Content-Length: the limit applies while reading, and the client still gets
      // its structured 413 (the rest of the upload is read and dropped, not cut off).
      const base = yield* W.baseUrl
      const chunked = (text: string) =>
        Effect.promise(async () => {
          const bytes = new TextEncoder().encode(text)
          const body = new ReadableStream({
            start(controller) {
              for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.slice(i, i + 16 * 1024))
              controller.close()
            }
          })
          try {
            const response = await fetch(`${base}/visits/batch`, {
              method: "POST",
              headers: { authorization: `Bearer ${tokens.liaison}`, "content-type": "application/json" },
              body,
              duplex: "half"
            } as RequestInit)
            return { status: response.status, json: (await response.json()) as { readonly _tag?: string } }
          } catch (e) {
            return { status: "closed", json: { error: String(e) } as { readonly _tag?: string } }
          }
        })
      const streamed = yield* chunked(big)
      assert.strictEqual(streamed.status, 413, JSON.stringify(streamed.json))
      assert.strictEqual(streamed.json._tag, "PayloadTooLarge")
      // A chunked body within the limit is read as usual (here: a batch that names nothing real).
      const small = yield* chunked(JSON.stringify({ visits: [{ _tag: "Visit", id: "v 1" }] }))
      assert.strictEqual(small.status, 400, JSON.stringify(small.json))
      assert.strictEqual(small.json._tag, "Invalid")
      const after = yield* W.call("GET", "/health")
      assert.strictEqual(after.status, 200, "the server keeps serving")
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("quotes no national ID or phone number back in an error", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const nationalId = "410811194807010013"
      const phone = "13611112222"
      const resident = { _tag: "Resident", id: "r.echo", nationalId, phone }
      for (const [token, body] of [[tokens.auditor, [resident]], [tokens.admin, resident]] as const) {
        const reply = yield* W.call("POST", "/residents", { token, body })
        assert.strictEqual(reply.status, 400)
        const text = JSON.stringify(reply.json)
        assert.notInclude(text, nationalId)
        assert.notInclude(text, phone)
      }
    }).pipe(Effect.provide(W.layerServer())))

  it.scoped("answers an unknown route with 404 NotFound naming it", () =>
    Effect.gen(function*() {
      const tokens = yield* W.seed
      const reply = yield* W.call("DELETE", "/residents/r.s1-v1-g1", { token: tokens.admin })
      assert.strictEqual(reply.status, 404)
      assert.strictEqual(reply.json._tag, "NotFound")
      assert.include(reply.json.message, "DELETE /residents/r.s1-v1-g1")
    }).pipe(Effect.provide(W.layerServer())))
})
