/**
 * The record of "break the glass" reads: who read whose personal data unmasked, why, and
 * until when. Like DHIS2's "breaking the glass", the read is allowed but never silent.
 *
 * The record is a port: `layerMemory` keeps it in memory (tests, demos); a deployment that
 * must keep it provides a persistent implementation.
 *
 * @since 0.1.0
 */
import type { Problem } from "@minqing/core"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { BreakGlassGrant } from "./Api.js"

/**
 * The port.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /** Records a grant. */
  readonly record: (grant: BreakGlassGrant) => Effect.Effect<void, Problem.StoreError>
  /** Grants, newest first, optionally of one account. */
  readonly list: (options?: {
    readonly accountId?: string
    readonly limit?: number
  }) => Effect.Effect<ReadonlyArray<BreakGlassGrant>, Problem.StoreError>
  /** The residents an account may read unmasked at an instant (epoch milliseconds). */
  readonly unmasked: (accountId: string, at: number) => Effect.Effect<ReadonlySet<string>, Problem.StoreError>
}

/**
 * The port's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class BreakGlassLog extends Context.Tag("@minqing/adapter-http/BreakGlassLog")<BreakGlassLog, Shape>() {}

/**
 * An in-memory record, lost when the process ends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Shape> = Effect.sync(() => {
  const grants: Array<BreakGlassGrant> = []
  return {
    record: (grant) => Effect.sync(() => void grants.push(grant)),
    list: (options = {}) =>
      Effect.sync(() =>
        grants
          .filter((g) => options.accountId === undefined || g.accountId === options.accountId)
          .reverse()
          .slice(0, options.limit ?? 100)
      ),
    unmasked: (accountId, at) =>
      Effect.sync(() =>
        new Set(
          grants
            .filter((g) =>
              g.accountId === accountId && DateTime.toEpochMillis(g.at) <= at &&
              at < DateTime.toEpochMillis(g.expiresAt)
            )
            .map((g) => g.residentId)
        )
      )
  }
})

/**
 * A layer of the in-memory record.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<BreakGlassLog> = Layer.effect(BreakGlassLog, makeMemory)
