/**
 * Visit rules: a rule turns facts into tasks — "this subject needs this kind of visit in this
 * window".
 *
 * A rule names its subject kind (households, residents, arrival reports, matters, a
 * campaign's households, or a kind you add), says from when and until when it applies to a
 * subject and why, how its occurrences recur, the window of local dates around each
 * occurrence, the priority, and which visits resolve an occurrence. Its parameters are typed
 * with a Schema and have defaults, so a deployment changes a cadence in configuration
 * (`RulePack.configure`) and a developer writes new rules with full type inference.
 *
 * Every subject belongs to a household. A rule sees one household's facts at a time (its
 * record, residents, arrivals and matters) plus the place tree, the liaisons and the
 * campaigns, so a new fact re-evaluates only the households it touches. Visits never decide
 * whether a rule applies, only whether an occurrence is resolved (`resolvedBy`): a new visit
 * re-checks resolution and nothing else.
 *
 * @example
 * ```ts
 * import { Household, LocalDate, Recurrence, Rule } from "@minqing/core"
 * import { Schema } from "effect"
 *
 * // Low-lying households get a weekly flood-season check, Wednesdays by default.
 * export const floodSeasonCheck = Rule.make({
 *   id: "flood-season-check",
 *   version: 1,
 *   title: { "zh-Hans": "汛期巡查", "zh-Hant": "汛期巡查", en: "Flood-season check" },
 *   subject: Rule.household,
 *   params: Schema.Struct({
 *     grids: Schema.Array(Schema.String),
 *     season: LocalDate.Period,
 *     weekdays: Schema.Array(Schema.Int)
 *   }),
 *   defaults: { grids: [], season: LocalDate.period("2021-06-01", "2021-09-30"), weekdays: [3] },
 *   applies: (household, { params }) =>
 *     params.grids.includes(household.gridId)
 *       ? Rule.during(params.season, [`grid ${household.gridId} is low-lying`]).pipe(
 *         Rule.within(household, `household ${household.id}`)
 *       )
 *       : undefined,
 *   recurrence: (_, { params, from }) => Recurrence.weekly(params.weekdays, from),
 *   window: { before: 0, after: 2 },
 *   priority: "high",
 *   resolvedBy: Rule.contacted
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import type { Pipeable } from "effect/Pipeable"
import { pipeArguments } from "effect/Pipeable"
import * as Schema from "effect/Schema"
import type { ArrivalReport } from "./Arrival.js"
import type { Campaign } from "./Campaign.js"
import type * as Fact from "./Fact.js"
import type { Household } from "./Household.js"
import type { HouseholdId } from "./Ids.js"
import { single } from "./internal/plain.js"
import type * as Labels from "./Labels.js"
import * as LocalDate from "./LocalDate.js"
import type { Matter } from "./Matter.js"
import type { Observation } from "./Observation.js"
import type * as Place from "./Place.js"
import type * as Recurrence from "./Recurrence.js"
import type { Resident } from "./Resident.js"
import type * as Task from "./Task.js"
import type * as TimeZone from "./TimeZone.js"
import type { Visit } from "./Visit.js"

// ---------------------------------------------------------------------------------------------
// Subjects
// ---------------------------------------------------------------------------------------------

/**
 * A kind of subject: how to enumerate the subjects from facts, their ids, and the household
 * each belongs to.
 *
 * The engine calls `subjects` with one household's facts at a time (`facts.households` holds
 * that household, `facts.residents` its residents, and so on; places, liaisons and campaigns
 * are all there; `facts.visits` is empty), so a kind enumerates from whatever it finds in the
 * bundle; subjects whose `householdId` is not that household are ignored.
 *
 * @since 0.1.0
 * @category subjects
 */
export interface Subject<S> {
  readonly kind: string
  readonly subjects: (facts: Fact.Facts, places: Place.Tree) => Iterable<S>
  readonly id: (subject: S) => string
  readonly householdId: (subject: S) => HouseholdId
}

