import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The console's own address, as the browser names it: `127.0.0.1:<port>` or `[::1]:<port>`. */
export interface ConsoleAddress {
  /** The Host header the page's requests carry. */
  readonly host: string;
  /** The Origin of the page, `http://<host>`. */
  readonly origin: string;
}

/** The header that carries the per-run session secret the page got in its HTML. */
export const SESSION_HEADER = 'x-kms-jwt-console-session';

/** Headers of every answer: nothing but the page's own files may load, nothing is cached or referred. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), clipboard-read=()',
};

/** Why a request is refused, or `undefined` when it may be answered. */
export function refusalOf(request: IncomingMessage, address: ConsoleAddress, session: string, api: boolean): { status: number; reason: string } | undefined {
  // DNS rebinding: a page of another site whose name now resolves to 127.0.0.1 sends its own Host.
  if (request.headers.host !== address.host) return { status: 421, reason: 'foreign Host' };
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== address.origin) return { status: 403, reason: 'foreign Origin' };
  const site = request.headers['sec-fetch-site'];
  if (api && site !== undefined && site !== 'same-origin') return { status: 403, reason: 'cross-site request' };
  if (api && !sameSecret(request.headers[SESSION_HEADER], session)) return { status: 403, reason: 'no session' };
  if (api && request.method === 'POST' && origin === undefined) return { status: 403, reason: 'no Origin' };
  return undefined;
}

/** Whether the header carries the session secret, compared in constant time (the secret is never told apart byte by byte). */
function sameSecret(header: string | string[] | undefined, session: string): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(session);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
