/*
 * The scenario, narrated: kms-local stands in for AWS KMS. A sender signs webhook deliveries
 * through KMS and publishes its JWKS; a receiver with no AWS access verifies them against that
 * JWKS. Then the sender's key is rotated (a new key, the alias moved with UpdateAlias) while
 * deliveries go on. Used by the `start` script (main.ts), which keeps both running afterwards.
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import type { SignedMessage } from 'kms-jwt-signer';
import { startKmsLocal } from 'kms-local';
import type { JwksFetchedEvent } from 'kms-pubkey-provider';
import { startWebhookReceiver, type WebhookReceiver } from './receiver.js';
import { startWebhookSender, type WebhookSender } from './sender.js';
import { SIGNATURE_HEADER } from './signature-header.js';

/** The sender's signing alias. */
export const SENDER_ALIAS = 'alias/webhooks-signing';

/**
 * Short on purpose, so the story takes a few seconds. Defaults: the sender re-reads its alias every
 * 60 s and retries after 1 s; the receiver fetches the JWKS again on an unknown kid at most every 30 s.
 */
export const WEBHOOK_TIMING = { aliasRefreshMs: 200, retryDelayMs: 100, unknownKidCooldownMs: 1000 } as const;

/** The steps whose outcome the scenario checks. */
export type StepId =
  | 'receiver-trust'
  | 'valid'
  | 'tampered'
  | 'missing-signature'
  | 'replayed'
  | 'other-endpoint'
  | 'rotation-published'
  | 'rotation-deliveries'
  | 'jwks-fetches'
  | 'handled-once';

/** What one step expected and what happened. */
export interface ScenarioStep {
  readonly id: StepId;
  readonly title: string;
  readonly expected: string;
  readonly actual: string;
  readonly passed: boolean;
}

/** Options of {@link runScenario}. */
export interface ScenarioOptions {
  /** Where the narration goes. Default: standard output. */
  readonly write?: (text: string) => void;
  /** Leave kms-local, the sender and the receiver running, for the caller to stop with `stop()`. Default: `false`. */
  readonly keepRunning?: boolean;
}

/** The outcome: `passed` when every step behaved as expected. */
export interface ScenarioResult {
  readonly passed: boolean;
  readonly steps: readonly ScenarioStep[];
  /** With `keepRunning`: what is still running, and how to stop it. */
  readonly running?: { readonly sender: WebhookSender; readonly receiver: WebhookReceiver; stop(): Promise<void> };
}

/** `200 accepted`, `401 ERR_…`: an answer as the scenario checks it. */
function outcome(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const word = record['status'] ?? record['error'];
    if (typeof word === 'string') return `${status} ${word}`;
  }
  return String(status);
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function createKey(client: KMSClient, description: string): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: description }));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no key ARN');
  return KeyMetadata.Arn;
}

