/**
 * `pnpm --filter @minqing/bench prepare-data [--size S|M|L] [--quick] [--adapter | --baseline]`:
 * builds the cached SQLite files of a size ahead of a run (the adapter's and the baseline's,
 * or one of them; two processes may build one each at the same time), so `pnpm bench` times
 * only what it measures. A run builds them on first use anyway.
 */
import { baselineFile, sqliteFile } from "./data.js"
import { log, type Size, SIZES } from "./harness.js"

const args = process.argv.slice(2)
const i = args.indexOf("--size")
const size = (i >= 0 ? args[i + 1] ?? "S" : "S").toUpperCase() as Size
if (!SIZES.includes(size)) {
  process.stderr.write(`--size takes S, M or L\n`)
  process.exit(2)
}
const quick = args.includes("--quick")
const which = args.includes("--adapter")
  ? ["adapter"]
  : args.includes("--baseline")
  ? ["baseline"]
  : ["baseline", "adapter"]
const t0 = Date.now()
if (which.includes("baseline")) log(`baseline file: ${await baselineFile(size, quick)}`)
if (which.includes("adapter")) log(`adapter file: ${await sqliteFile(size, quick)}`)
log(`ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
