/**
 * A process that writes batches of visits into a SQLite file through the adapter, for the
 * crash and concurrency tests. Run with `node --import tsx writer.ts <json options>`.
 *
 * Prints one line per event on stdout: `ready`, `start <batch>` before each write, `ack
 * <batch>` after it committed, `done` at the end; failures go to stderr with exit code 1.
 */
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Deployment, Store } from "@minqing/core"
import { Effect, Layer } from "effect"
import { admin, roster, visit } from "../fixtures.js"

interface Options {
  readonly filename: string
  readonly prefix: string
  readonly batches: number
  readonly batchSize: number
  readonly busyTimeoutMillis?: number
  readonly readBetween?: boolean
}

const options: Options = JSON.parse(process.argv[2])
const say = (line: string) => process.stdout.write(line + "\n")

const households = ["h1", "h2", "h3"] as const
const liaisonOf = { h1: "l1", h2: "l1", h3: "l3" } as const

const program = Effect.gen(function*() {
  const store = yield* Store.Store
  yield* store.write(admin, roster)
  say("ready")
  for (let b = 0; b < options.batches; b++) {
    const batch = Array.from({ length: options.batchSize }, (_, i) => {
      const h = households[i % households.length]
      const minute = String(i % 60).padStart(2, "0")
      return visit(`${options.prefix}-${b}-${i}`, h, liaisonOf[h], `2021-05-09T0${b % 10}:${minute}:00Z`)
    })
    say(`start ${b}`)
    yield* store.write(admin, batch)
    say(`ack ${b}`)
    if (options.readBetween === true) yield* store.list(admin, "Visit", { limit: 50 })
  }
  say("done")
})

const StoreLive = SqliteStore.layer({
  filename: options.filename,
  ...(options.busyTimeoutMillis === undefined ? {} : { busyTimeout: options.busyTimeoutMillis })
}).pipe(Layer.provide(Deployment.layer({ zone: "Asia/Shanghai" })))

Effect.runPromise(Effect.provide(program, StoreLive)).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`failed: ${String(error?.message ?? error)}\n${JSON.stringify(error)}\n`)
    process.exit(1)
  }
)
