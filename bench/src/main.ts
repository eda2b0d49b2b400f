/**
 * `pnpm bench [--quick] [--only rules,coverage,storage,http] [--size S|M|L] [--write]`
 *
 * Runs each selected group of cases in its own child process, prints one table with the
 * figures side by side with their baselines, and with `--write` regenerates BENCHMARKS.md
 * and results/latest.json from this run.
 */
import Database from "better-sqlite3"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { linkPairs, log, machine, type Row, runGroup, type Size, SIZES, table } from "./harness.js"
import { groups, SUITES } from "./registry.js"
import { report, type Results } from "./report.js"

const usage = `Usage: pnpm bench [options]

  --quick, -q          seconds, not minutes: a CI smoke run (also BENCH_QUICK=1)
  --only <suites>      comma-separated: ${SUITES.join(",")} (default: all)
  --size <S|M|L>       the largest size to run; S (default) < M < L. M and L data are
                       generated once with the scenario builder into bench/.data/
  --exact              run only the cases of --size itself, not the smaller sizes
  --timeout <seconds>  stop a group (child process) that runs longer; reported as not measured
  --write              regenerate BENCHMARKS.md and bench/results/latest.json from this run
  --merge              with --write: keep the rows of bench/results/latest.json that this run's
                       groups did not measure (both commands are named in BENCHMARKS.md)
  --render             measure nothing: rewrite BENCHMARKS.md from bench/results/latest.json
                       (after editing the notes in src/notes.ts)
  --help               this text
`

interface Args {
  readonly quick: boolean
  readonly only: ReadonlyArray<string>
  readonly size: Size
  readonly write: boolean
  readonly merge: boolean
  readonly render: boolean
  readonly exact: boolean
  readonly timeoutSeconds: number | undefined
}

const parse = (argv: ReadonlyArray<string>): Args => {
  let quick = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true"
  let only: ReadonlyArray<string> = SUITES
  let size: Size = "S"
  let write = false
  let merge = false
  let render = false
  let exact = false
  let timeoutSeconds: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2) as [string, string | undefined]
    const value = () => inline ?? argv[++i]
    switch (flag) {
      case "--":
        break
      case "--quick":
      case "-q":
        quick = true
        break
      case "--only": {
        const list = (value() ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0)
        const unknown = list.filter((s) => !SUITES.includes(s))
        if (list.length === 0 || unknown.length > 0) {
          throw new Error(`--only takes a comma-separated list of ${SUITES.join(", ")}; got ${JSON.stringify(value())}`)
        }
        only = list
        break
      }
      case "--size": {
        const v = (value() ?? "").toUpperCase()
        if (!SIZES.includes(v as Size)) throw new Error(`--size takes S, M or L; got ${JSON.stringify(v)}`)
        size = v as Size
        break
      }
      case "--write":
        write = true
        break
      case "--merge":
        merge = true
        break
      case "--render":
        render = true
        break
      case "--exact":
        exact = true
        break
      case "--timeout": {
        const v = Number(value())
        if (!Number.isFinite(v) || v <= 0) throw new Error("--timeout takes a number of seconds")
        timeoutSeconds = v
        break
      }
      case "--help":
      case "-h":
        process.stdout.write(usage)
        process.exit(0)
        break
      default:
        throw new Error(`unknown option ${JSON.stringify(argv[i])}\n\n${usage}`)
    }
  }
  return { quick, only, size, write, merge, render, exact, timeoutSeconds }
}

const require = createRequire(import.meta.url)

/** Versions of what the figures depend on. */
const versions = (): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of ["effect", "better-sqlite3", "json-rules-engine", "autocannon"]) {
    try {
      out[name] = (require(`${name}/package.json`) as { version: string }).version
    } catch {
      // not installed: leave it out
    }
  }
  const db = new Database(":memory:")
  out.SQLite = (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v
  db.close()
  return out
}

