/**
 * The store-independent check of a write batch. Every `Store` implementation runs a batch
 * through {@link check} before writing anything, so the in-memory store and the SQL
 * adapters accept, refuse and flag exactly the same batches with the same problems.
 *
 * The check re-validates every fact with its Schema (facts may have been built without
 * validation), resolves references against the stored state (through a {@link Lookup} the
 * store provides) and against earlier items of the batch, enforces the actor's role and
 * place scope, checks dates against "now", refuses duplicate national IDs, flags likely
 * duplicate residents, and decides what happens to each item: `created`, `updated`,
 * `unchanged` or (for a visit uploaded again) `replayed`. It reports every problem of every
 * item at once, or returns a {@link Plan} the store then applies all-or-nothing.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Access from "./Access.js"
import type { Settings } from "./Deployment.js"
import * as Fact from "./Fact.js"
import type { Household } from "./Household.js"
import type { PlaceId, ResidentId } from "./Ids.js"
import * as FastCodec from "./internal/fastCodec.js"
import * as LocalDate from "./LocalDate.js"
import { maskNationalId } from "./PersonalData.js"
import * as Place from "./Place.js"
import * as Problem from "./Problem.js"
import type { Resident } from "./Resident.js"
import { LikelyDuplicate, Receipt } from "./Store.js"
import type { Visit } from "./Visit.js"

/**
 * How far in the future a visit's `at` may be (device clocks drift): 10 minutes.
 *
 * @since 0.1.0
 * @category constants
 */
export const VISIT_CLOCK_SKEW_MILLIS = 10 * 60 * 1000

/**
 * A resident's name and birth date: the key of likely duplicates.
 *
 * @since 0.1.0
 * @category models
 */
export interface NameAndBirthDate {
  readonly name: string
  readonly birthDate: LocalDate.LocalDate
}

/**
 * Read access to the stored state that the check needs, implemented by each store. Every
 * function answers for a whole batch of keys at once (one query each in SQL), reads the
 * **current** version of each record, and ignores the actor's scope (the check applies the
 * scope itself). Missing ids are simply absent from the answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lookup {
  /** The current stored facts of one kind with these ids. */
  readonly byId: <T extends Fact.Tag>(
    tag: T,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, Fact.Of<T>>, Problem.StoreError>
  /** The stored residents holding any of these national ID numbers. */
  readonly residentsByNationalId: (
    nationalIds: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<Resident>, Problem.StoreError>
  /** The stored residents with any of these (exact) name and birth date pairs, in any village. */
  readonly residentsByNameAndBirthDate: (
    keys: ReadonlyArray<NameAndBirthDate>
  ) => Effect.Effect<ReadonlyArray<Resident>, Problem.StoreError>
}

/**
 * What to check.
 *
 * @since 0.1.0
 * @category models
 */
export interface Input {
  readonly actor: Access.Actor
  /** The batch, in the caller's order. Items may have been built without validation. */
  readonly facts: ReadonlyArray<Fact.Fact>
  /** The deployment's zone (for "today") and place levels. */
  readonly settings: Settings
  /** The current instant, epoch milliseconds, from Effect's `Clock`. */
  readonly now: number
  readonly lookup: Lookup
}

/**
 * What will happen to one item.
 *
 * @since 0.1.0
 * @category models
 */
export type Status = Receipt["status"]

/**
 * One checked item of a batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface Item {
  /** Position in the batch. */
  readonly index: number
  readonly tag: Fact.Tag
  readonly id: string
  /** The fact, validated and normalised (decoded from its encoded form). */
  readonly fact: Fact.Fact
  /** The fact encoded with its Schema: plain JSON-safe data, what a store persists. */
  readonly encoded: unknown
  /** `encoded` as canonical JSON (sorted keys): equal strings mean equal content. */
  readonly json: string
  readonly status: Status
  /** The version this item replaces or repeats (stored, or earlier in the batch). */
  readonly before?: { readonly fact: Fact.Fact; readonly encoded: unknown; readonly json: string }
  /**
   * The place the item hangs from in the tree: itself for a place, the first grid for a
   * liaison, the grid of the household for households and everything recorded at one, the
   * scope for a campaign.
   */
  readonly anchor: PlaceId
  /** Every place the item hangs from (a liaison owning several grids has several). */
  readonly anchors: ReadonlyArray<PlaceId>
  /** Raised for review; the write still succeeds. */
  readonly flags: ReadonlyArray<LikelyDuplicate>
}

