/*
 * The scenario, narrated: kms-local stands in for AWS KMS and an in-memory queue for SQS. A
 * producer signs order events through KMS; at deploy time its public key is exported as a JWKS; a
 * consumer process with no AWS access at all handles the queue's records as a Lambda SQS trigger
 * would, and answers partial batch failures. Then both consumers — this one, and the seed's that
 * calls KMS Verify per message — are measured on the same messages.
 *
 *   node dist/run.js [--messages 200]
 *
 * Exits 0 when every step behaved as expected, 1 otherwise. Shows signatures and message ids only
 * as short prefixes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsLocal } from 'kms-local';
import { spawnConsumer, type ConsumerProcess, type InvocationResult } from './consumer-process.js';
import type { RecordDecision } from './decision.js';
import { exportProducerJwks } from './deploy-trust.js';
import { InMemoryQueue } from './in-memory-queue.js';
import { measureConsumers, type Measurement } from './measure.js';
import { orderEvent } from './orders.js';
import { createProducer, SIGNATURE_ATTRIBUTE, type Published } from './producer.js';

/** The producer's signing key. */
export const PRODUCER_ALIAS = 'alias/order-events';

/** The steps whose outcome the scenario checks. */
export type StepId =
  | 'consumer-isolated'
  | 'valid'
  | 'large'
  | 'tampered'
  | 'untrusted'
  | 'replayed'
  | 'missing-signature'
  | 'batch-failures'
  | 'dead-letters'
  | 'consumer-kms-calls'
  | 'measured-kms-calls';

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
  /** Messages measured per consumer in the comparison. Default: `200`. */
  readonly messages?: number;
  /** Where the narration goes. Default: standard output. */
  readonly write?: (text: string) => void;
}

/** The outcome: `passed` when every step behaved as expected. */
export interface ScenarioResult {
  readonly passed: boolean;
  readonly steps: readonly ScenarioStep[];
  readonly measurement: Measurement | undefined;
  /** The consumer child's pid (stopped by the time this resolves). */
  readonly consumerPid: number | undefined;
}

/** A long value shown by its first characters only. */
function prefix(value: string, length = 12): string {
  return value.length <= length ? value : `${value.slice(0, length)}…`;
}

function outcome(decision: RecordDecision | undefined): string {
  if (decision === undefined) return 'no decision';
  return decision.code === undefined ? decision.outcome : `${decision.outcome} ${decision.code}`;
}

async function createSigningKey(client: KMSClient, alias: string, description: string): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: description }));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no key ARN');
  await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata.Arn }));
  return KeyMetadata.Arn;
}

