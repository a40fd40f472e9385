/**
 * Where an adapter keeps what it learned about one request (or context) for the route hooks further
 * down: a property under a symbol of its own, out of JSON and `for...in`. A WeakMap entry would cost
 * every request an ephemeron-table insertion and the garbage collector more work. Not for a holder
 * whose prototype is set per request with `Object.setPrototypeOf` (Express's `req`): V8 builds such an
 * object a new hidden class for every property added to it, which costs more than the WeakMap entry.
 */
export interface RequestSlot<Holder extends object, State> {
  /** The symbol the state lives under (Fastify declares it with `decorateRequest(key, null)`). */
  readonly key: symbol;
  /** The holder's state, `undefined` when none was set (or it was set to `null`). */
  readonly get: (holder: Holder) => State | undefined;
  /** Sets the holder's state. */
  readonly set: (holder: Holder, state: State) => void;
}

/** A {@link RequestSlot} under a new symbol described as `description` (e.g. `'kms-jwt-express.state'`). */
export function requestSlot<Holder extends object, State>(description: string): RequestSlot<Holder, State> {
  const key = Symbol(description);
  type Slotted = { [key]?: State | null };
  return {
    key,
    get: (holder) => (holder as Slotted)[key] ?? undefined,
    set: (holder, state) => {
      (holder as Slotted)[key] = state;
    },
  };
}
