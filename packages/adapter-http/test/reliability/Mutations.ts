/**
 * Malformed requests, generated with fast-check: each case takes an endpoint's known-good
 * request and breaks it in one way (wrong types, missing fields, huge strings, invalid
 * national IDs, phones and dates, unknown ids, broken JSON, wrong content types, oversized
 * bodies, bad path and query values, wrong methods, bad credentials). A mutation that the
 * endpoint's own schema still accepts is not malformed and is discarded, except where the
 * policy is stricter than a schema (huge strings) or the request is well-formed but refers
 * to nothing (unknown ids).
 */
import { FastCheck as fc, Option } from "effect"
import { decodeProblem, type Endpoint, endpoints, fillPath, type Parts, queryString } from "./Endpoints.js"
import type { Request } from "./Http.js"
import type { Tokens, Who } from "./World.js"

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }
type Path = ReadonlyArray<string | number>

/** Who sends a case. */
export type Credential =
  | { readonly kind: "role"; readonly who: Who }
  | {
    readonly kind: "bad"
    readonly variant: "none" | "empty" | "basic" | "garbage" | "expired" | "revoked" | "inactive" | "tampered"
  }

/** One way of breaking a request. */
export type Mutation =
  | { readonly kind: "payload.wrongType"; readonly at: Path; readonly value: Json }
  | { readonly kind: "payload.missing"; readonly at: Path }
  | { readonly kind: "payload.hugeString"; readonly at: Path; readonly size: number; readonly unit: string }
  | { readonly kind: "payload.nationalId"; readonly at: Path; readonly value: string }
  | { readonly kind: "payload.phone"; readonly at: Path; readonly value: string }
  | { readonly kind: "payload.date"; readonly at: Path; readonly value: string }
  | { readonly kind: "payload.number"; readonly at: Path; readonly value: number }
  | { readonly kind: "payload.unknownId"; readonly at: Path; readonly value: string }
  | { readonly kind: "payload.root"; readonly value: Json }
  | { readonly kind: "payload.longArray"; readonly at: Path; readonly length: number }
  | { readonly kind: "body.brokenJson"; readonly variant: string; readonly position: number }
  | { readonly kind: "body.empty" }
  | { readonly kind: "body.contentType"; readonly contentType: string }
  | { readonly kind: "body.oversized"; readonly chunked: boolean; readonly extra: number }
  | { readonly kind: "path.unknownId"; readonly key: string; readonly value: string }
  | { readonly kind: "path.invalid"; readonly key: string; readonly value: string }
  | { readonly kind: "query.invalid"; readonly key: string; readonly value: string }
  | { readonly kind: "query.duplicate"; readonly key: string }
  | { readonly kind: "auth.bad" }
  | { readonly kind: "method.wrong"; readonly method: string }

/** A generated case. */
export interface Case {
  readonly endpoint: Endpoint
  readonly credential: Credential
  readonly mutation: Mutation
}

/** What the server must answer. */
export type Expectation =
  | { readonly kind: "4xx"; readonly status?: number; readonly problemAt?: Path }
  /** Offline sync answers per item: 4xx, or 200 with the broken item refused and nothing accepted. */
  | { readonly kind: "refusedItem"; readonly index: number }

/** A case made concrete. */
export interface Prepared {
  readonly request: Request
  readonly expect: Expectation
  /** A short description for reports (no secrets). */
  readonly label: string
}

// -----------------------------------------------------------------------------
// JSON helpers
// -----------------------------------------------------------------------------

const isObject = (u: unknown): u is Record<string, Json> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Every path inside a JSON value (not the root), with the value there. */
const walk = (value: Json, at: Path = []): Array<{ readonly at: Path; readonly value: Json }> => {
  const out: Array<{ at: Path; value: Json }> = []
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push({ at: [...at, i], value: v }, ...walk(v, [...at, i])))
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) out.push({ at: [...at, k], value: v }, ...walk(v, [...at, k]))
  }
  return out
}

