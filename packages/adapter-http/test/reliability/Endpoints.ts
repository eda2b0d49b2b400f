/**
 * Every endpoint of the API, enumerated from the `Api` spec itself (so a new endpoint is
 * covered without touching this suite), cross-checked against the OpenAPI document, with a
 * known-good request for each: a request the administrator may send and the server would
 * accept, so that a mutation of it is the only reason for a refusal.
 *
 * Endpoints without a hand-written template get one generated from their schemas with
 * `Arbitrary` (valid in shape, with random ids).
 */
import * as OpenApi from "@effect/platform/OpenApi"
import { StoreFixture } from "@minqing/core/testing"
import { Arbitrary, FastCheck as fc, Option, Schema } from "effect"
import { Api } from "../../src/Api.js"
import { Authentication } from "../../src/Auth.js"
import { tokenId, type Tokens, W } from "./World.js"

/** One endpoint of the spec. */
export interface Endpoint {
  /** `group.name`, e.g. `visits.batch`. */
  readonly key: string
  readonly method: string
  /** The path pattern, e.g. `/visits/:id`. */
  readonly path: string
  readonly pathSchema: Option.Option<Schema.Schema<any, any>>
  readonly urlParamsSchema: Option.Option<Schema.Schema<any, any>>
  readonly payloadSchema: Option.Option<Schema.Schema<any, any>>
  /** Whether a bearer token is needed. */
  readonly authenticated: boolean
}

/** Every endpoint of the API. */
export const endpoints: ReadonlyArray<Endpoint> = Object.values(Api.groups as Record<string, any>).flatMap((group) =>
  Object.values(group.endpoints as Record<string, any>).map((endpoint): Endpoint => ({
    key: `${group.identifier}.${endpoint.name}`,
    method: endpoint.method,
    path: endpoint.path,
    pathSchema: endpoint.pathSchema,
    urlParamsSchema: endpoint.urlParamsSchema,
    payloadSchema: endpoint.payloadSchema,
    authenticated: group.middlewares.has(Authentication) || endpoint.middlewares.has(Authentication)
  }))
)