/** Runs the whole scenario and stops everything it started, whatever happens. */
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
  let consumerPid: number | undefined;
  let measurement: Measurement | undefined;

  write('Signed queue: a producer signs each message once through KMS; a consumer with no KMS access verifies it offline.\n');
  try {
    heading('Starting kms-local (a KMS endpoint on loopback) and creating the producer key');
    const kms = await startKmsLocal();
    cleanups.push(() => kms.close());
    const client = new KMSClient(kms.clientConfig);
    cleanups.push(() => client.destroy());
    const producerKey = await createSigningKey(client, PRODUCER_ALIAS, 'order service: signs order events');
    detail(`kms-local at ${kms.endpoint}`);
    detail(`producer key ${producerKey} (ECC_NIST_P256, ${PRODUCER_ALIAS})`);

    heading('Deploy time: exporting the producer key as a JWKS for the consumer');
    const directory = await mkdtemp(join(tmpdir(), 'kms-jwt-signed-queue-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const jwks = await exportProducerJwks({ client, keyIds: [PRODUCER_ALIAS] });
    const jwksFile = join(directory, 'producer-jwks.json');
    await writeFile(jwksFile, `${JSON.stringify(jwks, null, 2)}\n`);
    detail(`DescribeKey ${PRODUCER_ALIAS} + GetPublicKey → ${jwksFile} (${jwks.keys.length} key, kid = its key ARN)`);
    detail(`the same with the CLI: kms-jwt jwks --alias ${PRODUCER_ALIAS} --out producer-jwks.json`);

    heading('Starting the consumer: a Lambda-style SQS handler in its own process');
    const consumer: ConsumerProcess = await spawnConsumer({ jwksFile });
    consumerPid = consumer.pid;
    cleanups.push(() => consumer.stop());
    detail(`consumer pid ${consumer.pid}: node dist/consumer-main.js --jwks producer-jwks.json`);
    detail(`its environment: ${consumer.environment.join(', ')} — no AWS credentials, region or KMS endpoint; no KMS client`);
    check('consumer-isolated', 'the consumer runs with PATH alone and trusts exactly the producer key', `PATH; ${producerKey}`, `${consumer.environment.join(', ')}; ${consumer.trustedKids.join(', ')}`);

    heading('The producer sends order events; someone else writes to the queue too');
    const queue = new InMemoryQueue();
    const producer = createProducer({ client, keyId: PRODUCER_ALIAS, queueUrl: queue.url, sendMessage: queue.sendMessage });
    const published = new Map<string, Published>();
    const expectations = new Map<string, StepId>();
    const send = async (step: StepId, what: string, json: unknown): Promise<Published> => {
      const sent = await producer.publish(json);
      published.set(sent.sqsMessageId, sent);
      expectations.set(sent.sqsMessageId, step);
      detail(`${what}: ${sent.signed.payload.length} bytes, signature ${prefix(sent.signed.detachedJws, 16)} (${sent.signed.detachedJws.length} chars), message id ${prefix(sent.signed.messageId, 8)} → SQS ${prefix(sent.sqsMessageId, 8)}`);
      return sent;
    };
    const sendRaw = async (step: StepId, what: string, input: Parameters<InMemoryQueue['sendMessage']>[0]): Promise<void> => {
      const sent = await queue.sendMessage(input);
      expectations.set(sent.MessageId, step);
      detail(`${what} → SQS ${prefix(sent.MessageId, 8)}`);
    };

    const first = await send('valid', 'order o-1001', orderEvent('o-1001', 600));
    await send('valid', 'order o-1002', orderEvent('o-1002', 6 * 1024));
    await send('valid', 'order o-1003', orderEvent('o-1003', 20 * 1024));
    await send('large', 'order o-1004, 100 KiB', orderEvent('o-1004', 100 * 1024));
    const genuine = await producer.signer.sign({ json: orderEvent('o-1005', 2048) });
    const tampered = JSON.stringify({ ...(JSON.parse(genuine.payload.toString('utf8')) as Record<string, unknown>), customer: { id: 'c-6666', tier: 'gold' } });
    await sendRaw('tampered', `order o-1005 with its customer changed after signing, the signature kept (SQS computes the new body's MD5 itself)`, {
      ...producer.toSendMessageInput(genuine),
      MessageBody: tampered,
    });
    const otherKey = await createSigningKey(client, 'alias/another-service', 'another service, not trusted by the consumer');
    const intruder = createProducer({ client, keyId: otherKey, queueUrl: queue.url, sendMessage: queue.sendMessage });
    const intruded = await intruder.publish(orderEvent('o-1006', 1024));
    expectations.set(intruded.sqsMessageId, 'untrusted');
    detail(`order o-1006 signed by another KMS key of the same account (${prefix(otherKey.split('/').pop() ?? otherKey, 8)}), validly → SQS ${prefix(intruded.sqsMessageId, 8)}`);
    await sendRaw('replayed', 'order o-1001 sent again as it was: same body, same signature, same message id', producer.toSendMessageInput(first.signed));
    await sendRaw('missing-signature', `order o-1007 with no ${SIGNATURE_ATTRIBUTE} attribute`, { QueueUrl: queue.url, MessageBody: JSON.stringify(orderEvent('o-1007', 512)) });

    heading('The consumer handles the queue, 10 records per invocation, as a Lambda SQS trigger');
    const callsBefore = kms.callCount();
    const firstDecisions = new Map<string, RecordDecision>();
    let firstResponse: InvocationResult | undefined;
    let invocations = 0;
    while (queue.size > 0) {
      const event = queue.receive(10);
      const result = await consumer.invoke(event);
      invocations += 1;
      firstResponse ??= result;
      const settled = queue.settle(event, result.response);
      detail(`invocation ${invocations}: ${event.Records.length} records → batchItemFailures [${result.response.batchItemFailures.map((failure) => prefix(failure.itemIdentifier, 8)).join(', ')}]`);
      for (const decision of result.decisions) {
        const record = event.Records.find((candidate) => candidate.messageId === decision.sqsMessageId);
        const processed = result.processed.find((item) => item.messageId === decision.messageId);
        if (!firstDecisions.has(decision.sqsMessageId)) firstDecisions.set(decision.sqsMessageId, decision);
        detail(
          `  SQS ${prefix(decision.sqsMessageId, 8)} (receive ${record?.attributes.ApproximateReceiveCount ?? '?'}, ${decision.bodyBytes} bytes) → ${outcome(decision)}` +
            (processed === undefined ? '' : `, order ${processed.orderId ?? '?'} processed`),
        );
      }
      detail(`  SQS: ${settled.deleted} deleted, ${settled.returned} back in the queue, ${settled.deadLettered} to the dead-letter queue`);
    }
    const consumerCalls = kms.callCount() - callsBefore;

    const decisionsOf = (step: StepId): string => {
      const ids = [...expectations].filter(([, expected]) => expected === step).map(([id]) => id);
      const outcomes = ids.map((id) => outcome(firstDecisions.get(id)));
      return outcomes.every((text) => text === outcomes[0]) ? `${outcomes.length} × ${outcomes[0] ?? 'nothing'}` : outcomes.join('; ');
    };
    heading('What the consumer decided');
    check('valid', 'order events from the producer are accepted', '3 × accepted', decisionsOf('valid'));
    check('large', 'a 100 KiB order event is accepted', '1 × accepted', decisionsOf('large'));
    check('tampered', 'a body changed after signing is refused', '1 × refused ERR_JWS_SIGNATURE_INVALID', decisionsOf('tampered'));
    check('untrusted', 'a message signed by a key the consumer was not given is refused', '1 × refused ERR_KID_UNTRUSTED', decisionsOf('untrusted'));
    check('replayed', 'a message sent again with the same message id is refused', '1 × refused ERR_MESSAGE_REPLAYED', decisionsOf('replayed'));
    check('missing-signature', 'a message without a signature is refused', '1 × refused ERR_TOKEN_MALFORMED', decisionsOf('missing-signature'));
    const refusedIds = [...expectations].filter(([, step]) => step !== 'valid' && step !== 'large').map(([id]) => id).sort();
    const reported = [...(firstResponse?.response.batchItemFailures ?? [])].map((failure) => failure.itemIdentifier).sort();
    check(
      'batch-failures',
      'the first invocation reports exactly the refused records in batchItemFailures',
      `${refusedIds.length} records, the refused ones`,
      `${reported.length} records, ${JSON.stringify(reported) === JSON.stringify(refusedIds) ? 'the refused ones' : 'not the refused ones'}`,
    );
    check('dead-letters', 'refused records end in the dead-letter queue after 3 receives; accepted ones are deleted', `${refusedIds.length} dead letters, queue empty`, `${queue.deadLetters.length} dead letters, queue ${queue.size === 0 ? 'empty' : 'not empty'}`);
    check('consumer-kms-calls', 'KMS calls while the consumer verified', `0 KMS calls during ${invocations} invocations`, `${consumerCalls} KMS calls during ${invocations} invocations`);

    const messages = options.messages ?? 200;
    heading(`Measured: ${messages} order events of 8 KiB, verified offline and with KMS Verify per message`);
    detail('both producers sign through kms-local first; then each consumer handles its queue while kms-local counts the requests it receives');
    measurement = await measureConsumers({ kms, client, keyId: PRODUCER_ALIAS, jwks, messages });
    for (const line of measurement.table) detail(`  ${line}`);
    detail('verification time per message, after 20 warm-up messages; kms-local answers on loopback, so a real KMS round trip (network, TLS) only adds to the seed\'s');
    check(
      'measured-kms-calls',
      'KMS calls per message: none offline, one Verify each for the seed',
      `offline: 0 KMS calls; seed: ${messages} Verify calls for ${messages} messages`,
      `offline: ${measurement.offline.kmsCalls} KMS calls; seed: ${measurement.kmsVerify.kmsCallsByOperation['Verify'] ?? 0} Verify calls for ${measurement.kmsVerify.messages} messages`,
    );
  } finally {
    const failures: string[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) write(`\ncleanup failed: ${failures.join('; ')}\n`);
  }

  const passed = steps.length > 0 && steps.every((step) => step.passed);
  heading('Summary');
  const width = Math.max(...steps.map((step) => step.title.length));
  for (const step of steps) detail(`${step.passed ? '✔' : '✘'} ${step.title.padEnd(width)}  ${step.actual}`);
  write(`\n${passed ? 'Every step behaved as expected.' : 'Some steps did not behave as expected.'} Everything started was stopped.\n`);
  return { passed, steps, measurement, consumerPid };
}

async function main(): Promise<void> {
  // `pnpm start -- --messages 50` passes the `--` along.
  const args = process.argv.slice(2);
  const { values } = parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options: { messages: { type: 'string' } } });
  const messages = Number(values.messages ?? '200');
  if (!Number.isInteger(messages) || messages < 1) throw new Error('--messages must be a whole number >= 1');
  const result = await runScenario({ messages });
  process.exitCode = result.passed ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  main().catch((error: unknown) => {
    process.stderr.write(`\nThe scenario failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
