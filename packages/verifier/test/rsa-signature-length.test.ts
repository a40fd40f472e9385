import { describe, expect, it } from 'vitest';
import { createVerifier, SignatureInvalidError, type JwsAlgorithm } from '../src/index.js';
import { AUDIENCE, b64, claims, expectRejection, ISSUER, keyPairFor, KID, NOW, signToken } from './support/tokens.js';

/**
 * An RSA signature is exactly as long as the key's modulus (RFC 8017, 8.1.2 and 8.2.2, step 1).
 * node:crypto and Web Crypto left-pad a shorter one; so about 1 signature in 256, whose first byte
 * is 0, would verify again with that byte cut off: a second token string for one signed token
 * (a different cache key, log line or exact-string denylist entry). The verifier refuses it.
 */
const RSA: readonly JwsAlgorithm[] = ['RS256', 'PS256'];
const signatureOf = (token: string): Buffer => Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
const withSignature = (token: string, signature: Buffer): string => `${token.slice(0, token.lastIndexOf('.'))}.${b64(signature)}`;

describe('RSA signatures of the wrong length', () => {
  const { privateKey, publicKey } = keyPairFor('RS256');
  const verifier = (mode: 'sync' | 'threadpool') =>
    createVerifier({ keys: [{ kid: KID, key: publicKey }], issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000, signatureVerification: mode, algorithms: [...RSA] });

  /** A token of `alg` whose signature starts with a 0 byte (found by signing until one does: 1 in 256). */
  function tokenWithLeadingZero(alg: JwsAlgorithm): string {
    for (let i = 0; i < 10_000; i += 1) {
      const token = signToken(alg, privateKey, claims({ jti: `leading-zero-${i}` }));
      if (signatureOf(token)[0] === 0) return token;
    }
    throw new Error('no signature with a leading 0 in 10,000 tries');
  }

  for (const alg of RSA) {
    for (const mode of ['sync', 'threadpool'] as const) {
      it(`${alg} (${mode}): refuses a signature whose leading 0 byte was cut off, which the runtime alone would accept`, async () => {
        const token = tokenWithLeadingZero(alg);
        await expect(verifier(mode).verify(token)).resolves.toMatchObject({ header: { alg } });
        const shortened = withSignature(token, signatureOf(token).subarray(1));
        const error = await expectRejection(verifier(mode).verify(shortened), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID', shortened);
        expect(error.message).toBe(`the ${alg} signature must be 256 bytes (the length of the key's modulus), got 255`);
      });
    }

    it(`${alg}: refuses a signature with a 0 byte put in front`, async () => {
      const token = signToken(alg, privateKey, claims());
      const padded = withSignature(token, Buffer.concat([Buffer.of(0), signatureOf(token)]));
      await expectRejection(verifier('sync').verify(padded), SignatureInvalidError, 'ERR_JWS_SIGNATURE_INVALID', padded);
    });
  }
});
