/**
 * The core's `Accounts` port on SQLite: accounts and their tokens (only the hash of each
 * secret is stored). Provided together with the store by `SqliteStore.layer`.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Accounts, Labels, Problem } from "@minqing/core"
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
    const listTokens = SqlSchema.findAll({
      Request: Schema.String,
      Result: TokenFromRow,
      execute: (accountId) => sql`SELECT * FROM tokens WHERE account_id = ${accountId} ORDER BY issued_at, id`
    })
    const revokeToken = (id: string, at: number) =>
      Effect.map(
        sql<{ readonly id: string }>`UPDATE tokens SET revoked_at = coalesce(revoked_at, ${at}) WHERE id = ${id}
          RETURNING id`,
        (rows) => rows.length > 0
      )

    return {
      saveAccount: (account) => run(`saving account "${account.id}"`)(saveAccount(account)),
      getAccount: (id) => run(`reading account "${id}"`)(getAccount(id)),
      listAccounts: run("listing accounts")(listAccounts(undefined)),
      saveToken: (token) => run(`saving token "${token.id}"`)(saveToken(token)),
      findToken: (hash) => run("finding a token")(findToken(hash)),
      listTokens: (accountId) => run(`listing the tokens of "${accountId}"`)(listTokens(accountId)),
      revokeToken: (id, at) => run(`revoking token "${id}"`)(revokeToken(id, at))
    }
  })
