import type { JsonWebKeySet } from '../static-keys.js';
import { fnv1a64 } from './fnv1a.js';
import { AdapterConfigError } from './errors.js';

/** Where the public keys come from: kms-pubkey-provider's provider, or anything with `exportJwks()`. */
export interface JwksSource {
  exportJwks(): JsonWebKeySet;
}

/** Options of a JWKS route. */
export interface JwksOptions {
  /** How long clients and caches may keep the JWKS (`Cache-Control: public, max-age=...`), in seconds. Default: `300`. */
  readonly cacheMaxAgeSeconds?: number;
}

/** The answer of a JWKS route: 200 with the JSON body, or 304 when the client's `If-None-Match` still matches. */
export interface JwksResponse {
  readonly status: 200 | 304;
  readonly headers: Readonly<Record<'Content-Type' | 'Cache-Control' | 'ETag', string>>;
  /** The JSON text; `undefined` on 304. */
  readonly body: string | undefined;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current representation. */
function matches(ifNoneMatch: string | readonly string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const values = typeof ifNoneMatch === 'string' ? [ifNoneMatch] : ifNoneMatch;
  return values.some((value) =>
    value.split(',').some((tag) => {
      const trimmed = tag.trim();
      return trimmed === '*' || (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === etag;
    }),
  );
}

/**
 * Returns a function that answers a JWKS request from `source.exportJwks()` (read on every request,
 * so rotated keys show at once) with `Cache-Control` and a strong `ETag`: the body's length and its
 * 64-bit FNV-1a hash, computed synchronously without node:crypto (so the route runs on Workers too)
 * and only when the body changes.
 */
export function createJwksResponder(source: JwksSource, options: JwksOptions, packageName: string): (ifNoneMatch: string | readonly string[] | undefined) => JwksResponse {
  if (typeof (source as { exportJwks?: unknown } | null)?.exportJwks !== 'function') {
    throw new AdapterConfigError(packageName, 'jwksHandler needs a key provider with exportJwks() (kms-pubkey-provider)');
  }
  const maxAge = options.cacheMaxAgeSeconds ?? 300;
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new AdapterConfigError(packageName, 'cacheMaxAgeSeconds must be an integer >= 0');
  const cacheControl = `public, max-age=${maxAge}`;
  let last: { readonly body: string; readonly etag: string } | undefined;
  return (ifNoneMatch) => {
    const body = JSON.stringify(source.exportJwks());
    if (last === undefined || body !== last.body) last = { body, etag: `"${fnv1a64(body)}"` };
    const headers = { 'Content-Type': 'application/json', 'Cache-Control': cacheControl, ETag: last.etag };
    return matches(ifNoneMatch, last.etag) ? { status: 304, headers, body: undefined } : { status: 200, headers, body };
  };
}
