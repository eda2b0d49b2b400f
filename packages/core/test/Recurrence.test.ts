import { assert, describe, it } from "@effect/vitest"
import { LocalDate, Recurrence } from "@minqing/core"
import { Either, FastCheck, Schema } from "effect"

const d = LocalDate.make
const may = LocalDate.period("2021-05-01", "2021-05-31")

describe("Recurrence", () => {
  it("occurs every N days from the anchor, on local calendar days", () => {
    const r = Recurrence.every(3, d("2021-05-10"))
    assert.deepStrictEqual(Recurrence.occurrences(r, LocalDate.period("2021-05-01", "2021-05-20")), [
      "2021-05-10",
      "2021-05-13",
      "2021-05-16",
      "2021-05-19"
    ])
    // a period starting between occurrences finds the next one on the anchor's rhythm
    assert.deepStrictEqual(Recurrence.occurrences(r, LocalDate.period("2021-05-14", "2021-05-17")), ["2021-05-16"])
  })

  it("runs daily across month and leap-day boundaries", () => {
    const r = Recurrence.daily(d("2024-02-27"))
    assert.deepStrictEqual(Recurrence.occurrences(r, LocalDate.period("2024-02-01", "2024-03-02")), [
      "2024-02-27",
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
      "2024-03-02"
    ])
  })

  it("occurs on given ISO weekdays on or after the anchor", () => {
    // 2021-05-10 is a Monday
    const r = Recurrence.weekly([1, 4], d("2021-05-11"))
    assert.deepStrictEqual(Recurrence.occurrences(r, LocalDate.period("2021-05-10", "2021-05-24")), [
      "2021-05-13",
      "2021-05-17",
      "2021-05-20",
      "2021-05-24"
    ])
    for (const date of Recurrence.occurrences(Recurrence.weekly([7], d("2021-01-01")), may)) {
      assert.strictEqual(LocalDate.weekday(date), 7)
    }
  })

  it("occurs once", () => {
    const r = Recurrence.once(d("2021-05-10"))
    assert.deepStrictEqual(Recurrence.occurrences(r, may), ["2021-05-10"])
    assert.deepStrictEqual(Recurrence.occurrences(r, LocalDate.period("2021-05-11", "2021-05-31")), [])
  })

  it("stops at an end date or after a count", () => {
    const every2 = Recurrence.every(2, d("2021-05-01"))
    assert.deepStrictEqual(Recurrence.occurrences(Recurrence.until(every2, d("2021-05-06")), may), [
      "2021-05-01",
      "2021-05-03",
      "2021-05-05"
    ])
    assert.deepStrictEqual(Recurrence.occurrences(Recurrence.times(every2, 2), may), ["2021-05-01", "2021-05-03"])
    // the count is of occurrences since the anchor, even when the period starts later
    const mondays = Recurrence.times(Recurrence.weekly([1], d("2021-05-03")), 3)
    assert.deepStrictEqual(Recurrence.occurrences(mondays, LocalDate.period("2021-05-12", "2021-06-30")), [
      "2021-05-17"
    ])
    // a tighter bound wins
    assert.deepStrictEqual(Recurrence.times(Recurrence.times(every2, 2), 5).count, 2)
  })

  it("finds the next occurrence and tests membership", () => {
    const r = Recurrence.every(7, d("2021-05-03"))
    assert.strictEqual(Recurrence.next(r, d("2021-05-04")), "2021-05-10")
    assert.strictEqual(Recurrence.next(r, d("2021-04-01")), "2021-05-03")
    assert.strictEqual(Recurrence.next(Recurrence.times(r, 1), d("2021-05-04")), undefined)
    assert.isTrue(Recurrence.includes(r, d("2021-05-17")))
    assert.isFalse(Recurrence.includes(r, d("2021-05-18")))
  })

  it("describes itself", () => {
    assert.strictEqual(
      Recurrence.describe(Recurrence.times(Recurrence.every(3, d("2021-05-10")), 4)),
      "every 3 days from 2021-05-10, 4 times"
    )
    assert.strictEqual(Recurrence.describe(Recurrence.weekly([4, 1], d("2021-05-10"))), "on Mon, Thu from 2021-05-10")
  })

  it("decodes patterns from JSON with readable errors", () => {
    const decode = Schema.decodeUnknownEither(Recurrence.Pattern)
    assert.deepStrictEqual(decode({ _tag: "every", days: 7 }), Either.right({ _tag: "every" as const, days: 7 }))
    const bad = decode({ _tag: "weekdays", days: [8] })
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) assert.include(bad.left.message, "ISO weekday")
  })

  it("agrees with a day-by-day reference for any pattern and bounds", () => {
    const pattern = FastCheck.oneof(
      FastCheck.constant<Recurrence.Pattern>(Recurrence.patternOnce),
      FastCheck.integer({ min: 1, max: 10 }).map(Recurrence.patternEvery),
      FastCheck.uniqueArray(FastCheck.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }).map(
        Recurrence.patternWeekdays
      )
    )
    FastCheck.assert(
      FastCheck.property(
        pattern,
        FastCheck.integer({ min: 0, max: 60 }),
        FastCheck.option(FastCheck.integer({ min: 0, max: 80 }), { nil: undefined }),
        FastCheck.option(FastCheck.integer({ min: 1, max: 12 }), { nil: undefined }),
        FastCheck.integer({ min: -10, max: 90 }),
        FastCheck.integer({ min: 0, max: 40 }),
        (p, anchorOffset, untilOffset, count, fromOffset, length) => {
          const base = LocalDate.toEpochDay(d("2021-03-01"))
          const anchor = LocalDate.fromEpochDay(base + anchorOffset)
          const r = Recurrence.make(p, anchor, {
            until: untilOffset === undefined ? undefined : LocalDate.fromEpochDay(base + untilOffset),
            count
          })
          const from = base + fromOffset
          const to = from + length
          // reference: walk every day from the anchor, counting occurrences
          const expected: Array<number> = []
          let seen = 0
          for (let day = base + anchorOffset; day <= to; day++) {
            const k = day - (base + anchorOffset)
            const hit = p._tag === "once"
              ? k === 0
              : p._tag === "every"
              ? k % p.days === 0
              : p.days.includes(LocalDate.weekday(LocalDate.fromEpochDay(day)))
            if (!hit) continue
            if (untilOffset !== undefined && day > base + untilOffset) break
            if (count !== undefined && seen >= count) break
            seen++
            if (day >= from) expected.push(day)
          }
          assert.deepStrictEqual(Recurrence.days(r, from, to), expected)
        }
      ),
      { numRuns: 500 }
    )
  })
})
