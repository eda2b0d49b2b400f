/**
 * The storage port: write facts, read them back scoped by place subtree and date window,
 * follow changes for offline sync, and read the audit trail.
 *
 * Every call names its `Actor`; the store bounds reads and writes to the actor's subtrees
 * (scope is enforced here, not by filtering afterwards). Writes are all-or-nothing, record
 * when they were made (from Effect's `Clock`), keep every earlier version, and add an audit
 * entry. Visits are append-only and idempotent by id.
 *
 * Implementations: `layerMemory` (in `MemoryStore`), `@minqing/adapter-sqlite`. All pass
 * the conformance suite in `@minqing/core/testing`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Actor } from "./Access.js"
import * as Fact from "./Fact.js"
import { PlaceId, ResidentId } from "./Ids.js"
import * as LocalDate from "./LocalDate.js"
import type { Rejected, StoreError } from "./Problem.js"

/**
 * Something a reviewer should look at, raised by a successful write: a resident who is
 * likely the same person as an existing one (same name and birth date in the village).
 *
 * @since 0.1.0
 * @category models
 */
export class LikelyDuplicate extends Schema.TaggedClass<LikelyDuplicate>()("LikelyDuplicate", {
  residentId: ResidentId,
  candidates: Schema.Array(ResidentId),
  message: Schema.String
}) {}

/**
 * What happened to one item of a write.
 *
 * - `created`: new; `updated`: a new version of an existing record; `unchanged`: identical
 *   to the current version, nothing written; `replayed`: a visit already stored with this
 *   exact content (a retried upload).
 *
 * @since 0.1.0
 * @category models
 */
export class Receipt extends Schema.Class<Receipt>("Receipt")({
  index: Schema.Int,
  tag: Schema.String,
  id: Schema.String,
  status: Schema.Literal("created", "updated", "unchanged", "replayed"),
  flags: Schema.Array(LikelyDuplicate)
}) {}

/**
 * A sync position: opaque to clients, increasing with every write.
 *
 * @since 0.1.0
 * @category models
 */
export const Cursor = Schema.String.pipe(
  Schema.pattern(/^\d{1,15}$/, { message: () => "expected a cursor returned by an earlier call" }),
  Schema.brand("Cursor")
)

/** @since 0.1.0 @category models */
export type Cursor = typeof Cursor.Type

/**
 * One entry of the audit trail: who wrote what, when, and the record before and after
 * (encoded, as stored).
 *
 * @since 0.1.0
 * @category models
 */
export class AuditEntry extends Schema.Class<AuditEntry>("AuditEntry")({
  seq: Schema.Int,
  at: Schema.DateTimeUtc,
  actorId: Schema.String,
  role: Schema.String,
  operation: Schema.Literal("create", "update"),
  tag: Schema.String,
  id: Schema.String,
  before: Schema.optionalWith(Schema.Unknown, { exact: true }),
  after: Schema.Unknown
}) {}

/**
 * Options of a scoped load: the subtree root (default: the actor's whole scope), the window
 * of local dates whose visits to include (default: all), and the date "as of" which to read
 * (default: now) — facts recorded after the end of that day are left out, so a past figure
 * can be reproduced.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoadOptions {
  readonly scope?: PlaceId
  readonly window?: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate }
  readonly asOf?: LocalDate.LocalDate
}

/**
 * Options of a list: an optional subtree, a page size (default 100, at most 1000) and the
 * `next` value of the previous page.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly scope?: PlaceId
  readonly limit?: number
  readonly after?: string
  readonly asOf?: LocalDate.LocalDate
}

/**
 * A page of a list; `next` is there when more follow.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly next?: string
}

/**
 * Changes since a cursor: the current version of every fact written since then within the
 * scope, in write order, and the cursor to pass next time.
 *
 * @since 0.1.0
 * @category models
 */
export interface Changes {
  readonly facts: ReadonlyArray<Fact.Fact>
  readonly cursor: Cursor
  readonly more: boolean
}

/**
 * The port.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  /**
   * Validates and writes a batch of facts, all or nothing. Fails with `Rejected` listing
   * every problem (invalid field, missing reference, duplicate national ID, a visit id
   * reused for a different visit, out of scope, not allowed for the role).
   */
  readonly write: (
    actor: Actor,
    facts: ReadonlyArray<Fact.Fact>
  ) => Effect.Effect<ReadonlyArray<Receipt>, Rejected | StoreError>
  /** The current version of a fact, if it exists within the actor's scope. */
  readonly get: <T extends Fact.Tag>(
    actor: Actor,
    tag: T,
    id: string,
    options?: { readonly asOf?: LocalDate.LocalDate }
  ) => Effect.Effect<Option.Option<Fact.Of<T>>, StoreError>
  /** A page of facts of one kind within the actor's scope, ordered by id. */
  readonly list: <T extends Fact.Tag>(
    actor: Actor,
    tag: T,
    options?: ListOptions
  ) => Effect.Effect<Page<Fact.Of<T>>, StoreError>
  /**
   * Every fact of a subtree as one bundle for the engines: the places of the subtree and
   * their ancestors, the liaisons owning a grid in it, the households, residents, arrivals,
   * matters and campaigns in it, and the visits whose local date is in the window.
   */
  readonly load: (actor: Actor, options?: LoadOptions) => Effect.Effect<Fact.Facts, StoreError>
  /** What changed in the actor's scope since a cursor (`undefined`: from the start). */
  readonly changes: (
    actor: Actor,
    since: Cursor | undefined,
    options?: { readonly limit?: number; readonly scope?: PlaceId }
  ) => Effect.Effect<Changes, StoreError>
  /** The audit trail of writes within the actor's scope, oldest first, after `afterSeq`. */
  readonly audit: (
    actor: Actor,
    options?: { readonly afterSeq?: number; readonly limit?: number; readonly id?: string }
  ) => Effect.Effect<ReadonlyArray<AuditEntry>, StoreError>
}

/**
 * The storage port's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Store extends Context.Tag("@minqing/core/Store")<Store, Shape>() {}

/**
 * Clamps a requested page size to 1–1000 (default 100).
 *
 * @since 0.1.0
 * @category utils
 */
export const pageSize = (limit: number | undefined): number =>
  limit === undefined || !Number.isFinite(limit) ? 100 : Math.max(1, Math.min(1000, Math.floor(limit)))
