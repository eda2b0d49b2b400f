/**
 * A test world for the HTTP adapter: two subdistricts, each grid with a full set of
 * records whose text carries a marker of its place (`⟦s1-v2-g1⟧`), so a response that leaks
 * another place's data is caught by looking for markers; accounts for every role; and the
 * real server on an ephemeral port.
 */
import { NodeHttpServer } from "@effect/platform-node"
import * as HttpServer from "@effect/platform/HttpServer"
import { SqliteStore } from "@minqing/adapter-sqlite"
import {
  Access,
  Accounts,
  Arrival,
  Campaign,
  Deployment,
  type Fact,
  Ids,
  LocalDate,
  Matter,
  MemoryStore,
  Observation,
  Place,
  Store
} from "@minqing/core"
import { StoreFixture as F } from "@minqing/core/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as BreakGlass from "../src/BreakGlass.js"
import * as Server from "../src/Server.js"
import * as Tokens from "../src/Tokens.js"

export const NOW = F.millis(F.NOW)

export const marker = (placeId: string) => `⟦${placeId}⟧`

export const placeIds = {
  s1: "s1",
  s1v1: "s1-v1",
  s1v1g1: "s1-v1-g1",
  s1v1g2: "s1-v1-g2",
  s1v2: "s1-v2",
  s1v2g1: "s1-v2-g1",
  s2: "s2",
  s2v1: "s2-v1",
  s2v1g1: "s2-v1-g1"
} as const

export const places: ReadonlyArray<Place.Place> = [
  F.place(placeIds.s1, `待王街道${marker(placeIds.s1)}`, "subdistrict"),
  F.place(placeIds.s1v1, `东村${marker(placeIds.s1v1)}`, "village", placeIds.s1),
  F.place(placeIds.s1v1g1, `东村一片区${marker(placeIds.s1v1g1)}`, "grid", placeIds.s1v1),
  F.place(placeIds.s1v1g2, `东村二片区${marker(placeIds.s1v1g2)}`, "grid", placeIds.s1v1),
  F.place(placeIds.s1v2, `西村${marker(placeIds.s1v2)}`, "village", placeIds.s1),
  F.place(placeIds.s1v2g1, `西村一片区${marker(placeIds.s1v2g1)}`, "grid", placeIds.s1v2),
  F.place(placeIds.s2, `别的街道${marker(placeIds.s2)}`, "subdistrict"),
  F.place(placeIds.s2v1, `别村${marker(placeIds.s2v1)}`, "village", placeIds.s2),
  F.place(placeIds.s2v1g1, `别村一片区${marker(placeIds.s2v1g1)}`, "grid", placeIds.s2v1)
]

export const grids = [placeIds.s1v1g1, placeIds.s1v1g2, placeIds.s1v2g1, placeIds.s2v1g1] as const
export type Grid = typeof grids[number]

/** The ids of a grid's records. */
export const idsOf = (grid: string) => ({
  liaison: `l.${grid}`,
  household: `h.${grid}`,
  resident: `r.${grid}`,
  arrival: `a.${grid}`,
  matter: `m.${grid}`,
  campaign: `c.${grid}`,
  visit: `v.${grid}`
})

/** Personal data of a grid's records: unique per grid, so any leak is traceable. */
export const personalDataOf = (grid: string) => {
  const n = grids.indexOf(grid as Grid) + 1
  const birthDate = `19${60 + n}-0${n}-1${n}`
  return {
    birthDate,
    residentNationalId: F.nationalId(birthDate, 100 + n),
    residentPhone: `1380000000${n}`,
    liaisonPhone: `1390000000${n}`,
    newcomerNationalId: F.nationalId(`19${80 + n}-0${n}-0${n}`, 200 + n),
    newcomerPhone: `1370000000${n}`
  }
}

export const allPersonalData: ReadonlyArray<string> = grids.flatMap((g) => {
  const pd = personalDataOf(g)
  return [pd.residentNationalId, pd.residentPhone, pd.liaisonPhone, pd.newcomerNationalId, pd.newcomerPhone]
})

export const recordsOf = (grid: string) => {
  const ids = idsOf(grid)
  const pd = personalDataOf(grid)
  const m = marker(grid)
  const liaison = F.liaison(ids.liaison, `联络员${m}`, [grid], pd.liaisonPhone)
  const household = F.household(ids.household, grid, { address: `东街1号${m}`, routePosition: 1 })
  const resident = F.resident(ids.resident, ids.household, {
    name: `居民${m}`,
    birthDate: LocalDate.make(pd.birthDate),
    nationalId: pd.residentNationalId as any,
    phone: pd.residentPhone as any,
    livesAlone: true
  })
  const arrival = new Arrival.ArrivalReport({
    ...F.arrival(ids.arrival, ids.household),
    origin: `广州${m}`,
    person: new Arrival.Newcomer({
      name: `来人${m}`,
      nationalId: pd.newcomerNationalId as any,
      phone: pd.newcomerPhone as any
    })
  })
  const matter = new Matter.Matter({ ...F.matter(ids.matter, ids.household), summary: `屋顶漏雨${m}` })
  const campaign = new Campaign.Campaign({ ...F.campaign(ids.campaign, grid), name: `汤剂发放${m}` })
  const visit = F.visit(ids.visit, ids.household, ids.liaison, "2021-05-10T09:00:00+08:00", {
    observations: [new Observation.HealthCheck({ residentId: resident.id, symptoms: false, note: `体温正常${m}` })]
  })
  return { liaison, household, resident, arrival, matter, campaign, visit }
}

