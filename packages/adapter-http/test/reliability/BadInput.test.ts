/**
 * Bad input: property-based malformed requests against every endpoint of the API, on the
 * real server (its own process, an ephemeral port, a SQLite file in a temporary
 * directory), with plain fetch. Every one must get a 4xx with a structured error, none a
 * 5xx, and the database must be exactly as it was.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { FastCheck as fc, Option } from "effect"
import { changedTables, contentHash } from "./Database.js"
import {
  decodeProblem,
  endpoints,
  fillPath,
  openApiOperations,
  type Parts,
  queryString,
  templates
} from "./Endpoints.js"
import { clientErrorProblem, type Reply, send } from "./Http.js"
import { leaksIn } from "./Leaks.js"
import { caseArb, cornerCases, prepare, type Prepared } from "./Mutations.js"
import { type ServerProcess, startServer, tempDir } from "./Processes.js"
import { record, scale, soak } from "./Summary.js"
import { seed, type Tokens } from "./World.js"

// Random cases on top of the corner cases (about 900): over 1,000 in CI, over 10,000 in the soak.
const CASES = Number(process.env.MINQING_FUZZ_CASES ?? scale(400, 10_000))
const SEED = Number(process.env.MINQING_FUZZ_SEED ?? 20210510)
const MAX_BODY = 1024 * 1024
const PARALLEL = 4

/** Why a reply breaks the expectation, or `undefined`. */
const violation = (prepared: Prepared, reply: Reply): string | undefined => {
  const expect = prepared.expect
  if (reply.status === -1) return `no reply: ${reply.text}`
  if (expect.kind === "refusedItem" && reply.status === 200) {
    const body = reply.json
    const item = body?.results?.find((r: any) => r.index === expect.index)
    if (body?.accepted !== 0) return `200 with ${body?.accepted} item(s) accepted`
    if (item === undefined || item.problems?.length === 0) return `200 without a refusal of item ${expect.index}`
    return undefined
  }
  const problem = clientErrorProblem(reply)
  if (problem !== undefined) return problem
  if (expect.kind === "4xx" && expect.status !== undefined && reply.status !== expect.status) {
    return `status ${reply.status} (${reply.json?._tag}), expected ${expect.status}`
  }
  if (expect.kind === "4xx" && expect.problemAt !== undefined && reply.status === 400) {
    const at = expect.problemAt.map(String)
    const prefixes = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => {
      const n = Math.min(a.length, b.length)
      return a.slice(0, n).join("\u0000") === b.slice(0, n).join("\u0000")
    }
    const related = (reply.json.problems as Array<{ path: Array<unknown>; index?: number }>).some((p) => {
      const path = p.path.map(String)
      // A problem of a batch item names the item by `index` and the field within it.
      return prefixes(path, at) || (p.index !== undefined && String(p.index) === at[1] && prefixes(path, at.slice(2)))
    })
    if (!related) return `no problem names the field ${at.join(".")}: ${JSON.stringify(reply.json.problems)}`
  }
  return undefined
}

