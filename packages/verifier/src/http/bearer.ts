/**
 * RFC 6750 §2.1 credentials: the `Bearer` scheme (any case), one or more spaces, and one token68
 * (`b64token`), nothing else. Node has already trimmed the header's surrounding whitespace.
 */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
/** The scheme and the one space before a token that {@link parseAuthorization}'s `known` may vouch for. */
const BEARER_SPACE = /^bearer /i;

/** What an `Authorization` header value holds. */
export type AuthorizationCredentials =
  | { readonly kind: 'bearer'; readonly token: string }
  /** Another scheme (Basic, DPoP, ...): not ours, so no Bearer credentials were sent. */
  | { readonly kind: 'other-scheme'; readonly scheme: string }
  /** The Bearer scheme without exactly one token68, or no scheme at all: a malformed request (400). */
  | { readonly kind: 'malformed'; readonly description: string };

/**
 * A look-up of tokens the verifier has verified: the verifier's own copy of `candidate` when it is one
 * (a well-formed token68, whose verification then finds that copy at once), else `undefined`.
 */
export type KnownTokens = (candidate: string) => string | undefined;

/**
 * The token of `Bearer <token>` (the scheme in any case, one space) when `known` vouches for it, else
 * `undefined`. The scheme as clients write it (`Bearer`, `bearer`) is told by two comparisons; only
 * another case takes the pattern.
 */
function knownToken(value: string, known: KnownTokens): string | undefined {
  if (value.length < 8 || value.charCodeAt(6) !== 0x20) return undefined;
  return value.startsWith('Bearer') || value.startsWith('bearer') || BEARER_SPACE.test(value) ? known(value.slice(7)) : undefined;
}

/**
 * Reads one `Authorization` header value (RFC 6750 §2.1). `known` (optional) vouches for tokens the
 * verifier has verified: one after `Bearer` and a single space is taken without scanning it again; any
 * other value is parsed in full, so the answer is the same either way.
 */
export function parseAuthorization(value: string, known?: KnownTokens): AuthorizationCredentials {
  const token = known === undefined ? undefined : knownToken(value, known);
  if (token !== undefined) return { kind: 'bearer', token };
  const bearer = BEARER.exec(value);
  if (bearer) return { kind: 'bearer', token: bearer[1] as string };
  const scheme = SCHEME.exec(value)?.[0];
  if (scheme === undefined) return { kind: 'malformed', description: 'the Authorization header has no authentication scheme' };
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'other-scheme', scheme };
  return { kind: 'malformed', description: 'the Authorization header must be "Bearer" followed by exactly one token (RFC 6750 token68 characters)' };
}

/** Where a request may carry an access token, as an adapter reads it from its framework. */
export interface BearerRequest {
  /** The header lines as Node received them (`req.rawHeaders`: name, value, name, value, ...), read first because nothing is built from them. */
  readonly rawHeaders?: readonly string[] | undefined;
  /** Each header's values, one per header line (Node's `req.headersDistinct`): two Authorization headers are refused. */
  readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>> | undefined;
  /** The headers, when `headersDistinct` is not available. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined;
  /** The request target (`req.url`): an `access_token` query parameter (RFC 6750 §2.3) is recognised. */
  readonly url?: string | undefined;
  /** The parsed body, when a body parser ran: an `access_token` member (RFC 6750 §2.2) is recognised. */
  readonly body?: unknown;
  /** A token read from a cookie (Koa's `cookie` option). */
  readonly cookie?: string | undefined;
}

/** The outcome of {@link extractBearerToken}. */
export type TokenExtraction =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'none' }
  /** A malformed header, or a token in more than one place or in an unsupported one: 400 invalid_request. */
  | { readonly kind: 'invalid'; readonly description: string };

/** The outcome of {@link findBearerToken} without a token. */
type NoToken = Exclude<TokenExtraction, { readonly kind: 'token' }>;

const NONE: NoToken = Object.freeze({ kind: 'none' });

/** Two Authorization headers: the request is refused (400). */
const MANY: NoToken = Object.freeze({ kind: 'invalid', description: 'the request has more than one Authorization header' });

/** Whether a raw header name is `Authorization` in any case; the two spellings clients send are told without a lower-cased copy. */
function isAuthorizationName(name: string): boolean {
  return name.length === 13 && (name === 'Authorization' || name === 'authorization' || name.toLowerCase() === 'authorization');
}

/** The one Authorization header line of Node's raw header list (names in any case), `undefined` without one, or {@link MANY}. */
function rawAuthorizationValue(raw: readonly string[]): string | undefined | typeof MANY {
  let value: string | undefined;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    if (!isAuthorizationName(raw[index] as string)) continue;
    if (value !== undefined) return MANY;
    value = raw[index + 1] as string;
  }
  return value;
}

/** The request's one Authorization header value, `undefined` without one, or {@link MANY}. */
function authorizationValue(request: BearerRequest): string | undefined | typeof MANY {
  if (request.rawHeaders !== undefined) return rawAuthorizationValue(request.rawHeaders);
  const values = request.headersDistinct?.['authorization'] ?? request.headers?.['authorization'];
  if (values === undefined || typeof values === 'string') return values;
  return values.length > 1 ? MANY : values[0];
}

function inQuery(url: string | undefined): boolean {
  const start = url === undefined ? -1 : url.indexOf('?');
  return start >= 0 && new URLSearchParams((url as string).slice(start + 1)).has('access_token');
}

function inBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !ArrayBuffer.isView(body) && Object.hasOwn(body, 'access_token');
}

/**
 * Finds the access token of a request: the `Authorization: Bearer` header (RFC 6750 §2.1), or the
 * cookie when the adapter read one. A token in more than one place, two Authorization headers, a
 * malformed Bearer header, or a token only in the query or body (methods this layer does not accept:
 * they end up in logs and caches) make the request invalid (400). A header with another scheme is
 * not Bearer credentials. `known` is passed on to {@link parseAuthorization}.
 */
export function extractBearerToken(request: BearerRequest, known?: KnownTokens): TokenExtraction {
  const found = findBearerToken(request, known);
  return typeof found === 'string' ? { kind: 'token', token: found } : found;
}

/** {@link extractBearerToken}, with a found token as the string itself (no object per request). Not public API. */
export function findBearerToken(request: BearerRequest, known?: KnownTokens): string | NoToken {
  const value = authorizationValue(request);
  if (typeof value === 'object') return value;
  let header = value === undefined || known === undefined ? undefined : knownToken(value, known);
  if (value !== undefined && header === undefined) {
    const credentials = parseAuthorization(value);
    if (credentials.kind === 'malformed') return { kind: 'invalid', description: credentials.description };
    if (credentials.kind === 'bearer') header = credentials.token;
  }
  const cookie = request.cookie === '' ? undefined : request.cookie;
  const query = inQuery(request.url);
  const body = inBody(request.body);
  if (!query && !body && (header === undefined || cookie === undefined)) return header ?? cookie ?? NONE;
  const places = [
    ...(header === undefined ? [] : ['the Authorization header']),
    ...(cookie === undefined ? [] : ['the cookie']),
    ...(query ? ['the access_token query parameter'] : []),
    ...(body ? ['the access_token body parameter'] : []),
  ];
  if (places.length > 1) return { kind: 'invalid', description: `the access token was sent in more than one place (${places.join(', ')}); send it once` };
  return { kind: 'invalid', description: `send the access token in the Authorization header (Bearer), not in ${places[0]}` };
}
