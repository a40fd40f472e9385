import { MESSAGE_TYPE, type JwsAlgorithm } from 'kms-jwt-verifier';
import { checkHeaderParameters } from './claims.js';

/** Header parameters the message signer sets itself (or that no verifier accepts), with the reason. */
const RESERVED_MESSAGE_HEADER_PARAMETERS: Readonly<Record<string, string>> = {
  alg: 'alg is set from the key spec (and the algorithm option)',
  kid: 'kid is always the ARN of the key that signed',
  typ: `typ is always ${MESSAGE_TYPE}, the signed messages' own`,
  cty: 'cty is set from the content type',
  iat: 'iat is always the time of signing',
  exp: 'exp is set by expiresInSeconds',
  nbf: 'a message is valid from when it is signed',
  jti: 'jti is the message id: give it as messageId',
  crit: 'crit is set by the signer (it lists exp when there is one)',
  b64: 'the payload is always base64url-encoded (RFC 7515), so b64 cannot be set',
  jwk: 'verifiers take keys from their trusted key source only, never from the message',
  jku: 'verifiers take keys from their trusted key source only, never from the message',
  x5u: 'verifiers take keys from their trusted key source only, never from the message',
  x5c: 'verifiers take keys from their trusted key source only, never from the message',
  x5t: 'verifiers take keys from their trusted key source only, never from the message',
  'x5t#S256': 'verifiers take keys from their trusted key source only, never from the message',
};

/** Why a set of extra message header parameters is refused, or `undefined` when it is fine. */
export function checkMessageHeaderParameters(header: unknown): { parameter: string; message: string } | undefined {
  return checkHeaderParameters(header, RESERVED_MESSAGE_HEADER_PARAMETERS);
}

/**
 * Longest encoded header: kms-jwt-verifier's message verifier allows 8192 characters for the header,
 * the signature (683 for RSA_4096) and the dots, and refuses a longer detached JWS before parsing it.
 */
export const MAX_MESSAGE_HEADER_LENGTH = 7168;

/** The message's own header parameters, which do not depend on the key. */
export interface MessageHeaderFields {
  readonly cty: string;
  readonly iat: number;
  readonly jti: string;
  readonly exp: number | undefined;
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * The encoded protected header of a message: `alg`, `kid` (the key ARN), `typ`
 * (`kms-jwt-message+jws`), `cty`, `iat`, `jti`, then `exp` with `crit: ['exp']` when the message
 * expires, then the extra parameters.
 */
export function encodeMessageHeader(alg: JwsAlgorithm, kid: string, fields: MessageHeaderFields): string {
  const { cty, iat, jti, exp, extra } = fields;
  const header = exp === undefined ? { alg, kid, typ: MESSAGE_TYPE, cty, iat, jti, ...extra } : { alg, kid, typ: MESSAGE_TYPE, cty, iat, jti, exp, crit: ['exp'], ...extra };
  return Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
}
