/**
 * A typed client of the API, built from the same spec as the server with `HttpApiClient`.
 * It imports no server code, so it runs wherever an `HttpClient` does (Node, browsers,
 * workers): provide `FetchHttpClient.layer` or `NodeHttpClient.layer`.
 *
 * @example
 * ```ts
 * import { Client } from "@minqing/adapter-http"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.make({ baseUrl: "http://localhost:3000", token: "mq_…" })
 *   const me = yield* client.accounts.me()
 *   const page = yield* client.residents.list({ urlParams: { limit: 50 } })
 *   return { me, page }
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 */
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import type * as Redacted from "effect/Redacted"
import { Api } from "./Api.js"

/**
 * Options of the client: where the server is, and the bearer token to send.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The server's address; leave out when the `HttpClient` already prepends it. */
  readonly baseUrl?: string | URL | undefined
  readonly token?: string | Redacted.Redacted<string> | undefined
}

/**
 * A typed client: one method per endpoint, grouped as in the API
 * (`client.residents.get({ path: { id } })`), failing with the API's tagged errors.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}) =>
  HttpApiClient.make(Api, {
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    transformClient: options.token === undefined
      ? identity
      : HttpClient.mapRequest(HttpClientRequest.bearerToken(options.token))
  })

/**
 * The client's type.
 *
 * @since 0.1.0
 * @category models
 */
export type Client = Effect.Effect.Success<ReturnType<typeof make>>
