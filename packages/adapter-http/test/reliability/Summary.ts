/**
 * The figures of a run: each test file writes its section to `.results/<section>.json`
 * (gitignored), and `render.ts` turns them into `RELIABILITY.md`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** Whether the long soak runs (`MINQING_SOAK=1`). */
export const soak = process.env.MINQING_SOAK === "1"

/** Where the sections of a run are written: `.results/ci` or `.results/soak`. */
export const resultsOf = (mode: "ci" | "soak"): string =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), ".results", mode)

/** Where this run's sections are written. */
export const RESULTS = resultsOf(soak ? "soak" : "ci")

/** Picks the CI or the soak figure. */
export const scale = <A>(ci: A, long: A): A => (soak ? long : ci)

/** Writes (replaces) a section of the summary. */
export const record = (section: string, figures: Record<string, unknown>): void => {
  fs.mkdirSync(RESULTS, { recursive: true })
  fs.writeFileSync(
    path.join(RESULTS, `${section}.json`),
    JSON.stringify(
      {
        section,
        soak,
        at: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
        ...figures
      },
      null,
      2
    ) + "\n"
  )
}
