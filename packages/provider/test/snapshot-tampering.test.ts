import { GetPublicKeyCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createVerifier, KeySourceUnavailableError, KidUntrustedError, SignatureInvalidError, type TrustedKey } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider, KeyPinMismatchError, SnapshotRejectedError, spkiSha256, type KmsKeySnapshot, type KmsKeyProviderOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, createAlias, createKey, isPromise, manualTime, recordEvents, rejection, signToken, useKms, type ManualTime } from './support.js';

const env = useKms();

/** Another account's key: its private key is the attacker's own, outside KMS. */
function attackerKey(): { privateKey: KeyObject; spki: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** An ES256 token signed outside KMS with the attacker's key, naming `kid`. */
function attackerToken(privateKey: KeyObject, kid: string, nowMs: number): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(nowMs / 1000);
  const input = `${encode({ alg: 'ES256', typ: 'JWT', kid })}.${encode({ iss: ISSUER, aud: AUDIENCE, sub: 'attacker', iat, exp: iat + 600 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** A copy of a snapshot, changed as an attacker with write access to its file would. */
function tamper(snapshot: KmsKeySnapshot, change: (copy: { -readonly [K in keyof KmsKeySnapshot]: KmsKeySnapshot[K] }) => void): KmsKeySnapshot {
  const copy = JSON.parse(JSON.stringify(snapshot)) as { -readonly [K in keyof KmsKeySnapshot]: KmsKeySnapshot[K] };
  change(copy);
  return copy;
}

/** The ARN of `arn`'s key id in account 999999999999: a key the attacker owns. */
function inAttackerAccount(arn: string): string {
  return arn.replace(/:\d{12}:/, ':999999999999:');
}

async function warmSnapshot(options: KmsKeyProviderOptions): Promise<KmsKeySnapshot> {
  const warm = createKmsKeyProvider(options);
  await warm.ready();
  const snapshot = JSON.parse(JSON.stringify(warm.exportSnapshot())) as KmsKeySnapshot;
  warm.close();
  return snapshot;
}

function verifierFor(provider: ReturnType<typeof createKmsKeyProvider>, time: ManualTime) {
  return createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs, cache: false });
}

function construction(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('expected createKmsKeyProvider to throw');
}

describe('snapshot tampering (i): a replaced public key', () => {
  it('replaces it with KMS key at once: the GetPublicKey started at load brings the real key back, reports onKeyMismatch (snapshot, replaced), and the attacker token is refused from then on', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const key = await createKey(admin);
    const options = { client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers };
    const attacker = attackerKey();
    const snapshot = tamper(await warmSnapshot(options), (copy) => {
      copy.keys = copy.keys.map((entry) => ({ ...entry, publicKey: attacker.spki.toString('base64') }));
    });
    const forged = attackerToken(attacker.privateKey, key.arn, time.nowMs());
    const genuine = await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs() });
    kms.resetCallCounts();

    const cold = createKmsKeyProvider({ ...options, snapshot, ...events.hooks });
    const verifier = verifierFor(cold, time);
    // The window: until KMS answers (one round trip, started at load), the snapshot's key is the one
    // at hand — served, but never published. A pinned key closes it (next test).
    expect(cold.exportJwks()).toEqual({ keys: [] });
    expect((await verifier.verify(forged)).key).toBe(key.arn);

    expect(await events.until((event) => event.type === 'keyMismatch')).toMatchObject({ keyArn: key.arn, source: 'snapshot', expected: 'kms', outcome: 'replaced' });
    expect(await rejection(verifier.verify(forged))).toBeInstanceOf(SignatureInvalidError);
    expect((await verifier.verify(genuine)).key).toBe(key.arn);
    expect(cold.exportJwks().keys).toEqual([expect.objectContaining({ kid: key.arn })]);
    expect(kms.callCount('GetPublicKey')).toBe(1);
    cold.close();
  });

  it('refuses it at load for a pinned key (onKeyMismatch: snapshot, pin, refused) and fetches the real key from KMS: the attacker token never verifies', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const key = await createKey(admin);
    const der = Buffer.from((await admin.send(new GetPublicKeyCommand({ KeyId: key.arn }))).PublicKey as Uint8Array);
    const pinned = { client, keys: [{ arn: key.arn, spkiSha256: spkiSha256(der) }], nowMs: time.nowMs, timers: time.timers };
    const attacker = attackerKey();
    const snapshot = tamper(await warmSnapshot(pinned), (copy) => {
      copy.keys = copy.keys.map((entry) => ({ ...entry, publicKey: attacker.spki.toString('base64') }));
    });
    kms.resetCallCounts();

    const cold = createKmsKeyProvider({ ...pinned, snapshot, ...events.hooks });
    expect(events.log).toEqual([expect.objectContaining({ type: 'keyMismatch', keyArn: key.arn, source: 'snapshot', expected: 'pin', outcome: 'refused' })]);
    expect(isPromise(cold.resolve(key.arn))).toBe(true);
    const verifier = verifierFor(cold, time);
    expect(await rejection(verifier.verify(attackerToken(attacker.privateKey, key.arn, time.nowMs())))).toBeInstanceOf(SignatureInvalidError);
    expect((await verifier.verify(await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs() }))).key).toBe(key.arn);
    expect(kms.callCount('GetPublicKey')).toBe(1);
    cold.close();
  });
});

describe('snapshot tampering (ii): an alias pointed at a key of another account', () => {
  it('refuses the whole snapshot for an alias configured by ARN (SnapshotRejectedError, alias-out-of-scope) with zero KMS calls', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const aliasArn = `arn:aws:kms:${kms.region}:${kms.accountId}:${await createAlias(admin, key.keyId)}`;
    const options = { client, keys: [aliasArn], nowMs: time.nowMs, timers: time.timers };
    const attacker = attackerKey();
    const foreignArn = inAttackerAccount(key.arn);
    const snapshot = tamper(await warmSnapshot(options), (copy) => {
      copy.aliases = copy.aliases.map((entry) => ({ ...entry, keyArn: foreignArn }));
      copy.keys = [{ keyArn: foreignArn, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], publicKey: attacker.spki.toString('base64') }];
    });
    kms.resetCallCounts();

    const error = construction(() => createKmsKeyProvider({ ...options, snapshot }));
    expect(error).toBeInstanceOf(SnapshotRejectedError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', reason: 'alias-out-of-scope' });
    expect((error as Error).message).toContain(foreignArn);
    expect(kms.callCount()).toBe(0);
  });

  it('does not use the entry of an alias configured by name whose target lies outside every configured ARN: the foreign key is never trusted, fetched or published', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const [key, anchor] = [await createKey(admin), await createKey(admin)];
    const alias = await createAlias(admin, key.keyId);
    const options = { client, keys: [alias, anchor.arn], nowMs: time.nowMs, timers: time.timers };
    const attacker = attackerKey();
    const foreignArn = inAttackerAccount(key.arn);
    const snapshot = tamper(await warmSnapshot(options), (copy) => {
      copy.aliases = copy.aliases.map((entry) => ({ ...entry, keyArn: foreignArn }));
      copy.keys = [...copy.keys, { keyArn: foreignArn, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], publicKey: attacker.spki.toString('base64') }];
    });

    const cold = createKmsKeyProvider({ ...options, snapshot, confirmSnapshot: false });
    const verifier = verifierFor(cold, time);
    // The alias is looked up in KMS as without a snapshot; its real target verifies, the foreign key never.
    expect(await rejection(verifier.verify(attackerToken(attacker.privateKey, foreignArn, time.nowMs())))).toBeInstanceOf(KidUntrustedError);
    expect((await verifier.verify(await signToken(admin, { keyId: alias, kid: key.arn, nowMs: time.nowMs() }))).key).toBe(key.arn);
    expect(cold.exportJwks().keys.map((jwk) => jwk.kid).sort()).toEqual([anchor.arn, key.arn].sort());
    expect(kms.callCount('DescribeKey')).toBeGreaterThan(0);
    cold.close();
  });

  it('with only alias names configured, drops a foreign target at the alias first DescribeKey (started at load), without a grace window, and never publishes it', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const options = { client, keys: [alias], retiredKeyGraceMs: 3_600_000, nowMs: time.nowMs, timers: time.timers };
    const attacker = attackerKey();
    const foreignArn = inAttackerAccount(key.arn);
    const snapshot = tamper(await warmSnapshot(options), (copy) => {
      copy.aliases = copy.aliases.map((entry) => ({ ...entry, keyArn: foreignArn }));
      copy.keys = [{ keyArn: foreignArn, keySpec: 'ECC_NIST_P256', algorithms: ['ES256'], publicKey: attacker.spki.toString('base64') }];
    });
    const forged = attackerToken(attacker.privateKey, foreignArn, time.nowMs());

    const cold = createKmsKeyProvider({ ...options, snapshot, ...events.hooks });
    expect(cold.exportJwks()).toEqual({ keys: [] });
    expect(await events.until((event) => event.type === 'keyMismatch')).toMatchObject({ keyArn: foreignArn, source: 'snapshot', expected: 'kms', outcome: 'refused' });
    await cold.ready();
    // Not retired with a grace window, as a key an alias really left would be: gone.
    expect(cold.resolve(foreignArn)).toBeUndefined();
    expect(await rejection(verifierFor(cold, time).verify(forged))).toBeInstanceOf(KidUntrustedError);
    expect(events.log.filter((event) => event.type === 'rotation')).toEqual([]);
    expect(cold.exportSnapshot().aliases).toEqual([{ alias, keyArn: key.arn, retired: [] }]);
    expect(cold.exportJwks().keys.map((jwk) => jwk.kid)).toEqual([key.arn]);
    cold.close();
  });
});

describe('snapshot tampering (iii): a far-future grace window, and the snapshot age', () => {
  it('caps a retired key grace window at createdAtMs + retiredKeyGraceMs, whatever graceUntilMs the snapshot says', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const [a, b] = [await createKey(admin), await createKey(admin)];
    const alias = await createAlias(admin, a.keyId);
    const token = await signToken(admin, { keyId: alias, kid: a.arn, nowMs: time.nowMs(), lifetimeMs: 10 * 3_600_000 });
    const options = { client, keys: [alias], aliasRefreshMs: 60_000, retiredKeyGraceMs: 600_000, nowMs: time.nowMs, timers: time.timers };
    const warm = createKmsKeyProvider({ ...options, ...events.hooks });
    await warm.ready();
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b.keyId }));
    time.advance(60_000);
    await events.until((event) => event.type === 'keyFetched' && event.keyArn === b.arn);
    const createdAtMs = time.nowMs();
    const snapshot = tamper(warm.exportSnapshot(), (copy) => {
      copy.aliases = copy.aliases.map((entry) => ({ ...entry, retired: entry.retired.map((old) => ({ ...old, graceUntilMs: createdAtMs + 10 * 365 * 86_400_000 })) }));
    });
    warm.close();
    time.advance(120_000);

    const cold = createKmsKeyProvider({ ...options, snapshot, aliasRefreshMs: 3_600_000 });
    const verifier = verifierFor(cold, time);
    expect((await verifier.verify(token)).key).toBe(a.arn);
    await cold.ready();
    expect(cold.exportSnapshot().aliases[0]?.retired).toEqual([{ keyArn: a.arn, graceUntilMs: createdAtMs + 600_000 }]);
    time.advance(600_000 - 120_000);
    expect(await rejection(verifier.verify(token))).toBeInstanceOf(KidUntrustedError);
    expect(cold.resolve(a.arn)).toBeUndefined();
    cold.close();

    // A provider with a shorter grace than the exporter's never extends it to the exporter's.
    const strict = createKmsKeyProvider({ ...options, snapshot: tamper(snapshot, (copy) => void (copy.createdAtMs = time.nowMs())), retiredKeyGraceMs: 60_000, confirmSnapshot: false });
    expect(strict.exportSnapshot().aliases[0]?.retired).toEqual([{ keyArn: a.arn, graceUntilMs: time.nowMs() + 60_000 }]);
    strict.close();
  });

  it('refuses createdAtMs 0, a non-number, one in the future beyond 5 minutes of clock skew, and one older than snapshotMaxAgeMs, each with SnapshotRejectedError and zero KMS calls', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const options = { client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers };
    const snapshot = await warmSnapshot(options);
    kms.resetCallCounts();
    const now = time.nowMs();
    const cases: [unknown, KmsKeyProviderOptions, string, RegExp][] = [
      [0, options, 'invalid-created-at', /createdAtMs must be the time exportSnapshot\(\) took it/],
      ['2026-01-01', options, 'invalid-created-at', /createdAtMs must be/],
      [now + 300_001, options, 'created-in-future', /in the future, more than the 5 minutes of clock skew allowed/],
      [now - 86_400_001, options, 'too-old', /taken 24 hours ago .*more than snapshotMaxAgeMs \(86400000 ms\)/],
      [now - 3_600_001, { ...options, snapshotMaxAgeMs: 3_600_000 }, 'too-old', /more than snapshotMaxAgeMs \(3600000 ms\)/],
    ];
    for (const [createdAtMs, caseOptions, reason, message] of cases) {
      const error = construction(() => createKmsKeyProvider({ ...caseOptions, snapshot: { ...snapshot, createdAtMs: createdAtMs as number } }));
      expect(error, String(createdAtMs)).toBeInstanceOf(SnapshotRejectedError);
      expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', reason });
      expect((error as Error).message).toMatch(/^kms-pubkey-provider: snapshot: /);
      expect((error as Error).message).toMatch(message);
    }
    // Within the skew, and just within the maximum age: accepted.
    for (const createdAtMs of [now + 240_000, now - 86_399_000]) {
      const provider = createKmsKeyProvider({ ...options, snapshot: { ...snapshot, createdAtMs }, confirmSnapshot: false });
      expect((provider.resolve(key.arn) as TrustedKey).id).toBe(key.arn);
      provider.close();
    }
    expect(kms.callCount()).toBe(0);
  });
});

describe('snapshot confirmation', () => {
  it('confirmSnapshot: false trusts the snapshot like configuration: no KMS call, not even in ready(), and it is exported', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const alias = await createAlias(admin, key.keyId);
    const options = { client, keys: [alias], nowMs: time.nowMs, timers: time.timers };
    const snapshot = await warmSnapshot(options);
    kms.resetCallCounts();

    const cold = createKmsKeyProvider({ ...options, snapshot, confirmSnapshot: false });
    expect((cold.resolve(key.arn) as TrustedKey).id).toBe(key.arn);
    await cold.ready();
    expect(cold.exportJwks().keys.map((jwk) => jwk.kid)).toEqual([key.arn]);
    expect(kms.callCount()).toBe(0);
    cold.close();
  });

  it('ready() confirms the snapshot keys: it rejects with ERR_KEY_SOURCE_UNAVAILABLE while KMS is down, and resolve keeps answering from the snapshot', async () => {
    const { kms, admin, client } = env();
    const time = manualTime();
    const key = await createKey(admin);
    const options = { client, keys: [key.arn], nowMs: time.nowMs, timers: time.timers };
    const snapshot = await warmSnapshot(options);
    const remove = kms.faults.inject({ type: 'unavailable', operations: ['GetPublicKey'] });
    try {
      const cold = createKmsKeyProvider({ ...options, snapshot });
      const before = cold.resolve(key.arn) as TrustedKey;
      expect(await rejection(cold.ready())).toBeInstanceOf(KeySourceUnavailableError);
      expect(cold.resolve(key.arn)).toBe(before);
      expect(cold.exportJwks()).toEqual({ keys: [] });
      remove();
      time.advance(5_000);
      await cold.ready();
      expect(cold.resolve(key.arn)).toBe(before);
      expect(cold.exportJwks().keys.map((jwk) => jwk.kid)).toEqual([key.arn]);
      cold.close();
    } finally {
      remove();
    }
  });
});

describe('pinned keys (spkiSha256)', () => {
  it('computes the thumbprint as base64url SHA-256 of the DER SPKI that GetPublicKey returns', async () => {
    const { admin } = env();
    const key = await createKey(admin, 'RSA_2048');
    const der = Buffer.from((await admin.send(new GetPublicKeyCommand({ KeyId: key.arn }))).PublicKey as Uint8Array);
    expect(spkiSha256(der)).toBe(createHash('sha256').update(der).digest('base64url'));
    expect(spkiSha256(der)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(spkiSha256(createPublicKey({ key: der, format: 'der', type: 'spki' }))).toBe(spkiSha256(der));
    expect(() => spkiSha256(Buffer.from('not a key'))).toThrow(/spkiSha256\(\) takes a public KeyObject or the DER SubjectPublicKeyInfo bytes/);
    expect(() => spkiSha256(attackerKey().privateKey)).toThrow(/spkiSha256\(\) takes a public key, not a private or secret one/);
  });

  it('refuses a key whose public key from KMS does not match its pin: onKeyMismatch (kms, pin), onKeyUntrusted spki-mismatch, ready() rejects with KeyPinMismatchError; the right pin verifies', async () => {
    const { admin, client } = env();
    const time = manualTime();
    const events = recordEvents();
    const key = await createKey(admin);
    const token = await signToken(admin, { keyId: key.arn, kid: key.arn, nowMs: time.nowMs() });
    const wrongPin = spkiSha256(attackerKey().spki);
    const wrong = createKmsKeyProvider({ client, keys: [{ arn: key.arn, spkiSha256: wrongPin }], nowMs: time.nowMs, timers: time.timers, ...events.hooks });
    const error = await rejection(wrong.ready());
    expect(error).toBeInstanceOf(KeyPinMismatchError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    expect((error as Error).message).toContain(`${key.arn}: the public key does not match its pinned spkiSha256`);
    expect(events.log).toContainEqual(expect.objectContaining({ type: 'keyMismatch', keyArn: key.arn, source: 'kms', expected: 'pin', outcome: 'refused' }));
    expect(events.log).toContainEqual(expect.objectContaining({ type: 'keyUntrusted', keyArn: key.arn, reason: 'spki-mismatch' }));
    expect(await rejection(verifierFor(wrong, time).verify(token))).toBeInstanceOf(KidUntrustedError);
    wrong.close();

    const der = Buffer.from((await admin.send(new GetPublicKeyCommand({ KeyId: key.arn }))).PublicKey as Uint8Array);
    const right = createKmsKeyProvider({ client, keys: [{ arn: key.arn, spkiSha256: spkiSha256(der) }], nowMs: time.nowMs, timers: time.timers });
    await right.ready();
    expect((await verifierFor(right, time).verify(token)).key).toBe(key.arn);
    right.close();
  });

  it('leaves out an offline key that does not match its pin (onKeyMismatch: offline; ready() rejects with KeyPinMismatchError), and pins a JWKS by kid', async () => {
    const { admin } = env();
    const time = manualTime();
    const events = recordEvents();
    const [good, bad] = [await createKey(admin), await createKey(admin)];
    const warm = createKmsKeyProvider({ client: env().client, keys: [good.arn, bad.arn], nowMs: time.nowMs, timers: time.timers });
    await warm.ready();
    const jwks = warm.exportJwks();
    warm.close();
    const der = Buffer.from((await admin.send(new GetPublicKeyCommand({ KeyId: good.arn }))).PublicKey as Uint8Array);
    const goodPin = spkiSha256(der);
    const provider = createKmsKeyProvider({
      offlineKeys: [{ key: jwks, spkiSha256: { [good.arn]: goodPin, [bad.arn]: goodPin } }],
      nowMs: time.nowMs,
      timers: time.timers,
      ...events.hooks,
    });
    expect(events.log).toEqual([expect.objectContaining({ type: 'keyMismatch', keyArn: bad.arn, source: 'offline', expected: 'pin', outcome: 'refused' })]);
    expect((provider.resolve(good.arn) as TrustedKey).id).toBe(good.arn);
    expect(provider.resolve(bad.arn)).toBeUndefined();
    expect(provider.resolve(bad.keyId)).toBeUndefined();
    const error = await rejection(provider.ready());
    expect(error).toBeInstanceOf(KeyPinMismatchError);
    expect((error as Error).message).toContain(`${bad.arn}: the offline key does not match its pinned spkiSha256`);
    provider.close();

    expect(() => createKmsKeyProvider({ offlineKeys: [{ key: jwks, spkiSha256: goodPin }] })).toThrow(/offlineKeys\[0\]\.spkiSha256: a JWKS holds several keys/);
    expect(() => createKmsKeyProvider({ offlineKeys: [{ key: jwks, spkiSha256: { 'arn:aws:kms:us-east-1:111122223333:key/nope': goodPin } }] })).toThrow(/pins kid .*which the entry does not hold/);
  });

  it('refuses a malformed pin, and a pin on anything but a key ARN, at construction', () => {
    const arn = 'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    expect(() => createKmsKeyProvider({ keys: [{ arn, spkiSha256: 'not-a-thumbprint' }] })).toThrow(/keys\[0\]\.spkiSha256 .* must be the base64url SHA-256/);
    expect(() => createKmsKeyProvider({ keys: [{ arn: 'alias/issuer', spkiSha256: 'A'.repeat(43) }] })).toThrow(/keys\[0\]\.arn must be a key ARN/);
  });
});
