/**
 * Accounts and their access tokens: who may call a deployment, in which role and scope.
 * Transports (the HTTP adapter) authenticate a bearer token by its hash and act as the
 * account's `Actor`. Tokens are stored only as hashes; the secret is shown once, at issue.
 *
 * Implementations: `layerMemory` (in `MemoryStore`), `@minqing/adapter-sqlite`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Actor, Role } from "./Access.js"
import { LiaisonId, PlaceId } from "./Ids.js"
import type { StoreError } from "./Problem.js"

/**
 * An account id.
 *
 * @since 0.1.0
 * @category ids
 */
export const AccountId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, {
    message: () => "expected an account id: 1–64 letters, digits, \"-\", \"_\", \".\" or \":\""
  }),
  Schema.brand("AccountId")
)

/** @since 0.1.0 @category ids */
export type AccountId = typeof AccountId.Type

/**
 * An account: a person (or job) with a role and the place subtrees they reach. A liaison's
 * account names the liaison it belongs to.
 *
 * @since 0.1.0
 * @category models
 */
export class Account extends Schema.Class<Account>("Account")({
  id: AccountId,
  name: Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100)),
  role: Role,
  scope: Schema.Array(PlaceId).pipe(Schema.minItems(1, { message: () => "an account reaches at least one place" })),
  liaisonId: Schema.optionalWith(LiaisonId, { exact: true }),
  active: Schema.Boolean
}) {}

/**
 * The actor an account acts as.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toActor = (account: Account): Actor =>
  new Actor({ id: account.id, role: account.role, scope: account.scope }, { disableValidation: true })

/**
 * A stored token: its public id, the hash of its secret (never the secret), its account,
 * and when it was issued, expires and (if so) was revoked. Instants are epoch milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export class Token extends Schema.Class<Token>("Token")({
  id: Schema.String,
  hash: Schema.String,
  accountId: AccountId,
  issuedAt: Schema.Number,
  expiresAt: Schema.Number,
  revokedAt: Schema.optionalWith(Schema.Number, { exact: true }),
  label: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * A change to a record kept outside the fact tables — an account, a token, a deployment
 * setting such as a rule's parameters, a "break the glass" grant — as the audit trail keeps
 * it. It joins the store's trail: `Store.audit` lists it (same sequence, same `AuditEntry`
 * shape) to actors whose subtrees hold one of its `places`. `before` and `after` are plain
 * JSON and never hold a secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditedChange {
  /** The kind of record: `Account`, `Token`, `RuleParameters`, `BreakGlass`… (the entry's `tag`). */
  readonly tag: string
  readonly id: string
  readonly operation: "create" | "update"
  readonly before?: unknown
  readonly after: unknown
  /** The places the change concerns; it is in the audit trail of whoever reaches one of them. */
  readonly places: ReadonlyArray<PlaceId>
}

/**
 * Who a change is recorded as when the caller names nobody (seeding, scripts).
 *
 * @since 0.1.0
 * @category constants
 */
export const unattributed: Actor = new Actor({ id: "system", role: "subdistrict-admin", scope: [] }, {
  disableValidation: true
})

/**
 * An account or a token as the audit trail keeps it: the account encoded, the token's public
 * fields (never its hash).
 *
 * @since 0.1.0
 * @category audit
 */
export const audited = (record: Account | Token): unknown =>
  record instanceof Token
    ? {
      id: record.id,
      accountId: record.accountId,
      ...(record.label === undefined ? {} : { label: record.label }),
      issuedAt: record.issuedAt,
      expiresAt: record.expiresAt,
      ...(record.revokedAt === undefined ? {} : { revokedAt: record.revokedAt })
    }
    : Schema.encodeSync(Account)(record)

/**
 * The accounts port. Every change it makes (saving an account, saving or revoking a token)
 * joins the audit trail as an {@link AuditedChange} by the given actor (or
 * {@link unattributed}), in the same transaction where the storage has them; `record`
 * adds a change made elsewhere (rule parameters, break-the-glass grants).
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /** Creates or replaces an account, audited as `Account` at the places of its old and new scope. */
  readonly saveAccount: (account: Account, by?: Actor) => Effect.Effect<void, StoreError>
  readonly getAccount: (id: AccountId) => Effect.Effect<Option.Option<Account>, StoreError>
  readonly listAccounts: Effect.Effect<ReadonlyArray<Account>, StoreError>
  /**
   * Stores a token (its hash). Token ids and hashes are unique. Audited as `Token` (without
   * its hash) at the places of its account's scope.
   */
  readonly saveToken: (token: Token, by?: Actor) => Effect.Effect<void, StoreError>
  /** The token with this hash, revoked or not (callers check expiry and revocation). */
  readonly findToken: (hash: string) => Effect.Effect<Option.Option<Token>, StoreError>
  /** The tokens of an account. */
  readonly listTokens: (accountId: AccountId) => Effect.Effect<ReadonlyArray<Token>, StoreError>
  /**
   * Marks a token revoked at the instant; `false` when no such token exists. A first
   * revocation is audited as an update of the `Token`.
   */
  readonly revokeToken: (id: string, at: number, by?: Actor) => Effect.Effect<boolean, StoreError>
  /** Adds a change made outside this port to the audit trail. */
  readonly record: (by: Actor, change: AuditedChange) => Effect.Effect<void, StoreError>
}

/**
 * The accounts port's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Accounts extends Context.Tag("@minqing/core/Accounts")<Accounts, Shape>() {}
