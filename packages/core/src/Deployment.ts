/**
 * The deployment: the settings every engine and store of one installation share — its
 * time zone and its place levels.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as LocalDate from "./LocalDate.js"
import { DEFAULT_LEVELS } from "./Place.js"
import * as TimeZone from "./TimeZone.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** Decides the local date of every instant. */
  readonly zone: TimeZone.TimeZone
  /** Place levels, top first (default subdistrict → village → grid). */
  readonly levels: ReadonlyArray<string>
}

/**
 * The deployment's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Deployment extends Context.Tag("@minqing/core/Deployment")<Deployment, Settings>() {}

/**
 * Settings with defaults: `Asia/Shanghai`, subdistrict → village → grid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly zone?: string; readonly levels?: ReadonlyArray<string> } = {}): Settings => ({
  zone: TimeZone.make(options.zone ?? TimeZone.DEFAULT_ZONE),
  levels: options.levels ?? DEFAULT_LEVELS
})

/**
 * A layer of the deployment's settings.
 *
 * @example
 * ```ts
 * import { Deployment } from "@minqing/core"
 *
 * const DeploymentLive = Deployment.layer({ zone: "Asia/Shanghai" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: { readonly zone?: string; readonly levels?: ReadonlyArray<string> } = {}): Layer.Layer<
  Deployment
> => Layer.sync(Deployment, () => make(options))

/**
 * Today's local date in the deployment zone, from Effect's `Clock` (so tests control it).
 *
 * @since 0.1.0
 * @category accessors
 */
export const today: Effect.Effect<LocalDate.LocalDate, never, Deployment> = Effect.gen(function*() {
  const { zone } = yield* Deployment
  return zone.dateOf(yield* Clock.currentTimeMillis)
})
