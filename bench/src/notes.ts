/**
 * What BENCHMARKS.md says about each target when it is missed (why, and what would close it),
 * and how each row is measured. Written from profiling actual runs; a missed target without
 * a note here is printed as "not analysed yet".
 */

/** Why a target was missed and what would close it, by target key. */
export const NOTES: Readonly<Record<string, { readonly why: string; readonly fix: string }>> = {
  "rules.full": {
    why: "the facts are indexed inside the timed call, as the row requires: every one of S's ~160k visits has its " +
      "instant read once (a DateTime and its boxed number per visit, scattered over the heap: the largest single " +
      "item of a CPU profile, a fifth to a third of the engine's samples under load), then only the visits of the " +
      "days the windows reach (3 for today's tasks, ~5,400 visits) are filed, in one pass, into lists of their " +
      "size; then 8 rules × 1,800 households build applicability and recurrences, and 6,131 tasks are made with " +
      "their explanations (words and fact references: most of what a call allocates, so the collector's share " +
      "of a CPU profile grows with the machine's load). The indexed row below is the same evaluation without " +
      "reading every visit.",
    fix: "keep an engine (`Engine.make` once, `Engine.update` per new fact, `Engine.moveTo` per date), as a " +
      "server or a device would: the indexed row is the same evaluation without the read of every visit; or give " +
      "the engine the visits' instants as numbers (a column, as the SQLite adapter reads them) or sorted by " +
      "instant, so it finds the days it needs without reading every visit; `Engine.views` when a caller does not " +
      "read explanations."
  },
  "rules.full.indexed": {
    why: "every household's rules are re-run for the new date: 8 rules × 1,800 households, each building its " +
      "applicability and recurrence before it looks at the window.",
    fix: "skip households whose applicable subjects and visits cannot change the tasks of the new date."
  },
  "rules.vs-json-rules-engine": {
    why: "neither side holds a timed call's result into the next call (as in row rules.full); the tasks compared " +
      "come from one more call of each. Minqing's call indexes the facts it is given (all 160k visits' instants " +
      "read once, about 30% of its engine samples for these three rules) and builds every task's explanation " +
      "(4,274 tasks, about 3.2 MB: words, explanation objects, fact references), while the baseline evaluates only " +
      "the subjects and days that can have a task (about 22k engine runs). A caller that holds one result while " +
      "the next call allocates pays more on either side: the held result is copied and promoted by each of the " +
      "next call's scavenges (`node --trace-gc` shows it).",
    fix: "explanations built when first read (the words from the subject and its household, which the facts hold " +
      "anyway) and fact references shared within a call; callers that need only states can read `Engine.views`. " +
      "Visits whose instants come as numbers or sorted would spare the read of every visit, and an engine that is " +
      "kept evaluates without it."
  },
  "coverage.S": {
    why: "the target row computes the tasks in the call: the rules engine evaluates the whole pack (8 rules × 1,800 " +
      "households) over the period for the three task metrics (compliance, elderly check-ins, workload), about 33,000 " +
      "task views, and a CPU profile of the call puts the engine and the collector's work on its garbage at about half. " +
      "The coverage engine's own part is the row with the tasks held: one pass over every one of the 160k visits to " +
      "bucket them by day (no order is guaranteed in Facts; the rules engine shares the buckets), the period's visits " +
      "filed by household, then ~100k judgements (household screening 8 × 1,800, decoction 7 × 1,800, vaccination " +
      "4 × ~4,400 residents, compliance ~31,000 tasks…) counted in one pass; member lists are made only when a reader " +
      "opens one. The two rows below split the call: without the task metrics (no rules engine) and with the " +
      "tasks already held.",
    fix: "a faster cold rules engine (the rules row's work: the same evaluation, and most of the garbage), or a kept " +
      "engine whose tasks the report reads (the held-tasks row); then the visits' instants read once per call " +
      "(a store that hands visits in time order, or their local days, would let the report find the period without " +
      "reading all 160k)."
  },
  "coverage.S.sqlite": {
    why: "the task metrics read the kept task state (SQL over its tallies, no rules engine, no decoding; the state " +
      "is brought current before the timing, as a running server keeps it: row coverage.sqlite.task-state), so the " +
      "report is mostly the row without the task metrics: statements that read a row per household-day or per " +
      "resident (each household's visits of the period in one pass for the screening masks and visits per liaison, " +
      "each household's decoction observations into a mask of the days it was served, the vaccination population " +
      "with one search of the checks' index per resident), then the task tallies, decoding the scope's places and " +
      "liaisons, and the figures of 17 metrics x 67 places in JavaScript.",
    fix: "summaries kept where the rows change instead of read per report: per household, masks of the days it " +
      "was contacted and served decoction (screening counts distinct households over the period, so per-day " +
      "counts cannot be summed); per grid and day, visits by liaison; per grid, the vaccination population by age " +
      "band and dose count. Kept like the task tallies of migration 8 (recounted for the grids a write marks, so " +
      "ingest does not pay per visit), exact for as-of dates after the last late upload, with the current " +
      "statements for the others."
  },
  "coverage.M": {
    why: "the SQL of the 14 metrics that are not tasks: a CPU profile of the report (node --cpu-prof) has about " +
      "three quarters of it inside SQLite, in four statements that read rows per household-day or per resident: " +
      "decoction served (the period's ~636,000 decoction observations of the M file, read in index order into a " +
      "mask of the days each household was served), the one pass over each household's visits of the period " +
      "(~681,000) that gives the screening masks and visits per liaison, the vaccination population (~235,000 " +
      "residents of target age, each with one search of the vaccination checks' index) and the task tallies " +
      "(~157,000 tally rows grouped by grid and rule). The rest is JavaScript: the roll-up and the figures of 17 " +
      "metrics x 3,411 places, and decoding the scope's places and liaisons. Bringing the kept task state current " +
      "is not in the figure (row coverage.sqlite.M.task-state).",
    fix: "not reading those rows per report at all: the summaries of the S row's note (per-household masks of " +
      "the days contacted and served decoction, per-grid daily visits by liaison, per-grid vaccination tallies by " +
      "age band and dose count), so a report reads a row per household or grid rather than per household-day and " +
      "resident. The < 1 s target needs them."
  },
  "coverage.M.ratio": {
    why: "the baseline computes two figures (screening and vaccination); the pushdown computes seventeen, and its " +
      "visits per liaison, decoction and task metrics are work the baseline does not do. The screening and " +
      "vaccination statements alone are within the 2× (see the M note for each statement's share).",
    fix: "the same as for the M time: the summaries of the S row's note."
  },
  "coverage.M.rss": {
    why: "each timed report starts from a collected heap, so the peak is the process before the report (runtime, " +
      "modules, the kept task state checked) plus one report: the ~58,000 figures it builds (17 metrics x 3,411 " +
      "places, with strata and daily series) and the rows it reads meanwhile. Without collecting between reports, " +
      "V8 lets its old generation grow by about a report's worth each time before a full collection, so a process " +
      "serving reports back to back shows a higher peak than one report needs.",
    fix: "bound the old generation of a process that serves reports (node --max-old-space-size), or read fewer " +
      "rows per report (the summaries of the coverage S row's note)."
  },
  "storage.ingest": {
    why: "SQLite's own work and the commits, then the JavaScript of the check. A visit costs a visit row (the " +
      "table and three indexes: id, seq, by household), its observation rows (bound from the decoded visit, in the " +
      "table clustered by household and, for vaccination checks, migration 9's index), an audit row, and since " +
      "migration 10 a share of one placement row: visits written one after the other at one grid are placed by one " +
      "row (the grid, the run's first and last seq) that the change feed and the audit by subtree expand through " +
      "the visits' seq, so a batch of this row (one day's visits in household order) writes a few dozen placement " +
      "rows instead of 1,000, and no longer the by-seq index of placements that no reader used. Each of the 18 " +
      "commits (synchronous FULL) writes back every page its batch touched: one day's visits spread over half the " +
      "households, so each batch rewrites most leaf pages of the household-ordered B-trees (observations, visits " +
      "by household, visits by id, the checks index), where the raw baseline, one transaction, writes each page " +
      "once; one commit in the run also checkpoints the log. Then the check (the fast encoder building each " +
      "visit's encoded form and JSON), the lookups (a stored version's JSON is read and decoded once, when first " +
      "met after it was committed), Effect and the collector. Interleaved runs of `pnpm bench --only storage` " +
      "against the code before migration 10, three each, load 2.1-2.4: 17,210, 19,765 and 20,762 rows/s (0.25, " +
      "0.27 and 0.29×) against 16,000, 15,581 and 18,290 (0.23, 0.23 and 0.25×), medians +24%; the raw baseline " +
      "gave 68k-74k rows/s on both sides. The raw baseline writes two tables with three indexes and commits once.",
    fix: "for a bulk import, batches larger than 1,000 (the commits are the largest part, and each rewrites the " +
      "pages the batch's households share); one audit row per run of visits, which `Store.audit` would expand " +
      "into its entries: the visits and placements tables must first be rebuilt without their foreign keys to " +
      "`audit` (better-sqlite3 runs SQLite in defensive mode, so the schema cannot be edited in place), a " +
      "rewrite of the whole file at M, in which visits could also be keyed by seq (one index less); larger pages " +
      "(fewer frames a commit, but every read changes: only with read measurements); a visit encoder of its own " +
      "(the general walk checks each refinement)."
  },
  "storage.worklist.p50": {
    why: "the adapter keeps tasks in the file (`SqliteTaskState`) and a read is one SQL statement on the " +
      "connection, without a transaction (one statement reads one snapshot): the scope (the liaison, who else could " +
      "own their households, the places above their grids), each grid's freshness, the open tasks with their " +
      "explanations and the stops' households, with the prepared statement reused for every read of its shape and " +
      "stored rows decoded once per content; then `Worklist.fromTasks`. Interleaved with the eight-statement read it " +
      "replaced, on a copy of M (load ~10): median 0.74 ms against 1.16, CPU per read 1.05 ms against 1.89. About " +
      "half of what is left is SQLite's own work (index lookups of ~100 task rows and their explanations, which a " +
      "read over 400 grids in turn finds less often in the page cache), the rest Effect and building the list. A " +
      "grid read for the first time computes and stores its tasks (the first-read median in the note).",
    fix: "a covering index for \"open on a date in these grids\" (the statement now reads each candidate task " +
      "row twice from the table); the stops' address and route position kept with the tasks instead of reading " +
      "households; reading grids a liaison is likely to ask for ahead of time (at the start of a day) so no " +
      "request pays a first read."
  },
  "storage.worklist.p99": {
    why: "timed reads find their grids current, so the slow ones are not SQL work: on a copy of M interleaved with " +
      "the old read (load ~10), the CPU time per read has p99 7.8 ms (18.4 before) while the wall-clock p99 is " +
      "28 ms (39 before): the gap is the process waiting for one of 2 cores shared by 10+ runnable jobs, and " +
      "collector pauses. The same A/B at load ~3.5: p99 3.3 ms against 11.1, median 0.63 against 0.97. A read after a write re-evaluates the households it marked unless the background refresh " +
      "(once writes pause for 1 s) got there first (note: 50 reads after a mark written behind the store's back).",
    fix: "run on an otherwise idle machine; fewer allocations per read (task objects and explanations are made " +
      "afresh per read; a list could reuse them while their rows are unchanged)."
  },
  "http.worklist.S": {
    why: "the worklist is the storage row's one statement; the response is the core's worklist written as JSON " +
      "(no encoder pass: it is already valid and in encoded form) and the effective pack is kept between requests. " +
      "What is left per request is the HttpApi pipeline (middleware, routing, URL-parameter decoding), " +
      "authentication (token hash, two lookups and their decoding), writing a body of about 20 KB (each open task " +
      "with its explanation) and the collector. On a loaded machine (load 10-12) the server's CPU per GET was " +
      "4.7 ms at S against the bare server's 4.9 (both measured from /proc over the same run); on a copy of M at " +
      "load ~4.5, 295 req/s against the bare server's 205 (CPU per GET 2.9 ms against 3.0). Wall-clock ratios " +
      "swing with the load.",
    fix: "keep verified sessions for a short time per token (invalidated on any account or token change), and " +
      "let a client ask for a worklist without explanations (fetching them per task when shown)."
  },
  "http.visits.S": {
    why: "each POST pays the ingest row's per-visit SQL (visit and observation rows, audit rows, one placement row " +
      "for its 50 visits, which are one liaison's and so one run at one grid since migration 10, lookups, the task " +
      "state's stale marks) and WriteCheck for 50 visits, the bearer token's lookup and the HttpApi stack; the " +
      "payload decodes through the core's compiled fast path (`WriteCheck.fastDecoding`, Effect's parser only for " +
      "a batch it refuses) and the receipts are not validated again. Both servers wait for a sync of the log " +
      "before answering (synchronous FULL), but Minqing's concurrent POSTs share it (group commit) where the bare " +
      "server syncs once per request. On a shared machine both servers get a fraction of a core and the ratio " +
      "swings: ten runs of `pnpm bench --only http` alternating with the code before migration 10, load 1.6-2.1, " +
      "gave 175, 128, 133, 155 and 163 req/s (median 155, 0.47×) against 165, 171, 145, 168 and 145 (median " +
      "165, 0.53×), the bare server between 263 and 403 req/s; two earlier pairs at load 2-3 went the other way " +
      "(164 and 96 against 103 and 102). Per-statement times of the same write path say each POST does less " +
      "(one placement row instead of 50, cheaper audit rows, lookups without the stored text of decoded " +
      "versions); a difference of this size needs an idle machine to be seen.",
    fix: "the ingest row's remaining levers (one audit row per run of visits, less allocation in the check); " +
      "encoding the receipts without Effect's parser; fewer Effect steps in the authentication middleware."
  },
  "http.visits.M": {
    why: "what the S row pays, on a file of 3M visits: the 50 visits of a POST land in 50 places of each " +
      "household-ordered B-tree (the visits' id and by-household indexes, the observations), pages that are mostly " +
      "not in SQLite's 16 MB cache (not measured page by page: the expected cost of random inserts into large " +
      "indexes), so a batch reads them and writes them back; the bare server's indexes pay that too, fewer times. " +
      "Migration 7 takes one such index (audit by id) and the trigger off each visit.",
    fix: "as for S; past that, visit ids that sort by time (a client could prefix the day) would turn the by-id " +
      "index into appends."
  },
  "scenario.make": {
    why: "the build keeps ~160k visits (each with its id and, for ~93k, a list of observations) and ~63k distinct " +
      "instants alive, about 33 MB, so a third of a CPU profile is the garbage collector copying them out of the " +
      "young generation; the rest is walking 1,800 households × 90 days. On a machine shared with other jobs the " +
      "figure is several times the idle one: the parallel collector's helper threads wait for a core too.",
    fix: "run on an otherwise idle machine; past that, fewer live objects per visit (instants are already shared " +
      "per minute of a day, and equal observations between visits), or `Scenario.roster` plus `Scenario.visits` a " +
      "day at a time where the whole history need not be held."
  },
  "scenario.make.first": {
    why: "the first call also pays for compiling the builder (unoptimised code for the first thousands of visits) " +
      "and for growing the heap from its initial size; the repeated-call row is the same work warm.",
    fix: "the same as for the repeated call; a test file pays this once and shares the scenario between its tests."
  }
}

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
  "\"SQLite\" is the adapter's pushdown, `SqliteCoverage.report` (the same report, figures only: SQL aggregates, " +
  "the three task metrics as SQL over the kept task state's tallies), the store opened once outside the timing, " +
  "on a file whose kept task state was brought current before (one report of the task metrics, as a running " +
  "server keeps it; idempotent, nothing to do when current); its note says whether every figure equals the " +
  "in-memory report's. The task-state row times that step after one day of writes (the households visited on the " +
  "last day marked stale as those writes mark them, without writing: every grid at S, 200 grids at M, scaled in " +
  "the note) and gives the time from nothing, measured once when the cached file was first prepared and kept " +
  "beside it (`*.task-state.json`). The baseline is hand-written SQL on raw better-sqlite3 over " +
  "its own schema: household screening (count, daily series, the list of households missed) and vaccination " +
  "(population, ≥ 1 dose, primary course, booster); the note checks its figures equal Minqing's.",
  "**Coverage at M** is the pushdown in a process of its own, so its peak RSS (the kernel's high-water mark, " +
  "`maxRSS`) is the report's own; the SQL baseline runs in another process and the ratio is taken between the two " +
  "medians. A row without the three task metrics follows each SQLite report; the task state is brought current " +
  "in a group of its own before (coverage-tasks:M).",
  "**Storage, ingest**: the last 10 days of S's visits written through `SqliteStore` (default options, synchronous " +
  "FULL) in batches of 1,000 into a file already holding the roster, against the same visits inserted with raw " +
  "prepared statements (visit and observation rows) in one transaction (WAL, synchronous FULL); rows per second, " +
  "each repetition on a fresh copy of the file.",
  "**Storage, worklist**: one liaison's worklist for today through the adapter, as the HTTP server asks for it: " +
  "`TaskState.worklist` of `SqliteStore.layer` (tasks kept in the file) with the liaison's actor (scope: their grid) " +
  "and the built-in pack; many liaisons in turn, each call timed alone. The run first empties the file's task " +
  "tables and reads each sampled grid once, untimed (the note gives that first read's median: it computes and stores " +
  "the grid's tasks), so the timed reads find current tasks, as in a deployment whose liaisons read their lists " +
  "daily; the timed reads start from a collected heap (the first reads' garbage is not charged to them); the note " +
  "also gives the median of a read after a write marked one household of the grid stale. At M the process keeps " +
  "only the sampled liaisons and the dates, not the roster they were drawn from.",
  "**HTTP**: the real server (`Server.layer` over `SqliteStore`, whose kept task state answers the worklist, bearer " +
  "tokens of liaison accounts, request log off; at start it reads each bench liaison's worklist once, so their " +
  "grids' tasks are kept) and a bare `node:http` server with raw better-sqlite3, each in its own process on 127.0.0.1, loaded by " +
  "autocannon (10 connections, 6 s after a 1 s warm-up) from the bench process: GET a liaison's worklist for today; " +
  "POST a batch of 50 new visits (fresh ids, so none is a replay). Throughput is autocannon's mean requests per " +
  "second; p99 is its latency percentile in ms. The bare worklist is one SQL query for the three core rules; the " +
  "bare POST parses JSON, checks a few fields and inserts in one transaction; both servers commit with synchronous " +
  "FULL, so each acknowledges a batch only once it would survive a power cut.",
  "**Scenario**: `Scenario.make({ size: \"S\" })` (seed 1: 1,800 households, ~5,400 residents, ~160k visits), timed " +
  "once as the first call of a fresh process and then after two warm-up builds, each build starting from a " +
  "collected heap with the previous scenario let go. For reference, `Scenario.roster` and then `Scenario.visits` a " +
  "day at a time with nothing kept; the note says whether two builds with the same seed hash alike (sha256 of their " +
  "JSON)."
]