/**
 * The outcome of a successful check.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  /** Every item of the batch, in batch order. */
  readonly items: ReadonlyArray<Item>
  /** The items to persist (`created` and `updated`), in batch order: one new version and one audit entry each. */
  readonly writes: ReadonlyArray<Item>
  /** What `Store.write` returns. */
  readonly receipts: ReadonlyArray<Receipt>
}

/**
 * JSON with object keys sorted, so two encodings of the same content give the same string.
 *
 * @since 0.1.0
 * @category utils
 */
export const canonical = (value: unknown): string => JSON.stringify(sortKeys(value))

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

/**
 * Encodes a fact with its Schema (plain JSON-safe data).
 *
 * @since 0.1.0
 * @category utils
 */
export const encode: (fact: Fact.Fact) => unknown = Schema.encodeSync(Fact.Fact)

/**
 * Decodes a fact a store persisted with {@link encode}.
 *
 * @since 0.1.0
 * @category utils
 */
export const decode = (encoded: unknown): Fact.Fact => fastDecode?.(encoded)?.value ?? decodeSlow(encoded)

const decodeSlow = Schema.decodeUnknownSync(Fact.Fact)
const fastDecode = FastCodec.decoder(Fact.Fact)
const fastEncode = FastCodec.encoder(Fact.Fact)

/**
 * `schema`, decoding faster: an input it accepts is decoded by the walk compiled from its own
 * AST that the write check uses (no issue bookkeeping, several times faster on a batch of
 * facts), and any other input goes through Effect's parser, which refuses and reports exactly
 * as `schema` does (parse options annotated on the result apply there). Encoding, and a JSON
 * Schema or OpenAPI document made from it, are `schema`'s. For an HTTP payload of many facts.
 *
 * @example
 * ```ts
 * import { Visit, WriteCheck } from "@minqing/core"
 * import { Schema } from "effect"
 *
 * const Batch = WriteCheck.fastDecoding(Schema.Struct({ visits: Schema.Array(Visit.Visit) }))
 * const decode = Schema.decodeUnknownEither(Batch) // same results as with the plain struct
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const fastDecoding = <A, I>(schema: Schema.Schema<A, I, never>): Schema.Schema<A, I, never> => {
  const fast = FastCodec.decoder(schema)
  if (fast === undefined) return schema
  return Schema.declare([schema], {
    decode: (full) => {
      const slow = ParseResult.decodeUnknown(full)
      // Derived schemas (`Schema.typeSchema` of this one) hand over another type parameter.
      if (full.ast !== schema.ast) return slow
      return (input, options) => {
        const decoded = fast(input)
        return decoded === undefined ? slow(input, options) : ParseResult.succeed(decoded.value)
      }
    },
    encode: (full) => ParseResult.encodeUnknown(full)
  }, { [AST.SurrogateAnnotationId]: schema.ast })
}

/**
 * The household a fact is recorded at, for the kinds that have one.
 *
 * @since 0.1.0
 * @category getters
 */
export const householdIdOf = (fact: Fact.Fact): string | undefined => {
  switch (fact._tag) {
    case "Resident":
    case "Visit":
    case "ArrivalReport":
    case "Matter":
      return fact.householdId
    default:
      return undefined
  }
}

/**
 * The places a fact hangs from (see {@link Item.anchors}); empty when its household is
 * unknown. Scope is decided by these: a fact is within a subtree when an anchor is.
 * Household-bound facts follow their household, so pass the household's version that fits
 * the read (current, or as of a date).
 *
 * @since 0.1.0
 * @category getters
 */
export const anchorsOf = (
  fact: Fact.Fact,
  householdOf: (id: string) => Household | undefined
): ReadonlyArray<PlaceId> => {
  switch (fact._tag) {
    case "Place":
      return [fact.id]
    case "Liaison":
      return fact.gridIds
    case "Household":
      return [fact.gridId]
    case "Campaign":
      return [fact.scopeId]
    default: {
      const household = householdOf(fact.householdId)
      return household === undefined ? [] : [household.gridId]
    }
  }
}

/**
 * Whether a place of this level can hold households and be owned by liaisons: the `grid`
 * level or below it (or the lowest level when a deployment has no `grid`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isGridLevel = (level: string, levels: ReadonlyArray<string>): boolean => {
  const grid = levels.indexOf("grid")
  const index = levels.indexOf(level)
  return grid < 0 ? index === levels.length - 1 && index >= 0 : index >= grid
}

/**
 * The village a place belongs to: its ancestor of level `village` (or, when the deployment
 * has no such level, the place's parent), given the place's ancestry nearest first.
 *
 * @since 0.1.0
 * @category getters
 */
