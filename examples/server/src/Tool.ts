/**
 * The command-line tool: `init` a database, `import` a roster CSV, `recompute` tasks and
 * print a coverage `report`. Every command works on the same SQLite file as the server,
 * through the core's ports (so imports are checked and audited like any write).
 *
 * `cli.ts` runs it; tests call {@link run} in-process.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Tokens } from "@minqing/adapter-http"
import {
  Access,
  Accounts,
  BuiltInMetrics,
  Coverage,
  Deployment,
  Engine,
  Ids,
  Labels,
  LocalDate,
  Place,
  type Problem,
  Report,
  Roster,
  Store,
  type Task,
  Worklist
} from "@minqing/core"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import * as App from "./App.js"
import * as Demo from "./Demo.js"
import * as Flags from "./Flags.js"
import * as Output from "./Output.js"

/** A command that could not do its job; `message` says why and what to do. */
export class CliError extends Data.TaggedError("CliError")<{ readonly message: string }> {}

const toCliError = (e: { readonly message: string }): CliError =>
  e instanceof CliError ? e : new CliError({ message: e.message })

const ports =
  (flags: { readonly dataFile: string; readonly zone: string }) =>
  <A, E extends { readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
    App.prepare(flags).pipe(
      Effect.zipRight(effect),
      Effect.provide(App.layerPorts(flags)),
      Effect.mapError(toCliError)
    )

/** The places the deployment's administrators reach: where the tool reads and writes by default. */
const adminScope = Effect.gen(function*() {
  const accounts = yield* Accounts.Accounts
  const all = yield* accounts.listAccounts
  return [...new Set(all.filter((a) => a.active && a.role === "subdistrict-admin").flatMap((a) => a.scope))]
})

const scopeOf = (requested: Option.Option<string>) =>
  Effect.gen(function*() {
    if (Option.isSome(requested)) {
      const id = Ids.PlaceId.make(requested.value)
      return { roots: [id], scope: id }
    }
    const roots = yield* adminScope
    if (roots.length === 0) {
      return yield* new CliError({
        message:
          "No administrator account yet, so no default scope: run `init --root <id> --root-name <name>` (or `init --demo`), or pass --scope."
      })
    }
    return { roots, scope: roots[0] }
  })

const shared = { dataFile: Flags.dataFile, zone: Flags.zone }

// ---------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------

const init = Command.make(
  "init",
  {
    ...shared,
    demo: Options.boolean("demo").pipe(
      Options.withDescription("Seed the demo scenario of 待王街道 and create a demo account per role")
    ),
    size: Flags.size,
    seed: Flags.seed,
    historyDays: Flags.historyDays,
    root: Options.text("root").pipe(
      Options.withDescription("Create this root place (e.g. a subdistrict) and an administrator over it"),
      Options.optional
    ),
    rootName: Options.text("root-name").pipe(Options.withDescription("The root place's name"), Options.optional),
    level: Options.text("level").pipe(
      Options.withDescription("The root place's level (default subdistrict)"),
      Options.withDefault("subdistrict")
    )
  },
  (flags) =>
    Effect.gen(function*() {
      const store = yield* Store.Store
      const file = flags.dataFile === ":memory:" ? ":memory:" : path.resolve(flags.dataFile)
      yield* Console.log(`Database ready: ${file} (migrated, time zone ${flags.zone})`)
      if (flags.demo) {
        const options = { size: flags.size, seed: flags.seed }
        if (yield* Demo.isSeeded(options)) {
          yield* Console.log("The demo scenario is already seeded.")
        } else {
          const seeded = yield* Demo.seed({
            ...options,
            historyDays: flags.historyDays,
            onProgress: Output.progressBar("Seeding")
          })
          yield* Console.log(
            `Seeded ${seeded.facts} facts (${seeded.visits} visits) in ${(seeded.millis / 1000).toFixed(1)} s.`
          )
        }
        const logins = yield* Demo.logins(yield* Demo.rootOf(options))
        yield* Console.log("Demo tokens:")
        for (const l of logins) yield* Console.log(`  ${l.role.padEnd(18)} ${l.token}  ${l.account.name}`)
      }
      if (Option.isSome(flags.root)) {
        const id = yield* Effect.try({
          try: () => Ids.PlaceId.make(flags.root.pipe(Option.getOrThrow)),
          catch: (e) => new CliError({ message: `--root: ${(e as Error).message}` })
        })
        const name = Option.getOrElse(flags.rootName, () => id)
        const place = yield* Effect.try({
          try: () => new Place.Place({ id, name, level: flags.level }),
          catch: (e) => new CliError({ message: `The root place is invalid: ${(e as Error).message}` })
        })
        yield* store.write(Access.system([id], "cli-init"), [place])
        const accounts = yield* Accounts.Accounts
        const account = new Accounts.Account({
          id: Accounts.AccountId.make("admin"),
          name: `${name} administrator`,
          role: "subdistrict-admin",
          scope: [id],
          active: true
        })
        yield* accounts.saveAccount(account)
        const issued = yield* Tokens.issue(account.id, { label: "cli init", expiresInDays: 30 })
        yield* Console.log(
          `Root place ${id} (${name}) and account "admin" created. Its token (shown once, 30 days):\n  ${
            Redacted.value(issued.token)
          }`
        )
      }
      const roots = yield* adminScope
      yield* Console.log(
        roots.length === 0
          ? "No administrator yet: pass --root <id> --root-name <name>, or --demo."
          : `Administrators reach: ${roots.join(", ")}`
      )
    }).pipe(ports(flags))
).pipe(
  Command.withDescription("Create or migrate the database; optionally seed the demo or create a root and an admin")
)

// ---------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------

const CHUNK_ROWS = 500

const kindOf = (file: string, requested: Option.Option<Roster.Kind>): Either.Either<Roster.Kind, CliError> => {
  if (Option.isSome(requested)) return Either.right(requested.value)
  const base = path.basename(file).toLowerCase()
  const found = Roster.kinds.find((k) => base.includes(k))
  return found === undefined
    ? Either.left(
      new CliError({
        message: `Cannot tell what ${
          path.basename(file)
        } holds: name it places/liaisons/households/residents*.csv or pass --kind.`
      })
    )
    : Either.right(found)
}

/**
 * Validates a roster file in chunks of rows (so the bar moves on large files), keeping every
 * problem with the line it came from.
 */
export const validate = (
  kind: Roster.Kind,
  text: string,
  onProgress: (done: number, total: number) => Effect.Effect<void>
): Effect.Effect<Roster.Imported, Roster.RosterError> =>
  Effect.gen(function*() {
    const records = Roster.parseCsv(text)
    if (Either.isLeft(records)) return yield* new Roster.RosterError({ kind, problems: [records.left] })
    const [header, ...rows] = records.right
    if (header === undefined) {
      return yield* new Roster.RosterError({
        kind,
        problems: [new Roster.LineProblem({ line: 1, message: "the file is empty: it needs a header row" })]
      })
    }
    const facts: Array<Roster.FactOf<typeof kind>> = []
    const lines: Array<number> = []
    const problems: Array<Roster.LineProblem> = []
    const firstLine = new Map<string, number>()
    for (let start = 0; start < Math.max(rows.length, 1); start += CHUNK_ROWS) {
      const chunk = rows.slice(start, start + CHUNK_ROWS)
      const chunkText = Roster.formatCsv([header.cells, ...chunk.map((r) => r.cells)])
      // Lines of the chunk's text, record by record, back to the lines of the file.
      const chunkRecords = Either.getOrThrow(Roster.parseCsv(chunkText))
      const lineOf = new Map(chunkRecords.map((r, i) => [r.line, i === 0 ? header.line : chunk[i - 1].line]))
      const parsed = Roster.parse(kind, chunkText)
      if (Either.isLeft(parsed)) {
        for (const p of parsed.left.problems) {
          const line = lineOf.get(p.line) ?? p.line
          if (line === header.line && start > 0) continue // header problems are reported once
          problems.push(new Roster.LineProblem({ ...p, line }))
        }
      } else {
        parsed.right.facts.forEach((fact, i) => {
          const line = lineOf.get(parsed.right.lines[i]) ?? parsed.right.lines[i]
          const seen = firstLine.get(fact.id)
          if (seen !== undefined) {
            problems.push(
              new Roster.LineProblem({ line, message: `id "${fact.id}" is used again (first on line ${seen})` })
            )
          } else firstLine.set(fact.id, line)
          facts.push(fact)
          lines.push(line)
        })
      }
      yield* onProgress(Math.min(start + chunk.length, rows.length), rows.length)
    }
    if (problems.length > 0) {
      return yield* new Roster.RosterError({ kind, problems: problems.sort((a, b) => a.line - b.line) })
    }
    return { kind, facts, lines }
  })

const describeRefusal = (error: Roster.RosterError, file: string) =>
  Effect.gen(function*() {
    const rows = new Set(error.problems.map((p) => p.line))
    yield* Console.error(
      `${path.basename(file)}: refused, nothing written. ${error.problems.length} problem(s) on ${rows.size} row(s):`
    )
    yield* Console.error(
      Output.textTable(
        ["line", "column", "reason"],
        error.problems.slice(0, 200).map((p) => [String(p.line), p.column ?? "", p.message])
      )
    )
    if (error.problems.length > 200) yield* Console.error(`… and ${error.problems.length - 200} more`)
  })

const importCommand = Command.make(
  "import",
  {
    ...shared,
    file: Args.file({ name: "file.csv", exists: "yes" }).pipe(Args.withDescription("The roster CSV file")),
    kind: Options.choice("kind", Roster.kinds).pipe(
      Options.withDescription("What the file holds (default: from its name)"),
      Options.optional
    ),
    scope: Options.text("scope").pipe(
      Options.withDescription("The place subtree the rows belong to (default: the administrators' places)"),
      Options.optional
    )
  },
  (flags) =>
    Effect.gen(function*() {
      const kind = yield* kindOf(flags.file, flags.kind)
      const text = yield* Effect.try({
        try: () => readFileSync(flags.file, "utf8"),
        catch: (e) => new CliError({ message: `Cannot read ${flags.file}: ${(e as Error).message}` })
      })
      const nothing = (e: Roster.RosterError) =>
        new CliError({
          message: `Nothing imported: ${e.problems.length} problem(s) in ${
            path.basename(flags.file)
          }; fix them and run again.`
        })
      const imported = yield* validate(kind, text, Output.progressBar(`Checking ${path.basename(flags.file)}`)).pipe(
        Effect.tapError((e) => describeRefusal(e, flags.file)),
        Effect.mapError(nothing)
      )
      // A places file may bring its own root (a place without a parent).
      const ownRoots = kind === "places"
        ? imported.facts.flatMap((f) => (f._tag === "Place" && f.parentId === undefined ? [f.id] : []))
        : []
      const { roots } = yield* scopeOf(flags.scope).pipe(
        Effect.catchTag("CliError", (e) => ownRoots.length > 0 ? Effect.succeed({ roots: [] }) : Effect.fail(e))
      )
      const store = yield* Store.Store
      const receipts = yield* store.write(Access.system([...roots, ...ownRoots], "cli-import"), imported.facts).pipe(
        Effect.catchTag("Rejected", (rejected: Problem.Rejected) =>
          Effect.gen(function*() {
            const error = Roster.locate(imported, rejected)[0] ?? new Roster.RosterError({
              kind,
              problems: rejected.problems.map((p) => new Roster.LineProblem({ line: 1, message: p.message }))
            })
            yield* describeRefusal(error, flags.file)
            return yield* Effect.fail(nothing(error))
          }))
      )
      const by = (status: string) => receipts.filter((r) => r.status === status).length
      const flagged = receipts.flatMap((r) => r.flags)
      yield* Console.log(
        `Imported ${receipts.length} ${kind} from ${path.basename(flags.file)}: ${by("created")} created, ${
          by("updated")
        } updated, ${by("unchanged")} unchanged.`
      )
      for (const f of flagged) yield* Console.log(`  review: ${f.message}`)
    }).pipe(ports(flags))
).pipe(
  Command.withDescription("Import a roster CSV (zh or en headers): every row checked, nothing written if any is bad")
)

// ---------------------------------------------------------------------------
// recompute
// ---------------------------------------------------------------------------

const dateOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(`${description} (YYYY-MM-DD)`),
    Options.withSchema(LocalDate.LocalDate),
    Options.optional
  )

