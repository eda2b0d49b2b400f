/**
 * The server side of `Auth.Authentication`: finds the bearer token by its hash through the
 * `Accounts` port and provides the caller's `Session`.
 *
 * @since 0.1.0
 */
import { Accounts } from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Authentication } from "./Auth.js"
import { serverError } from "./internal/errors.js"
import * as Tokens from "./Tokens.js"

/**
 * The authentication middleware, given the accounts port.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Authentication, never, Accounts.Accounts> = Layer.effect(
  Authentication,
  Effect.gen(function*() {
    const accounts = yield* Accounts.Accounts
    return {
      bearer: (token) =>
        Tokens.authenticate(token).pipe(
          Effect.catchTag("StoreError", serverError),
          Effect.provideService(Accounts.Accounts, accounts)
        )
    }
  })
)
