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
 * Reads one `Authorization` header value (RFC 6750 §2.1). `known` (optional) vouches for tokens the
 * verifier has verified: one after `Bearer` and a single space is taken without scanning it again; any
 * other value is parsed in full, so the answer is the same either way.
 */
export function parseAuthorization(value: string, known?: KnownTokens): AuthorizationCredentials {
  const token = known !== undefined && BEARER_SPACE.test(value) ? known(value.slice(7)) : undefined;
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

const NONE: TokenExtraction = Object.freeze({ kind: 'none' });

const NO_VALUES: readonly string[] = Object.freeze([]);

/** The Authorization header lines of Node's raw header list (names in any case). */
function rawAuthorizationValues(raw: readonly string[]): readonly string[] {
  let values = NO_VALUES;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization') values = values === NO_VALUES ? [raw[index + 1] as string] : [...values, raw[index + 1] as string];
  }
  return values;
}

function authorizationValues(request: BearerRequest): readonly string[] {
  if (request.rawHeaders !== undefined) return rawAuthorizationValues(request.rawHeaders);
  const distinct = request.headersDistinct?.['authorization'];
  if (distinct !== undefined) return distinct;
  const value = request.headers?.['authorization'];
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
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
  const values = authorizationValues(request);
  if (values.length > 1) return { kind: 'invalid', description: 'the request has more than one Authorization header' };
  let header: string | undefined;
  if (values.length === 1) {
    const credentials = parseAuthorization(values[0] as string, known);
    if (credentials.kind === 'malformed') return { kind: 'invalid', description: credentials.description };
    if (credentials.kind === 'bearer') header = credentials.token;
  }
  const cookie = request.cookie === '' ? undefined : request.cookie;
  const query = inQuery(request.url);
  const body = inBody(request.body);
  if (!query && !body && (header === undefined || cookie === undefined)) {
    const token = header ?? cookie;
    return token === undefined ? NONE : { kind: 'token', token };
  }
  const places = [
    ...(header === undefined ? [] : ['the Authorization header']),
    ...(cookie === undefined ? [] : ['the cookie']),
    ...(query ? ['the access_token query parameter'] : []),
    ...(body ? ['the access_token body parameter'] : []),
  ];
  if (places.length > 1) return { kind: 'invalid', description: `the access token was sent in more than one place (${places.join(', ')}); send it once` };
  return { kind: 'invalid', description: `send the access token in the Authorization header (Bearer), not in ${places[0]}` };
}
