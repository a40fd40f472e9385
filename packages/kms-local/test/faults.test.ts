import { performance } from 'node:perf_hooks';
import {
  CreateKeyCommand,
  DependencyTimeoutException,
  GetPublicKeyCommand,
  KMSClient,
  KMSInternalException,
  KMSServiceException,
  KeyUnavailableException,
  ListKeysCommand,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../src/index.js';
import { useKmsLocal } from './support.js';

const MAX_ATTEMPTS = 3;

/** Values the server's fault dice return, in order; when none are queued the dice roll 0 (every fault fires). */
const rolls: number[] = [];
let rollsTaken = 0;
function random(): number {
  rollsTaken++;
  return rolls.shift() ?? 0;
}

/** Runs a promise that must reject, and returns its error. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function serviceError(error: unknown): KMSServiceException {
  if (!(error instanceof KMSServiceException)) throw new Error(`expected a KMS service exception, got ${String(error)}`);
  return error;
}

describe('fault injection through the real SDK', () => {
  const env = useKmsLocal({ random }, { maxAttempts: MAX_ATTEMPTS });
  let keyId = '';
  const message = Buffer.from('header.payload');

  const sign = (client: KMSClient = env().client) =>
    client.send(new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));

  /** A client that makes a single attempt, so that every call is exactly one request. */
  function singleAttemptClient(): KMSClient {
    return new KMSClient({ ...env().kms.clientConfig, maxAttempts: 1 });
  }

  beforeAll(async () => {
    const created = await env().client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    keyId = created.KeyMetadata?.KeyId ?? '';
    expect(keyId).not.toBe('');
  });

  beforeEach(() => {
    env().kms.resetCallCounts();
  });

  afterEach(() => {
    env().kms.faults.clear();
    rolls.length = 0;
  });

  it('answers ThrottlingException to every Sign attempt, so the SDK gives up after maxAttempts', async () => {
    const { kms } = env();
    kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
    const error = serviceError(await rejectionOf(sign()));
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$metadata.attempts).toBe(MAX_ATTEMPTS);
    expect(kms.callCount('Sign')).toBe(MAX_ATTEMPTS);
    expect(kms.callCount()).toBe(MAX_ATTEMPTS);
  });

  it('lets the SDK recover when only the first attempt is throttled', async () => {
    const { kms } = env();
    rolls.push(0.1, 0.9);
    kms.faults.inject({ type: 'throttle', operations: ['Sign'], rate: 0.5 });
    const signed = await sign();
    expect(signed.$metadata.attempts).toBe(2);
    expect(kms.callCount('Sign')).toBe(2);
  });

  it('fails exactly the calls whose roll falls below the fault rate', async () => {
    const { kms } = env();
    const client = singleAttemptClient();
    try {
      kms.faults.inject({ type: 'throttle', operations: ['Sign'], rate: 0.5 });
      rolls.push(0.1, 0.9, 0.49, 0.5, 0.0);
      const outcomes: string[] = [];
      for (let i = 0; i < 5; i++) {
        outcomes.push(
          await sign(client).then(
            () => 'ok',
            (error: unknown) => serviceError(error).name,
          ),
        );
      }
      expect(outcomes).toEqual(['ThrottlingException', 'ok', 'ThrottlingException', 'ok', 'ThrottlingException']);
      expect(kms.callCount('Sign')).toBe(5);
      expect(rolls).toHaveLength(0);
    } finally {
      client.destroy();
    }
  });

  it('never fires a fault of rate 0 and always fires one of rate 1', async () => {
    const { kms } = env();
    const client = singleAttemptClient();
    try {
      const never = kms.faults.inject({ type: 'throttle', operations: ['Sign'], rate: 0 });
      rolls.push(0, 0, 0);
      for (let i = 0; i < 3; i++) await expect(sign(client)).resolves.toMatchObject({ KeyId: expect.stringContaining(keyId) });
      never();
      kms.faults.inject({ type: 'throttle', operations: ['Sign'], rate: 1 });
      rolls.push(0.999_999);
      await expect(sign(client)).rejects.toMatchObject({ name: 'ThrottlingException' });
    } finally {
      client.destroy();
    }
  });

  it('delays answers by the injected latency, measured by the client', async () => {
    const { kms } = env();
    const baselineStart = performance.now();
    await sign();
    const baselineMs = performance.now() - baselineStart;

    kms.faults.inject({ type: 'latency', latencyMs: 300, operations: ['Sign'] });
    const slowStart = performance.now();
    const signed = await sign();
    const slowMs = performance.now() - slowStart;

    expect(signed.$metadata.attempts).toBe(1);
    expect(baselineMs).toBeLessThan(300);
    expect(slowMs).toBeGreaterThanOrEqual(300);
    expect(slowMs).toBeGreaterThan(baselineMs);
  });

  it('adds up the delays of several latency faults', async () => {
    const { kms } = env();
    kms.faults.inject({ type: 'latency', latencyMs: 150 });
    kms.faults.inject({ type: 'latency', latencyMs: 150, operations: ['GetPublicKey'] });
    const start = performance.now();
    await env().client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    expect(performance.now() - start).toBeGreaterThanOrEqual(300);
  });

  it('answers KMSInternalException with status 500 for an unavailable fault, after the SDK retried', async () => {
    const { kms } = env();
    kms.faults.inject({ type: 'unavailable', operations: ['Sign'] });
    const error = serviceError(await rejectionOf(sign()));
    expect(error).toBeInstanceOf(KMSInternalException);
    expect(error.$fault).toBe('server');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$metadata.attempts).toBe(MAX_ATTEMPTS);
    expect(kms.callCount('Sign')).toBe(MAX_ATTEMPTS);
  });

  it('answers DependencyTimeoutException with status 503 when the unavailable fault names it', async () => {
    const { kms } = env();
    kms.faults.inject({ type: 'unavailable', operations: ['Sign'], errorType: 'DependencyTimeoutException' });
    const error = serviceError(await rejectionOf(sign()));
    expect(error).toBeInstanceOf(DependencyTimeoutException);
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(error.$metadata.attempts).toBe(MAX_ATTEMPTS);
  });

  it('answers KeyUnavailableException with status 500 when the unavailable fault names it', async () => {
    const { kms } = env();
    const client = singleAttemptClient();
    try {
      kms.faults.inject({ type: 'unavailable', errorType: 'KeyUnavailableException' });
      const error = serviceError(await rejectionOf(sign(client)));
      expect(error).toBeInstanceOf(KeyUnavailableException);
      expect(error.$metadata.httpStatusCode).toBe(500);
    } finally {
      client.destroy();
    }
  });

  it('closes the connection without an answer for a disconnect fault, which the SDK reports as a network error', async () => {
    const { kms } = env();
    kms.faults.inject({ type: 'disconnect', operations: ['Sign'] });
    const error = await rejectionOf(sign());
    expect(error).not.toBeInstanceOf(KMSServiceException);
    expect(error).toMatchObject({ code: 'ECONNRESET', message: expect.stringMatching(/socket hang up/) });
    expect(kms.callCount('Sign')).toBe(MAX_ATTEMPTS);
  });

  it('leaves operations that a fault does not name untouched', async () => {
    const { kms, client } = env();
    const single = singleAttemptClient();
    try {
      kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
      kms.faults.inject({ type: 'disconnect', operations: ['ScheduleKeyDeletion'] });
      const published = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
      expect(published.KeyId).toContain(keyId);
      const listed = await client.send(new ListKeysCommand({}));
      expect(listed.Keys?.some((key) => key.KeyId === keyId)).toBe(true);
      await expect(sign(single)).rejects.toMatchObject({ name: 'ThrottlingException' });
      expect(kms.callCount('GetPublicKey')).toBe(1);
      expect(kms.callCount('ListKeys')).toBe(1);
      expect(kms.callCount('Sign')).toBe(1);
    } finally {
      single.destroy();
    }
  });

  it('applies a fault without operations to every operation', async () => {
    const { kms, client } = env();
    const single = singleAttemptClient();
    try {
      kms.faults.inject({ type: 'throttle' });
      await expect(single.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
      await expect(single.send(new GetPublicKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({ name: 'ThrottlingException' });
      kms.faults.clear();
      await expect(client.send(new ListKeysCommand({}))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    } finally {
      single.destroy();
    }
  });

  it('restores normal service when the remover of a fault is called, leaving other faults in force', async () => {
    const { kms, client } = env();
    const single = singleAttemptClient();
    try {
      const removeThrottle = kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
      const latency: FaultRule = { type: 'latency', latencyMs: 1, operations: ['Verify'] };
      kms.faults.inject(latency);
      await expect(sign(single)).rejects.toMatchObject({ name: 'ThrottlingException' });
      removeThrottle();
      expect(kms.faults.active).toEqual([latency]);
      const signed = await sign();
      expect(signed.$metadata.attempts).toBe(1);
      const verified = await client.send(
        new VerifyCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256', Signature: signed.Signature }),
      );
      expect(verified.SignatureValid).toBe(true);
      removeThrottle();
      expect(kms.faults.active).toEqual([latency]);
    } finally {
      single.destroy();
    }
  });

  it('restores normal service after clear()', async () => {
    const { kms } = env();
    kms.faults.inject({ type: 'unavailable' });
    kms.faults.inject({ type: 'throttle', operations: ['Sign'] });
    expect(kms.faults.active).toHaveLength(2);
    kms.faults.clear();
    expect(kms.faults.active).toEqual([]);
    const signed = await sign();
    expect(signed.$metadata.attempts).toBe(1);
    expect(kms.callCount('Sign')).toBe(1);
  });

  it('rolls the dice only for faults that match the operation', async () => {
    const { kms, client } = env();
    kms.faults.inject({ type: 'throttle', operations: ['Sign'], rate: 0.5 });
    const before = rollsTaken;
    await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    expect(rollsTaken).toBe(before);
  });

  it('rejects invalid fault rules with a clear error', () => {
    const { kms } = env();
    const invalid: ReadonlyArray<[unknown, ErrorConstructor, RegExp]> = [
      [{ type: 'explode' }, TypeError, /fault type must be one of throttle, unavailable, latency, disconnect/],
      [{ type: 'throttle', rate: 1.5 }, RangeError, /rate must be a number from 0 to 1/],
      [{ type: 'throttle', rate: -0.1 }, RangeError, /rate must be a number from 0 to 1/],
      [{ type: 'throttle', rate: Number.NaN }, RangeError, /rate must be a number from 0 to 1/],
      [{ type: 'latency' }, RangeError, /latency fault needs latencyMs/],
      [{ type: 'latency', latencyMs: -5 }, RangeError, /latency fault needs latencyMs/],
      [{ type: 'latency', latencyMs: Number.POSITIVE_INFINITY }, RangeError, /latency fault needs latencyMs, a finite number/],
      [{ type: 'throttle', rate: '0.5' }, RangeError, /rate must be a number from 0 to 1/],
      [{ type: 'throttle', operations: ['Encrypt'] }, TypeError, /unknown operation Encrypt/],
      [{ type: 'throttle', operations: 'Sign' }, TypeError, /operations must be a list of operation names/],
      [{ type: 'unavailable', errorType: 'AccessDeniedException' }, TypeError, /errorType must be one of KMSInternalException, DependencyTimeoutException, KeyUnavailableException/],
      [null, TypeError, /a fault rule must be an object/],
    ];
    for (const [rule, errorClass, message] of invalid) {
      expect(() => kms.faults.inject(rule as FaultRule)).toThrow(errorClass);
      expect(() => kms.faults.inject(rule as FaultRule)).toThrow(message);
    }
    expect(kms.faults.active).toEqual([]);
  });

  it('keeps its own copy of an injected rule, so later changes to the object have no effect', async () => {
    const { kms } = env();
    const rule: { type: FaultRule['type']; operations: Array<'Sign' | 'Verify'> } = { type: 'throttle', operations: ['Verify'] };
    kms.faults.inject(rule);
    rule.operations.push('Sign');
    rule.type = 'disconnect';
    const signed = await sign();
    expect(signed.$metadata.attempts).toBe(1);
    expect(kms.faults.active).toEqual([{ type: 'throttle', operations: ['Verify'] }]);
  });
});
