/** Freezes a parsed JSON value and everything in it, so that results handed out (and shared through the cache) cannot be altered. */
export function deepFreeze<T>(value: T): T {
  Object.freeze(value);
  for (const name in value) {
    const member = value[name];
    // null needs no test of its own: like every primitive, it counts as frozen.
    if (typeof member === 'object' && !Object.isFrozen(member)) deepFreeze(member);
  }
  return value;
}
