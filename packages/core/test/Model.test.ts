import { assert, describe, it } from "@effect/vitest"
import { Fact, LocalDate, PersonalData, Resident } from "@minqing/core"
import { Arbitrary, DateTime, Either, FastCheck, Schema } from "effect"

const decode = Schema.decodeUnknownEither(Fact.Fact)

const resident = (overrides: Record<string, unknown> = {}) => ({
  _tag: "Resident",
  id: "r-1",
  householdId: "h-1",
  name: "王秀英",
  sex: "female",
  birthDate: "1950-03-07",
  nationalId: "410811195003070023",
  phone: "13812345678",
  livesAlone: true,
  presence: "present",
  doses: [],
  eligibility: { _tag: "eligible" },
  activeFrom: "2021-01-01",
  ...overrides
})

const messages = (input: unknown): Array<string> => {
  const result = Schema.decodeUnknownEither(Resident.Resident)(input, { errors: "all" })
  assert.isTrue(Either.isLeft(result), "expected the input to be rejected")
  return Either.isLeft(result) ? [result.left.message] : []
}

describe("model", () => {
  it("accepts a valid resident", () => {
    const result = decode(resident())
    assert.isTrue(Either.isRight(result))
  })

  it("names the check digit a mistyped national ID should have", () => {
    const [message] = messages(resident({ nationalId: "410811195003070026" }))
    assert.include(message, "check character (GB 11643) should be \"3\"")
    assert.include(message, "nationalId")
  })

  it("refuses a national ID whose birth date differs from birthDate", () => {
    const [message] = messages(resident({ birthDate: "1950-03-08" }))
    assert.include(message, "the national ID says the birth date is 1950-03-07")
  })

  it("explains the expected phone format", () => {
    const [message] = messages(resident({ phone: "12812345678" }))
    assert.include(message, "mainland mobile number")
    assert.include(message, "phone")
  })

  it("refuses impossible dates", () => {
    const [message] = messages(resident({ birthDate: "1950-02-30" }))
    assert.include(message, "YYYY-MM-DD")
  })

  it("masks personal data", () => {
    assert.strictEqual(PersonalData.maskNationalId("410811195003070023"), "410***********0023")
    assert.strictEqual(PersonalData.maskPhone("13812345678"), "138****5678")
  })

  it("round-trips every fact through encode and decode", () => {
    const arb = Arbitrary.make(Fact.Fact)
    FastCheck.assert(
      FastCheck.property(arb, (fact) => {
        // Facts travel as JSON, so the round trip is compared as JSON.
        const json = JSON.stringify(Schema.encodeSync(Fact.Fact)(fact))
        const decoded = Schema.decodeUnknownSync(Fact.Fact)(JSON.parse(json))
        assert.strictEqual(decoded._tag, fact._tag)
        assert.strictEqual(JSON.stringify(Schema.encodeSync(Fact.Fact)(decoded)), json)
      }),
      { numRuns: 300 }
    )
  })

  it("does date arithmetic on local calendar days", () => {
    const d = LocalDate.make("2024-02-28")
    assert.strictEqual(LocalDate.addDays(d, 1), "2024-02-29")
    assert.strictEqual(LocalDate.addDays(d, 2), "2024-03-01")
    assert.strictEqual(LocalDate.weekday(LocalDate.make("2021-05-10")), 1)
    assert.strictEqual(LocalDate.ageOn(LocalDate.make("1961-05-11"), LocalDate.make("2021-05-10")), 59)
    assert.strictEqual(DateTime.unsafeMake("2021-05-10T15:30:00Z").epochMillis > 0, true)
  })
})
