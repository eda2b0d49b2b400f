/**
 * Finding personal data where it must not be: the patterns of a national ID number and of
 * a mainland mobile number, kept only where the match is one of the exact values the suite
 * put into the data (so timestamps and ids that merely look alike are not counted).
 */
import { fzNationalId, fzNewcomerNationalId } from "./Endpoints.js"
import { personalValues } from "./World.js"

/** The patterns of the brief. */
export const patterns = { nationalId: /\d{17}[\dX]/g, phone: /1[3-9]\d{9}/g } as const

/** Every personal value the suite sends or stores. */
export const knownValues: ReadonlySet<string> = new Set([
  ...personalValues.map((p) => p.value),
  fzNationalId,
  fzNewcomerNationalId,
  "13611112222",
  "13722223333",
  "13512340000"
])

/** The known personal values found unmasked in a text. */
export const leaksIn = (text: string): ReadonlyArray<string> => {
  const found = new Set<string>()
  for (const pattern of [patterns.nationalId, patterns.phone]) {
    for (const m of text.matchAll(new RegExp(pattern.source, "g"))) {
      // A match may start inside a longer run of digits; test every known value it covers too.
      if (knownValues.has(m[0])) found.add(m[0])
    }
  }
  for (const value of knownValues) if (text.includes(value)) found.add(value)
  return [...found]
}
