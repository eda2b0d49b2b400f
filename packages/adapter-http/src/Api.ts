/**
 * The HTTP API of Minqing as an `HttpApi` spec: endpoints, their request and response
 * schemas and their errors — no handlers and no server code, so a client (a browser app, a
 * mini-program back end, a test) imports it without the server.
 *
 * Responses carry *views* of the model: where a record holds personal data (national IDs
 * and phone numbers of residents, liaisons and newcomers), the view's field is a plain
 * string, because it is masked (`410***********1234`, `138****5678`) unless the caller's
 * role may see it.
 *
 * @example
 * ```ts
 * import { Api } from "@minqing/adapter-http/Api"
 * import { FetchHttpClient, HttpApiClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* HttpApiClient.make(Api, { baseUrl: "http://localhost:3000" })
 *   return yield* client.system.health()
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  Access,
  Accounts,
  Arrival,
  Campaign,
  Household,
  Ids,
  Liaison,
  LocalDate,
  Matter,
  Place,
  Problem,
  Resident,
  Store,
  Task,
  Visit,
  WriteCheck
} from "@minqing/core"
import * as Schema from "effect/Schema"
import { Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge, ServerError, Unauthorized } from "./ApiError.js"
import { Authentication } from "./Auth.js"
import { Validation } from "./Validation.js"

// Report every invalid field of a request, not only the first.
const allErrors = <S extends Schema.Schema.Any>(schema: S): S =>
  schema.annotations({ parseOptions: { errors: "all" } }) as any

// -----------------------------------------------------------------------------
// Views
// -----------------------------------------------------------------------------

/**
 * A national ID number as a reader sees it: the full number, or masked
 * (`410***********1234`) unless the reader's role may see personal data.
 *
 * @since 0.1.0
 * @category views
 */
export const MaskableNationalId = Schema.String.annotations({
  identifier: "MaskableNationalId",
  description: "National ID number; masked (e.g. 410***********1234) unless the caller may see personal data",
  examples: ["410***********1234"]
})

/**
 * A phone number as a reader sees it: the full number, or masked (`138****5678`).
 *
 * @since 0.1.0
 * @category views
 */
export const MaskablePhone = Schema.String.annotations({
  identifier: "MaskablePhone",
  description: "Mobile number; masked (e.g. 138****5678) unless the caller may see personal data",
  examples: ["138****5678"]
})

/**
 * A resident as a reader sees it.
 *
 * @since 0.1.0
 * @category views
 */
export const ResidentView = Schema.Struct({
  ...Resident.Resident.fields,
  nationalId: Schema.optionalWith(MaskableNationalId, { exact: true }),
  phone: Schema.optionalWith(MaskablePhone, { exact: true })
}).annotations({ identifier: "ResidentView" })

/** @since 0.1.0 @category views */
export type ResidentView = typeof ResidentView.Type

/**
 * A liaison as a reader sees it.
 *
 * @since 0.1.0
 * @category views
 */
export const LiaisonView = Schema.Struct({
  ...Liaison.Liaison.fields,
  phone: MaskablePhone
}).annotations({ identifier: "LiaisonView" })

/** @since 0.1.0 @category views */
export type LiaisonView = typeof LiaisonView.Type

/**
 * A newcomer named in an arrival report, as a reader sees them.
 *
 * @since 0.1.0
 * @category views
 */
export const NewcomerView = Schema.Struct({
  ...Arrival.Newcomer.fields,
  nationalId: Schema.optionalWith(MaskableNationalId, { exact: true }),
  phone: Schema.optionalWith(MaskablePhone, { exact: true })
}).annotations({ identifier: "NewcomerView" })

/**
 * An arrival report as a reader sees it.
 *
 * @since 0.1.0
 * @category views
 */
export const ArrivalReportView = Schema.Struct({
  ...Arrival.ArrivalReport.fields,
  person: Schema.Union(Arrival.KnownResident, NewcomerView)
}).annotations({ identifier: "ArrivalReportView" })

/** @since 0.1.0 @category views */
export type ArrivalReportView = typeof ArrivalReportView.Type

/**
 * Any fact as a reader sees it (records without personal data are shown as they are).
 *
 * @since 0.1.0
 * @category views
 */
export const FactView = Schema.Union(
  Place.Place,
  LiaisonView,
  Household.Household,
  ResidentView,
  Visit.Visit,
  ArrivalReportView,
  Matter.Matter,
  Campaign.Campaign
).annotations({ identifier: "FactView" })

/** @since 0.1.0 @category views */
export type FactView = typeof FactView.Type

/**
 * A page of a list: the items and, when more follow, the `next` value to pass as `after`.
 *
 * @since 0.1.0
 * @category views
 */
