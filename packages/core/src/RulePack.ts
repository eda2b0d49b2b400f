/**
 * Rule packs: an ordered set of rules with their parameters, what a deployment runs.
 *
 * Packs compose: add or replace rules, remove them, merge another pack, and override any
 * rule's parameters from plain JSON (validated; a wrong value names the rule and the
 * parameter). The built-in pack is `BuiltInRules.pack`.
 *
 * @example
 * ```ts
 * import { BuiltInRules, RulePack } from "@minqing/core"
 * import { Either } from "effect"
 *
 * const configured = RulePack.configure(BuiltInRules.pack, {
 *   "household-sweep": { params: { cadence: { _tag: "weekdays", days: [1] }, window: { before: 0, after: 6 } } },
 *   "decoction-distribution": false
 * })
 * if (Either.isLeft(configured)) console.error(configured.left.message)
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import { pipeArguments } from "effect/Pipeable"
import * as Rule from "./Rule.js"

/**
 * A pack: a name and its rules, in evaluation order, ids unique.
 *
 * @since 0.1.0
 * @category models
 */
export interface RulePack extends Pipeable {
  readonly name: string
  readonly rules: ReadonlyArray<Rule.Any>
}

const Proto = {
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
}

const build = (name: string, rules: ReadonlyArray<Rule.Any>): RulePack => {
  const pack = Object.create(Proto)
  pack.name = name
  pack.rules = rules
  return pack
}

/**
 * A pack of rules; a later rule with the same id replaces an earlier one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (name: string, rules: Iterable<Rule.Any>): RulePack => {
  const out: Array<Rule.Any> = []
  for (const rule of rules) {
    const at = out.findIndex((r) => r.id === rule.id)
    if (at >= 0) out[at] = rule
    else out.push(rule)
  }
  return build(name, out)
}

/**
 * A pack with no rules.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: RulePack = build("empty", [])

/**
 * The rule with an id, if the pack has it.
 *
 * @since 0.1.0
 * @category getters
 */
export const get: {
  (id: string): (self: RulePack) => Rule.Any | undefined
  (self: RulePack, id: string): Rule.Any | undefined
} = dual(2, (self: RulePack, id: string): Rule.Any | undefined => self.rules.find((r) => r.id === id))

/**
 * The ids of the pack's rules, in order.
 *
 * @since 0.1.0
 * @category getters
 */
export const ids = (self: RulePack): ReadonlyArray<string> => self.rules.map((r) => r.id)

/**
 * Whether a value is a rule pack.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRulePack = (u: unknown): u is RulePack =>
  typeof u === "object" && u !== null && Object.getPrototypeOf(u) === Proto

/**
 * Adds rules; a rule whose id is already in the pack replaces it in place.
 *
 * @since 0.1.0
 * @category combinators
 */
export const add: {
  (...rules: ReadonlyArray<Rule.Any>): (self: RulePack) => RulePack
  (self: RulePack, ...rules: ReadonlyArray<Rule.Any>): RulePack
} = function(...args: ReadonlyArray<any>): any {
  if (isRulePack(args[0])) return make(args[0].name, [...args[0].rules, ...args.slice(1)])
  return (self: RulePack) => make(self.name, [...self.rules, ...args])
}

/**
 * Removes (disables) rules by id; unknown ids are ignored.
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove: {
  (...ids: ReadonlyArray<string>): (self: RulePack) => RulePack
  (self: RulePack, ...ids: ReadonlyArray<string>): RulePack
} = function(...args: ReadonlyArray<any>): any {
  const go = (self: RulePack, ids: ReadonlyArray<string>) =>
    build(self.name, self.rules.filter((r) => !ids.includes(r.id)))
  if (isRulePack(args[0])) return go(args[0], args.slice(1))
  return (self: RulePack) => go(self, args)
}

/**
 * Replaces a rule by id with a new definition (for instance `Rule.modify` of the old one),
 * keeping its place in the order. Fails with `UnknownRule` if the pack does not have it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const replace: {
  (rule: Rule.Any): (self: RulePack) => Either.Either<RulePack, Rule.UnknownRule>
  (self: RulePack, rule: Rule.Any): Either.Either<RulePack, Rule.UnknownRule>
} = dual(
  2,
  (self: RulePack, rule: Rule.Any): Either.Either<RulePack, Rule.UnknownRule> =>
    self.rules.some((r) => r.id === rule.id)
      ? Either.right(make(self.name, [...self.rules, rule]))
      : Either.left(new Rule.UnknownRule({ rule: rule.id, known: ids(self) }))
)

/**
 * Maps one rule by id (unchanged if absent).
 *
 * @since 0.1.0
 * @category combinators
 */
