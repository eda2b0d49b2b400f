import { assert, describe, it } from "@effect/vitest"
import { Household, Liaison, Place, Problem, Resident, Roster } from "@minqing/core"
import { Arbitrary, Either, FastCheck, Schema } from "effect"

const ok = <K extends Roster.Kind>(kind: K, text: string): Roster.Imported<K> => {
  const result = Roster.parse(kind, text)
  if (Either.isLeft(result)) assert.fail(result.left.message)
  return (result as Either.Right<never, Roster.Imported<K>>).right
}

const problems = (kind: Roster.Kind, text: string): Array<string> => {
  const result = Roster.parse(kind, text)
  assert.isTrue(Either.isLeft(result), "expected the file to be refused")
  return Either.isLeft(result)
    ? result.left.problems.map((p) => `${p.line}${p.column === undefined ? "" : ` ${p.column}`}: ${p.message}`)
    : []
}

const encode = Schema.encodeSync(Schema.Union(Place.Place, Liaison.Liaison, Household.Household, Resident.Resident))

const withoutEmptyCode = <A>(fact: A): A => {
  if (!(fact instanceof Place.Place) || fact.code !== "") return fact
  return new Place.Place({
    id: fact.id,
    name: fact.name,
    level: fact.level,
    ...(fact.parentId === undefined ? {} : { parentId: fact.parentId })
  }) as A
}