export const Page = <S extends Schema.Schema.Any>(item: S, identifier: string) =>
  Schema.Struct({
    items: Schema.Array(item),
    next: Schema.optionalWith(Schema.String, { exact: true })
  }).annotations({ identifier, description: "A page; pass `next` as `after` to get the following one" })

const PageSize = Schema.NumberFromString.pipe(
  Schema.int({ message: () => "limit must be a whole number" }),
  Schema.between(1, 1000, { message: () => "limit must be between 1 and 1000" })
).annotations({ description: "Page size: a whole number from 1 to 1000 (default 100)" })

/**
 * Query parameters of every list: page size (1–1000, default 100), the `next` value of the
 * previous page, a place subtree within the caller's scope, and a past date to read "as of".
 *
 * @since 0.1.0
 * @category requests
 */
export const ListParams = Schema.Struct({
  limit: Schema.optionalWith(PageSize, { exact: true }),
  after: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(200)), { exact: true }),
  scope: Schema.optionalWith(Ids.PlaceId, { exact: true }),
  asOf: Schema.optionalWith(LocalDate.LocalDate, { exact: true })
})

/**
 * What a write did, item by item (`created`, `updated`, `unchanged` or `replayed`), with
 * flags for a reviewer such as a likely duplicate resident.
 *
 * @since 0.1.0
 * @category views
 */
export const Receipt = Store.Receipt

/**
 * The receipts of a batch written all or nothing.
 *
 * @since 0.1.0
 * @category views
 */
export class Receipts extends Schema.Class<Receipts>("Receipts")({
  receipts: Schema.Array(Store.Receipt)
}) {}

// -----------------------------------------------------------------------------
// Facts
// -----------------------------------------------------------------------------

const factGroup = <
  const G extends string,
  const P extends string,
  V extends Schema.Schema.Any,
  W extends Schema.Schema.Any,
  IdA
>(
  group: G,
  path: P,
  what: string,
  options: {
    readonly view: V
    readonly write: W
    readonly id: Schema.Schema<IdA, string>
  }
) =>
  HttpApiGroup.make(group)
    .add(
      HttpApiEndpoint.get("list", `/${path}`)
        .setUrlParams(allErrors(ListParams))
        .addSuccess(Page(options.view, `${capitalize(group)}Page`))
        .annotate(OpenApi.Summary, `List ${what} in your scope`)
    )
    .add(
      HttpApiEndpoint.get("get", `/${path}/:id`)
        .setPath(allErrors(Schema.Struct({ id: options.id })))
        .setUrlParams(allErrors(Schema.Struct({ asOf: Schema.optionalWith(LocalDate.LocalDate, { exact: true }) })))
        .addSuccess(options.view)
        .annotate(OpenApi.Summary, `One of the ${what} in your scope`)
    )
    .add(
      HttpApiEndpoint.post("save", `/${path}`)
        .setPayload(allErrors(options.write))
        .addSuccess(Store.Receipt)
        .annotate(OpenApi.Summary, `Create or update one of the ${what}`)
        .annotate(
          OpenApi.Description,
          "Writes a new version (the store keeps every earlier one and audits the write). Refused with every problem listed if invalid, outside your scope or not allowed for your role."
        )
    )
    .middleware(Validation)
    .middleware(Authentication)
    .annotate(OpenApi.Title, capitalize(group))

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * Places: the subdistrict → village → grid tree.
 *
 * @since 0.1.0
 * @category groups
 */
export const PlacesGroup = factGroup("places", "places", "places", {
  view: Place.Place,
  write: Place.Place,
  id: Ids.PlaceId
})

/**
 * Liaisons and the grids they own.
 *
 * @since 0.1.0
 * @category groups
 */
export const LiaisonsGroup = factGroup("liaisons", "liaisons", "liaisons", {
  view: LiaisonView,
  write: Liaison.Liaison,
  id: Ids.LiaisonId
})

/**
 * Households.
 *
 * @since 0.1.0
 * @category groups
 */
export const HouseholdsGroup = factGroup("households", "households", "households", {
  view: Household.Household,
  write: Household.Household,
  id: Ids.HouseholdId
})

/**
 * Residents. Saving a resident whose national ID is already registered is refused (409,
 * naming the existing record); a likely duplicate (same name and birth date in the village)
 * is written and flagged in the receipt.
 *
 * @since 0.1.0
 * @category groups
 */
export const ResidentsGroup = factGroup("residents", "residents", "residents", {
  view: ResidentView,
  write: Resident.Resident,
  id: Ids.ResidentId
})

/**
 * Arrival reports.
 *
 * @since 0.1.0
 * @category groups
 */