const commandOf = (args: Args): string =>
  [
    "pnpm bench",
    args.quick ? "--quick" : "",
    args.only.length !== SUITES.length ? `--only ${args.only.join(",")}` : "",
    args.size !== "S" ? `--size ${args.size}` : "",
    args.exact ? "--exact" : "",
    args.timeoutSeconds !== undefined ? `--timeout ${args.timeoutSeconds}` : "",
    args.write ? "--write" : "",
    args.merge ? "--merge" : ""
  ].filter((s) => s.length > 0).join(" ")

const main = async () => {
  let args: Args
  try {
    args = parse(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`)
    process.exit(2)
  }
  const root = fileURLToPath(new URL("../../", import.meta.url))
  const latest = path.join(root, "bench", "results", "latest.json")
  if (args.render) {
    const results = JSON.parse(fs.readFileSync(latest, "utf8")) as Results
    fs.writeFileSync(path.join(root, "BENCHMARKS.md"), report(results))
    log(
      `rewrote BENCHMARKS.md from ${
        path.relative(root, latest)
      } (${results.rows.length} rows, measured ${results.date})`
    )
    return
  }
  const maxSize = SIZES.indexOf(args.size)
  const selected = groups.filter((g) =>
    args.only.includes(g.suite) && (args.exact ? g.size === args.size : SIZES.indexOf(g.size) <= maxSize)
  )
  const command = commandOf(args)
  const started = Date.now()
  const loadBefore = os.loadavg()
  log(`${command}: ${selected.length} groups (${selected.map((g) => g.name).join(", ")})`)
  const raw: Array<Row> = []
  for (const group of selected) {
    const t0 = Date.now()
    log(`${group.name} …`)
    raw.push(
      ...(await runGroup(group, {
        quick: args.quick,
        ...(args.timeoutSeconds === undefined ? {} : { timeoutSeconds: args.timeoutSeconds })
      }))
    )
    log(`${group.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }
  const rows = linkPairs(raw)
  const seconds = (Date.now() - started) / 1000
  const m = machine()
  process.stdout.write(`\n${table(rows)}\n\n`)
  process.stdout.write(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}, ${m.platform}\n`
  )
  const load = os.loadavg()
  process.stdout.write(
    `Load average: ${loadBefore.map((x) => x.toFixed(1)).join(" ")} before, ${
      load.map((x) => x.toFixed(1)).join(" ")
    } after (figures are only comparable on an otherwise idle machine)\n`
  )
  process.stdout.write(`Command: ${command}   (${seconds.toFixed(0)} s)\n`)
  if (args.quick) {
    process.stdout.write("Quick mode: smoke figures on small workloads, not comparable with a full run.\n")
  }
  const missed = rows.flatMap((r) =>
    r.targets.filter((t) => !t.met).map((t) => `${r.suite} ${r.ours.label}: ${t.text}`)
  )
  if (missed.length > 0) process.stdout.write(`Targets missed (${missed.length}): ${missed.join("; ")}\n`)
  if (args.write) {
    let all: ReadonlyArray<Row> = rows
    let commands = [command]
    let totalSeconds = seconds
    if (args.merge && fs.existsSync(latest)) {
      const previous = JSON.parse(fs.readFileSync(latest, "utf8")) as Results
      const ran = new Set(selected.map((g) => g.name))
      const kept = previous.rows.filter((r) => r.group === undefined || !ran.has(r.group))
      const order = (r: Row) => groups.findIndex((g) => g.name === r.group)
      all = linkPairs([...kept, ...rows].sort((a, b) => order(a) - order(b)))
      // A command run again replaces its earlier mention.
      commands = [...(previous.commands ?? [previous.command]).filter((c) => c !== command), command]
      totalSeconds += previous.seconds
    }
    const results: Results = {
      command: commands.join(" && "),
      commands,
      seconds: totalSeconds,
      machine: m,
      load: { before: loadBefore, after: os.loadavg() },
      versions: versions(),
      date: new Date().toISOString(),
      quick: args.quick,
      rows: all
    }
    fs.mkdirSync(path.dirname(latest), { recursive: true })
    fs.writeFileSync(latest, JSON.stringify(results, null, 2) + "\n")
    fs.writeFileSync(path.join(root, "BENCHMARKS.md"), report(results))
    log("wrote BENCHMARKS.md and bench/results/latest.json")
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
