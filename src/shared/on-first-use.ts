/**
 * `build()`'s value, built on the first call and the same value ever after. For module-level arktype types that one
 * request kind uses: parsing and compiling a type costs milliseconds, and a module evaluated at start would otherwise
 * pay for all of them before the appliance listens.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
