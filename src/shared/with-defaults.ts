/** `options` without its keys set to `undefined`. With exactOptionalPropertyTypes a caller may
 * still pass an explicit `undefined` (e.g. from a config field that is absent); spread over
 * defaults, it would wipe the default out. */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The defaults with every option the caller did set on top: the one way options meet defaults. */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  return { ...defaults, ...definedOnly(options) } as D & O;
}
