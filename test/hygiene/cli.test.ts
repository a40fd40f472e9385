// Logging hygiene of the kms-jwt CLI: its error output (stderr, and stdout with --json) for rejected
// tokens, tokens given as arguments or in the wrong place, an unreachable KMS with stack traces
// requested (KMS_JWT_DEBUG=1), a private key given as a public key file, and a signing key KMS
// refuses, against the world's kms-local. Most runs go through runCli (what the bin runs, with its
// streams captured) in this process; two run the built bin as a child process. No token, token
// segment or private key material may appear in what it prints.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { createKmsMessageSigner } from 'kms-jwt-signer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The CLI is not a dependency of this workspace package: its build is imported by path.
import { runCli } from '../../packages/cli/dist/index.js';
import { ALIAS, AUDIENCE, createKey, ISSUER } from '../adapters/support/kms.js';
import { LogCapture } from './support/capture.js';
import { privateKeysOfDataFile } from './support/secrets.js';
import { expectClean, repoDir, startHygieneWorld, type HygieneWorld } from './support/world.js';

const cliPath = join(repoDir, 'packages', 'cli', 'dist', 'cli.js');
const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Run {
  readonly name: string;
  readonly args: readonly string[];
  readonly input?: string;
  readonly exitCode: number;
  /** Run the built bin in a child process instead of runCli here. */
  readonly bin?: true;
}

/** kms-local's placeholder credentials, no AWS configuration, and stack traces on. */
const ENV = {
  AWS_ACCESS_KEY_ID: 'kms-local',
  AWS_SECRET_ACCESS_KEY: 'kms-local',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  KMS_JWT_DEBUG: '1',
};

let hw: HygieneWorld;
let home: string;
let disabledKey: string;

