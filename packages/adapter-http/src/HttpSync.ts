/**
 * Handlers of offline sync. A device pushes the visits it recorded offline; each visit is
 * decoded and written on its own (a retried upload is answered `replayed`), so one bad item
 * gets its own result and never holds back the others. A device pulls what changed in its
 * scope since the cursor it last saw.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Problem, Store, Visit } from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Api, SyncItemResult, SyncPushResult } from "./Api.js"
import { Session } from "./Auth.js"
import { ownVisits, visibility } from "./HttpFacts.js"
import { invalidFromParseError, maskProblems, serverError } from "./internal/errors.js"
import * as Masking from "./Masking.js"

const Envelope = Schema.Struct({
  visits: Schema.Array(Schema.Unknown).pipe(
    Schema.maxItems(500, { message: () => "send at most 500 visits per push" })
  )
})

const statusOf = (problems: ReadonlyArray<Problem.Problem>): SyncItemResult["status"] =>
  problems.some((p) => p.code === "out-of-scope" || p.code === "not-allowed")
    ? "forbidden"
    : problems.some((p) => p.code === "conflict" || p.code === "duplicate-national-id")
    ? "conflict"
    : "invalid"

const idOf = (item: unknown): { readonly id?: string } =>
  typeof item === "object" && item !== null && "id" in item && typeof item.id === "string" ? { id: item.id } : {}

/**
 * The sync handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.group(Api, "sync", (handlers) =>
  handlers
    .handleRaw("push", ({ request }) =>
      Effect.gen(function*() {
        const session = yield* Session
        const store = yield* Store.Store
        const body = yield* Effect.orDie(request.json)
        const envelope = yield* Schema.decodeUnknown(Envelope)(body).pipe(
          Effect.mapError((e) => invalidFromParseError(e))
        )
        const results: Array<SyncItemResult> = []
        for (const [index, item] of envelope.visits.entries()) {
          const refuse = (problems: ReadonlyArray<Problem.Problem>) =>
            results.push(
              new SyncItemResult({
                index,
                ...idOf(item),
                status: statusOf(problems),
                problems: maskProblems(problems).map((p) =>
                  new Problem.Problem({ ...p, index }, { disableValidation: true })
                )
              })
            )
          const decoded = Schema.decodeUnknownEither(Visit.Visit, { errors: "all" })(item)
          if (Either.isLeft(decoded)) {
            refuse(Problem.fromParseError(decoded.left, index))
            continue
          }
          const visit = decoded.right
          const own = yield* Effect.either(ownVisits(session, [visit]))
          if (Either.isLeft(own)) {
            refuse(own.left.problems)
            continue
          }
          const written = yield* Effect.either(store.write(session.actor, [visit]))
          if (Either.isRight(written)) {
            results.push(new SyncItemResult({ index, id: visit.id, status: written.right[0].status, problems: [] }))
          } else if (written.left._tag === "Rejected") {
            refuse(written.left.problems)
          } else {
            return yield* serverError(written.left)
          }
        }
        const refused = results.filter((r) => r.problems.length > 0).length
        return new SyncPushResult({ results, accepted: results.length - refused, refused })
      }))
    .handle("pull", ({ urlParams }) =>
      Effect.gen(function*() {
        const session = yield* Session
        const store = yield* Store.Store
        const changes = yield* store.changes(session.actor, urlParams.since, {
          ...(urlParams.limit === undefined ? {} : { limit: urlParams.limit }),
          ...(urlParams.scope === undefined ? {} : { scope: urlParams.scope })
        }).pipe(Effect.catchAll(serverError))
        const visible = yield* visibility(session)
        return {
          facts: changes.facts.map((fact) => Masking.view(fact, visible(fact))),
          cursor: changes.cursor,
          more: changes.more
        }
      })))
