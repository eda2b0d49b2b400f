/**
 * The errors of the HTTP API. Each has a stable `_tag`, an HTTP status and a `message` a
 * client developer can act on; the ones about fields list every `problem` with the `path` of
 * the field (and, in a batch, the `index` of the item).
 *
 * | tag | status | when |
 * | --- | --- | --- |
 * | `Invalid` | 400 | the request does not match the schema, or the store found invalid fields or missing references |
 * | `Unauthorized` | 401 | no bearer token, or an unknown, expired or revoked one |
 * | `Forbidden` | 403 | the role may not do this, or the record is outside the caller's scope (named in `scope`) |
 * | `NotFound` | 404 | no such record within the caller's scope, or no such endpoint |
 * | `Conflict` | 409 | a visit id replayed with different content, or a national ID already registered |
 * | `PayloadTooLarge` | 413 | the body is larger than the server accepts |
 * | `ServerError` | 500 | the storage failed; nothing the client sent causes it |
 *
 * This module is safe to import in a client: it has no server code.
 *
 * @since 0.1.0
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Problem } from "@minqing/core"
import * as Schema from "effect/Schema"

/**
 * The request did not match the endpoint's schema, or the store refused invalid data. Every
 * problem names the `path` of its field; `index` is the item's position in a batch.
 *
 * @since 0.1.0
 * @category errors
 */
export class Invalid extends Schema.TaggedError<Invalid>()(
  "Invalid",
  {
    message: Schema.String,
    problems: Schema.Array(Problem.Problem)
  },
  HttpApiSchema.annotations({
    status: 400,
    description: "The request is invalid; `problems` lists every invalid field with its path."
  })
) {}

/**
 * No valid bearer token: missing, malformed, unknown, expired or revoked.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({
    status: 401,
    description: "Send `Authorization: Bearer <token>` with a token issued by an administrator."
  })
) {}

/**
 * The caller's role may not do this, or the record lies outside the places the caller
 * reaches. `role` and `scope` say what the caller has.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  {
    message: Schema.String,
    role: Schema.String,
    scope: Schema.Array(Schema.String),
    problems: Schema.Array(Problem.Problem)
  },
  HttpApiSchema.annotations({
    status: 403,
    description: "Not allowed for this role, or outside the caller's scope (named in `scope`)."
  })
) {}

/**
 * No record of this kind with this id within the caller's scope (records outside it are
 * reported the same way, so their existence does not leak), or no such endpoint.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  {
    message: Schema.String,
    kind: Schema.String,
    id: Schema.String
  },
  HttpApiSchema.annotations({ status: 404, description: "No such record within the caller's scope." })
) {}

/**
 * The write conflicts with what is stored: a visit id reused for a different visit, or a
 * national ID that already belongs to a resident (`existing` names them).
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  {
    message: Schema.String,
    problems: Schema.Array(Problem.Problem)
  },
  HttpApiSchema.annotations({
    status: 409,
    description: "Conflicts with stored data: a replayed visit id with different content, or a duplicate national ID."
  })
) {}

/**
 * The body is larger than the server accepts.
 *
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  {
    message: Schema.String,
    limitBytes: Schema.Int
  },
  HttpApiSchema.annotations({ status: 413, description: "The body exceeds `limitBytes`; send smaller batches." })
) {}

/**
 * The server's storage failed. Not caused by the request; retrying later may help.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()(
  "ServerError",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 500, description: "The server's storage failed; retry later." })
) {}

/**
 * Any error of the API.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError = Invalid | Unauthorized | Forbidden | NotFound | Conflict | PayloadTooLarge | ServerError