export const modify: {
  (id: string, f: (rule: Rule.Any) => Rule.Any): (self: RulePack) => RulePack
  (self: RulePack, id: string, f: (rule: Rule.Any) => Rule.Any): RulePack
} = dual(
  3,
  (self: RulePack, id: string, f: (rule: Rule.Any) => Rule.Any): RulePack =>
    build(self.name, self.rules.map((r) => (r.id === id ? f(r) : r)))
)

/**
 * Both packs' rules: `that`'s replace `self`'s with the same id; the name is `self`'s.
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge: {
  (that: RulePack): (self: RulePack) => RulePack
  (self: RulePack, that: RulePack): RulePack
} = dual(2, (self: RulePack, that: RulePack): RulePack => make(self.name, [...self.rules, ...that.rules]))

/**
 * Renames a pack.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rename: {
  (name: string): (self: RulePack) => RulePack
  (self: RulePack, name: string): RulePack
} = dual(2, (self: RulePack, name: string): RulePack => build(name, self.rules))

/**
 * Sets one rule's parameters from JSON, merged over its current ones.
 *
 * @since 0.1.0
 * @category configuration
 */
export const withParams: {
  (id: string, params: unknown): (self: RulePack) => Either.Either<RulePack, Rule.InvalidParams | Rule.UnknownRule>
  (self: RulePack, id: string, params: unknown): Either.Either<RulePack, Rule.InvalidParams | Rule.UnknownRule>
} = dual(
  3,
  (self: RulePack, id: string, params: unknown): Either.Either<RulePack, Rule.InvalidParams | Rule.UnknownRule> => {
    const rule = get(self, id)
    if (rule === undefined) return Either.left(new Rule.UnknownRule({ rule: id, known: ids(self) }))
    return Either.map(
      Rule.decodeParams(rule, params),
      (decoded) => modify(self, id, (r) => Rule.withParams(r, decoded))
    )
  }
)

/**
 * Applies a configuration written as plain JSON: an object from rule id to `false` (remove
 * the rule), or `{ "enabled"?: boolean, "params"?: { … } }`. Parameters are merged over the
 * rule's current ones and validated. Fails with the first problem: `UnknownRule`, or
 * `InvalidParams` naming the rule and the parameter.
 *
 * @example
 * ```ts
 * import { BuiltInRules, RulePack } from "@minqing/core"
 *
 * RulePack.configure(BuiltInRules.pack, { "vaccination-followup": { params: { everyDays: "three" } } })
 * // Left(InvalidRuleParams: Rule "vaccination-followup", parameter "everyDays": Expected number, actual "three")
 * ```
 *
 * @since 0.1.0
 * @category configuration
 */
export const configure: {
  (config: unknown): (self: RulePack) => Either.Either<RulePack, Rule.InvalidParams | Rule.UnknownRule>
  (self: RulePack, config: unknown): Either.Either<RulePack, Rule.InvalidParams | Rule.UnknownRule>
} = dual(2, (self: RulePack, config: unknown): Either.Either<RulePack, Rule.InvalidParams | Rule.UnknownRule> => {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return Either.left(
      new Rule.InvalidParams({
        rule: "*",
        parameter: "",
        reason: "a pack configuration is a JSON object of rule id → false or { enabled, params }"
      })
    )
  }
  let pack = self
  for (const [id, entry] of Object.entries(config)) {
    if (get(self, id) === undefined) return Either.left(new Rule.UnknownRule({ rule: id, known: ids(self) }))
    if (entry === false) {
      pack = remove(pack, id)
      continue
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      return Either.left(
        new Rule.InvalidParams({ rule: id, parameter: "", reason: "expected false or { enabled, params }" })
      )
    }
    const { enabled, params, ...rest } = entry as Record<string, unknown>
    const extra = Object.keys(rest)
    if (extra.length > 0) {
      return Either.left(
        new Rule.InvalidParams({
          rule: id,
          parameter: extra[0],
          reason: `unknown setting "${extra[0]}"; a rule takes "enabled" and "params"`
        })
      )
    }
    if (enabled !== undefined && typeof enabled !== "boolean") {
      return Either.left(new Rule.InvalidParams({ rule: id, parameter: "enabled", reason: "expected true or false" }))
    }
    if (params !== undefined) {
      const next = withParams(pack, id, params)
      if (Either.isLeft(next)) return next
      pack = next.right
    }
    if (enabled === false) pack = remove(pack, id)
  }
  return Either.right(pack)
})
