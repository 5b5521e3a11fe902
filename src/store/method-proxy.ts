/**
 * A view of `target` with some of its methods replaced: `overrides` answers for the names it has, and every other
 * method comes bound to the target. The store's client wrappers (the write lock, durable writes) sit on the path
 * of every statement, so each function here is built once — a Proxy that bound a method or built a closure on every
 * property access allocated several functions per statement.
 */
export function withMethods<T extends object>(target: T, overrides: Partial<Record<keyof T, unknown>>): T {
  const bound = new Map<PropertyKey, { method: (...args: unknown[]) => unknown; bound: unknown }>();
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      // Getters run on the target itself: libSQL's (e.g. a transaction's `closed`) read private fields, which a
      // Proxy as `this` does not have.
      const value: unknown = Reflect.get(t, prop);
      if (typeof value !== "function") return value;
      const known = bound.get(prop);
      // A method reassigned on the target since (none of ours does) is bound afresh.
      if (known?.method === value) return known.bound;
      const fresh = value.bind(t);
      bound.set(prop, { method: value as (...args: unknown[]) => unknown, bound: fresh });
      return fresh;
    },
  });
}
