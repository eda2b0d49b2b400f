import * as path from "node:path"
import { defineConfig } from "vitest/config"

const src = (pkg: string, file = "index.ts") => path.join(__dirname, "packages", pkg, "src", file)

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@minqing\/core\/testing$/, replacement: src("core", "testing/index.ts") },
      { find: /^@minqing\/core$/, replacement: src("core") },
      { find: /^@minqing\/adapter-sqlite$/, replacement: src("adapter-sqlite") },
      { find: /^@minqing\/adapter-http\/Api$/, replacement: src("adapter-http", "Api.ts") },
      { find: /^@minqing\/adapter-http$/, replacement: src("adapter-http") }
    ]
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    sequence: { concurrent: false }
  }
})
