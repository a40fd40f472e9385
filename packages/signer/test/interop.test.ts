import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KeySpec } from '@aws-sdk/client-kms';
import { JwtVerifier } from 'aws-jwt-verify';
import { JwtInvalidSignatureAlgorithmError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { createVerifier as createFastJwtVerifier, TokenError, type Algorithm as FastJwtAlgorithm } from 'fast-jwt';
import { errors as joseErrors, importSPKI, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createVerifier } from 'kms-jwt-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsJwtSigner, type JwsAlgorithm } from '../src/index.js';
import { createKey, decodeToken, joseToDer, useKmsLocal, type TestKey } from './support.js';

const execFileAsync = promisify(execFile);

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'orders-api';

/** Every JWS algorithm a KMS key makes, with the key spec that makes it here. */
const CASES: ReadonlyArray<{ readonly alg: JwsAlgorithm; readonly spec: KeySpec; readonly signatureBytes: number }> = [
  { alg: 'ES256', spec: 'ECC_NIST_P256', signatureBytes: 64 },
  { alg: 'ES384', spec: 'ECC_NIST_P384', signatureBytes: 96 },
  { alg: 'ES512', spec: 'ECC_NIST_P521', signatureBytes: 132 },
  { alg: 'ES256K', spec: 'ECC_SECG_P256K1', signatureBytes: 64 },
  { alg: 'RS256', spec: 'RSA_2048', signatureBytes: 256 },
  { alg: 'RS384', spec: 'RSA_3072', signatureBytes: 384 },
  { alg: 'RS512', spec: 'RSA_4096', signatureBytes: 512 },
  { alg: 'PS256', spec: 'RSA_2048', signatureBytes: 256 },
  { alg: 'PS384', spec: 'RSA_3072', signatureBytes: 384 },
  { alg: 'PS512', spec: 'RSA_4096', signatureBytes: 512 },
  { alg: 'EdDSA', spec: 'ECC_NIST_EDWARDS25519', signatureBytes: 64 },
];

/**
 * What each library lacks, checked against its source (and asserted below: the library refuses
 * such a token with its own "unsupported" error, so the gap is the library's, not the token's):
 * - jose 6 has no ES256K (WebCrypto has no secp256k1);
 * - jsonwebtoken 9 has neither ES256K nor EdDSA;
 * - fast-jwt 6 has no ES256K (not among its algorithms, and no secp256k1 curve);
 * - aws-jwt-verify 5 has neither PS256/384/512 nor ES256K.
 */
const LACKS: Readonly<Record<'jose' | 'jsonwebtoken' | 'fast-jwt' | 'aws-jwt-verify', readonly JwsAlgorithm[]>> = {
  jose: ['ES256K'],
  jsonwebtoken: ['ES256K', 'EdDSA'],
  'fast-jwt': ['ES256K'],
  'aws-jwt-verify': ['PS256', 'PS384', 'PS512', 'ES256K'],
};

const supports = (library: keyof typeof LACKS, alg: JwsAlgorithm): boolean => !LACKS[library].includes(alg);

interface Signed {
  readonly key: TestKey;
  readonly token: string;
}

describe('interop: tokens signed through kms-local verify with jose, jsonwebtoken, fast-jwt, aws-jwt-verify, openssl and kms-jwt-verifier', () => {
  const env = useKmsLocal();
  const signed = new Map<JwsAlgorithm, Signed>();
  let dir = '';
  let files = 0;

  beforeAll(async () => {
    const { client } = env();
    dir = await mkdtemp(join(tmpdir(), 'kms-jwt-signer-interop-'));
    const keys = new Map<KeySpec, TestKey>();
    for (const { spec } of CASES) if (!keys.has(spec)) keys.set(spec, await createKey(client, spec));
    for (const { alg, spec } of CASES) {
      const key = keys.get(spec);
      if (key === undefined) throw new Error(`no key for ${spec}`);
      // selfVerify: the signer itself checks every signature against GetPublicKey's key before returning it.
      const signer = createKmsJwtSigner({ keyId: key.arn, algorithm: alg, client, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE, selfVerify: true });
      signed.set(alg, { key, token: await signer.sign({ sub: 'user-1', scope: 'orders:read' }) });
    }
  });

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  function get(alg: JwsAlgorithm): Signed {
    const entry = signed.get(alg);
    if (entry === undefined) throw new Error(`no token for ${alg}`);
    return entry;
  }

  async function tempFile(contents: Buffer | string): Promise<string> {
    const path = join(dir, `f${files++}`);
    await writeFile(path, contents);
    return path;
  }

  /** `openssl` over the signing input with GetPublicKey's PEM; exit 0 is verified, exit 1 is not, anything else fails the test. */
  async function opensslVerifies(alg: JwsAlgorithm, pem: string, input: string, signature: Buffer): Promise<boolean> {
    const pemPath = await tempFile(pem);
    const inputPath = await tempFile(input);
    const signaturePath = await tempFile(alg.startsWith('ES') ? joseToDer(signature) : signature);
    const args =
      alg === 'EdDSA'
        ? ['pkeyutl', '-verify', '-pubin', '-inkey', pemPath, '-rawin', '-in', inputPath, '-sigfile', signaturePath]
        : [
            'dgst',
            `-sha${alg.slice(2, 5)}`,
            '-verify',
            pemPath,
            ...(alg.startsWith('PS') ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'] : []),
            '-signature',
            signaturePath,
            inputPath,
          ];
    try {
      const { stdout } = await execFileAsync('openssl', args);
      expect(stdout).toMatch(/Verified OK|Signature Verified Successfully/);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 1) return false;
      throw error;
    }
  }

  describe.each(CASES)('$alg ($spec)', ({ alg, signatureBytes }) => {
    it('carries alg, kid = key ARN and typ JWT, and a signature of the JWS size', () => {
      const { key, token } = get(alg);
      const { header, signature } = decodeToken(token);
      expect(header).toEqual({ alg, kid: key.arn, typ: 'JWT' });
      expect(signature).toHaveLength(signatureBytes);
    });

    it('verifies with kms-jwt-verifier', async () => {
      const { key, token } = get(alg);
      const verified = await createVerifier({ keys: [{ kid: key.arn, key: key.pem }], issuer: ISSUER, audience: AUDIENCE }).verify(token);
      expect(verified.key).toBe(key.arn);
      expect(verified.header.alg).toBe(alg);
      expect(verified.payload.sub).toBe('user-1');
    });

    it('verifies with the openssl command line, which rejects the same signature over a changed input', async () => {
      const { key, token } = get(alg);
      const { signingInput, signature } = decodeToken(token);
      expect(await opensslVerifies(alg, key.pem, signingInput, signature)).toBe(true);
      expect(await opensslVerifies(alg, key.pem, `${signingInput}x`, signature)).toBe(false);
    });

    if (supports('jose', alg)) {
      it('verifies with jose', async () => {
        const { key, token } = get(alg);
        const { payload, protectedHeader } = await jwtVerify(token, await importSPKI(key.pem, alg), { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
        expect(protectedHeader.kid).toBe(key.arn);
        expect(payload.sub).toBe('user-1');
      });
    } else {
      it('is refused by jose, which lacks it (JOSENotSupported)', async () => {
        const { key } = get(alg);
        await expect(importSPKI(key.pem, alg)).rejects.toBeInstanceOf(joseErrors.JOSENotSupported);
      });
    }

    if (supports('jsonwebtoken', alg)) {
      it('verifies with jsonwebtoken', () => {
        const { key, token } = get(alg);
        const payload = jsonwebtoken.verify(token, key.pem, { algorithms: [alg as jsonwebtoken.Algorithm], issuer: ISSUER, audience: AUDIENCE });
        expect(payload).toMatchObject({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE });
      });
    } else {
      it('is refused by jsonwebtoken, which lacks it', () => {
        const { key, token } = get(alg);
        expect(() => jsonwebtoken.verify(token, key.pem, { algorithms: [alg as jsonwebtoken.Algorithm] })).toThrow(
          alg === 'EdDSA' ? /Unknown key type "ed25519"/ : /"alg" parameter for "ec" key type must be one of: ES256, ES384, ES512/,
        );
      });
    }

    if (supports('fast-jwt', alg)) {
      it('verifies with fast-jwt', () => {
        const { key, token } = get(alg);
        const verify = createFastJwtVerifier({ key: key.pem, algorithms: [alg as FastJwtAlgorithm], allowedIss: ISSUER, allowedAud: AUDIENCE });
        expect(verify(token)).toMatchObject({ sub: 'user-1' });
      });
    } else {
      it('is refused by fast-jwt, which lacks it (FAST_JWT_INVALID_ALGORITHM)', () => {
        const { key, token } = get(alg);
        const verify = createFastJwtVerifier({ key: key.pem });
        let caught: unknown;
        try {
          verify(token);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(TokenError);
        expect((caught as TokenError).code).toBe(TokenError.codes.invalidAlgorithm);
      });
    }

    function awsVerifier(key: TestKey): ReturnType<typeof JwtVerifier.create<{ issuer: string; audience: string; jwksUri: string }>> {
      // A static JWKS: cacheJwks loads it, so verifySync never fetches the (unused) jwksUri.
      const verifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://issuer.example/.well-known/jwks.json' });
      const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: key.arn, alg, use: 'sig' };
      verifier.cacheJwks({ keys: [jwk] } as Jwks);
      return verifier;
    }

    if (supports('aws-jwt-verify', alg)) {
      it('verifies with aws-jwt-verify (JwtVerifier with a static JWKS)', () => {
        const { key, token } = get(alg);
        expect(awsVerifier(key).verifySync(token)).toMatchObject({ sub: 'user-1', iss: ISSUER });
      });
    } else {
      it('is refused by aws-jwt-verify, which lacks it (JwtInvalidSignatureAlgorithmError)', () => {
        const { key, token } = get(alg);
        expect(() => awsVerifier(key).verifySync(token)).toThrow(JwtInvalidSignatureAlgorithmError);
        expect(() => awsVerifier(key).verifySync(token)).toThrow(`JWT signature algorithm not allowed: ${alg}`);
      });
    }
  });
});