describe("Roster", () => {
  it("reads places, liaisons, households and residents with zh-Hans headers and labels", () => {
    const places = ok(
      "places",
      "编号,名称,层级,上级编号\n" +
        "daiwang,待王街道,街道,\n" +
        "dongcun,东村,村（社区）,daiwang\n" +
        "dongcun-1,东村一片,片区（网格）,dongcun\n"
    )
    assert.deepStrictEqual(places.facts.map((p): Array<string | undefined> => [p.id, p.level, p.parentId]), [
      ["daiwang", "subdistrict", undefined],
      ["dongcun", "village", "daiwang"],
      ["dongcun-1", "grid", "dongcun"]
    ])
    assert.deepStrictEqual(places.lines, [2, 3, 4])

    const liaisons = ok(
      "liaisons",
      "编号,姓名,手机号,人员来源,负责片区,任职日期,在岗\n" +
        "l-1,李娜,13812345678,党员,dongcun-1；dongcun-2,2021-04-01,是\n"
    )
    assert.deepStrictEqual<ReadonlyArray<string>>(liaisons.facts[0].gridIds, ["dongcun-1", "dongcun-2"])
    assert.strictEqual(liaisons.facts[0].background, "party-member")
    assert.isTrue(liaisons.facts[0].active)

    const households = ok(
      "households",
      "编号,片区编号,地址,走访顺序,纬度,经度,起始日期,截止日期\n" +
        "h-1,dongcun-1,东村1号,1,35.2,113.3,2021-01-01,\n" +
        "h-2,dongcun-1,东村2号,2,,,2021-01-01,2021-06-30\n"
    )
    assert.deepStrictEqual(households.facts[0].coordinates, new Household.Coordinates({ lat: 35.2, lng: 113.3 }))
    assert.isUndefined(households.facts[1].coordinates)
    assert.strictEqual(households.facts[1].activeUntil, "2021-06-30")

    const residents = ok(
      "residents",
      "编号,户编号,姓名,性别,出生日期,身份证号,手机号,独居,在家情况,接种记录,接种资格,禁忌原因,暂缓至,起始日期\n" +
        "r-1,h-1,王秀英,女,1950-03-07,410811195003070023,,是,在家,2021-04-01 sinovac-coronavac; 2021-04-22 sinovac-coronavac,可接种,,,2021-01-01\n" +
        "r-2,h-1,张伟,男,1980-01-02,,13900001111,否,外出,,暂缓接种,发热,2021-06-01,2021-01-01\n"
    )
    const [r1, r2] = residents.facts
    assert.strictEqual(r1.sex, "female")
    assert.isTrue(r1.livesAlone)
    assert.deepStrictEqual(r1.doses.map((d) => [d.date, d.product]), [
      ["2021-04-01", "sinovac-coronavac"],
      ["2021-04-22", "sinovac-coronavac"]
    ])
    assert.deepStrictEqual<unknown>(r2.eligibility, {
      _tag: "temporarily-contraindicated",
      reason: "发热",
      until: "2021-06-01"
    })
    assert.strictEqual(r2.presence, "away")
  })

  it("reads English headers (any case) and codes, and zh-Hant headers", () => {
    const en = ok(
      "households",
      "ID,GridId,Address,Route Position,activeFrom\nh-1,g-1,\"1 East St, Dongcun\",3,2021-01-01\n"
    )
    assert.strictEqual(en.facts[0].address, "1 East St, Dongcun")
    assert.strictEqual(en.facts[0].routePosition, 3)
    const hant = ok("places", "編號,名稱,層級\nroot,待王街道,subdistrict\n")
    assert.strictEqual(hant.facts[0].level, "subdistrict")
  })

  it("parses RFC 4180: quoted commas, quotes and line breaks, CRLF, a byte-order mark", () => {
    const text = "\ufeffid,name,level,parentId\r\n" +
      "a,\"He said \"\"hi\"\", then left\",subdistrict,\r\n" +
      "\r\n" +
      "b,\"two\r\nlines\",village,a\r\n" +
      "c,three,village,a\r\n"
    const places = ok("places", text)
    assert.deepStrictEqual(places.facts.map((p) => p.name), ["He said \"hi\", then left", "two\r\nlines", "three"])
    // A record spanning two lines is reported on its first line; the next starts after it.
    assert.deepStrictEqual(places.lines, [2, 4, 6])
    assert.deepStrictEqual(problems("places", "id,name,level\na,\"open,subdistrict\n"), [
      "2: a quoted cell is never closed (missing \")"
    ])
  })

  it("reports every bad row with its line, column and reason, and imports nothing", () => {
    const text = "编号,户编号,姓名,性别,出生日期,身份证号,独居,在家情况,接种资格,起始日期\n" +
      "r-1,h-1,王秀英,女,1950-03-07,410811195003070026,是,在家,可接种,2021-01-01\n" +
      "r-2,h-1,张伟,M,1980-02-30,,也许,在家,可接种,2021-01-01\n" +
      "r-3,h-1,赵敏,女,1990-06-01,,否,在家,可接种,2021-01-01\n" +
      "r-3,h-1,,女,1990-06-01,,否,在家,可接种,2021-01-01\n"
    const found = problems("residents", text)
    assert.strictEqual(found.length, 6, found.join("\n"))
    assert.match(found[0], /^2 身份证号: .*check character \(GB 11643\) should be "3"/)
    assert.match(found[1], /^3 性别: expected one of 男、女 \(or male, female\), got "M"/)
    assert.match(found[2], /^3 独居: expected 是 or 否/)
    assert.match(found[3], /^3 出生日期: .*YYYY-MM-DD/)
    assert.strictEqual(found[4], "5 姓名: this cell is required")
    assert.strictEqual(found[5], "5 编号: the id r-3 is already on line 4")
  })

  it("refuses unknown, repeated and missing columns, naming them", () => {
    const found = problems("households", "编号,片区编号,地址,地址,门牌\nh-1,g-1,x,x,1\n")
    assert.match(found[0], /^1 地址: this column appears twice/)
    assert.match(found[1], /^1 门牌: unknown column; the households columns are 编号, 片区编号/)
    assert.include(found, "1 走访顺序: a required column is missing")
    assert.include(found, "1 起始日期: a required column is missing")
    assert.deepStrictEqual(problems("places", ""), ["1: the file is empty: it needs a header row"])
    assert.match(problems("places", "id,name,level\na,b,subdistrict,extra\n")[0], /^2: 4 cells, but the header has 3/)
  })

  it("maps a store's refusal back to lines of the files", () => {
    const places = ok("places", "id,name,level,parentId\nroot,R,subdistrict,\n")
    const households = ok(
      "households",
      "id,gridId,address,routePosition,activeFrom\nh-1,root,x,1,2021-01-01\nh-2,g-9,y,2,2021-01-01\n"
    )
    const rejected = new Problem.Rejected({
      problems: [
        Problem.make("invalid", "place \"root\" is a subdistrict; a household belongs to a grid", {
          index: 1,
          path: ["gridId"]
        }),
        Problem.make("not-found", "place \"g-9\" does not exist", { index: 2, path: ["gridId"] })
      ]
    })
    const [error] = Roster.locate([households, places], rejected)
    assert.strictEqual(error.kind, "households")
    assert.deepStrictEqual(error.problems.map((p) => [p.line, p.column]), [[2, "片区编号"], [3, "片区编号"]])
    assert.include(error.message, "line 3, 片区编号: place \"g-9\" does not exist")
  })

  it("writes files that read back to the same facts, in every locale", () => {
    const check = <K extends Roster.Kind>(kind: K, schema: Schema.Schema<Roster.FactOf<K>, any>) =>
      FastCheck.assert(
        FastCheck.property(
          FastCheck.array(Arbitrary.make(schema), { maxLength: 5 }),
          FastCheck.constantFrom("zh-Hans" as const, "zh-Hant" as const, "en" as const),
          (facts, locale) => {
            // An empty cell is an absent value: an empty optional code cannot survive a file.
            const unique = [...new Map(facts.map((f) => [f.id, withoutEmptyCode(f)])).values()]
            const text = Roster.format(kind, unique, { locale, bom: locale !== "en" })
            const back = Roster.parse(kind, text)
            if (Either.isLeft(back)) throw new Error(`${back.left.message}\n${text}`)
            // Compared as JSON: a file cannot tell -0 from 0, nor an absent key from an undefined one.
            assert.strictEqual(
              JSON.stringify(back.right.facts.map((f) => encode(f))),
              JSON.stringify(unique.map((f) => encode(f)))
            )
          }
        ),
        { numRuns: 60 }
      )
    check("places", Place.Place)
    check("liaisons", Liaison.Liaison)
    check("households", Household.Household)
    check("residents", Resident.Resident)
  })

  it("exports Chinese labels in Chinese files and codes in English ones", () => {
    const imported = ok(
      "residents",
      "id,householdId,name,sex,birthDate,livesAlone,presence,eligibility,contraindicationReason,activeFrom\n" +
        "r-1,h-1,王秀英,female,1950-03-07,true,present,permanently-contraindicated,过敏,2021-01-01\n"
    )
    const zh = Roster.format("residents", imported.facts)
    assert.strictEqual(
      zh.split("\r\n")[1],
      "r-1,h-1,王秀英,女,1950-03-07,,,是,在家,,禁忌接种,过敏,,2021-01-01,"
    )
    const en = Roster.format("residents", imported.facts, { locale: "en" })
    assert.match(
      en.split("\r\n")[1],
      /^r-1,h-1,王秀英,female,1950-03-07,,,true,present,,permanently-contraindicated,过敏,/
    )
  })
})