/** Runs the whole scenario; stops everything it started, unless `keepRunning` and every step passed. */
export async function runScenario(options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const write = options.write ?? ((chunk: string) => void process.stdout.write(chunk));
  const heading = (title: string): void => write(`\n▸ ${title}\n`);
  const detail = (line: string): void => write(`  ${line}\n`);
  const steps: ScenarioStep[] = [];
  const check = (id: StepId, title: string, expected: string, actual: string): void => {
    const passed = expected === actual;
    steps.push({ id, title, expected, actual, passed });
    detail(passed ? `✔ ${actual}, as expected` : `✘ expected ${expected}, got ${actual}`);
  };
  const cleanups: Array<() => Promise<unknown> | void> = [];
  const stop = async (): Promise<void> => {
    const failures: string[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) write(`\ncleanup failed: ${failures.join('; ')}\n`);
  };
  let running: { sender: WebhookSender; receiver: WebhookReceiver } | undefined;
  const labels = new Map<string, string>();
  const label = (arn: string): string => labels.get(arn) ?? arn;

  write('Signed webhooks: the sender signs each delivery through KMS; the receiver verifies it offline against the sender\'s JWKS.\n');
  try {
    heading('Starting kms-local and creating the sender key behind its alias');
    const kms = await startKmsLocal();
    cleanups.push(() => kms.close());
    const client = new KMSClient(kms.clientConfig);
    cleanups.push(() => client.destroy());
    const keyA = await createKey(client, 'webhook sender: key A');
    labels.set(keyA, 'key A');
    await client.send(new CreateAliasCommand({ AliasName: SENDER_ALIAS, TargetKeyId: keyA }));
    detail(`kms-local at ${kms.endpoint}`);
    detail(`key A ${keyA} (ECC_NIST_P256) behind ${SENDER_ALIAS}`);

    heading('Starting the sender: it signs through KMS and publishes its JWKS');
    const sender = await startWebhookSender({ client, keyAlias: SENDER_ALIAS, aliasRefreshMs: WEBHOOK_TIMING.aliasRefreshMs, retryDelayMs: WEBHOOK_TIMING.retryDelayMs });
    cleanups.push(() => sender.close());
    detail(`sender at ${sender.url}; JWKS at ${sender.jwksUrl} (kms-jwt-express jwksHandler over kms-pubkey-provider)`);

    heading('Starting the receiver (Express): it trusts the sender\'s account and Region, through the sender\'s JWKS');
    const fetches: { readonly atMs: number; readonly event: JwksFetchedEvent }[] = [];
    const receiver = await startWebhookReceiver({
      jwksUrl: sender.jwksUrl,
      trust: [{ accountId: kms.accountId, region: kms.region }],
      jwks: { unknownKidCooldownMs: WEBHOOK_TIMING.unknownKidCooldownMs, onJwksFetched: (event) => void fetches.push({ atMs: Date.now(), event }) },
    });
    cleanups.push(() => receiver.close());
    sender.subscribe(receiver.endpoint);
    running = { sender, receiver };
    detail(`receiver endpoint ${receiver.endpoint}: no AWS SDK client, no credentials`);
    detail(`createJwksKeyProvider({ url: ${sender.jwksUrl}, trust: [{ accountId: '${kms.accountId}', region: '${kms.region}' }] })`);
    check('receiver-trust', 'at start, the receiver fetched the JWKS and trusts key A', 'key A', receiver.provider.exportJwks().keys.map((key) => label(String(key.kid))).join(', '));

    const narrate = (what: string, signed: SignedMessage | undefined, status: number, body: unknown, attempts = 1): string => {
      const answer = outcome(status, body);
      const signature = signed === undefined ? '' : ` (kid ${label(signed.keyArn)}, ${SIGNATURE_HEADER} ${signed.detachedJws.slice(0, 16)}… ${signed.detachedJws.length} chars)`;
      detail(`${what}${signature} → ${answer}${attempts > 1 ? ` after ${attempts} attempts` : ''}`);
      return answer;
    };
    const deliver = async (what: string, signed: SignedMessage): Promise<string> => {
      const delivery = await sender.deliver(receiver.endpoint, signed);
      return narrate(what, signed, delivery.status, delivery.body, delivery.attempts.length);
    };

    heading('1. Deliveries signed by the sender');
    const first = await sender.sign({ type: 'order.placed', orderId: 'o-1001', total: 42.5 }, receiver.endpoint);
    const valid = [await deliver('POST order.placed o-1001', first)];
    valid.push(await deliver('POST order.shipped o-1001', await sender.sign({ type: 'order.shipped', orderId: 'o-1001', carrier: 'ups' }, receiver.endpoint)));
    check('valid', 'deliveries from the sender are accepted', '200 accepted; 200 accepted', valid.join('; '));

    heading('2. A tampered body: the total changed on the way, the signature kept');
    const genuine = await sender.sign({ type: 'order.placed', orderId: 'o-1002', total: 10 }, receiver.endpoint);
    const forgedBody = JSON.stringify({ type: 'order.placed', orderId: 'o-1002', total: 1000 });
    const tampered = await post(receiver.endpoint, forgedBody, { 'content-type': 'application/json', [SIGNATURE_HEADER]: genuine.detachedJws });
    check('tampered', 'a body changed after signing is refused', '401 ERR_JWS_SIGNATURE_INVALID', narrate('POST with the body rewritten', genuine, tampered.status, tampered.body));

    heading(`3. No ${SIGNATURE_HEADER} header`);
    const unsigned = await post(receiver.endpoint, JSON.stringify({ type: 'order.placed', orderId: 'o-1003' }), { 'content-type': 'application/json' });
    check('missing-signature', 'a delivery without a signature is refused', '401 ERR_TOKEN_MALFORMED', narrate('POST without a signature', undefined, unsigned.status, unsigned.body));

    heading('4. The delivery of step 1 again: same body, same signature, same message id');
    const replayed = await post(receiver.endpoint, first.payload, { 'content-type': first.contentType, [SIGNATURE_HEADER]: first.detachedJws });
    detail('a sender retries when it got no answer, so a delivery seen before is acknowledged (200) and not handled again');
    check('replayed', 'a delivery seen before is acknowledged, not handled twice', '200 duplicate', narrate('POST order.placed o-1001 again', first, replayed.status, replayed.body));

    heading('5. A delivery signed for another endpoint, sent here');
    const elsewhere = await sender.sign({ type: 'order.placed', orderId: 'o-1004' }, 'https://partner.example/webhooks/orders');
    const misdirected = await post(receiver.endpoint, elsewhere.payload, { 'content-type': elsewhere.contentType, [SIGNATURE_HEADER]: elsewhere.detachedJws });
    detail('the sender signs each delivery for its endpoint (header aud): one subscriber cannot forward it to another');
    check('other-endpoint', "a delivery signed for another endpoint is refused", '401 WEBHOOK_AUDIENCE_MISMATCH', narrate('POST signed for partner.example', elsewhere, misdirected.status, misdirected.body));

    heading(`6. Rotation: key B is created and ${SENDER_ALIAS} moves to it (UpdateAlias)`);
    const signedBefore = await sender.sign({ type: 'order.placed', orderId: 'o-2001', total: 7 }, receiver.endpoint);
    detail(`signed before the move, delivered after it (a retry, a backlog): kid ${label(signedBefore.keyArn)}`);
    const keyB = await createKey(client, 'webhook sender: key B');
    labels.set(keyB, 'key B');
    await client.send(new UpdateAliasCommand({ AliasName: SENDER_ALIAS, TargetKeyId: keyB }));
    detail(`key B ${keyB}; UpdateAlias ${SENDER_ALIAS} → key B`);
    await waitFor(() => sender.signingKeyArn() === keyB, WEBHOOK_TIMING.aliasRefreshMs + 5000, 'the sender signing with key B');
    const published = sender.publishedKeyArns().map(label).sort().join(', ');
    detail(`the sender saw the move, published key B in its JWKS, and signs with key B from now on; key A stays in the JWKS for its grace window`);
    check('rotation-published', "after the move, the sender's JWKS lists key A (grace) and key B, and it signs with key B", 'key A, key B; signing with key B', `${published}; signing with ${label(sender.signingKeyArn())}`);
    const lastFetchMs = fetches[fetches.length - 1]?.atMs ?? 0;
    const waitMs = lastFetchMs + WEBHOOK_TIMING.unknownKidCooldownMs + 50 - Date.now();
    if (waitMs > 0) {
      detail(`(the receiver fetches the JWKS on an unknown kid at most once per ${WEBHOOK_TIMING.unknownKidCooldownMs} ms here, 30 s by default: waiting ${waitMs} ms)`);
      await sleep(waitMs);
    }
    const fetchesBefore = fetches.length;
    const afterMove = await sender.sign({ type: 'order.placed', orderId: 'o-2002', total: 8 }, receiver.endpoint);
    const rotation = [await deliver('POST o-2002, signed after the move', afterMove)];
    detail(`the receiver did not know key B: it fetched the JWKS again (${fetches.length - fetchesBefore} fetch), which lists it`);
    rotation.push(await deliver('POST o-2001, signed before the move', signedBefore));
    rotation.push(await deliver('POST o-2003, signed after the move', await sender.sign({ type: 'order.placed', orderId: 'o-2003', total: 9 }, receiver.endpoint)));
    check('rotation-deliveries', 'deliveries signed before and after the rotation are all accepted', '200 accepted; 200 accepted; 200 accepted', rotation.join('; '));
    check(
      'jwks-fetches',
      'the receiver fetched the JWKS at start and once more for key B',
      '2 fetches: key A; key A, key B',
      `${fetches.length} fetches: ${fetches.map((fetched) => fetched.event.keyArns.map(label).sort().join(', ')).join('; ')}`,
    );

    heading('What the receiver handled');
    const handled = receiver.events();
    for (const event of handled) {
      const payload = event.payload as Record<string, unknown>;
      detail(`${String(payload['type'])} ${String(payload['orderId'])} (message ${event.messageId.slice(0, 8)}…, kid ${label(event.keyArn)})`);
    }
    const ids = new Set(handled.map((event) => event.messageId));
    check('handled-once', 'the receiver handled each accepted delivery once', '5 deliveries, each once', `${handled.length} deliveries, ${ids.size === handled.length ? 'each once' : 'some twice'}`);
  } catch (error) {
    await stop();
    throw error;
  }

  const passed = steps.length > 0 && steps.every((step) => step.passed);
  if (!options.keepRunning || !passed || running === undefined) await stop();
  heading('Summary');
  const width = Math.max(...steps.map((step) => step.title.length));
  for (const step of steps) detail(`${step.passed ? '✔' : '✘'} ${step.title.padEnd(width)}  ${step.actual}`);
  write(`\n${passed ? 'Every step behaved as expected.' : 'Some steps did not behave as expected.'}\n`);
  return { passed, steps, ...(options.keepRunning && passed && running !== undefined ? { running: { ...running, stop } } : {}) };
}
