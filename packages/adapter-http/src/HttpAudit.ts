/**
 * Handlers of the audit endpoints: the store's audit trail of writes (personal data masked
 * for roles that may not see it) and "break the glass" reads with their record.
 *
 * The trail holds the writes of facts and the changes to accounts, tokens and rule
 * parameters (`Accounts`); every "break the glass" grant joins it too, so the record of who
 * read whose personal data outlives the process even where the `BreakGlassLog` is in memory.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Access, Accounts, Fact, Store } from "@minqing/core"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { randomUUID } from "node:crypto"
import { Api, AuditPage, BreakGlassGrant, BreakGlassResult } from "./Api.js"
import { NotFound } from "./ApiError.js"
import { Session } from "./Auth.js"
import { BreakGlassLog } from "./BreakGlass.js"
import { requireAdmin } from "./HttpAccounts.js"
import { forbidden, serverError } from "./internal/errors.js"
import * as Masking from "./Masking.js"

const factTags = new Set<string>(Fact.tags)

// Personal fields of facts by their place, and anything that looks like a national ID or a
// phone number in free text (notes, reasons, account ids and names, token labels).
const maskEntry = (entry: Store.AuditEntry): Store.AuditEntry =>
  new Store.AuditEntry({
    ...entry,
    id: factTags.has(entry.tag) ? entry.id : Masking.maskText(entry.id),
    ...(entry.before === undefined ? {} : { before: Masking.maskDeep(Masking.maskRecord(entry.before)) }),
    after: Masking.maskDeep(Masking.maskRecord(entry.after))
  }, { disableValidation: true })

/**
 * The audit handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.group(Api, "audit", (handlers) =>
  handlers
    .handle("writes", ({ urlParams }) =>
      Effect.gen(function*() {
        const session = yield* Session
        if (session.actor.role === "liaison") {
          return yield* forbidden(session.actor, "The audit trail is for village leaders, administrators and auditors")
        }
        const store = yield* Store.Store
        const limit = Store.pageSize(urlParams.limit)
        const entries = yield* store.audit(session.actor, {
          limit,
          ...(urlParams.afterSeq === undefined ? {} : { afterSeq: urlParams.afterSeq }),
          ...(urlParams.id === undefined ? {} : { id: urlParams.id })
        }).pipe(Effect.catchAll(serverError))
        const visible = Access.seesPersonalData(session.actor.role)
        return new AuditPage({
          items: visible ? entries : entries.map(maskEntry),
          ...(entries.length === limit ? { next: entries[entries.length - 1].seq } : {})
        })
      }))
    .handle("breakGlass", ({ payload }) =>
      Effect.gen(function*() {
        const session = yield* Session
        const store = yield* Store.Store
        const found = yield* store.get(session.actor, "Resident", payload.residentId).pipe(
          Effect.catchAll(serverError)
        )
        if (Option.isNone(found)) {
          return yield* new NotFound({
            message: `No resident "${payload.residentId}" within your scope.`,
            kind: "resident",
            id: payload.residentId
          })
        }
        const now = yield* Clock.currentTimeMillis
        const grant = new BreakGlassGrant({
          id: randomUUID(),
          accountId: session.account.id,
          role: session.actor.role,
          residentId: payload.residentId,
          reason: payload.reason,
          at: DateTime.unsafeMake(now),
          expiresAt: DateTime.unsafeMake(now + (payload.minutes ?? 15) * 60_000)
        })
        // The durable record first: no unmasked read without it.
        const household = yield* store.get(session.actor, "Household", found.value.householdId).pipe(
          Effect.catchAll(serverError)
        )
        const accounts = yield* Accounts.Accounts
        yield* accounts.record(session.actor, {
          tag: "BreakGlass",
          id: grant.id,
          operation: "create",
          after: Schema.encodeSync(BreakGlassGrant)(grant),
          places: Option.isSome(household) ? [household.value.gridId] : session.actor.scope
        }).pipe(Effect.catchAll(serverError))
        const log = yield* BreakGlassLog
        yield* log.record(grant).pipe(Effect.catchAll(serverError))
        yield* Effect.logWarning("break the glass").pipe(
          Effect.annotateLogs({
            grant: grant.id,
            account: Masking.maskText(grant.accountId),
            resident: Masking.maskText(grant.residentId)
          })
        )
        return new BreakGlassResult({ grant, resident: Masking.view(found.value, true) })
      }))
    .handle("breakGlassLog", ({ urlParams }) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* requireAdmin(session, "Reading the break-the-glass record")
        const log = yield* BreakGlassLog
        const store = yield* Store.Store
        const grants = yield* log.list({
          limit: Store.pageSize(urlParams.limit),
          ...(urlParams.accountId === undefined ? {} : { accountId: urlParams.accountId })
        }).pipe(Effect.catchAll(serverError))
        // Only grants on residents this administrator reaches.
        const items = yield* Effect.filter(
          grants,
          (grant) => Effect.map(store.get(session.actor, "Resident", grant.residentId), Option.isSome),
          { concurrency: 4 }
        ).pipe(Effect.catchAll(serverError))
        return { items }
      })))