/**
 * A subject kind of your own.
 *
 * @example
 * ```ts
 * import { Rule } from "@minqing/core"
 *
 * // couples where both are 80 or older, one subject per household
 * const elderlyCouples = Rule.subject({
 *   kind: "elderly-couple",
 *   subjects: (facts) => {
 *     const old = facts.residents.filter((r) => r.birthDate <= "1941-01-01")
 *     return old.length === 2 ? [{ householdId: old[0].householdId, residents: old }] : []
 *   },
 *   id: (s) => `couple-${s.householdId}`,
 *   householdId: (s) => s.householdId
 * })
 * ```
 *
 * @since 0.1.0
 * @category subjects
 */
export const subject = <S>(kind: Subject<S>): Subject<S> => kind

/**
 * Each household.
 *
 * @since 0.1.0
 * @category subjects
 */
export const household: Subject<Household> = subject({
  kind: "household",
  subjects: (facts) => facts.households,
  id: (h) => h.id,
  householdId: (h) => h.id
})

/**
 * Each resident.
 *
 * @since 0.1.0
 * @category subjects
 */
export const resident: Subject<Resident> = subject({
  kind: "resident",
  subjects: (facts) => facts.residents,
  id: (r) => r.id,
  householdId: (r) => r.householdId
})

/**
 * Each arrival report.
 *
 * @since 0.1.0
 * @category subjects
 */
export const arrival: Subject<ArrivalReport> = subject({
  kind: "arrival",
  subjects: (facts) => facts.arrivals,
  id: (a) => a.id,
  householdId: (a) => a.householdId
})

/**
 * Each matter.
 *
 * @since 0.1.0
 * @category subjects
 */
export const matter: Subject<Matter> = subject({
  kind: "matter",
  subjects: (facts) => facts.matters,
  id: (m) => m.id,
  householdId: (m) => m.householdId
})

/**
 * A household inside a campaign's scope.
 *
 * @since 0.1.0
 * @category subjects
 */
export interface CampaignHousehold {
  readonly campaign: Campaign
  readonly household: Household
}

const NO_SUBJECTS: ReadonlyArray<never> = []

function CampaignHouseholdObject_(
  this: { campaign: Campaign; household: Household },
  campaign: Campaign,
  household: Household
) {
  this.campaign = campaign
  this.household = household
}
CampaignHouseholdObject_.prototype = Object.prototype
/** `{ campaign, household }`, a plain object (see internal/plain). */
const CampaignHouseholdObject = CampaignHouseholdObject_ as unknown as new(
  campaign: Campaign,
  household: Household
) => CampaignHousehold

/**
 * Each household inside the scope of each campaign of a kind (its grid lies in the
 * campaign's place subtree). Ids read `household@campaign`.
 *
 * @since 0.1.0
 * @category subjects
 */
export const campaignHousehold = (campaignKind: Campaign["kind"]): Subject<CampaignHousehold> =>
  subject({
    kind: `${campaignKind}-campaign-household`,
    subjects: (facts, places) => {
      const { campaigns, households } = facts
      // Made for every household at every evaluation: most are in one campaign of a kind.
      let first: CampaignHousehold | undefined
      let out: Array<CampaignHousehold> | undefined
      for (let c = 0; c < campaigns.length; c++) {
        const campaign = campaigns[c]
        if (campaign.kind !== campaignKind) continue
        for (let h = 0; h < households.length; h++) {
          const household = households[h]
          if (!places.isWithin(household.gridId, campaign.scopeId)) continue
          const s = new CampaignHouseholdObject(campaign, household)
          if (first === undefined) first = s
          else (out ??= [first]).push(s)
        }
      }
      return out ?? (first === undefined ? NO_SUBJECTS : single(first))
    },
    id: (s) => `${s.household.id}@${s.campaign.id}`,
    householdId: (s) => s.household.id
  })

