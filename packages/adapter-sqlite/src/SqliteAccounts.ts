/**
 * The core's `Accounts` port on SQLite: accounts and their tokens (only the hash of each
 * secret is stored). Provided together with the store by `SqliteStore.layer`.
 *
 * Every change joins the store's audit trail in the transaction that makes it: a row of
 * `audit` (the next sequence number), its places in `placements`, and the record before and
 * after in `audit_records`.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { type Access, Accounts, Labels, Problem } from "@minqing/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as internal from "./internal/database.js"

const AccountRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  role: Labels.literal("role"),
  scope: Schema.parseJson(Schema.Array(Schema.String)),
  liaison_id: Schema.NullOr(Schema.String),
  active: Schema.Literal(0, 1)
})

/** An account as a row of the `accounts` table (the scope as a JSON array). */
const AccountFromRow = Schema.transform(AccountRow, Accounts.Account, {
  strict: true,
  decode: (row) => ({
    id: row.id,
    name: row.name,
    role: row.role,
    scope: row.scope,
    ...(row.liaison_id === null ? {} : { liaisonId: row.liaison_id }),
    active: row.active === 1
  }),
  encode: (account) => ({
    id: account.id,
    name: account.name,
    role: account.role,
    scope: account.scope,
    liaison_id: account.liaisonId ?? null,
    active: account.active ? 1 as const : 0 as const
  })
})

const TokenRow = Schema.Struct({
  id: Schema.String,
  hash: Schema.String,
  account_id: Schema.String,
  issued_at: Schema.Number,
  expires_at: Schema.Number,
  revoked_at: Schema.NullOr(Schema.Number),
  label: Schema.NullOr(Schema.String)
})

/** A token as a row of the `tokens` table. */
const TokenFromRow = Schema.transform(TokenRow, Accounts.Token, {
  strict: true,
  decode: (row) => ({
    id: row.id,
    hash: row.hash,
    accountId: row.account_id,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
    ...(row.label === null ? {} : { label: row.label })
  }),
  encode: (token) => ({
    id: token.id,
    hash: token.hash,
    account_id: token.accountId,
    issued_at: token.issuedAt,
    expires_at: token.expiresAt,
    revoked_at: token.revokedAt ?? null,
    label: token.label ?? null
  })
})

