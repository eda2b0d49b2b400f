/**
 * `pnpm --filter @minqing/bench prepare [--size S|M|L] [--quick]`: builds the cached SQLite
 * files of a size ahead of a run (the adapter's and the baseline's), so `pnpm bench` times
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
const t0 = Date.now()
log(`baseline file: ${await baselineFile(size, quick)}`)
log(`adapter file: ${await sqliteFile(size, quick)}`)
log(`ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
