/**
 * Personal data: national ID numbers and mobile phone numbers, their validation, and how
 * they are masked for readers who may not see them.
 *
 * Fields holding personal data are annotated with {@link PersonalDataKind} so adapters can
 * find them; {@link maskNationalId} and {@link maskPhone} give the masked forms
 * (`410***********1234`, `138****5678`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as LocalDate from "./LocalDate.js"

/**
 * Annotation key marking a schema as personal data, with its kind.
 *
 * @since 0.1.0
 * @category annotations
 */
export const PersonalDataKind: unique symbol = Symbol.for("@minqing/core/PersonalDataKind")

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = "10X98765432"

/**
 * The GB 11643 check character for the first 17 digits of a national ID.
 *
 * @since 0.1.0
 * @category national id
 */
export const nationalIdCheckDigit = (first17: string): string => {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

/**
 * Why a string is not a valid national ID number, or `undefined` when it is.
 *
 * @since 0.1.0
 * @category national id
 */
export const nationalIdProblem = (s: string): string | undefined => {
  if (!/^\d{17}[\dX]$/.test(s)) {
    return `expected 18 characters: 17 digits then a digit or "X" (uppercase), got ${s.length} characters`
  }
  const birth = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`
  if (!LocalDate.isValid(birth) || birth < LocalDate.MIN) {
    return `characters 7–14 must be a birth date YYYYMMDD; "${s.slice(6, 14)}" is not a valid date`
  }
  const expected = nationalIdCheckDigit(s.slice(0, 17))
  if (s[17] !== expected) {
    return `the check character (GB 11643) should be "${expected}", got "${s[17]}": a digit was probably mistyped`
  }
  return undefined
}

/**
 * The birth date written inside a national ID number.
 *
 * @since 0.1.0
 * @category national id
 */
export const birthDateOfNationalId = (id: NationalId): LocalDate.LocalDate =>
  `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}` as LocalDate.LocalDate

const NationalIdBase = Schema.String.pipe(
  Schema.filter((s) => nationalIdProblem(s) ?? true),
  Schema.brand("NationalId")
)

/**
 * A valid national ID number (居民身份证号码): 18 characters, a real birth date and a
 * correct GB 11643 check character. Personal data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NationalId = NationalIdBase.annotations({
  identifier: "NationalId",
  description: "Chinese resident identity card number (GB 11643), personal data",
  [PersonalDataKind]: "national-id",
  arbitrary: () => (fc) =>
    fc.tuple(
      fc.constantFrom("410811", "410802", "410882", "110101", "440305"),
      fc.integer({ min: LocalDate.toEpochDay("1920-01-01" as LocalDate.LocalDate), max: 20000 }),
      fc.integer({ min: 0, max: 999 })
    ).map(([region, day, seq]) => {
      const first17 = region + LocalDate.fromEpochDay(day).replaceAll("-", "") + String(seq).padStart(3, "0")
      return (first17 + nationalIdCheckDigit(first17)) as typeof NationalIdBase.Type
    })
})

/** @since 0.1.0 @category models */
export type NationalId = typeof NationalId.Type

const PhoneBase = Schema.String.pipe(
  Schema.filter((s) =>
    /^1[3-9]\d{9}$/.test(s) ||
    `expected a mainland mobile number: 11 digits starting with 13–19 (e.g. 13812345678), got ${
      JSON.stringify(s.length > 20 ? s.slice(0, 20) + "…" : s)
    }`
  ),
  Schema.brand("Phone")
)

/**
 * A mainland China mobile number: 11 digits starting with 13–19. Personal data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Phone = PhoneBase.annotations({
  identifier: "Phone",
  description: "Mainland China mobile number, personal data",
  [PersonalDataKind]: "phone",
  arbitrary: () => (fc) =>
    fc.tuple(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 0, max: 999_999_999 })).map(([b, rest]) =>
      `1${b}${String(rest).padStart(9, "0")}` as typeof PhoneBase.Type
    )
})

/** @since 0.1.0 @category models */
export type Phone = typeof Phone.Type

/**
 * `410811199001011234` → `410***********1234`: the region's first three and the last four
 * characters stay, enough to tell records apart without exposing the person.
 *
 * @since 0.1.0
 * @category masking
 */
export const maskNationalId = (id: string): string =>
  id.length <= 7 ? "*".repeat(id.length) : id.slice(0, 3) + "*".repeat(id.length - 7) + id.slice(-4)

/**
 * `13812345678` → `138****5678`.
 *
 * @since 0.1.0
 * @category masking
 */
export const maskPhone = (phone: string): string =>
  phone.length <= 7 ? "*".repeat(phone.length) : phone.slice(0, 3) + "*".repeat(phone.length - 7) + phone.slice(-4)