export const ArrivalsGroup = factGroup("arrivals", "arrivals", "arrival reports", {
  view: ArrivalReportView,
  write: Arrival.ArrivalReport,
  id: Ids.ArrivalId
})

/**
 * Matters.
 *
 * @since 0.1.0
 * @category groups
 */
export const MattersGroup = factGroup("matters", "matters", "matters", {
  view: Matter.Matter,
  write: Matter.Matter,
  id: Ids.MatterId
})

/**
 * Campaigns.
 *
 * @since 0.1.0
 * @category groups
 */
export const CampaignsGroup = factGroup("campaigns", "campaigns", "campaigns", {
  view: Campaign.Campaign,
  write: Campaign.Campaign,
  id: Ids.CampaignId
})

/**
 * A batch of visits, written all or nothing.
 *
 * @since 0.1.0
 * @category requests
 */
export class VisitBatch extends Schema.Class<VisitBatch>("VisitBatch")({
  visits: Schema.Array(Visit.Visit).pipe(
    Schema.minItems(1, { message: () => "send at least one visit" }),
    Schema.maxItems(500, { message: () => "send at most 500 visits per batch" })
  )
}) {}

/**
 * Visits: append-only and idempotent by their client-generated id — sending the same visit
 * again is answered `replayed`; the same id with different content is a 409.
 *
 * @since 0.1.0
 * @category groups
 */
export const VisitsGroup = factGroup("visits", "visits", "visits", {
  view: Visit.Visit,
  write: Visit.Visit,
  id: Ids.VisitId
}).add(
  HttpApiEndpoint.post("batch", "/visits/batch")
    // A valid batch decodes through the core's compiled fast path; any other is refused and
    // reported by Effect's parser, every problem at once, as before.
    .setPayload(allErrors(WriteCheck.fastDecoding(VisitBatch)))
    .addSuccess(Receipts)
    .annotate(OpenApi.Summary, "Record a batch of visits, all or nothing")
)

// -----------------------------------------------------------------------------
// Offline sync
// -----------------------------------------------------------------------------

/**
 * Visits a device recorded offline. Each is decoded and written on its own, so one bad
 * item does not hold back the others.
 *
 * @since 0.1.0
 * @category requests
 */
export class SyncPush extends Schema.Class<SyncPush>("SyncPush")({
  visits: Schema.Array(Visit.Visit).pipe(Schema.maxItems(500, { message: () => "send at most 500 visits per push" }))
}) {}

/**
 * What happened to one pushed visit: written (`created`), already there (`replayed`), or
 * refused (`invalid`, `conflict`, `forbidden`) with its problems.
 *
 * @since 0.1.0
 * @category views
 */
export class SyncItemResult extends Schema.Class<SyncItemResult>("SyncItemResult")({
  index: Schema.Int,
  id: Schema.optionalWith(Schema.String, { exact: true }),
  status: Schema.Literal("created", "updated", "unchanged", "replayed", "invalid", "conflict", "forbidden"),
  problems: Schema.Array(Problem.Problem)
}) {}

/**
 * The per-item results of a push.
 *
 * @since 0.1.0
 * @category views
 */
export class SyncPushResult extends Schema.Class<SyncPushResult>("SyncPushResult")({
  results: Schema.Array(SyncItemResult),
  accepted: Schema.Int,
  refused: Schema.Int
}) {}

/**
 * What changed in the caller's scope since a cursor.
 *
 * @since 0.1.0
 * @category views
 */
export const ChangesView = Schema.Struct({
  facts: Schema.Array(FactView),
  cursor: Store.Cursor,
  more: Schema.Boolean
}).annotations({ identifier: "Changes" })

/**
 * Offline sync for a liaison's device: push visits recorded offline, pull what changed.
 *
 * @since 0.1.0
 * @category groups
 */
export const SyncGroup = HttpApiGroup.make("sync")
  .add(
    HttpApiEndpoint.post("push", "/sync/visits")
      .setPayload(allErrors(SyncPush))
      .addSuccess(SyncPushResult)
      .annotate(OpenApi.Summary, "Push visits recorded offline; one result per item")
  )
  .add(
    HttpApiEndpoint.get("pull", "/sync/changes")
      .setUrlParams(allErrors(Schema.Struct({
        since: Schema.optionalWith(Store.Cursor, { exact: true }),
        limit: Schema.optionalWith(PageSize, { exact: true }),
        scope: Schema.optionalWith(Ids.PlaceId, { exact: true })
      })))
      .addSuccess(ChangesView)
      .annotate(OpenApi.Summary, "Facts changed in your scope since a cursor")
  )
  .middleware(Validation)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Sync")

// -----------------------------------------------------------------------------
// Accounts, tokens, break the glass, audit
// -----------------------------------------------------------------------------

