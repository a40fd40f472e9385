import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KMSClient, SignCommand, type KMSClientConfig, type SignCommandOutput } from '@aws-sdk/client-kms';
import { expect } from 'vitest';
import { startKmsWorld, type KmsWorld } from '../../adapters/support/kms.js';
import type { LogCapture } from './capture.js';
import { addForbiddenLiterals, privateKeysOfDataFile, Secrets } from './secrets.js';

export const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The contract suite's world, with kms-local persisting its keys to a data file, and the secrets of the run. */
export interface HygieneWorld {
  readonly world: KmsWorld;
  readonly dataFile: string;
  /** The world's tokens (and, once {@link HygieneWorld.loadPrivateKeys} ran, kms-local's private keys); tests add what they make. */
  readonly secrets: Secrets;
  /** A KMS client on the world's kms-local (one attempt per call) whose Sign calls add their message and signature to `secrets`. */
  recordingClient(): KMSClient;
  /** Adds every private key kms-local holds to `secrets`; call once every key is created. */
  loadPrivateKeys(): void;
  close(): Promise<void>;
}

/**
 * A KMS client whose Sign calls add what they send (the signing input or its digest) and receive
 * (the DER signature) to `secrets`, so that a failed signature's input is a secret too.
 */
export function recordSigning(config: KMSClientConfig, secrets: Secrets): KMSClient {
  const client = new KMSClient(config);
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
  const recording = async (command: unknown, options?: unknown): Promise<unknown> => {
    if (command instanceof SignCommand && command.input.Message !== undefined) secrets.addBytes(command.input.Message, 'a KMS Sign message');
    const output = await send(command, options);
    const signature = command instanceof SignCommand ? (output as SignCommandOutput).Signature : undefined;
    if (signature !== undefined) secrets.addBytes(signature, 'a KMS Sign signature');
    return output;
  };
  Object.assign(client, { send: recording });
  return client;
}

export async function startHygieneWorld(): Promise<HygieneWorld> {
  const tmp = join(repoDir, '.tmp');
  mkdirSync(tmp, { recursive: true });
  const dataFile = join(tmp, `hygiene-${process.pid}-${randomUUID()}.json`);
  const world = await startKmsWorld({ dataFile });
  const secrets = new Secrets();
  addForbiddenLiterals(secrets);
  for (const [name, token] of Object.entries(world.tokens)) secrets.addToken(token, name);
  const clients: KMSClient[] = [];
  return {
    world,
    dataFile,
    secrets,
    recordingClient() {
      const client = recordSigning({ ...world.kmsLocal.clientConfig, maxAttempts: 1 }, secrets);
      clients.push(client);
      return client;
    },
    loadPrivateKeys() {
      for (const [keyId, pem] of privateKeysOfDataFile(dataFile)) secrets.addPrivateKeyPem(pem, keyId);
    },
    async close() {
      for (const client of clients) client.destroy();
      await world.close();
      rmSync(dataFile, { force: true });
    },
  };
}

/**
 * The checks every hygiene test ends with: the capture is not empty, it shows every label in
 * `ran` (so the error paths really ran and were logged), and it holds no secret.
 */
export function expectClean(capture: LogCapture, secrets: Secrets, ran: readonly string[]): void {
  const text = capture.text;
  // HYGIENE_DUMP=<path prefix> writes each capture to <prefix>-<first label>.txt, to read what was checked.
  const dump = process.env['HYGIENE_DUMP'];
  if (dump !== undefined) writeFileSync(`${dump}-${(ran[0] ?? 'capture').replace(/\W+/g, '_')}.txt`, text);
  expect(secrets.tokenCount).toBeGreaterThan(0);
  expect(secrets.privateKeyCount).toBeGreaterThan(0);
  expect(text.length).toBeGreaterThan(0);
  for (const expected of ran) expect(text, `the capture should show ${expected}`).toContain(expected);
  const leaks = secrets.findLeaks(text);
  // Name each secret and show its surroundings with the secret itself cut out.
  const shown = leaks.map(({ secret, offset }) => `${secret} at offset ${offset}, after: ${JSON.stringify(text.slice(Math.max(0, offset - 80), offset))}`);
  expect(shown).toEqual([]);
}
