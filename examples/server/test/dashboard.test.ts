import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, statSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import * as App from "../src/App.js"
import { settings, tempDir } from "./helpers.js"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const SCREENSHOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "__screenshots__", "dashboard.png")

const browser = (userDataDir: string) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync"
        ]
      })
    ),
    (context: BrowserContext) => Effect.promise(() => context.close())
  )

const ready = (page: Page) => page.waitForSelector("body[data-state=ready]", { timeout: 50_000 })

const percentText = (score: number | null) => (score === null ? "—" : `${(score * 100).toFixed(1)}%`)

describe("the dashboard in a real browser", () => {
  it.scopedLive(
    "shows real figures to the auditor with personal data masked, and switches language",
    () =>
      Effect.gen(function*() {
        assert.isTrue(
          existsSync(CHROMIUM),
          `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
        )
        const dir = yield* tempDir
        const running = yield* App.start(settings(path.join(dir, "dashboard.db")))
        const context = yield* browser(path.join(dir, "chromium-profile"))
        const page = yield* Effect.promise(() => context.newPage())
        const problems: Array<string> = []
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(`console: ${m.text()}`)
        })

        yield* Effect.promise(() => page.goto(`${running.url}/?role=auditor&lang=zh-Hans`))
        yield* Effect.promise(() => ready(page))
        assert.include(yield* Effect.promise(() => page.textContent("#who")), "审计员")

        // The coverage table: the six villages with percentages — the API's own figures.
        const rows = yield* Effect.promise(() =>
          page.$$eval("#coverage tbody tr[data-level=village]", (trs: Array<any>) =>
            trs.map((tr) => ({
              id: tr.dataset.placeId as string,
              screening: tr.querySelector("td[data-metric=household-screening]")?.textContent ?? ""
            })))
        )
        assert.strictEqual(rows.length, 6)
        const { from, to } = yield* Effect.promise(() =>
          Promise.all([page.inputValue("#from"), page.inputValue("#to")]).then(([from, to]) => ({ from, to }))
        )
        const auditor = running.logins.find((l) => l.role === "auditor")!.token
        const api = yield* Effect.promise(() =>
          fetch(
            `${running.url}/coverage?metric=household-screening&from=${from}&to=${to}&asOf=${to}&depth=1&members=none`,
            { headers: { authorization: `Bearer ${auditor}` } }
          ).then((r) => r.json() as Promise<any>)
        )
        for (const row of rows) {
          assert.match(row.screening, /^\d{1,3}\.\d%$/)
          const figure = api.metrics[0].figures.find((f: any) => f.placeId === row.id)
          assert.strictEqual(row.screening, percentText(figure.score), row.id)
          assert.isAbove(figure.counts.numerator, 0)
        }

        // The daily series: a chart.js chart drawn on the canvas, one point per day of the period.
        const chart = yield* Effect.promise(() =>
          page.evaluate(() => {
            // runs in the page (this file is compiled without the DOM's types)
            const { Chart, document } = globalThis as any
            const canvas = document.getElementById("series")
            const instance = Chart.getChart(canvas)
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data
            let painted = 0
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++
            return {
              width: canvas.width,
              points: instance.data.datasets[0].data.length,
              values: instance.data.datasets[0].data.filter((v: number | null) => v !== null).length,
              painted
            }
          })
        )
        assert.isAbove(chart.width, 100)
        assert.strictEqual(chart.points, 14)
        assert.isAtLeast(chart.values, 3)
        assert.isAbove(chart.painted, 2_000)

        // The auditor's page shows people with masked numbers, and no unmasked national ID or phone anywhere.
        const listed = yield* Effect.promise(() =>
          page.evaluate(() => {
            const { document } = globalThis as any
            return {
              elderly: document.querySelectorAll("#elderly tbody tr[data-resident-id]").length,
              unvaccinated: document.querySelectorAll("#unvaccinated tbody tr[data-resident-id]").length,
              stops: document.querySelectorAll("#worklist li.stop").length,
              html: document.documentElement.outerHTML,
              text: document.body.innerText as string
            }
          })
        )
        assert.isAbove(listed.elderly, 0)
        assert.isAbove(listed.unvaccinated, 0)
        assert.isAbove(listed.stops, 0)
        assert.match(listed.text, /\d{3}\*{11}[\dX]{4}/)
        assert.match(listed.text, /1\d{2}\*{4}\d{4}/)
        for (const content of [listed.text, listed.html]) {
          assert.notMatch(content, /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/, "an unmasked national ID")
          assert.notMatch(content, /(?<![\dA-Za-z])1[3-9]\d{9}(?![\dA-Za-z])/, "an unmasked phone number")
        }

        // Switch to English: labels from the tables, figures reloaded.
        yield* Effect.promise(() => page.selectOption("#lang", "en"))
        yield* Effect.promise(() =>
          page.waitForFunction(() =>
            (globalThis as any).document.querySelector("h1")?.textContent === "Minqing · liaison dashboard"
          )
        )
        yield* Effect.promise(() => ready(page))
        const headers = yield* Effect.promise(() =>
          page.$$eval("#coverage thead th", (ths: Array<any>) => ths.map((th) => th.textContent as string))
        )
        assert.deepStrictEqual(headers.slice(0, 3), ["Place", "Households", "Household screening coverage"])
        assert.include(yield* Effect.promise(() => page.textContent("#who")), "Auditor")
        assert.strictEqual(yield* Effect.promise(() => page.getAttribute("html", "lang")), "en")

        mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
        yield* Effect.promise(() => page.screenshot({ path: SCREENSHOT, fullPage: true }))
        assert.isAbove(statSync(SCREENSHOT).size, 10_000)
        assert.deepStrictEqual(problems, [])
      }),
    90_000
  )
})
