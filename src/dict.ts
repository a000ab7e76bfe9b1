/**
 * An empty record without a prototype, for maps keyed by client input: a key such as
 * `__proto__` or `constructor` is then an ordinary entry, not a path into Object.prototype.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
