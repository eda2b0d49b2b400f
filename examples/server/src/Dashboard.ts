/**
 * The dashboard: static files from `public/` at `/`, chart.js from `node_modules` at
 * `/vendor/chart.umd.js`, the core's label table at `/dashboard/labels.json`, the zone and
 * today's date at `/dashboard/settings.json`, and (for a demo only) the demo logins at
 * `/dashboard/demo.json`. The page reads its figures from the
 * API itself (`/coverage`, `/tasks`, `/worklist`, …) with the bearer token of its user, so it
 * sees exactly what that user's role and scope allow.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { BuiltInMetrics, Labels, type RulePack, type TimeZone } from "@minqing/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { DemoLogin } from "./Demo.js"

/** Options of the dashboard. */
export interface Options {
  /** The rule pack, for the rules' labels. */
  readonly pack: RulePack.RulePack
  /** The deployment's zone: the page's "today". */
  readonly zone: TimeZone.TimeZone
  /** Demo logins the page offers (a demo only: anyone who can reach the server can read them). */
  readonly demo?: ReadonlyArray<DemoLogin> | undefined
  /** Where the static files are (default: this example's `public/`). */
  readonly publicDir?: string | undefined
}

/** This example's `public/` folder. */
export const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "public")

/** chart.js's UMD build, resolved from this package's dependencies. */
export const chartJsFile = (): string =>
  path.join(path.dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js")

const assets: Readonly<Record<string, string>> = {
  "app.js": "text/javascript; charset=utf-8",
  "i18n.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "favicon.svg": "image/svg+xml"
}

const headers = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache"
}

// Everything the page loads comes from this server: no CDN, no inline script.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const notFound = (message: string) =>
  HttpServerResponse.unsafeJson({ _tag: "NotFound", message }, { status: 404, headers })

const file = (name: string, contentType: string, extra: Record<string, string> = {}) =>
  Effect.tryPromise(() => readFile(name)).pipe(
    Effect.map((body) => HttpServerResponse.uint8Array(body, { contentType, headers: { ...headers, ...extra } })),
    Effect.orElseSucceed(() => notFound(`No file ${path.basename(name)}`))
  )

/** The dashboard's routes, added to the API server's router. */
export const layer = (options: Options) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const dir = options.publicDir ?? publicDir
      const labels = JSON.stringify({
        enumerations: Labels.table,
        rules: Object.fromEntries(options.pack.rules.map((r) => [r.id, r.title])),
        metrics: Object.fromEntries(BuiltInMetrics.all.map((m) => [m.id, m.title]))
      })
      yield* router.get(
        "/",
        file(path.join(dir, "index.html"), "text/html; charset=utf-8", { "content-security-policy": csp })
      )
      yield* router.get(
        "/assets/:name",
        Effect.gen(function*() {
          const name = (yield* HttpRouter.params).name ?? ""
          return Object.hasOwn(assets, name)
            ? yield* file(path.join(dir, name), assets[name])
            : notFound(`No asset ${name.slice(0, 40)}`)
        })
      )
      yield* router.get("/vendor/chart.umd.js", file(chartJsFile(), "text/javascript; charset=utf-8"))
      yield* router.get(
        "/dashboard/labels.json",
        Effect.succeed(HttpServerResponse.text(labels, { contentType: "application/json", headers }))
      )
      yield* router.get(
        "/dashboard/settings.json",
        Effect.map(Clock.currentTimeMillis, (now) =>
          HttpServerResponse.unsafeJson({
            zone: options.zone.name,
            today: options.zone.dateOf(now),
            demo: options.demo !== undefined
          }, { headers }))
      )
      yield* router.get(
        "/dashboard/demo.json",
        Effect.succeed(
          options.demo === undefined
            ? notFound("This server runs without demo logins.")
            : HttpServerResponse.unsafeJson(
              options.demo.map((d) => ({ role: d.role, name: d.account.name, scope: d.scopeName, token: d.token })),
              { headers }
            )
        )
      )
    })
  )
