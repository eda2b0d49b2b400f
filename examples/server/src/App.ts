/**
 * The example server, composed: the core's ports on an embedded SQLite file, the HTTP
 * adapter's API with its docs, the dashboard, and demo data on first start.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import { Analytics, BreakGlass, Server } from "@minqing/adapter-http"
import { SqliteStore } from "@minqing/adapter-sqlite"
import {
  type Accounts,
  BuiltInRules,
  Deployment,
  type Problem,
  RulePack,
  type Store,
  type TaskState,
  TimeZone
} from "@minqing/core"
import type { Scenario } from "@minqing/core/testing"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { mkdirSync, readFileSync } from "node:fs"
import { createServer } from "node:http"
import * as path from "node:path"
import * as Dashboard from "./Dashboard.js"
import * as Demo from "./Demo.js"

/** How the server is set up (flags and environment variables fill this in `main.ts`). */
export interface Settings {
  /** TCP port; `0` picks a free one. */
  readonly port: number
  readonly host: string
  /** The SQLite file (created with its folder when missing). */
  readonly dataFile: string
  /** IANA time zone that decides every local date. */
  readonly zone: string
  /** Rule overrides: `{ "rule-id": false | { "enabled"?: boolean, "params"?: {…} } }`. */
  readonly rules?: unknown
  /** Demo data and logins: seed the scenario on first start, one account and token per role. */
  readonly demo: boolean
  readonly size: Scenario.Size
  readonly seed: number
  /** Days of visit history to seed (default: the size's preset). */
  readonly historyDays?: number | undefined
  /** Smaller demo counts, for tests. */
  readonly shape?: Demo.SeedOptions["shape"]
  /** One log line per request (default true). */
  readonly requestLog?: boolean | undefined
  /** Called while seeding. */
  readonly onSeedProgress?: ((done: number, total: number) => Effect.Effect<void>) | undefined
}

/** A running server. */
export interface Running {
  readonly url: string
  readonly docsUrl: string
  readonly dataFile: string
  readonly zone: string
  /** What was seeded at this start (`undefined`: nothing, the file was seeded before or demo is off). */
  readonly seeded: Demo.Seeded | undefined
  readonly logins: ReadonlyArray<Demo.DemoLogin>
  readonly pack: RulePack.RulePack
}

/** Why the server could not start. */
export class StartError extends Data.TaggedError("StartError")<{ readonly message: string }> {}

/** Rule overrides from a flag: empty (none), JSON text, or the path of a JSON file. */
export const readRules = (value: string): Effect.Effect<unknown, StartError> =>
  Effect.gen(function*() {
    const text = value.trim()
    if (text === "") return undefined
    const source = text.startsWith("{")
      ? text
      : yield* Effect.try({
        try: () => readFileSync(text, "utf8"),
        catch: (e) => new StartError({ message: `Cannot read the rules file ${text}: ${(e as Error).message}` })
      })
    return yield* Effect.try({
      try: () => JSON.parse(source) as unknown,
      catch: (e) => new StartError({ message: `Rule overrides are not valid JSON: ${(e as Error).message}` })
    })
  })

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * The rule pack: the built-in one with the overrides applied, checked before the server
 * starts so a typo stops it with a clear message.
 */
export const rulePack = (
  rules: unknown
): Either.Either<{ readonly pack: RulePack.RulePack; readonly overrides: Analytics.Overrides }, StartError> => {
  if (rules === undefined) return Either.right({ pack: BuiltInRules.pack, overrides: {} })
  if (!isRecord(rules)) {
    return Either.left(
      new StartError({ message: "Rule overrides must be a JSON object of rule id → false | { enabled, params }" })
    )
  }
  return Either.match(RulePack.configure(BuiltInRules.pack, rules), {
    onLeft: (e) => Either.left(new StartError({ message: `Rule overrides refused: ${e.message}` })),
    onRight: (pack) => Either.right({ pack, overrides: rules })
  })
}

