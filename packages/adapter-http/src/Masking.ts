/**
 * Masking of personal data in responses: national ID numbers and phone numbers of
 * residents, liaisons and newcomers named in arrival reports. A reader whose role may not
 * see personal data (`Access.seesPersonalData`) gets `410***********1234` and
 * `138****5678`, unless a "break the glass" grant unmasks one resident for a while.
 *
 * The functions work on facts and on their encoded form alike (the audit trail keeps
 * records encoded), since the personal fields are strings in both.
 *
 * @since 0.1.0
 */
import { type Fact, PersonalData } from "@minqing/core"
import type { ArrivalReportView, FactView, LiaisonView, ResidentView } from "./Api.js"

/**
 * The kinds of personal data.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "national-id" | "phone"

/**
 * Where each kind of fact keeps personal data: paths of string fields and their kind.
 *
 * @since 0.1.0
 * @category constants
 */
export const personalFields: {
  readonly [T in Fact.Tag]: ReadonlyArray<{ readonly path: ReadonlyArray<string>; readonly kind: Kind }>
} = {
  Place: [],
  Liaison: [{ path: ["phone"], kind: "phone" }],
  Household: [],
  Resident: [{ path: ["nationalId"], kind: "national-id" }, { path: ["phone"], kind: "phone" }],
  Visit: [],
  ArrivalReport: [{ path: ["person", "nationalId"], kind: "national-id" }, {
    path: ["person", "phone"],
    kind: "phone"
  }],
  Matter: [],
  Campaign: []
}

/**
 * The masked form of a value of a kind.
 *
 * @since 0.1.0
 * @category masking
 */
export const maskValue = (kind: Kind, value: string): string =>
  kind === "national-id" ? PersonalData.maskNationalId(value) : PersonalData.maskPhone(value)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const maskAt = (record: Record<string, unknown>, path: ReadonlyArray<string>, kind: Kind): Record<string, unknown> => {
  const [head, ...rest] = path
  const value = record[head]
  if (rest.length === 0) {
    return typeof value === "string" ? { ...record, [head]: maskValue(kind, value) } : record
  }
  return isRecord(value) ? { ...record, [head]: maskAt(value, rest, kind) } : record
}

/**
 * Masks the personal data of a record given as a fact or in its encoded form, chosen by
 * its `_tag`. Anything else comes back unchanged.
 *
 * @since 0.1.0
 * @category masking
 */
export const maskRecord = (record: unknown): unknown => {
  if (!isRecord(record) || typeof record._tag !== "string" || !(record._tag in personalFields)) return record
  let out: Record<string, unknown> = record
  for (const { kind, path } of personalFields[record._tag as Fact.Tag]) out = maskAt(out, path, kind)
  return out
}

/**
 * A fact as a reader sees it: as it is when `visible`, otherwise with personal data masked.
 *
 * @since 0.1.0
 * @category masking
 */
export const view: {
  (fact: Fact.Of<"Resident">, visible: boolean): ResidentView
  (fact: Fact.Of<"Liaison">, visible: boolean): LiaisonView
  (fact: Fact.Of<"ArrivalReport">, visible: boolean): ArrivalReportView
  <F extends Fact.Fact>(fact: F, visible: boolean): FactView
} = (fact: Fact.Fact, visible: boolean): any =>
  visible || personalFields[fact._tag].length === 0 ? fact : maskRecord(fact)

// A national ID (17 digits and a check character) or a mainland mobile number, anywhere in a
// text: an account id, a label or a reason may be built from one.
const personalPattern = /\d{17}[\dXx]|1[3-9]\d{9}/g

/**
 * A text with every run that looks like a national ID or a mobile number masked — for free
 * text that may carry personal data: log annotations, account ids and names, token labels,
 * reasons.
 *
 * @example
 * ```ts
 * import { Masking } from "@minqing/adapter-http"
 *
 * Masking.maskText("acct-13812345678") // "acct-138****5678"
 * ```
 *
 * @since 0.1.0
 * @category masking
 */
export const maskText = (text: string): string =>
  text.replace(
    personalPattern,
    (match) => match.length === 18 ? PersonalData.maskNationalId(match) : PersonalData.maskPhone(match)
  )

/**
 * {@link maskText} applied to every string inside a JSON-like value (keys stay as they are).
 *
 * @since 0.1.0
 * @category masking
 */
export const maskDeep = (value: unknown): unknown => {
  if (typeof value === "string") return maskText(value)
  if (Array.isArray(value)) return value.map(maskDeep)
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]))
  return value
}
