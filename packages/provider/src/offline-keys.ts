import type { JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createStaticKeyResolver, keysFromJwks, type JsonWebKeySet, type JwsAlgorithm, type KeyResolver, type StaticKey, type TrustedKey } from 'kms-jwt-verifier';
import { KeyProviderConfigError } from './errors.js';
import { keyIdOfKid } from './key-refs.js';
import { isSpkiSha256, spkiSha256 } from './spki-thumbprint.js';

/**
 * A public key given offline, for verifiers that cannot (or should not) reach KMS: a PEM (SPKI),
 * DER (SPKI), JWK or JWKS — as a file, a string or an object — bound to the key ARN tokens carry.
 */
export interface OfflineKey {
  /**
   * The `kid` tokens signed by this key carry: the KMS key ARN. Required for a PEM, a DER and a
   * JWK without `kid`; a JWKS names its keys itself (and `kid` must then be left out).
   */
  readonly kid?: string;
  /** The key: SPKI PEM text, JWK or JWKS JSON text, SPKI DER bytes, a public JWK object or a JWKS object. Give `key` or `file`. */
  readonly key?: string | Uint8Array | JsonWebKey | JsonWebKeySet;
  /** Path of a file holding a PEM, a DER, a JWK or a JWKS (recognised by content). Give `key` or `file`. */
  readonly file?: string;
  /** Algorithms to allow for this key. Default: all its type verifies (narrowed by a JWK's `alg` and the provider's `algorithms`). */
  readonly algorithms?: readonly JwsAlgorithm[];
  /**
   * The pinned public key (see `spkiSha256()`): a thumbprint for a PEM, DER or JWK; for a JWKS, thumbprints
   * by kid. A key that does not match is not trusted (`onKeyMismatch`; `ready()` rejects with
   * `KeyPinMismatchError`). Default: none (not pinned).
   */
  readonly spkiSha256?: string | Readonly<Record<string, string>>;
}

type Parsed =
  | { readonly kind: 'pem'; readonly pem: string }
  | { readonly kind: 'der'; readonly der: Buffer }
  | { readonly kind: 'jwk'; readonly jwk: JsonWebKey }
  | { readonly kind: 'jwks'; readonly jwks: JsonWebKeySet };

function fromObject(value: object): Parsed {
  return Array.isArray((value as { keys?: unknown }).keys) ? { kind: 'jwks', jwks: value as JsonWebKeySet } : { kind: 'jwk', jwk: value as JsonWebKey };
}

/** Recognises text: PEM, or JSON (a JWK or a JWKS). */
function fromText(text: string, where: string): Parsed {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return { kind: 'pem', pem: trimmed };
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new KeyProviderConfigError(`${where} is neither a PEM nor valid JSON (a JWK or a JWKS)`, { cause: error });
    }
    if (typeof value === 'object' && value !== null) return fromObject(value);
  }
  throw new KeyProviderConfigError(`${where} is neither a PEM (SPKI) nor JSON (a JWK or a JWKS)`);
}

function read(entry: OfflineKey, where: string): Parsed {
  if ((entry.key === undefined) === (entry.file === undefined)) throw new KeyProviderConfigError(`${where} needs exactly one of key or file`);
  if (entry.file !== undefined) {
    if (typeof entry.file !== 'string' || entry.file.length === 0) throw new KeyProviderConfigError(`${where}.file must be a path`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(entry.file);
    } catch (error) {
      throw new KeyProviderConfigError(`${where}: cannot read ${entry.file}`, { cause: error });
    }
    const head = bytes.subarray(0, 64).toString('latin1').trimStart();
    return head.startsWith('-----BEGIN') || head.startsWith('{') ? fromText(bytes.toString('utf8'), `${where} (${entry.file})`) : { kind: 'der', der: bytes };
  }
  const key = entry.key;
  if (typeof key === 'string') return fromText(key, `${where}.key`);
  if (key instanceof Uint8Array) return { kind: 'der', der: Buffer.from(key) };
  if (typeof key === 'object' && key !== null) return fromObject(key);
  throw new KeyProviderConfigError(`${where}.key must be a PEM or JSON string, DER bytes, a JWK or a JWKS`);
}

function requireKid(kid: unknown, where: string): string {
  if (typeof kid !== 'string' || kid.length === 0) throw new KeyProviderConfigError(`${where} needs a kid: the key ARN tokens signed by this key carry`);
  return kid;
}

