import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier, type KeyResolver } from '../src/index.js';
import { AUDIENCE, b64, claims, encode, ISSUER, KID, NOW } from './support/tokens.js';

// RS256 is PKCS #1 v1.5, whatever key the resolver hands over. An RSA-PSS key (SPKI id-RSASSA-PSS)
// defaults to PSS padding in node:crypto, so a verifier that left the padding to the key would check
// an "RS256" token as PS256 and accept a PSS signature under the wrong algorithm.

const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const resolver: KeyResolver = { resolve: () => ({ id: KID, publicKey: pss.publicKey, algorithms: ['RS256'] }) };

function rs256HeaderWithPssSignature(): string {
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: KID })}.${encode(claims())}`;
  const signature = sign('sha256', Buffer.from(input), { key: pss.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return `${input}.${b64(signature)}`;
}

describe('an RSA-PSS key a resolver says verifies RS256', () => {
  for (const signatureVerification of ['sync', 'threadpool'] as const) {
    it(`never accepts a PSS signature under alg RS256 (${signatureVerification})`, async () => {
      const verifier = createVerifier({ keys: resolver, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000, signatureVerification });
      const outcome = await verifier.verify(rs256HeaderWithPssSignature()).then(
        () => 'accepted',
        (error: { code?: string }) => error.code,
      );
      expect(outcome).not.toBe('accepted');
      expect(outcome).toMatch(/^ERR_/);
    });
  }
});
