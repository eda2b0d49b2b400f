import { SqliteStore } from "@minqing/adapter-sqlite"
import { Access, Deployment, type Fact, PersonalData } from "@minqing/core"
import { Fact as FactModule } from "@minqing/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** A fresh temporary directory, removed when the scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "minqing-sqlite-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A database file in a fresh temporary directory. */
export const tempFile = Effect.map(tempDir, (dir) => path.join(dir, "minqing.db"))

export const DeploymentLive = Deployment.layer({ zone: "Asia/Shanghai" })

/** The store's services and the SQL client of its connection, on `filename`. */
export const onFile = (filename: string) =>
  Layer.scopedContext(SqliteStore.make()).pipe(
    Layer.provideMerge(SqliteStore.layerClient({ filename })),
    Layer.provideMerge(DeploymentLive)
  )

/** The same on a file in a fresh temporary directory. */
export const layerTempWithClient = Layer.unwrapScoped(Effect.map(tempFile, onFile))

/** The store on a file in a fresh temporary directory. */
export const layerTemp = (options: Omit<SqliteStore.Options, "filename"> = {}) =>
  Layer.unwrapScoped(
    Effect.map(tempFile, (filename) => SqliteStore.layer({ ...options, filename }))
  ).pipe(Layer.provide(DeploymentLive))

const decode = Schema.decodeUnknownSync(FactModule.Fact)

/** A fact from its encoded form (validated). */
export const fact = <T extends Fact.Tag>(input: { readonly _tag: T } & Record<string, unknown>): Fact.Of<T> =>
  decode(input) as Fact.Of<T>

export const nationalId = (region: string, birth: string, seq: number): string => {
  const first17 = region + birth.replaceAll("-", "") + String(seq).padStart(3, "0")
  return first17 + PersonalData.nationalIdCheckDigit(first17)
}

export const admin = Access.system(["sd" as any], "admin")
export const actor = (role: Access.Role, scope: ReadonlyArray<string>, id = `${role}-1`) =>
  new Access.Actor({ id, role, scope: scope as any })

/** 2021-05-10 10:00 in Jiaozuo. */
export const NOW = Date.parse("2021-05-10T02:00:00Z")

export const places = [
  fact({ _tag: "Place", id: "sd", name: "待王街道", level: "subdistrict" }),
  fact({ _tag: "Place", id: "v1", name: "一村", level: "village", parentId: "sd" }),
  fact({ _tag: "Place", id: "v2", name: "二村", level: "village", parentId: "sd" }),
  fact({ _tag: "Place", id: "g1", name: "一片", level: "grid", parentId: "v1" }),
  fact({ _tag: "Place", id: "g2", name: "二片", level: "grid", parentId: "v1" }),
  fact({ _tag: "Place", id: "g3", name: "三片", level: "grid", parentId: "v2" })
]

export const liaison = (id: string, gridIds: ReadonlyArray<string>, name = "李娜") =>
  fact({
    _tag: "Liaison",
    id,
    name,
    phone: "13812345678",
    background: "party-member",
    gridIds,
    appointedFrom: "2021-04-01",
    active: true
  })

export const household = (id: string, gridId: string, routePosition = 1, extra: Record<string, unknown> = {}) =>
  fact({ _tag: "Household", id, gridId, address: `${id} 号`, routePosition, activeFrom: "2021-01-01", ...extra })

export const resident = (id: string, householdId: string, extra: Record<string, unknown> = {}) =>
  fact({
    _tag: "Resident",
    id,
    householdId,
    name: `居民${id}`,
    sex: "female",
    birthDate: "1950-03-07",
    livesAlone: false,
    presence: "present",
    doses: [],
    eligibility: { _tag: "eligible" },
    activeFrom: "2021-01-01",
    ...extra
  })

export const visit = (
  id: string,
  householdId: string,
  liaisonId: string,
  at: string,
  extra: Record<string, unknown> = {}
) => fact({ _tag: "Visit", id, householdId, liaisonId, at, outcome: "contacted", observations: [], ...extra })

/** A small roster: three grids, two liaisons, three households, three residents. */
export const roster: ReadonlyArray<Fact.Fact> = [
  ...places,
  liaison("l1", ["g1"]),
  liaison("l3", ["g3"], "王芳"),
  household("h1", "g1", 1),
  household("h2", "g1", 2),
  household("h3", "g3", 1),
  resident("r1", "h1", { nationalId: nationalId("410811", "1950-03-07", 2) }),
  resident("r2", "h2", { name: "张伟", birthDate: "1980-01-02", sex: "male" }),
  resident("r3", "h3", { name: "赵敏", birthDate: "1990-06-01" })
]

export const instant = (iso: string) => DateTime.unsafeMake(iso)