/**
 * An account as sent to `PUT /accounts/:id`.
 *
 * @since 0.1.0
 * @category requests
 */
export class AccountInput extends Schema.Class<AccountInput>("AccountInput")({
  name: Accounts.Account.fields.name,
  role: Accounts.Account.fields.role,
  scope: Accounts.Account.fields.scope,
  liaisonId: Accounts.Account.fields.liaisonId,
  active: Accounts.Account.fields.active
}) {}

/**
 * A token's public record (never its secret or hash).
 *
 * @since 0.1.0
 * @category views
 */
export class TokenInfo extends Schema.Class<TokenInfo>("TokenInfo")({
  id: Schema.String,
  accountId: Accounts.AccountId,
  label: Schema.optionalWith(Schema.String, { exact: true }),
  issuedAt: Schema.DateTimeUtc,
  expiresAt: Schema.DateTimeUtc,
  revokedAt: Schema.optionalWith(Schema.DateTimeUtc, { exact: true })
}) {}

/**
 * A request for a new token.
 *
 * @since 0.1.0
 * @category requests
 */
export class IssueToken extends Schema.Class<IssueToken>("IssueToken")({
  label: Schema.optionalWith(Schema.Trim.pipe(Schema.maxLength(100)), { exact: true }),
  expiresInDays: Schema.optionalWith(
    Schema.Int.pipe(Schema.between(1, 365, { message: () => "expiresInDays must be between 1 and 365" })),
    { exact: true }
  )
}) {}

/**
 * A newly issued token. `token` is the secret to send as `Authorization: Bearer <token>`;
 * it is shown only here — the server keeps only its hash.
 *
 * @since 0.1.0
 * @category views
 */
export class IssuedToken extends Schema.Class<IssuedToken>("IssuedToken")({
  token: Schema.Redacted(Schema.String),
  info: TokenInfo
}) {}

/**
 * The caller: their account, the token in use, and whether they see personal data.
 *
 * @since 0.1.0
 * @category views
 */
export class Me extends Schema.Class<Me>("Me")({
  account: Accounts.Account,
  tokenId: Schema.String,
  expiresAt: Schema.DateTimeUtc,
  seesPersonalData: Schema.Boolean
}) {}

const AccountIdPath = Schema.Struct({ accountId: Accounts.AccountId })

/**
 * Accounts and their tokens. Everything but `me` is for the subdistrict administrator.
 *
 * @since 0.1.0
 * @category groups
 */
export const AccountsGroup = HttpApiGroup.make("accounts")
  .add(
    HttpApiEndpoint.get("me", "/me")
      .addSuccess(Me)
      .annotate(OpenApi.Summary, "Who you are")
  )
  .add(
    HttpApiEndpoint.get("list", "/accounts")
      .addSuccess(Schema.Struct({ items: Schema.Array(Accounts.Account) }).annotations({ identifier: "AccountList" }))
      .annotate(OpenApi.Summary, "List accounts (administrator)")
  )
  .add(
    HttpApiEndpoint.get("get", "/accounts/:accountId")
      .setPath(allErrors(AccountIdPath))
      .addSuccess(Accounts.Account)
      .annotate(OpenApi.Summary, "One account (administrator)")
  )
  .add(
    HttpApiEndpoint.put("save", "/accounts/:accountId")
      .setPath(allErrors(AccountIdPath))
      .setPayload(allErrors(AccountInput))
      .addSuccess(Accounts.Account)
      .annotate(OpenApi.Summary, "Create or replace an account (administrator)")
  )
  .add(
    HttpApiEndpoint.post("issueToken", "/accounts/:accountId/tokens")
      .setPath(allErrors(AccountIdPath))
      .setPayload(allErrors(IssueToken))
      .addSuccess(IssuedToken, { status: 201 })
      .annotate(OpenApi.Summary, "Issue a token for an account (administrator); the secret is shown once")
  )
  .add(
    HttpApiEndpoint.get("listTokens", "/accounts/:accountId/tokens")
      .setPath(allErrors(AccountIdPath))
      .addSuccess(Schema.Struct({ items: Schema.Array(TokenInfo) }).annotations({ identifier: "TokenList" }))
      .annotate(OpenApi.Summary, "List an account's tokens (administrator)")
  )
  .add(
    HttpApiEndpoint.post("revokeToken", "/accounts/:accountId/tokens/:tokenId/revoke")
      .setPath(allErrors(Schema.Struct({
        accountId: Accounts.AccountId,
        tokenId: Schema.String.pipe(
          Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, {
            message: () => "expected a token id as listed by GET /accounts/:accountId/tokens"
          })
        )
      })))
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Summary, "Revoke a token (administrator)")
  )
  .middleware(Validation)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Accounts")

