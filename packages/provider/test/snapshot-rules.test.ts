import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotRejectedError } from '../src/errors.js';
import { parseSnapshot, readSnapshot, type KmsKeySnapshot } from '../src/snapshot.js';
import { newKeyRef } from './parts-support.js';

// A snapshot's form (snapshot.ts), checked whole before any of it applies: each thing an edited
// or corrupted snapshot may get wrong is refused with a message naming the entry, and a key is
// kept only for the algorithms its snapshot entry names that its spec and the allowlist allow.

const P256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const base64 = (key: KeyObject): string => key.export({ format: 'der', type: 'spki' }).toString('base64');

type Loose = Record<string, unknown>;

function snapshot(keys: unknown[] = [], aliases: unknown[] = []): Loose {
  return { version: 1, createdAtMs: 1_800_000_000_000, keys, aliases };
}

function p256Entry(change: Loose = {}): Loose {
  return { keyArn: newKeyRef().arn, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], publicKey: base64(P256), ...change };
}

function refused(value: unknown, allowlist?: Parameters<typeof parseSnapshot>[1]): SnapshotRejectedError {
  try {
    parseSnapshot(value, allowlist);
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotRejectedError);
    expect((error as SnapshotRejectedError).reason).toBe('malformed');
    return error as SnapshotRejectedError;
  }
  throw new Error('expected a SnapshotRejectedError');
}

