import { describe, it } from "@effect/vitest"
import { SqliteStore } from "@minqing/adapter-sqlite"
import { Deployment } from "@minqing/core"
import { StoreSuite } from "@minqing/core/testing"
import { Effect, Layer } from "effect"
import { tempFile } from "./fixtures.js"

/** A new database file in a fresh temporary directory for each case. */
const fresh = () =>
  Layer.unwrapScoped(Effect.map(tempFile, (filename) => SqliteStore.layer({ filename }))).pipe(
    Layer.provideMerge(Deployment.layer())
  )

describe("StoreSuite on SQLite (a file in a temporary directory)", () => {
  for (const c of StoreSuite.cases) {
    it.effect(c.name, () => c.test.pipe(Effect.provide(fresh())))
  }
})
