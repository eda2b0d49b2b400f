/**
 * Handlers of the unauthenticated endpoints.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import { Api } from "./Api.js"

/**
 * The system handlers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.group(
  Api,
  "system",
  (handlers) => handlers.handle("health", () => Effect.succeed({ status: "ok" as const }))
)
