/**
 * The groups of cases, each run in its own child process. Light on purpose: the parent
 * imports this list, the child imports the suite module.
 */
import type { Group } from "./harness.js"

/** The suites, in the order they run. */
export const SUITES: ReadonlyArray<string> = ["rules", "coverage", "storage", "http", "scenario"]

/** Every group, S first; a group runs when its suite is selected and its size is at most `--size`. */
export const groups: ReadonlyArray<Group> = [
  { name: "rules:S", suite: "rules", size: "S", module: "./suites/rules.ts" },
  { name: "coverage:S", suite: "coverage", size: "S", module: "./suites/coverage.ts" },
  { name: "storage:S", suite: "storage", size: "S", module: "./suites/storage.ts" },
  { name: "http:S", suite: "http", size: "S", module: "./suites/http.ts" },
  { name: "scenario:S", suite: "scenario", size: "S", module: "./suites/scenario.ts" },
  { name: "coverage-tasks:M", suite: "coverage", size: "M", module: "./suites/coverage.ts" },
  { name: "coverage:M", suite: "coverage", size: "M", module: "./suites/coverage.ts" },
  { name: "coverage-sql:M", suite: "coverage", size: "M", module: "./suites/coverage.ts" },
  { name: "storage:M", suite: "storage", size: "M", module: "./suites/storage.ts" },
  { name: "http:M", suite: "http", size: "M", module: "./suites/http.ts" },
  { name: "coverage:L", suite: "coverage", size: "L", module: "./suites/coverage.ts" },
  { name: "coverage-sql:L", suite: "coverage", size: "L", module: "./suites/coverage.ts" },
  { name: "storage:L", suite: "storage", size: "L", module: "./suites/storage.ts" }
]
