/**
 * Handlers of the fact endpoints: list, get and save for places, liaisons, households,
 * residents, visits (with the all-or-nothing batch), arrival reports, matters and campaigns.
 * Every call passes the caller's `Actor` to the store, which bounds it to their scope;
 * personal data is masked on the way out unless the caller may see it.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Access, type Fact, type LocalDate, Problem, Store, type Visit } from "@minqing/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Api, type ArrivalReportView, type LiaisonView, type ListParams, Receipts, type ResidentView } from "./Api.js"
import { type Forbidden, NotFound, type ServerError } from "./ApiError.js"
import { Session, type SessionShape } from "./Auth.js"
import { BreakGlassLog } from "./BreakGlass.js"
import { forbidden, mapWriteError, serverError } from "./internal/errors.js"
import * as Masking from "./Masking.js"

/**
 * Whether the caller sees a fact's personal data: always for roles that may, otherwise only
 * for residents under an active "break the glass" grant.
 *
 * @since 0.1.0
 * @category visibility
 */
export const visibility = (
  session: SessionShape
): Effect.Effect<(fact: Fact.Fact) => boolean, ServerError, BreakGlassLog> =>
  Access.seesPersonalData(session.actor.role)
    ? Effect.succeed(() => true)
    : Effect.gen(function*() {
      const log = yield* BreakGlassLog
      const now = yield* Clock.currentTimeMillis
      const unmasked = yield* log.unmasked(session.account.id, now).pipe(Effect.catchAll(serverError))
      return (fact: Fact.Fact) => fact._tag === "Resident" && unmasked.has(fact.id)
    })

type View<T extends Fact.Tag, V> = (fact: Fact.Of<T>, visible: boolean) => V

const list = <T extends Fact.Tag, V>(tag: T, toView: View<T, V>) => (params: typeof ListParams.Type) =>
  Effect.gen(function*() {
    const session = yield* Session
    const store = yield* Store.Store
    const page = yield* store.list(session.actor, tag, params).pipe(Effect.catchAll(serverError))
    const visible = yield* visibility(session)
    return {
      items: page.items.map((fact) => toView(fact, visible(fact))),
      ...(page.next === undefined ? {} : { next: page.next })
    }
  })

const get =
  <T extends Fact.Tag, V>(tag: T, kind: string, toView: View<T, V>) => (id: string, asOf?: LocalDate.LocalDate) =>
    Effect.gen(function*() {
      const session = yield* Session
      const store = yield* Store.Store
      const found = yield* store.get(session.actor, tag, id, asOf === undefined ? undefined : { asOf }).pipe(
        Effect.catchAll(serverError)
      )
      if (Option.isNone(found)) {
        return yield* new NotFound({
          message: `No ${kind} "${id}" within your scope${asOf === undefined ? "" : ` as of ${asOf}`}.`,
          kind,
          id
        })
      }
      const visible = yield* visibility(session)
      return toView(found.value, visible(found.value))
    })

/**
 * Writes facts as the caller, all or nothing, mapping the store's refusal to API errors.
 *
 * @since 0.1.0
 * @category writes
 */
export const write = (facts: ReadonlyArray<Fact.Fact>) =>
  Effect.gen(function*() {
    const { actor } = yield* Session
    const store = yield* Store.Store
    return yield* store.write(actor, facts).pipe(Effect.catchAll(mapWriteError(actor)))
  })

const save = (fact: Fact.Fact) => Effect.map(write([fact]), (receipts) => receipts[0])

/**
 * Refuses visits a liaison records in another liaison's name.
 *
 * @since 0.1.0
 * @category writes
 */
export const ownVisits = (
  session: SessionShape,
  visits: ReadonlyArray<Visit.Visit>
): Effect.Effect<void, Forbidden> => {
  const own = session.account.liaisonId
  if (session.actor.role !== "liaison" || own === undefined) return Effect.void
  const problems = visits.flatMap((v, index) =>
    v.liaisonId === own ? [] : [
      Problem.make("not-allowed", `a liaison records their own visits: expected liaisonId "${own}"`, {
        index,
        path: ["liaisonId"]
      })
    ]
  )
  return problems.length === 0
    ? Effect.void
    : Effect.fail(forbidden(session.actor, "Refused, nothing written", problems))
}

