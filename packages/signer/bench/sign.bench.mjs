// Signing throughput of kms-jwt-signer against a bare SDK Sign loop, both through one KMSClient to
// one kms-local in this process, in interleaved rounds, so that the signer's overhead is a ratio to
// a baseline measured under the same load. Run with `pnpm bench` (builds first). Not a test: it
// asserts nothing and fails only on errors.
import { CreateKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { startKmsLocal } from 'kms-local';
import { createKmsJwtSigner } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);

const kms = await startKmsLocal();
const client = new KMSClient({ ...kms.clientConfig, maxAttempts: 1 });
try {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  const keyArn = KeyMetadata.Arn;
  const now = Math.floor(Date.now() / 1000);
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  // What a bare loop would send: a signing input of the same size as the signer's tokens.
  const header = encode({ alg: 'ES256', kid: keyArn, typ: 'JWT' });
  const inputs = Array.from({ length: 1000 }, (_, i) =>
    Buffer.from(`${header}.${encode({ sub: `user-${i}`, iat: now, exp: now + 300, jti: '6f1c1a43-5f0e-4b7f-9c55-0d1a2b3c4d5e' })}`),
  );

  const signer = createKmsJwtSigner({ keyId: keyArn, client, expiresInSeconds: 300, maxConcurrency: IN_FLIGHT });
  const limited = createKmsJwtSigner({ keyId: keyArn, client, expiresInSeconds: 300, maxConcurrency: IN_FLIGHT, maxRatePerSecond: 100_000 });
  const verified = createKmsJwtSigner({ keyId: keyArn, client, expiresInSeconds: 300, maxConcurrency: IN_FLIGHT, selfVerify: true });
  await Promise.all([signer.hydrate(), limited.hydrate(), verified.hydrate()]);

  const baseline = {
    name: 'bare SDK Sign loop (SignCommand, RAW, ECDSA_SHA_256)',
    run: (i) => client.send(new SignCommand({ KeyId: keyArn, Message: inputs[i % inputs.length], MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' })),
  };
  const candidates = [
    baseline,
    { name: 'kms-jwt-signer sign()', run: (i) => signer.sign({ sub: `user-${i}` }) },
    { name: 'kms-jwt-signer sign(), maxRatePerSecond 100000 (limiter on, never waiting)', run: (i) => limited.sign({ sub: `user-${i}` }) },
    { name: 'kms-jwt-signer sign(), selfVerify', run: (i) => verified.sign({ sub: `user-${i}` }) },
  ];

  async function measure(candidate) {
    const deadline = performance.now() + ROUND_MS;
    const started = performance.now();
    let done = 0;
    let next = 0;
    const lane = async () => {
      while (performance.now() < deadline) {
        await candidate.run(next++);
        done += 1;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    return done / ((performance.now() - started) / 1000);
  }

  // Warm-up, so that neither side pays for the SDK's first calls.
  for (const candidate of candidates) await measure(candidate);

  const results = new Map(candidates.map((candidate) => [candidate, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    // Rotate the order each round so that no candidate always runs first or last.
    for (let k = 0; k < candidates.length; k += 1) {
      const candidate = candidates[(round + k) % candidates.length];
      results.get(candidate).push(await measure(candidate));
    }
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const base = median(results.get(baseline));
  console.log(`kms-jwt-signer vs a bare SDK Sign loop: kms-local, P-256, ${IN_FLIGHT} in flight, median of ${ROUNDS} rounds of ${ROUND_MS} ms (node ${process.version})`);
  for (const candidate of candidates) {
    const perSecond = median(results.get(candidate));
    console.log(`  ${candidate.name.padEnd(78)} ${perSecond.toFixed(0).padStart(6)} signs/s   ${(perSecond / base).toFixed(3)}× the bare loop`);
  }
} finally {
  client.destroy();
  await kms.close();
}
