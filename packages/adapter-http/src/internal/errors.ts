import type { Access } from "@minqing/core"
import { Problem } from "@minqing/core"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import { Conflict, Forbidden, Invalid, ServerError } from "../ApiError.js"
import { maskText } from "../Masking.js"

const describe = (problems: ReadonlyArray<Problem.Problem>): string => {
  const shown = problems.slice(0, 5).map((p) =>
    `${p.index === undefined ? "" : `#${p.index} `}${p.path.length > 0 ? p.path.join(".") + ": " : ""}${p.message}`
  )
  const rest = problems.slice(5).map((p) =>
    `${p.index === undefined ? "" : `#${p.index} `}${p.path.length > 0 ? p.path.join(".") : "(body)"}`
  )
  return shown.join("; ") + (rest.length > 0 ? `; and ${rest.length} more, at ${[...new Set(rest)].join(", ")}` : "")
}

/**
 * Problems as an answer shows them: a schema's message quotes the value it refused, which
 * may be a national ID or a phone number (the caller's own, or one they should not learn
 * this way), so anything that looks like one is masked.
 *
 * @internal
 */
export const maskProblems = (problems: ReadonlyArray<Problem.Problem>): ReadonlyArray<Problem.Problem> =>
  problems.map((p) => {
    const message = maskText(p.message)
    return message === p.message ? p : new Problem.Problem({ ...p, message }, { disableValidation: true })
  })

/** @internal */
export const invalid = (problems: ReadonlyArray<Problem.Problem>, lead = "Invalid request"): Invalid => {
  const masked = maskProblems(problems)
  return new Invalid({ message: `${lead}: ${describe(masked)}`, problems: masked })
}

/** @internal */
export const invalidFromParseError = (error: ParseResult.ParseError, index?: number): Invalid =>
  invalid(Problem.fromParseError(error, index))

/** @internal */
export const forbidden = (
  actor: Access.Actor,
  reason: string,
  problems: ReadonlyArray<Problem.Problem> = []
): Forbidden =>
  new Forbidden({
    message: `${reason} (your role: ${actor.role}; your scope: ${
      actor.scope.length === 0 ? "none" : actor.scope.join(", ")
    })`,
    role: actor.role,
    scope: actor.scope,
    problems: maskProblems(problems)
  })

/**
 * The API error for a write the store refused: 403 when anything was out of scope or not
 * allowed for the role, 409 for a conflicting replay or a duplicate national ID, 400
 * otherwise. Every problem is kept (masked, see {@link maskProblems}).
 *
 * @internal
 */
export const fromRejected = (rejected: Problem.Rejected, actor: Access.Actor): Invalid | Forbidden | Conflict => {
  const problems = maskProblems(rejected.problems)
  if (problems.some((p) => p.code === "out-of-scope" || p.code === "not-allowed")) {
    return forbidden(
      actor,
      `Refused, nothing written: ${
        describe(problems.filter((p) => p.code === "out-of-scope" || p.code === "not-allowed"))
      }`,
      problems
    )
  }
  if (problems.some((p) => p.code === "conflict" || p.code === "duplicate-national-id")) {
    return new Conflict({ message: `Conflict, nothing written: ${describe(problems)}`, problems })
  }
  return invalid(problems, "Refused, nothing written")
}

/** @internal */
export const serverError = (error: Problem.StoreError): Effect.Effect<never, ServerError> =>
  Effect.zipRight(
    Effect.logError("storage failed", maskText(error.reason)),
    Effect.fail(
      new ServerError({ message: "The server's storage failed; nothing the request did caused it. Retry later." })
    )
  )

/**
 * Maps the store's errors of a write to API errors.
 *
 * @internal
 */
export const mapWriteError = (actor: Access.Actor) =>
(
  error: Problem.Rejected | Problem.StoreError
): Effect.Effect<never, Invalid | Forbidden | Conflict | ServerError> =>
  error._tag === "Rejected" ? Effect.fail(fromRejected(error, actor)) : serverError(error)