/** The store, its kept task state, the accounts and the deployment on the data file. */
export const layerPorts = (settings: Pick<Settings, "dataFile" | "zone">): Layer.Layer<
  Store.Store | TaskState.TaskState | Accounts.Accounts | Deployment.Deployment,
  Problem.StoreError
> =>
  SqliteStore.layer({ filename: settings.dataFile, synchronous: "normal" }).pipe(
    Layer.provideMerge(Deployment.layer({ zone: settings.zone }))
  )

/** Checks the zone and prepares the data file's folder. */
export const prepare = (settings: Pick<Settings, "dataFile" | "zone">): Effect.Effect<void, StartError> =>
  Effect.try({
    try: () => {
      TimeZone.make(settings.zone)
      if (settings.dataFile !== ":memory:") {
        mkdirSync(path.dirname(path.resolve(settings.dataFile)), { recursive: true })
      }
    },
    catch: (e) => new StartError({ message: e instanceof Error ? e.message : String(e) })
  })

// Tasks of a period are judged on visits shortly before it too (a window that opened
// earlier); two weeks cover every built-in window and keep requests light.
const LOOKBACK_DAYS = 14

const urlOf = (address: HttpServer.Address): string =>
  address._tag === "UnixAddress"
    ? `unix:${address.path}`
    : `http://${
      address.hostname === "0.0.0.0" || address.hostname === "::" ? "localhost" : address.hostname.includes(":")
        ? `[${address.hostname}]`
        : address.hostname
    }:${address.port}`

/**
 * Opens the data file, seeds it on first start (demo on), issues demo tokens, and serves the
 * API, the docs and the dashboard until the scope closes.
 */
export const start = (settings: Settings): Effect.Effect<Running, StartError, Scope.Scope> =>
  Effect.gen(function*() {
    yield* prepare(settings)
    const { overrides, pack } = yield* rulePack(settings.rules)
    const ports = yield* Layer.build(layerPorts(settings))
    const withPorts = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, ports)

    let seeded: Demo.Seeded | undefined
    let logins: ReadonlyArray<Demo.DemoLogin> = []
    if (settings.demo) {
      const options = { size: settings.size, seed: settings.seed }
      if (!(yield* withPorts(Demo.isSeeded(options)))) {
        seeded = yield* withPorts(Demo.seed({
          ...options,
          historyDays: settings.historyDays,
          shape: settings.shape,
          onProgress: settings.onSeedProgress
        }))
      }
      logins = yield* withPorts(Demo.logins(yield* withPorts(Demo.rootOf(options))))
    }

    const http = yield* Layer.build(NodeHttpServer.layer(createServer, { port: settings.port, host: settings.host }))
    yield* Layer.build(
      Server.layer({
        requestLog: settings.requestLog ?? true,
        analytics: {
          pack: BuiltInRules.pack,
          overrides: Analytics.memoryOverrides(overrides),
          lookbackDays: LOOKBACK_DAYS
        }
      }).pipe(
        Layer.provide(
          Dashboard.layer({ pack, zone: TimeZone.make(settings.zone), demo: settings.demo ? logins : undefined })
        ),
        Layer.provide(BreakGlass.layerMemory),
        Layer.provide(Layer.succeedContext(Context.merge(ports, http)))
      )
    )
    const url = urlOf(Context.get(http, HttpServer.HttpServer).address)
    return {
      url,
      docsUrl: `${url}/docs`,
      dataFile: settings.dataFile === ":memory:" ? ":memory:" : path.resolve(settings.dataFile),
      zone: settings.zone,
      seeded,
      logins,
      pack
    }
  }).pipe(
    Effect.catchTags({
      StoreError: (e) => Effect.fail(new StartError({ message: e.message })),
      Rejected: (e) => Effect.fail(new StartError({ message: `Seeding refused: ${e.message}` })),
      ServeError: (e) =>
        Effect.fail(
          new StartError({ message: `Cannot listen on ${settings.host}:${settings.port}: ${String(e.cause)}` })
        )
    })
  )
