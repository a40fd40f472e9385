// What every cold-start case gets in its environment, shared by cold-start.bench.mjs (wall time) and
// instructions.mjs (callgrind): kms-local started on a free loopback port with one P-256 key, a
// kms-pubkey-provider snapshot of it (`exportSnapshot()`, in a temporary file), its JWKS
// (`exportJwks()`) and PEM, and one token signed as kms-jwt-signer would (`kid` = the key ARN, R‖S
// signature). kms-local keeps answering (the ours-kms case calls it) until `close()`.
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { startKmsLocal } from 'kms-local';

export const issuer = 'https://issuer.example';
export const audience = 'orders-api';

export const allCases = [
  { name: 'empty', label: 'empty Node.js process (baseline)' },
  { name: 'ours-snapshot', label: 'kms-pubkey-provider from a snapshot file (`confirmSnapshot: false`) + kms-jwt-verifier' },
  { name: 'ours-snapshot-kms-entry', label: 'the same, `createKmsKeyProvider` from the `kms-pubkey-provider/kms` entry' },
  { name: 'ours-pem', label: 'kms-jwt-verifier from a PEM' },
  { name: 'ours-kms', label: 'kms-pubkey-provider from KMS (kms-local; @aws-sdk/client-kms imported) + kms-jwt-verifier' },
  { name: 'aws-jwt-verify', label: 'aws-jwt-verify, `cacheJwks` from a JWKS object' },
  { name: 'jose-spki', label: 'jose, `importSPKI` + `jwtVerify`' },
  { name: 'jose-jwk', label: 'jose, `importJWK` + `jwtVerify`' },
];

/**
 * BENCH_LAYOUT: `workspace` (default) runs the cases where they are, on this pnpm workspace's
 * node_modules (every package a symlink into node_modules/.pnpm or packages/); `flat` runs them on a
 * node_modules as npm installs it (each package a plain folder at the top), made by `flatLayout()`.
 */
export const LAYOUT = process.env.BENCH_LAYOUT ?? 'workspace';
if (LAYOUT !== 'workspace' && LAYOUT !== 'flat') throw new Error(`BENCH_LAYOUT=${LAYOUT}: expected workspace or flat`);

/** The cases BENCH_CASES names (comma-separated; default all), with `empty` always first; `ours-kms` not in the flat layout (the AWS SDK's dependency tree is not copied). */
export function selectedCases() {
  const wanted = (process.env.BENCH_CASES ?? '').split(',').filter(Boolean);
  const unknown = wanted.filter((name) => !allCases.some((c) => c.name === name));
  if (unknown.length > 0) throw new Error(`BENCH_CASES=${process.env.BENCH_CASES} names an unknown case: ${unknown.join(', ')}`);
  const available = allCases.filter((c) => LAYOUT === 'workspace' || c.name !== 'ours-kms');
  return available.filter((c) => c.name === 'empty' || wanted.length === 0 || wanted.includes(c.name));
}

const casesDir = fileURLToPath(new URL('./cases/', import.meta.url));
let flatDir;

/** The file a case runs: in cases/, or in the flat layout's copy once `flatLayout()` made it. */
export const caseScript = (c) => join(flatDir ?? casesDir, `${c.name}.mjs`);

/**
 * Builds the flat layout in `dir`: the cases, beside a node_modules holding kms-jwt-verifier and
 * kms-pubkey-provider as published (package.json and dist) and aws-jwt-verify and jose as
 * installed here (none of them has dependencies of its own), each a plain folder.
 */
export function flatLayout(dir) {
  const root = join(dir, 'flat');
  const modules = join(root, 'node_modules');
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const [name, folder] of [
    ['kms-jwt-verifier', '../../packages/verifier'],
    ['kms-pubkey-provider', '../../packages/provider'],
  ]) {
    cpSync(join(here, folder, 'package.json'), join(modules, name, 'package.json'));
    cpSync(join(here, folder, 'dist'), join(modules, name, 'dist'), { recursive: true, filter: (path) => !path.endsWith('.tsbuildinfo') });
  }
  const installed = [
    ['aws-jwt-verify', join(here, 'node_modules/aws-jwt-verify')],
    ['jose', join(here, 'node_modules/jose')],
  ];
  for (const [name, link] of installed) cpSync(realpathSync(link), join(modules, name), { recursive: true, dereference: true });
  cpSync(casesDir, root, { recursive: true });
  flatDir = root;
}

/** Starts kms-local and prepares the key material; returns the cases' environment, a scratch directory and `close()`. */
export async function prepareFixture() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // One ES256 key in kms-local; the snapshot, PEM and JWKS all come from what KMS answers for it.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kms = await startKmsLocal({
    seed: { keys: [{ keySpec: 'ECC_NIST_P256', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), aliases: ['alias/bench'] }] },
  });
  const dir = mkdtempSync(join(tmpdir(), 'kms-jwt-cold-start-'));
  const close = async () => {
    await kms.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const client = new KMSClient(kms.clientConfig);
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/bench' }));
    const keyArn = KeyMetadata?.Arn;
    if (keyArn === undefined) throw new Error('kms-local did not describe the seeded key');
    const provider = createKmsKeyProvider({ keys: [keyArn], client });
    await provider.ready();
    const snapshotFile = join(dir, 'snapshot.json');
    writeFileSync(snapshotFile, JSON.stringify(provider.exportSnapshot()));
    const jwks = provider.exportJwks();
    provider.close();
    client.destroy();
    const publicKeyPem = jwks.keys.length === 1 ? createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString() : undefined;
    if (publicKeyPem === undefined) throw new Error('expected one key in the JWKS');

    // One token as kms-jwt-signer makes it (kid = the key ARN, R‖S signature), signed here with the same private key.
    const now = Math.floor(Date.now() / 1000);
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'ES256', typ: 'JWT', kid: keyArn })}.${encode({ iss: issuer, aud: audience, sub: 'user-1', iat: now, exp: now + 3600 })}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;

    const env = {
      ...process.env,
      BENCH_TOKEN: token,
      BENCH_KEY_ARN: keyArn,
      BENCH_ISSUER: issuer,
      BENCH_AUDIENCE: audience,
      BENCH_SNAPSHOT_FILE: snapshotFile,
      BENCH_PEM: publicKeyPem,
      BENCH_JWKS: JSON.stringify(jwks),
      BENCH_KMS_CLIENT_CONFIG: JSON.stringify(kms.clientConfig),
    };
    if (LAYOUT === 'flat') flatLayout(dir);
    return { env, dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
