// Hygiene of the instrumentation: every metric point and span (attributes, events) exported while
// real tokens from kms-local are verified, refused, answered by the HTTP layer and revoked holds no
// token, token segment, signature, `sub` or `jti` — scanned with the hygiene suite's secret finder.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { context, trace } from '@opentelemetry/api';
import { createRevocationList } from 'kms-jwt-fleet';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { createVerifier } from 'kms-jwt-verifier';
import { createBearerAuth } from 'kms-jwt-verifier/http';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addForbiddenLiterals, Secrets } from '../../../test/hygiene/support/secrets.js';
import { createKmsJwtTelemetry } from '../src/index.js';
import { attributeText, StackContextManager, startSdk } from './support/sdk-harness.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';

let kms: KmsLocal;
let client: KMSClient;
let provider: KmsKeyProvider;
let trustedArn: string;
let otherArn: string;

async function createKey(): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no ARN');
  return KeyMetadata.Arn;
}

async function settled(promise: Promise<unknown>): Promise<void> {
  await promise.then(
    () => undefined,
    () => undefined,
  );
}

beforeAll(async () => {
  kms = await startKmsLocal();
  client = new KMSClient({ ...kms.clientConfig, maxAttempts: 1 });
  trustedArn = await createKey();
  otherArn = await createKey();
  provider = createKmsKeyProvider({ client, keys: [trustedArn] });
  await provider.ready();
});

afterAll(async () => {
  provider?.close();
  client?.destroy();
  await kms?.close();
  context.disable();
});

describe('kms-jwt-opentelemetry: hygiene', () => {
  it('no attribute value of any metric, span or span event holds a token, its signature, sub or jti', async () => {
    context.setGlobalContextManager(new StackContextManager());
    const sdk = startSdk();
    const secrets = new Secrets();
    addForbiddenLiterals(secrets);
    const telemetry = createKmsJwtTelemetry({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider, refusalEvents: true });
    let skewMs = 0;
    const verifier = createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE, telemetry: telemetry.verifier, nowMs: () => Date.now() + skewMs });
    const list = createRevocationList({ telemetry: telemetry.fleet });
    const auth = createBearerAuth<undefined>({ verifier, isRevoked: list.isRevoked }, 'kms-jwt-hygiene');
    const signer = createKmsJwtSigner({ keyId: trustedArn, client, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 300 });
    const untrusted = createKmsJwtSigner({ keyId: otherArn, client, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 300 });

    const tokens: string[] = [];
    for (const [index, by] of [signer, signer, signer, untrusted].entries()) {
      const sub = `hygiene-subject-${index}-${Math.random().toString(36).slice(2)}`;
      const token = await by.sign({ sub, scope: 'orders:read' });
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string };
      secrets.addToken(token, `token ${index}`);
      secrets.addLiteral(sub, `sub of token ${index}`);
      secrets.addLiteral(payload.jti, `jti of token ${index}`);
      tokens.push(token);
    }
    const [first = '', second = '', revoked = '', foreign = ''] = tokens;
    const tampered = `${first.slice(0, -4)}AAAA`;
    secrets.addToken(tampered, 'tampered');

    const tracer = sdk.tracerProvider.getTracer('hygiene');
    const request = (token: string | undefined) => ({ headersDistinct: token === undefined ? {} : { authorization: [`Bearer ${token}`] } });
    await list.revoke(await verifier.verify(revoked));
    for (const token of [first, first, first, second, revoked, foreign, tampered, 'not-a-token', undefined]) {
      const span = tracer.startSpan('GET /orders');
      const outcome = context.with(trace.setSpan(context.active(), span), () => auth.authenticate(undefined, request(token)));
      await settled(outcome);
      span.end();
    }
    skewMs = 3_600_000;
    await settled(verifier.verify(second));

    const text = attributeText(await sdk.collectRaw(), sdk.spans.getFinishedSpans());
    // What was scanned is what the instruments exported: codes, adapters, outcomes.
    expect(text).toContain('ERR_KID_UNTRUSTED');
    expect(text).toContain('ERR_TOKEN_REVOKED');
    expect(text).toContain('kms_jwt.verification.refused');
    expect(secrets.findLeaks(text)).toEqual([]);
    // The scanner finds a token where there is one.
    expect(secrets.findLeaks(`${text}${first}`).length).toBeGreaterThan(0);
    await list.close();
    await sdk.shutdown();
  });
});
