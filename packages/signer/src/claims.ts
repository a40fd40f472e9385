import type { JwsAlgorithm, JwtPayload } from 'kms-jwt-verifier';
import { ClaimsInvalidError } from './errors.js';
import type { Settings, SignOptions } from './options.js';
import { isAudience, isPlainObject, isPositiveInteger } from './validation.js';

/** The claims of a token: registered claims (RFC 7519 §4.1), type-checked, and any others. */
export type JwtClaims = JwtPayload;

/** Header parameters that the signer sets itself, with the reason. */
const RESERVED_HEADER_PARAMETERS: Readonly<Record<string, string>> = {
  alg: 'alg is set from the key spec (and the algorithm option)',
  kid: 'kid is always the ARN of the key that signed',
  typ: 'typ is set by the typ option',
  b64: 'the payload is always base64url-encoded (RFC 7515), so b64 cannot be set',
};

/** Why a set of extra header parameters is refused (one of `reserved`, by the reason given), or `undefined` when it is fine. */
export function checkHeaderParameters(header: unknown, reserved: Readonly<Record<string, string>> = RESERVED_HEADER_PARAMETERS): { parameter: string; message: string } | undefined {
  if (!isPlainObject(header)) return { parameter: 'header', message: 'extra header parameters must be a plain object' };
  for (const parameter of Object.keys(header)) {
    const reason = Object.hasOwn(reserved, parameter) ? reserved[parameter] : undefined;
    if (reason !== undefined) return { parameter: `header.${parameter}`, message: `${parameter} cannot be given: ${reason}` };
  }
  try {
    JSON.stringify(header);
  } catch {
    return { parameter: 'header', message: 'extra header parameters must be JSON-serializable' };
  }
  return undefined;
}

function invalid(message: string, claim: string): never {
  throw new ClaimsInvalidError(message, claim);
}

/** Type checks of the registered claims the caller may give (values never appear in messages). */
function checkRegisteredClaims(claims: Record<string, unknown>): void {
  for (const name of ['iss', 'sub', 'jti'] as const) {
    const value = claims[name];
    if (value !== undefined && typeof value !== 'string') invalid(`the ${name} claim must be a string`, name);
  }
  if (claims['aud'] !== undefined && !isAudience(claims['aud'])) invalid('the aud claim must be a non-empty string or a non-empty array of them', 'aud');
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    const value = claims[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) invalid(`the ${name} claim must be a NumericDate: a finite number of seconds since the epoch`, name);
  }
}

function checkSignOptions(options: SignOptions | undefined): SignOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) invalid('sign options must be a plain object', 'options');
  const { expiresInSeconds, notBeforeSeconds } = options;
  if (expiresInSeconds !== undefined && expiresInSeconds !== null && !isPositiveInteger(expiresInSeconds)) {
    invalid('expiresInSeconds must be a whole number of seconds >= 1, or null', 'expiresInSeconds');
  }
  if (notBeforeSeconds !== undefined && !Number.isSafeInteger(notBeforeSeconds)) invalid('notBeforeSeconds must be a whole number of seconds', 'notBeforeSeconds');
  if (options.header !== undefined) {
    const problem = checkHeaderParameters(options.header);
    if (problem) invalid(problem.message, problem.parameter);
  }
  return options;
}

/** The pieces of a token that do not depend on the key: the encoded payload and the extra header parameters. */
export interface PreparedClaims {
  readonly payloadSegment: string;
  readonly extraHeader: Readonly<Record<string, unknown>>;
  /** Whether `extraHeader` is the signer's own (so the encoded header can be reused). */
  readonly defaultHeader: boolean;
}

/**
 * Builds the payload: the caller's claims, `iat` (now, unless given), `exp` and `nbf` from the
 * options (relative to now), `iss`, `aud` and `jti` defaults. Throws a {@link ClaimsInvalidError}.
 */
export function prepareClaims(claims: JwtClaims, callOptions: SignOptions | undefined, settings: Settings): PreparedClaims {
  if (!isPlainObject(claims)) invalid('claims must be a plain object of JWT claims', 'claims');
  checkRegisteredClaims(claims);
  const options = checkSignOptions(callOptions);
  const nowMs = settings.nowMs();
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) invalid('nowMs() must return a finite number of epoch milliseconds', 'iat');
  const now = Math.floor(nowMs / 1000);

  const payload: Record<string, unknown> = { ...claims };
  if (payload['iat'] === undefined) payload['iat'] = now;

  if (options.expiresInSeconds !== undefined && payload['exp'] !== undefined) invalid('give exp either in the claims or as expiresInSeconds, not both', 'exp');
  if (payload['exp'] === undefined) {
    const lifetime = options.expiresInSeconds === undefined ? settings.expiresInSeconds : options.expiresInSeconds;
    if (lifetime !== null) payload['exp'] = now + lifetime;
  }
  if (options.notBeforeSeconds !== undefined && payload['nbf'] !== undefined) invalid('give nbf either in the claims or as notBeforeSeconds, not both', 'nbf');
  if (payload['nbf'] === undefined) {
    const notBefore = options.notBeforeSeconds ?? settings.notBeforeSeconds;
    if (notBefore !== undefined) payload['nbf'] = now + notBefore;
  }
  if (payload['iss'] === undefined && settings.issuer !== undefined) payload['iss'] = settings.issuer;
  if (payload['aud'] === undefined && settings.audience !== undefined) payload['aud'] = settings.audience;
  if (payload['jti'] === undefined && settings.jwtId !== false) {
    const jti = settings.jwtId();
    if (typeof jti !== 'string' || jti.length === 0) invalid('the jwtId function must return a non-empty string', 'jti');
    payload['jti'] = jti;
  }

  let json: string;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new ClaimsInvalidError('the claims must be JSON-serializable (no BigInt, no cycles)', 'claims', { cause: error });
  }
  // A toJSON member could turn the payload into something other than a JSON object.
  if (typeof json !== 'string' || !json.startsWith('{')) invalid('the claims must serialize to a JSON object', 'claims');
  const defaultHeader = options.header === undefined;
  return {
    payloadSegment: Buffer.from(json, 'utf8').toString('base64url'),
    extraHeader: defaultHeader ? settings.header : { ...settings.header, ...options.header },
    defaultHeader,
  };
}

/** The encoded protected header: `alg`, `kid` (the key ARN), `typ`, then the extra parameters. */
export function encodeHeader(alg: JwsAlgorithm, kid: string, typ: string | null, extra: Readonly<Record<string, unknown>>): string {
  const header = typ === null ? { alg, kid, ...extra } : { alg, kid, typ, ...extra };
  return Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
}
