import { generateKeyPairSync } from 'node:crypto';
import type { WebCryptoPublicKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { KeyProviderConfigError, SnapshotRejectedError } from '../src/errors.js';
import { trustedEntry, untrustedEntry } from '../src/key-entry.js';
import { parseKeyRef, type KeyRef } from '../src/key-refs.js';
import { capGrace, checkSnapshotAge, SnapshotScopes, SNAPSHOT_CLOCK_SKEW_MS } from '../src/snapshot-guard.js';
import { isSpkiSha256, spkiSha256 } from '../src/spki-thumbprint.js';
import { ACCOUNT_ARN, newKeyRef, sourcedKey } from './parts-support.js';

/**
 * The rules that keep a snapshot from widening trust (snapshot-guard.ts), and the cache entries a
 * source's answer makes (key-entry.ts), tested on their own: what an edited snapshot must never
 * get past, and which answers may keep the `TrustedKey` the verifier already holds.
 */

const NOW = 1_800_000_000_000;

function refs(...entries: string[]): KeyRef[] {
  return entries.map((entry) => parseKeyRef(entry) as KeyRef);
}

function rejection(run: () => unknown): SnapshotRejectedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotRejectedError);
    return error as SnapshotRejectedError;
  }
  throw new Error('expected a SnapshotRejectedError');
}

describe('checkSnapshotAge', () => {
  it('accepts a snapshot up to snapshotMaxAgeMs old and up to the clock skew in the future, and names the age in days, hours, minutes or seconds past them', () => {
    expect(checkSnapshotAge(NOW - 1_000, NOW, 1_000)).toBe(NOW - 1_000);
    expect(checkSnapshotAge(NOW + SNAPSHOT_CLOCK_SKEW_MS, NOW, 1_000)).toBe(NOW + SNAPSHOT_CLOCK_SKEW_MS);
    const cases: ReadonlyArray<readonly [number, string]> = [
      [3 * 86_400_000 + 5, '3 days'],
      [172_800_000, '2 days'],
      [172_799_999, '47 hours'],
      [7_200_000, '2 hours'],
      [7_199_999, '119 minutes'],
      [120_000, '2 minutes'],
      [119_999, '119 seconds'],
    ];
    for (const [age, words] of cases) {
      const error = rejection(() => checkSnapshotAge(NOW - age, NOW, 1_000));
      expect(error.reason).toBe('too-old');
      expect(error.message).toContain(`it was taken ${words} ago`);
    }
    const future = rejection(() => checkSnapshotAge(NOW + SNAPSHOT_CLOCK_SKEW_MS + 1, NOW, 1_000));
    expect(future.reason).toBe('created-in-future');
    expect(future.message).toContain('is 5 minutes in the future, more than the 5 minutes of clock skew allowed');
  });

  it('refuses a createdAtMs that is not a positive safe integer', () => {
    for (const value of [0, -1, 1.5, Number.NaN, '1800000000000', null, 2 ** 53]) {
      expect(rejection(() => checkSnapshotAge(value, NOW, 1_000)).reason).toBe('invalid-created-at');
    }
  });

  it('caps a grace window at the provider grace after the snapshot was taken, and after now', () => {
    expect(capGrace(NOW + 10, NOW - 100, NOW, 1_000)).toBe(NOW + 10);
    expect(capGrace(NOW + 5_000, NOW - 100, NOW, 1_000)).toBe(NOW + 900);
    expect(capGrace(NOW + 5_000, NOW + 200, NOW, 1_000)).toBe(NOW + 1_000);
  });
});

describe('SnapshotScopes', () => {
  const key = newKeyRef();

  it('allows a key ARN only where a configured key ARN or alias ARN lies', () => {
    const scopes = new SnapshotScopes(refs(key.arn, 'arn:aws:kms:eu-west-1:444455556666:alias/other', newKeyRef().keyId, 'alias/by-name'));
    expect(scopes.allows(newKeyRef().arn)).toBe(true);
    expect(scopes.allows(`arn:aws:kms:eu-west-1:444455556666:key/${key.keyId}`)).toBe(true);
    expect(scopes.allows(`arn:aws:kms:eu-west-1:111122223333:key/${key.keyId}`)).toBe(false);
    expect(scopes.allows(`arn:aws:kms:us-east-1:999999999999:key/${key.keyId}`)).toBe(false);
    expect(scopes.allows(`arn:aws-cn:kms:us-east-1:111122223333:key/${key.keyId}`)).toBe(false);
    expect(scopes.allows('not-an-arn')).toBe(false);
    expect(new SnapshotScopes(refs(newKeyRef().keyId, 'alias/by-name')).allows(key.arn)).toBe(false);
  });

  it("refuses an alias entry with a target outside the alias ARN's own scope, or outside its other targets, naming where", () => {
    const scopes = new SnapshotScopes(refs(key.arn));
    const stranger = `arn:aws:kms:us-east-1:999999999999:key/${newKeyRef().keyId}`;
    const own = rejection(() => scopes.judgeAlias({ alias: `${ACCOUNT_ARN}:alias/signing`, keyArn: stranger, retired: [] }, 2));
    expect(own.reason).toBe('alias-out-of-scope');
    expect(own.message).toContain(`aliases[2] (${ACCOUNT_ARN}:alias/signing) names ${stranger}, outside the alias's own aws account 111122223333 in us-east-1`);
    const others = rejection(() => scopes.judgeAlias({ alias: 'alias/signing', keyArn: key.arn, retired: [{ keyArn: stranger, graceUntilMs: NOW }] }, 0));
    expect(others.message).toContain(`names ${stranger}, outside the alias's other targets (aws account 111122223333 in us-east-1)`);
    expect(rejection(() => scopes.judgeAlias({ alias: 'alias/signing', keyArn: key.arn, retired: [{ keyArn: 'garbage', graceUntilMs: NOW }] }, 0)).reason).toBe('alias-out-of-scope');
  });

  it('uses an alias-by-name entry only where a configured ARN lies, or when no ARN is configured; skips it elsewhere', () => {
    const stranger = `arn:aws:kms:us-east-1:999999999999:key/${newKeyRef().keyId}`;
    const configured = new SnapshotScopes(refs(key.arn, 'alias/signing'));
    expect(configured.judgeAlias({ alias: 'alias/signing', keyArn: newKeyRef().arn, retired: [] }, 0)).toBe('use');
    expect(configured.judgeAlias({ alias: 'alias/signing', keyArn: stranger, retired: [] }, 0)).toBe('skip');
    expect(configured.judgeAlias({ alias: 'alias/signing', keyArn: null, retired: [{ keyArn: stranger, graceUntilMs: NOW }] }, 0)).toBe('skip');
    expect(configured.judgeAlias({ alias: 'alias/signing', keyArn: null, retired: [] }, 0)).toBe('use');
    expect(configured.judgeAlias({ alias: `arn:aws:kms:us-east-1:999999999999:alias/theirs`, keyArn: stranger, retired: [] }, 0)).toBe('use');
    expect(new SnapshotScopes(refs('alias/signing')).judgeAlias({ alias: 'alias/signing', keyArn: stranger, retired: [] }, 0)).toBe('use');
    const two = new SnapshotScopes(refs('arn:aws:kms:eu-west-1:444455556666:alias/other', key.arn, 'alias/signing'));
    expect(two.judgeAlias({ alias: 'alias/signing', keyArn: newKeyRef().arn, retired: [] }, 0)).toBe('use');
  });
});

