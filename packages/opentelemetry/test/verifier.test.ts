// The verifier facet with the real OpenTelemetry SDK: tokens signed by kms-jwt-signer through
// kms-local, verified by kms-jwt-verifier trusting the key through kms-pubkey-provider; every count
// read back from a pull metric reader, the refusal event from an in-memory span exporter.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { context, metrics, trace } from '@opentelemetry/api';
import { createKmsJwtSigner, type KmsJwtSigner } from 'kms-jwt-signer';
import { createVerifier, type Verifier } from 'kms-jwt-verifier';
import { createBearerAuth } from 'kms-jwt-verifier/http';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtTelemetry, REFUSAL_EVENT, TelemetryConfigError } from '../src/index.js';
import { pointsOf, StackContextManager, startSdk, valueOf, type SdkHarness } from './support/sdk-harness.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';
const VERIFICATIONS = 'kms_jwt.verifier.verifications';
const LOOKUPS = 'kms_jwt.verifier.cache.lookups';
const HTTP_REFUSALS = 'kms_jwt.http.refusals';

let kms: KmsLocal;
let client: KMSClient;
let provider: KmsKeyProvider;
let signer: KmsJwtSigner;
let untrustedSigner: KmsJwtSigner;
let sdk: SdkHarness;

async function createKey(): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no ARN');
  return KeyMetadata.Arn;
}