describe('parseSnapshot: the envelope', () => {
  it('refuses anything but an object of version 1 with keys and aliases arrays', () => {
    for (const value of [null, 'snapshot', [], { ...snapshot(), version: 2 }, { ...snapshot(), version: '1' }]) {
      expect(refused(value).message).toBe('kms-pubkey-provider: snapshot: expected an object with version 1, as exportSnapshot() returns');
    }
    for (const value of [{ ...snapshot(), keys: {} }, { ...snapshot(), aliases: undefined }]) {
      expect(refused(value).message).toMatch(/snapshot: keys and aliases must be arrays$/);
    }
  });

  it('returns createdAtMs as found, the keys by key id and the aliases as given', () => {
    const entry = p256Entry();
    const alias = { alias: 'alias/issuer', keyArn: entry['keyArn'], retired: [{ keyArn: newKeyRef().arn, graceUntilMs: 5 }] };
    const parsed = parseSnapshot({ ...snapshot([entry], [alias]), createdAtMs: 'soon' }, undefined);
    expect(parsed.createdAtMs).toBe('soon');
    const keyId = (entry['keyArn'] as string).split('/')[1] as string;
    expect([...parsed.keys.keys()]).toEqual([keyId]);
    expect(parsed.keys.get(keyId)).toMatchObject({ keyArn: entry['keyArn'], keyId, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'] });
    expect(parsed.keys.get(keyId)?.publicKey.equals(P256)).toBe(true);
    expect(Object.isFrozen(parsed.keys.get(keyId)?.algorithms)).toBe(true);
    expect(parsed.aliases).toEqual([alias]);
  });
});

describe('parseSnapshot: keys', () => {
  it('refuses a key entry that is not an object, or whose keyArn is not a key ARN', () => {
    expect(refused(snapshot([p256Entry(), 'key'])).message).toMatch(/snapshot: keys\[1\] must be an object$/);
    expect(refused(snapshot([[]])).message).toMatch(/keys\[0\] must be an object$/);
    // [arn] spells a key ARN when made a string: only a string is read as one.
    for (const keyArn of [undefined, 7, newKeyRef().keyId, 'arn:aws:kms:us-east-1:111122223333:alias/issuer', [newKeyRef().arn]]) {
      expect(refused(snapshot([p256Entry({ keyArn })])).message).toMatch(/snapshot: keys\[0\]\.keyArn must be a KMS key ARN$/);
    }
  });

  it('refuses a key spec, algorithms or public key out of form, naming the entry by its ARN', () => {
    const { arn } = newKeyRef();
    expect(refused(snapshot([p256Entry({ keyArn: arn, keySpec: 'SYMMETRIC_DEFAULT' })])).message).toContain(`keys[0] (${arn}): keySpec must be a KMS signing key spec`);
    for (const algorithms of ['ES256', [], ['ES256', 'HS256']]) {
      expect(refused(snapshot([p256Entry({ keyArn: arn, algorithms })])).message).toContain(`keys[0] (${arn}): algorithms must be a non-empty array of JWS algorithms`);
    }
    expect(refused(snapshot([p256Entry({ keyArn: arn, publicKey: [1, 2] })])).message).toContain(`keys[0] (${arn}): publicKey must be a base64 DER SPKI`);
    const notDer = refused(snapshot([p256Entry({ keyArn: arn, publicKey: 'AAAA' })]));
    expect(notDer.message).toContain(`keys[0] (${arn}): publicKey is not a DER SPKI`);
    expect(notDer.cause).toBeInstanceOf(Error);
  });

  it('refuses a public key that is not of its key spec, with the reason', () => {
    const { arn } = newKeyRef();
    expect(refused(snapshot([p256Entry({ keyArn: arn, publicKey: base64(RSA) })])).message).toContain(`keys[0] (${arn}): no JWS algorithm is left for key spec ECC_NIST_P256`);
  });

  it('keeps only the algorithms the entry names, that its spec verifies and the allowlist allows', () => {
    const rsa = p256Entry({ keySpec: 'RSA_2048', publicKey: base64(RSA), algorithms: ['PS256', 'RS512'] });
    const keyId = (rsa['keyArn'] as string).split('/')[1] as string;
    expect(parseSnapshot(snapshot([rsa]), undefined).keys.get(keyId)?.algorithms).toEqual(['RS512', 'PS256']);
    expect(parseSnapshot(snapshot([rsa]), ['PS256', 'ES256']).keys.get(keyId)?.algorithms).toEqual(['PS256']);
    expect(refused(snapshot([rsa]), ['RS256']).message).toContain('none of its algorithms is allowed for key spec RSA_2048');
    expect(refused(snapshot([rsa]), ['ES256']).message).toContain('no JWS algorithm is left for key spec RSA_2048 (SigningAlgorithms: none; allowed: ES256)');
    const { arn } = newKeyRef();
    expect(refused(snapshot([p256Entry({ keyArn: arn, algorithms: ['RS256'] })])).message).toContain(`keys[0] (${arn}): none of its algorithms is allowed for key spec ECC_NIST_P256`);
  });
});

describe('parseSnapshot: aliases', () => {
  it('refuses an alias entry without an alias name', () => {
    for (const entry of ['alias/issuer', null, { keyArn: null, retired: [] }, { alias: 5, keyArn: null, retired: [] }]) {
      expect(refused(snapshot([], [{ alias: 'alias/ok', keyArn: null, retired: [] }, entry])).message).toMatch(/snapshot: aliases\[1\] must be an object with an alias$/);
    }
  });

  it('takes a key ARN or null as the target, and refuses anything else (a missing one too)', () => {
    expect(parseSnapshot(snapshot([], [{ alias: 'alias/gone', keyArn: null, retired: [] }]), undefined).aliases).toHaveLength(1);
    for (const keyArn of [undefined, 7, newKeyRef().keyId, 'arn:aws:kms:us-east-1:111122223333:alias/other', [newKeyRef().arn]]) {
      expect(refused(snapshot([], [{ alias: 'alias/issuer', keyArn, retired: [] }])).message).toMatch(/snapshot: aliases\[0\]\.keyArn must be a key ARN or null$/);
    }
  });

  it('refuses retired keys that are not an array of { keyArn, graceUntilMs }', () => {
    expect(refused(snapshot([], [{ alias: 'alias/issuer', keyArn: null }])).message).toMatch(/snapshot: aliases\[0\]\.retired must be an array$/);
    const { arn } = newKeyRef();
    for (const old of [arn, null, { graceUntilMs: 5 }, { keyArn: 5, graceUntilMs: 5 }, { keyArn: [arn], graceUntilMs: 5 }, { keyArn: newKeyRef().keyId, graceUntilMs: 5 }, { keyArn: arn, graceUntilMs: '5' }, { keyArn: arn }]) {
      const retired = [{ keyArn: arn, graceUntilMs: 5 }, old];
      expect(refused(snapshot([], [{ alias: 'alias/issuer', keyArn: arn, retired }])).message).toMatch(/snapshot: aliases\[0\]\.retired must hold \{ keyArn, graceUntilMs \}$/);
    }
  });
});

describe('readSnapshot', () => {
  it('passes an object through, reads a file as JSON, and refuses a file it cannot read or parse, naming it', () => {
    const value = snapshot() as unknown as KmsKeySnapshot;
    expect(readSnapshot(value)).toBe(value);
    const folder = mkdtempSync(join(tmpdir(), 'snapshot-rules-'));
    const file = join(folder, 'snapshot.json');
    writeFileSync(file, JSON.stringify(value));
    expect(readSnapshot(file)).toEqual(value);
    writeFileSync(file, '{ not json');
    const error = (() => {
      try {
        readSnapshot(file);
      } catch (caught) {
        return caught as SnapshotRejectedError;
      }
      throw new Error('expected readSnapshot to throw');
    })();
    expect(error).toBeInstanceOf(SnapshotRejectedError);
    expect(error.reason).toBe('malformed');
    expect(error.message).toBe(`kms-pubkey-provider: snapshot: cannot read ${file} as JSON`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(Object.hasOwn(refused(null), 'cause')).toBe(false);
  });
});
