import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/Api.ts", "src/Client.ts"],
  format: ["esm", "cjs"],
  dts: {
    // Check against the core's sources: its bundled .d.ts declares ids such as `Ids.PlaceId` as
    // types only (a rollup-plugin-dts limitation with a const and a type of one name).
    compilerOptions: { paths: { "@minqing/core": ["../core/src/index.ts"] } }
  },
  sourcemap: true,
  clean: true,
  external: [/^effect/, /^@effect\//, /^@minqing\//]
})
