import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { SignerTelemetry, SigningCall } from 'kms-jwt-signer';
import { createKmsCallTracer } from './kms-call.js';
import { DURATION_BUCKETS_S, type TelemetryScope } from './telemetry-scope.js';
import { timedSpan } from './timed-span.js';

/** The exception names KMS (and the SDK) throttle with. */
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded']);

/**
 * The signers' telemetry (`createKmsJwtSigner({ telemetry })`, `createKmsMessageSigner({ telemetry })`):
 * a span `kms_jwt.sign` per `sign` (its KMS calls are child spans) and its duration by outcome, a span
 * and a duration per KMS call, KMS throttles, and each Sign call's wait for the signer's limits. What is
 * signed, the token and the signature are never read.
 */
export function createSignerTelemetry(scope: TelemetryScope): SignerTelemetry {
  const { meter, tracer } = scope;
  const duration = meter.createHistogram('kms_jwt.sign.duration', {
    description: 'Duration of sign() calls of the kms-jwt signers (a token or a message), by outcome (error.type: the error code on failure)',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
  });
  const throttles = meter.createCounter('kms_jwt.signer.throttles', {
    description: 'KMS calls of the signers refused for exceeding the KMS request quota (ThrottlingException), after the SDK retries',
    unit: '{call}',
  });
  const limiterWait = meter.createHistogram('kms_jwt.signer.limiter.wait', {
    description: 'How long each KMS Sign call waited for the signer limits (maxConcurrency, maxRatePerSecond) before it started',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
  });
  const traceKmsCall = createKmsCallTracer(scope, 'signer', (call, type) => {
    if (THROTTLED.has(type)) throttles.add(1, { 'rpc.method': call.operation, 'kms_jwt.key.id': call.keyId });
  });
  return {
    traceKmsCall,
    traceSign<T>(call: SigningCall, run: () => Promise<T>): Promise<T> {
      const metric: Attributes = { 'kms_jwt.sign.kind': call.kind, 'kms_jwt.key.id': call.keyId };
      return timedSpan(tracer, duration, { name: 'kms_jwt.sign', kind: SpanKind.INTERNAL, attributes: metric, metric }, run);
    },
    onLimiterWait: (event) => limiterWait.record(event.waitMs / 1000, { 'kms_jwt.key.arn': event.keyArn }),
  };
}
