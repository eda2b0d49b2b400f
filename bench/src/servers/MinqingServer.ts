/**
 * Minqing's real HTTP server (`@minqing/adapter-http` `Server.layer`) on the SQLite adapter,
 * run as a child process for the load tests: `MinqingServer.ts <db file> <deployment JSON> <liaisons JSON>`.
 * It creates a liaison account and token for each liaison given, reads each liaison's worklist
 * for the scenario's last day once (so their grids' tasks are kept in the file, as in a
 * deployment whose liaisons read their lists every day; `SqliteStore.layer` provides the
 * `TaskState` the worklist endpoint uses), listens on 127.0.0.1 on an ephemeral port, and
 * sends `{ port, tokens }` to its parent. Request logging is off (the bare baseline logs
 * nothing either).
 */
import { NodeHttpServer } from "@effect/platform-node"
import * as HttpServer from "@effect/platform/HttpServer"
import { BreakGlass, Server, Tokens } from "@minqing/adapter-http"
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, Accounts, BuiltInRules, Deployment, type Ids, TaskState } from "@minqing/core"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createServer } from "node:http"

const [filename, deploymentJson, liaisonsJson] = process.argv.slice(2)
const deployment = JSON.parse(deploymentJson) as { readonly zone: string; readonly levels: ReadonlyArray<string> }
const liaisons = JSON.parse(liaisonsJson) as ReadonlyArray<{ liaisonId: Ids.LiaisonId; gridId: Ids.PlaceId }>

// The scenario's "today": the local date of the file's last write (the bench records the
// scenario late on its last day).
const lastDay = (() => {
  const db = new Database(filename, { readonly: true })
  try {
    const row = Schema.decodeUnknownSync(Schema.Struct({ at: Schema.Number }))(
      db.prepare("SELECT at FROM audit ORDER BY seq DESC LIMIT 1").get()
    )
    return Deployment.make({ zone: deployment.zone }).zone.dateOf(row.at)
  } finally {
    db.close()
  }
})()

const App = Server.layer({ requestLog: false }).pipe(
  Layer.provideMerge(BreakGlass.layerMemory),
  Layer.provideMerge(SqliteStore.layer({ filename })),
  Layer.provideMerge(Deployment.layer({ zone: deployment.zone, levels: deployment.levels })),
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
)

const main = Effect.gen(function*() {
  const accounts = yield* Accounts.Accounts
  const tokens: Record<string, string> = {}
  for (const l of liaisons) {
    const id = Accounts.AccountId.make(`bench-${l.liaisonId}`)
    yield* accounts.saveAccount(
      new Accounts.Account({
        id,
        name: `bench ${l.liaisonId}`,
        role: "liaison",
        scope: [l.gridId],
        liaisonId: l.liaisonId,
        active: true
      })
    )
    const issued = yield* Tokens.issue(id, { label: "bench" })
    tokens[l.liaisonId] = Redacted.value(issued.token)
  }
  const taskState = yield* TaskState.TaskState
  for (const l of liaisons) {
    const actor = new Access.Actor({ id: l.liaisonId, role: "liaison", scope: [l.gridId] }, { disableValidation: true })
    yield* taskState.worklist(actor, BuiltInRules.pack, { date: lastDay, liaisonId: l.liaisonId })
  }
  const server = yield* HttpServer.HttpServer
  const address = server.address
  process.send!({ port: address._tag === "TcpAddress" ? address.port : 0, tokens })
  return yield* Effect.never
})

process.on("disconnect", () => process.exit(0))
Effect.runPromise(main.pipe(Effect.provide(App), Effect.scoped)).catch((e: unknown) => {
  process.send?.({ error: e instanceof Error ? e.message : String(e) })
  process.exit(1)
})