const setAt = (value: Json, at: Path, next: Json | undefined): Json => {
  if (at.length === 0) return next as Json
  const [head, ...rest] = at
  if (Array.isArray(value)) {
    const copy = [...value]
    if (rest.length === 0 && next === undefined) copy.splice(head as number, 1)
    else copy[head as number] = setAt(copy[head as number], rest, next)
    return copy
  }
  const copy: Record<string, Json> = { ...(value as Record<string, Json>) }
  if (rest.length === 0 && next === undefined) delete copy[head as string]
  else copy[head as string] = setAt(copy[head as string], rest, next)
  return copy
}

const typeOf = (v: Json): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v)

const lastKey = (at: Path): string | undefined => {
  for (let i = at.length - 1; i >= 0; i--) if (typeof at[i] === "string") return at[i] as string
  return undefined
}

const isDateLike = (v: Json) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)

const isReference = (at: Path): boolean => {
  const key = lastKey(at)
  if (key === undefined || key === "id") return false
  return /Id$/.test(key) || (/Ids$|^scope$/.test(key) && typeof at[at.length - 1] === "number")
}

// -----------------------------------------------------------------------------
// Values
// -----------------------------------------------------------------------------

const wrongValues: ReadonlyArray<Json> = [0, -1, 1.5, 1e308, true, false, null, "", "x", "0", [], {}, [1, 2], {
  a: 1
}, ["x"]]

/** Invalid national IDs: wrong check character, length, characters, birth date. */
export const badNationalIds: ReadonlyArray<string> = [
  "410811195003070020", // wrong check character
  "41081119500307002", // 17 characters
  "4108111950030700211", // 19
  "41081119500307002x", // lowercase x
  "410811195013070021", // month 13
  "410811195002300029", // 30 February
  "410811189912310012", // before 1900
  "４１０８１１１９５００３０７００２Ｘ", // full-width digits
  "410811 19500307 0021",
  "410811-19500307-0021",
  "ABCDEFGHIJKLMNOPQR",
  "000000000000000000",
  "",
  "<script>alert(1)</script>",
  "410811195003070021\n"
]

/** Invalid phone numbers. */
export const badPhones: ReadonlyArray<string> = [
  "1381234567",
  "138123456789",
  "12812345678",
  "23812345678",
  "+8613812345678",
  "138-1234-5678",
  "１３８１２３４５６７８",
  "phone",
  "",
  "13812345678 "
]

/** Invalid dates and instants. */
export const badDates: ReadonlyArray<string> = [
  "2021-02-30",
  "2021-13-01",
  "2021-00-10",
  "2021-04-31",
  "1899-12-31",
  "2200-01-01",
  "21-05-10",
  "2021/05/10",
  "2021-5-1",
  "20210510",
  "",
  "tomorrow",
  "0000-00-00",
  "2021-05-10T25:00:00Z",
  "2021-05-10T10:61:00+08:00",
  "2021-05-10T10:00:00+25:00",
  "+275760-09-13T00:00:00.001Z",
  "-271821-04-20T00:00:00.000Z",
  "9999-12-31T23:59:59Z",
  "NaN",
  "2021-05-10 extra",
  "２０２１-０５-１０"
]

const badNumbers: ReadonlyArray<number> = [-1, -0.5, 0, 0.5, 1.5, 51, 1e9, 2 ** 53, 1e308, -1e308]

const badPathValues: ReadonlyArray<string> = [
  " ",
  "a b",
  "中文",
  "x".repeat(65),
  "x".repeat(3000),
  "<script>",
  "' OR 1=1 --",
  "a/b",
  "\u0000",
  "😀",
  "-",
  "_x",
  "%",
  "a?b",
  "a#b"
]

const badQueryValues: ReadonlyArray<string> = [
  "abc",
  "-1",
  "0",
  "1001",
  "1.5",
  "1e400",
  "",
  "2021-02-30",
  "9999-99-99",
  "null",
  "true",
  "[]",
  "x".repeat(201),
  "x".repeat(5000),
  "\u0000",
  "0x10",
  "Infinity",
  "NaN",
  "99999999999999999999",
  "a b",
  "中文",
  "'; DROP TABLE visits; --"
]

