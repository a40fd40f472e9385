import { KMSClient } from '@aws-sdk/client-kms';
import { encodeHeader, prepareClaims, type JwtClaims, type PreparedClaims } from './claims.js';
import { createKmsSigningCore, type SigningKeyInfo } from './kms-signing.js';
import { toSettings, type KmsJwtSignerOptions, type SignOptions } from './options.js';
import type { SigningKey } from './signing-key.js';
import { tracedSign } from './telemetry.js';

/** Signs JWTs with a KMS key. */
export interface KmsJwtSigner {
  /**
   * Signs `claims` as a compact JWS whose `kid` is the ARN of the key that signed and whose `alg`
   * follows its key spec. Rejects with a {@link KmsJwtSignerError} subclass only.
   */
  sign(claims: JwtClaims, options?: SignOptions): Promise<string>;
  /**
   * Resolves the key now (and, with `selfVerify`, fetches its public key), so that a wrong key,
   * a missing permission or an unusable algorithm shows at startup rather than on the first sign.
   * First of all, it resolves the KMS endpoint the client calls and checks it (see "The KMS
   * endpoint" in the README): plain HTTP outside loopback rejects with `SignerEndpointError` before
   * any connection.
   */
  hydrate(): Promise<SigningKeyInfo>;
}

/** Creates the signer; every configuration mistake throws a `SignerConfigError` here. No KMS call is made until the first `sign` or `hydrate`. */
export function createKmsJwtSigner(options: KmsJwtSignerOptions): KmsJwtSigner {
  const settings = toSettings(options);
  const client = options.client ?? new KMSClient({});
  const core = createKmsSigningCore(client, settings, 'token');
  /** The encoded header for each resolved key, when a call adds no header parameters of its own. */
  const headers = new WeakMap<SigningKey, string>();

  function headerSegment(key: SigningKey, claims: PreparedClaims): string {
    if (!claims.defaultHeader) return encodeHeader(key.algorithm, key.arn, settings.typ, claims.extraHeader);
    let segment = headers.get(key);
    if (segment === undefined) {
      segment = encodeHeader(key.algorithm, key.arn, settings.typ, claims.extraHeader);
      headers.set(key, segment);
    }
    return segment;
  }

  async function sign(claims: JwtClaims, callOptions?: SignOptions): Promise<string> {
    const prepared = prepareClaims(claims, callOptions, settings);
    const { signingInput, signature } = await core.sign((key) => headerSegment(key, prepared), prepared.payloadSegment);
    return `${signingInput}.${signature}`;
  }

  return { sign: tracedSign(settings.telemetry, { kind: 'token', keyId: settings.keyId }, sign), hydrate: () => core.hydrate() };
}