/**
 * A request to read a resident's personal data unmasked, with the reason.
 *
 * @since 0.1.0
 * @category requests
 */
export class BreakGlassRequest extends Schema.Class<BreakGlassRequest>("BreakGlassRequest")({
  residentId: Ids.ResidentId,
  reason: Schema.Trim.pipe(
    Schema.minLength(10, { message: () => "state the reason in at least 10 characters" }),
    Schema.maxLength(500)
  ),
  minutes: Schema.optionalWith(
    Schema.Int.pipe(Schema.between(1, 60, { message: () => "minutes must be between 1 and 60" })),
    { exact: true }
  )
}) {}

/**
 * A recorded "break the glass" grant: who read whose personal data, why, and until when
 * reads of that resident stay unmasked for them.
 *
 * @since 0.1.0
 * @category views
 */
export class BreakGlassGrant extends Schema.Class<BreakGlassGrant>("BreakGlassGrant")({
  id: Schema.String,
  accountId: Schema.String,
  role: Access.Role,
  residentId: Ids.ResidentId,
  reason: Schema.String,
  at: Schema.DateTimeUtc,
  expiresAt: Schema.DateTimeUtc
}) {}

/**
 * The grant and the unmasked record.
 *
 * @since 0.1.0
 * @category views
 */
export class BreakGlassResult extends Schema.Class<BreakGlassResult>("BreakGlassResult")({
  grant: BreakGlassGrant,
  resident: ResidentView
}) {}

/**
 * A page of the audit trail.
 *
 * @since 0.1.0
 * @category views
 */
export class AuditPage extends Schema.Class<AuditPage>("AuditPage")({
  items: Schema.Array(Store.AuditEntry),
  next: Schema.optionalWith(Schema.Int, { exact: true })
}) {}

/**
 * The audit trail of writes and the record of "break the glass" reads.
 *
 * @since 0.1.0
 * @category groups
 */
export const AuditGroup = HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("writes", "/audit")
      .setUrlParams(allErrors(Schema.Struct({
        afterSeq: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), {
          exact: true
        }),
        limit: Schema.optionalWith(PageSize, { exact: true }),
        id: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(64)), { exact: true })
      })))
      .addSuccess(AuditPage)
      .annotate(OpenApi.Summary, "The audit trail of writes in your scope (not for liaisons)")
  )
  .add(
    HttpApiEndpoint.post("breakGlass", "/break-glass")
      .setPayload(allErrors(BreakGlassRequest))
      .addSuccess(BreakGlassResult, { status: 201 })
      .annotate(OpenApi.Summary, "Read a resident's personal data unmasked, stating why (recorded)")
      .annotate(
        OpenApi.Description,
        "For roles that see personal data masked. The read is recorded with your reason; for the next `minutes` (default 15) reads of that resident are unmasked for you."
      )
  )
  .add(
    HttpApiEndpoint.get("breakGlassLog", "/break-glass")
      .setUrlParams(allErrors(Schema.Struct({
        limit: Schema.optionalWith(PageSize, { exact: true }),
        accountId: Schema.optionalWith(Accounts.AccountId, { exact: true })
      })))
      .addSuccess(Schema.Struct({ items: Schema.Array(BreakGlassGrant) }).annotations({ identifier: "BreakGlassLog" }))
      .annotate(OpenApi.Summary, "The record of \"break the glass\" reads (administrator)")
  )
  .middleware(Validation)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Audit")

// -----------------------------------------------------------------------------
// Rules: the pack, its parameters, tasks, worklists, forecast
// -----------------------------------------------------------------------------

/**
 * A label in zh-Hans, zh-Hant and en.
 *
 * @since 0.1.0
 * @category views
 */
export const LabelView = Schema.Struct({
  "zh-Hans": Schema.String,
  "zh-Hant": Schema.String,
  en: Schema.String
}).annotations({ identifier: "Label" })

/**
 * A rule as the deployment runs it: its parameters now (`params`, encoded as JSON) and in
 * the base pack (`defaults`), and whether an administrator overrode or disabled it.
 *
 * @since 0.1.0
 * @category views
 */
export class RuleView extends Schema.Class<RuleView>("RuleView")({
  id: Schema.String,
  version: Schema.Int,
  title: LabelView,
  description: Schema.String,
  subject: Schema.String,
  enabled: Schema.Boolean,
  overridden: Schema.Boolean,
  params: Schema.Unknown,
  defaults: Schema.Unknown
}) {}

/**
 * The effective rule pack.
 *
 * @since 0.1.0
 * @category views
 */
export class RulePackView extends Schema.Class<RulePackView>("RulePackView")({
  name: Schema.String,
  rules: Schema.Array(RuleView)
}) {}