const rulesFlag = Flags.rules

const recompute = Command.make(
  "recompute",
  {
    ...shared,
    rules: rulesFlag,
    scope: Options.text("scope").pipe(Options.withDescription("Place subtree (default: everything)"), Options.optional),
    date: dateOption("date", "The day to recompute (default today)"),
    days: Options.integer("days").pipe(
      Options.withDescription("Also the days before it (default 7)"),
      Options.withDefault(7)
    )
  },
  (flags) =>
    Effect.gen(function*() {
      const rules = yield* App.readRules(flags.rules)
      const { pack } = yield* App.rulePack(rules)
      const { scope } = yield* scopeOf(flags.scope)
      const { zone } = yield* Deployment.Deployment
      const today = yield* Deployment.today
      const to = Option.getOrElse(flags.date, () => today)
      const from = LocalDate.addDays(to, 1 - Math.max(1, flags.days))
      const store = yield* Store.Store
      const started = yield* Clock.currentTimeMillis
      const facts = yield* store.load(Access.system([scope], "cli-recompute"), {
        scope,
        window: { from: LocalDate.addDays(from, -14), to }
      })
      const tasks = Engine.evaluate(pack, facts, { asOf: to, from, to, zone })
      const owners = Worklist.owners(facts)
      const tree = Place.tree(facts.places)
      const villageOf = (gridId: Ids.PlaceId) =>
        tree.ancestry(gridId).map((id) => tree.get(id)).find((p) => p?.level === "village")?.name ?? "—"
      const households = new Map(facts.households.map((h) => [h.id, h]))
      const states: ReadonlyArray<Task.State> = ["done", "due", "overdue", "missed", "upcoming", "cancelled"]
      const count = (key: (t: Task.Task) => string) => {
        const out = new Map<string, Record<string, number>>()
        for (const t of tasks) {
          const k = key(t)
          const row = out.get(k) ?? Object.fromEntries(states.map((s) => [s, 0]))
          row[t.state]++
          out.set(k, row)
        }
        return out
      }
      const render = (title: string, rows: Map<string, Record<string, number>>) =>
        Console.log(`\n${title}\n${
          Output.textTable(
            ["", ...states, "total"],
            [...rows].map(([k, r]) => [
              k,
              ...states.map((s) => String(r[s])),
              String(states.reduce((n, s) => n + r[s], 0))
            ])
          )
        }`)
      yield* Console.log(
        `Recomputed ${tasks.length} tasks of pack "${pack.name}" (${pack.rules.length} rules) for ${from} to ${to}, as of ${to}, in ${
          (yield* Clock.currentTimeMillis) - started
        } ms: ${facts.households.length} households, ${owners.size} with a liaison.`
      )
      yield* render("By rule", count((t) => t.rule))
      yield* render("By village", count((t) => villageOf(households.get(t.householdId)?.gridId ?? ("" as Ids.PlaceId))))
    }).pipe(ports(flags))
).pipe(Command.withDescription("Recompute tasks from the stored facts with the rule pack, and summarise them"))