describe("bad input on every endpoint", () => {
  const dir = tempDir()
  const filename = dir.file("minqing.db")
  let server: ServerProcess
  let tokens: Tokens
  let of: ReadonlyMap<string, Parts>
  let generatedKeys: ReadonlyArray<string>

  beforeAll(async () => {
    tokens = await seed(filename)
    ;({ of, generatedKeys } = templates(tokens))
    server = await startServer({ filename, maxBodyBytes: MAX_BODY })
  }, 180_000)

  afterAll(async () => {
    await server?.stop()
    dir.remove()
  })

  it("enumerates the endpoints from the spec, and the OpenAPI document lists exactly them", () => {
    assert.isAtLeast(endpoints.length, 30)
    const fromSpec = endpoints.map((e) => `${e.method} ${e.path}`).sort()
    assert.deepStrictEqual([...openApiOperations()].sort(), fromSpec)
  })

  it("every template is a valid request for its endpoint", () => {
    for (const e of endpoints) {
      assert.isUndefined(decodeProblem(e, of.get(e.key)!), e.key)
    }
  })

  it(
    `every corner case and ${CASES} random malformed requests: all 4xx with a structured error, no 5xx, the database unchanged`,
    async () => {
      const before = await contentHash(filename)
      const arbitrary = caseArb(of)
      const prepared: Array<Prepared> = []
      let discarded = 0
      const corners = cornerCases(of)
      for (const c of corners) {
        const p = prepare(c, of.get(c.endpoint.key)!, tokens, MAX_BODY)
        if (p === undefined) discarded++
        else prepared.push(p)
      }
      const cornerCount = prepared.length
      let round = 0
      while (prepared.length < cornerCount + CASES) {
        for (const c of fc.sample(arbitrary, { numRuns: CASES, seed: SEED + round++ })) {
          if (prepared.length >= cornerCount + CASES) break
          const p = prepare(c, of.get(c.endpoint.key)!, tokens, MAX_BODY)
          if (p === undefined) discarded++
          else prepared.push(p)
        }
      }
      const statuses: Record<string, number> = {}
      const perEndpoint: Record<string, number> = {}
      const perKind: Record<string, number> = {}
      const violations: Array<string> = []
      const leaks: Array<string> = []
      let next = 0
      const worker = async () => {
        while (next < prepared.length) {
          const p = prepared[next++]
          const reply = await send(server.url, { ...p.request, timeoutMillis: 10_000 }).catch((e): Reply => ({
            status: -1,
            contentType: null,
            text: `${e} (${e?.cause ?? ""})`,
            json: undefined
          }))
          statuses[reply.status] = (statuses[reply.status] ?? 0) + 1
          const key = p.label.split(" ")[0]
          perEndpoint[key] = (perEndpoint[key] ?? 0) + 1
          const kind = p.label.split(" ")[1]
          perKind[kind] = (perKind[kind] ?? 0) + 1
          const v = violation(p, reply)
          if (v !== undefined) violations.push(`${p.request.method} ${p.request.path.slice(0, 120)} — ${p.label}: ${v}`)
          if (p.label.endsWith("as auditor")) {
            for (const value of leaksIn(reply.text)) {
              const at = reply.text.indexOf(value)
              leaks.push(`${p.label} → ${reply.status}: ${reply.text.slice(Math.max(0, at - 120), at + 40)}`)
            }
          }
        }
      }
      await Promise.all(Array.from({ length: PARALLEL }, worker))
      const after = await contentHash(filename)
      const changed = changedTables(before, after)
      const fiveHundreds = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0)
      // Distinct violations, most frequent first, for the report.
      const grouped = new Map<string, number>()
      for (const v of violations) {
        const shape = v.split(" — ")[1].replace(/ as \S+:/, ":").replace(/\d{4,}/g, "N").slice(0, 240)
        grouped.set(shape, (grouped.get(shape) ?? 0) + 1)
      }
      record("bad-input", {
        command: soak ?
          "MINQING_SOAK=1 npx vitest run packages/adapter-http/test/reliability/BadInput.test.ts" :
          "npx vitest run packages/adapter-http/test/reliability/BadInput.test.ts",
        seed: SEED,
        endpoints: endpoints.length,
        endpointsWithGeneratedTemplates: generatedKeys,
        casesTried: prepared.length,
        cornerCases: cornerCount,
        randomCases: prepared.length - cornerCount,
        discardedAsValid: discarded,
        statuses,
        perEndpoint,
        perMutation: perKind,
        violations: violations.length,
        distinctViolations: [...grouped].sort((a, b) => b[1] - a[1]).map(([v, n]) => `${n}× ${v}`),
        fiveHundreds,
        tablesChanged: changed,
        leaksToAuditor: leaks.length
      })
      for (const e of endpoints) assert.isAtLeast(perEndpoint[e.key] ?? 0, 5, `cases for ${e.key}`)
      assert.deepStrictEqual(
        [...grouped].map(([v, n]) => `${n}× ${v}`),
        [],
        `${violations.length} of ${prepared.length} replies broke the contract`
      )
      assert.strictEqual(fiveHundreds, 0)
      assert.deepStrictEqual(changed, [], "tables changed by malformed requests")
      assert.strictEqual(after.total, before.total)
      assert.deepStrictEqual(leaks, [])
    },
    600_000
  )

  it("the templates themselves are accepted, so each mutation was the only cause of a refusal", async () => {
    const refused: Array<string> = []
    for (const e of endpoints.filter((e) => !generatedKeys.includes(e.key))) {
      // Fresh ids, in case a broken request was wrongly stored under the template's.
      const parts: Parts = JSON.parse(JSON.stringify(of.get(e.key)!).replace(/\.fz\b/g, ".fz-control"))
      const reply = await send(server.url, {
        method: e.method,
        path: fillPath(e.path, parts.path) + queryString(parts.urlParams),
        token: tokens.valid.admin,
        ...(Option.isSome(e.payloadSchema) ?
          { contentType: "application/json", body: JSON.stringify(parts.payload) } :
          {})
      })
      if (reply.status >= 300) refused.push(`${e.key}: ${reply.status} ${reply.text.slice(0, 300)}`)
    }
    assert.deepStrictEqual(refused, [])
  }, 120_000)

  it("the server's log carries no personal data", () => {
    assert.deepStrictEqual(leaksIn(server.lines.join("\n") + server.stderr()), [])
  })
})