/** Rejects: what it rejected with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  kms = await startKmsLocal();
  client = new KMSClient({ ...kms.clientConfig, maxAttempts: 1 });
  const trusted = await createKey();
  const other = await createKey();
  provider = createKmsKeyProvider({ client, keys: [trusted] });
  await provider.ready();
  signer = createKmsJwtSigner({ keyId: trusted, client, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 300 });
  untrustedSigner = createKmsJwtSigner({ keyId: other, client, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 300 });
});

afterAll(async () => {
  provider?.close();
  client?.destroy();
  await kms?.close();
});

afterEach(async () => {
  await sdk?.shutdown();
  metrics.disable();
  trace.disable();
  context.disable();
});

function instrumentedVerifier(options: { refusalEvents?: boolean; nowMs?: () => number } = {}): Verifier {
  sdk = startSdk();
  const telemetry = createKmsJwtTelemetry({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider, ...(options.refusalEvents === undefined ? {} : { refusalEvents: options.refusalEvents }) });
  return createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, telemetry: telemetry.verifier, ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }) });
}

describe('kms-jwt-opentelemetry: the verifier', () => {
  it('counts verifications by outcome and refusals by error code (error.type)', async () => {
    let skewMs = 0;
    const verifier = instrumentedVerifier({ nowMs: () => Date.now() + skewMs });
    const token = await signer.sign({ sub: 'user-1' });
    await verifier.verify(token);
    await verifier.verify(await signer.sign({ sub: 'user-2' }));
    await refusal(verifier.verify(await untrustedSigner.sign({ sub: 'user-3' })));
    await refusal(verifier.verify(`${token.slice(0, -4)}AAAA`));
    await refusal(verifier.verify('not-a-token'));
    skewMs = 3_600_000;
    await refusal(verifier.verify(await signer.sign({ sub: 'user-4' })));

    const points = await sdk.collect();
    expect(valueOf(points, VERIFICATIONS, { 'kms_jwt.verification.outcome': 'verified' })).toBe(2);
    expect(valueOf(points, VERIFICATIONS, { 'error.type': 'ERR_KID_UNTRUSTED' })).toBe(1);
    expect(valueOf(points, VERIFICATIONS, { 'error.type': 'ERR_JWS_SIGNATURE_INVALID' })).toBe(1);
    expect(valueOf(points, VERIFICATIONS, { 'error.type': 'ERR_TOKEN_MALFORMED' })).toBe(1);
    expect(valueOf(points, VERIFICATIONS, { 'error.type': 'ERR_JWT_EXPIRED' })).toBe(1);
    for (const point of pointsOf(points, VERIFICATIONS)) {
      expect(point).toMatchObject({ unit: '{verification}', kind: 'counter' });
      if (point.attributes['kms_jwt.verification.outcome'] === 'refused') expect(Object.keys(point.attributes).sort()).toEqual(['error.type', 'kms_jwt.verification.outcome']);
      else expect(point.attributes).toEqual({ 'kms_jwt.verification.outcome': 'verified' });
    }
  });

  it('counts verified-token cache hits and misses, cumulatively across collections', async () => {
    const verifier = instrumentedVerifier();
    const token = await signer.sign({ sub: 'user-1' });
    // Admitted on its second verification: miss, miss, then hits.
    for (let i = 0; i < 5; i += 1) await verifier.verify(token);
    let points = await sdk.collect();
    expect(valueOf(points, LOOKUPS, { 'kms_jwt.cache.result': 'miss' })).toBe(2);
    expect(valueOf(points, LOOKUPS, { 'kms_jwt.cache.result': 'hit' })).toBe(3);
    expect(valueOf(points, VERIFICATIONS, { 'kms_jwt.verification.outcome': 'verified' })).toBe(5);
    await verifier.verify(token);
    points = await sdk.collect();
    expect(valueOf(points, LOOKUPS, { 'kms_jwt.cache.result': 'hit' })).toBe(4);
    expect(pointsOf(points, LOOKUPS).every((point) => point.unit === '{lookup}')).toBe(true);
  });

  it('counts the requests the HTTP layer refuses, by code, status and adapter', async () => {
    const verifier = instrumentedVerifier();
    const auth = createBearerAuth<undefined>({ verifier, isRevoked: (_context, verified) => verified.payload.sub === 'revoked-user' }, 'kms-jwt-test-adapter');
    const bearer = (token: string) => ({ headersDistinct: { authorization: [`Bearer ${token}`] } });
    await refusal(auth.authenticate(undefined, { headersDistinct: {} }));
    await refusal(auth.authenticate(undefined, { headersDistinct: {} }));
    await refusal(auth.authenticate(undefined, { headersDistinct: { authorization: ['Bearer a', 'Bearer b'] } }));
    await refusal(auth.authenticate(undefined, bearer(await untrustedSigner.sign({ sub: 'user-1' }))));
    await refusal(auth.authenticate(undefined, bearer(await signer.sign({ sub: 'revoked-user' }))));
    await auth.authenticate(undefined, bearer(await signer.sign({ sub: 'user-2' })));

    const points = await sdk.collect();
    const adapter = { 'kms_jwt.adapter': 'kms-jwt-test-adapter' };
    expect(valueOf(points, HTTP_REFUSALS, { ...adapter, 'error.type': 'ERR_CREDENTIALS_MISSING', 'http.response.status_code': 401 })).toBe(2);
    expect(valueOf(points, HTTP_REFUSALS, { ...adapter, 'error.type': 'ERR_REQUEST_INVALID', 'http.response.status_code': 400 })).toBe(1);
    expect(valueOf(points, HTTP_REFUSALS, { ...adapter, 'error.type': 'ERR_KID_UNTRUSTED', 'http.response.status_code': 401 })).toBe(1);
    expect(valueOf(points, HTTP_REFUSALS, { ...adapter, 'error.type': 'ERR_TOKEN_REVOKED', 'http.response.status_code': 401 })).toBe(1);
    expect(pointsOf(points, HTTP_REFUSALS)).toHaveLength(4);
    // The revoked token verified: the verifier counts it, the HTTP layer refused it.
    expect(valueOf(points, VERIFICATIONS, { 'kms_jwt.verification.outcome': 'verified' })).toBe(2);
  });

  it('with refusalEvents, adds an event naming the code only to the active span; without, none', async () => {
    context.setGlobalContextManager(new StackContextManager());
    const token = await signer.sign({ sub: 'user-1' });
    const tampered = `${token.slice(0, -4)}AAAA`;
    for (const refusalEvents of [true, false]) {
      const verifier = instrumentedVerifier({ refusalEvents });
      const tracer = sdk.tracerProvider.getTracer('test');
      const span = tracer.startSpan('GET /orders');
      // Verification refused synchronously (a malformed token), inside the request span's context.
      const rejected = context.with(trace.setSpan(context.active(), span), () => verifier.verify('not-a-token'));
      await refusal(rejected);
      await refusal(verifier.verify(tampered));
      span.end();
      const [exported] = sdk.spans.getFinishedSpans();
      if (refusalEvents) {
        expect(exported?.events.map((event) => ({ name: event.name, attributes: event.attributes }))).toEqual([{ name: REFUSAL_EVENT, attributes: { 'error.type': 'ERR_TOKEN_MALFORMED' } }]);
      } else {
        expect(exported?.events).toEqual([]);
      }
      // The verifier itself adds no span.
      expect(sdk.spans.getFinishedSpans()).toHaveLength(1);
      await sdk.shutdown();
    }
  });

  it('defaults to the global meter provider, and with none registered (API without SDK) verifies as before', async () => {
    const token = await signer.sign({ sub: 'user-1' });
    const noSdk = createKmsJwtTelemetry();
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, telemetry: noSdk.verifier });
    await expect(verifier.verify(token)).resolves.toMatchObject({ payload: { sub: 'user-1' } });
    await refusal(verifier.verify('not-a-token'));

    sdk = startSdk();
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    const global = createKmsJwtTelemetry();
    const counted = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, telemetry: global.verifier });
    await counted.verify(token);
    const points = await sdk.collect();
    expect(valueOf(points, VERIFICATIONS, { 'kms_jwt.verification.outcome': 'verified' })).toBe(1);
  });

  it('checks its options', () => {
    expect(() => createKmsJwtTelemetry({ meterProvider: {} as never })).toThrow(TelemetryConfigError);
    expect(() => createKmsJwtTelemetry({ tracerProvider: 'x' as never })).toThrow(/tracerProvider must be/);
    expect(() => createKmsJwtTelemetry({ refusalEvents: 'yes' as never })).toThrow(/refusalEvents/);
  });
});
