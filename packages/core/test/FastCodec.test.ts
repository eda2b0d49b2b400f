import { assert, describe, it } from "@effect/vitest"
import { Fact, Visit, WriteCheck } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import { Arbitrary, Either, FastCheck as fc, JSONSchema, ParseResult, Schema } from "effect"
import * as FastCodec from "../src/internal/fastCodec.js"

const encodeSlow = Schema.encodeUnknownEither(Fact.Fact)
const decodeSlow = Schema.decodeUnknownEither(Fact.Fact)
const encoder = FastCodec.encoder(Fact.Fact)!
const decoder = FastCodec.decoder(Fact.Fact)!

/** Deep identity of what a caller can observe: prototypes, own keys in order, values. */
const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Object.is(a, b)
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  const ka = Reflect.ownKeys(a)
  const kb = Reflect.ownKeys(b)
  return ka.length === kb.length &&
    ka.every((k, i) =>
      k === kb[i] && same((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k])
    )
}

/** What Effect's parser makes of a fact: the encoded form, its canonical JSON and the normalised instance. */
const slow = (fact: unknown) => {
  const encoded = encodeSlow(fact, { errors: "all" })
  if (Either.isLeft(encoded)) return undefined
  const decoded = decodeSlow(encoded.right, { errors: "all" })
  return Either.isLeft(decoded) ? undefined : { json: WriteCheck.canonical(encoded.right), fact: decoded.right }
}

/** The fast encoder either gives up or agrees with Effect's parser, and the input is the normalised fact. */
const agreesOnEncode = (fact: unknown) => {
  const fast = encoder(fact as Fact.Fact)
  if (fast === undefined) return true
  const reference = slow(fact)
  return reference !== undefined && fast.json === reference.json && same(fact, reference.fact)
}

/** The fast decoder either gives up or decodes exactly what Effect's parser decodes. */
const agreesOnDecode = (input: unknown) => {
  const fast = decoder(input)
  if (fast === undefined) return true
  const reference = decodeSlow(input, { errors: "all" })
  return Either.isRight(reference) && same(fast.value, reference.right)
}

const scenario = Scenario.make({ size: "S", villagesPerSubdistrict: 1, historyDays: 3 })
const facts = Fact.toArray(scenario.facts)

describe("fast codec", () => {
  it("encodes every fact of a scenario as Effect's parser does, to canonical JSON", () => {
    for (const fact of facts) {
      const fast = encoder(fact)
      const reference = slow(fact)
      assert.isDefined(fast, `${fact._tag} ${fact.id} takes the fast path`)
      assert.isDefined(reference)
      assert.strictEqual(fast!.json, reference!.json, `${fact._tag} ${fact.id}`)
      assert.isTrue(same(fact, reference!.fact), `${fact._tag} ${fact.id} is its own normalised instance`)
    }
  })

  it("decodes every stored fact of a scenario as Effect's parser does", () => {
    for (const fact of facts) {
      const stored: unknown = JSON.parse(encoder(fact)!.json)
      const fast = decoder(stored)
      const reference = decodeSlow(stored)
      assert.isDefined(fast, `${fact._tag} ${fact.id} takes the fast path`)
      assert.isTrue(Either.isRight(reference) && same(fast!.value, reference.right), `${fact._tag} ${fact.id}`)
    }
  })

  it("agrees with Effect's parser on arbitrary valid facts", () => {
    fc.assert(fc.property(Arbitrary.make(Fact.Fact), (fact) => agreesOnEncode(fact)), { numRuns: 500 })
    // What a store holds: the JSON of a valid fact's encoded form.
    const stored = (fact: Fact.Fact): unknown => JSON.parse(JSON.stringify(Schema.encodeSync(Fact.Fact)(fact)))
    fc.assert(fc.property(Arbitrary.make(Fact.Fact), (fact) => agreesOnDecode(stored(fact))), { numRuns: 500 })
    // …and the properties above exercise the fast paths, not only their giving up.
    const sample = fc.sample(Arbitrary.make(Fact.Fact), 200)
    assert.isAtLeast(sample.filter((fact) => encoder(fact) !== undefined).length, 190, "fast encodes")
    assert.isAtLeast(sample.filter((fact) => decoder(stored(fact)) !== undefined).length, 190, "fast decodes")
  })

  it("gives up on anything Effect's parser refuses or would change", () => {
    const [visit] = scenario.facts.visits
    const [resident] = scenario.facts.residents
    const broken = <X extends Fact.Fact>(fact: X, patch: Record<string, unknown>): X => {
      const Ctor = fact.constructor as new(props: unknown, options: { disableValidation: boolean }) => X
      return new Ctor({ ...fact, ...patch }, { disableValidation: true })
    }
    for (
      const bad of [
        broken(visit, { id: "not an id!" }),
        broken(visit, { outcome: "refused" }),
        broken(visit, { at: "2021-05-01T00:00:00Z" }),
        broken(visit, { observations: [{ _tag: "decoction", campaignId: "c1", servings: 2 }] }),
        broken(visit, { extra: 1 }),
        broken(resident, { name: " 王 " }),
        broken(resident, { nationalId: undefined }),
        { ...visit }
      ]
    ) {
      assert.isUndefined(encoder(bad as Fact.Fact), JSON.stringify(bad))
    }
    const stored = JSON.parse(encoder(visit)!.json) as Record<string, unknown>
    for (const bad of [{ ...stored, at: "yesterday" }, { ...stored, householdId: 7 }, { ...stored, _tag: "Nope" }]) {
      assert.isUndefined(decoder(bad), JSON.stringify(bad))
    }
    fc.assert(
      fc.property(fc.anything(), (input) => agreesOnEncode(input) && agreesOnDecode(input)),
      { numRuns: 500 }
    )
  })

  it("WriteCheck.fastDecoding decodes, refuses and reports as the schema it wraps", () => {
    const Batch = Schema.Struct({
      visits: Schema.Array(Visit.Visit).pipe(Schema.minItems(1, { message: () => "send at least one visit" }))
    })
    const fast = WriteCheck.fastDecoding(Batch).annotations({ parseOptions: { errors: "all" } })
    const reference = Batch.annotations({ parseOptions: { errors: "all" } })
    const visits = scenario.facts.visits.slice(0, 50).map((v) => JSON.parse(encoder(v)!.json) as unknown)
    const [visit] = visits as Array<Record<string, unknown>>
    const inputs: Array<unknown> = [
      { visits },
      { visits: [] },
      { visits: [{ ...visit, at: "yesterday" }, { ...visit, householdId: 7 }, visit] },
      { visits: [{ ...visit, outcome: "refused" }] },
      { visits: "none" },
      null
    ]
    for (const input of inputs) {
      const a = Schema.decodeUnknownEither(fast)(input)
      const b = Schema.decodeUnknownEither(reference)(input)
      assert.strictEqual(a._tag, b._tag, JSON.stringify(input))
      if (Either.isRight(a) && Either.isRight(b)) assert.isTrue(same(a.right, b.right))
      if (Either.isLeft(a) && Either.isLeft(b)) {
        assert.deepStrictEqual(
          ParseResult.ArrayFormatter.formatErrorSync(a.left),
          ParseResult.ArrayFormatter.formatErrorSync(b.left)
        )
        assert.strictEqual(a.left.message, b.left.message)
      }
    }
    const decoded = Schema.decodeUnknownSync(fast)({ visits })
    assert.deepStrictEqual(Schema.encodeSync(fast)(decoded), Schema.encodeSync(Batch)(decoded))
    assert.deepStrictEqual(JSONSchema.make(fast), JSONSchema.make(Batch))
  })
})