export const villageOf = (
  ancestry: ReadonlyArray<PlaceId>,
  placeOf: (id: PlaceId) => Place.Place | undefined,
  levels: ReadonlyArray<string>
): PlaceId | undefined => {
  if (levels.includes("village")) return ancestry.find((id) => placeOf(id)?.level === "village")
  return ancestry[1] ?? ancestry[0]
}

const what: { readonly [T in Fact.Tag]: string } = {
  Place: "place",
  Liaison: "liaison",
  Household: "household",
  Resident: "resident",
  Visit: "visit",
  ArrivalReport: "arrival report",
  Matter: "matter",
  Campaign: "campaign"
}

// The records an observation names, with the field that names them (a callback: no array per observation).
const eachObservationRef = (
  o: Visit["observations"][number],
  f: (tag: Fact.Tag, key: string, id: string) => void
): void => {
  switch (o._tag) {
    case "health-check":
      if (o.residentId !== undefined) f("Resident", "residentId", o.residentId)
      if (o.arrivalId !== undefined) f("ArrivalReport", "arrivalId", o.arrivalId)
      return
    case "vaccination-check":
    case "elderly-wellbeing":
      return f("Resident", "residentId", o.residentId)
    case "decoction":
    case "publicity":
      return f("Campaign", "campaignId", o.campaignId)
    case "matter":
      return f("Matter", "matterId", o.matterId)
    case "arrival-seen":
      return f("ArrivalReport", "arrivalId", o.arrivalId)
  }
}

type Known = { [T in Fact.Tag]: Map<string, Fact.Of<T> | null> }

const emptyKnown = (): Known => ({
  Place: new Map(),
  Liaison: new Map(),
  Household: new Map(),
  Resident: new Map(),
  Visit: new Map(),
  ArrivalReport: new Map(),
  Matter: new Map(),
  Campaign: new Map()
})

type Overlay = { [T in Fact.Tag]: Map<string, { readonly fact: Fact.Of<T>; readonly index: number }> }

const emptyOverlay = (): Overlay => ({
  Place: new Map(),
  Liaison: new Map(),
  Household: new Map(),
  Resident: new Map(),
  Visit: new Map(),
  ArrivalReport: new Map(),
  Matter: new Map(),
  Campaign: new Map()
})

interface Decoded {
  readonly index: number
  readonly fact: Fact.Fact
  readonly encoded: unknown
  readonly json: string
}

const looseKey = (item: unknown): string | undefined => {
  if (item === null || typeof item !== "object") return undefined
  const tag = (item as { readonly _tag?: unknown })._tag
  const id = (item as { readonly id?: unknown }).id
  return typeof tag === "string" && typeof id === "string" ? `${tag}\u0000${id}` : undefined
}

/**
 * Checks a batch. Fails with `Rejected` listing every problem of every item (each with its
 * `index` and field `path`), or returns the {@link Plan} to apply. Reads through the
 * lookup only; writes nothing.
 *
 * Problems, by code:
 * - `invalid`: a field fails its Schema; a date in the future (birth date or dose after
 *   today, a visit more than 10 minutes ahead); a place at the wrong level; a household or
 *   liaison on a place that is not a grid.
 * - `not-found`: a reference to a record neither stored nor earlier in the batch, including
 *   the resident, arrival, campaign or matter a visit's observation names.
 * - `duplicate-national-id`: the national ID already belongs to another resident (stored,
 *   or earlier in the batch); `existing` names that resident.
 * - `conflict`: a visit id already used for a visit with different content.
 * - `out-of-scope`: the item (or the stored version it replaces) hangs from a place outside
 *   the actor's subtrees.
 * - `not-allowed`: the actor's role may not write this kind of fact.
 *
 * @example
 * ```ts
 * import { Clock, Effect } from "effect"
 * import { Deployment, WriteCheck } from "@minqing/core"
 *
 * const write = (actor, facts, lookup) =>
 *   Effect.gen(function*() {
 *     const settings = yield* Deployment.Deployment
 *     const now = yield* Clock.currentTimeMillis
 *     const plan = yield* WriteCheck.check({ actor, facts, settings, now, lookup })
 *     // persist plan.writes in one transaction, then:
 *     return plan.receipts
 *   })
 * ```
 *
 * @since 0.1.0
 * @category checking
 */
