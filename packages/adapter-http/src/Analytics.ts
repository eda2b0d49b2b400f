/**
 * What the rules and coverage endpoints run: the deployment's rule pack, the metrics it
 * offers, how many days of visits before a date to load for the engines, and the
 * administrator's overrides of rule parameters (a port: in memory by default, or any
 * storage a deployment provides).
 *
 * The effective pack is the base pack configured with the overrides
 * (`RulePack.configure`), so overrides are plain JSON, validated against each rule's
 * parameter schema.
 *
 * @since 0.1.0
 */
import { BuiltInMetrics, BuiltInRules, type Metric, type Problem, RulePack } from "@minqing/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Masking from "./Masking.js"

/**
 * Overrides of the pack as JSON: rule id → `false` (disabled) or `{ enabled?, params? }`.
 *
 * @since 0.1.0
 * @category models
 */
export type Overrides = Readonly<Record<string, unknown>>

/**
 * Where overrides are kept.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverrideStore {
  readonly load: Effect.Effect<Overrides, Problem.StoreError>
  readonly save: (overrides: Overrides) => Effect.Effect<void, Problem.StoreError>
}

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /** The pack before overrides. */
  readonly pack: RulePack.RulePack
  /** The metrics the coverage endpoints offer. */
  readonly metrics: ReadonlyArray<Metric.Metric>
  /** Days of visits before the first date of a request that the engines see (default 90). */
  readonly lookbackDays: number
  readonly overrides: OverrideStore
}

/**
 * The service's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Analytics extends Context.Tag("@minqing/adapter-http/Analytics")<Analytics, Shape>() {}

/**
 * Overrides kept in memory (lost when the process ends).
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryOverrides = (initial: Overrides = {}): OverrideStore => {
  let current: Overrides = initial
  return {
    load: Effect.sync(() => current),
    save: (overrides) => Effect.sync(() => void (current = overrides))
  }
}

// The pack configured from the overrides last loaded, kept while the override store gives back
// the same object (the in-memory store does until a save): configuring and fingerprinting the
// pack on every request would cost more than a worklist read.
const configuredPacks = new WeakMap<Overrides, { readonly base: RulePack.RulePack; readonly pack: RulePack.RulePack }>()

/**
 * The effective pack: the base configured with the stored overrides. Overrides are
 * validated when saved; should stored ones no longer fit the pack, the base is used and
 * the problem logged.
 *
 * @since 0.1.0
 * @category getters
 */
export const effectivePack = (
  analytics: Shape
): Effect.Effect<{ readonly pack: RulePack.RulePack; readonly overrides: Overrides }, Problem.StoreError> =>
  Effect.gen(function*() {
    const overrides = yield* analytics.overrides.load
    const kept = configuredPacks.get(overrides)
    if (kept !== undefined && kept.base === analytics.pack) return { pack: kept.pack, overrides }
    const configured = RulePack.configure(analytics.pack, overrides)
    if (Either.isLeft(configured)) {
      yield* Effect.logWarning(
        "stored rule overrides no longer fit the pack; using the base pack",
        Masking.maskText(configured.left.message)
      )
      return { pack: analytics.pack, overrides: {} }
    }
    configuredPacks.set(overrides, { base: analytics.pack, pack: configured.right })
    return { pack: configured.right, overrides }
  })

/**
 * The service from options: by default the built-in pack and metrics, 90 days of lookback
 * and overrides in memory.
 *
 * @example
 * ```ts
 * import { Analytics } from "@minqing/adapter-http"
 * import { BuiltInRules, RulePack } from "@minqing/core"
 *
 * const AnalyticsLive = Analytics.layer({ pack: RulePack.remove(BuiltInRules.pack, "publicity-leaflet") })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: {
    readonly pack?: RulePack.RulePack | undefined
    readonly metrics?: ReadonlyArray<Metric.Metric> | undefined
    readonly lookbackDays?: number | undefined
    readonly overrides?: OverrideStore | undefined
  } = {}
): Layer.Layer<Analytics> =>
  Layer.sync(Analytics, () => ({
    pack: options.pack ?? BuiltInRules.pack,
    metrics: options.metrics ?? BuiltInMetrics.all,
    lookbackDays: options.lookbackDays ?? 90,
    overrides: options.overrides ?? memoryOverrides()
  }))
