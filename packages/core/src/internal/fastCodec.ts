/**
 * Fast paths for encoding and decoding facts, compiled from the same Schema ASTs that
 * `Schema.encodeUnknownEither` and `Schema.decodeUnknownEither` interpret. Effect's general
 * parser keeps issue bookkeeping for every node, which costs tens of microseconds a fact:
 * most of a bulk write (the write check encodes every fact) and of a large read (a store
 * decodes every stored fact).
 *
 * A compiled codec walks the AST once per value with no bookkeeping: refinements call the
 * schema's own filters, declarations and transformations call the schema's own functions. It
 * answers only "valid, and here is the result" or "not sure": a node it does not handle, a
 * failed check, anything unexpected makes it give up, and the caller runs Effect's parser,
 * which accepts, refuses and reports exactly as before. So it can make a valid value faster,
 * never change what is accepted or how a refusal reads.
 *
 * The encoder goes further for the write check, which needs both the encoded form and the
 * normalised instance: it only succeeds when decoding the encoded form would rebuild a value
 * equal to the input (every transformation it accepts round-trips, every declaration accepts
 * the input as it is, and no object has a property the schema would drop), so the input
 * itself is the normalised instance. Its objects have their keys in sorted order, so
 * `JSON.stringify` of the encoded form is the canonical JSON.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/** Returned by a compiled step when the value is not (known to be) valid. */
const FAIL: unique symbol = Symbol.for("@minqing/core/internal/fastCodec/FAIL")

type Step = (value: unknown) => unknown

const options: AST.ParseOptions = {}

const hasOwn = Object.prototype.hasOwnProperty

const resultOf = (r: unknown): unknown => Either.isEither(r) ? (Either.isRight(r) ? r.right : FAIL) : FAIL

const byName = <A extends { readonly name: string }>(a: A, b: A) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

// Transformations whose encoded form decodes back to the same value: `Schema.Class` (an
// instance and the struct of its fields), `Schema.DateTimeUtc` (an instant and its ISO
// string) and `Schema.Trim` (a trimmed string is its own trim).
const roundTrips = (ast: AST.Transformation): boolean => {
  const id = Option.getOrUndefined(AST.getIdentifierAnnotation(ast))
  if (id === "DateTimeUtc" || id === "Trim") return true
  const from = ast.from._tag === "Refinement" ? ast.from.from : ast.from
  return ast.to._tag === "Declaration" && ast.to.typeParameters.length === 1 && from._tag === "TypeLiteral"
}

// The literal `_tag` of a union member (a tagged class or struct), the same on both sides.
const tagOf = (ast: AST.AST): unknown => {
  switch (ast._tag) {
    case "Transformation":
    case "Refinement":
      return tagOf(ast.from)
    case "TypeLiteral": {
      const ps = ast.propertySignatures.find((p) => p.name === "_tag")
      return ps !== undefined && !ps.isOptional && ps.type._tag === "Literal" ? ps.type.literal : undefined
    }
    default:
      return undefined
  }
}

type Memo = Map<AST.AST, Step | undefined>

const compile = (ast: AST.AST, encoding: boolean, memo: Memo): Step | undefined => {
  if (memo.has(ast)) return memo.get(ast)
  // A recursive schema is not followed (no fact has one): the placeholder makes it unsupported.
  memo.set(ast, undefined)
  const step = build(ast, encoding, memo)
  memo.set(ast, step)
  return step
}

