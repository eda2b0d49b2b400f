/**
 * Assertions as Effects, for suites the core ships without depending on a test runner: each
 * fails with an {@link AssertionFailed} whose message says what was expected and what came.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Problem from "../Problem.js"

/**
 * A failed assertion.
 *
 * @since 0.1.0
 * @category errors
 */
export class AssertionFailed extends Schema.TaggedError<AssertionFailed>()("AssertionFailed", {
  message: Schema.String
}) {}

/**
 * Fails with a message.
 *
 * @since 0.1.0
 * @category assertions
 */
export const fail = (message: string): Effect.Effect<never, AssertionFailed> =>
  Effect.fail(new AssertionFailed({ message }))

/**
 * Stable, readable text of a value: JSON with sorted keys, honouring `toJSON` (so dates and
 * `DateTime`s print as ISO strings), with `undefined` fields dropped.
 *
 * @since 0.1.0
 * @category utils
 */
export const show = (value: unknown): string => {
  const text = JSON.stringify(normalise(value))
  return text === undefined ? String(value) : text
}

const normalise = (value: unknown): unknown => {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    const json = (value as { toJSON: () => unknown }).toJSON()
    if (json !== value) return normalise(json)
  }
  if (Array.isArray(value)) return value.map(normalise)
  if (value instanceof Map) return normalise([...value.entries()])
  if (value instanceof Set) return normalise([...value.values()])
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = normalise(v)
    }
    return out
  }
  return value
}

/**
 * Passes when the condition holds.
 *
 * @since 0.1.0
 * @category assertions
 */
export const isTrue = (condition: boolean, message: string): Effect.Effect<void, AssertionFailed> =>
  condition ? Effect.void : fail(message)

/**
 * Passes when the two values are structurally equal (compared as {@link show} text).
 *
 * @since 0.1.0
 * @category assertions
 */
export const equal = <A>(actual: A, expected: A, what: string): Effect.Effect<void, AssertionFailed> => {
  const a = show(actual)
  const e = show(expected)
  return a === e ? Effect.void : fail(`${what}: expected ${truncate(e)}, got ${truncate(a)}`)
}

/**
 * Passes when the text contains the part.
 *
 * @since 0.1.0
 * @category assertions
 */
export const includes = (text: string, part: string, what: string): Effect.Effect<void, AssertionFailed> =>
  text.includes(part) ? Effect.void : fail(`${what}: expected text containing ${show(part)}, got ${show(text)}`)

/**
 * The value of a `Some`, or a failure.
 *
 * @since 0.1.0
 * @category assertions
 */
export const some = <A>(option: Option.Option<A>, what: string): Effect.Effect<A, AssertionFailed> =>
  Option.isSome(option) ? Effect.succeed(option.value) : fail(`${what}: expected a value, got none`)

/**
 * Passes on a `None`.
 *
 * @since 0.1.0
 * @category assertions
 */
export const none = <A>(option: Option.Option<A>, what: string): Effect.Effect<void, AssertionFailed> =>
  Option.isNone(option) ? Effect.void : fail(`${what}: expected none, got ${truncate(show(option.value))}`)

/**
 * Runs an effect that must fail with `Rejected`, and returns its problems.
 *
 * @since 0.1.0
 * @category assertions
 */
export const rejected = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  what: string
): Effect.Effect<ReadonlyArray<Problem.Problem>, AssertionFailed | Exclude<E, Problem.Rejected>, R> =>
  Effect.flatMap(
    Effect.either(effect),
    (result): Effect.Effect<ReadonlyArray<Problem.Problem>, AssertionFailed | Exclude<E, Problem.Rejected>> => {
      if (result._tag === "Right") return fail(`${what}: expected the write to be rejected, but it succeeded`)
      const error = result.left as unknown
      if (error !== null && typeof error === "object" && (error as { _tag?: unknown })._tag === "Rejected") {
        return Effect.succeed((error as Problem.Rejected).problems)
      }
      return Effect.fail(result.left as Exclude<E, Problem.Rejected>)
    }
  )

/**
 * The problem at this batch index with this code (and, if given, field path), or a failure
 * listing the problems there were.
 *
 * @since 0.1.0
 * @category assertions
 */
export const problem = (
  problems: ReadonlyArray<Problem.Problem>,
  expected: {
    readonly index?: number
    readonly code: Problem.Code
    readonly path?: ReadonlyArray<string | number>
  }
): Effect.Effect<Problem.Problem, AssertionFailed> => {
  const found = problems.find((p) =>
    p.code === expected.code &&
    (expected.index === undefined || p.index === expected.index) &&
    (expected.path === undefined || show(p.path) === show(expected.path))
  )
  return found !== undefined ? Effect.succeed(found) : fail(
    `expected a problem ${show(expected)}, got ${
      problems.length === 0
        ? "none"
        : problems.map((p) => `#${p.index ?? "-"} ${p.code} ${p.path.join(".")}: ${p.message}`).join("; ")
    }`
  )
}

const truncate = (text: string): string => (text.length > 600 ? text.slice(0, 600) + "…" : text)
