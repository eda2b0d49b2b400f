/**
 * The in-memory implementation of the `Store` and `Accounts` ports: for tests, examples and
 * small embedded uses. It keeps every version of every record with the instant it was
 * recorded (from Effect's `Clock`), so reads "as of" a past date reproduce what was known
 * then; writes go through `WriteCheck` and are serialised, all-or-nothing.
 *
 * It passes the conformance suite in `@minqing/core/testing` (`StoreSuite`).
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Actor } from "./Access.js"
import * as Accounts from "./Accounts.js"
import { Deployment, type Settings } from "./Deployment.js"
import * as Fact from "./Fact.js"
import type { Household } from "./Household.js"
import type { PlaceId } from "./Ids.js"
import type * as LocalDate from "./LocalDate.js"
import * as Place from "./Place.js"
import * as Problem from "./Problem.js"
import type { Resident } from "./Resident.js"
import * as Store from "./Store.js"
import * as TaskState from "./TaskState.js"
import * as WriteCheck from "./WriteCheck.js"

interface Version {
  readonly seq: number
  readonly at: number
  readonly fact: Fact.Fact
}

interface Entry {
  readonly entry: Store.AuditEntry
  readonly anchors: ReadonlyArray<PlaceId>
}

type Records = { readonly [T in Fact.Tag]: Map<string, Array<Version>> }

const emptyRecords = (): Records => ({
  Place: new Map(),
  Liaison: new Map(),
  Household: new Map(),
  Resident: new Map(),
  Visit: new Map(),
  ArrivalReport: new Map(),
  Matter: new Map(),
  Campaign: new Map()
})

const nameKey = (r: { readonly name: string; readonly birthDate: string }) => `${r.name}\u0000${r.birthDate}`

const addTo = (index: Map<string, Set<string>>, key: string, id: string) => {
  let set = index.get(key)
  if (!set) index.set(key, set = new Set())
  set.add(id)
}

const removeFrom = (index: Map<string, Set<string>>, key: string, id: string) => {
  const set = index.get(key)
  if (set) {
    set.delete(id)
    if (set.size === 0) index.delete(key)
  }
}

/**
 * A read view: the version of each record current at a cutoff instant (exclusive), or now.
 */
interface View {
  readonly get: <T extends Fact.Tag>(tag: T, id: string) => Fact.Of<T> | undefined
  readonly all: <T extends Fact.Tag>(tag: T) => Iterable<Fact.Of<T>>
  readonly tree: Place.Tree
}

/**
 * What an actor may see: the roots of the subtrees both the actor and the requested scope
 * cover.
 */
interface Visibility {
  readonly roots: ReadonlyArray<PlaceId>
  readonly within: (id: PlaceId) => boolean
  readonly aboveRoot: (id: PlaceId) => boolean
  readonly sees: (fact: Fact.Fact) => boolean
}