beforeAll(async () => {
  hw = await startHygieneWorld();
  const admin = hw.recordingClient();
  disabledKey = await createKey(admin);
  await admin.send(new DisableKeyCommand({ KeyId: disabledKey }));
  hw.loadPrivateKeys();
  home = mkdtempSync(join(tmpdir(), 'kms-jwt-hygiene-'));
  for (const [name, value] of Object.entries({ ...ENV, AWS_CONFIG_FILE: join(home, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials') })) vi.stubEnv(name, value);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await hw?.close();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kms-jwt` through runCli with its own stdin, stdout and stderr. */
async function runInProcess({ args, input }: Run): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdin: Readable.from(input === undefined ? [] : [Buffer.from(input)]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** Runs the built bin with the same environment; resolves with its exit code and output. */
function runBin({ args, input }: Run): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: home,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
        ...ENV,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

describe('logging hygiene: the kms-jwt CLI', () => {
  it('prints every rejection, usage error and KMS failure without a token or key material', async () => {
    const { tokens, kmsLocal, downKmsLocal, currentKeyArn: kid } = hw.world;
    const [header, payload, signature] = tokens.current.split('.') as [string, string, string];
    const crafted = (token: string): string => {
      hw.secrets.addToken(token, 'crafted for the CLI');
      return token;
    };
    const [privateKeyPem] = [...privateKeysOfDataFile(hw.dataFile).values()] as [string];
    const privatePemFile = join(home, 'issuer-key.pem');
    writeFileSync(privatePemFile, privateKeyPem);
    const kms = ['--endpoint', kmsLocal.endpoint, '--region', kmsLocal.region];
    const claims = ['--issuer', ISSUER, '--audience', AUDIENCE];
    const verify = ['verify', '--alias', ALIAS, ...claims, ...kms];
    // A signed message by the tokens' key: its JWS, payload and id are secrets too.
    const message = await createKmsMessageSigner({ keyId: kid, client: hw.recordingClient() }).sign({ json: { order: 'o-1', card: 'cli-message-secret-3f8a10c7d2' } });
    hw.secrets.addToken(message.jws, 'signed message for the CLI');
    hw.secrets.addToken(message.detachedJws, 'signed message for the CLI (detached)');
    hw.secrets.addBytes(message.payload, 'signed message payload for the CLI');
    hw.secrets.addBytes(Buffer.from(message.messageId), 'signed message id for the CLI');
    const detachedFile = join(home, 'message.sig');
    writeFileSync(detachedFile, message.detachedJws);
    const changedPayload = message.payload.toString('utf8').replace('o-1', 'o-9');
    hw.secrets.addBytes(Buffer.from(changedPayload), 'changed message payload for the CLI');
    const notJson = '{"card":"cli-message-input-secret-9d2e7b41a0",';
    hw.secrets.addBytes(Buffer.from(notJson), 'a message that is not JSON, for the CLI');
    const verifyMessage = ['verify-message', '--alias', ALIAS, '--max-age', '5m', ...kms];
    const runs: Run[] = [
      { name: 'verify a signed message as a token', args: verify, input: message.jws, exitCode: 1 },
      { name: 'verify-message an access token, --json', args: [...verifyMessage, '--json'], input: tokens.current, exitCode: 1 },
      { name: 'verify-message a changed detached message', args: [...verifyMessage, '--detached', detachedFile], input: changedPayload, exitCode: 1 },
      { name: 'verify-message a changed detached message, --json', args: [...verifyMessage, '--detached', detachedFile, '--json'], input: changedPayload, exitCode: 1 },
      { name: 'verify-message a detached JWS without its message', args: verifyMessage, input: message.detachedJws, exitCode: 1 },
      { name: 'verify-message with KMS down', args: ['verify-message', '--key', kid, '--max-age', '5m', '--endpoint', downKmsLocal.endpoint, '--region', downKmsLocal.region], input: message.jws, exitCode: 3 },
      { name: 'sign-message input that is not JSON', args: ['sign-message', '--key-id', kid, ...kms], input: notJson, exitCode: 2 },
      { name: 'verify an expired token', args: verify, input: tokens.expired, exitCode: 1 },
      { name: 'verify an untrusted token, --json', args: [...verify, '--json'], input: tokens.untrusted, exitCode: 1 },
      { name: 'verify a tampered token given as an argument (bin)', args: [...verify, crafted(`${header}.${payload}.${signature.slice(0, -6)}AAAAAA`)], exitCode: 1, bin: true },
      { name: 'verify a token with alg none', args: verify, input: crafted(`${encode({ alg: 'none', kid })}.${payload}.${signature}`), exitCode: 1 },
      { name: 'verify header.payload', args: [...verify, '--json'], input: crafted(`${header}.${payload}`), exitCode: 1 },
      { name: 'verify a token for another audience', args: ['verify', '--alias', ALIAS, '--issuer', ISSUER, '--audience', 'billing-api', ...kms], input: tokens.current, exitCode: 1 },
      { name: 'verify two tokens', args: [...verify, tokens.current, tokens.expired], exitCode: 2 },
      { name: 'verify two tokens on stdin', args: verify, input: `${tokens.current} ${tokens.expired}`, exitCode: 2 },
      { name: 'verify with an unknown option holding the token', args: [...verify, `--token=${tokens.current}`], exitCode: 2 },
      { name: 'a token in place of the command', args: [tokens.current], exitCode: 2 },
      { name: 'a token in place of the keys subcommand', args: ['keys', tokens.current], exitCode: 2 },
      { name: 'verify with KMS down (bin)', args: ['verify', '--key', kid, ...claims, '--endpoint', downKmsLocal.endpoint, '--region', downKmsLocal.region], input: tokens.current, exitCode: 3, bin: true },
      { name: 'verify with KMS down', args: ['verify', '--key', kid, ...claims, '--endpoint', downKmsLocal.endpoint, '--region', downKmsLocal.region], input: tokens.current, exitCode: 3 },
      { name: 'verify against a private key given as the PEM', args: ['verify', '--pem', privatePemFile, '--kid', kid, ...claims], input: tokens.current, exitCode: 3 },
      { name: 'sign with a disabled key', args: ['sign', '--key-id', disabledKey, '--sub', 'user-1', ...kms], exitCode: 1 },
      { name: 'inspect a token whose signature is not base64url', args: ['inspect'], input: crafted(`${header}.${payload}.~~${signature}`), exitCode: 1 },
    ];
    const capture = new LogCapture();
    const results = await Promise.all(runs.map(async (run) => ({ run, result: await (run.bin ? runBin(run) : runInProcess(run)) })));
    for (const { run, result } of results) {
      capture.recordText(`kms-jwt ${run.name}: exit ${result.code}`, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
      expect(result.code, `${run.name}: ${result.stderr}`).toBe(run.exitCode);
    }
    expectClean(capture, hw.secrets, [
      ...runs.map((run) => `kms-jwt ${run.name}: exit ${run.exitCode}`),
      'ERR_JWT_EXPIRED',
      'ERR_KID_UNTRUSTED',
      'ERR_JWS_SIGNATURE_INVALID',
      'ERR_ALG_NOT_ALLOWED',
      'ERR_TOKEN_MALFORMED',
      'ERR_JWT_CLAIM_INVALID',
      'ERR_TOKEN_IS_MESSAGE',
      'ERR_MESSAGE_TYPE_INVALID',
      'ERR_MESSAGE_INVALID',
      'KMSInternalException',
    ]);
  });
});
