/**
 * The server: every handler, authentication, the body-size guard, error translation, the
 * request log, the OpenAPI document and the docs page, as one layer to serve on any
 * `HttpServer` (for Node, `NodeHttpServer.layer` from `@effect/platform-node`).
 *
 * @example
 * ```ts
 * import { BreakGlass, Server } from "@minqing/adapter-http"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { SqliteStore } from "@minqing/adapter-sqlite"
 * import { Layer } from "effect"
 * import { createServer } from "node:http"
 *
 * const Main = Server.layer({ maxBodyBytes: 1024 * 1024 }).pipe(
 *   Layer.provide(SqliteStore.layer({ filename: "minqing.db" })), // Store, TaskState, Accounts
 *   Layer.provide(BreakGlass.layerMemory),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 }))
 * )
 *
 * Layer.launch(Main).pipe(NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import * as HttpApiScalar from "@effect/platform/HttpApiScalar"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import type * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import { type Accounts, type Deployment, Problem, type Store, type TaskState } from "@minqing/core"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Analytics from "./Analytics.js"
import { Api } from "./Api.js"
import { type Invalid, NotFound, PayloadTooLarge, ServerError } from "./ApiError.js"
import type { BreakGlassLog } from "./BreakGlass.js"
import * as HttpAccounts from "./HttpAccounts.js"
import * as HttpAudit from "./HttpAudit.js"
import * as HttpAuth from "./HttpAuth.js"
import * as HttpCoverage from "./HttpCoverage.js"
import * as HttpFacts from "./HttpFacts.js"
import * as HttpRules from "./HttpRules.js"
import * as HttpSync from "./HttpSync.js"
import * as HttpSystem from "./HttpSystem.js"
import * as HttpValidation from "./HttpValidation.js"
import { invalid } from "./internal/errors.js"
import * as Masking from "./Masking.js"

/**
 * Options of the server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Largest accepted request body in bytes (default 1 MiB); larger ones get a 413. */
  readonly maxBodyBytes?: number | undefined
  /** Where the docs page is served (default `/docs`). */
  readonly docsPath?: `/${string}` | undefined
  /** Where the OpenAPI document is served (default `/openapi.json`). */
  readonly openApiPath?: `/${string}` | undefined
  /** Log one line per request (default `true`). */
  readonly requestLog?: boolean | undefined
  /** The rule pack, metrics, lookback and override storage of the rules and coverage endpoints. */
  readonly analytics?: Parameters<typeof Analytics.layer>[0] | undefined
  /** Allow cross-origin calls from browsers (default: off). */
  readonly cors?: Parameters<typeof HttpApiBuilder.middlewareCors>[0] | boolean | undefined
}

