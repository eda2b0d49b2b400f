/**
 * Fast construction of Schema class instances from props known to be valid.
 *
 * A Schema class instance is an object with the class's prototype and its fields as own
 * properties (`Data.Class`); `new C(props, true)` builds that after copying the props,
 * deleting and re-adding `_tag` and merging defaults, which costs more than the object
 * itself when a scenario makes hundreds of thousands of visits and observations. These
 * build the same object directly: the scenario tests check that it deep-equals what the
 * constructor makes and that every fact encodes and decodes with its schema.
 *
 * Only for classes whose fields have no defaults other than `_tag`.
 *
 * @internal
 */
export const instance = <C extends abstract new(props: any, options?: any) => any>(
  Class: C,
  props: ConstructorParameters<C>[0]
): InstanceType<C> => {
  const self = Object.assign(Object.create(Class.prototype), props)
  const tag = (Class as unknown as { readonly _tag?: string })._tag
  if (tag !== undefined) self._tag = tag
  return self
}

/**
 * Turns a plain `function` that assigns a class's fields to `this` into a constructor of that
 * class's instances: `new` on it makes an object with the class's prototype. The function
 * must assign the fields in the order the class's constructor would (the props' order, then
 * `_tag`), so the instances also encode and print the same.
 *
 * For the objects a scenario makes by the hundred thousand: no props object, no copy of it,
 * and, unlike {@link instance}, the fields live inside the object (V8 sizes what a function
 * constructs to the fields it assigns), so there is less for the garbage collector to move.
 *
 * @internal
 */
export const constructorOf = <C extends abstract new(props: any, options?: any) => any, Args extends Array<any>>(
  Class: C,
  init: (this: any, ...args: Args) => void
): new(...args: Args) => InstanceType<C> => {
  init.prototype = Class.prototype
  return init as any
}
