/**
 * Request validation: before an endpoint decodes its inputs (path parameters, then body,
 * then query, stopping at the first part that fails), this middleware decodes all three
 * and refuses the request with one `Invalid` (400) listing every bad field in every part.
 *
 * This module holds the middleware tag the API spec names; the server's implementation is
 * `HttpValidation.layer`.
 *
 * @since 0.1.0
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import { Invalid } from "./ApiError.js"

/**
 * The validation middleware.
 *
 * @since 0.1.0
 * @category tags
 */
export class Validation extends HttpApiMiddleware.Tag<Validation>()("@minqing/adapter-http/Validation", {
  failure: Invalid
}) {}