/**
 * An administrator's override of one rule: enable or disable it, and parameters (JSON,
 * merged over the base pack's; validated against the rule's schema).
 *
 * @since 0.1.0
 * @category requests
 */
export class RuleOverride extends Schema.Class<RuleOverride>("RuleOverride")({
  enabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
  params: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { exact: true })
}) {}

const RuleIdPath = Schema.Struct({
  ruleId: Schema.String.pipe(
    Schema.pattern(/^[a-z][a-z0-9-]{0,63}$/, { message: () => "expected a rule id such as \"household-sweep\"" })
  )
})

/**
 * One household on a worklist, with its open tasks.
 *
 * @since 0.1.0
 * @category views
 */
export const StopView = Schema.Struct({
  householdId: Ids.HouseholdId,
  address: Schema.String,
  routePosition: Schema.Int,
  gridId: Schema.optionalWith(Ids.PlaceId, { exact: true }),
  priority: Task.Priority,
  overdue: Schema.Boolean,
  tasks: Schema.Array(Task.Task)
}).annotations({ identifier: "WorklistStop" })

/**
 * A liaison's (or a place's) worklist for a date: households in the order to visit them
 * (priority, then overdue first, then route position), each with its open tasks and why.
 *
 * @since 0.1.0
 * @category views
 */
export const WorklistView = Schema.Struct({
  date: LocalDate.LocalDate,
  liaisonId: Schema.optionalWith(Ids.LiaisonId, { exact: true }),
  placeId: Schema.optionalWith(Ids.PlaceId, { exact: true }),
  stops: Schema.Array(StopView),
  tasks: Schema.Int
}).annotations({ identifier: "Worklist" })

/**
 * Tasks over dates, every state, each with its explanation.
 *
 * @since 0.1.0
 * @category views
 */
export const TasksView = Schema.Struct({
  from: LocalDate.LocalDate,
  to: LocalDate.LocalDate,
  asOf: LocalDate.LocalDate,
  tasks: Schema.Array(Task.Task)
}).annotations({ identifier: "Tasks" })

/**
 * Expected workload: tasks and households due per liaison per day.
 *
 * @since 0.1.0
 * @category views
 */
export const ForecastView = Schema.Struct({
  pack: Schema.String,
  days: Schema.Array(LocalDate.LocalDate),
  rows: Schema.Array(Schema.Struct({
    liaisonId: Schema.optionalWith(Ids.LiaisonId, { exact: true }),
    name: Schema.String,
    tasks: Schema.Array(Schema.Int),
    households: Schema.Array(Schema.Int),
    totalTasks: Schema.Int
  })),
  totals: Schema.Struct({ tasks: Schema.Array(Schema.Int), households: Schema.Array(Schema.Int) }),
  byRule: Schema.Record({ key: Schema.String, value: Schema.Int })
}).annotations({ identifier: "Forecast" })

const Who = {
  liaisonId: Schema.optionalWith(Ids.LiaisonId, { exact: true }),
  placeId: Schema.optionalWith(Ids.PlaceId, { exact: true })
}

/**
 * The rule pack, its parameters, and what it asks of liaisons.
 *
 * @since 0.1.0
 * @category groups
 */
export const RulesGroup = HttpApiGroup.make("rules")
  .add(
    HttpApiEndpoint.get("pack", "/rules")
      .addSuccess(RulePackView)
      .annotate(OpenApi.Summary, "The effective rule pack and its parameters")
  )
  .add(
    HttpApiEndpoint.put("override", "/rules/:ruleId")
      .setPath(allErrors(RuleIdPath))
      .setPayload(allErrors(RuleOverride))
      .addSuccess(RuleView)
      .annotate(OpenApi.Summary, "Override a rule's parameters or enable/disable it (administrator)")
  )
  .add(
    HttpApiEndpoint.post("reset", "/rules/:ruleId/reset")
      .setPath(allErrors(RuleIdPath))
      .addSuccess(RuleView)
      .annotate(OpenApi.Summary, "Drop a rule's override (administrator)")
  )
  .add(
    HttpApiEndpoint.get("worklist", "/worklist")
      .setUrlParams(
        allErrors(Schema.Struct({ date: Schema.optionalWith(LocalDate.LocalDate, { exact: true }), ...Who }))
      )
      .addSuccess(WorklistView)
      .annotate(OpenApi.Summary, "A worklist for a date (default today): a liaison's own, or a liaison's or place's")
  )
  .add(
    HttpApiEndpoint.get("tasks", "/tasks")
      .setUrlParams(allErrors(Schema.Struct({
        from: Schema.optionalWith(LocalDate.LocalDate, { exact: true }),
        to: Schema.optionalWith(LocalDate.LocalDate, { exact: true }),
        asOf: Schema.optionalWith(LocalDate.LocalDate, { exact: true }),
        state: Schema.optionalWith(Task.State, { exact: true }),
        ...Who
      })))
      .addSuccess(TasksView)
      .annotate(OpenApi.Summary, "Tasks whose windows overlap the dates, in every state, with explanations")
  )
  .add(
    HttpApiEndpoint.get("forecast", "/forecast")
      .setUrlParams(allErrors(Schema.Struct({
        from: Schema.optionalWith(LocalDate.LocalDate, { exact: true }),
        days: Schema.optionalWith(
          Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 62, { message: () => "days: 1 to 62" })),
          { exact: true }
        ),
        placeId: Schema.optionalWith(Ids.PlaceId, { exact: true })
      })))
      .addSuccess(ForecastView)
      .annotate(OpenApi.Summary, "Expected tasks and households per liaison per day")
  )
  .middleware(Validation)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Rules")

