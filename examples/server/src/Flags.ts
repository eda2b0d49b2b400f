/**
 * Flags shared by the server and the command-line tool. Each falls back to an environment
 * variable, then to a default.
 */
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** `.data/minqing.db` in this example's folder (gitignored). */
export const DEFAULT_DATA_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".data", "minqing.db")

/** `--data FILE` / `MINQING_DATA`: the SQLite file. */
export const dataFile = Options.text("data").pipe(
  Options.withDescription(
    "SQLite data file, created when missing (env MINQING_DATA; default .data/minqing.db in this example)"
  ),
  Options.withFallbackConfig(Config.string("MINQING_DATA").pipe(Config.withDefault(DEFAULT_DATA_FILE)))
)

/** `--zone NAME` / `MINQING_ZONE`: the deployment's time zone. */
export const zone = Options.text("zone").pipe(
  Options.withDescription("IANA time zone deciding every local date (env MINQING_ZONE; default Asia/Shanghai)"),
  Options.withFallbackConfig(Config.string("MINQING_ZONE").pipe(Config.withDefault("Asia/Shanghai")))
)

/** `--rules JSON|FILE` / `MINQING_RULES`: rule overrides as JSON text or a JSON file. */
export const rules = Options.text("rules").pipe(
  Options.withDescription(
    "Rule overrides: JSON text or a .json file, e.g. '{\"vaccination-followup\":{\"params\":{\"everyDays\":7}},\"publicity-leaflet\":false}' (env MINQING_RULES)"
  ),
  Options.withFallbackConfig(Config.string("MINQING_RULES").pipe(Config.withDefault("")))
)

/** `--size S|M|L` / `MINQING_SIZE`: the demo scenario's size. */
export const size = Options.choice("size", ["S", "M", "L"]).pipe(
  Options.withDescription(
    "Demo scenario size: S one subdistrict (1,800 households), M a district, L a city (env MINQING_SIZE)"
  ),
  Options.withFallbackConfig(Config.literal("S", "M", "L")("MINQING_SIZE").pipe(Config.withDefault("S" as const)))
)

/** `--seed N` / `MINQING_SEED`: the demo scenario's seed. */
export const seed = Options.integer("seed").pipe(
  Options.withDescription("Demo scenario seed (env MINQING_SEED; default 1)"),
  Options.withFallbackConfig(Config.integer("MINQING_SEED").pipe(Config.withDefault(1)))
)

/** `--history-days N` / `MINQING_HISTORY_DAYS`: days of visit history to seed. */
export const historyDays = Options.integer("history-days").pipe(
  Options.withDescription("Days of visit history to seed, ending today (env MINQING_HISTORY_DAYS; default 30)"),
  Options.withFallbackConfig(Config.integer("MINQING_HISTORY_DAYS").pipe(Config.withDefault(30)))
)