// ---------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------

const DEFAULT_METRICS = [
  "household-screening",
  "rule-compliance",
  "vaccination-first-dose",
  "vaccination-primary-course",
  "elderly-checkins-done",
  "arrivals-reported-in-advance",
  "matters-overdue"
]

const report = Command.make(
  "report",
  {
    ...shared,
    rules: rulesFlag,
    format: Options.choice("format", ["table", "csv"]).pipe(
      Options.withDescription("table (default) or csv"),
      Options.withDefault("table" as const)
    ),
    scope: Options.text("scope").pipe(
      Options.withDescription("Place subtree (default: the administrators' first place)"),
      Options.optional
    ),
    from: dateOption("from", "First day of the period (default 6 days before --to)"),
    to: dateOption("to", "Last day of the period (default today)"),
    metric: Options.text("metric").pipe(
      Options.withDescription(`Metric id, repeatable (default: ${DEFAULT_METRICS.join(", ")}; csv: every metric)`),
      Options.repeated
    ),
    locale: Options.choice("locale", ["zh-Hans", "zh-Hant", "en"]).pipe(
      Options.withDescription("Language of labels and headers (default zh-Hans)"),
      Options.withDefault("zh-Hans" as const)
    ),
    depth: Options.integer("depth").pipe(
      Options.withDescription("Levels below the scope (default 1)"),
      Options.withDefault(1)
    )
  },
  (flags) =>
    Effect.gen(function*() {
      const rules = yield* App.readRules(flags.rules)
      const { pack } = yield* App.rulePack(rules)
      const { roots, scope } = yield* scopeOf(flags.scope)
      const { zone } = yield* Deployment.Deployment
      const today = yield* Deployment.today
      const to = Option.getOrElse(flags.to, () => today)
      const from = Option.getOrElse(flags.from, () => LocalDate.addDays(to, -6))
      const ids = flags.metric.length > 0
        ? flags.metric
        : flags.format === "csv"
        ? BuiltInMetrics.all.map((m) => m.id)
        : DEFAULT_METRICS
      const unknown = ids.filter((id) => !BuiltInMetrics.all.some((m) => m.id === id))
      if (unknown.length > 0) {
        return yield* new CliError({
          message: `Unknown metric ${unknown.join(", ")}; known: ${BuiltInMetrics.all.map((m) => m.id).join(", ")}`
        })
      }
      const metrics = ids.map((id) => BuiltInMetrics.all.find((m) => m.id === id)!)
      const store = yield* Store.Store
      const facts = yield* store.load(Access.system(roots, "cli-report"), {
        scope,
        window: { from: LocalDate.addDays(from, -14), to: LocalDate.max(to, today) }
      })
      const result = Coverage.compute({
        facts,
        metrics,
        scope,
        period: { from, to },
        asOf: LocalDate.min(today, LocalDate.max(to, today)),
        zone,
        depth: flags.depth,
        tasks: Coverage.rules(pack)
      })
      if (Either.isLeft(result)) return yield* new CliError({ message: result.left.message })
      const locale: Labels.Locale = flags.locale
      if (flags.format === "csv") {
        yield* Console.log(Report.toCsv(result.right, { locale }).trimEnd())
        return
      }
      const r = result.right
      const indent = (depth: number) => "  ".repeat(depth)
      yield* Console.log(
        `${Labels.label("placeLevel", r.places[0].level, locale)} ${
          r.places[0].name
        } · ${r.period.from} – ${r.period.to} · as of ${r.asOf} (${r.zone})`
      )
      yield* Console.log(
        Output.textTable(
          ["", ...r.results.map((x) => x.metric.title[locale])],
          r.places.map((p, i) => [
            indent(p.depth) + p.name,
            ...r.results.map((x) => Output.figureText(x.metric, x.figures[i]))
          ]),
          { align: ["left", ...r.results.map(() => "right" as const)] }
        )
      )
    }).pipe(ports(flags))
).pipe(Command.withDescription("Print a coverage report for a scope and period, as a table or CSV"))

/** The tool. */
export const command = Command.make("cli").pipe(
  Command.withDescription("Minqing example tool"),
  Command.withSubcommands([init, importCommand, recompute, report])
)

/** Runs the tool on `process.argv`-style arguments (`[node, script, command, …flags]`). */
export const run = Command.run(command, { name: "Minqing example CLI", version: "0.0.0" })