// -----------------------------------------------------------------------------
// Coverage
// -----------------------------------------------------------------------------

/**
 * A metric the deployment offers.
 *
 * @since 0.1.0
 * @category views
 */
export class MetricView extends Schema.Class<MetricView>("MetricView")({
  id: Schema.String,
  title: LabelView,
  description: LabelView,
  scoring: Schema.Literal("proportion", "cohort", "continuous-variable"),
  subject: Schema.String,
  per: Schema.Literal("period", "day"),
  dateField: Schema.String,
  unit: Schema.NullOr(Schema.String),
  improvement: Schema.Literal("increase", "decrease"),
  parameters: Schema.Unknown
}) {}

const Counts = Schema.Struct({
  population: Schema.Number,
  excluded: Schema.Number,
  denominator: Schema.Number,
  numerator: Schema.Number,
  missing: Schema.Number,
  observed: Schema.Number,
  sum: Schema.Number
}).annotations({ identifier: "Counts" })

const Score = Schema.NullOr(Schema.Number)

/**
 * A coverage report: figures per metric and place of the roll-up, with the members of the
 * scope (who is counted, missing or excluded, and why).
 *
 * @since 0.1.0
 * @category views
 */
export const CoverageReport = Schema.Struct({
  scope: Schema.String,
  period: Schema.Struct({ from: Schema.String, to: Schema.String }),
  asOf: Schema.String,
  end: Schema.String,
  zone: Schema.String,
  places: Schema.Array(Schema.Struct({
    placeId: Schema.String,
    name: Schema.String,
    level: Schema.String,
    parentId: Schema.NullOr(Schema.String),
    depth: Schema.Int
  })),
  metrics: Schema.Array(Schema.Struct({
    id: Schema.String,
    title: LabelView,
    description: LabelView,
    scoring: Schema.String,
    subject: Schema.String,
    dateField: Schema.String,
    per: Schema.String,
    aggregate: Schema.NullOr(Schema.String),
    unit: Schema.NullOr(Schema.String),
    improvement: Schema.String,
    parameters: Schema.Unknown,
    figures: Schema.Array(Schema.Struct({
      placeId: Schema.String,
      counts: Counts,
      score: Score,
      stats: Schema.NullOr(Schema.Record({ key: Schema.String, value: Score })),
      strata: Schema.Array(Schema.Struct({ stratum: Schema.String, counts: Counts, score: Score })),
      series: Schema.Array(Schema.Struct({ date: Schema.String, counts: Counts, score: Score }))
    })),
    members: Schema.Array(Schema.Struct({
      status: Schema.String,
      subject: Schema.Struct({
        kind: Schema.String,
        id: Schema.String,
        name: Schema.String,
        householdId: Schema.optionalWith(Schema.String, { exact: true }),
        address: Schema.optionalWith(Schema.String, { exact: true }),
        placeId: Schema.String
      }),
      date: Schema.optionalWith(Schema.String, { exact: true }),
      stratum: Schema.optionalWith(Schema.String, { exact: true }),
      value: Schema.optionalWith(Schema.Number, { exact: true }),
      reason: Schema.optionalWith(
        Schema.Struct({
          code: Schema.String,
          label: Schema.String,
          detail: Schema.optionalWith(
            Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number) }),
            {
              exact: true
            }
          )
        }),
        { exact: true }
      )
    }))
  }))
}).annotations({ identifier: "CoverageReport" })

/**
 * Query parameters of a coverage report: which metrics (default all), the scope (default
 * your own), the inclusive period, the as-of date (default the period's end, or today if
 * earlier), how many levels of roll-up, which members to list, and the label language.
 *
 * @since 0.1.0
 * @category requests
 */
