/**
 * `pnpm --filter @minqing/example-server cli <command>`: init, import, recompute, report.
 * Run with `--help` for every flag.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Output from "./Output.js"
import * as Tool from "./Tool.js"

Tool.run(Output.argv(process.argv)).pipe(
  Effect.tapError((e) => (e instanceof Tool.CliError ? Console.error(e.message) : Effect.void)),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
