import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrustedPublicKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { KeyProviderConfigError } from '../src/errors.js';
import { loadOfflineKeys, type OfflineKey } from '../src/offline-keys.js';
import { spkiSha256 } from '../src/spki-thumbprint.js';
import { newKeyRef } from './parts-support.js';

// Offline keys read on their own (offline-keys.ts): each form (PEM, DER, JWK, JWKS; given or in a
// file) bound to its kid, pins that leave a key out, the allowlist narrowing each key, and a
// refusal naming the entry and what to write for every mistake.

const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const OTHER = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const pem = (key: KeyObject): string => key.export({ format: 'pem', type: 'spki' }).toString();
const der = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'spki' });
/** Whether `found` is the public key `expected` (by SPKI thumbprint). */
const sameKey = (found: TrustedPublicKey | undefined, expected: KeyObject): boolean => found !== undefined && spkiSha256(found) === spkiSha256(expected);
const jwk = (key: KeyObject, extra: Record<string, string> = {}): JsonWebKey => ({ ...key.export({ format: 'jwk' }), ...extra });
const folder = mkdtempSync(join(tmpdir(), 'offline-keys-rules-'));

function file(name: string, content: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

function refusal(entries: unknown, allowlist?: Parameters<typeof loadOfflineKeys>[1]): KeyProviderConfigError {
  try {
    loadOfflineKeys(entries as OfflineKey[], allowlist);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    // Named once: a refusal of the provider's own is not wrapped again.
    expect((error as Error).message.match(/kms-pubkey-provider: /g)).toEqual(['kms-pubkey-provider: ']);
    return error as KeyProviderConfigError;
  }
  throw new Error('expected a KeyProviderConfigError');
}

describe('loadOfflineKeys: forms', () => {
  it('binds a PEM, DER bytes, a JWK and files of each to their kid, and finds a key ARN kid by its key id too', () => {
    const refs = Array.from({ length: 6 }, () => newKeyRef());
    const keys = loadOfflineKeys(
      [
        { kid: refs[0]?.arn, key: `\n  ${pem(EC)}` },
        { kid: refs[1]?.arn, key: new Uint8Array(der(EC)) },
        { kid: refs[2]?.arn, key: jwk(EC) },
        { kid: refs[3]?.arn, file: file('key.pem', `  ${pem(RSA)}`) },
        { kid: refs[4]?.arn, file: file('key.der', der(RSA)) },
        { kid: refs[5]?.arn, file: file('key.jwk', `\n${JSON.stringify(jwk(EC))}`) },
      ] as OfflineKey[],
      undefined,
    );
    for (const [index, ref] of refs.entries()) {
      const key = keys.get(ref.arn);
      expect(key?.id, ref.arn).toBe(ref.arn);
      expect(keys.get(ref.keyId)).toBe(key);
      expect(sameKey(key?.publicKey, index < 3 || index === 5 ? EC : RSA)).toBe(true);
    }
    expect(keys.size).toBe(12);
  });

  it('reads a JWKS (object, text or file) by the kids it names, narrowing each key to its alg', () => {
    const [a, b] = [newKeyRef(), newKeyRef()];
    const jwks = { keys: [jwk(EC, { kid: a.arn, alg: 'ES256' }), jwk(RSA, { kid: b.arn, alg: 'PS256' })] };
    for (const key of [jwks, JSON.stringify(jwks)]) {
      const keys = loadOfflineKeys([{ key }], undefined);
      expect(keys.get(b.arn)?.algorithms).toEqual(['PS256']);
      expect(keys.get(a.keyId)?.id).toBe(a.arn);
    }
    // The entry's algorithms apply to every key of the JWKS, over each key's alg.
    const rsaOnly = { keys: [jwks.keys[1]] };
    expect(loadOfflineKeys([{ file: file('keys.json', JSON.stringify(rsaOnly)), algorithms: ['RS256'] }], undefined).get(b.arn)?.algorithms).toEqual(['RS256']);
  });

  it("narrows a JWK to its alg unless the entry gives algorithms, and takes the JWK's kid when the entry has none", () => {
    const { arn } = newKeyRef();
    expect(loadOfflineKeys([{ key: jwk(RSA, { kid: arn, alg: 'PS384' }) }], undefined).get(arn)?.algorithms).toEqual(['PS384']);
    expect(loadOfflineKeys([{ key: jwk(RSA, { kid: 'other', alg: 'PS384' }), kid: arn, algorithms: ['RS256', 'PS512'] }], undefined).get(arn)?.algorithms).toEqual(['RS256', 'PS512']);
    expect(loadOfflineKeys([{ key: jwk(RSA), kid: arn }], undefined).get(arn)?.algorithms).toHaveLength(6);
  });

  it('keys a kid that is no key ARN by itself only, and never overwrites a kid with a key id', () => {
    const { arn, keyId } = newKeyRef();
    const keys = loadOfflineKeys([{ kid: keyId, key: pem(OTHER) }, { kid: arn, key: pem(EC) }, { kid: 'issuer-key', key: pem(EC) }], undefined);
    expect(sameKey(keys.get(keyId)?.publicKey, OTHER)).toBe(true);
    expect(sameKey(keys.get(arn)?.publicKey, EC)).toBe(true);
    expect([...keys.keys()].sort()).toEqual([arn, keyId, 'issuer-key'].sort());
  });

  it('trusts an unpinned key whatever its kid, a one-letter kid too', () => {
    expect(sameKey(loadOfflineKeys([{ kid: 'S', key: pem(EC) }], undefined).get('S')?.publicKey, EC)).toBe(true);
  });
});

describe('loadOfflineKeys: pins and the allowlist', () => {
  it('leaves out a key that fails its pin and tells whose; keeps one that matches', () => {
    const [a, b] = [newKeyRef(), newKeyRef()];
    const mismatched: string[] = [];
    const keys = loadOfflineKeys(
      [
        { kid: a.arn, key: pem(EC), spkiSha256: spkiSha256(OTHER) },
        { key: { keys: [jwk(EC, { kid: b.arn })] }, spkiSha256: { [b.arn]: spkiSha256(EC) } },
      ],
      undefined,
      (kid) => mismatched.push(kid),
    );
    expect(mismatched).toEqual([a.arn]);
    expect(keys.has(a.arn)).toBe(false);
    expect(keys.has(a.keyId)).toBe(false);
    expect(sameKey(keys.get(b.arn)?.publicKey, EC)).toBe(true);
    expect(loadOfflineKeys([{ kid: a.arn, key: pem(EC), spkiSha256: spkiSha256(EC) }], undefined).has(a.arn)).toBe(true);
  });

  it('refuses pins out of form, a single pin for several keys, and a pin for a kid the entry does not hold', () => {
    const [a, b] = [newKeyRef(), newKeyRef()];
    const jwks = { keys: [jwk(EC, { kid: a.arn }), jwk(RSA, { kid: b.arn })] };
    const form = 'the base64url SHA-256 of the DER SubjectPublicKeyInfo (43 characters of A-Z a-z 0-9 - _)';
    expect(refusal([{ key: jwks, spkiSha256: spkiSha256(EC) }]).message).toContain('offlineKeys[0].spkiSha256: a JWKS holds several keys; give { [kid]: thumbprint }');
    expect(refusal([{ kid: a.arn, key: pem(EC), spkiSha256: 'abc' }]).message).toContain(`offlineKeys[0].spkiSha256 must be ${form}`);
    for (const pins of [5, null, [spkiSha256(EC)]]) {
      expect(refusal([{ kid: a.arn, key: pem(EC), spkiSha256: pins }]).message).toContain('offlineKeys[0].spkiSha256 must be a thumbprint, or for a JWKS { [kid]: thumbprint }');
    }
    expect(refusal([{ key: jwks, spkiSha256: { other: spkiSha256(EC) } }]).message).toContain('offlineKeys[0].spkiSha256 pins kid other, which the entry does not hold');
    expect(refusal([{ key: jwks, spkiSha256: { [a.arn]: 'abc' } }]).message).toContain(`offlineKeys[0].spkiSha256[${a.arn}] must be ${form}`);
  });

  it('narrows each key to the allowlist, and refuses a key left with none', () => {
    const { arn } = newKeyRef();
    const keys = loadOfflineKeys([{ kid: arn, key: pem(RSA) }], ['PS256', 'ES256']);
    expect(keys.get(arn)?.algorithms).toEqual(['PS256']);
    expect(Object.isFrozen(keys.get(arn)?.algorithms)).toBe(true);
    expect(keys.get(arn)?.id).toBe(arn);
    expect(refusal([{ kid: arn, key: pem(EC) }], ['RS256']).message).toContain(`offlineKeys: kid ${arn} verifies ES256, none of which the algorithms option allows`);
    expect(refusal([{ kid: arn, key: pem(RSA), algorithms: ['RS256', 'PS256'] }], ['ES256']).message).toContain(`offlineKeys: kid ${arn} verifies RS256, PS256, none of which the algorithms option allows`);
  });
});

describe('loadOfflineKeys: refusals say what to fix', () => {
  it('refuses entries that are not an array of objects', () => {
    expect(refusal({}).message).toContain('offlineKeys must be an array of { kid?, key | file, algorithms?, spkiSha256? }');
    expect(refusal([pem(EC)]).message).toContain('offlineKeys[0] must be an object');
    expect(refusal([null]).message).toContain('offlineKeys[0] must be an object');
  });

  it('needs exactly one of key or file, a path for file, and a readable file', () => {
    expect(refusal([{ kid: 'k' }]).message).toContain('offlineKeys[0] needs exactly one of key or file');
    expect(refusal([{ kid: 'k', key: pem(EC), file: 'key.pem' }]).message).toContain('offlineKeys[0] needs exactly one of key or file');
    for (const path of ['', 5]) expect(refusal([{ kid: 'k', file: path }]).message).toContain('offlineKeys[0].file must be a path');
    const missing = refusal([{ kid: 'k', file: join(folder, 'missing.pem') }]);
    expect(missing.message).toContain(`offlineKeys[0]: cannot read ${join(folder, 'missing.pem')}`);
    expect(missing.cause).toBeInstanceOf(Error);
  });

  it('refuses text that is neither PEM nor JSON, and JSON that does not parse, naming where it came from', () => {
    expect(refusal([{ kid: 'k', key: 'MFkwEwYHKoZIzj0CAQ' }]).message).toContain('offlineKeys[0].key is neither a PEM (SPKI) nor JSON (a JWK or a JWKS)');
    expect(refusal([{ kid: 'k', key: '{"kty": ' }]).message).toContain('offlineKeys[0].key is neither a PEM nor valid JSON (a JWK or a JWKS)');
    expect(refusal([{ kid: 'k', key: '{"kty": ' }]).cause).toBeInstanceOf(SyntaxError);
    expect(refusal([{ kid: 'k', key: ' null' }]).message).toContain('offlineKeys[0].key is neither a PEM (SPKI) nor JSON');
    const path = file('broken.json', '{"kty": ');
    expect(refusal([{ kid: 'k', file: path }]).message).toContain(`offlineKeys[0] (${path}) is neither a PEM nor valid JSON`);
    for (const key of [5, true, null]) expect(refusal([{ kid: 'k', key }]).message).toContain('offlineKeys[0].key must be a PEM or JSON string, DER bytes, a JWK or a JWKS');
  });

  it('needs a kid for a PEM, a DER and a JWK without one, and none for a JWKS', () => {
    for (const key of [pem(EC), new Uint8Array(der(EC)), jwk(EC)]) {
      for (const kid of [undefined, '']) expect(refusal([{ kid, key }]).message).toContain('offlineKeys[0] needs a kid: the key ARN tokens signed by this key carry');
    }
    expect(refusal([{ kid: 'k', key: { keys: [jwk(EC, { kid: 'a' })] } }]).message).toContain('offlineKeys[0]: a JWKS names its keys by their kid; leave kid out');
  });

  it("words the verifier's refusals as the provider's, naming the entry", () => {
    const { arn } = newKeyRef();
    const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const one = refusal([{ kid: arn, key: pem(EC) }, { kid: arn, key: privatePem }]);
    expect(one.message).toMatch(/^kms-pubkey-provider: offlineKeys\[1\]: the key for kid .* is a private key/);
    expect(one.cause).toBeInstanceOf(Error);
    const twice = refusal([{ kid: arn, key: pem(EC) }, { kid: arn, key: pem(OTHER) }]);
    expect(twice.message).toMatch(/^kms-pubkey-provider: offlineKeys: keys\[1\]: kid .* is listed twice$/);
    expect(twice.cause).toBeInstanceOf(Error);
  });
});