export const check = (input: Input): Effect.Effect<Plan, Problem.Rejected | Problem.StoreError> =>
  Effect.gen(function*() {
    const { actor, lookup, now, settings } = input
    const levels = settings.levels
    const today = settings.zone.dateOf(now)
    const problems: Array<Problem.Problem> = []

    // 1. Schema: encode (which validates the type side) then decode, to get normalised instances.
    // A fact the fast encoder accepts is valid and already normalised; any other runs through
    // Effect's parser, which reports every problem.
    const loose = new Set<string>()
    const decoded: Array<Decoded> = []
    input.facts.forEach((item, index) => {
      const fast = fastEncode?.(item)
      if (fast !== undefined) {
        decoded.push({ index, fact: item, encoded: fast.encoded, json: fast.json })
        return
      }
      const encoded = Schema.encodeUnknownEither(Fact.Fact)(item, { errors: "all" })
      if (Either.isLeft(encoded)) {
        problems.push(...Problem.fromParseError(encoded.left, index))
        const key = looseKey(item)
        if (key !== undefined) loose.add(key)
        return
      }
      const fact = Schema.decodeUnknownEither(Fact.Fact)(encoded.right, { errors: "all" })
      if (Either.isLeft(fact)) {
        problems.push(...Problem.fromParseError(fact.left, index))
        const key = looseKey(item)
        if (key !== undefined) loose.add(key)
        return
      }
      decoded.push({ index, fact: fact.right, encoded: encoded.right, json: canonical(encoded.right) })
    })

    // 2. Fetch the stored records the batch touches, in a few batched rounds.
    const known = emptyKnown()
    const wanted = emptyKnownSets()
    const ensure = Effect.gen(function*() {
      for (const tag of Fact.tags) {
        const ids = [...wanted[tag]].filter((id) => !known[tag].has(id))
        wanted[tag].clear()
        if (ids.length === 0) continue
        const found = yield* lookup.byId(tag, ids)
        const map = known[tag] as Map<string, Fact.Fact | null>
        for (const id of ids) map.set(id, found.get(id) ?? null)
      }
    })
    const want = (tag: Fact.Tag, id: string | undefined) => {
      if (id !== undefined && !known[tag].has(id)) wanted[tag].add(id)
    }
    const wantObserved = (tag: Fact.Tag, _key: string, id: string) => want(tag, id)
    const wantRefs = (f: Fact.Fact) => {
      switch (f._tag) {
        case "Place":
          want("Place", f.parentId)
          break
        case "Liaison":
          for (const g of f.gridIds) want("Place", g)
          break
        case "Household":
          want("Place", f.gridId)
          break
        case "Resident":
          want("Household", f.householdId)
          break
        case "Visit":
          want("Household", f.householdId)
          want("Liaison", f.liaisonId)
          for (const o of f.observations) eachObservationRef(o, wantObserved)
          break
        case "ArrivalReport":
          want("Household", f.householdId)
          if (f.person._tag === "KnownResident") want("Resident", f.person.residentId)
          break
        case "Matter":
          want("Household", f.householdId)
          want("Resident", f.residentId)
          want("Liaison", f.raisedBy)
          break
        case "Campaign":
          want("Place", f.scopeId)
          break
      }
    }
    for (const d of decoded) {
      want(d.fact._tag, d.fact.id)
      wantRefs(d.fact)
    }
    yield* ensure

    const nationalIds = new Set<string>()
    const nameKeys = new Map<string, NameAndBirthDate>()
    for (const d of decoded) {
      if (d.fact._tag !== "Resident") continue
      if (d.fact.nationalId !== undefined) nationalIds.add(d.fact.nationalId)
      nameKeys.set(nameKey(d.fact), { name: d.fact.name, birthDate: d.fact.birthDate })
    }
    const holders = nationalIds.size > 0 ? yield* lookup.residentsByNationalId([...nationalIds]) : []
    const namesakes = nameKeys.size > 0 ? yield* lookup.residentsByNameAndBirthDate([...nameKeys.values()]) : []
    for (const r of [...holders, ...namesakes]) {
      if (!known.Resident.has(r.id)) known.Resident.set(r.id, r)
    }

    // Households of stored versions and of candidates, then every place up to the roots.
    for (const tag of Fact.tags) {
      for (const f of known[tag].values()) if (f !== null) wantRefs(f)
    }
    for (const d of decoded) wantRefs(d.fact)
    yield* ensure
    const wantPlacesOf = (f: Fact.Fact | null) => {
      if (f === null) return
      switch (f._tag) {
        case "Place":
          want("Place", f.id)
          want("Place", f.parentId)
          break
        case "Liaison":
          for (const g of f.gridIds) want("Place", g)
          break
        case "Household":
          want("Place", f.gridId)
          break
        case "Campaign":
          want("Place", f.scopeId)
          break
        default:
          break
      }
    }
    for (const tag of Fact.tags) for (const f of known[tag].values()) wantPlacesOf(f)
    for (const d of decoded) wantPlacesOf(d.fact)
    for (const root of actor.scope) want("Place", root)
    for (let round = 0; round < 64 && wanted.Place.size > 0; round++) {
      yield* ensure
      for (const p of known.Place.values()) if (p !== null) want("Place", p.parentId)
    }

    // 3. One pass in batch order over the stored state overlaid with the earlier items.
    const overlay = emptyOverlay()
    // The last item of the batch with a key (built when a resident first asks).
    let lastOf: Map<string, Decoded> | undefined
    const finalOf = <T extends Fact.Tag>(tag: T, id: string): Fact.Of<T> | undefined => {
      if (lastOf === undefined) {
        lastOf = new Map()
        for (const d of decoded) lastOf.set(`${d.fact._tag}\u0000${d.fact.id}`, d)
      }
      return lastOf.get(`${tag}\u0000${id}`)?.fact as Fact.Of<T> | undefined
    }
    const group = <A>(xs: Iterable<A>, key: (a: A) => string | undefined): Map<string, Array<A>> => {
      const out = new Map<string, Array<A>>()
      for (const x of xs) {
        const k = key(x)
        if (k === undefined) continue
        let list = out.get(k)
        if (!list) out.set(k, list = [])
        list.push(x)
      }
      return out
    }
    const batchByNationalId = group(decoded, (d) => d.fact._tag === "Resident" ? d.fact.nationalId : undefined)
    const holdersByNationalId = group(holders, (r) => r.nationalId)
    const namesakesByKey = group(namesakes, nameKey)
    const overlayByName = new Map<string, Map<string, Resident>>()
    const stored = <T extends Fact.Tag>(tag: T, id: string): Fact.Of<T> | undefined =>
      (known[tag] as Map<string, Fact.Of<T> | null>).get(id) ?? undefined
    const current = <T extends Fact.Tag>(tag: T, id: string): Fact.Of<T> | undefined =>
      (overlay[tag] as Map<string, { readonly fact: Fact.Of<T> }>).get(id)?.fact ?? stored(tag, id)
    const exists = (tag: Fact.Tag, id: string) => current(tag, id) !== undefined || loose.has(`${tag}\u0000${id}`)

    const placeOf = (id: PlaceId) => current("Place", id)
    const ancestryCache = new Map<PlaceId, Array<PlaceId>>()
    const ancestry = (id: PlaceId): Array<PlaceId> => {
      const cached = ancestryCache.get(id)
      if (cached !== undefined) return cached
      const out: Array<PlaceId> = []
      const seen = new Set<PlaceId>()
      for (let p = placeOf(id); p !== undefined && !seen.has(p.id); p = p.parentId ? placeOf(p.parentId) : undefined) {
        seen.add(p.id)
        out.push(p.id)
      }
      ancestryCache.set(id, out)
      return out
    }
    const inScopeCache = new Map<PlaceId, boolean>()
    const inScope = (id: PlaceId) => {
      let within = inScopeCache.get(id)
      if (within === undefined) {
        const chain = ancestry(id)
        within = actor.scope.some((root) => chain.includes(root))
        inScopeCache.set(id, within)
      }
      return within
    }
    // Whether a stored fact an observation names is within reach: its anchors in scope
    // (`anchorsOf` without the array, for the kinds recorded at a household).
    const reachableRecord = (named: Fact.Fact): boolean => {
      const householdId = householdIdOf(named)
      if (householdId === undefined) {
        return anchorsOf(named, householdAt).every((a) => placeOf(a) === undefined || inScope(a))
      }
      const household = householdAt(householdId)
      return household === undefined || placeOf(household.gridId) === undefined || inScope(household.gridId)
    }
    const scopeText = actor.scope.length === 0 ? "no places" : actor.scope.join(", ")
    const householdAt = (id: string) => current("Household", id)
    const villageOfGrid = (gridId: PlaceId) => villageOf(ancestry(gridId), placeOf, levels)
    const villageOfResident = (r: Resident) => {
      const h = householdAt(r.householdId)
      return h === undefined ? undefined : villageOfGrid(h.gridId)
    }

    // The item being checked; `add`, `ref` and `gridRef` report for it.
    let index = 0
    const add = (
      code: Problem.Code,
      path: ReadonlyArray<string | number>,
      message: string,
      existing?: string
    ) =>
      problems.push(Problem.make(code, message, existing === undefined ? { index, path } : { index, path, existing }))
    const ref = (refTag: Fact.Tag, id: string | undefined, path: ReadonlyArray<string | number>) => {
      if (id === undefined || exists(refTag, id)) return
      add("not-found", path, `${what[refTag]} "${id}" does not exist (neither stored nor earlier in this batch)`)
    }
    const gridRef = (id: PlaceId, path: ReadonlyArray<string | number>, holder: string) => {
      ref("Place", id, path)
      const p = placeOf(id)
      if (p !== undefined && !isGridLevel(p.level, levels)) {
        add("invalid", path, `place "${id}" is a ${p.level}; ${holder} belongs to a grid`)
      }
    }
    // The visit being checked, and its observation, for `checkObserved`.
    let visitedGrid: PlaceId | undefined
    let observationIndex = 0
    const checkObserved = (refTag: Fact.Tag, key: string, id: string) => {
      const named = current(refTag, id)
      if (named === undefined) {
        ref(refTag, id, ["observations", observationIndex, key])
        return
      }
      const reachable = named._tag === "Campaign"
        ? inScope(named.scopeId) || (visitedGrid !== undefined && ancestry(visitedGrid).includes(named.scopeId))
        : reachableRecord(named)
      if (!reachable) {
        add(
          "out-of-scope",
          ["observations", observationIndex, key],
          `${what[refTag]} "${id}" is outside your scope (${scopeText})`
        )
      }
    }
    const noFlags: ReadonlyArray<LikelyDuplicate> = []

    const items: Array<Item> = []
    for (const d of decoded) {
      const f = d.fact
      index = d.index
      const tag = f._tag

      if (!Access.canWrite(actor.role, tag)) {
        add("not-allowed", [], `the ${actor.role} role may not write ${what[tag]}s`)
      }

      // References and the tree.
      switch (f._tag) {
        case "Place": {
          const parent = f.parentId === undefined ? undefined : placeOf(f.parentId)
          if (f.parentId !== undefined) ref("Place", f.parentId, ["parentId"])
          if (f.parentId !== undefined && (f.parentId === f.id || ancestry(f.parentId).includes(f.id))) {
            add("invalid", ["parentId"], `place "${f.id}" cannot sit under itself or under one of its own children`)
          } else if (f.parentId === undefined || parent !== undefined) {
            const why = Place.levelProblem(f, parent, levels)
            if (why !== undefined) add("invalid", ["level"], why)
          }
          break
        }
        case "Liaison":
          f.gridIds.forEach((g, i) => gridRef(g, ["gridIds", i], "a liaison's area"))
          break
        case "Household":
          gridRef(f.gridId, ["gridId"], "a household")
          break
        case "Resident":
          ref("Household", f.householdId, ["householdId"])
          break
        case "Visit": {
          ref("Household", f.householdId, ["householdId"])
          ref("Liaison", f.liaisonId, ["liaisonId"])
          // What an observation names must exist and be within reach: a visit must not resolve
          // another grid's tasks or reach records the actor may not see. A campaign is within
          // reach when it covers the visited household.
          visitedGrid = householdAt(f.householdId)?.gridId
          const observations = f.observations
          for (observationIndex = 0; observationIndex < observations.length; observationIndex++) {
            eachObservationRef(observations[observationIndex], checkObserved)
          }
          break
        }
        case "ArrivalReport":
          ref("Household", f.householdId, ["householdId"])
          if (f.person._tag === "KnownResident") ref("Resident", f.person.residentId, ["person", "residentId"])
          break
        case "Matter":
          ref("Household", f.householdId, ["householdId"])
          ref("Resident", f.residentId, ["residentId"])
          ref("Liaison", f.raisedBy, ["raisedBy"])
          break
        case "Campaign":
          ref("Place", f.scopeId, ["scopeId"])
          break
      }

      // Dates.
      if (f._tag === "Resident") {
        if (f.birthDate > today) {
          add("invalid", ["birthDate"], `the birth date ${f.birthDate} is after today (${today})`)
        }
        f.doses.forEach((dose, i) => {
          if (dose.date > today) {
            add("invalid", ["doses", i, "date"], `a dose dated ${dose.date} is in the future (today is ${today})`)
          }
        })
      }
      if (f._tag === "Visit") {
        const at = f.at.epochMillis
        if (at > now + VISIT_CLOCK_SKEW_MILLIS) {
          add(
            "invalid",
            ["at"],
            `the visit is dated ${f.at.toJSON()}, more than 10 minutes after now (${
              DateTime.formatIso(DateTime.unsafeMake(now))
            }): check the device clock`
          )
        }
      }

      // Scope: the new version and the version it replaces.
      const anchors = f._tag === "Place" ? [f.id] : anchorsOf(f, householdAt)
      if (f._tag === "Place") {
        const within = actor.scope.includes(f.id) || (f.parentId !== undefined && inScope(f.parentId))
        if (!within && (f.parentId === undefined || placeOf(f.parentId) !== undefined)) {
          add(
            "out-of-scope",
            f.parentId === undefined ? ["id"] : ["parentId"],
            `place "${f.id}" would be outside your scope (${scopeText})`
          )
        }
      } else {
        for (let i = 0; i < anchors.length; i++) {
          const a = anchors[i]
          if (placeOf(a) !== undefined && !inScope(a)) {
            add(
              "out-of-scope",
              f._tag === "Liaison" ? ["gridIds", i] : anchorPathOf(f._tag),
              `${what[tag]} "${f.id}" is at place "${a}", outside your scope (${scopeText})`
            )
          }
        }
      }
      const previous = current(tag, f.id)
      if (previous !== undefined) {
        const before = previous._tag === "Place" ? [previous.id] : anchorsOf(previous, householdAt)
        const outside = before.find((a) => placeOf(a) !== undefined && !inScope(a))
        if (outside !== undefined && (f._tag !== "Place" || !actor.scope.includes(f.id))) {
          add(
            "out-of-scope",
            ["id"],
            `${what[tag]} "${f.id}" is recorded at place "${outside}", outside your scope (${scopeText})`,
            f.id
          )
        }
      }

      // Status; visits are never updated.
      const previousEntry = previous === undefined ? undefined : entryOf(previous)
      let status: Status
      if (previousEntry === undefined) status = "created"
      else if (previousEntry.json === d.json) status = tag === "Visit" ? "replayed" : "unchanged"
      else if (tag === "Visit") {
        status = "created"
        add(
          "conflict",
          ["id"],
          `visit "${f.id}" is already recorded with different content; visits are never changed: record a new visit with a new id`,
          f.id
        )
      } else status = "updated"

      // Residents: duplicate national IDs and likely duplicates.
      let flags = noFlags
      if (f._tag === "Resident") {
        if (f.nationalId !== undefined) {
          const stillHolds = (r: Resident) => {
            const latest = finalOf("Resident", r.id) ?? r
            return latest.nationalId === f.nationalId
          }
          const inBatch = (batchByNationalId.get(f.nationalId) ?? []).find((o) =>
            o.index < index && o.fact.id !== f.id && stillHolds(o.fact as Resident)
          )
          const inStore = (holdersByNationalId.get(f.nationalId) ?? []).find((r) => r.id !== f.id && stillHolds(r))
          const holder = inBatch?.fact as Resident | undefined ?? inStore
          // A holder outside the actor's scope is not named: the refusal must not reveal them.
          const holderVisible = holder !== undefined &&
            anchorsOf(holder, householdAt).every((a) => placeOf(a) === undefined || inScope(a))
          if (holder !== undefined && holderVisible) {
            add(
              "duplicate-national-id",
              ["nationalId"],
              `the national ID ${
                maskNationalId(f.nationalId)
              } already belongs to resident "${holder.id}" (${holder.name})${
                inBatch === undefined ? "" : `, earlier in this batch (#${inBatch.index})`
              }`,
              holder.id
            )
          } else if (holder !== undefined) {
            add(
              "duplicate-national-id",
              ["nationalId"],
              `the national ID ${
                maskNationalId(f.nationalId)
              } is already registered to a resident outside your scope; ask an administrator who reaches them`
            )
          }
        }
        if (status === "created" || status === "updated") {
          const village = villageOfResident(f)
          const seen = new Set<string>()
          const candidates: Array<ResidentId> = []
          const consider = (r: Resident) => {
            if (r.id === f.id || seen.has(r.id)) return
            seen.add(r.id)
            const latest = current("Resident", r.id) ?? r
            if (latest.name !== f.name || latest.birthDate !== f.birthDate) return
            if (latest.nationalId !== undefined && f.nationalId !== undefined) return
            if (village === undefined || villageOfResident(latest) !== village) return
            candidates.push(r.id)
          }
          for (const r of overlayByName.get(nameKey(f))?.values() ?? []) consider(r)
          for (const r of namesakesByKey.get(nameKey(f)) ?? []) consider(r)
          if (candidates.length > 0) {
            candidates.sort()
            flags = [
              new LikelyDuplicate({
                residentId: f.id,
                candidates,
                message: `${f.name}, born ${f.birthDate}, may be the same person as ${
                  candidates.map((c) => `"${c}"`).join(", ")
                } in the same village: review, and merge them if so`
              }, { disableValidation: true })
            ]
          }
        }
      }

      const anchor = anchors[0] ?? (f._tag === "Place" ? f.id : ("" as PlaceId))
      items.push(
        previousEntry === undefined
          ? { index, tag, id: f.id, fact: f, encoded: d.encoded, json: d.json, status, anchor, anchors, flags }
          : {
            index,
            tag,
            id: f.id,
            fact: f,
            encoded: d.encoded,
            json: d.json,
            status,
            before: previousEntry,
            anchor,
            anchors,
            flags
          }
      )
      if (f._tag === "Place") {
        ancestryCache.clear()
        inScopeCache.clear()
      }
      if (f._tag === "Resident") {
        const old = overlay.Resident.get(f.id)?.fact
        if (old !== undefined) overlayByName.get(nameKey(old))?.delete(old.id)
        let same = overlayByName.get(nameKey(f))
        if (!same) overlayByName.set(nameKey(f), same = new Map())
        same.set(f.id, f)
      }
      ;(overlay[tag] as Map<string, { readonly fact: Fact.Fact; readonly index: number }>).set(f.id, {
        fact: f,
        index
      })
    }

    if (problems.length > 0) {
      const ordered = problems
        .map((p, i) => [p, i] as const)
        .sort(([a, i], [b, j]) => (a.index ?? -1) - (b.index ?? -1) || i - j)
        .map(([p]) => p)
      return yield* new Problem.Rejected({ problems: ordered })
    }
    const writes = items.filter((i) => i.status === "created" || i.status === "updated")
    const receipts = items.map((i) =>
      new Receipt({ index: i.index, tag: i.tag, id: i.id, status: i.status, flags: i.flags }, {
        disableValidation: true
      })
    )
    return { items, writes, receipts }
  })

// Where a scope problem points for a fact's anchor (liaisons point at the grid's index).
const anchorPathOf = (tag: Exclude<Fact.Tag, "Place">): ReadonlyArray<string | number> =>
  tag === "Household"
    ? ["gridId"]
    : tag === "Campaign"
    ? ["scopeId"]
    : tag === "Liaison"
    ? ["gridIds"]
    : ["householdId"]

const emptyKnownSets = (): { [T in Fact.Tag]: Set<string> } => ({
  Place: new Set(),
  Liaison: new Set(),
  Household: new Set(),
  Resident: new Set(),
  Visit: new Set(),
  ArrivalReport: new Set(),
  Matter: new Set(),
  Campaign: new Set()
})

const nameKey = (r: NameAndBirthDate) => `${r.name}\u0000${r.birthDate}`

const entryOf = (
  previous: Fact.Fact
): { readonly fact: Fact.Fact; readonly encoded: unknown; readonly json: string } => {
  const fast = fastEncode?.(previous)
  if (fast !== undefined) return { fact: previous, ...fast }
  const encoded = encode(previous)
  return { fact: previous, encoded, json: canonical(encoded) }
}

/**
 * A {@link Lookup} over facts held in memory (the last fact with an id wins): for tests,
 * and for checking a batch against a `Facts` bundle without a store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const lookupOf = (facts: Iterable<Fact.Fact>): Lookup => {
  const byTag = new Map<Fact.Tag, Map<string, Fact.Fact>>()
  for (const f of facts) {
    let m = byTag.get(f._tag)
    if (!m) byTag.set(f._tag, m = new Map())
    m.set(f.id, f)
  }
  const residents = () => [...(byTag.get("Resident")?.values() ?? [])] as Array<Resident>
  return {
    byId: <T extends Fact.Tag>(tag: T, ids: ReadonlyArray<string>) =>
      Effect.sync(() => {
        const out = new Map<string, Fact.Of<T>>()
        const m = byTag.get(tag)
        for (const id of ids) {
          const f = m?.get(id)
          if (f !== undefined) out.set(id, f as Fact.Of<T>)
        }
        return out as ReadonlyMap<string, Fact.Of<T>>
      }),
    residentsByNationalId: (nationalIds) =>
      Effect.sync(() => {
        const wanted = new Set(nationalIds)
        return residents().filter((r) => r.nationalId !== undefined && wanted.has(r.nationalId))
      }),
    residentsByNameAndBirthDate: (keys) =>
      Effect.sync(() => {
        const wanted = new Set(keys.map(nameKey))
        return residents().filter((r) => wanted.has(nameKey(r)))
      })
  }
}
