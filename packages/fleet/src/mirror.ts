import type { Revocation } from './revocation.js';

/**
 * The in-memory list: issuer → jti → until when (epoch ms) the entry is kept. Lookups allocate
 * nothing; an expired entry is dropped when looked up, and `sweep` drops the rest (no timer per entry).
 */
export class Mirror {
  readonly #byIssuer = new Map<string, Map<string, number>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Whether `(iss, jti)` is revoked at `now`. */
  has(iss: string, jti: string, now: number): boolean {
    const ids = this.#byIssuer.get(iss);
    const until = ids?.get(jti);
    if (ids === undefined || until === undefined) return false;
    if (until > now) return true;
    this.#remove(ids, iss, jti);
    return false;
  }

  /** Adds an entry kept until `untilMs` (the later one when it is there already); `false` when it was there already. */
  add(iss: string, jti: string, untilMs: number): boolean {
    let ids = this.#byIssuer.get(iss);
    if (ids === undefined) {
      ids = new Map();
      this.#byIssuer.set(iss, ids);
    }
    const known = ids.get(jti);
    ids.set(jti, Math.max(known ?? 0, untilMs));
    if (known === undefined) this.#size += 1;
    return known === undefined;
  }

  /** Drops every entry expired at `now`. */
  sweep(now: number): void {
    for (const [iss, ids] of this.#byIssuer) {
      for (const [jti, until] of ids) if (until <= now) this.#remove(ids, iss, jti);
    }
  }

  /** The unexpired entries, with `exp` in seconds (what `revoke` was given). */
  entries(now: number, toleranceMs: number): Revocation[] {
    const out: Revocation[] = [];
    for (const [iss, ids] of this.#byIssuer) {
      for (const [jti, until] of ids) if (until > now) out.push({ iss, jti, exp: Math.round((until - toleranceMs) / 1000) });
    }
    return out;
  }

  #remove(ids: Map<string, number>, iss: string, jti: string): void {
    ids.delete(jti);
    this.#size -= 1;
    if (ids.size === 0) this.#byIssuer.delete(iss);
  }
}
