/**
 * The place tree: subdistrict → village (community) → grid, with levels a deployment can
 * extend (a town adds building and unit under grid). Coverage rolls up along it and access
 * is scoped by its subtrees.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { PlaceId } from "./Ids.js"

/**
 * The default levels, top first.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_LEVELS: ReadonlyArray<string> = ["subdistrict", "village", "grid"]

/**
 * A level name: lowercase letters and hyphens (`subdistrict`, `village`, `grid`, `building`…).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Level = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z-]{0,31}$/, {
    message: () => "expected a level name: lowercase letters and hyphens, such as \"village\" or \"grid\""
  }),
  Schema.annotations({ identifier: "PlaceLevel" })
)

/**
 * A place in the tree. The root has no parent; every other place's level is the one right
 * below its parent's in the deployment's levels.
 *
 * @since 0.1.0
 * @category models
 */
export class Place extends Schema.TaggedClass<Place>()("Place", {
  id: PlaceId,
  name: Schema.Trim.pipe(Schema.minLength(1, { message: () => "a place needs a name" }), Schema.maxLength(100)),
  level: Level,
  parentId: Schema.optionalWith(PlaceId, { exact: true }),
  code: Schema.optionalWith(Schema.Trim.pipe(Schema.maxLength(32)), { exact: true })
}) {}

/**
 * Lookups over a set of places: parents, children and subtrees.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tree {
  readonly get: (id: PlaceId) => Place | undefined
  readonly children: (id: PlaceId) => ReadonlyArray<Place>
  /** The place and all its ancestors, nearest first. */
  readonly ancestry: (id: PlaceId) => ReadonlyArray<PlaceId>
  /** Whether `id` is `root` or below it. */
  readonly isWithin: (id: PlaceId, root: PlaceId) => boolean
  /** The ids of `root` and everything below it. */
  readonly subtree: (root: PlaceId) => ReadonlyArray<PlaceId>
  readonly roots: ReadonlyArray<Place>
}

/**
 * A tree over the given places (a place whose parent is missing is treated as a root).
 *
 * @since 0.1.0
 * @category constructors
 */
export const tree = (places: Iterable<Place>): Tree => {
  const byId = new Map<PlaceId, Place>()
  for (const p of places) byId.set(p.id, p)
  const kids = new Map<PlaceId, Array<Place>>()
  const roots: Array<Place> = []
  for (const p of byId.values()) {
    if (p.parentId !== undefined && byId.has(p.parentId)) {
      let list = kids.get(p.parentId)
      if (!list) kids.set(p.parentId, list = [])
      list.push(p)
    } else roots.push(p)
  }
  const ancestryCache = new Map<PlaceId, ReadonlyArray<PlaceId>>()
  const ancestry = (id: PlaceId): ReadonlyArray<PlaceId> => {
    let out = ancestryCache.get(id)
    if (out) return out
    const list: Array<PlaceId> = []
    const seen = new Set<PlaceId>()
    for (let cur = byId.get(id); cur && !seen.has(cur.id); cur = cur.parentId ? byId.get(cur.parentId) : undefined) {
      seen.add(cur.id)
      list.push(cur.id)
    }
    out = list
    ancestryCache.set(id, out)
    return out
  }
  const subtree = (root: PlaceId): ReadonlyArray<PlaceId> => {
    if (!byId.has(root)) return []
    const out: Array<PlaceId> = []
    const stack = [root]
    while (stack.length > 0) {
      const id = stack.pop()!
      out.push(id)
      for (const k of kids.get(id) ?? []) stack.push(k.id)
    }
    return out
  }
  return {
    get: (id) => byId.get(id),
    children: (id) => kids.get(id) ?? [],
    ancestry,
    isWithin: (id, root) => ancestry(id).includes(root),
    subtree,
    roots
  }
}

/**
 * Why `place` cannot join a tree with these levels and this parent, or `undefined`.
 *
 * @since 0.1.0
 * @category validation
 */
export const levelProblem = (
  place: Place,
  parent: Place | undefined,
  levels: ReadonlyArray<string> = DEFAULT_LEVELS
): string | undefined => {
  const index = levels.indexOf(place.level)
  if (index < 0) return `level "${place.level}" is not one of this deployment's levels (${levels.join(", ")})`
  if (parent === undefined) {
    return index === 0 ? undefined : `a ${place.level} needs a parent of level "${levels[index - 1]}"`
  }
  const expected = levels[levels.indexOf(parent.level) + 1]
  return expected === place.level
    ? undefined
    : `a ${place.level} cannot sit under a ${parent.level}; the level below "${parent.level}" is ${
      expected === undefined ? "none" : `"${expected}"`
    }`
}
