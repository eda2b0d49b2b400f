/**
 * What BENCHMARKS.md says about each target when it is missed (why, and what would close it),
 * and how each row is measured. Written from profiling actual runs; a missed target without
 * a note here is printed as "not analysed yet".
 */

/** Why a target was missed and what would close it, by target key. */
export const NOTES: Readonly<Record<string, { readonly why: string; readonly fix: string }>> = {}

/** How each row is measured (a bullet each). */
export const METHOD: ReadonlyArray<string> = [
  "**Workloads** come from the seeded scenario builder (`@minqing/core/testing` `Scenario`, seed 1): S is one " +
  "subdistrict (6 villages, 60 grids, 1,800 households, ~5,400 residents, 90 days, ~160k visits), M a district " +
  "(10 subdistricts, ~99,000 households, 30 days, ~3M visits). \"Today\" is the scenario's last day, 2021-05-14. " +
  "M and the SQLite files of S are built once through the adapter (roster, then visits a day at a time) into " +
  "bench/.data/ and reused while the scenario builder's output and the migrations are unchanged; the baseline's own file " +
  "holds the same facts in a hand-written schema.",
  "**Timing**: each case runs warm-up iterations, then timed ones (`performance.now()` around one call); the table " +
  "gives the median and, where a latency matters, the p99 (nearest rank). Each group of cases runs in its own child " +
  "process so heap and JIT state never leak between groups.",
  "**Rules, full evaluation**: `Engine.evaluate(BuiltInRules.pack, facts, { asOf: today, from: today, to: today })` " +
  "on the whole S scenario in memory — every task whose window overlaps today, with its state, resolving visit and " +
  "explanation; the facts are indexed inside the timed call.",
  "**Rules vs json-rules-engine**: the same call with a pack of the three rules household-sweep, " +
  "elderly-alone-checkin and vaccination-followup, against those three rules written for json-rules-engine 7 " +
  "(one `engine.run` per subject and day, the conditions on facts computed per subject and day, plain code finding " +
  "the resolving visit) over the same facts and dates. The note says whether both produced the same tasks.",
  "**Rules, incremental**: `Engine.update(engine, [visit])` on an engine built over S, one new contacted visit (with " +
  "a vaccination check) at a different household each time; each call timed alone.",
  "**Coverage**: `Coverage.compute` with every built-in metric (`BuiltInMetrics.all`, 17), scope the root, rolled up " +
  "over every place, the last 7 days as the period, as of today, tasks for compliance from the built-in pack. " +
  "\"SQLite\" loads the scope through `SqliteStore` (`Store.load`, the period plus 3 days of visits) and then " +
  "computes, the store opened once outside the timing. The baseline is hand-written SQL on raw better-sqlite3 over " +
  "its own schema: household screening (count, daily series, the list of households missed) and vaccination " +
  "(population, ≥ 1 dose, primary course, booster); the note checks its figures equal Minqing's.",
  "**Coverage at M** runs in a process of its own, so its peak RSS (the kernel's high-water mark, `maxRSS`) is the " +
  "report's own; the SQL baseline runs in another process and the ratio is taken between the two medians.",
  "**Storage, ingest**: the last 10 days of S's visits written through `SqliteStore` (default options, synchronous " +
  "FULL) in batches of 1,000 into a file already holding the roster, against the same visits inserted with raw " +
  "prepared statements (visit and observation rows) in one transaction (WAL, synchronous FULL); rows per second, " +
  "each repetition on a fresh copy of the file.",
  "**Storage, worklist**: one liaison's worklist for today through the adapter: `Store.load` with the liaison's " +
  "actor (scope: their grid) and the 90-day lookback the HTTP server uses, then `Worklist.make` with the built-in " +
  "pack; many liaisons in turn, each call timed alone.",
  "**HTTP**: the real server (`Server.layer` over `SqliteStore`, bearer tokens of liaison accounts, request log " +
  "off) and a bare `node:http` server with raw better-sqlite3, each in its own process on 127.0.0.1, loaded by " +
  "autocannon (10 connections, 8 s after a 1 s warm-up) from the bench process: GET a liaison's worklist for today; " +
  "POST a batch of 50 new visits (fresh ids, so none is a replay). Throughput is autocannon's mean requests per " +
  "second; p99 is its latency percentile in ms. The bare worklist is one SQL query for the three core rules; the " +
  "bare POST parses JSON, checks a few fields and inserts in one transaction."
]