/**
 * The `Accounts` service on the `SqlClient` in context (a migrated SQLite database).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: { readonly lockBudget?: Duration.DurationInput } = {}
): Effect.Effect<Accounts.Shape, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const retry = internal.retryBusy(options.lockBudget ?? Duration.minutes(2))
    const run =
      (what: string) =>
      <A>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError>): Effect.Effect<A, Problem.StoreError> =>
        Effect.mapError(retry(effect), internal.toStoreError(what))
    const writeTransaction = yield* internal.makeWriteTransaction
    // A change and its audit entry, all or nothing (retried whole while the database is busy).
    const audited =
      (what: string) =>
      <A>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError>): Effect.Effect<A, Problem.StoreError> =>
        run(what)(internal.commitFailures(writeTransaction(effect)))

    // Inside a write transaction: the next sequence number of the whole trail.
    const appendAudit = (by: Access.Actor, change: Accounts.AuditedChange) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const [{ top }] = yield* sql<{ readonly top: number | null }>`SELECT max(seq) AS top FROM audit`
        const seq = (top ?? 0) + 1
        yield* sql`INSERT INTO audit ${
          sql.insert({
            seq,
            at: now,
            actor_id: by.id,
            role: by.role,
            operation: change.operation,
            tag: change.tag,
            id: change.id,
            before_seq: null
          })
        }`
        yield* sql`INSERT INTO audit_records ${
          sql.insert({
            seq,
            before: change.before === undefined ? null : JSON.stringify(change.before),
            after: JSON.stringify(change.after)
          })
        }`
        const places = [...new Set(change.places)]
        if (places.length > 0) {
          yield* sql`INSERT INTO placements ${sql.insert(places.map((place_id) => ({ place_id, seq })))}`
        }
      })

    const saveAccount = SqlSchema.void({
      Request: AccountFromRow,
      execute: (row) =>
        sql`INSERT INTO accounts ${sql.insert(row)}
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, scope = excluded.scope,
          liaison_id = excluded.liaison_id, active = excluded.active`
    })
    const getAccount = SqlSchema.findOne({
      Request: Schema.String,
      Result: AccountFromRow,
      execute: (id) => sql`SELECT * FROM accounts WHERE id = ${id}`
    })
    const listAccounts = SqlSchema.findAll({
      Request: Schema.Void,
      Result: AccountFromRow,
      execute: () => sql`SELECT * FROM accounts ORDER BY id`
    })
    const saveToken = SqlSchema.void({
      Request: TokenFromRow,
      execute: (row) =>
        sql`INSERT INTO tokens ${sql.insert(row)}
          ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, account_id = excluded.account_id,
          issued_at = excluded.issued_at, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at,
          label = excluded.label`
    })
    const findToken = SqlSchema.findOne({
      Request: Schema.String,
      Result: TokenFromRow,
      execute: (hash) => sql`SELECT * FROM tokens WHERE hash = ${hash}`
    })
    const getToken = SqlSchema.findOne({
      Request: Schema.String,
      Result: TokenFromRow,
      execute: (id) => sql`SELECT * FROM tokens WHERE id = ${id}`
    })
    const tokenChange = (token: Accounts.Token, before: Accounts.Token | undefined) =>
      Effect.map(getAccount(token.accountId), (account): Accounts.AuditedChange => ({
        tag: "Token",
        id: token.id,
        operation: before === undefined ? "create" : "update",
        ...(before === undefined ? {} : { before: Accounts.audited(before) }),
        after: Accounts.audited(token),
        places: account._tag === "Some" ? account.value.scope : []
      }))
    const listTokens = SqlSchema.findAll({
      Request: Schema.String,
      Result: TokenFromRow,
      execute: (accountId) => sql`SELECT * FROM tokens WHERE account_id = ${accountId} ORDER BY issued_at, id`
    })
    const revokeToken = (id: string, at: number, by: Access.Actor) =>
      Effect.gen(function*() {
        const found = yield* getToken(id)
        if (found._tag === "None") return false
        const before = found.value
        if (before.revokedAt !== undefined) return true
        const revoked = new Accounts.Token({ ...before, revokedAt: at }, { disableValidation: true })
        yield* sql`UPDATE tokens SET revoked_at = ${at} WHERE id = ${id}`
        yield* appendAudit(by, yield* tokenChange(revoked, before))
        return true
      })

    return {
      saveAccount: (account, by = Accounts.unattributed) =>
        audited(`saving account "${account.id}"`)(Effect.gen(function*() {
          const found = yield* getAccount(account.id)
          const before = found._tag === "Some" ? found.value : undefined
          yield* saveAccount(account)
          yield* appendAudit(by, {
            tag: "Account",
            id: account.id,
            operation: before === undefined ? "create" : "update",
            ...(before === undefined ? {} : { before: Accounts.audited(before) }),
            after: Accounts.audited(account),
            places: [...(before?.scope ?? []), ...account.scope]
          })
        })),
      getAccount: (id) => run(`reading account "${id}"`)(getAccount(id)),
      listAccounts: run("listing accounts")(listAccounts(undefined)),
      saveToken: (token, by = Accounts.unattributed) =>
        audited(`saving token "${token.id}"`)(Effect.gen(function*() {
          const found = yield* getToken(token.id)
          yield* saveToken(token)
          yield* appendAudit(by, yield* tokenChange(token, found._tag === "Some" ? found.value : undefined))
        })),
      findToken: (hash) => run("finding a token")(findToken(hash)),
      listTokens: (accountId) => run(`listing the tokens of "${accountId}"`)(listTokens(accountId)),
      revokeToken: (id, at, by = Accounts.unattributed) => audited(`revoking token "${id}"`)(revokeToken(id, at, by)),
      record: (by, change) => audited(`recording a change of ${change.tag} "${change.id}"`)(appendAudit(by, change))
    }
  })