/**
 * The default body limit: 1 MiB, enough for a push of 500 visits.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * The API with every handler and authentication, given the ports.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerApi: Layer.Layer<
  HttpApi.Api,
  never,
  | Store.Store
  | TaskState.TaskState
  | Accounts.Accounts
  | Deployment.Deployment
  | BreakGlassLog
  | Analytics.Analytics
> = HttpApiBuilder.api(Api).pipe(
  Layer.provide([
    HttpSystem.layer,
    HttpAccounts.layer,
    HttpFacts.layer,
    HttpSync.layer,
    HttpAudit.layer,
    HttpRules.layer,
    HttpCoverage.layer
  ]),
  Layer.provide([HttpAuth.layer, HttpValidation.layer])
)

const tooLarge = (limit: number) =>
  new PayloadTooLarge({
    message:
      `The body is larger than ${limit} bytes; split it into smaller requests (e.g. at most 500 visits per push).`,
    limitBytes: limit
  })

const pathOf = (url: string): string => {
  const i = url.indexOf("?")
  return i < 0 ? url : url.slice(0, i)
}

// A long run of digits in a path could be a national ID or a phone number.
const scrubPath = (path: string): string =>
  path.replace(/\d{11,}[\dXx]?/g, (digits) => digits.slice(0, 3) + "*".repeat(digits.length - 7) + digits.slice(-4))

const translate = <E>(cause: Cause.Cause<E>, limit: number) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const failure = Cause.failureOption(cause)
    const error = Option.isSome(failure) ? failure.value : Option.getOrUndefined(Cause.dieOption(cause))
    if (error instanceof HttpApiDecodeError) {
      return yield* invalid(
        error.issues.map((issue) =>
          Problem.make("invalid", issue.message, {
            path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))
          })
        ),
        "The request does not match the schema"
      )
    }
    if (error instanceof HttpServerError.RouteNotFound) {
      const what = `${request.method} ${scrubPath(pathOf(request.url))}`
      return yield* new NotFound({
        message: `No endpoint ${what}; the endpoints are listed at /docs and /openapi.json.`,
        kind: "endpoint",
        id: what
      })
    }
    if (error instanceof HttpServerError.RequestError) {
      const message = error.cause instanceof Error ? error.cause.message : String(error.cause ?? "")
      if (message.includes("maxBytes exceeded")) return yield* tooLarge(limit)
      return yield* invalid(
        [Problem.make("invalid", `the body could not be read as JSON: ${message.slice(0, 200)}`)],
        "Malformed body"
      )
    }
    if (Option.isSome(failure) || Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause)
    yield* Effect.logError("unexpected defect", Masking.maskText(Cause.pretty(cause)))
    return yield* new ServerError({ message: "Internal error; it has been logged. Retry later." })
  })

// A body without `Content-Length` (chunked) is read here, not by the platform: past the
// limit the platform stops reading and destroys the request, which on Node cuts the
// connection before any answer. Here the rest is read and dropped, so the client gets its
// 413. A sender that keeps going past `drainBytes` is cut off after all.
const drainBytes = (limit: number) => Math.max(8 * limit, 16 * 1024 * 1024)

const readBounded = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<Uint8Array | undefined, Invalid> =>
  Effect.map(
    Stream.runFoldWhile(
      request.stream,
      { chunks: Chunk.empty<Uint8Array>(), bytes: 0 },
      (read) => read.bytes <= drainBytes(limit),
      (read, chunk) => ({
        chunks: read.bytes + chunk.length <= limit ? Chunk.append(read.chunks, chunk) : read.chunks,
        bytes: read.bytes + chunk.length
      })
    ),
    (read) => {
      if (read.bytes > limit) return undefined
      const body = new Uint8Array(read.bytes)
      let offset = 0
      for (const chunk of read.chunks) {
        body.set(chunk, offset)
        offset += chunk.length
      }
      return body
    }
  ).pipe(Effect.mapError((error) =>
    invalid(
      [Problem.make("invalid", `the body could not be read: ${error.message.slice(0, 200)}`)],
      "Malformed body"
    )
  ))

// The request with its body already read: the handlers decode it from memory.
const withBody = (
  request: HttpServerRequest.HttpServerRequest,
  body: Uint8Array
): HttpServerRequest.HttpServerRequest => {
  const text = new TextDecoder().decode(body)
  const decodeError = (cause: unknown) => new HttpServerError.RequestError({ request, reason: "Decode", cause })
  return Object.create(request, {
    text: { value: Effect.succeed(text) },
    json: { value: Effect.try({ try: (): unknown => (text === "" ? null : JSON.parse(text)), catch: decodeError }) },
    arrayBuffer: { value: Effect.succeed(body.slice().buffer) },
    urlParamsBody: {
      value: Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: decodeError })
    },
    stream: { value: Stream.succeed(body) },
    modify: {
      value: (options: Parameters<HttpServerRequest.HttpServerRequest["modify"]>[0]) =>
        withBody(request.modify(options), body)
    }
  })
}

/**
 * Guards every request: refuses bodies over the limit with 413 (by `Content-Length`, and
 * while reading, chunked bodies included), bodies declared as anything but JSON with `Invalid` (400, at the path
 * `content-type`), answers undecodable requests and malformed JSON with `Invalid` (400)
 * listing every field's path, unknown routes with `NotFound`, and anything unexpected with
 * `ServerError` — never a bare 500.
 *
 * @since 0.1.0
 * @category middleware
 */