export const CoverageParams = Schema.Struct({
  metric: Schema.optionalWith(Schema.Array(Schema.String.pipe(Schema.maxLength(64))), { exact: true }),
  scope: Schema.optionalWith(Ids.PlaceId, { exact: true }),
  from: LocalDate.LocalDate,
  to: LocalDate.LocalDate,
  asOf: Schema.optionalWith(LocalDate.LocalDate, { exact: true }),
  depth: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 10)), { exact: true }),
  members: Schema.optionalWith(Schema.Literal("all", "gaps", "none"), { exact: true }),
  locale: Schema.optionalWith(Schema.Literal("zh-Hans", "zh-Hant", "en"), { exact: true })
})

/**
 * Coverage: any metric, scope and period; roll-ups along the place tree; CSV downloads.
 *
 * @since 0.1.0
 * @category groups
 */
export const CoverageGroup = HttpApiGroup.make("coverage")
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .addSuccess(Schema.Struct({ items: Schema.Array(MetricView) }).annotations({ identifier: "MetricList" }))
      .annotate(OpenApi.Summary, "The metrics this deployment offers")
  )
  .add(
    HttpApiEndpoint.get("report", "/coverage")
      .setUrlParams(allErrors(CoverageParams))
      .addSuccess(CoverageReport)
      .annotate(OpenApi.Summary, "Coverage figures for a scope and period, rolled up, with who is missing and why")
  )
  .add(
    HttpApiEndpoint.get("csv", "/coverage.csv")
      .setUrlParams(allErrors(Schema.Struct({
        ...CoverageParams.fields,
        table: Schema.optionalWith(Schema.Literal("figures", "series", "members"), { exact: true })
      })))
      .addSuccess(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/csv" })))
      .annotate(OpenApi.Summary, "The same as CSV: figures (default), daily series, or members missing and excluded")
  )
  .middleware(Validation)
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Coverage")

// -----------------------------------------------------------------------------
// System
// -----------------------------------------------------------------------------

/**
 * Unauthenticated endpoints.
 *
 * @since 0.1.0
 * @category groups
 */
export const SystemGroup = HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("health", "/health")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ok") }).annotations({ identifier: "Health" }))
      .annotate(OpenApi.Summary, "Liveness check (no token needed)")
  )
  .annotate(OpenApi.Title, "System")

// -----------------------------------------------------------------------------
// The API
// -----------------------------------------------------------------------------

// `HttpApi.make` declares `HttpApiDecodeError`; the server answers every decoding failure
// with `Invalid` instead, so the document says so.
const documentInvalidOnly = (spec: Record<string, any>): Record<string, any> => {
  const decodeRef = "#/components/schemas/HttpApiDecodeError"
  for (const item of Object.values<Record<string, any>>(spec.paths ?? {})) {
    for (const operation of Object.values<Record<string, any>>(item)) {
      const response = operation?.responses?.["400"]
      const media = response?.content?.["application/json"]
      if (media?.schema?.anyOf === undefined) continue
      const rest = (media.schema.anyOf as Array<{ $ref?: string }>).filter((s) => s.$ref !== decodeRef)
      media.schema = rest.length === 1 ? rest[0] : { anyOf: rest }
      response.description = "The request is invalid; `problems` lists every invalid field with its path."
    }
  }
  const schemas = spec.components?.schemas
  if (schemas !== undefined) {
    delete schemas.HttpApiDecodeError
    if (!JSON.stringify(spec).includes("#/components/schemas/Issue\"")) {
      delete schemas.Issue
      delete schemas.PropertyKey
    }
  }
  return spec
}

/**
 * The whole API.
 *
 * @since 0.1.0
 * @category api
 */
export class Api extends HttpApi.make("minqing")
  .add(SystemGroup)
  .add(AccountsGroup)
  .add(PlacesGroup)
  .add(LiaisonsGroup)
  .add(HouseholdsGroup)
  .add(ResidentsGroup)
  .add(VisitsGroup)
  .add(ArrivalsGroup)
  .add(MattersGroup)
  .add(CampaignsGroup)
  .add(SyncGroup)
  .add(AuditGroup)
  .add(RulesGroup)
  .add(CoverageGroup)
  .addError(Invalid)
  .addError(Unauthorized)
  .addError(Forbidden)
  .addError(NotFound)
  .addError(Conflict)
  .addError(PayloadTooLarge)
  .addError(ServerError)
  .annotate(OpenApi.Transform, documentInvalidOnly)
  .annotate(OpenApi.Title, "Minqing API")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "Grid-based community liaison work: places, liaisons, households, residents, visits, arrival reports, matters, campaigns, offline sync and the audit trail. Authenticate with `Authorization: Bearer <token>`. Personal data is masked unless your role may see it."
  )
{}