/** `METHOD /path/:param` of every operation in the OpenAPI document. */
export const openApiOperations = (): ReadonlyArray<string> => {
  const spec = OpenApi.fromApi(Api)
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.keys(item as object)
      .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`)
  )
}

/** A request in its encoded parts. */
export interface Parts {
  readonly path?: Readonly<Record<string, string>>
  readonly urlParams?: Readonly<Record<string, string>>
  readonly payload?: unknown
}

/** The URL path of an endpoint with its path parameters filled in (encoded). */
export const fillPath = (pattern: string, params: Readonly<Record<string, string>> | undefined): string =>
  pattern.replace(/:([A-Za-z0-9_]+)/g, (_, name) => encodeURIComponent(params?.[name] ?? ""))

/** `?a=1&b=2`, or "" without parameters. */
export const queryString = (params: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined): string => {
  if (params === undefined) return ""
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    for (const value of typeof v === "string" ? [v] : v) search.append(k, value)
  }
  const s = search.toString()
  return s === "" ? "" : `?${s}`
}

const encodeWith = (endpoint: Endpoint, value: unknown): unknown =>
  Schema.encodeSync(Option.getOrThrow(endpoint.payloadSchema))(value)

const g = W.placeIds.s1v1g1
const ids = W.idsOf(g)

/**
 * The hand-written templates, keyed by endpoint. Writes create new records (ids `*.fz*`)
 * in the administrator's scope, referencing the world's records.
 */
const handTemplates = (tokens: Tokens): Record<string, (e: Endpoint) => Parts> => {
  const records = W.recordsOf(g)
  const fact = (tag: string, fields: Record<string, unknown>) => ({ _tag: tag, ...fields })
  const visit = (id: string) =>
    fact("Visit", {
      id,
      householdId: ids.household,
      liaisonId: ids.liaison,
      at: "2021-05-10T01:30:00.000Z",
      outcome: "contacted",
      observations: [
        { _tag: "health-check", residentId: ids.resident, temperatureC: 36.6, symptoms: false, note: "体温正常" },
        { _tag: "vaccination-check", residentId: ids.resident, status: "partial", persuaded: true },
        { _tag: "elderly-wellbeing", residentId: ids.resident, wellbeing: "well", needs: ["meals"], note: "独居" },
        { _tag: "decoction", campaignId: ids.campaign, servings: 2 },
        { _tag: "publicity", campaignId: ids.campaign, medium: "leaflet" },
        { _tag: "matter", matterId: ids.matter, note: "已联系维修" },
        { _tag: "arrival-seen", arrivalId: ids.arrival }
      ]
    })
  const list = { urlParams: { limit: "10", scope: W.placeIds.s1v1, asOf: today() } }
  const get = (id: string) => ({ path: { id }, urlParams: { asOf: today() } })
  return {
    "system.health": () => ({}),
    "accounts.me": () => ({}),
    "accounts.list": () => ({}),
    "accounts.get": () => ({ path: { accountId: W.accounts.leader.id } }),
    "accounts.save": () => ({
      path: { accountId: "fz-account" },
      payload: { name: "模糊测试", role: "liaison", scope: [g], liaisonId: ids.liaison, active: true }
    }),
    "accounts.issueToken": () => ({
      path: { accountId: W.accounts.auditor.id },
      payload: { label: "fz", expiresInDays: 5 }
    }),
    "accounts.listTokens": () => ({ path: { accountId: W.accounts.auditor.id } }),
    "accounts.revokeToken": () => ({ path: { accountId: W.accounts.admin.id, tokenId: tokenId(tokens.spare) } }),
    "places.list": () => list,
    "places.get": () => get(g),
    "places.save": () => ({
      payload: fact("Place", {
        id: "fz-grid",
        name: "东村三片区",
        level: "grid",
        parentId: W.placeIds.s1v1,
        code: "G3"
      })
    }),
    "liaisons.list": () => list,
    "liaisons.get": () => get(ids.liaison),
    "liaisons.save": (e) => ({
      payload: encodeWith(e, { ...records.liaison, id: "l.fz", gridIds: [g], phone: "13512340000" })
    }),
    "households.list": () => list,
    "households.get": () => get(ids.household),
    "households.save": (e) => ({
      payload: encodeWith(e, { ...records.household, id: "h.fz", activeUntil: "2021-12-31" })
    }),
    "residents.list": () => list,
    "residents.get": () => get(ids.resident),
    "residents.save": () => ({
      payload: fact("Resident", {
        id: "r.fz",
        householdId: ids.household,
        name: "测试居民",
        sex: "male",
        birthDate: "1948-07-01",
        nationalId: fzNationalId,
        phone: "13611112222",
        livesAlone: true,
        presence: "present",
        doses: [{ date: "2021-04-02", product: "sinovac-coronavac" }],
        eligibility: { _tag: "temporarily-contraindicated", reason: "发热，待复查", until: "2021-06-01" },
        activeFrom: "2021-01-01"
      })
    }),
    "visits.list": () => list,
    "visits.get": () => get(ids.visit),
    "visits.save": () => ({ payload: visit("v.fz") }),
    "visits.batch": () => ({ payload: { visits: [visit("v.fz-b1"), visit("v.fz-b2")] } }),
    "arrivals.list": () => list,
    "arrivals.get": () => get(ids.arrival),
    "arrivals.save": () => ({
      payload: fact("ArrivalReport", {
        id: "a.fz",
        householdId: ids.household,
        person: { _tag: "Newcomer", name: "测试来人", nationalId: fzNewcomerNationalId, phone: "13722223333" },
        origin: "郑州",
        originRisk: "high",
        expectedArrival: "2021-05-11",
        reportedAt: "2021-05-09T02:00:00.000Z",
        status: "expected"
      })
    }),
    "matters.list": () => list,
    "matters.get": () => get(ids.matter),
    "matters.save": () => ({
      payload: fact("Matter", {
        id: "m.fz",
        householdId: ids.household,
        residentId: ids.resident,
        raisedBy: ids.liaison,
        category: "dispute",
        summary: "邻里纠纷",
        openedAt: "2021-05-09T01:00:00.000Z",
        dueBy: "2021-05-11",
        status: "resolved",
        resolution: { at: "2021-05-10T01:00:00.000Z", note: "已调解" }
      })
    }),
    "campaigns.list": () => list,
    "campaigns.get": () => get(ids.campaign),
    "campaigns.save": () => ({
      payload: fact("Campaign", {
        id: "c.fz",
        kind: "online-notice",
        name: "疫苗接种通知",
        scopeId: W.placeIds.s1v1,
        period: { from: "2021-05-01", to: "2021-05-31" },
        posts: [{ channel: "wechat-moments", at: "2021-05-02T01:00:00.000Z", reach: 120 }]
      })
    }),
    "sync.push": () => ({ payload: { visits: [visit("v.fz-s1")] } }),
    "sync.pull": () => ({ urlParams: { since: "0", limit: "10", scope: W.placeIds.s1v1 } }),
    "audit.writes": () => ({ urlParams: { afterSeq: "0", limit: "5", id: ids.household } }),
    "audit.breakGlass": () => ({
      payload: { residentId: ids.resident, reason: "核实身份以便上门送药 (verify identity)", minutes: 5 }
    }),
    "audit.breakGlassLog": () => ({ urlParams: { limit: "5", accountId: W.accounts.auditor.id } }),
    "rules.pack": () => ({}),
    "rules.override": () => ({ path: { ruleId: "household-sweep" }, payload: { params: { priority: "normal" } } }),
    "rules.reset": () => ({ path: { ruleId: "household-sweep" } }),
    "rules.worklist": () => ({ urlParams: { date: "2021-05-10", placeId: g } }),
    "rules.tasks": () => ({ urlParams: { from: "2021-05-10", to: "2021-05-12", state: "due", placeId: g } }),
    "rules.forecast": () => ({ urlParams: { from: "2021-05-10", days: "2", placeId: g } }),
    "coverage.metrics": () => ({}),
    "coverage.report": () => ({
      urlParams: { scope: g, from: "2021-05-01", to: "2021-05-10", asOf: today(), members: "all" }
    }),
    "coverage.csv": () => ({
      urlParams: { scope: g, from: "2021-05-01", to: "2021-05-10", asOf: today(), table: "members", members: "all" }
    })
  }
}

/** Today in the deployment's zone: reads "as of" it see every record the suite wrote. */
export const today = (): string => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date())

/** New, valid personal data used by the templates. */
export const fzNationalId: string = StoreFixture.nationalId("1948-07-01", 1)
export const fzNewcomerNationalId: string = StoreFixture.nationalId("1990-01-01", 1, "440305")

/** A template generated from the endpoint's schemas. */
const generated = (endpoint: Endpoint, seed: number): Parts => {
  const sample = (schema: Option.Option<Schema.Schema<any, any>>) =>
    Option.match(schema, {
      onNone: () => undefined,
      onSome: (s) => Schema.encodeSync(s)(fc.sample(Arbitrary.make(s), { numRuns: 1, seed })[0])
    })
  const path = sample(endpoint.pathSchema)
  const urlParams = sample(endpoint.urlParamsSchema)
  const payload = sample(endpoint.payloadSchema)
  return {
    ...(path === undefined ? {} : { path }),
    ...(urlParams === undefined ? {} : { urlParams }),
    ...(payload === undefined ? {} : { payload })
  }
}

/** The template of every endpoint, and which ones were generated. */
export const templates = (
  tokens: Tokens
): { readonly of: ReadonlyMap<string, Parts>; readonly generatedKeys: ReadonlyArray<string> } => {
  const hand = handTemplates(tokens)
  const of = new Map<string, Parts>()
  const generatedKeys: Array<string> = []
  for (const e of endpoints) {
    const make = hand[e.key]
    if (make === undefined) generatedKeys.push(e.key)
    of.set(e.key, make === undefined ? generated(e, 42) : make(e))
  }
  return { of, generatedKeys }
}

/** Why the parts do not decode with the endpoint's schemas, or `undefined` when they do. */
export const decodeProblem = (endpoint: Endpoint, parts: Parts): string | undefined => {
  const check = (schema: Option.Option<Schema.Schema<any, any>>, value: unknown, what: string) => {
    if (Option.isNone(schema)) return undefined
    const result = Schema.decodeUnknownEither(schema.value)(value ?? {})
    return result._tag === "Left" ? `${what}: ${result.left.message}` : undefined
  }
  return check(endpoint.pathSchema, parts.path, "path") ??
    check(endpoint.urlParamsSchema, parts.urlParams, "urlParams") ??
    (Option.isSome(endpoint.payloadSchema) ? check(endpoint.payloadSchema, parts.payload, "payload") : undefined)
}
