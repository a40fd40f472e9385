/** Response headers, as `fetch`'s `Headers` reads them. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** How long a JWKS answer may be used before it is fetched again: the bounds on what the server says. */
export interface FreshnessBounds {
  /** Shortest: a smaller `max-age`, `no-cache` or `no-store` counts as this. */
  readonly minMs: number;
  /** Longest: a larger `max-age` counts as this. */
  readonly maxMs: number;
}

const DELTA_SECONDS = /^\d+$/;

/**
 * How long (ms) an answer is fresh by its headers: `Cache-Control: max-age` less the `Age` a shared
 * cache added, within `bounds` (`no-cache` and `no-store` count as the minimum); `undefined` when the
 * headers say nothing about it (no usable `max-age`), so the caller picks its default.
 */
export function freshnessMs(headers: HeaderReader, bounds: FreshnessBounds): number | undefined {
  const cacheControl = headers.get('cache-control');
  if (cacheControl === null) return undefined;
  let maxAgeSeconds: number | undefined;
  for (const directive of cacheControl.split(',')) {
    const [rawName = '', ...rest] = directive.split('=');
    const name = rawName.trim().toLowerCase();
    if (name === 'no-cache' || name === 'no-store') return bounds.minMs;
    if (name !== 'max-age' || maxAgeSeconds !== undefined) continue;
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    // RFC 9111 §1.2.2: delta-seconds; an invalid max-age is ignored here (the default applies).
    if (DELTA_SECONDS.test(value)) maxAgeSeconds = Number(value);
  }
  if (maxAgeSeconds === undefined) return undefined;
  const age = headers.get('age')?.trim();
  const ageSeconds = age !== undefined && DELTA_SECONDS.test(age) ? Number(age) : 0;
  return clamp(Math.max(0, maxAgeSeconds - ageSeconds) * 1000, bounds);
}

/** `ms` within `bounds`. */
export function clamp(ms: number, bounds: FreshnessBounds): number {
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, ms));
}