const contentTypes: ReadonlyArray<string> = [
  "text/plain",
  "text/html",
  "text/csv",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=fz",
  "application/octet-stream",
  "image/png",
  "application/yaml",
  "invalid-content-type"
]

const brokenJsonVariants = ["truncate", "insert", "bom", "trailing", "concat", "single-quotes", "comment", "nan"]

// Not spaces: trimmed fields rightly shrink them to nothing.
const units = ["a", "中", "😀", "\\u0000"]

// -----------------------------------------------------------------------------
// Arbitraries
// -----------------------------------------------------------------------------

const badCredentials = ["none", "empty", "basic", "garbage", "expired", "revoked", "inactive", "tampered"] as const
const roles: ReadonlyArray<Who> = ["admin", "admin", "admin", "leader", "liaison", "auditor", "admin2"]

const credentialArb: fc.Arbitrary<Credential> = fc.constantFrom(...roles).map((who) => ({ kind: "role", who }))

const pick = <A>(items: ReadonlyArray<A>): fc.Arbitrary<A> => fc.constantFrom(...items)

const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

/** The mutations that apply to an endpoint and its template. */
const mutationArb = (endpoint: Endpoint, template: Parts): fc.Arbitrary<Mutation> => {
  const options: Array<{ arbitrary: fc.Arbitrary<Mutation>; weight: number }> = []
  const add = (weight: number, arbitrary: fc.Arbitrary<Mutation>) => options.push({ arbitrary, weight })
  if (Option.isSome(endpoint.payloadSchema) && template.payload !== undefined) {
    const nodes = walk(template.payload as Json)
    const strings = nodes.filter((n) => typeof n.value === "string")
    const keyed = nodes.filter((n) => typeof n.at[n.at.length - 1] === "string")
    const numbers = nodes.filter((n) => typeof n.value === "number")
    const nationalIds = nodes.filter((n) => lastKey(n.at) === "nationalId")
    const phones = nodes.filter((n) => lastKey(n.at) === "phone")
    const dates = nodes.filter((n) => isDateLike(n.value))
    const references = nodes.filter((n) => typeof n.value === "string" && isReference(n.at))
    const arrays = nodes.filter((n) => Array.isArray(n.value) && (n.value as Array<Json>).length > 0)
    if (nodes.length > 0) {
      add(
        6,
        fc.tuple(pick(nodes), pick(wrongValues)).filter(([n, v]) => typeOf(n.value) !== typeOf(v)).map((
          [n, value]
        ) => ({ kind: "payload.wrongType", at: n.at, value }))
      )
    }
    if (keyed.length > 0) add(4, pick(keyed).map((n) => ({ kind: "payload.missing", at: n.at })))
    if (strings.length > 0) {
      add(
        4,
        fc.tuple(pick(strings), fc.integer({ min: 10_000, max: 400_000 }), pick(units)).map(([n, size, unit]) => ({
          kind: "payload.hugeString",
          at: n.at,
          size,
          unit
        }))
      )
    }
    if (nationalIds.length > 0) {
      add(
        3,
        fc.tuple(pick(nationalIds), pick(badNationalIds)).map(([n, value]) => ({
          kind: "payload.nationalId",
          at: n.at,
          value
        }))
      )
    }
    if (phones.length > 0) {
      add(2, fc.tuple(pick(phones), pick(badPhones)).map(([n, value]) => ({ kind: "payload.phone", at: n.at, value })))
    }
    if (dates.length > 0) {
      add(3, fc.tuple(pick(dates), pick(badDates)).map(([n, value]) => ({ kind: "payload.date", at: n.at, value })))
    }
    if (numbers.length > 0) {
      add(
        2,
        fc.tuple(pick(numbers), pick(badNumbers)).map(([n, value]) => ({ kind: "payload.number", at: n.at, value }))
      )
    }
    if (references.length > 0) {
      add(
        4,
        fc.tuple(pick(references), fc.integer({ min: 1, max: 1e6 })).map(([n, i]) => ({
          kind: "payload.unknownId",
          at: n.at,
          value: `zz-unknown-${i}`
        }))
      )
    }
    if (arrays.length > 0) {
      add(
        1,
        fc.tuple(pick(arrays), fc.integer({ min: 501, max: 1500 })).map(([n, length]) => ({
          kind: "payload.longArray",
          at: n.at,
          length
        }))
      )
    }
    add(
      1,
      pick<Json>([null, 1, "s", [], true, [template.payload as Json]]).map((value) => ({ kind: "payload.root", value }))
    )
    add(
      3,
      fc.tuple(pick(brokenJsonVariants), fc.nat()).map(([variant, position]) => ({
        kind: "body.brokenJson",
        variant,
        position
      }))
    )
    add(1, fc.constant({ kind: "body.empty" }))
    add(2, pick(contentTypes).map((contentType) => ({ kind: "body.contentType", contentType })))
    add(
      2,
      fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 2_000_000 })).map(([chunked, extra]) => ({
        kind: "body.oversized",
        chunked,
        extra
      }))
    )
  }
  const pathKeys = Object.keys(template.path ?? {})
  if (pathKeys.length > 0) {
    if (endpoint.method !== "PUT") {
      add(
        3,
        fc.tuple(pick(pathKeys), fc.integer({ min: 1, max: 1e6 })).map(([key, i]) => ({
          kind: "path.unknownId",
          key,
          value: `zz-unknown-${i}`
        }))
      )
    }
    add(3, fc.tuple(pick(pathKeys), pick(badPathValues)).map(([key, value]) => ({ kind: "path.invalid", key, value })))
  }
  if (Option.isSome(endpoint.urlParamsSchema)) {
    const keys = Object.keys(template.urlParams ?? {})
    if (keys.length > 0) {
      add(3, fc.tuple(pick(keys), pick(badQueryValues)).map(([key, value]) => ({ kind: "query.invalid", key, value })))
      add(1, pick(keys).map((key) => ({ kind: "query.duplicate", key })))
    }
  }
  if (endpoint.authenticated) add(3, fc.constant({ kind: "auth.bad" }))
  const taken = new Set(endpoints.filter((e) => e.path === endpoint.path).map((e) => e.method))
  const others = methods.filter((m) => !taken.has(m))
  if (others.length > 0) add(1, pick(others).map((method) => ({ kind: "method.wrong", method })))
  return fc.oneof(...options)
}

