/**
 * Handlers of the accounts endpoints: who am I, and — for the subdistrict administrator —
 * accounts and their tokens. An administrator manages only accounts whose places they
 * reach through the store (so an administrator of one subdistrict cannot touch another's).
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Access, Accounts, type Ids, Problem, Store } from "@minqing/core"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Api, Me } from "./Api.js"
import { type Forbidden, NotFound, type ServerError } from "./ApiError.js"
import { Session, type SessionShape } from "./Auth.js"
import { forbidden, invalid, serverError } from "./internal/errors.js"
import * as Masking from "./Masking.js"
import * as Tokens from "./Tokens.js"

/**
 * Refuses callers who are not subdistrict administrators.
 *
 * @since 0.1.0
 * @category guards
 */
export const requireAdmin = (session: SessionShape, what: string): Effect.Effect<void, Forbidden> =>
  session.actor.role === "subdistrict-admin"
    ? Effect.void
    : Effect.fail(forbidden(session.actor, `${what} needs the subdistrict-admin role`))

// Whether each place is the caller's scope root or below one — not merely visible (the
// store also shows the ancestors of the caller's roots).
const reaches = (actor: Access.Actor, placeIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const within = (id: string, depth: number): Effect.Effect<boolean, Problem.StoreError> =>
      actor.scope.includes(id as Ids.PlaceId)
        ? Effect.succeed(true)
        : depth > 32
        ? Effect.succeed(false)
        : Effect.flatMap(store.get(actor, "Place", id), (place) =>
          Option.isSome(place) && place.value.parentId !== undefined
            ? within(place.value.parentId, depth + 1)
            : Effect.succeed(false))
    return yield* Effect.forEach(placeIds, (id) =>
      within(id, 0), { concurrency: 4 })
  }).pipe(Effect.catchAll(serverError))

const findAccount = (
  session: SessionShape,
  id: Accounts.AccountId
): Effect.Effect<Accounts.Account, NotFound | ServerError, Accounts.Accounts | Store.Store> =>
  Effect.gen(function*() {
    const accounts = yield* Accounts.Accounts
    const found = yield* accounts.getAccount(id).pipe(Effect.catchAll(serverError))
    const reached = Option.isSome(found) ? yield* reaches(session.actor, found.value.scope) : []
    if (Option.isNone(found) || !reached.every((ok) => ok)) {
      return yield* new NotFound({ message: `No account "${id}" within your scope.`, kind: "account", id })
    }
    return found.value
  })

/**
 * The accounts handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.group(Api, "accounts", (handlers) =>
  handlers
    .handle("me", () =>
      Effect.map(Session, (session) =>
        new Me({
          account: session.account,
          tokenId: session.tokenId,
          expiresAt: DateTime.unsafeMake(session.expiresAt),
          seesPersonalData: Access.seesPersonalData(session.actor.role)
        })))
    .handle("list", () =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Listing accounts")
        const accounts = yield* Accounts.Accounts
        const all = yield* accounts.listAccounts.pipe(Effect.catchAll(serverError))
        const items = yield* Effect.filter(
          all,
          (account) => Effect.map(reaches(session.actor, account.scope), (ok) => ok.every(Boolean))
        )
        return { items }
      }))
    .handle("get", ({ path }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Reading accounts")
        return yield* findAccount(session, path.accountId)
      }))
    .handle("save", ({ path, payload }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Managing accounts")
        const accounts = yield* Accounts.Accounts
        const store = yield* Store.Store
        const existing = yield* accounts.getAccount(path.accountId).pipe(Effect.catchAll(serverError))
        if (Option.isSome(existing)) {
          const reached = yield* reaches(session.actor, existing.value.scope)
          if (!reached.every(Boolean)) {
            return yield* forbidden(session.actor, `Account "${path.accountId}" reaches places outside your scope`)
          }
        }
        const reached = yield* reaches(session.actor, payload.scope)
        const problems = reached.flatMap((ok, i) =>
          ok ? [] : [
            Problem.make("not-found", `place "${payload.scope[i]}" does not exist or is outside your scope`, {
              path: ["scope", i]
            })
          ]
        )
        if (payload.role === "liaison") {
          if (payload.liaisonId === undefined) {
            problems.push(Problem.make("invalid", "a liaison's account names the liaison", { path: ["liaisonId"] }))
          } else {
            const liaison = yield* store.get(session.actor, "Liaison", payload.liaisonId).pipe(
              Effect.catchAll(serverError)
            )
            if (Option.isNone(liaison)) {
              problems.push(
                Problem.make("not-found", `liaison "${payload.liaisonId}" does not exist or is outside your scope`, {
                  path: ["liaisonId"]
                })
              )
            }
          }
        }
        if (problems.length > 0) return yield* invalid(problems, "Account not saved")
        const account = new Accounts.Account({
          id: path.accountId,
          name: payload.name,
          role: payload.role,
          scope: payload.scope,
          ...(payload.liaisonId === undefined ? {} : { liaisonId: payload.liaisonId }),
          active: payload.active
        })
        yield* accounts.saveAccount(account, session.actor).pipe(Effect.catchAll(serverError))
        yield* Effect.logInfo("account saved").pipe(
          Effect.annotateLogs({
            by: Masking.maskText(session.account.id),
            account: Masking.maskText(account.id),
            role: account.role
          })
        )
        return account
      }))
    .handle("issueToken", ({ path, payload }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Issuing tokens")
        const account = yield* findAccount(session, path.accountId)
        const issued = yield* Tokens.issue(account.id, { ...payload, by: session.actor }).pipe(
          Effect.catchAll(serverError)
        )
        yield* Effect.logInfo("token issued").pipe(
          Effect.annotateLogs({
            by: Masking.maskText(session.account.id),
            account: Masking.maskText(account.id),
            token: issued.info.id
          })
        )
        return issued
      }))
    .handle("listTokens", ({ path }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Listing tokens")
        const account = yield* findAccount(session, path.accountId)
        const accounts = yield* Accounts.Accounts
        const tokens = yield* accounts.listTokens(account.id).pipe(Effect.catchAll(serverError))
        return { items: tokens.map(Tokens.info) }
      }))
    .handle("revokeToken", ({ path }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Revoking tokens")
        const account = yield* findAccount(session, path.accountId)
        const accounts = yield* Accounts.Accounts
        const tokens = yield* accounts.listTokens(account.id).pipe(Effect.catchAll(serverError))
        const notFound = new NotFound({
          message: `Account "${account.id}" has no token "${path.tokenId}".`,
          kind: "token",
          id: path.tokenId
        })
        if (!tokens.some((t) => t.id === path.tokenId)) return yield* notFound
        const revoked = yield* accounts.revokeToken(path.tokenId, yield* Clock.currentTimeMillis, session.actor).pipe(
          Effect.catchAll(serverError)
        )
        if (!revoked) return yield* notFound
        yield* Effect.logInfo("token revoked").pipe(
          Effect.annotateLogs({
            by: Masking.maskText(session.account.id),
            account: Masking.maskText(account.id),
            token: Masking.maskText(path.tokenId)
          })
        )
      })))