const plain = <F>(fact: F): F => fact
const liaisonView: View<"Liaison", LiaisonView> = (fact, visible) => Masking.view(fact, visible)
const residentView: View<"Resident", ResidentView> = (fact, visible) => Masking.view(fact, visible)
const arrivalView: View<"ArrivalReport", ArrivalReportView> = (fact, visible) => Masking.view(fact, visible)

/**
 * The places handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPlaces = HttpApiBuilder.group(Api, "places", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("Place", plain)(urlParams))
    .handle("get", ({ path, urlParams }) => get("Place", "place", plain)(path.id, urlParams.asOf))
    .handle("save", ({ payload }) => save(payload)))

/**
 * The liaisons handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLiaisons = HttpApiBuilder.group(Api, "liaisons", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("Liaison", liaisonView)(urlParams))
    .handle("get", ({ path, urlParams }) => get("Liaison", "liaison", liaisonView)(path.id, urlParams.asOf))
    .handle("save", ({ payload }) => save(payload)))

/**
 * The households handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHouseholds = HttpApiBuilder.group(Api, "households", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("Household", plain)(urlParams))
    .handle("get", ({ path, urlParams }) => get("Household", "household", plain)(path.id, urlParams.asOf))
    .handle("save", ({ payload }) => save(payload)))

/**
 * The residents handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerResidents = HttpApiBuilder.group(Api, "residents", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("Resident", residentView)(urlParams))
    .handle("get", ({ path, urlParams }) => get("Resident", "resident", residentView)(path.id, urlParams.asOf))
    .handle("save", ({ payload }) => save(payload)))

/**
 * The visits handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerVisits = HttpApiBuilder.group(Api, "visits", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("Visit", plain)(urlParams))
    .handle("get", ({ path, urlParams }) => get("Visit", "visit", plain)(path.id, urlParams.asOf))
    .handle("save", ({ payload }) =>
      Effect.gen(function*() {
        yield* ownVisits(yield* Session, [payload])
        return yield* save(payload)
      }))
    .handle("batch", ({ payload }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* ownVisits(session, payload.visits)
        const store = yield* Store.Store
        const receipts = yield* store.write(session.actor, payload.visits).pipe(
          Effect.catchAll(mapWriteError(session.actor))
        )
        // The store's receipts are valid already: not checked again field by field.
        return new Receipts({ receipts }, { disableValidation: true })
      })))

/**
 * The arrival reports handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerArrivals = HttpApiBuilder.group(Api, "arrivals", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("ArrivalReport", arrivalView)(urlParams))
    .handle(
      "get",
      ({ path, urlParams }) => get("ArrivalReport", "arrival report", arrivalView)(path.id, urlParams.asOf)
    )
    .handle("save", ({ payload }) => save(payload)))

/**
 * The matters handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMatters = HttpApiBuilder.group(Api, "matters", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("Matter", plain)(urlParams))
    .handle("get", ({ path, urlParams }) => get("Matter", "matter", plain)(path.id, urlParams.asOf))
    .handle("save", ({ payload }) => save(payload)))

/**
 * The campaigns handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerCampaigns = HttpApiBuilder.group(Api, "campaigns", (handlers) =>
  handlers
    .handle("list", ({ urlParams }) => list("Campaign", plain)(urlParams))
    .handle("get", ({ path, urlParams }) => get("Campaign", "campaign", plain)(path.id, urlParams.asOf))
    .handle("save", ({ payload }) => save(payload)))

/**
 * Every fact group's handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.mergeAll(
  layerPlaces,
  layerLiaisons,
  layerHouseholds,
  layerResidents,
  layerVisits,
  layerArrivals,
  layerMatters,
  layerCampaigns
)
