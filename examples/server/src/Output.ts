/**
 * What the server and the command-line tool print: the start banner, a progress bar, and
 * reading rule overrides from a flag.
 */
import * as Effect from "effect/Effect"
import type * as App from "./App.js"

const ROLE_NAMES: Record<string, string> = {
  "subdistrict-admin": "subdistrict admin",
  "village-leader": "village leader",
  liaison: "liaison",
  auditor: "auditor"
}

/** The command line without a leading `--` (`pnpm start -- --port 4000` passes it on). */
export const argv = (args: ReadonlyArray<string>): Array<string> =>
  args[2] === "--" ? [...args.slice(0, 2), ...args.slice(3)] : [...args]

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

// East Asian wide characters take two columns in a terminal.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/

/** How many terminal columns a text takes. */
export const displayWidth = (text: string): number => {
  let width = 0
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1
  return width
}

const pad = (text: string, width: number, align: "left" | "right") => {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)))
  return align === "left" ? text + fill : fill + text
}

/** A plain text table with a header rule, aligned for CJK text too. */
export const textTable = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  options: { readonly align?: ReadonlyArray<"left" | "right"> } = {}
): string => {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))))
  const align = (i: number) => options.align?.[i] ?? "left"
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => pad(c ?? "", widths[i], align(i))).join("  ").trimEnd()
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

/** A figure as a table cell: a percentage with its counts for a proportion, else the value. */
export const figureText = (
  metric: { readonly scoring: string },
  figure: {
    readonly score: number | undefined
    readonly counts: { readonly numerator: number; readonly denominator: number; readonly population: number }
  } | undefined
): string => {
  if (figure === undefined) return "—"
  if (metric.scoring === "proportion") {
    return figure.score === undefined
      ? "—"
      : `${(figure.score * 100).toFixed(1)}% (${figure.counts.numerator}/${figure.counts.denominator})`
  }
  return figure.score === undefined ? String(figure.counts.population) : String(Math.round(figure.score * 100) / 100)
}