describe('cache entries', () => {
  it("keeps the cached TrustedKey only for the same public key with the same algorithms, in the same order", () => {
    const first = sourcedKey(newKeyRef().arn);
    const entry = trustedEntry({ ...first, algorithms: ['RS256', 'PS256'] }, undefined, NOW);
    expect(trustedEntry({ ...first, algorithms: ['RS256', 'PS256'] }, entry, NOW + 1).key).toBe(entry.key);
    for (const algorithms of [['RS256'], ['RS256', 'PS256', 'RS384'], ['RS256', 'RS384'], ['PS256', 'RS256'], ['RS384', 'PS384']] as const) {
      const next = trustedEntry({ ...first, algorithms }, entry, NOW + 1);
      expect(next.key).not.toBe(entry.key);
      expect(next.key.algorithms).toEqual(algorithms);
    }
    const other = sourcedKey(first.keyArn);
    expect(trustedEntry({ ...other, algorithms: ['RS256', 'PS256'] }, entry, NOW + 1).key.publicKey).toBe(other.publicKey);
  });

  it('keeps the error of a refusal that came with one, and says why in the message', () => {
    const arn = newKeyRef().arn;
    const said = untrustedEntry(arn, 'disabled', 'KeyState Disabled', NOW);
    expect(said).toEqual({ kind: 'untrusted', keyArn: arn, reason: 'disabled', message: 'the key is disabled (KeyState Disabled)', error: undefined, fetchedAt: NOW });
    const cause = Object.assign(new Error('Key is pending deletion'), { name: 'KMSInvalidStateException' });
    const failed = untrustedEntry(arn, 'invalid-state', cause, NOW);
    expect(failed.error).toBe(cause);
    expect(failed.message).toBe('the key is pending deletion (or otherwise not usable) (KMSInvalidStateException: Key is pending deletion)');
    expect(untrustedEntry(arn, 'unusable', 'no JWS algorithm', NOW).message).toBe('the key cannot verify tokens (no JWS algorithm)');
    const bare = Object.assign(new Error('TimeoutError'), { name: 'TimeoutError' });
    expect(untrustedEntry(arn, 'not-found', bare, NOW).message).toBe('KMS does not know this key (TimeoutError)');
  });
});

describe('spkiSha256', () => {
  it('refuses what is not a public key, with the reason as its cause', () => {
    let caught: unknown;
    try {
      spkiSha256(Buffer.from('not a key'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyProviderConfigError);
    expect((caught as Error).message).toContain('spkiSha256() takes a public KeyObject or the DER SubjectPublicKeyInfo bytes');
    expect((caught as Error).cause).toBeInstanceOf(Error);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => spkiSha256(privateKey)).toThrow(/takes a public key, not a private or secret one/);
  });
  it('takes as a thumbprint only a string of 43 base64url characters', () => {
    const thumbprint = spkiSha256(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    expect(isSpkiSha256(thumbprint)).toBe(true);
    expect(isSpkiSha256([thumbprint])).toBe(false);
    expect(isSpkiSha256(`${thumbprint}=`)).toBe(false);
    expect(isSpkiSha256(`${thumbprint}A`)).toBe(false);
    expect(isSpkiSha256(`A${thumbprint}`)).toBe(false);
    expect(isSpkiSha256(thumbprint.slice(1))).toBe(false);
  });

  it('hashes a Web Crypto build key (a public JWK behind export) as the same SPKI as its KeyObject', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const webKey: WebCryptoPublicKey = {
      type: 'public',
      asymmetricKeyType: 'ec',
      asymmetricKeyDetails: { namedCurve: 'prime256v1' },
      export: (options) => publicKey.export(options),
    };
    expect(spkiSha256(webKey)).toBe(spkiSha256(publicKey));
    expect(spkiSha256(webKey)).toBe(spkiSha256(publicKey.export({ type: 'spki', format: 'der' })));
  });
});
