import { type Fact, type Ids, LocalDate, Place, Problem, Store } from "@minqing/core"
import * as Effect from "effect/Effect"
import type { Forbidden, Invalid, NotFound, ServerError } from "../ApiError.js"
import { NotFound as NotFoundError } from "../ApiError.js"
import type { SessionShape } from "../Auth.js"
import { forbidden, invalid, serverError } from "./errors.js"

/** The longest span of dates one request may ask the engines about. */
export const MAX_SPAN_DAYS = 366

/** @internal */
export const checkSpan = (
  from: LocalDate.LocalDate,
  to: LocalDate.LocalDate,
  max: number = MAX_SPAN_DAYS
): Effect.Effect<void, Invalid> =>
  from > to
    ? Effect.fail(invalid([Problem.make("invalid", `"to" (${to}) is before "from" (${from})`, { path: ["to"] })]))
    : LocalDate.diffDays(from, to) + 1 > max
    ? Effect.fail(invalid([Problem.make("invalid", `at most ${max} days per request`, { path: ["to"] })]))
    : Effect.void

/**
 * Loads the facts the engines need for a place (default: the caller's whole scope) and a
 * span of dates, through the store and so within the caller's scope; visits from
 * `lookbackDays` before `from`. A place outside the caller's scope is refused (403), one
 * that does not exist (or that the caller cannot see at all) is a 404.
 *
 * @internal
 */
export const load = (
  session: SessionShape,
  options: {
    readonly placeId?: Ids.PlaceId | undefined
    readonly from: LocalDate.LocalDate
    readonly to: LocalDate.LocalDate
    readonly lookbackDays: number
    readonly asOf?: LocalDate.LocalDate | undefined
  }
): Effect.Effect<Fact.Facts, Forbidden | NotFound | ServerError, Store.Store> =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const placeId = options.placeId
    const facts = yield* store.load(session.actor, {
      ...(placeId === undefined ? {} : { scope: placeId }),
      window: { from: LocalDate.addDays(options.from, -options.lookbackDays), to: options.to },
      ...(options.asOf === undefined ? {} : { asOf: options.asOf })
    }).pipe(Effect.catchAll(serverError))
    if (placeId !== undefined) {
      const tree = Place.tree(facts.places)
      if (tree.get(placeId) === undefined) {
        return yield* new NotFoundError({
          message: `No place "${placeId}" within your scope.`,
          kind: "place",
          id: placeId
        })
      }
      if (!session.actor.scope.some((root) => tree.isWithin(placeId, root))) {
        return yield* forbidden(session.actor, `Place "${placeId}" is above your scope; ask for a place within it`)
      }
    }
    return facts
  })
