import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { afterAll, beforeAll } from 'vitest';
import { startEvs, type Evs } from '../src/evs.js';

export const ISSUER = 'https://evs.test';
export const AUDIENCE = 'ens.test';

export interface Lab {
  readonly kms: KmsLocal;
  readonly client: KMSClient;
  readonly evs: Evs;
  /** The EVS public key, as a PEM file in a temporary directory. */
  readonly pemFile: string;
  readonly directory: string;
}

/** kms-local, one P-256 key, an EVS signing with it and its PEM exported to a file; all stopped after the file's tests. */
export function useLab(options: { nowMs?: () => number } = {}): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    const kms = await startKmsLocal();
    const client = new KMSClient(kms.clientConfig);
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const evs = await startEvs({ client, keyId: KeyMetadata?.Arn ?? '', issuer: ISSUER, audience: AUDIENCE, ...(options.nowMs ? { nowMs: options.nowMs } : {}) });
    const directory = await mkdtemp(join(tmpdir(), 'kms-jwt-en-test-'));
    const pemFile = join(directory, 'evs.pem');
    await writeFile(pemFile, await (await fetch(`${evs.url}/v1/public-key.pem`)).text());
    lab = { kms, client, evs, pemFile, directory };
  });
  afterAll(async () => {
    if (lab === undefined) return;
    await lab.evs.close();
    lab.client.destroy();
    await lab.kms.close();
    await rm(lab.directory, { recursive: true, force: true });
  });
  return () => {
    if (lab === undefined) throw new Error('the lab is not started yet');
    return lab;
  };
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs JSON (or a raw string body) and reads the JSON answer. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The `error.code` of a JSON error answer. */
export function errorCode(answer: Answer): unknown {
  const error = answer.body['error'];
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)['code'] : undefined;
}