// ---------------------------------------------------------------------------------------------
// Applicability
// ---------------------------------------------------------------------------------------------

/**
 * The dates a rule applies to a subject, and why.
 *
 * - `from`: the first day it applies; occurrences before it do not exist.
 * - `until`: the last day it applies, when a dated fact ends it (a household moving out, a
 *   resident vaccinated, a matter resolved). Occurrences whose window would open after it do
 *   not exist; one whose window opened by then, runs past it and is still unresolved becomes
 *   `cancelled` once the day has passed.
 * - `cancelled`: the subject stopped applying on an unknown date (an arrival report was
 *   cancelled): every unresolved occurrence is `cancelled`. Use it for bounded schedules.
 * - `because`: the facts that made it apply, in words; `facts`: the same by reference.
 * - `stopped`: why it stopped applying, shown on cancelled tasks.
 *
 * `because`, `facts` and `stopped` may be given as functions (see `applies`): they are then
 * computed when first read, which the engine does only for subjects that have a task in the
 * dates it evaluates. Narrow an applicability with the combinators (`startingOn`,
 * `endingOn`, `within`, `because`, `cancel`), which keep them lazy; an object spread reads
 * them.
 *
 * @since 0.1.0
 * @category applicability
 */
export interface Applicability extends Pipeable {
  readonly from: LocalDate.LocalDate
  readonly until: LocalDate.LocalDate | undefined
  readonly cancelled: boolean
  readonly because: ReadonlyArray<string>
  readonly facts: ReadonlyArray<Task.FactRef>
  readonly stopped: string | undefined
}

type Lazy<A> = A | (() => A)

const force = <A>(value: Lazy<A>): A => typeof value === "function" ? (value as () => A)() : value

/**
 * The words of a task's explanation, as a rule's `explain` gives them: what made the rule
 * apply, the facts by reference, and why it stopped applying.
 *
 * @since 0.1.0
 * @category applicability
 */
export interface Words {
  readonly because?: ReadonlyArray<string> | undefined
  readonly facts?: ReadonlyArray<Task.FactRef> | undefined
  readonly stopped?: string | undefined
}

