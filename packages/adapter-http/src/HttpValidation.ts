/**
 * The server side of `Validation.Validation`: decodes an endpoint's path parameters, query
 * and body with every error reported, and refuses the request with all the problems at once.
 *
 * @since 0.1.0
 */
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpMethod from "@effect/platform/HttpMethod"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Problem } from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { Api } from "./Api.js"
import { invalid } from "./internal/errors.js"
import { Validation } from "./Validation.js"

/** Endpoints whose handler reads the body itself, item by item. */
const RAW_BODY = new Set(["sync.push"])

interface Entry {
  readonly endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
  readonly rawBody: boolean
}

const index = (): ReadonlyMap<string, Entry> => {
  const out = new Map<string, Entry>()
  for (const group of Object.values(Api.groups) as Array<any>) {
    for (const endpoint of Object.values(group.endpoints) as Array<HttpApiEndpoint.HttpApiEndpoint.AnyWithProps>) {
      out.set(`${endpoint.method} ${endpoint.path}`, {
        endpoint,
        rawBody: RAW_BODY.has(`${group.identifier}.${endpoint.name}`)
      })
    }
  }
  return out
}

// Which query keys the schema reads as arrays, so that `?metric=a` decodes like `?metric=a&metric=b`.
const arrayKeys = (schema: Schema.Schema.Any): ReadonlySet<string> => {
  const keys = new Set<string>()
  const visit = (ast: AST.AST): void => {
    switch (ast._tag) {
      case "TypeLiteral":
        for (const ps of ast.propertySignatures) {
          if (isArray(ps.type)) keys.add(String(ps.name))
        }
        return
      case "Refinement":
        return visit(ast.from)
      case "Transformation":
        return visit(ast.from)
      default:
        return
    }
  }
  const isArray = (ast: AST.AST): boolean =>
    ast._tag === "TupleType" || (ast._tag === "Union" && ast.types.some(isArray)) ||
    ((ast._tag === "Refinement" || ast._tag === "Transformation") && isArray(ast.from))
  visit(AST.encodedAST(schema.ast))
  return keys
}

const problemsOf = (schema: Schema.Schema.Any, input: unknown): ReadonlyArray<Problem.Problem> => {
  const decoded = Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>, { errors: "all" })(input)
  return Either.isLeft(decoded) ? Problem.fromParseError(decoded.left) : []
}

/**
 * The validation middleware.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Validation> = Layer.sync(Validation, () => {
  const endpoints = index()
  const arrays = new Map<string, ReadonlySet<string>>()
  return Effect.gen(function*() {
    const route = yield* HttpRouter.RouteContext
    const entry = endpoints.get(`${route.route.method} ${route.route.path}`)
    if (entry === undefined) return
    const { endpoint } = entry
    const problems: Array<Problem.Problem> = []
    if (Option.isSome(endpoint.pathSchema)) problems.push(...problemsOf(endpoint.pathSchema.value, route.params))
    if (Option.isSome(endpoint.urlParamsSchema)) {
      const schema = endpoint.urlParamsSchema.value
      const key = `${endpoint.method} ${endpoint.path}`
      let keys = arrays.get(key)
      if (keys === undefined) arrays.set(key, keys = arrayKeys(schema))
      const raw = yield* HttpServerRequest.ParsedSearchParams
      const params: Record<string, string | ReadonlyArray<string>> = {}
      for (const [k, v] of Object.entries(raw)) params[k] = keys.has(k) && typeof v === "string" ? [v] : v
      problems.push(...problemsOf(schema, params))
    }
    const request = yield* HttpServerRequest.HttpServerRequest
    if (Option.isSome(endpoint.payloadSchema) && !entry.rawBody && HttpMethod.hasBody(request.method)) {
      // Read errors (malformed JSON, too large) are answered by the server's guard.
      const body = yield* Effect.orDie(request.json)
      problems.push(...problemsOf(endpoint.payloadSchema.value, body))
    }
    if (problems.length > 0) return yield* invalid(problems, "The request does not match the schema")
  })
})
