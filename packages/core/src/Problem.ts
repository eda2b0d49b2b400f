/**
 * Errors of the core, each with a readable message: what was wrong, where, and what is
 * expected. A rejected write lists every problem it found, each with the position of the
 * item in the batch and the path of the field.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * What kind of problem an item has.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Code = Schema.Literal(
  "invalid",
  "not-found",
  "duplicate-national-id",
  "conflict",
  "out-of-scope",
  "not-allowed"
)

/** @since 0.1.0 @category models */
export type Code = typeof Code.Type

/**
 * One problem with one item: where it is (`index` in the batch, `path` to the field), a code,
 * and a message a person can act on. `existing` names the record a duplicate collides with.
 *
 * @since 0.1.0
 * @category models
 */
export class Problem extends Schema.Class<Problem>("Problem")({
  index: Schema.optionalWith(Schema.Int, { exact: true }),
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  code: Code,
  message: Schema.String,
  existing: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * A write refused as a whole: nothing was written. Lists every problem found.
 *
 * @since 0.1.0
 * @category errors
 */
export class Rejected extends Schema.TaggedError<Rejected>()("Rejected", {
  problems: Schema.Array(Problem)
}) {
  override get message(): string {
    const shown = this.problems.slice(0, 5).map((p) =>
      `${p.index === undefined ? "" : `#${p.index} `}${p.path.length > 0 ? p.path.join(".") + ": " : ""}${p.message}`
    )
    const more = this.problems.length > 5 ? `; and ${this.problems.length - 5} more` : ""
    return `Rejected, nothing written: ${shown.join("; ")}${more}`
  }
}

/**
 * The storage behind a port failed (I/O, corruption, a bug): not the caller's fault.
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  reason: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `Storage failed: ${this.reason}`
  }
}

/**
 * The problems in a Schema `ParseError`, one per failing field.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromParseError = (error: ParseResult.ParseError, index?: number): Array<Problem> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
    new Problem({
      ...(index === undefined ? {} : { index }),
      path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      code: "invalid",
      message: issue.message
    }, { disableValidation: true })
  )

/**
 * A problem from its parts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  code: Code,
  message: string,
  options: { readonly index?: number; readonly path?: ReadonlyArray<string | number>; readonly existing?: string } = {}
): Problem =>
  new Problem({
    ...(options.index === undefined ? {} : { index: options.index }),
    path: options.path ?? [],
    code,
    message,
    ...(options.existing === undefined ? {} : { existing: options.existing })
  }, { disableValidation: true })
