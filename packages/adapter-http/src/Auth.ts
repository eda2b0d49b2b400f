/**
 * Authentication: every endpoint but `/health` takes `Authorization: Bearer <token>`. The
 * server finds the token by its hash, checks expiry and revocation, and acts as the token's
 * account — an `Actor` whose role and scope the store enforces on every read and write.
 *
 * This module holds what the API spec and a client need (the middleware tag and the
 * session it provides). The server's implementation is `HttpAuth.layer`.
 *
 * @since 0.1.0
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import type { Access, Accounts } from "@minqing/core"
import * as Context from "effect/Context"
import * as Schema from "effect/Schema"
import { ServerError, Unauthorized } from "./ApiError.js"

/**
 * Who is calling: their account, the actor the store sees, and the token they used.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionShape {
  readonly account: Accounts.Account
  readonly actor: Access.Actor
  readonly tokenId: string
  /** Epoch milliseconds. */
  readonly expiresAt: number
}

/**
 * The current session, provided to every authenticated handler.
 *
 * @since 0.1.0
 * @category tags
 */
export class Session extends Context.Tag("@minqing/adapter-http/Session")<Session, SessionShape>() {}

/**
 * The bearer-token middleware of the API. It fails with `Unauthorized` (401) when the
 * token is missing, unknown, expired or revoked, or its account is inactive.
 *
 * @since 0.1.0
 * @category tags
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@minqing/adapter-http/Authentication", {
  failure: Schema.Union(Unauthorized, ServerError),
  provides: Session,
  security: { bearer: HttpApiSecurity.bearer }
}) {}
