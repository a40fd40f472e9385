import { isJwsAlgorithm, JWS_ALGORITHMS, type JwsAlgorithm } from './algorithms.js';
import { decodeBase64urlText } from './base64url.js';
import { deepFreeze } from './deep-freeze.js';
import { AlgNotAllowedError, JwsHeaderUnsupportedError, JwtMalformedError, KidMissingError, MessageTypeInvalidError, TokenIsMessageError } from './errors.js';
import { parseJsonObject } from './json.js';
import { isMessageType, MESSAGE_CRITICAL_PARAMETERS, MESSAGE_TYPE } from './message-type.js';

/** What a JWS is verified as: an access token (`createVerifier`) or a signed message (`createMessageVerifier`). */
export type JwsKind = 'token' | 'message';

/** A header that passed every check. */
export interface ParsedHeader {
  readonly header: Record<string, unknown>;
  readonly alg: JwsAlgorithm;
  readonly kid: string;
}

/** Header parameters that would bring a key from the JWS itself: never used, always rejected. */
const KEY_CARRYING_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];

/**
 * Decodes and checks a protected header: a JSON object (without duplicate members) whose `typ` is
 * right for `kind` (a signed message is never an access token, and an access token never a
 * message: RFC 8725 §3.11), whose `alg` a KMS key can produce, without key-carrying parameters or
 * `b64`, with a `kid`. An access token must not use `crit`; a message may list in it only the
 * parameters the message verifier understands (`exp`), each present. Throws this package's errors.
 */
export function checkHeader(segment: string, kind: JwsKind): ParsedHeader {
  const headerText = decodeBase64urlText(segment);
  const header = headerText === undefined ? undefined : parseJsonObject(headerText);
  if (!header) throw new JwtMalformedError('the header is not a base64url-encoded JSON object (without duplicate members)');

  const typ = header['typ'];
  if (kind === 'token') {
    if (isMessageType(typ)) {
      throw new TokenIsMessageError(`the JWS is a signed message (typ ${MESSAGE_TYPE}), not an access token: it is never accepted as one, whatever the typ option says; verify messages with createMessageVerifier`);
    }
  } else if (!isMessageType(typ)) {
    throw new MessageTypeInvalidError(
      `the JWS is not a signed message: its header typ must be ${MESSAGE_TYPE}, and ${typeof typ === 'string' ? 'it has another typ (an access token is never accepted as a message)' : 'it has none'}`,
    );
  }

  const alg = header['alg'];
  if (typeof alg !== 'string') throw new AlgNotAllowedError('the header has no alg');
  if (!isJwsAlgorithm(alg)) throw new AlgNotAllowedError(`the header alg is never accepted: only the asymmetric algorithms a KMS key produces are (${JWS_ALGORITHMS.join(', ')})`);
  for (const parameter of KEY_CARRYING_PARAMETERS) {
    if (parameter in header) throw new JwsHeaderUnsupportedError(`header parameter ${parameter} is refused: keys come from the trusted key source only, never from the ${kind}`);
  }
  if ('crit' in header) checkCrit(header, kind);
  if ('b64' in header) throw new JwsHeaderUnsupportedError('header b64 is refused: only base64url-encoded payloads (RFC 7515) are accepted');
  const kid = header['kid'];
  if (kid === undefined) throw new KidMissingError(`the header has no kid: the ${kind} must name the KMS key ARN that signed it`);
  if (typeof kid !== 'string' || kid.length === 0) throw new KidMissingError('the header kid must be a non-empty string (the KMS key ARN)');
  return { header: deepFreeze(header), alg, kid };
}

/** RFC 7515 §4.1.11: a non-empty list of distinct names, each understood here and present in the header. */
function checkCrit(header: Record<string, unknown>, kind: JwsKind): void {
  const crit = header['crit'];
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((name) => typeof name === 'string' && name.length > 0)) {
    throw new JwsHeaderUnsupportedError('header crit must be a non-empty array of parameter names');
  }
  if (kind === 'token') throw new JwsHeaderUnsupportedError('header crit names extensions this verifier does not understand; tokens must not use crit');
  const names = crit as string[];
  if (new Set(names).size !== names.length) throw new JwsHeaderUnsupportedError('header crit lists a parameter twice');
  for (const name of names) {
    if (!MESSAGE_CRITICAL_PARAMETERS.has(name)) {
      throw new JwsHeaderUnsupportedError(`header crit lists a parameter this verifier does not understand (it understands ${[...MESSAGE_CRITICAL_PARAMETERS].join(', ')}); the message is refused, as RFC 7515 requires`);
    }
    if (!(name in header)) throw new JwsHeaderUnsupportedError(`header crit lists ${name}, which the header does not carry`);
  }
}
