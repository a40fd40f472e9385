import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { KmsCall, TraceKmsCall } from 'kms-jwt-verifier';
import { DURATION_BUCKETS_S, type TelemetryScope } from './telemetry-scope.js';
import { timedSpan } from './timed-span.js';

/** Which kms-jwt package made a KMS call (the `kms_jwt.component` attribute). */
export type KmsCallComponent = 'provider' | 'signer';

/** The AWS request id an SDK output or error carries in `$metadata.requestId`, when it looks like one. */
function requestId(value: unknown): string | undefined {
  const metadata = typeof value === 'object' && value !== null ? (value as { $metadata?: unknown }).$metadata : undefined;
  const id = typeof metadata === 'object' && metadata !== null ? (metadata as { requestId?: unknown }).requestId : undefined;
  return typeof id === 'string' && /^[A-Za-z0-9-]{1,128}$/.test(id) ? id : undefined;
}

const ARN_REGION = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/;
const ENDPOINT_REGION = /^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Where the call goes: `cloud.region` (from the key ARN, else AWS's endpoint host), `server.address` and `server.port`. */
function placeAttributes(call: KmsCall, attributes: Attributes): void {
  let url: URL | undefined;
  try {
    url = call.endpoint === undefined ? undefined : new URL(call.endpoint);
  } catch {
    url = undefined;
  }
  const region = ARN_REGION.exec(call.keyId)?.[1] ?? (url === undefined ? undefined : ENDPOINT_REGION.exec(url.hostname)?.[1]);
  if (region !== undefined) attributes['cloud.region'] = region;
  if (url !== undefined) {
    attributes['server.address'] = url.hostname;
    attributes['server.port'] = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
  }
}

/**
 * The OpenTelemetry side of `traceKmsCall`: a CLIENT span `KMS.<Operation>` per call, active while the
 * SDK runs it (so the SDK's own spans become its children), with the attributes OpenTelemetry's AWS SDK
 * conventions give (`rpc.system` `aws-api`, `rpc.service` `KMS`, `rpc.method`, `cloud.region`,
 * `aws.request_id`), and its duration in the `kms_jwt.kms.call.duration` histogram. `onFailure` is told
 * of each failed call's error type (the signer counts throttles from it).
 */
export function createKmsCallTracer(scope: TelemetryScope, component: KmsCallComponent, onFailure?: (call: KmsCall, type: string) => void): TraceKmsCall {
  const duration = scope.meter.createHistogram('kms_jwt.kms.call.duration', {
    description: 'Duration of the KMS calls kms-jwt makes (GetPublicKey, DescribeKey, Sign), by operation and outcome (error.type on failure)',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
  });
  return <T>(call: KmsCall, run: () => Promise<T>): Promise<T> => {
    const metric: Attributes = { 'rpc.system': 'aws-api', 'rpc.service': 'KMS', 'rpc.method': call.operation, 'kms_jwt.component': component };
    const attributes: Attributes = { ...metric, 'kms_jwt.key.id': call.keyId };
    placeAttributes(call, attributes);
    if (attributes['cloud.region'] !== undefined) metric['cloud.region'] = attributes['cloud.region'];
    return timedSpan(scope.tracer, duration, {
      name: `KMS.${call.operation}`,
      kind: SpanKind.CLIENT,
      attributes,
      metric,
      settled: (span, outcome) => {
        const id = requestId('output' in outcome ? outcome.output : outcome.error);
        if (id !== undefined) span.setAttribute('aws.request_id', id);
        if ('type' in outcome) onFailure?.(call, outcome.type);
      },
    }, run);
  };
}
