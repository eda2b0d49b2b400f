import { describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
// Imported module by module (not through the barrels) so this suite depends only on the store.
import * as Deployment from "../src/Deployment.js"
import * as MemoryStore from "../src/MemoryStore.js"
import * as StoreSuite from "../src/testing/StoreSuite.js"

const fresh = () => MemoryStore.layerMemory.pipe(Layer.provideMerge(Deployment.layer()))

describe("MemoryStore conformance", () => {
  for (const c of StoreSuite.cases) {
    it.effect(c.name, () => c.test.pipe(Effect.provide(fresh())))
  }
})
