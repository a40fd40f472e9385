import { DeleteAliasCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { createVerifier, KidUntrustedError } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsKeyProvider } from '../src/index.js';
import { AUDIENCE, ISSUER, createAlias, createKey, manualTime, recordEvents, rejection, signToken, useKms } from './support.js';

const env = useKms();

const ALIAS_REFRESH = 60_000;
const GRACE = 30 * 60_000;

async function rotatingSetup(options: { retiredKeyGraceMs?: number; maxTokenLifetimeMs?: number } = {}) {
  const { kms, admin, client } = env();
  const time = manualTime();
  const events = recordEvents();
  const a = await createKey(admin);
  const b = await createKey(admin);
  const alias = await createAlias(admin, a.keyId);
  const provider = createKmsKeyProvider({ client, keys: [alias], aliasRefreshMs: ALIAS_REFRESH, nowMs: time.nowMs, timers: time.timers, ...options, ...events.hooks });
  await provider.ready();
  const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, nowMs: time.nowMs });
  return { kms, admin, time, events, a, b, alias, provider, verifier };
}

describe('rotation through an alias', () => {
  it('trusts the new key after the alias moves and the old key until its grace window ends, then rejects old tokens', async () => {
    const { kms, admin, time, events, a, b, alias, provider, verifier } = await rotatingSetup({ retiredKeyGraceMs: GRACE });
    // Tokens signed through the alias carry key A's ARN (lifetime 2 h: longer than the grace, so exp is not what rejects them).
    const oldToken = await signToken(admin, { keyId: alias, kid: a.arn, nowMs: time.nowMs(), lifetimeMs: 2 * 3_600_000 });
    expect((await verifier.verify(oldToken)).key).toBe(a.arn);
    const keyA = provider.resolve(a.arn);

    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b.keyId }));
    const newToken = await signToken(admin, { keyId: alias, kid: b.arn, nowMs: time.nowMs(), lifetimeMs: 2 * 3_600_000 });
    expect(newToken).not.toBe(oldToken);

    time.advance(ALIAS_REFRESH);
    const rotation = await events.until((event) => event.type === 'rotation');
    const rotatedAt = time.nowMs();
    expect(rotation).toEqual({ type: 'rotation', alias, previousKeyArn: a.arn, keyArn: b.arn, graceUntilMs: rotatedAt + GRACE });
    await events.until((event) => event.type === 'keyFetched' && event.keyArn === b.arn);

    expect((await verifier.verify(newToken)).key).toBe(b.arn);
    expect((await verifier.verify(oldToken)).key).toBe(a.arn);
    expect(provider.resolve(a.arn)).toBe(keyA);
    expect(provider.exportJwks().keys.map((jwk) => jwk.kid).sort()).toEqual([a.arn, b.arn].sort());

    time.advance(GRACE - 1);
    expect((await verifier.verify(oldToken)).key).toBe(a.arn);

    kms.resetCallCounts();
    time.advance(1);
    const error = await rejection(verifier.verify(oldToken));
    expect(error).toBeInstanceOf(KidUntrustedError);
    expect(error).toMatchObject({ code: 'ERR_KID_UNTRUSTED', status: 401 });
    expect(provider.resolve(a.arn)).toBeUndefined();
    expect(events.log).toContainEqual(expect.objectContaining({ type: 'keyUntrusted', keyArn: a.arn, reason: 'grace-ended' }));
    expect((await verifier.verify(newToken)).key).toBe(b.arn);
    expect(provider.exportJwks().keys.map((jwk) => jwk.kid)).toEqual([b.arn]);
    expect(kms.callCount('GetPublicKey')).toBe(0);
    provider.close();
  });

  it('rejects a token of the new key before the next alias refresh, without calling KMS for its kid', async () => {
    const { kms, admin, time, b, alias, provider, verifier } = await rotatingSetup();
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b.keyId }));
    const newToken = await signToken(admin, { keyId: alias, kid: b.arn, nowMs: time.nowMs() });
    kms.resetCallCounts();

    expect(await rejection(verifier.verify(newToken))).toBeInstanceOf(KidUntrustedError);
    expect(kms.callCount()).toBe(0);
    provider.close();
  });

  it('defaults the grace window to maxTokenLifetimeMs', async () => {
    const { admin, time, events, b, alias, provider } = await rotatingSetup({ maxTokenLifetimeMs: 10 * 60_000 });
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b.keyId }));
    time.advance(ALIAS_REFRESH);
    const rotation = await events.until((event) => event.type === 'rotation');
    expect(rotation).toMatchObject({ graceUntilMs: time.nowMs() + 10 * 60_000 });
    provider.close();
  });

  it('trusts the previous key again at once when the alias moves back within its grace', async () => {
    const { admin, time, events, a, b, alias, provider, verifier } = await rotatingSetup({ retiredKeyGraceMs: GRACE });
    const oldToken = await signToken(admin, { keyId: alias, kid: a.arn, nowMs: time.nowMs(), lifetimeMs: 4 * 3_600_000 });
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b.keyId }));
    time.advance(ALIAS_REFRESH);
    await events.until((event) => event.type === 'rotation' && event.keyArn === b.arn);
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: a.keyId }));
    time.advance(ALIAS_REFRESH);
    await events.until((event) => event.type === 'rotation' && event.keyArn === a.arn);

    time.advance(GRACE + ALIAS_REFRESH);
    expect((await verifier.verify(oldToken)).key).toBe(a.arn);
    expect(provider.resolve(b.arn)).toBeUndefined();
    provider.close();
  });

  it('starts the grace window of the key when its alias is deleted', async () => {
    const { admin, time, events, a, alias, provider, verifier } = await rotatingSetup({ retiredKeyGraceMs: GRACE });
    const token = await signToken(admin, { keyId: alias, kid: a.arn, nowMs: time.nowMs(), lifetimeMs: 4 * 3_600_000 });
    await admin.send(new DeleteAliasCommand({ AliasName: alias }));
    time.advance(ALIAS_REFRESH);
    const rotation = await events.until((event) => event.type === 'rotation');
    expect(rotation).toMatchObject({ alias, previousKeyArn: a.arn, keyArn: undefined, graceUntilMs: time.nowMs() + GRACE });
    expect((await verifier.verify(token)).key).toBe(a.arn);

    time.advance(GRACE);
    expect(await rejection(verifier.verify(token))).toBeInstanceOf(KidUntrustedError);
    provider.close();
  });
});
