/**
 * `pnpm start`: the example server. Flags (or environment variables) set the port, the data
 * file, the time zone, rule overrides and the demo scenario; Ctrl+C or SIGTERM stops it
 * gracefully (open requests finish, the database is closed).
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as App from "./App.js"
import * as Flags from "./Flags.js"
import * as Output from "./Output.js"

const command = Command.make(
  "minqing-server",
  {
    port: Options.integer("port").pipe(
      Options.withDescription("TCP port, 0 for any free one (env PORT; default 3000)"),
      Options.withFallbackConfig(Config.integer("PORT").pipe(Config.withDefault(3000)))
    ),
    host: Options.text("host").pipe(
      Options.withDescription("Interface to listen on (env HOST; default 127.0.0.1, use 0.0.0.0 for all)"),
      Options.withFallbackConfig(Config.string("HOST").pipe(Config.withDefault("127.0.0.1")))
    ),
    dataFile: Flags.dataFile,
    zone: Flags.zone,
    rules: Flags.rules,
    demo: Options.boolean("demo", { negationNames: ["no-demo"] }).pipe(
      Options.withDescription(
        "Seed demo data on first start and print a demo token per role (env MINQING_DEMO; default on)"
      ),
      Options.withFallbackConfig(Config.boolean("MINQING_DEMO").pipe(Config.withDefault(true)))
    ),
    size: Flags.size,
    seed: Flags.seed,
    historyDays: Flags.historyDays,
    quiet: Options.boolean("quiet").pipe(Options.withDescription("No request log"))
  },
  (flags) =>
    Effect.gen(function*() {
      const rules = yield* App.readRules(flags.rules)
      const progress = Output.progressBar("Seeding 待王街道 demo data")
      const running = yield* App.start({
        ...flags,
        rules,
        requestLog: !flags.quiet,
        onSeedProgress: progress
      })
      yield* Console.log(Output.banner(running))
      yield* Effect.addFinalizer(() => Console.log("Stopping: closing connections and the database…"))
      return yield* Effect.never
    }).pipe(Effect.scoped)
)

const cli = Command.run(command, { name: "Minqing example server", version: "0.0.0" })

cli(Output.argv(process.argv)).pipe(
  Effect.catchTag(
    "StartError",
    (e) => Console.error(`Cannot start: ${e.message}`).pipe(Effect.zipRight(Effect.fail(e)))
  ),
  Effect.provide(Layer.mergeAll(NodeContext.layer, Logger.logFmt)),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