export const layerGuard = (maxBodyBytes: number = DEFAULT_MAX_BODY_BYTES): Layer.Layer<never> =>
  HttpApiBuilder.middleware(Api, (app: HttpApp.Default) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const declared = request.headers["content-length"]
      const length = Number(declared ?? "0")
      if (Number.isFinite(length) && length > maxBodyBytes) return yield* tooLarge(maxBodyBytes)
      // Bodies are JSON. Any other declared type is refused before the body is read: read as
      // anything else it would be misparsed, ignored or, once already read, waited for forever.
      const contentType = request.headers["content-type"]
      const hasBody = length > 0 || request.headers["transfer-encoding"] !== undefined
      if (hasBody && contentType !== undefined && !contentType.toLowerCase().includes("application/json")) {
        return yield* invalid(
          [
            Problem.make(
              "invalid",
              `send the body as JSON with Content-Type: application/json, not ${
                JSON.stringify(contentType.slice(0, 100))
              }`,
              {
                path: ["content-type"]
              }
            )
          ],
          "Unsupported body"
        )
      }
      if (declared === undefined && request.headers["transfer-encoding"] !== undefined) {
        const body = yield* readBounded(request, maxBodyBytes)
        if (body === undefined) return yield* tooLarge(maxBodyBytes)
        return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBody(request, body))
      }
      return yield* HttpIncomingMessage.withMaxBodySize(app, Option.some(maxBodyBytes))
    }).pipe(Effect.catchAllCause((cause) => translate(cause, maxBodyBytes))))

/**
 * Logs one line per request with the method, the path (without the query string, and with
 * long digit runs masked), the status and the duration — never bodies, query values or
 * headers, so no personal data reaches the logs.
 *
 * @since 0.1.0
 * @category middleware
 */
export const requestLog: <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R> = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const start = yield* Clock.currentTimeMillis
    const exit = yield* Effect.exit(app)
    const status = exit._tag === "Success" ? exit.value.status : 500
    yield* Effect.logInfo("http").pipe(
      Effect.annotateLogs({
        "http.method": request.method,
        "http.path": scrubPath(pathOf(request.url)),
        "http.status": status,
        "http.ms": (yield* Clock.currentTimeMillis) - start
      })
    )
    return yield* exit
  })
)

/**
 * The whole server as a layer over an `HttpServer`: the API, `/openapi.json` (OpenAPI 3.1),
 * the docs page at `/docs`, the guard and the request log. Worklists and tasks come from the
 * `TaskState` port: `SqliteStore.layer` provides one that keeps tasks in the file,
 * `MemoryStore.layerMemory` one that recomputes them from the store.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  never,
  never,
  | HttpServer.HttpServer
  | HttpRouter.HttpRouter.DefaultServices
  | Store.Store
  | TaskState.TaskState
  | Accounts.Accounts
  | Deployment.Deployment
  | BreakGlassLog
> => {
  const cors = options.cors === undefined || options.cors === false
    ? Layer.empty
    : HttpApiBuilder.middlewareCors(options.cors === true ? undefined : options.cors)
  return HttpApiBuilder.serve(options.requestLog === false ? identity : requestLog).pipe(
    Layer.provide(HttpApiScalar.layer({ path: options.docsPath ?? "/docs" })),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: options.openApiPath ?? "/openapi.json" })),
    Layer.provide(cors),
    Layer.provide(layerGuard(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)),
    Layer.provide(layerApi),
    Layer.provide(Analytics.layer(options.analytics))
  )
}
