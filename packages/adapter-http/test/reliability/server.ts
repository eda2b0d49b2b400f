/**
 * The real server in its own process, for the reliability suite: `Server.layer` on a SQLite
 * file, listening on 127.0.0.1 on an ephemeral port. Run with
 * `node --import tsx server.ts '<json options>'` from the repository root.
 *
 * Prints `listening <port>` on stdout once it accepts connections; every log line of the
 * server goes to stdout too, so the parent captures them (and scans them for personal data).
 */
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import * as HttpServer from "@effect/platform/HttpServer"
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Deployment } from "@minqing/core"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { createServer } from "node:http"
import { BreakGlass, Server } from "../../src/index.js"

interface Options {
  readonly filename: string
  readonly maxBodyBytes?: number
  readonly busyTimeoutMillis?: number
}

const options: Options = JSON.parse(process.argv[2] ?? "{}")

const Announce = Layer.effectDiscard(
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP address")
    yield* Effect.sync(() => process.stdout.write(`listening ${address.port}\n`))
  })
)

const Main = Layer.mergeAll(
  Server.layer(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  Announce
).pipe(
  Layer.provide(
    SqliteStore.layer({
      filename: options.filename,
      ...(options.busyTimeoutMillis === undefined ? {} : { busyTimeout: options.busyTimeoutMillis })
    })
  ),
  Layer.provide(Deployment.layer({ zone: "Asia/Shanghai" })),
  Layer.provide(BreakGlass.layerMemory),
  Layer.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
  Layer.provide(Logger.replace(Logger.defaultLogger, Logger.logfmtLogger)),
  Layer.provide(Logger.minimumLogLevel(LogLevel.All))
)

Layer.launch(Main).pipe(NodeRuntime.runMain)
