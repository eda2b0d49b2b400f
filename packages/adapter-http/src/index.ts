/**
 * @since 0.1.0
 */

/**
 * What the rules and coverage endpoints run: pack, metrics, overrides.
 *
 * @since 0.1.0
 */
export * as Analytics from "./Analytics.js"

/**
 * The HTTP API spec: endpoints, request and response schemas (client-safe; also exported
 * as `@minqing/adapter-http/Api`).
 *
 * @since 0.1.0
 */
export * as Api from "./Api.js"

/**
 * The API's errors: stable tags, HTTP statuses, actionable messages.
 *
 * @since 0.1.0
 */
export * as ApiError from "./ApiError.js"

/**
 * The bearer-token middleware tag and the session it provides.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"

/**
 * The record of "break the glass" reads (a port, with an in-memory layer).
 *
 * @since 0.1.0
 */
export * as BreakGlass from "./BreakGlass.js"

/**
 * A typed client over the same spec.
 *
 * @since 0.1.0
 */
export * as Client from "./Client.js"

/**
 * Handlers of the accounts endpoints.
 *
 * @since 0.1.0
 */
export * as HttpAccounts from "./HttpAccounts.js"

/**
 * Handlers of the audit and "break the glass" endpoints.
 *
 * @since 0.1.0
 */
export * as HttpAudit from "./HttpAudit.js"

/**
 * The server side of authentication.
 *
 * @since 0.1.0
 */
export * as HttpAuth from "./HttpAuth.js"

/**
 * Handlers of the coverage endpoints.
 *
 * @since 0.1.0
 */
export * as HttpCoverage from "./HttpCoverage.js"

/**
 * Handlers of the fact endpoints.
 *
 * @since 0.1.0
 */
export * as HttpFacts from "./HttpFacts.js"

/**
 * Handlers of the rules endpoints.
 *
 * @since 0.1.0
 */
export * as HttpRules from "./HttpRules.js"

/**
 * Handlers of offline sync.
 *
 * @since 0.1.0
 */
export * as HttpSync from "./HttpSync.js"

/**
 * Handlers of the unauthenticated endpoints.
 *
 * @since 0.1.0
 */
export * as HttpSystem from "./HttpSystem.js"

/**
 * The server side of request validation.
 *
 * @since 0.1.0
 */
export * as HttpValidation from "./HttpValidation.js"

/**
 * Masking of personal data.
 *
 * @since 0.1.0
 */
export * as Masking from "./Masking.js"

/**
 * The server layer.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"

/**
 * Bearer tokens: issue, hash, authenticate.
 *
 * @since 0.1.0
 */
export * as Tokens from "./Tokens.js"

/**
 * The request-validation middleware tag.
 *
 * @since 0.1.0
 */
export * as Validation from "./Validation.js"
