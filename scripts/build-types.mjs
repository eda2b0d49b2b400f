// Emits each package's declarations with tsc, one .d.ts per module under dist/dts, plus a
// .d.cts twin for `require`. Bundling declarations (tsup's dts) turned `export * as Ids` into
// type-only names, losing values such as `Ids.PlaceId`; plain tsc output keeps them.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const out = path.resolve("dist/dts")
fs.rmSync(out, { recursive: true, force: true })
execFileSync(process.execPath, [
  path.resolve(import.meta.dirname, "../node_modules/typescript/bin/tsc"),
  "-p",
  "tsconfig.build.json"
], {
  stdio: "inherit"
})

const relative = /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\.js\2/g
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(file)
    else if (entry.name.endsWith(".d.ts")) {
      const text = fs.readFileSync(file, "utf8").replace(relative, "$1$2$3.cjs$2")
      fs.writeFileSync(file.replace(/\.d\.ts$/, ".d.cts"), text.replace(/\.d\.ts\.map/g, ".d.ts.map"))
    }
  }
}
walk(out)
