/**
 * What the server and the command-line tool print: the start banner, a progress bar, and
 * reading rule overrides from a flag.
 */
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import type * as App from "./App.js"

const ROLE_NAMES: Record<string, string> = {
  "subdistrict-admin": "subdistrict admin",
  "village-leader": "village leader",
  liaison: "liaison",
  auditor: "auditor"
}

/** The lines printed once the server listens. */
export const banner = (running: App.Running): string => {
  const lines = [
    "",
    "Minqing example server",
    `  API         ${running.url}`,
    `  Docs        ${running.docsUrl}`,
    `  Dashboard   ${running.url}/`,
    `  Data        ${running.dataFile} (time zone ${running.zone})`
  ]
  if (running.seeded !== undefined) {
    lines.push(
      `  Seeded      ${running.seeded.facts.toLocaleString("en")} facts (${
        running.seeded.visits.toLocaleString("en")
      } visits) in ${(running.seeded.millis / 1000).toFixed(1)} s`
    )
  }
  if (running.logins.length > 0) {
    lines.push("", "Demo tokens (new ones at every start; each expires in 7 days):")
    const width = Math.max(...running.logins.map((l) => ROLE_NAMES[l.role].length))
    for (const login of running.logins) {
      lines.push(
        `  ${ROLE_NAMES[login.role].padEnd(width)}  ${login.token}  ${login.account.name} (${login.scopeName})`
      )
    }
    lines.push(
      "",
      "Try:",
      `  curl -H "Authorization: Bearer ${running.logins[0].token}" ${running.url}/me`
    )
  }
  lines.push("", "Press Ctrl+C to stop.", "")
  return lines.join("\n")
}

/** A progress bar on stderr: redrawn in place on a terminal, a line per 25% otherwise. */
export const progressBar = (label: string) => {
  let lastQuarter = -1
  return (done: number, total: number): Effect.Effect<void> =>
    Effect.sync(() => {
      const ratio = total === 0 ? 1 : Math.min(1, done / total)
      if (process.stderr.isTTY) {
        const width = 30
        const filled = Math.round(ratio * width)
        process.stderr.write(
          `\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor(ratio * 100)}% ${
            done.toLocaleString("en")
          }/${total.toLocaleString("en")}${ratio >= 1 ? "\n" : ""}`
        )
      } else {
        const quarter = Math.floor(ratio * 4)
        if (quarter > lastQuarter) {
          lastQuarter = quarter
          process.stderr.write(`${label}: ${Math.floor(ratio * 100)}% (${done}/${total})\n`)
        }
      }
    })
}

/** Rule overrides from a flag: empty (none), JSON text, or the path of a JSON file. */
export const readRules = (value: string): Effect.Effect<unknown, App.StartError> =>
  Effect.gen(function*() {
    const text = value.trim()
    if (text === "") return undefined
    const { StartError } = yield* Effect.promise(() => import("./App.js"))
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
