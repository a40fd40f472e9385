import { KeySourceUnavailableError } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { KeyPinMismatchError, KeyProviderConfigError } from '../src/errors.js';
import { checkReady } from '../src/ready-check.js';
import { partsOf, setup } from './key-cache-support.js';
import { newKeyRef, sourcedKey, throttled } from './parts-support.js';

// ready() on its own (ready-check.ts): which error class a set of problems makes (a pin mismatch
// first, then a configuration mistake, else the source unavailable), the message naming each key
// and why, and the cause (the one failure, or all of them in an AggregateError).

async function failure(run: Promise<void>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected ready() to reject');
}

const denied = (): Error => Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });

describe('checkReady: one problem', () => {
  it('calls a source that fails unavailable, naming the key, the call and the failure, with that failure as cause', async () => {
    const fixture = setup();
    const down = throttled();
    fixture.source.keys.set(fixture.key.arn, { down });
    const error = await failure(checkReady(partsOf(fixture)));
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect(error.message).toBe(`kms-pubkey-provider: ready(): a configured key cannot be used: ${fixture.key.arn}: GetPublicKey failed (ThrottlingException: Rate exceeded)`);
    expect(error.cause).toBe(down);
  });

  it('calls a source that refuses us (AccessDeniedException) a configuration mistake', async () => {
    const fixture = setup();
    fixture.source.keys.set(fixture.key.arn, { down: denied() });
    const error = await failure(checkReady(partsOf(fixture)));
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect(error).not.toBeInstanceOf(KeyPinMismatchError);
    expect(error.message).toContain('GetPublicKey failed (AccessDeniedException: not allowed)');
  });

  it('calls a key its source refused a configuration mistake, not a pin mismatch', async () => {
    const fixture = setup();
    fixture.source.keys.set(fixture.key.arn, { refuse: 'disabled' });
    const error = await failure(checkReady(partsOf(fixture)));
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect(error).not.toBeInstanceOf(KeyPinMismatchError);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('calls an offline key that fails its pin a pin mismatch, without a cause', async () => {
    const fixture = setup();
    await fixture.warm();
    const error = await failure(checkReady(partsOf(fixture, { offlinePinFailures: ['offline-kid'] })));
    expect(error).toBeInstanceOf(KeyPinMismatchError);
    expect(error.message).toBe('kms-pubkey-provider: ready(): a configured key cannot be used: offline-kid: the offline key does not match its pinned spkiSha256');
    expect(Object.hasOwn(error, 'cause')).toBe(false);
  });

  it('refuses after close()', async () => {
    const fixture = setup();
    fixture.cache.close();
    const error = await failure(checkReady(partsOf(fixture)));
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect(error.message).toBe('kms-pubkey-provider: ready() was called after close()');
  });
});

describe('checkReady: several problems', () => {
  it('names each, counts them, and gathers their failures in an AggregateError', async () => {
    const fixture = setup();
    const other = newKeyRef();
    fixture.trust.configure(other.arn, other.keyId, other.arn);
    const [first, second] = [throttled(), throttled()];
    fixture.source.keys.set(fixture.key.arn, { down: first });
    fixture.source.keys.set(other.arn, { down: second });
    const error = await failure(checkReady(partsOf(fixture)));
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect(error.message).toBe(
      `kms-pubkey-provider: ready(): 2 configured keys cannot be used: ${fixture.key.arn}: GetPublicKey failed (ThrottlingException: Rate exceeded); ${other.arn}: GetPublicKey failed (ThrottlingException: Rate exceeded)`,
    );
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).message).toBe('KMS errors');
    expect((error.cause as AggregateError).errors).toEqual([first, second]);
  });

  it('puts a pin mismatch first, then a configuration mistake, each with the failures that have one as cause', async () => {
    const fixture = setup();
    const down = throttled();
    fixture.source.keys.set(fixture.key.arn, { down });
    const pin = await failure(checkReady(partsOf(fixture, { offlinePinFailures: ['offline-kid'] })));
    expect(pin).toBeInstanceOf(KeyPinMismatchError);
    expect(pin.cause).toBe(down);
    fixture.source.keys.set(fixture.key.arn, { down: denied() });
    fixture.source.aliases.set('alias/a', { down });
    const config = await failure(checkReady(partsOf(fixture, { aliases: ['alias/a'] })));
    expect(config).toBeInstanceOf(KeyProviderConfigError);
    expect(config).not.toBeInstanceOf(KeyPinMismatchError);
    expect(config.message).toContain('alias/a: DescribeKey failed (ThrottlingException: Rate exceeded)');
  });
});

describe('checkReady: closed while it runs', () => {
  it('names a key it could no longer fetch (closed during the alias lookups) as unavailable', async () => {
    const fixture = setup();
    fixture.source.aliases.set('alias/a', fixture.key);
    fixture.source.hold();
    const running = failure(checkReady(partsOf(fixture, { aliases: ['alias/a'] })));
    fixture.cache.close();
    fixture.source.release();
    const error = await running;
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect(error.message).toContain(`${fixture.key.arn}: the provider was closed before its public key was fetched`);
    expect(Object.hasOwn(error, 'cause')).toBe(false);
  });
});

describe('checkReady: what it fetches', () => {
  it('fetches a key in its penalty box all the same, and answers once it is there', async () => {
    const fixture = setup();
    fixture.source.keys.set(fixture.key.arn, { down: throttled() });
    await fixture.cache.refresh(fixture.record, true);
    fixture.source.keys.set(fixture.key.arn, sourcedKey(fixture.key.arn));
    await checkReady(partsOf(fixture));
    expect(fixture.cache.peek(fixture.key.keyId)?.kind).toBe('trusted');
  });

  it('leaves out a key no longer trusted (its grace window ended), though its source is down', async () => {
    const fixture = setup();
    await fixture.warm();
    const left = newKeyRef();
    fixture.source.keys.set(left.arn, { down: throttled() });
    fixture.trust.pointAlias('alias/a', { keyId: left.keyId, arn: left.arn }, fixture.time.nowMs());
    fixture.trust.pointAlias('alias/a', undefined, fixture.time.nowMs());
    await checkReady(partsOf(fixture));
    expect(fixture.source.calls).not.toContain(`fetchKey ${left.arn}`);
  });
});