function toStaticKeys(entry: OfflineKey, where: string): StaticKey[] {
  const parsed = read(entry, where);
  const algorithms = entry.algorithms === undefined ? {} : { algorithms: entry.algorithms };
  switch (parsed.kind) {
    case 'der':
      // As PEM, so that the verifier parses it as it parses every other key: with node:crypto, or
      // without it in its Web Crypto build (workerd), refusing what the runtime cannot verify.
      return [{ kid: requireKid(entry.kid, where), key: `-----BEGIN PUBLIC KEY-----\n${parsed.der.toString('base64')}\n-----END PUBLIC KEY-----\n`, ...algorithms }];
    case 'pem':
      return [{ kid: requireKid(entry.kid, where), key: parsed.pem, ...algorithms }];
    case 'jwks':
      if (entry.kid !== undefined) throw new KeyProviderConfigError(`${where}: a JWKS names its keys by their kid; leave kid out`);
      return keysFromJwks(parsed.jwks).map((key) => ({ ...key, ...algorithms }));
    case 'jwk': {
      const { jwk } = parsed;
      const kid = requireKid(entry.kid ?? jwk.kid, where);
      // A JWK's alg narrows it to that algorithm, as in a JWKS.
      if (typeof jwk.alg === 'string' && entry.algorithms === undefined) return [{ kid, key: jwk, algorithms: [jwk.alg as JwsAlgorithm] }];
      return [{ kid, key: jwk, ...algorithms }];
    }
  }
}

/** The pin of each kid of an entry, checked for form; every kid a JWKS's pins name must be in it. */
function pinsOf(entry: OfflineKey, keys: readonly StaticKey[], where: string): [string, string][] {
  const pins = entry.spkiSha256;
  if (pins === undefined) return [];
  const form = 'the base64url SHA-256 of the DER SubjectPublicKeyInfo (43 characters of A-Z a-z 0-9 - _)';
  if (typeof pins === 'string') {
    if (keys.length !== 1 || keys[0] === undefined) throw new KeyProviderConfigError(`${where}.spkiSha256: a JWKS holds several keys; give { [kid]: thumbprint }`);
    if (!isSpkiSha256(pins)) throw new KeyProviderConfigError(`${where}.spkiSha256 must be ${form}`);
    return [[keys[0].kid, pins]];
  }
  if (typeof pins !== 'object' || pins === null || Array.isArray(pins)) throw new KeyProviderConfigError(`${where}.spkiSha256 must be a thumbprint, or for a JWKS { [kid]: thumbprint }`);
  return Object.entries(pins).map(([kid, pin]) => {
    if (!keys.some((key) => key.kid === kid)) throw new KeyProviderConfigError(`${where}.spkiSha256 pins kid ${kid}, which the entry does not hold`);
    if (!isSpkiSha256(pin)) throw new KeyProviderConfigError(`${where}.spkiSha256[${kid}] must be ${form}`);
    return [kid, pin];
  });
}

/**
 * Parses offline keys once, with the verifier's own checks (public keys only, types KMS signs
 * with, algorithms the key can verify), narrowed by `allowlist`. Each key is found by its kid and,
 * when the kid is a key ARN, by the bare key id too. A key that does not match its pinned
 * `spkiSha256` is left out, and `onPinMismatch` is told its kid.
 */
export function loadOfflineKeys(
  entries: readonly OfflineKey[],
  allowlist: readonly JwsAlgorithm[] | undefined,
  onPinMismatch: (kid: string) => void = () => undefined,
): Map<string, TrustedKey> {
  if (!Array.isArray(entries)) throw new KeyProviderConfigError('offlineKeys must be an array of { kid?, key | file, algorithms?, spkiSha256? }');
  const statics: StaticKey[] = [];
  const pins = new Map<string, string>();
  entries.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null) throw new KeyProviderConfigError(`offlineKeys[${index}] must be an object`);
    try {
      const keys = toStaticKeys(entry, `offlineKeys[${index}]`);
      for (const [kid, pin] of pinsOf(entry, keys, `offlineKeys[${index}]`)) pins.set(kid, pin);
      // The verifier's checks, per entry so that a mistake names it.
      createStaticKeyResolver(keys);
      statics.push(...keys);
    } catch (error) {
      if (error instanceof KeyProviderConfigError) throw error;
      throw new KeyProviderConfigError(`offlineKeys[${index}]: ${(error as Error).message.replace(/^kms-jwt-verifier: /, '')}`, { cause: error });
    }
  });
  let resolver: KeyResolver;
  try {
    resolver = createStaticKeyResolver(statics);
  } catch (error) {
    throw new KeyProviderConfigError(`offlineKeys: ${(error as Error).message.replace(/^kms-jwt-verifier: /, '')}`, { cause: error });
  }
  const keys = new Map<string, TrustedKey>();
  for (const { kid } of statics) {
    const found = resolver.resolve(kid) as TrustedKey;
    const pin = pins.get(kid);
    if (pin !== undefined && spkiSha256(found.publicKey) !== pin) {
      onPinMismatch(kid);
      continue;
    }
    let key = found;
    if (allowlist !== undefined) {
      const algorithms = found.algorithms.filter((alg) => allowlist.includes(alg));
      if (algorithms.length === 0) throw new KeyProviderConfigError(`offlineKeys: kid ${kid} verifies ${found.algorithms.join(', ')}, none of which the algorithms option allows`);
      key = Object.freeze({ id: found.id, publicKey: found.publicKey, algorithms: Object.freeze(algorithms) });
    }
    keys.set(kid, key);
    const keyId = kid.startsWith('arn:') ? keyIdOfKid(kid) : undefined;
    if (keyId !== undefined && !keys.has(keyId)) keys.set(keyId, key);
  }
  return keys;
}