/** Cases over every endpoint, uniformly. */
export const caseArb = (templates: ReadonlyMap<string, Parts>): fc.Arbitrary<Case> =>
  fc.constantFrom(...endpoints).chain((endpoint) =>
    mutationArb(endpoint, templates.get(endpoint.key)!).chain((mutation) =>
      (mutation.kind === "auth.bad"
        ? pick(badCredentials).map((variant): Credential => ({ kind: "bad", variant }))
        : credentialArb).map((credential) => ({ endpoint, credential, mutation }))
    )
  )

// -----------------------------------------------------------------------------
// Making requests
// -----------------------------------------------------------------------------

const hugeString = (size: number, unit: string) => (unit === "\\u0000" ? "\u0000" : unit).repeat(size)

const breakJson = (json: string, variant: string, position: number): string => {
  const p = 1 + (position % Math.max(1, json.length - 1))
  switch (variant) {
    case "truncate":
      return json.slice(0, p)
    case "insert":
      return json.slice(0, p) + "{\"" + json.slice(p)
    case "bom":
      return "\uFEFF" + json
    case "trailing":
      return json + ",}"
    case "concat":
      return json + json
    case "single-quotes":
      return json.replaceAll("\"", "'")
    case "comment":
      return "/* fz */" + json
    default:
      return json.replace(/:(\s*)(-?\d|true|false|null|"|\[|\{)/, ":NaN,$2")
  }
}

const parses = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const authorization = (credential: Credential, tokens: Tokens): string | undefined => {
  if (credential.kind === "role") return `Bearer ${tokens.valid[credential.who]}`
  switch (credential.variant) {
    case "none":
      return undefined
    case "empty":
      return "Bearer "
    case "basic":
      return `Basic ${Buffer.from("admin:admin").toString("base64")}`
    case "garbage":
      return "Bearer mq_nope_" + "x".repeat(43)
    case "expired":
      return `Bearer ${tokens.expired}`
    case "revoked":
      return `Bearer ${tokens.revoked}`
    case "inactive":
      return `Bearer ${tokens.inactive}`
    case "tampered": {
      const t = tokens.valid.admin
      return `Bearer ${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`
    }
  }
}

/** Why this case is not malformed after all (the schema accepts it), or `undefined`. */
const schemaAccepts = (endpoint: Endpoint, parts: Parts): boolean => decodeProblem(endpoint, parts) === undefined

/**
 * The request of a case, and what must come back; `undefined` when the mutation turned
 * out not to break the request (the endpoint's schema accepts it), so the case is discarded.
 */
export const prepare = (c: Case, template: Parts, tokens: Tokens, maxBodyBytes: number): Prepared | undefined => {
  const { endpoint, mutation } = c
  let parts: Parts = template
  let method = endpoint.method
  let contentType: string | undefined = template.payload === undefined ? undefined : "application/json"
  let body: string | undefined = template.payload === undefined ? undefined : JSON.stringify(template.payload)
  let chunked = false
  let query: Record<string, string | ReadonlyArray<string>> | undefined = template.urlParams
  let expect: Expectation = { kind: "4xx" }
  const perItem = (at: Path): Expectation =>
    endpoint.key === "sync.push" && at[0] === "visits" && typeof at[1] === "number"
      ? { kind: "refusedItem", index: at[1] }
      : { kind: "4xx" }
  const withPayload = (payload: Json) => {
    parts = { ...parts, payload }
    body = JSON.stringify(payload)
  }
  const payload = template.payload as Json
  const isAdmin = c.credential.kind === "role" && c.credential.who === "admin"
  switch (mutation.kind) {
    case "payload.wrongType":
    case "payload.nationalId":
    case "payload.phone":
    case "payload.date":
    case "payload.number":
      withPayload(setAt(payload, mutation.at, mutation.value))
      if (schemaAccepts(endpoint, parts)) return undefined
      expect = perItem(mutation.at)
      if (expect.kind === "4xx" && isAdmin) expect = { kind: "4xx", status: 400, problemAt: mutation.at }
      break
    case "payload.missing":
      withPayload(setAt(payload, mutation.at, undefined))
      if (schemaAccepts(endpoint, parts)) return undefined
      expect = perItem(mutation.at)
      if (expect.kind === "4xx" && isAdmin) expect = { kind: "4xx", status: 400, problemAt: mutation.at }
      break
    case "payload.hugeString":
      // Refused whatever the field: no field of the model is meant to hold 10,000 characters.
      withPayload(setAt(payload, mutation.at, hugeString(mutation.size, mutation.unit)))
      expect = perItem(mutation.at)
      break
    case "payload.unknownId":
      withPayload(setAt(payload, mutation.at, mutation.value))
      expect = perItem(mutation.at)
      break
    case "payload.longArray": {
      const items = walk(payload).find((n) => JSON.stringify(n.at) === JSON.stringify(mutation.at))!.value as Array<
        Json
      >
      withPayload(
        setAt(payload, mutation.at, Array.from({ length: mutation.length }, (_, i) => items[i % items.length]))
      )
      if (schemaAccepts(endpoint, parts)) return undefined
      expect = perItem(mutation.at)
      break
    }
    case "payload.root":
      withPayload(mutation.value)
      if (schemaAccepts(endpoint, parts)) return undefined
      if (isAdmin) expect = { kind: "4xx", status: 400 }
      break
    case "body.brokenJson":
      body = breakJson(body!, mutation.variant, mutation.position)
      if (parses(body)) return undefined
      if (isAdmin) expect = { kind: "4xx", status: 400 }
      break
    case "body.empty":
      body = ""
      if (isAdmin) expect = { kind: "4xx", status: 400 }
      break
    case "body.contentType":
      contentType = mutation.contentType
      break
    case "body.oversized": {
      const padding = "x".repeat(maxBodyBytes + mutation.extra - body!.length)
      body = JSON.stringify({ ...(payload as object), fzPadding: padding })
      chunked = mutation.chunked
      expect = { kind: "4xx", status: 413 }
      break
    }
    case "path.unknownId":
      parts = { ...parts, path: { ...parts.path, [mutation.key]: mutation.value } }
      break
    case "path.invalid":
      parts = { ...parts, path: { ...parts.path, [mutation.key]: mutation.value } }
      if (schemaAccepts(endpoint, parts)) return undefined
      break
    case "query.invalid":
      query = { ...query, [mutation.key]: mutation.value }
      if (schemaAccepts(endpoint, { ...parts, urlParams: query as Record<string, string> })) return undefined
      if (isAdmin) expect = { kind: "4xx", status: 400, problemAt: [mutation.key] }
      break
    case "query.duplicate": {
      const value = template.urlParams![mutation.key]
      query = { ...query, [mutation.key]: [value, value] }
      if (schemaAccepts(endpoint, { ...parts, urlParams: query as any })) return undefined
      break
    }
    case "auth.bad":
      expect = { kind: "4xx", status: 401 }
      break
    case "method.wrong":
      method = mutation.method
      body = undefined
      contentType = undefined
      break
  }
  if (method === "GET" || method === "HEAD") {
    body = undefined
    contentType = undefined
  }
  const credentialLabel = c.credential.kind === "role" ? c.credential.who : `bad:${c.credential.variant}`
  return {
    request: {
      method,
      path: fillPath(endpoint.path, parts.path) + queryString(query),
      authorization: authorization(c.credential, tokens),
      contentType,
      body,
      chunked
    },
    expect,
    label: `${endpoint.key} ${mutation.kind}${
      "at" in mutation
        ? ` at ${mutation.at.join(".")}`
        : "key" in mutation
        ? ` ${mutation.key}`
        : mutation.kind === "body.oversized"
        ? (mutation.chunked ? " chunked" : " with-length")
        : mutation.kind === "body.contentType"
        ? ` ${mutation.contentType.split(";")[0]}`
        : ""
    } as ${credentialLabel}`
  }
}

/**
 * The corner cases, every one of them rather than a sample: each bad credential on each
 * authenticated endpoint, each wrong content type, each way of breaking JSON, an empty and
 * an oversized body (with and without `Content-Length`) on each endpoint with a body, each
 * reference of each body replaced by an unknown id, each path id unknown, each wrong method.
 */
export const cornerCases = (templates: ReadonlyMap<string, Parts>): ReadonlyArray<Case> => {
  const out: Array<Case> = []
  const admin: Credential = { kind: "role", who: "admin" }
  for (const endpoint of endpoints) {
    const template = templates.get(endpoint.key)!
    const add = (mutation: Mutation, credential: Credential = admin) => out.push({ endpoint, credential, mutation })
    if (endpoint.authenticated) {
      for (const variant of badCredentials) add({ kind: "auth.bad" }, { kind: "bad", variant })
    }
    if (Option.isSome(endpoint.payloadSchema) && template.payload !== undefined) {
      for (const contentType of contentTypes) add({ kind: "body.contentType", contentType })
      brokenJsonVariants.forEach((variant, i) => add({ kind: "body.brokenJson", variant, position: 7 * i + 3 }))
      add({ kind: "body.empty" })
      add({ kind: "body.oversized", chunked: false, extra: 1 })
      add({ kind: "body.oversized", chunked: true, extra: 1 })
      walk(template.payload as Json).filter((n) => typeof n.value === "string" && isReference(n.at)).forEach((n, i) =>
        add({ kind: "payload.unknownId", at: n.at, value: `zz-unknown-${i}` })
      )
    }
    if (endpoint.method !== "PUT") {
      for (const key of Object.keys(template.path ?? {})) add({ kind: "path.unknownId", key, value: "zz-unknown" })
    }
    const taken = new Set(endpoints.filter((e) => e.path === endpoint.path).map((e) => e.method))
    for (const method of methods.filter((m) => !taken.has(m))) add({ kind: "method.wrong", method })
  }
  return out
}
