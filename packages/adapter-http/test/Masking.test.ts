import { assert, describe, it } from "@effect/vitest"
import { Fact, PersonalData } from "@minqing/core"
import { Option, Schema, SchemaAST as AST } from "effect"
import * as Masking from "../src/Masking.js"
import * as W from "./world.js"

/** Every field of every fact the model annotates as personal data, as "Tag:path". */
const annotatedFields = (): ReadonlyArray<string> => {
  const found = new Set<string>()
  const visit = (ast: AST.AST, tag: string, path: ReadonlyArray<string>, seen: Set<AST.AST>): void => {
    if (seen.has(ast)) return
    seen.add(ast)
    if (Option.isSome(AST.getAnnotation(ast, PersonalData.PersonalDataKind))) {
      found.add(`${tag}:${path.join(".")}`)
      return
    }
    switch (ast._tag) {
      case "TypeLiteral":
        for (const ps of ast.propertySignatures) visit(ps.type, tag, [...path, String(ps.name)], seen)
        return
      case "Union":
        for (const t of ast.types) visit(t, tag, path, seen)
        return
      case "TupleType":
        for (const e of [...ast.elements.map((e) => e.type), ...ast.rest.map((r) => r.type)]) {
          visit(e, tag, [...path, "*"], seen)
        }
        return
      case "Refinement":
        return visit(ast.from, tag, path, seen)
      case "Transformation":
        visit(ast.from, tag, path, seen)
        return visit(ast.to, tag, path, seen)
      case "Declaration":
        for (const t of ast.typeParameters) visit(t, tag, path, seen)
        return
      case "Suspend":
        return visit(ast.f(), tag, path, seen)
      default:
        return
    }
  }
  for (const [tag, schema] of Object.entries(Fact.schemas) as Array<[string, Schema.Schema.Any]>) {
    visit(schema.ast, tag, [], new Set())
  }
  return [...found].sort()
}

describe("Masking", () => {
  it("knows every field the model marks as personal data", () => {
    const known = Object.entries(Masking.personalFields).flatMap(([tag, fields]) =>
      fields.map((f) => `${tag}:${f.path.join(".")}`)
    ).sort()
    assert.deepStrictEqual(known, annotatedFields())
  })

  it("masks facts and their encoded form alike, and leaves other records alone", () => {
    const records = W.recordsOf(W.placeIds.s1v1g1)
    const pd = W.personalDataOf(W.placeIds.s1v1g1)
    for (const record of [records.resident, records.liaison, records.arrival]) {
      const masked = JSON.stringify(Masking.view(record, false))
      const maskedEncoded = JSON.stringify(Masking.maskRecord(Schema.encodeSync(Fact.Fact)(record)))
      for (const value of [pd.residentNationalId, pd.residentPhone, pd.liaisonPhone, pd.newcomerNationalId]) {
        assert.notInclude(masked, value)
        assert.notInclude(maskedEncoded, value)
      }
    }
    assert.strictEqual(Masking.view(records.resident, true), records.resident)
    assert.strictEqual(Masking.view(records.household, false), records.household)
    assert.strictEqual(Masking.maskRecord("not a record"), "not a record")
    assert.strictEqual(Masking.maskValue("phone", "13812345678"), "138****5678")
    assert.strictEqual(Masking.maskValue("national-id", "410811199001011234"), "410***********1234")
  })
})