class ApplicabilityImpl implements Applicability {
  #because: Lazy<ReadonlyArray<string>>
  #facts: Lazy<ReadonlyArray<Task.FactRef>>
  #stopped: Lazy<string | undefined>
  constructor(
    readonly from: LocalDate.LocalDate,
    readonly until: LocalDate.LocalDate | undefined,
    readonly cancelled: boolean,
    because: Lazy<ReadonlyArray<string>>,
    facts: Lazy<ReadonlyArray<Task.FactRef>>,
    stopped: Lazy<string | undefined>
  ) {
    this.#because = because
    this.#facts = facts
    this.#stopped = stopped
  }
  get because(): ReadonlyArray<string> {
    const b = this.#because
    return typeof b === "function" ? (this.#because = b()) : b
  }
  get facts(): ReadonlyArray<Task.FactRef> {
    const f = this.#facts
    return typeof f === "function" ? (this.#facts = f()) : f
  }
  get stopped(): string | undefined {
    const s = this.#stopped
    return typeof s === "function" ? (this.#stopped = s()) : s
  }
  /** The parts as given, to narrow without reading them. */
  get lazy(): Parts {
    return { because: this.#because, facts: this.#facts, stopped: this.#stopped }
  }
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
  toJSON() {
    return {
      from: this.from,
      until: this.until,
      cancelled: this.cancelled,
      because: this.because,
      facts: this.facts,
      stopped: this.stopped
    }
  }
}

interface Parts {
  readonly because: Lazy<ReadonlyArray<string>>
  readonly facts: Lazy<ReadonlyArray<Task.FactRef>>
  readonly stopped: Lazy<string | undefined>
}

const NONE: ReadonlyArray<never> = []

/** The lazy parts of any applicability (one made elsewhere is read as it is). */
const lazyOf = (self: Applicability): Parts => self instanceof ApplicabilityImpl ? self.lazy : self

const make_ = (
  from: LocalDate.LocalDate,
  until: LocalDate.LocalDate | undefined,
  cancelled: boolean,
  because: Lazy<ReadonlyArray<string>>,
  facts: Lazy<ReadonlyArray<Task.FactRef>>,
  stopped: Lazy<string | undefined>
): Applicability => new ApplicabilityImpl(from, until, cancelled, because, facts, stopped)

/**
 * An applicability from its parts. `because`, `facts` and `stopped` may be functions,
 * called once when first read: a rule that applies to many subjects builds its words only
 * for the subjects whose tasks someone reads (or give the rule an `explain`, see `make`).
 *
 * @example
 * ```ts
 * import { LocalDate, Rule } from "@minqing/core"
 *
 * const app = Rule.applies({
 *   from: LocalDate.make("2021-05-01"),
 *   because: () => ["built only when a task's explanation is read"]
 * })
 * ```
 *
 * @since 0.1.0
 * @category applicability
 */
export const applies = (options: {
  readonly from: LocalDate.LocalDate
  readonly until?: LocalDate.LocalDate | undefined
  readonly cancelled?: boolean | undefined
  readonly because?: ReadonlyArray<string> | (() => ReadonlyArray<string>) | undefined
  readonly facts?: ReadonlyArray<Task.FactRef> | (() => ReadonlyArray<Task.FactRef>) | undefined
  readonly stopped?: string | (() => string | undefined) | undefined
}): Applicability =>
  new ApplicabilityImpl(
    options.from,
    options.until,
    options.cancelled ?? false,
    options.because ?? NONE,
    options.facts ?? NONE,
    options.stopped
  )

/**
 * Applies over an inclusive period (a campaign's, a season's).
 *
 * @since 0.1.0
 * @category applicability
 */
export const during = (
  period: { readonly from: LocalDate.LocalDate; readonly to: LocalDate.LocalDate },
  because: ReadonlyArray<string> = [],
  facts: ReadonlyArray<Task.FactRef> = []
): Applicability =>
  applies({ from: period.from, until: period.to, because, facts, stopped: `the period ended on ${period.to}` })

/**
 * Applies from a date on.
 *
 * @since 0.1.0
 * @category applicability
 */
export const since = (
  from: LocalDate.LocalDate,
  because: ReadonlyArray<string> = [],
  facts: ReadonlyArray<Task.FactRef> = []
): Applicability => applies({ from, because, facts })

const appendTo = <A>(list: Lazy<ReadonlyArray<A>>, item: A): Lazy<ReadonlyArray<A>> =>
  typeof list === "function" ? () => [...force(list), item] : [...list, item]

/**
 * Narrows to start no earlier than a date.
 *
 * @since 0.1.0
 * @category applicability
 */
export const startingOn: {
  (date: LocalDate.LocalDate, because?: string): (self: Applicability) => Applicability
  (self: Applicability, date: LocalDate.LocalDate, because?: string): Applicability
} = dual(
  (args) => typeof args[0] === "object",
  (self: Applicability, date: LocalDate.LocalDate, because?: string): Applicability => {
    const lazy = lazyOf(self)
    return make_(
      LocalDate.max(self.from, date),
      self.until,
      self.cancelled,
      because === undefined ? lazy.because : appendTo(lazy.because, because),
      lazy.facts,
      lazy.stopped
    )
  }
)

/**
 * Narrows to end no later than a date, saying why (shown on tasks it cancels).
 *
 * @since 0.1.0
 * @category applicability
 */
export const endingOn: {
  (date: LocalDate.LocalDate, stopped: string): (self: Applicability) => Applicability
  (self: Applicability, date: LocalDate.LocalDate, stopped: string): Applicability
} = dual(
  3,
  (self: Applicability, date: LocalDate.LocalDate, stopped: string): Applicability => {
    if (self.until !== undefined && self.until <= date) return self
    const lazy = lazyOf(self)
    return make_(self.from, date, self.cancelled, lazy.because, lazy.facts, stopped)
  }
)

/**
 * Narrows to the validity dates of a record (a household or a resident), adding it to the
 * facts.
 *
 * @since 0.1.0
 * @category applicability
 */
export const within: {
  (
    record: {
      readonly _tag: string
      readonly id: string
      readonly activeFrom: LocalDate.LocalDate
      readonly activeUntil?: LocalDate.LocalDate
    },
    name: string
  ): (self: Applicability) => Applicability
  (
    self: Applicability,
    record: {
      readonly _tag: string
      readonly id: string
      readonly activeFrom: LocalDate.LocalDate
      readonly activeUntil?: LocalDate.LocalDate
    },
    name: string
  ): Applicability
} = dual(3, (
  self: Applicability,
  record: {
    readonly _tag: string
    readonly id: string
    readonly activeFrom: LocalDate.LocalDate
    readonly activeUntil?: LocalDate.LocalDate
  },
  name: string
): Applicability => {
  const lazy = lazyOf(self)
  const withRecord = (facts: ReadonlyArray<Task.FactRef>) =>
    facts.some((f) => f.tag === record._tag && f.id === record.id)
      ? facts
      : [...facts, { tag: record._tag, id: record.id }]
  const facts = lazy.facts
  const narrowed = make_(
    LocalDate.max(self.from, record.activeFrom),
    self.until,
    self.cancelled,
    lazy.because,
    typeof facts === "function" ? () => withRecord(facts()) : withRecord(facts),
    lazy.stopped
  )
  return record.activeUntil === undefined
    ? narrowed
    : endingOn(narrowed, record.activeUntil, `${name} is inactive after ${record.activeUntil}`)
})

/**
 * Adds a reason to the explanation.
 *
 * @since 0.1.0
 * @category applicability
 */
export const because: {
  (reason: string, fact?: Task.FactRef): (self: Applicability) => Applicability
  (self: Applicability, reason: string, fact?: Task.FactRef): Applicability
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && "because" in args[0],
  (self: Applicability, reason: string, fact?: Task.FactRef): Applicability => {
    const lazy = lazyOf(self)
    return make_(
      self.from,
      self.until,
      self.cancelled,
      appendTo(lazy.because, reason),
      fact === undefined ? lazy.facts : appendTo(lazy.facts, fact),
      lazy.stopped
    )
  }
)

/**
 * Marks every unresolved occurrence cancelled, with a reason.
 *
 * @since 0.1.0
 * @category applicability
 */
export const cancel: {
  (stopped: string): (self: Applicability) => Applicability
  (self: Applicability, stopped: string): Applicability
} = dual(2, (self: Applicability, stopped: string): Applicability => {
  const lazy = lazyOf(self)
  return make_(self.from, self.until, true, lazy.because, lazy.facts, stopped)
})

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

/**
 * Whether a visit resolves an occurrence for a subject. The engine asks only about the
 * subject's household's visits whose local date is inside the window and not after the
 * as-of date, earliest first.
 *
 * @since 0.1.0
 * @category resolution
 */
export type Resolver<S, P> = (visit: Visit, subject: S, params: P) => boolean

/**
 * Resolved by any contacted visit.
 *
 * @since 0.1.0
 * @category resolution
 */
export const contacted: Resolver<unknown, unknown> = (visit) => visit.outcome === "contacted"

/**
 * Resolved by a contacted visit with an observation of a kind that matches the subject.
 *
 * @example
 * ```ts
 * import { Rule } from "@minqing/core"
 *
 * // a vaccination check of that resident, whatever status it saw
 * const resolvedBy = Rule.observation("vaccination-check", (o, resident: { id: string }) => o.residentId === resident.id)
 * ```
 *
 * @since 0.1.0
 * @category resolution
 */
export const observation = <K extends Observation["_tag"], S, P = unknown>(
  kind: K,
  matches: (observation: Extract<Observation, { readonly _tag: K }>, subject: S, params: P) => boolean = () => true
): Resolver<S, P> =>
(visit, s, params) => {
  if (visit.outcome !== "contacted") return false
  const observations = visit.observations
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i]
    if (o._tag === kind && matches(o as Extract<Observation, { readonly _tag: K }>, s, params)) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/**
 * Days before and after an occurrence's due date during which a visit resolves it. The
 * window never opens before the rule applies.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Window = Schema.Struct({
  before: Schema.Int.pipe(Schema.between(0, 366)),
  after: Schema.Int.pipe(Schema.between(0, 366))
}).annotations({ identifier: "RuleWindow" })

/** @since 0.1.0 @category models */
export interface Window extends Schema.Schema.Type<typeof Window> {}

/**
 * The same day only.
 *
 * @since 0.1.0
 * @category constants
 */
export const sameDay: Window = { before: 0, after: 0 }

/**
 * What a rule sees when it decides whether it applies to a subject: its parameters, the
 * subject's household's facts (without visits: they only resolve occurrences), the place tree
 * and the deployment zone. The engine caches what a rule derives from these until one of
 * them changes, so `applies`, `recurrence`, `window` and `priority` must be pure.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context<P> {
  readonly params: P
  readonly facts: Fact.Facts
  readonly places: Place.Tree
  readonly zone: TimeZone.TimeZone
}

/**
 * What a rule sees when it builds a subject's recurrence: the context and the first day it
 * applies (the usual anchor) and the last, if known.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScheduleContext<P> extends Context<P> {
  readonly from: LocalDate.LocalDate
  readonly until: LocalDate.LocalDate | undefined
}

/**
 * A rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule<S, P> extends Pipeable {
  readonly id: string
  /**
   * Raised whenever what the rule computes changes: stores that keep computed tasks (the
   * SQLite task state) key them by the pack's ids, versions and parameters
   * (`TaskState.fingerprint`), so a changed rule under the same version keeps its old answers.
   */
  readonly version: number
  readonly title: Labels.Label
  readonly description: string
  readonly subject: Subject<S>
  readonly params: Schema.Schema<P, any>
  /** The parameters the rule runs with: its defaults, or what a pack configured. */
  readonly defaults: P
  readonly applies: (subject: S, context: Context<P>) => Applicability | undefined
  readonly recurrence: (subject: S, context: ScheduleContext<P>) => Recurrence.Recurrence
  readonly window: (subject: S, params: P) => Window
  readonly priority: (subject: S, params: P) => Task.Priority
  readonly resolvedBy: Resolver<S, P>
  /**
   * The words of a subject's explanation (what made it apply, the facts, why it stopped),
   * when the rule gives them apart from `applies`: they are then built only for subjects
   * with a task in the evaluated dates, and the applicability's words are not read.
   */
  readonly explain: ((subject: S, context: Context<P>) => Words) | undefined
}

/**
 * A rule of any subject and parameters, as packs hold them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Any extends Rule<any, any> {}

const RuleProto = {
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
}

const RULE_ID = /^[a-z][a-z0-9-]{0,63}$/

/**
 * Defines a rule. Types flow from `subject` and `params`: `applies`, `recurrence`, `window`,
 * `priority` and `resolvedBy` see the subject's type and the decoded parameters.
 *
 * `window` and `priority` may be constants or functions of the subject and parameters;
 * `window` defaults to the same day and `priority` to `normal`. The defaults are checked
 * against the schema, so a rule cannot ship parameters it would refuse from configuration.
 *
 * `explain`, optional, gives the words of a subject's explanation apart from `applies`
 * (which then only says from when and until when): a rule over every resident of a district
 * then builds them only for the subjects that have a task in the dates evaluated.
 *
 * @example
 * ```ts
 * import { Recurrence, Rule } from "@minqing/core"
 * import { Schema } from "effect"
 *
 * const sweep = Rule.make({
 *   id: "weekly-sweep",
 *   version: 1,
 *   title: { "zh-Hans": "每周入户", "zh-Hant": "每週入戶", en: "Weekly sweep" },
 *   subject: Rule.household,
 *   params: Schema.Struct({ weekday: Schema.Int }),
 *   defaults: { weekday: 1 },
 *   applies: (h) => Rule.since(h.activeFrom).pipe(Rule.within(h, `household ${h.id}`)),
 *   recurrence: (_, { params, from }) => Recurrence.weekly([params.weekday], from),
 *   window: { before: 0, after: 6 },
 *   resolvedBy: Rule.contacted
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <S, P, I>(definition: {
  readonly id: string
  readonly version: number
  readonly title: Labels.Label
  readonly description?: string
  readonly subject: Subject<S>
  readonly params: Schema.Schema<P, I>
  readonly defaults: NoInfer<P>
  readonly applies: (subject: S, context: Context<NoInfer<P>>) => Applicability | undefined
  readonly recurrence: (subject: S, context: ScheduleContext<NoInfer<P>>) => Recurrence.Recurrence
  readonly window?: Window | ((subject: S, params: NoInfer<P>) => Window)
  readonly priority?: Task.Priority | ((subject: S, params: NoInfer<P>) => Task.Priority)
  readonly resolvedBy: Resolver<S, NoInfer<P>>
  readonly explain?: ((subject: S, context: Context<NoInfer<P>>) => Words) | undefined
}): Rule<S, P> => {
  if (!RULE_ID.test(definition.id)) {
    throw new Error(
      `Invalid rule id ${JSON.stringify(definition.id)}: lowercase letters, digits and hyphens, starting with a letter`
    )
  }
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new Error(`Rule ${definition.id}: the version is a whole number ≥ 1`)
  }
  const checked = Schema.validateEither(definition.params)(definition.defaults)
  if (Either.isLeft(checked)) {
    throw new InvalidParams({
      rule: definition.id,
      parameter: pathOf(checked.left),
      reason: `the rule's defaults are invalid: ${checked.left.message}`
    })
  }
  const window = definition.window ?? sameDay
  const priority = definition.priority ?? "normal"
  const rule = Object.create(RuleProto)
  rule.id = definition.id
  rule.version = definition.version
  rule.title = definition.title
  rule.description = definition.description ?? definition.title.en
  rule.subject = definition.subject
  rule.params = definition.params
  rule.defaults = definition.defaults
  rule.applies = definition.applies
  rule.recurrence = definition.recurrence
  rule.window = typeof window === "function" ? window : () => window
  rule.priority = typeof priority === "function" ? priority : () => priority
  rule.resolvedBy = definition.resolvedBy
  rule.explain = definition.explain
  return rule
}

/**
 * The same rule running with other parameters (typed; merged over its current ones).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withParams: {
  <P>(params: Partial<NoInfer<P>>): <S>(self: Rule<S, P>) => Rule<S, P>
  <S, P>(self: Rule<S, P>, params: Partial<NoInfer<P>>): Rule<S, P>
} = dual(2, <S, P>(self: Rule<S, P>, params: Partial<P>): Rule<S, P> => {
  const merged = { ...self.defaults, ...params } as P
  const checked = Schema.validateEither(self.params)(merged)
  if (Either.isLeft(checked)) {
    throw new InvalidParams({ rule: self.id, parameter: pathOf(checked.left), reason: checked.left.message })
  }
  return Object.assign(Object.create(RuleProto), self, { defaults: merged })
})

/**
 * The same rule with some of its definition replaced (a new version, another priority, a
 * stricter `resolvedBy`…).
 *
 * @since 0.1.0
 * @category combinators
 */
export const modify: {
  <S, P>(
    changes:
      & Partial<
        Pick<Rule<S, P>, "version" | "title" | "description" | "applies" | "recurrence" | "resolvedBy" | "explain">
      >
      & {
        readonly window?: Window | ((subject: S, params: P) => Window)
        readonly priority?: Task.Priority | ((subject: S, params: P) => Task.Priority)
      }
  ): (self: Rule<S, P>) => Rule<S, P>
  <S, P>(
    self: Rule<S, P>,
    changes:
      & Partial<
        Pick<Rule<S, P>, "version" | "title" | "description" | "applies" | "recurrence" | "resolvedBy" | "explain">
      >
      & {
        readonly window?: Window | ((subject: S, params: P) => Window)
        readonly priority?: Task.Priority | ((subject: S, params: P) => Task.Priority)
      }
  ): Rule<S, P>
} = dual(2, <S, P>(self: Rule<S, P>, changes: any): Rule<S, P> => {
  const out = Object.assign(Object.create(RuleProto), self, changes)
  if (changes.window !== undefined && typeof changes.window !== "function") out.window = () => changes.window
  if (changes.priority !== undefined && typeof changes.priority !== "function") out.priority = () => changes.priority
  return out
})

/**
 * A rule's current parameters encoded as JSON (what explanations and configuration show).
 *
 * @since 0.1.0
 * @category getters
 */
export const encodedParams = (rule: Any): unknown => {
  let cached = encodedCache.get(rule)
  if (cached === undefined) {
    cached = { value: Schema.encodeSync(rule.params)(rule.defaults) }
    encodedCache.set(rule, cached)
  }
  return cached.value
}

const encodedCache = new WeakMap<Any, { readonly value: unknown }>()

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A rule's parameters were refused: names the rule, the parameter (a dotted path, empty for
 * the whole set) and what was wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidParams extends Schema.TaggedError<InvalidParams>()("InvalidRuleParams", {
  rule: Schema.String,
  parameter: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Rule "${this.rule}"${this.parameter === "" ? "" : `, parameter "${this.parameter}"`}: ${this.reason}`
  }
}

/**
 * A pack configuration named a rule the pack does not have, or was not an object of rules.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownRule extends Schema.TaggedError<UnknownRule>()("UnknownRule", {
  rule: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Unknown rule "${this.rule}"; this pack has: ${this.known.join(", ")}`
  }
}

const pathOf = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  return issues.length === 0 ? "" : issues[0].path.map(String).join(".")
}

/**
 * Decodes parameters from JSON for a rule, merged over its current ones (objects merge key by
 * key; arrays and tagged values such as a recurrence pattern are replaced). Fails with
 * `InvalidParams` naming the first wrong parameter.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeParams = <S, P>(rule: Rule<S, P>, input: unknown): Either.Either<P, InvalidParams> => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return Either.left(
      new InvalidParams({ rule: rule.id, parameter: "", reason: "parameters are a JSON object of name → value" })
    )
  }
  const current = encodedParams(rule)
  const merged = mergeJson(current, input)
  const decoded = Schema.decodeUnknownEither(rule.params, { onExcessProperty: "error", errors: "all" })(merged)
  if (Either.isRight(decoded)) return Either.right(decoded.right)
  const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
  const first = issues[0]
  return Either.left(
    new InvalidParams({
      rule: rule.id,
      parameter: first === undefined ? "" : first.path.map(String).join("."),
      reason: issues.map((i, n) => (n > 0 && i.path.length > 0 ? `${i.path.join(".")}: ` : "") + i.message).join(
        "; "
      )
    })
  )
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const mergeJson = (base: unknown, override: unknown): unknown => {
  if (!isPlainObject(base) || !isPlainObject(override) || "_tag" in override) return override
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(override)) out[k] = k in base ? mergeJson(base[k], v) : v
  return out
}
