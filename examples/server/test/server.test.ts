import { assert, describe, it } from "@effect/vitest"
import { LocalDate, TimeZone } from "@minqing/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as path from "node:path"
import * as App from "../src/App.js"
import * as Output from "../src/Output.js"
import { screeningByHand, settings, tempDir, ZONE } from "./helpers.js"

const get = (url: string, token?: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
    return { status: response.status, body: await response.json() as any }
  })

describe("the example server", () => {
  it.scopedLive(
    "starts on an ephemeral port, seeds the scenario once, and answers with real figures",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const dataFile = path.join(dir, "demo.db")
        const running = yield* App.start(settings(dataFile))
        assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/)
        assert.strictEqual(running.docsUrl, `${running.url}/docs`)
        assert.isDefined(running.seeded)
        assert.deepStrictEqual(running.logins.map((l) => l.role), [
          "subdistrict-admin",
          "village-leader",
          "liaison",
          "auditor"
        ])
        const banner = Output.banner(running)
        for (const login of running.logins) assert.include(banner, login.token)
        assert.include(banner, `${running.url}/docs`)

        assert.strictEqual((yield* get(`${running.url}/health`)).body.status, "ok")
        for (const login of running.logins) {
          const me = yield* get(`${running.url}/me`, login.token)
          assert.strictEqual(me.status, 200)
          assert.strictEqual(me.body.account.role, login.role)
        }

        // Yesterday's household screening per village, against a count by hand.
        const today = TimeZone.make(ZONE).dateOf(Date.now())
        const yesterday = LocalDate.addDays(today, -1)
        const admin = running.logins[0].token
        const coverage = yield* get(
          `${running.url}/coverage?metric=household-screening&from=${yesterday}&to=${yesterday}&depth=1&members=none`,
          admin
        )
        assert.strictEqual(coverage.status, 200)
        const expected = screeningByHand(today, yesterday)
        const figures = coverage.body.metrics[0].figures as ReadonlyArray<any>
        const villages = coverage.body.places.filter((p: any) => p.level === "village")
        assert.strictEqual(villages.length, 6)
        for (const village of villages) {
          const figure = figures.find((f) => f.placeId === village.placeId)
          const { denominator, numerator } = expected.byVillage.get(village.placeId)!
          assert.strictEqual(figure.counts.denominator, denominator, village.name)
          assert.strictEqual(figure.counts.numerator, numerator, village.name)
          assert.isAbove(numerator, 0)
        }

        // Roles are bounded by the store: a village leader cannot read the subdistrict, the auditor sees masked IDs.
        const leader = running.logins[1].token
        const above = yield* get(
          `${running.url}/coverage?metric=household-screening&scope=${expected.rootId}&from=${yesterday}&to=${yesterday}`,
          leader
        )
        assert.strictEqual(above.status, 403)
        const auditor = running.logins[3].token
        const residents = yield* get(`${running.url}/residents?limit=50`, auditor)
        const ids = (residents.body.items as ReadonlyArray<any>).flatMap((r) => r.nationalId ?? [])
        assert.isAbove(ids.length, 0)
        for (const id of ids) assert.match(id, /^\d{3}\*{11}[\dX]{4}$/)

        // The dashboard is served with chart.js from node_modules, never a CDN.
        const page = yield* Effect.promise(() => fetch(`${running.url}/`).then((r) => r.text()))
        assert.include(page, `src="/vendor/chart.umd.js"`)
        assert.notMatch(page, /https?:\/\//)
        const chart = yield* Effect.promise(() => fetch(`${running.url}/vendor/chart.umd.js`))
        assert.strictEqual(chart.status, 200)
        assert.include(yield* Effect.promise(() => chart.text()), "Chart")
      }),
    60_000
  )

  it.scopedLive(
    "a second start on the same file keeps the data, issues fresh tokens, applies rule overrides; stops cleanly",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const dataFile = path.join(dir, "demo.db")
        const first = yield* Effect.scoped(
          Effect.gen(function*() {
            const running = yield* App.start(settings(dataFile))
            return { url: running.url, tokens: running.logins.map((l) => l.token) }
          })
        )
        // the scope closed: the server stopped listening
        const stopped = yield* Effect.exit(Effect.tryPromise(() => fetch(`${first.url}/health`)))
        assert.isTrue(Exit.isFailure(stopped))

        const again = yield* App.start({ ...settings(dataFile), rules: { "publicity-leaflet": false } })
        assert.isUndefined(again.seeded)
        assert.strictEqual(again.logins.length, 4)
        for (const login of again.logins) assert.notInclude(first.tokens, login.token)
        const households = yield* get(`${again.url}/households?limit=1000`, again.logins[0].token)
        assert.strictEqual(households.body.items.length, 120)
        // the rule overrides reach the API's rules, tasks and coverage
        const rules = yield* get(`${again.url}/rules`, again.logins[0].token)
        assert.isFalse(rules.body.rules.find((r: any) => r.id === "publicity-leaflet").enabled)
        assert.isTrue(rules.body.rules.find((r: any) => r.id === "household-sweep").enabled)
      }),
    60_000
  )

  it.scopedLive("refuses bad rule overrides and an unknown time zone, naming the problem", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const base = settings(path.join(dir, "never.db"))
      const badRule = yield* Effect.flip(App.start({ ...base, rules: { "no-such-rule": false } }))
      assert.include(badRule.message, "no-such-rule")
      const badParam = yield* Effect.flip(
        App.start({ ...base, rules: { "vaccination-followup": { params: { everyDays: "three" } } } })
      )
      assert.include(badParam.message, "everyDays")
      const badZone = yield* Effect.flip(App.start({ ...base, zone: "Mars/Olympus" }))
      assert.include(badZone.message, "Mars/Olympus")
    }))
})
