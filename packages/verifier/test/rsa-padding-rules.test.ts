import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier, type KeyResolver } from '../src/index.js';
import { AUDIENCE, b64, claims, encode, ISSUER, KID, NOW } from './support/tokens.js';

// RS256, RS384 and RS512 are PKCS #1 v1.5, whatever key the resolver hands over. An RSA-PSS key (SPKI id-RSASSA-PSS)
// defaults to PSS padding in node:crypto, so a verifier that left the padding to the key would check
// an "RS256" token as PS256 and accept a PSS signature under the wrong algorithm.

const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const HASHES = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' } as const;

/** A token under `alg` (RS*) whose signature is RSA-PSS with that hash and a salt of its length, as PS* would sign. */
function rsHeaderWithPssSignature(alg: keyof typeof HASHES): string {
  const input = `${encode({ alg, typ: 'JWT', kid: KID })}.${encode(claims())}`;
  const signature = sign(HASHES[alg], Buffer.from(input), { key: pss.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  return `${input}.${b64(signature)}`;
}

describe.each(['RS256', 'RS384', 'RS512'] as const)('an RSA-PSS key a resolver says verifies %s', (alg) => {
  const resolver: KeyResolver = { resolve: () => ({ id: KID, publicKey: pss.publicKey, algorithms: [alg] }) };

  it.each(['sync', 'threadpool'] as const)('never accepts a PSS signature under that alg (%s)', async (signatureVerification) => {
    const verifier = createVerifier({ keys: resolver, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000, signatureVerification });
    const outcome = await verifier.verify(rsHeaderWithPssSignature(alg)).then(
      () => 'accepted',
      (error: { code?: string }) => error.code,
    );
    expect(outcome).not.toBe('accepted');
    expect(outcome).toMatch(/^ERR_/);
  });
});
