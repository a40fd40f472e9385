import { createPublicKey } from 'node:crypto';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient, type KeySpec } from '@aws-sdk/client-kms';
import { createKmsJwtSigner, createKmsMessageSigner } from 'kms-jwt-signer';
import type { JwsAlgorithm } from 'kms-jwt-verifier';
import { startKmsLocal } from 'kms-local';
import type { RuntimeSuite, SuiteTokens } from './runner.js';

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'edge-api';

/** Every JWS algorithm a KMS key signs with, and the key spec that makes it. */
export const ALGORITHM_KEY_SPECS: Readonly<Record<JwsAlgorithm, KeySpec>> = {
  ES256: 'ECC_NIST_P256',
  ES384: 'ECC_NIST_P384',
  ES512: 'ECC_NIST_P521',
  ES256K: 'ECC_SECG_P256K1',
  RS256: 'RSA_2048',
  RS384: 'RSA_2048',
  RS512: 'RSA_2048',
  PS256: 'RSA_2048',
  PS384: 'RSA_2048',
  PS512: 'RSA_2048',
  EdDSA: 'ECC_NIST_EDWARDS25519',
};

export const ALGORITHMS = Object.keys(ALGORITHM_KEY_SPECS) as JwsAlgorithm[];

/** base64url without Buffer's help is not needed here: this runs on Node.js only. */
const b64 = (text: string): string => Buffer.from(text).toString('base64url');

/**
 * Real tokens for every algorithm, signed through KMS Sign by kms-jwt-signer against kms-local (on
 * 127.0.0.1, a free port, stopped before this returns): valid, tampered, expired, signed by an
 * untrusted key, and signed by another key under the trusted kid; plus a signed message.
 */
export async function buildSuite(): Promise<RuntimeSuite> {
  const kms = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined });
  const client = new KMSClient(kms.clientConfig);
  try {
    const keyArns = new Map<KeySpec, { trusted: string; untrusted: string; pem: string; jwk: Record<string, unknown> }>();
    for (const spec of new Set(Object.values(ALGORITHM_KEY_SPECS))) {
      const create = async () => (await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.Arn ?? '';
      const trusted = await create();
      const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: trusted }));
      const publicKey = createPublicKey({ key: Buffer.from(PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
      keyArns.set(spec, { trusted, untrusted: await create(), pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), jwk: { ...publicKey.export({ format: 'jwk' }) } });
    }
    const keys: RuntimeSuite['keys'][number][] = [];
    const tokens: Record<string, SuiteTokens> = {};
    for (const alg of ALGORITHMS) {
      const key = keyArns.get(ALGORITHM_KEY_SPECS[alg]);
      if (key === undefined) throw new Error(`no key for ${alg}`);
      const signer = (keyId: string) => createKmsJwtSigner({ keyId, client, algorithm: alg, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
      const trusted = signer(key.trusted);
      const untrusted = signer(key.untrusted);
      const valid = await trusted.sign({ sub: 'user-1', scope: 'orders:read' });
      const [header, , signature] = valid.split('.');
      const now = Math.floor(Date.now() / 1000);
      const foreign = (await untrusted.sign({ sub: 'user-1' })).split('.');
      keys.push({ alg, kid: key.trusted, pem: key.pem, jwk: key.jwk });
      tokens[alg] = {
        valid,
        tampered: `${header}.${b64(JSON.stringify({ sub: 'admin', scope: 'orders:write', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 }))}.${signature}`,
        expired: await trusted.sign({ sub: 'user-1', iat: now - 600, exp: now - 60 }),
        untrusted: foreign.join('.'),
        otherKey: `${header}.${foreign[1]}.${foreign[2]}`,
      };
    }
    const messageKey = keyArns.get('ECC_NIST_P256');
    if (messageKey === undefined) throw new Error('no P-256 key');
    const payload = { order: 'o-1', lines: [{ sku: 'a-1', qty: 2 }] };
    const signed = await createKmsMessageSigner({ keyId: messageKey.trusted, client }).sign({ json: payload });
    return {
      issuer: ISSUER,
      audience: AUDIENCE,
      keys,
      tokens,
      message: { kid: messageKey.trusted, pem: messageKey.pem, jws: signed.jws, detachedJws: signed.detachedJws, payload: JSON.stringify(payload) },
    };
  } finally {
    client.destroy();
    await kms.close();
  }
}
