import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { afterAll, beforeAll } from 'vitest';
import { startWebhookSender, type WebhookSender } from '../src/sender.js';

export const SENDER_ALIAS = 'alias/webhooks-test';

export interface Sending {
  readonly kms: KmsLocal;
  readonly client: KMSClient;
  readonly keyArn: string;
  readonly sender: WebhookSender;
}

export async function createKey(client: KMSClient): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no ARN');
  return KeyMetadata.Arn;
}

/** kms-local, a key behind {@link SENDER_ALIAS} and a sender signing with it (retrying after 10 ms); stopped after the file's tests. */
export function useSender(): () => Sending {
  let state: Sending | undefined;
  beforeAll(async () => {
    const kms = await startKmsLocal();
    const client = new KMSClient(kms.clientConfig);
    const keyArn = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: SENDER_ALIAS, TargetKeyId: keyArn }));
    const sender = await startWebhookSender({ client, keyAlias: SENDER_ALIAS, retryDelayMs: 10 });
    state = { kms, client, keyArn, sender };
  });
  afterAll(async () => {
    await state?.sender.close();
    state?.client.destroy();
    await state?.kms.close();
  });
  return () => {
    if (state === undefined) throw new Error('the sender is not started yet');
    return state;
  };
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** POSTs `body` with `headers` and reads the JSON answer. */
export async function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}
