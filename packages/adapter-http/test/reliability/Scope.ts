/**
 * Scope helpers of the authorisation and personal-data tests: which grids and personal
 * values each account may see, requests of the templates aimed at a grid, and a leak check
 * of a response for an account.
 */
import { Place } from "@minqing/core"
import { type Parts } from "./Endpoints.js"
import { leaksIn } from "./Leaks.js"
import { W, type Who } from "./World.js"

const tree = Place.tree(W.places)

/** The grids an account reaches. */
export const gridsOf = (who: Who): ReadonlyArray<string> =>
  W.grids.filter((g) => W.accounts[who].scope.some((root) => tree.isWithin(g as any, root)))

/** The grid aimed at in and out of each account's scope. */
export const targets: { readonly [K in Who]: { readonly in: string; readonly out: string } } = {
  ...W.targets,
  admin2: { in: W.placeIds.s2v1g1, out: W.placeIds.s1v1g1 }
}

/** Markers of the places an account must never see. */
export const forbiddenMarkers = (who: Who): ReadonlyArray<string> => W.forbiddenMarkers(who as W.RoleKey)

/**
 * The personal values an account must never see unmasked: those of grids outside its scope,
 * and all of them for the auditor (whose role sees personal data masked).
 */
export const forbiddenValues = (who: Who): ReadonlySet<string> => {
  const reach = new Set(gridsOf(who))
  const values = W.grids.flatMap((g) => {
    if (reach.has(g) && W.accounts[who].role !== "auditor") return []
    const pd = W.personalDataOf(g)
    return [pd.residentNationalId, pd.residentPhone, pd.liaisonPhone, pd.newcomerNationalId, pd.newcomerPhone]
  })
  return new Set(values)
}

/** What in a response an account must not see: forbidden markers and unmasked values. */
export const leaksFor = (who: Who, text: string, allowed: ReadonlySet<string> = new Set()): ReadonlyArray<string> => {
  const forbidden = forbiddenValues(who)
  return [
    ...forbiddenMarkers(who).filter((m) => text.includes(m)),
    ...leaksIn(text).filter((v) => forbidden.has(v) && !allowed.has(v))
  ]
}

const villageOf = (grid: string): string => W.places.find((p) => p.id === grid)!.parentId!

/**
 * A template aimed at a grid: the world's ids of the template's grid swapped for the
 * target's, list filters narrowed to the target grid, new records given ids unique to the
 * attempt, and the place markers and personal data of the template dropped (so an error
 * that quotes the request cannot pass for a leak).
 */
export const aim = (parts: Parts, target: string, suffix: string): Parts => {
  const village = villageOf(target)
  let json = JSON.stringify(parts)
  json = json.replaceAll(W.placeIds.s1v1g1, target).replaceAll(`"${W.placeIds.s1v1}"`, `"${village}"`)
  json = json.replace(/\.fz\b/g, `.fz-${suffix}`).replace(/fz-(grid|account)\b/g, `fz-$1-${suffix}`)
  json = json.replace(/⟦[^⟧]*⟧/g, "")
  const aimed = JSON.parse(json) as { path?: Record<string, string>; urlParams?: Record<string, string>; payload?: any }
  if (aimed.urlParams?.scope !== undefined) aimed.urlParams.scope = target
  // Personal data is optional on residents and newcomers; unique national IDs would collide across attempts.
  const payload = aimed.payload
  if (payload?._tag === "Resident") {
    delete payload.nationalId
    delete payload.phone
  }
  if (payload?._tag === "ArrivalReport") {
    delete payload.person.nationalId
    delete payload.person.phone
  }
  return aimed
}

/** Whether an aimed template names the target grid anywhere (so its outcome depends on scope). */
export const isAimed = (parts: Parts, target: string): boolean => JSON.stringify(parts).includes(target)
