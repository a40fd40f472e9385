/**
 * The verified-token cache's store: at most `max` entries by token, least recently used first (a Map keeps insertion
 * order, so a hit moves its entry to the end and the first entry is the one to evict). `left` is called with every
 * entry that leaves it (evicted, replaced by another for its token, or deleted), before the call that removed it
 * returns. lru-cache did this and much more (TTLs, fetching, size accounting, diagnostics channels); its import alone
 * cost a cold start about 15 million instructions, more than this package's own code.
 */
export class TokenLru<V> {
  readonly #max: number;
  readonly #left: (value: V) => void;
  readonly #entries = new Map<string, V>();

  constructor(max: number, left: (value: V) => void) {
    this.#max = max;
    this.#left = left;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `token`, made the most recently used. */
  get(token: string): V | undefined {
    const value = this.#entries.get(token);
    if (value !== undefined) {
      this.#entries.delete(token);
      this.#entries.set(token, value);
    }
    return value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used one when full. */
  set(token: string, value: V): void {
    const previous = this.#entries.get(token);
    if (previous !== undefined) {
      this.#entries.delete(token);
      if (previous !== value) this.#left(previous);
    } else if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.entries().next().value;
      if (oldest !== undefined) {
        this.#entries.delete(oldest[0]);
        this.#left(oldest[1]);
      }
    }
    this.#entries.set(token, value);
  }

  delete(token: string): boolean {
    const value = this.#entries.get(token);
    if (value === undefined) return false;
    this.#entries.delete(token);
    this.#left(value);
    return true;
  }
}
