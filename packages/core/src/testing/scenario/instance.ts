/**
 * Fast construction of Schema class instances from props known to be valid.
 *
 * A Schema class instance is an object with the class's prototype and its fields as own
 * properties (`Data.Class`); `new C(props, true)` builds that after copying the props,
 * deleting and re-adding `_tag` and merging defaults, which costs more than the object
 * itself when a scenario makes hundreds of thousands of visits and observations. This
 * builds the same object directly: the scenario tests check that it deep-equals what the
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