/**
 * Makes an in-memory store and accounts over one shared state.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  { readonly store: Store.Shape; readonly accounts: Accounts.Shape },
  never,
  Deployment
> = Effect.gen(function*() {
  const settings: Settings = yield* Deployment
  const zone = settings.zone
  const lock = yield* Effect.makeSemaphore(1)

  const records = emptyRecords()
  const log: Array<{ readonly seq: number; readonly tag: Fact.Tag; readonly id: string }> = []
  const auditLog: Array<Entry> = []
  const byNationalId = new Map<string, Set<string>>()
  const byNameAndBirthDate = new Map<string, Set<string>>()
  let seq = 0

  const latest = <T extends Fact.Tag>(tag: T, id: string): Fact.Of<T> | undefined => {
    const history = records[tag].get(id)
    return history === undefined ? undefined : history[history.length - 1].fact as Fact.Of<T>
  }

  const lookup: WriteCheck.Lookup = {
    byId: <T extends Fact.Tag>(tag: T, ids: ReadonlyArray<string>) =>
      Effect.sync(() => {
        const out = new Map<string, Fact.Of<T>>()
        for (const id of ids) {
          const f = latest(tag, id)
          if (f !== undefined) out.set(id, f)
        }
        return out as ReadonlyMap<string, Fact.Of<T>>
      }),
    residentsByNationalId: (nationalIds) =>
      Effect.sync(() => {
        const out: Array<Resident> = []
        for (const n of new Set(nationalIds)) {
          for (const id of byNationalId.get(n) ?? []) out.push(latest("Resident", id)!)
        }
        return out
      }),
    residentsByNameAndBirthDate: (keys) =>
      Effect.sync(() => {
        const out: Array<Resident> = []
        for (const k of new Set(keys.map(nameKey))) {
          for (const id of byNameAndBirthDate.get(k) ?? []) out.push(latest("Resident", id)!)
        }
        return out
      })
  }

  const view = (asOf: LocalDate.LocalDate | undefined): View => {
    const cutoff = asOf === undefined ? undefined : zone.endOf(asOf)
    const versionOf = (history: Array<Version>): Fact.Fact | undefined => {
      if (cutoff === undefined) return history[history.length - 1].fact
      for (let i = history.length - 1; i >= 0; i--) if (history[i].at < cutoff) return history[i].fact
      return undefined
    }
    const get = <T extends Fact.Tag>(tag: T, id: string): Fact.Of<T> | undefined => {
      const history = records[tag].get(id)
      return history === undefined ? undefined : versionOf(history) as Fact.Of<T> | undefined
    }
    function* all<T extends Fact.Tag>(tag: T): Iterable<Fact.Of<T>> {
      for (const history of records[tag].values()) {
        const f = versionOf(history)
        if (f !== undefined) yield f as Fact.Of<T>
      }
    }
    return { get, all, tree: Place.tree(all("Place")) }
  }

  const visibility = (actor: Actor, v: View, scope: PlaceId | undefined): Visibility => {
    const roots: Array<PlaceId> = []
    for (const r of actor.scope) {
      if (v.tree.get(r) === undefined) continue
      const root = scope === undefined
        ? r
        : v.tree.isWithin(scope, r)
        ? scope
        : v.tree.isWithin(r, scope)
        ? r
        : undefined
      if (root !== undefined && !roots.includes(root)) roots.push(root)
    }
    const within = (id: PlaceId) => roots.some((r) => v.tree.isWithin(id, r))
    const aboveRoot = (id: PlaceId) => roots.some((r) => v.tree.ancestry(r).includes(id))
    const householdOf = (id: string): Household | undefined => v.get("Household", id)
    const sees = (fact: Fact.Fact): boolean => {
      switch (fact._tag) {
        case "Place":
          return within(fact.id) || aboveRoot(fact.id)
        case "Campaign":
          return within(fact.scopeId) || aboveRoot(fact.scopeId)
        default:
          return WriteCheck.anchorsOf(fact, householdOf).some(within)
      }
    }
    return { roots, within, aboveRoot, sees }
  }

  const apply = (actor: Actor, plan: WriteCheck.Plan, now: number) => {
    const at = DateTime.unsafeMake(now)
    for (const item of plan.writes) {
      seq += 1
      const previous = latest(item.tag, item.id)
      if (previous !== undefined && previous._tag === "Resident") {
        if (previous.nationalId !== undefined) removeFrom(byNationalId, previous.nationalId, previous.id)
        removeFrom(byNameAndBirthDate, nameKey(previous), previous.id)
      }
      const fact = item.fact
      if (fact._tag === "Resident") {
        if (fact.nationalId !== undefined) addTo(byNationalId, fact.nationalId, fact.id)
        addTo(byNameAndBirthDate, nameKey(fact), fact.id)
      }
      let history = records[item.tag].get(item.id)
      if (!history) records[item.tag].set(item.id, history = [])
      history.push({ seq, at: now, fact })
      log.push({ seq, tag: item.tag, id: item.id })
      auditLog.push({
        anchors: item.anchors,
        entry: new Store.AuditEntry({
          seq,
          at,
          actorId: actor.id,
          role: actor.role,
          operation: item.before === undefined ? "create" : "update",
          tag: item.tag,
          id: item.id,
          ...(item.before === undefined ? {} : { before: item.before.encoded }),
          after: item.encoded
        }, { disableValidation: true })
      })
    }
  }

  const store: Store.Shape = {
    write: (actor, facts) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const plan = yield* WriteCheck.check({ actor, facts, settings, now, lookup })
        apply(actor, plan, now)
        return plan.receipts
      })),

    get: <T extends Fact.Tag>(actor: Actor, tag: T, id: string, options?: { readonly asOf?: LocalDate.LocalDate }) =>
      Effect.sync(() => {
        const v = view(options?.asOf)
        const fact = v.get(tag, id)
        return fact !== undefined && visibility(actor, v, undefined).sees(fact) ? Option.some(fact) : Option.none()
      }),

    list: <T extends Fact.Tag>(actor: Actor, tag: T, options: Store.ListOptions = {}) =>
      Effect.sync(() => {
        const v = view(options.asOf)
        const vis = visibility(actor, v, options.scope)
        const after = options.after
        const limit = Store.pageSize(options.limit)
        const matching: Array<Fact.Of<T>> = []
        for (const f of v.all(tag)) {
          if ((after === undefined || f.id > after) && vis.sees(f)) matching.push(f)
        }
        matching.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        const items = matching.slice(0, limit)
        return matching.length > limit ? { items, next: items[items.length - 1].id } : { items }
      }),

    load: (actor, options = {}) =>
      Effect.sync((): Fact.Facts => {
        const v = view(options.asOf)
        const vis = visibility(actor, v, options.scope)
        const window = options.window
        const pick = <T extends Fact.Tag>(tag: T, keep: (f: Fact.Of<T>) => boolean): Array<Fact.Of<T>> => {
          const out: Array<Fact.Of<T>> = []
          for (const f of v.all(tag)) if (keep(f)) out.push(f)
          return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        }
        return {
          places: pick("Place", vis.sees),
          liaisons: pick("Liaison", vis.sees),
          households: pick("Household", vis.sees),
          residents: pick("Resident", vis.sees),
          visits: pick("Visit", (f) => {
            if (window !== undefined) {
              const date = zone.dateOf(f.at.epochMillis)
              if (date < window.from || date > window.to) return false
            }
            return vis.sees(f)
          }),
          arrivals: pick("ArrivalReport", vis.sees),
          matters: pick("Matter", vis.sees),
          campaigns: pick("Campaign", vis.sees)
        }
      }),

    changes: (actor, since, options = {}) =>
      Effect.sync((): Store.Changes => {
        const limit = Store.pageSize(options.limit)
        const v = view(undefined)
        const vis = visibility(actor, v, options.scope)
        const facts: Array<Fact.Fact> = []
        const start = since === undefined ? 0 : Number(since)
        // `log` is in `seq` order, with gaps where accounts' changes took a number: the first
        // entry after `start` is found by bisection.
        let first = 0
        for (let end = log.length; first < end;) {
          const mid = (first + end) >>> 1
          if (log[mid].seq <= start) first = mid + 1
          else end = mid
        }
        for (let i = first; i < log.length; i++) {
          const entry = log[i]
          const history = records[entry.tag].get(entry.id)!
          if (history[history.length - 1].seq !== entry.seq) continue
          const fact = history[history.length - 1].fact
          if (!vis.sees(fact)) continue
          facts.push(fact)
          if (facts.length >= limit) {
            return { facts, cursor: String(entry.seq) as Store.Cursor, more: entry.seq < seq }
          }
        }
        return { facts, cursor: String(Math.max(seq, start)) as Store.Cursor, more: false }
      }),

    audit: (actor, options = {}) =>
      Effect.sync(() => {
        const limit = Store.pageSize(options.limit)
        const v = view(undefined)
        const vis = visibility(actor, v, undefined)
        const out: Array<Store.AuditEntry> = []
        const start = Math.max(0, options.afterSeq ?? 0)
        for (const { anchors, entry } of auditLog) {
          if (entry.seq <= start) continue
          if (options.id !== undefined && entry.id !== options.id) continue
          if (!anchors.some(vis.within)) continue
          out.push(entry)
          if (out.length >= limit) break
        }
        return out
      })
  }

  const accountsById = new Map<string, Accounts.Account>()
  const tokensById = new Map<string, Accounts.Token>()
  const tokenIdByHash = new Map<string, string>()

  // Changes to accounts, tokens and settings join the store's audit trail (same sequence).
  const recordChange = (by: Actor, change: Accounts.AuditedChange, now: number) => {
    seq += 1
    auditLog.push({
      anchors: change.places,
      entry: new Store.AuditEntry({
        seq,
        at: DateTime.unsafeMake(now),
        actorId: by.id,
        role: by.role,
        operation: change.operation,
        tag: change.tag,
        id: change.id,
        ...(change.before === undefined ? {} : { before: change.before }),
        after: change.after
      }, { disableValidation: true })
    })
  }
  const tokenChange = (token: Accounts.Token, before: Accounts.Token | undefined): Accounts.AuditedChange => ({
    tag: "Token",
    id: token.id,
    operation: before === undefined ? "create" : "update",
    ...(before === undefined ? {} : { before: Accounts.audited(before) }),
    after: Accounts.audited(token),
    places: accountsById.get(token.accountId)?.scope ?? []
  })

  const accounts: Accounts.Shape = {
    saveAccount: (account, by = Accounts.unattributed) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          const before = accountsById.get(account.id)
          accountsById.set(account.id, account)
          recordChange(by, {
            tag: "Account",
            id: account.id,
            operation: before === undefined ? "create" : "update",
            ...(before === undefined ? {} : { before: Accounts.audited(before) }),
            after: Accounts.audited(account),
            places: [...new Set([...(before?.scope ?? []), ...account.scope])]
          }, now)
        })),
    getAccount: (id) => Effect.sync(() => Option.fromNullable(accountsById.get(id))),
    listAccounts: Effect.sync(() =>
      [...accountsById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    ),
    saveToken: (token, by = Accounts.unattributed) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.suspend(() => {
          const holder = tokenIdByHash.get(token.hash)
          if (holder !== undefined && holder !== token.id) {
            return Effect.fail(new Problem.StoreError({ reason: `token hash already used by token "${holder}"` }))
          }
          const previous = tokensById.get(token.id)
          if (previous !== undefined) tokenIdByHash.delete(previous.hash)
          tokensById.set(token.id, token)
          tokenIdByHash.set(token.hash, token.id)
          recordChange(by, tokenChange(token, previous), now)
          return Effect.void
        })),
    findToken: (hash) =>
      Effect.sync(() => {
        const id = tokenIdByHash.get(hash)
        return Option.fromNullable(id === undefined ? undefined : tokensById.get(id))
      }),
    listTokens: (accountId) =>
      Effect.sync(() =>
        [...tokensById.values()]
          .filter((t) => t.accountId === accountId)
          .sort((a, b) => a.issuedAt - b.issuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      ),
    revokeToken: (id, at, by = Accounts.unattributed) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          const token = tokensById.get(id)
          if (token === undefined) return false
          if (token.revokedAt === undefined) {
            const revoked = new Accounts.Token({ ...token, revokedAt: at }, { disableValidation: true })
            tokensById.set(id, revoked)
            recordChange(by, tokenChange(revoked, token), now)
          }
          return true
        })),
    record: (by, change) => Effect.map(Clock.currentTimeMillis, (now) => recordChange(by, change, now))
  }

  return { store, accounts }
})

/**
 * The `Store` and `Accounts` ports in memory, sharing one state, and the `TaskState` port
 * computed from that store; needs the `Deployment`
 * (its zone decides local dates, its levels the place tree). Every build of the layer
 * starts empty.
 *
 * @example
 * ```ts
 * import { Access, Deployment, MemoryStore, Store } from "@minqing/core"
 * import { Effect, Layer } from "effect"
 *
 * const StoreLive = MemoryStore.layerMemory.pipe(Layer.provide(Deployment.layer()))
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* Store.Store
 *   const admin = Access.system([placeId])
 *   yield* store.write(admin, facts)
 *   return yield* store.load(admin, { window: { from: today, to: today } })
 * }).pipe(Effect.provide(StoreLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<
  Store.Store | Accounts.Accounts | TaskState.TaskState,
  never,
  Deployment
> = Layer.effectContext(
  Effect.map(
    Effect.zip(make, Deployment),
    ([{ accounts, store }, settings]) =>
      Context.make(Store.Store, store).pipe(
        Context.add(Accounts.Accounts, accounts),
        // Task state recomputed from this store on each call (see TaskState.fromStore).
        Context.add(TaskState.TaskState, TaskState.fromStore(store, settings))
      )
  )
)
