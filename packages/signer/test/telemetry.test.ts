import type { KmsCall } from 'kms-jwt-verifier';
import { describe, expect, it } from 'vitest';
import { createKmsJwtSigner, createKmsMessageSigner, SignerConfigError, type LimiterWaitEvent, type SignerTelemetry, type SigningCall } from '../src/index.js';
import { createKey, useKmsLocal } from './support.js';

const env = useKmsLocal();

/** A telemetry that records what the signer tells it, in order. */
function recording(): { telemetry: SignerTelemetry; events: string[]; calls: KmsCall[]; signings: SigningCall[]; waits: LimiterWaitEvent[] } {
  const events: string[] = [];
  const calls: KmsCall[] = [];
  const signings: SigningCall[] = [];
  const waits: LimiterWaitEvent[] = [];
  const telemetry: SignerTelemetry = {
    async traceSign(call, run) {
      signings.push(call);
      events.push(`sign ${call.kind} start`);
      try {
        return await run();
      } finally {
        events.push(`sign ${call.kind} end`);
      }
    },
    traceKmsCall(call, run) {
      calls.push(call);
      events.push(call.operation);
      return run();
    },
    onLimiterWait(event) {
      waits.push(event);
      events.push('wait');
    },
  };
  return { telemetry, events, calls, signings, waits };
}

describe('the telemetry option', () => {
  it('refuses a telemetry that is not an object, or whose members are not functions', () => {
    expect(() => createKmsJwtSigner({ keyId: 'alias/a', expiresInSeconds: 60, telemetry: 1 as unknown as SignerTelemetry })).toThrow(SignerConfigError);
    expect(() => createKmsMessageSigner({ keyId: 'alias/a', telemetry: { traceSign: 'no' } as unknown as SignerTelemetry })).toThrow(/telemetry\.traceSign must be a function/);
  });

  it('runs each sign inside traceSign and each KMS call inside traceKmsCall, with the checked endpoint, and reports the limiter wait', async () => {
    const { client, kms } = env();
    const key = await createKey(client, 'ECC_NIST_P256', { alias: `alias/signer-telemetry-${process.pid}` });
    const { telemetry, events, calls, signings, waits } = recording();
    const signer = createKmsJwtSigner({ keyId: `alias/signer-telemetry-${process.pid}`, client, expiresInSeconds: 60, selfVerify: true, telemetry });
    const before = performance.now();
    await signer.sign({ sub: 'user-1' });
    const took = performance.now() - before;
    expect(events).toEqual(['sign token start', 'DescribeKey', 'wait', 'Sign', 'GetPublicKey', 'sign token end']);
    const endpoint = String(kms.clientConfig.endpoint).replace(/\/$/, '');
    expect(calls.map((call) => [call.operation, call.keyId, call.endpoint?.replace(/\/$/, '')])).toEqual([
      ['DescribeKey', `alias/signer-telemetry-${process.pid}`, endpoint],
      ['Sign', key.arn, endpoint],
      ['GetPublicKey', key.arn, endpoint],
    ]);
    expect(signings).toEqual([{ kind: 'token', keyId: `alias/signer-telemetry-${process.pid}` }]);
    expect(waits).toHaveLength(1);
    expect(waits[0]?.keyArn).toBe(key.arn);
    expect(waits[0]?.waitMs).toBeGreaterThanOrEqual(0);
    // The wait is part of the sign: never longer than the whole call.
    expect(waits[0]?.waitMs).toBeLessThanOrEqual(took);
  });

  it('traces the message signer as kind message, and keeps signing when onLimiterWait throws', async () => {
    const { client } = env();
    const key = await createKey(client);
    const { telemetry, signings } = recording();
    const signer = createKmsMessageSigner({
      keyId: key.arn,
      client,
      telemetry: {
        ...telemetry,
        onLimiterWait: () => {
          throw new Error('telemetry is broken');
        },
      },
    });
    const message = await signer.sign({ json: { order: 1 } });
    expect(message.keyArn).toBe(key.arn);
    expect(signings).toEqual([{ kind: 'message', keyId: key.arn }]);
  });
});
