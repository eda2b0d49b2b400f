/**
 * Renders `RELIABILITY.md` at the repository root from the figures the suite wrote to
 * `.results/<mode>/*.json` and from vitest's JSON report of the same run
 * (`.results/<mode>/vitest.json`), for the CI run and, when there is one, the soak run.
 * Nothing in it is typed by hand but the explanations of the checks.
 *
 *   npx vitest run packages/adapter-http/test/reliability \
 *     --reporter=default --reporter=json \
 *     --outputFile.json=packages/adapter-http/test/reliability/.results/ci/vitest.json
 *   node --import tsx packages/adapter-http/test/reliability/render.ts
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { ROOT } from "./Processes.js"
import { resultsOf } from "./Summary.js"

const load = (dir: string) => {
  const read = (name: string): any => {
    const file = path.join(dir, `${name}.json`)
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined
  }
  return {
    badInput: read("bad-input"),
    authorisation: read("authorisation"),
    concurrency: read("concurrency"),
    crash: read("crash"),
    personal: read("personal-data"),
    vitest: read("vitest")
  }
}

type Run = ReturnType<typeof load>

interface TestResult {
  readonly file: string
  readonly title: string
  readonly status: string
  readonly ms: number
  readonly failure?: string
}

const testsOf = (vitest: any): ReadonlyArray<TestResult> =>
  (vitest?.testResults ?? []).flatMap((file: any) =>
    file.assertionResults.map((t: any) => ({
      file: path.basename(file.name),
      title: t.fullName,
      status: t.status,
      ms: t.duration ?? 0,
      ...(t.failureMessages?.length > 0 ? { failure: String(t.failureMessages[0]).split("\n")[0] } : {})
    }))
  )

const n = (x: unknown) => (typeof x === "number" ? x.toLocaleString("en-US") : x === undefined ? "—" : String(x))
const sum = (...xs: Array<unknown>) => xs.reduce<number>((s, x) => s + (typeof x === "number" ? x : 0), 0)
const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ")

const lines: Array<string> = []
const out = (s = "") => lines.push(s)

const renderRun = (title: string, command: string, run: Run) => {
  const { authorisation, badInput, concurrency, crash, personal, vitest } = run
  const tests = testsOf(vitest)
  const failed = tests.filter((t) => t.status === "failed")
  const wall = vitest?.testResults?.length > 0
    ? Math.round((Math.max(...vitest.testResults.map((f: any) => f.endTime)) - vitest.startTime) / 1000)
    : undefined
  const machine = [badInput, authorisation, concurrency, crash, personal].find((s) => s?.loadAverage !== undefined)

  out(`## ${title}`)
  out()
  out("```sh")
  out(command)
  out("```")
  out()
  out(
    `- Started ${vitest?.startTime ? new Date(vitest.startTime).toISOString() : "(no vitest report)"}, Node ${
      badInput?.node ?? "—"
    }.`
  )
  out(
    `- Tests: ${tests.length - failed.length} passed, ${failed.length} failed, of ${tests.length}; wall time ${
      n(wall)
    } s.`
  )
  if (machine !== undefined) {
    out(
      `- Machine: ${machine.cpus} CPUs, load average ${machine.loadAverage.join(" / ")} (1 / 5 / 15 min) while it ran.`
    )
  }
  out()
  out("| | figure |")
  out("| --- | --- |")
  out(
    `| malformed requests tried, over ${n(badInput?.endpoints)} endpoints (every corner case + random cases) | ${
      n(badInput?.casesTried)
    } (${n(badInput?.cornerCases)} + ${n(badInput?.randomCases)}) |`
  )
  out(`| replies to them that broke the contract (not the structured 4xx expected) | ${n(badInput?.violations)} |`)
  out(`| 5xx replies to malformed requests | ${n(badInput?.fiveHundreds)} |`)
  out(
    `| tables changed by malformed requests | ${
      badInput === undefined ? "—" : badInput.tablesChanged.length === 0 ? "none" : badInput.tablesChanged.join(", ")
    } |`
  )
  out(
    `| authorisation requests (aimed out of scope; attacks) | ${n(authorisation?.requests)} (${
      n(authorisation?.outOfScopeAttempts)
    }; ${n(authorisation?.attacks)}) |`
  )
  out(
    `| faults injected: SIGKILL of a writer process; of a server process | ${n(crash?.writer?.kills)}; ${
      n(crash?.server?.kills)
    } |`
  )
  out(
    `| acknowledged visits of the killed writers; acknowledged batches lost | ${
      n(crash?.writer?.visitsAcknowledged)
    }; ${n(sum(crash?.writer?.batchesLost, crash?.server?.batchesLost))} |`
  )
  out(`| partial batches found after the kills | ${n(crash?.server?.partialBatches)} |`)
  out(
    `| leaks: out-of-scope records or personal data in replies; personal data in the log | ${
      n(sum(authorisation?.leaks, personal?.auditorLeaks))
    }; ${n(personal?.logLeaks)} |`
  )
  out(
    `| same batch posted 3× at once: posts, visits stored, audit rows | ${
      n(concurrency?.idempotency?.postsOfTheSameBatch)
    }, ${n(concurrency?.idempotency?.visitsStored)}, ${n(concurrency?.idempotency?.auditRows)} |`
  )
  out(
    `| load on 2 processes: requests; 5xx; SQLITE_BUSY in the logs | ${n(concurrency?.load?.requests)}; ${
      n(concurrency?.load?.["5xx"])
    }; ${n(concurrency?.load?.busyInLogs)} |`
  )
  out(
    `| visits acknowledged under load and not stored | ${
      concurrency?.load === undefined
        ? "—"
        : n(
          concurrency.load.visitsAcknowledged -
            Math.min(concurrency.load.visitsAcknowledged, concurrency.load.visitsStored)
        )
    } |`
  )
  out()

  if (badInput !== undefined) {
    out(`### Bad input`)
    out()
    out(
      `Seed ${badInput.seed}. Mutations the endpoint's own schema still accepts were discarded (${
        n(badInput.discardedAsValid)
      }), so every case tried is malformed. Statuses: ${
        Object.entries<number>(badInput.statuses).map(([s, c]) => `${s === "-1" ? "no reply" : s} ${n(c)}`).join(", ")
      }.`
    )
    out()
    out("| mutation | cases |")
    out("| --- | --- |")
    for (const [k, v] of Object.entries<number>(badInput.perMutation).sort((a, b) => b[1] - a[1])) {
      out(`| ${k} | ${n(v)} |`)
    }
    out()
    if (badInput.endpointsWithGeneratedTemplates.length > 0) {
      out(
        `Endpoints fuzzed from a template generated from their schemas: ${
          badInput.endpointsWithGeneratedTemplates.map((k: string) => `\`${k}\``).join(", ")
        }.`
      )
      out()
    }
    if (badInput.distinctViolations.length > 0) {
      out("Replies that broke the contract, grouped:")
      out()
      for (const v of badInput.distinctViolations) out(`- ${cell(v)}`)
      out()
    }
  }
  if (crash !== undefined) {
    out("### Crash safety")
    out()
    const w = crash.writer
    if (w !== undefined) {
      out(
        `The SQLite adapter's writer process was killed with SIGKILL ${w.kills} times on one file (${w.killedEarly} right after start-up, the others some milliseconds into a batch) and restarted each time. ${
          n(w.batchesAcknowledged)
        } batches (${n(w.visitsAcknowledged)} visits) were acknowledged and ${n(w.batchesLost)} lost; ${
          n(w.batchesCutInFlight)
        } batches cut by a kill left no row; ${n(w.batchesWithoutAudit)} stored batches lack audit rows.`
      )
      out()
    }
    const s = crash.server
    if (s !== undefined) {
      out(
        `The HTTP server was killed ${s.kills} times while three clients posted batches of 50 visits: ${
          n(s.batchesSent)
        } sent, ${n(s.batchesAcknowledged)} acknowledged, ${n(s.batchesLost)} acknowledged batches lost, ${
          n(s.partialBatches)
        } partial, ${
          n(s.committedButUnacknowledged)
        } committed without the client hearing back (a retry is answered \`replayed\`).`
      )
      out()
    }
  }
  if (concurrency?.load !== undefined) {
    const l = concurrency.load
    out("### Concurrency")
    out()
    out(
      `Two server processes on one SQLite file, busy timeout 1 ms (the adapter's own retries do the work); autocannon on 127.0.0.1, ${l.connectionsPerServer} connections per process for ${l.seconds} s, 4 of 7 requests writes: ${
        n(l.requests)
      } requests, 2xx ${n(l["2xx"])}, 4xx ${n(l["4xx"])}, 5xx ${n(l["5xx"])}, errors ${n(l.errors)}, timeouts ${
        n(l.timeouts)
      }; \`SQLITE_BUSY\` or \`database is locked\` in the logs: ${n(l.busyInLogs)}; visits acknowledged ${
        n(l.visitsAcknowledged)
      }, stored ${n(l.visitsStored)} (the rest were in flight when the load stopped).`
    )
    out()
  }
  if (personal !== undefined) {
    out("### Personal data")
    out()
    out(
      `The auditor read ${n(personal.auditorResponses)} replies (${
        n(personal.auditorBytes)
      } characters): unmasked values found ${n(personal.auditorLeaks)}. The server's log (${
        n(personal.logLines)
      } lines) had ${n(personal.logPatternMatches)} matches of /\\d{17}[\\dX]/ or /1[3-9]\\d{9}/, ${
        n(personal.logPatternMatchesOfData)
      } of them values of the data.`
    )
    out()
  }
  out("### Tests")
  out()
  out("| file | test | result | ms |")
  out("| --- | --- | --- | --- |")
  for (const t of tests) out(`| ${t.file} | ${cell(t.title)} | ${t.status} | ${n(Math.round(t.ms))} |`)
  out()
  if (failed.length > 0) {
    out("Failures:")
    out()
    for (const t of failed) out(`- **${cell(t.title)}**: ${cell((t.failure ?? "").slice(0, 400))}`)
    out()
  }
}

const reportFlags = (mode: string) =>
  `--reporter=default --reporter=json --outputFile.json=packages/adapter-http/test/reliability/.results/${mode}/vitest.json`

out("# Reliability and security")
out()
out("Generated by `node --import tsx packages/adapter-http/test/reliability/render.ts` from the figures that")
out("the reliability suite (`packages/adapter-http/test/reliability/*.test.ts`) wrote in the runs below;")
out("do not edit by hand. `MINQING_FUZZ_SEED` and `MINQING_FUZZ_CASES` change the malformed-request sample.")
out()
const ci = load(resultsOf("ci"))
const soak = load(resultsOf("soak"))
if (ci.vitest !== undefined || ci.badInput !== undefined) {
  renderRun("CI run", `npx vitest run packages/adapter-http/test/reliability ${reportFlags("ci")}`, ci)
}
if (soak.vitest !== undefined || soak.badInput !== undefined) {
  renderRun(
    "Soak run",
    `MINQING_SOAK=1 npx vitest run packages/adapter-http/test/reliability ${reportFlags("soak")}`,
    soak
  )
}

fs.writeFileSync(path.join(ROOT, "RELIABILITY.md"), lines.join("\n"))
console.log(`RELIABILITY.md written (${lines.length} lines)`)