const build = (ast: AST.AST, encoding: boolean, memo: Memo): Step | undefined => {
  // A node with its own parse options would parse differently: left to Effect.
  if (Option.isSome(AST.getParseOptionsAnnotation(ast))) return undefined
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => (typeof u === "string" ? u : FAIL)
    case "NumberKeyword":
      return (u) => (typeof u === "number" ? u : FAIL)
    case "BooleanKeyword":
      return (u) => (typeof u === "boolean" ? u : FAIL)
    case "UndefinedKeyword":
      return (u) => (u === undefined ? u : FAIL)
    case "Literal": {
      const literal = ast.literal
      return (u) => (u === literal ? u : FAIL)
    }
    case "Refinement": {
      // Encoding checks the filter on the value it was given; decoding, on the decoded value.
      const from = compile(ast.from, encoding, memo)
      if (from === undefined) return undefined
      const filter = ast.filter
      return (u) => {
        const out = from(u)
        if (out === FAIL) return FAIL
        try {
          return Option.isNone(filter(encoding ? u : out, options, ast)) ? out : FAIL
        } catch {
          return FAIL
        }
      }
    }
    case "Declaration": {
      // Only a value the declaration accepts as it is (an instance of the class, an instant in
      // UTC), never one it would convert.
      const parse = encoding ? ast.encodeUnknown(...ast.typeParameters) : ast.decodeUnknown(...ast.typeParameters)
      return (u) => {
        try {
          return resultOf(parse(u, options, ast)) === u ? u : FAIL
        } catch {
          return FAIL
        }
      }
    }
    case "Transformation": {
      if (ast.transformation._tag !== "FinalTransformation" || (encoding && !roundTrips(ast))) return undefined
      const first = compile(encoding ? ast.to : ast.from, encoding, memo)
      const second = compile(encoding ? ast.from : ast.to, encoding, memo)
      if (first === undefined || second === undefined) return undefined
      const transform = encoding ? ast.transformation.encode : ast.transformation.decode
      return (u) => {
        const a = first(u)
        if (a === FAIL) return FAIL
        let b: unknown
        try {
          b = resultOf(transform(a, options, ast, u))
        } catch {
          return FAIL
        }
        return b === FAIL ? FAIL : second(b)
      }
    }
    case "TupleType": {
      if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
      const item = compile(ast.rest[0].type, encoding, memo)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return FAIL
        const out = new Array(u.length)
        for (let i = 0; i < u.length; i++) {
          const v = item(u[i])
          if (v === FAIL) return FAIL
          out[i] = v
        }
        return out
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) return undefined
      const fields: Array<{ readonly name: string; readonly optional: boolean; readonly step: Step }> = []
      for (const ps of ast.propertySignatures) {
        if (typeof ps.name !== "string") return undefined
        const step = compile(ps.type, encoding, memo)
        if (step === undefined) return undefined
        fields.push({ name: ps.name, optional: ps.isOptional, step })
      }
      // Encoded objects in sorted key order (canonical JSON); decoded ones in the schema's
      // order, as Effect builds them.
      if (encoding) fields.sort(byName)
      const n = fields.length
      return (u) => {
        if (u === null || typeof u !== "object" || Array.isArray(u)) return FAIL
        const input = u as Record<string, unknown>
        const out: Record<string, unknown> = {}
        let present = 0
        for (let i = 0; i < n; i++) {
          const f = fields[i]
          if (hasOwn.call(input, f.name)) present++
          else if (f.optional) continue
          const v = f.step(input[f.name])
          if (v === FAIL) return FAIL
          out[f.name] = v
        }
        // Encoding: a property the schema does not know would be dropped, so the input would
        // not be the normalised value. Decoding drops it, as Effect does.
        return encoding && Object.keys(input).length !== present ? FAIL : out
      }
    }
    case "Union": {
      // Members are tried in order, but only those whose `_tag` (when they have one) matches
      // the value's: trying a class on another class's instance is a full, failing parse.
      const members: Array<{ readonly tag: unknown; readonly step: Step }> = []
      for (const member of ast.types) {
        const step = compile(member, encoding, memo)
        if (step === undefined) return undefined
        members.push({ tag: tagOf(member), step })
      }
      return (u) => {
        const tag = u !== null && typeof u === "object" ? (u as { readonly _tag?: unknown })._tag : undefined
        for (const m of members) {
          if (m.tag !== undefined && tag !== undefined && m.tag !== tag) continue
          const v = m.step(u)
          if (v !== FAIL) return v
        }
        return FAIL
      }
    }
    default:
      return undefined
  }
}

/**
 * The fast encoder of a schema: the encoded form (objects with sorted keys) and its JSON, or
 * `undefined` when the value is not known to be valid and already normalised. `undefined`
 * itself when the schema has a node the fast path does not handle.
 *
 * @internal
 */
export const encoder = <A, I>(
  schema: Schema.Schema<A, I>
): ((value: A) => { readonly encoded: I; readonly json: string } | undefined) | undefined => {
  const step = compile(schema.ast, true, new Map())
  if (step === undefined) return undefined
  return (value) => {
    const encoded = step(value)
    // The walk is the schema's own encoding, so what it returns is the schema's encoded type.
    return encoded === FAIL ? undefined : { encoded: encoded as I, json: JSON.stringify(encoded) }
  }
}

/**
 * The fast decoder of a schema: the decoded value, or `undefined` when the input is not known
 * to be valid. `undefined` itself when the schema has a node the fast path does not handle.
 *
 * @internal
 */
export const decoder = <A, I>(
  schema: Schema.Schema<A, I>
): ((input: unknown) => { readonly value: A } | undefined) | undefined => {
  const step = compile(schema.ast, false, new Map())
  if (step === undefined) return undefined
  return (input) => {
    const value = step(input)
    // The walk is the schema's own decoding, so what it returns is the schema's type.
    return value === FAIL ? undefined : { value: value as A }
  }
}
