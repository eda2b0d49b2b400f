/**
 * Bearer tokens on the server: issue (a random secret, stored only as its SHA-256 hash),
 * authenticate (find by hash; refuse expired, revoked or inactive) and revoke. Uses
 * `node:crypto`, so it lives on the server side only.
 *
 * @since 0.1.0
 */
import { type Access, Accounts } from "@minqing/core"
import type { Problem } from "@minqing/core"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createHash, randomBytes } from "node:crypto"
import { IssuedToken, TokenInfo } from "./Api.js"
import { Unauthorized } from "./ApiError.js"
import type { SessionShape } from "./Auth.js"

const DAY = 86_400_000

/**
 * The hash a token is stored and found by (SHA-256, hex).
 *
 * @since 0.1.0
 * @category hashing
 */
export const hash = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex")

/**
 * The public record of a stored token.
 *
 * @since 0.1.0
 * @category conversions
 */
export const info = (token: Accounts.Token): TokenInfo =>
  new TokenInfo({
    id: token.id,
    accountId: token.accountId,
    ...(token.label === undefined ? {} : { label: token.label }),
    issuedAt: DateTime.unsafeMake(token.issuedAt),
    expiresAt: DateTime.unsafeMake(token.expiresAt),
    ...(token.revokedAt === undefined ? {} : { revokedAt: DateTime.unsafeMake(token.revokedAt) })
  })

/**
 * Issues a token for an account: a random secret `mq_<id>_<secret>`, of which only the
 * hash is stored. The secret is in the result and nowhere else. Default lifetime 30 days.
 * The audit trail records the token (never its hash or secret) as issued `by` that actor
 * (default: `Accounts.unattributed`).
 *
 * @example
 * ```ts
 * import { Tokens } from "@minqing/adapter-http"
 * import { Accounts } from "@minqing/core"
 *
 * // e.g. when seeding a deployment's first administrator
 * const issued = Tokens.issue(Accounts.AccountId.make("admin"), { label: "bootstrap", expiresInDays: 7 })
 * ```
 *
 * @since 0.1.0
 * @category tokens
 */
export const issue = (
  accountId: Accounts.AccountId,
  options: {
    readonly label?: string | undefined
    readonly expiresInDays?: number | undefined
    readonly by?: Access.Actor | undefined
  } = {}
): Effect.Effect<IssuedToken, Problem.StoreError, Accounts.Accounts> =>
  Effect.gen(function*() {
    const accounts = yield* Accounts.Accounts
    const now = yield* Clock.currentTimeMillis
    const id = randomBytes(9).toString("base64url")
    const secret = `mq_${id}_${randomBytes(32).toString("base64url")}`
    const token = new Accounts.Token({
      id,
      hash: hash(secret),
      accountId,
      issuedAt: now,
      expiresAt: now + (options.expiresInDays ?? 30) * DAY,
      ...(options.label === undefined || options.label === "" ? {} : { label: options.label })
    })
    yield* accounts.saveToken(token, options.by)
    return new IssuedToken({ token: Redacted.make(secret), info: info(token) })
  })

/**
 * The session of a bearer token, or `Unauthorized` saying why not (missing, unknown,
 * revoked, expired, or the account is inactive).
 *
 * @since 0.1.0
 * @category tokens
 */
export const authenticate = (
  bearer: Redacted.Redacted<string>
): Effect.Effect<SessionShape, Unauthorized | Problem.StoreError, Accounts.Accounts> =>
  Effect.gen(function*() {
    const secret = Redacted.value(bearer).trim()
    if (secret === "") {
      return yield* new Unauthorized({
        message: "Missing bearer token: send the header `Authorization: Bearer <token>`."
      })
    }
    const accounts = yield* Accounts.Accounts
    const found = yield* accounts.findToken(hash(secret))
    if (Option.isNone(found)) {
      return yield* new Unauthorized({
        message: "Unknown bearer token: check it was copied whole, or ask an administrator to issue one."
      })
    }
    const token = found.value
    const now = yield* Clock.currentTimeMillis
    if (token.revokedAt !== undefined) {
      return yield* new Unauthorized({
        message: `Token ${token.id} was revoked at ${
          new Date(token.revokedAt).toISOString()
        }; ask an administrator for a new one.`
      })
    }
    if (token.expiresAt <= now) {
      return yield* new Unauthorized({
        message: `Token ${token.id} expired at ${
          new Date(token.expiresAt).toISOString()
        }; ask an administrator for a new one.`
      })
    }
    const account = yield* accounts.getAccount(token.accountId)
    if (Option.isNone(account) || !account.value.active) {
      return yield* new Unauthorized({
        message: `Account ${token.accountId} is inactive or was removed; ask an administrator.`
      })
    }
    return {
      account: account.value,
      actor: Accounts.toActor(account.value),
      tokenId: token.id,
      expiresAt: token.expiresAt
    }
  })
