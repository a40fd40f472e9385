import { CreateAliasCommand, CreateKeyCommand, KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { createVerifier, type Verifier } from 'kms-jwt-verifier';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'orders-api';
/** The alias the world's tokens are signed through and its verifier trusts. */
export const ALIAS = 'alias/orders-issuer';

/** Timers that never fire: the providers refresh only when a test asks (ready()), never in the background. */
const idle = { setTimeout: () => 0, clearTimeout: () => undefined };

/** Tokens made through KMS Sign by kms-jwt-signer; tests use them and never print them. */
export interface Tokens {
  /** Signed through the alias after it moved to the new key. */
  readonly current: string;
  /** Signed by the key the alias left, before the move (still trusted within the grace window). */
  readonly previous: string;
  readonly expired: string;
  /** Signed by a KMS key no verifier trusts. */
  readonly untrusted: string;
  /** Its jti is in {@link KmsWorld.revoked}. */
  readonly revoked: string;
}

export interface KmsWorld {
  readonly provider: KmsKeyProvider;
  /** Verifies with `provider` (kms-local up, alias rotated, keys cached). */
  readonly verifier: Verifier;
  /** Verifies with a provider whose KMS answers every call with a 5xx and which has nothing cached. */
  readonly coldVerifier: Verifier;
  readonly revoked: ReadonlySet<string>;
  readonly tokens: Tokens;
  /** Signs a token through the alias (KMS Sign), with `sub: 'user-1'` unless `claims` say otherwise. */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** The key ARNs: the alias's first key and the one it moved to. */
  readonly previousKeyArn: string;
  readonly currentKeyArn: string;
  /** The kms-local that holds the keys and answers `provider` (its call counts, its faults). */
  readonly kmsLocal: KmsLocal;
  /** The kms-local behind `coldVerifier`, which answers every call with a 5xx. */
  readonly downKmsLocal: KmsLocal;
  close(): Promise<void>;
}

/** Creates an ECC_NIST_P256 signing key in the KMS `client` talks to; returns its ARN. */
export async function createKey(client: KMSClient): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata?.Arn === undefined) throw new Error('kms-local created a key without an ARN');
  return KeyMetadata.Arn;
}

/** Options of {@link startKmsWorld}. */
export interface KmsWorldOptions {
  /** The data file kms-local persists its keys to (their private keys included), for tests that need the key material. Default: none, in memory only. */
  readonly dataFile?: string;
}

/**
 * kms-local with an alias that has rotated once (the provider saw it), tokens signed through KMS, a
 * verifier over kms-pubkey-provider, and a second kms-local that is down for the cold verifier.
 */
export async function startKmsWorld(options: KmsWorldOptions = {}): Promise<KmsWorld> {
  const kms: KmsLocal = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined, ...(options.dataFile === undefined ? {} : { dataFile: options.dataFile }) });
  const down: KmsLocal = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined });
  down.faults.inject({ type: 'unavailable' });
  const admin = new KMSClient(kms.clientConfig);
  const client = new KMSClient({ ...kms.clientConfig, maxAttempts: 1 });
  const downClient = new KMSClient({ ...down.clientConfig, maxAttempts: 1 });

  const previousKeyArn = await createKey(admin);
  await admin.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: previousKeyArn }));
  const provider = createKmsKeyProvider({ client, keys: [ALIAS], aliasRefreshMs: 20, timers: idle });
  await provider.ready();
  const signer = createKmsJwtSigner({ keyId: ALIAS, client: admin, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE, aliasCacheMaxAgeMs: 0 });
  const claims = { sub: 'user-1', scope: 'orders:read profile' };
  const previous = await signer.sign(claims);

  // Rotation: the alias moves to a new key; the provider sees it at its next alias refresh.
  const currentKeyArn = await createKey(admin);
  await admin.send(new UpdateAliasCommand({ AliasName: ALIAS, TargetKeyId: currentKeyArn }));
  await new Promise((resolve) => setTimeout(resolve, 40));
  await provider.ready();

  const now = Math.floor(Date.now() / 1000);
  const revokedToken = await signer.sign({ ...claims, jti: 'revoked-1' });
  const untrustedSigner = createKmsJwtSigner({ keyId: await createKey(admin), client: admin, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
  const tokens: Tokens = {
    current: await signer.sign(claims),
    previous,
    expired: await signer.sign({ ...claims, iat: now - 600, exp: now - 60 }),
    untrusted: await untrustedSigner.sign(claims),
    revoked: revokedToken,
  };

  const coldProvider = createKmsKeyProvider({ client: downClient, keys: [currentKeyArn], timers: idle });
  return {
    provider,
    verifier: createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE }),
    coldVerifier: createVerifier({ keys: coldProvider, issuer: ISSUER, audience: AUDIENCE }),
    revoked: new Set(['revoked-1']),
    tokens,
    sign: (extra) => signer.sign({ sub: 'user-1', ...extra }),
    previousKeyArn,
    currentKeyArn,
    kmsLocal: kms,
    downKmsLocal: down,
    async close() {
      provider.close();
      coldProvider.close();
      for (const sdk of [admin, client, downClient]) sdk.destroy();
      await Promise.all([kms.close(), down.close()]);
    },
  };
}