export const allFacts: ReadonlyArray<Fact.Fact> = [
  ...places,
  ...grids.flatMap((g) => {
    const r = recordsOf(g)
    return [r.liaison, r.household, r.resident, r.campaign, r.arrival, r.matter, r.visit]
  })
]

export const roles = ["liaison", "leader", "admin", "auditor"] as const
export type RoleKey = typeof roles[number]

export const accounts: { readonly [K in RoleKey | "admin2"]: Accounts.Account } = {
  liaison: new Accounts.Account({
    id: Accounts.AccountId.make("liaison"),
    name: "赵红梅",
    role: "liaison",
    scope: [Ids.PlaceId.make(placeIds.s1v1g1)],
    liaisonId: Ids.LiaisonId.make(idsOf(placeIds.s1v1g1).liaison),
    active: true
  }),
  leader: new Accounts.Account({
    id: Accounts.AccountId.make("leader"),
    name: "东村书记",
    role: "village-leader",
    scope: [Ids.PlaceId.make(placeIds.s1v1)],
    active: true
  }),
  admin: new Accounts.Account({
    id: Accounts.AccountId.make("admin"),
    name: "街道管理员",
    role: "subdistrict-admin",
    scope: [Ids.PlaceId.make(placeIds.s1)],
    active: true
  }),
  auditor: new Accounts.Account({
    id: Accounts.AccountId.make("auditor"),
    name: "审计员",
    role: "auditor",
    scope: [Ids.PlaceId.make(placeIds.s1)],
    active: true
  }),
  admin2: new Accounts.Account({
    id: Accounts.AccountId.make("admin2"),
    name: "别的街道管理员",
    role: "subdistrict-admin",
    scope: [Ids.PlaceId.make(placeIds.s2)],
    active: true
  })
}

/** The grid each role reads and writes in scope, and one outside its scope. */
export const targets: { readonly [K in RoleKey]: { readonly in: string; readonly out: string } } = {
  liaison: { in: placeIds.s1v1g1, out: placeIds.s1v1g2 },
  leader: { in: placeIds.s1v1g1, out: placeIds.s1v2g1 },
  admin: { in: placeIds.s1v1g1, out: placeIds.s2v1g1 },
  auditor: { in: placeIds.s1v1g1, out: placeIds.s2v1g1 }
}

const tree = Place.tree(places)

/** Markers of the places a role must never see. */
export const forbiddenMarkers = (role: RoleKey): ReadonlyArray<string> => {
  const roots = accounts[role].scope
  return places
    .filter((p) => !roots.some((r) => tree.isWithin(p.id, r) || tree.ancestry(r).includes(p.id)))
    .map((p) => marker(p.id))
}

/** Log lines the server wrote, to check they carry no personal data. */
export const logLines: Array<string> = []

const captureLogs = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ annotations, message }) => {
    logLines.push(JSON.stringify({ message, annotations: Object.fromEntries(annotations) }))
  })
)

/** The stores the server is tested over. */
export const stores = {
  memory: MemoryStore.layerMemory,
  sqlite: SqliteStore.layer({ filename: ":memory:" }).pipe(Layer.orDie)
} as const

/**
 * The real server on an ephemeral port over a store (default: in memory), with the HTTP
 * client of `NodeHttpServer.layerTest` pointed at it.
 */
export const layerServer = (options: Server.Options & { readonly store?: keyof typeof stores } = {}) =>
  Server.layer({ maxBodyBytes: 64 * 1024, ...options }).pipe(
    Layer.provideMerge(BreakGlass.layerMemory),
    Layer.provideMerge(stores[options.store ?? "memory"]),
    Layer.provideMerge(Deployment.layer()),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provide(captureLogs)
  )

/** Seeds the world and issues a token per account; returns the secrets. */
export const seed = Effect.gen(function*() {
  yield* TestClock.setTime(NOW)
  const store = yield* Store.Store
  yield* store.write(Access.system([Ids.PlaceId.make(placeIds.s1), Ids.PlaceId.make(placeIds.s2)]), allFacts)
  const port = yield* Accounts.Accounts
  const tokens: Record<string, string> = {}
  for (const [key, account] of Object.entries(accounts)) {
    yield* port.saveAccount(account)
    const issued = yield* Tokens.issue(account.id, { label: "test" })
    tokens[key] = Redacted.value(issued.token)
  }
  return tokens as { readonly [K in RoleKey | "admin2"]: string }
})

/** The server's base URL. */
export const baseUrl = Effect.map(HttpServer.HttpServer, (server) => {
  const address = server.address
  return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "http://localhost"
})

export interface Reply {
  readonly status: number
  readonly text: string
  readonly json: any
}

/** A plain `fetch` to the server. */
export const call = (
  method: string,
  path: string,
  options: {
    readonly token?: string | undefined
    readonly body?: unknown
    readonly rawBody?: string
    readonly headers?: Record<string, string>
  } = {}
): Effect.Effect<Reply, never, HttpServer.HttpServer> =>
  Effect.gen(function*() {
    const base = yield* baseUrl
    return yield* Effect.promise(async () => {
      const response = await fetch(base + path, {
        method,
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(options.body === undefined && options.rawBody === undefined
            ? {}
            : { "content-type": "application/json" }),
          ...options.headers
        },
        ...(options.rawBody !== undefined
          ? { body: options.rawBody }
          : options.body === undefined
          ? {}
          : { body: JSON.stringify(options.body) })
      })
      const text = await response.text()
      let json: unknown = undefined
      try {
        json = text === "" ? undefined : JSON.parse(text)
      } catch {
        json = undefined
      }
      return { status: response.status, text, json }
    })
  })
