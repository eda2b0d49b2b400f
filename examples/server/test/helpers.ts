import { LocalDate, TimeZone } from "@minqing/core"
import { Scenario } from "@minqing/core/testing"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import type * as App from "../src/App.js"

/** A small 待王街道: still six villages, two grids of ten households each, two weeks of visits. */
export const smallShape = { gridsPerVillage: 2, householdsPerGrid: 10 } as const
export const HISTORY_DAYS = 14
export const ZONE = "Asia/Shanghai"

/** A temporary folder, removed when the scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(path.join(tmpdir(), "minqing-example-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

export const settings = (dataFile: string): App.Settings => ({
  port: 0,
  host: "127.0.0.1",
  dataFile,
  zone: ZONE,
  demo: true,
  size: "S",
  seed: 1,
  historyDays: HISTORY_DAYS,
  shape: smallShape,
  requestLog: false
})

/**
 * Household screening on a day counted by hand from the same scenario the server seeded:
 * households with a contacted visit that day ÷ households, per village.
 */
export const screeningByHand = (today: LocalDate.LocalDate, day: LocalDate.LocalDate) => {
  const zone = TimeZone.make(ZONE)
  const roster = Scenario.roster({ size: "S", seed: 1, historyDays: HISTORY_DAYS, today, zone: ZONE, ...smallShape })
  const contacted = new Set<string>()
  for (const batch of Scenario.visits(roster)) {
    for (const v of batch) {
      if (v.outcome === "contacted" && zone.dateOf(DateTime.toEpochMillis(v.at)) === day) contacted.add(v.householdId)
    }
  }
  const villageOf = new Map(roster.facts.places.map((p) => [p.id, p.parentId]))
  const out = new Map<string, { numerator: number; denominator: number }>()
  for (const h of roster.facts.households) {
    const village = villageOf.get(h.gridId)!
    const row = out.get(village) ?? { numerator: 0, denominator: 0 }
    row.denominator++
    if (contacted.has(h.id)) row.numerator++
    out.set(village, row)
  }
  return { villageIds: roster.villageIds, byVillage: out, rootId: roster.rootId }
}
