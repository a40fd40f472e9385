/*
 * The demo: a KMS key signs a JWT, a verifier checks it offline with the public key alone.
 * Runs on an embedded kms-local through the real @aws-sdk/client-kms; no AWS account needed.
 * (Until kms-jwt-signer and kms-jwt-verifier land, the JOSE steps are spelled out here.)
 */
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { p256 } from '@noble/curves/nist.js';
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { startKmsLocal } from 'kms-local';

const step = (text: string): void => void process.stdout.write(`\n▸ ${text}\n`);
const detail = (text: string): void => void process.stdout.write(`  ${text}\n`);

async function main(): Promise<void> {
  step('Starting kms-local, a KMS endpoint on loopback');
  const kms = await startKmsLocal();
  const client = new KMSClient(kms.clientConfig);
  detail(`endpoint ${kms.endpoint} (region ${kms.region}, account ${kms.accountId})`);
  try {
    step('Creating an ECC_NIST_P256 signing key and the alias alias/demo-issuer');
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'kms-jwt demo issuer' }));
    if (!KeyMetadata?.Arn) throw new Error('CreateKey returned no key ARN');
    await client.send(new CreateAliasCommand({ AliasName: 'alias/demo-issuer', TargetKeyId: KeyMetadata.KeyId }));
    detail(`key ARN ${KeyMetadata.Arn}`);

    step('Signing a JWT through KMS Sign: the alias is resolved to its key ARN, which becomes the kid');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'https://issuer.demo', aud: 'demo-api', sub: 'user-42', iat: now, exp: now + 300 };
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const described = await client.send(new DescribeKeyCommand({ KeyId: 'alias/demo-issuer' }));
    const kid = described.KeyMetadata?.Arn;
    if (!kid) throw new Error('DescribeKey returned no key ARN');
    const signingInput = `${encode({ alg: 'ES256', typ: 'JWT', kid })}.${encode(claims)}`;
    const { Signature, KeyId } = await client.send(
      new SignCommand({ KeyId: kid, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256', Message: Buffer.from(signingInput) }),
    );
    if (!Signature || KeyId !== kid) throw new Error('Sign answered for another key than the one asked');
    const der = Buffer.from(Signature);
    const joseSignature = Buffer.from(p256.Signature.fromBytes(der, 'der').toBytes('compact')).toString('base64url');
    const token = `${signingInput}.${joseSignature}`;
    detail(`KMS returned a ${der.length}-byte DER signature; the JWS carries it as 64-byte R‖S`);
    detail(`token ${token.slice(0, 40)}… (${token.length} characters)`);

    step('Importing the public key once (GetPublicKey) and verifying offline with jose');
    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: kid }));
    if (!PublicKey) throw new Error('GetPublicKey returned no key');
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' });
    const callsBefore = kms.callCount();
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, { algorithms: ['ES256'], issuer: claims.iss, audience: claims.aud });
    detail(`valid: sub=${String(payload.sub)}, kid=${String(protectedHeader.kid)}; KMS calls during verification: ${kms.callCount() - callsBefore}`);

    step('Tampering with the payload');
    const [header, , signature] = token.split('.');
    const tampered = `${header}.${encode({ ...claims, sub: 'admin' })}.${signature}`;
    const rejected = await jwtVerify(tampered, publicKey, { algorithms: ['ES256'] }).then(
      () => false,
      (error: unknown) => (error as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
    if (!rejected) throw new Error('a tampered token was accepted');
    detail('rejected: signature verification failed');

    step('Cross-checking the token signature with KMS Verify');
    const verified = await client.send(new VerifyCommand({ KeyId: kid, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256', Message: Buffer.from(signingInput), Signature: der }));
    detail(`KMS Verify: SignatureValid=${String(verified.SignatureValid)}`);

    step('Summary');
    detail(`KMS calls: ${kms.callCount()} (CreateKey 1, CreateAlias 1, DescribeKey ${kms.callCount('DescribeKey')}, Sign ${kms.callCount('Sign')}, GetPublicKey ${kms.callCount('GetPublicKey')}, Verify ${kms.callCount('Verify')})`);
    detail('tokens verified offline: 1 accepted, 1 tampered rejected');
  } finally {
    client.destroy();
    await kms.close();
  }
}

main().then(
  () => process.stdout.write('\nDemo finished.\n'),
  (error: unknown) => {
    process.stderr.write(`\nDemo failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
