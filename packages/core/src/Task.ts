/**
 * Tasks: "this subject needs this kind of visit in this window", as a rule derives them from
 * the facts.
 *
 * A task is a plain object (the coverage engine reads tens of thousands of them), with a
 * `Task` schema for the edges (HTTP, files). Its id is derived from the rule, the subject and
 * the occurrence's due date, so recomputing the tasks, on any device, never duplicates one.
 * Its state is computed as of a date:
 *
 * | state | when |
 * | --- | --- |
 * | `upcoming` | the window has not opened |
 * | `due` | the window is open and the due date has not passed |
 * | `overdue` | the window is open, past the due date |
 * | `done` | a visit inside the window resolved it (once done, always done) |
 * | `missed` | the window closed unresolved |
 * | `cancelled` | the subject stopped applying before the window closed, unresolved |
 *
 * @since 0.1.0
 */
import * as Ord from "effect/Order"
import * as Schema from "effect/Schema"
import { HouseholdId, VisitId } from "./Ids.js"
import * as Labels from "./Labels.js"
import { LocalDate } from "./LocalDate.js"
import * as Recurrence from "./Recurrence.js"

/**
 * A task's state as of a date.
 *
 * @since 0.1.0
 * @category schemas
 */
export const State = Labels.literal("taskState")

/** @since 0.1.0 @category models */
export type State = typeof State.Type

/**
 * A task's priority.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Priority = Labels.literal("priority")

/** @since 0.1.0 @category models */
export type Priority = typeof Priority.Type

/**
 * A fact a task's explanation points at, by tag and id.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FactRef = Schema.Struct({
  tag: Schema.String,
  id: Schema.String
}).annotations({ identifier: "FactRef" })

/** @since 0.1.0 @category models */
export interface FactRef extends Schema.Schema.Type<typeof FactRef> {}

/**
 * Why a task exists: the rule and its version, the parameters it ran with (encoded, as JSON),
 * the facts that made it apply in words and by reference, the recurrence, and, when the
 * subject stopped applying, why.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Explanation = Schema.Struct({
  rule: Schema.String,
  version: Schema.Int,
  params: Schema.Unknown,
  because: Schema.Array(Schema.String),
  facts: Schema.Array(FactRef),
  recurrence: Recurrence.Recurrence,
  stopped: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "TaskExplanation" })

/** @since 0.1.0 @category models */
export interface Explanation extends Schema.Schema.Type<typeof Explanation> {}

/**
 * An inclusive window of local dates.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Window = Schema.Struct({ from: LocalDate, to: LocalDate }).annotations({ identifier: "TaskWindow" })

/** @since 0.1.0 @category models */
export interface Window extends Schema.Schema.Type<typeof Window> {}

/**
 * A task.
 *
 * - `id`: `rule:subject:due`, deterministic.
 * - `rule`, `subjectKind`, `subjectId`, `householdId`: what it is about (every subject
 *   belongs to a household, the unit of a door-knock).
 * - `due` and `window`: local dates; `window.from ≤ due ≤ window.to`.
 * - `resolvedBy` and `resolvedOn`: the first visit inside the window that resolved it, and
 *   its local date.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Task = Schema.Struct({
  id: Schema.String,
  rule: Schema.String,
  subjectKind: Schema.String,
  subjectId: Schema.String,
  householdId: HouseholdId,
  due: LocalDate,
  window: Window,
  priority: Priority,
  state: State,
  resolvedBy: Schema.optionalWith(VisitId, { exact: true }),
  resolvedOn: Schema.optionalWith(LocalDate, { exact: true }),
  explanation: Explanation
}).annotations({ identifier: "Task" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Task extends Schema.Schema.Type<typeof Task> {}

/**
 * The deterministic id of the occurrence of a rule for a subject due on a date.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeId = (rule: string, subjectId: string, due: LocalDate): string => `${rule}:${subjectId}:${due}`

/**
 * Whether a task is open as of its evaluation date: due or overdue.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isOpen = (task: Task): boolean => task.state === "due" || task.state === "overdue"

/**
 * Whether a task needs no more work: done, missed or cancelled.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSettled = (task: Task): boolean =>
  task.state === "done" || task.state === "missed" || task.state === "cancelled"

/**
 * Priority as a number: high 2, normal 1, low 0.
 *
 * @since 0.1.0
 * @category getters
 */
export const priorityRank = (priority: Priority): number => priority === "high" ? 2 : priority === "normal" ? 1 : 0

/**
 * The worklist order of tasks: higher priority first, then overdue before the rest, then
 * earlier due date, then rule and subject.
 *
 * @since 0.1.0
 * @category ordering
 */
export const Order: Ord.Order<Task> = Ord.make((a, b) => {
  const p = priorityRank(b.priority) - priorityRank(a.priority)
  if (p !== 0) return p < 0 ? -1 : 1
  const o = (b.state === "overdue" ? 1 : 0) - (a.state === "overdue" ? 1 : 0)
  if (o !== 0) return o < 0 ? -1 : 1
  if (a.due !== b.due) return a.due < b.due ? -1 : 1
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1
  return a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0
})

/**
 * Counts tasks by state.
 *
 * @since 0.1.0
 * @category getters
 */
export const countByState = (tasks: Iterable<Task>): Record<State, number> => {
  const out: Record<State, number> = { upcoming: 0, due: 0, overdue: 0, done: 0, missed: 0, cancelled: 0 }
  for (const t of tasks) out[t.state]++
  return out
}

/**
 * One line per task, for logs and test failures:
 * `household-sweep h-1 due 2021-05-10 [2021-05-10..2021-05-10] normal done by v-1`.
 *
 * @since 0.1.0
 * @category getters
 */
export const format = (task: Task): string =>
  `${task.rule} ${task.subjectId} due ${task.due} [${task.window.from}..${task.window.to}] ${task.priority} ${task.state}${
    task.resolvedBy === undefined ? "" : ` by ${task.resolvedBy} on ${task.resolvedOn}`
  }`
