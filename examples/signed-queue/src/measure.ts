/*
 * The comparison: the same number of order events of the same size, consumed once by this
 * example's offline consumer and once by the seed's consumer that calls KMS Verify per message,
 * against kms-local. It counts the KMS requests kms-local receives while each consumer works, and
 * times the verification of each message (the KMS round trip included for the seed's).
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { JsonWebKeySet } from 'kms-jwt-verifier';
import type { KmsLocal } from 'kms-local';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { createSqsHandler } from './consumer.js';
import type { RecordDecision } from './decision.js';
import { InMemoryQueue } from './in-memory-queue.js';
import { createKmsVerifyHandler } from './kms-verify-consumer.js';
import { createKmsVerifyProducer } from './kms-verify-producer.js';
import { orderEvent } from './orders.js';
import { createProducer } from './producer.js';
import type { SqsBatchResponse, SqsEvent } from './sqs-types.js';
import { table } from './table.js';

/** Options of {@link measureConsumers}. */
export interface MeasureOptions {
  /** The kms-local whose call count is read. Required. */
  readonly kms: KmsLocal;
  /** The producers' client (and the seed consumer's). Required. */
  readonly client: KMSClient;
  /** The producer's key (its alias). Required. */
  readonly keyId: string;
  /** The producer's JWKS, as exported at deploy time: what the offline consumer trusts. Required. */
  readonly jwks: JsonWebKeySet;
  /** Messages measured per consumer. Default: `200`. */
  readonly messages?: number;
  /** Size of each message's JSON body, in bytes. Default: `8192` (over 4 KiB, so the seed signs a digest). */
  readonly messageBytes?: number;
  /** Messages each consumer handles first, not measured (loading code, opening the connection to KMS). Default: `20`. */
  readonly warmUpMessages?: number;
}

/** One consumer's numbers. */
export interface ConsumerMeasurement {
  readonly consumer: string;
  readonly messages: number;
  readonly accepted: number;
  /** Requests kms-local received while this consumer handled the measured messages. */
  readonly kmsCalls: number;
  /** The same, by operation. */
  readonly kmsCallsByOperation: Readonly<Record<string, number>>;
  /** Verification time of one message, in milliseconds: median and 99th percentile (nearest rank). */
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** Both consumers' numbers, and the table printed from them. */
export interface Measurement {
  readonly messageBytes: number;
  readonly offline: ConsumerMeasurement;
  readonly kmsVerify: ConsumerMeasurement;
  /** The plain-text table, one string per line. */
  readonly table: readonly string[];
}

const OPERATIONS = ['Verify', 'Sign', 'GetPublicKey', 'DescribeKey'] as const;

/** The `p` quantile (0 < p <= 1) of `values`, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1] as number;
}

/** Receives everything in `queue` in batches of 10 and hands each batch to `handler`, as the Lambda trigger would. */
async function drain(queue: InMemoryQueue, handler: (event: SqsEvent) => Promise<SqsBatchResponse>, limit: number): Promise<void> {
  let left = limit;
  while (left > 0 && queue.size > 0) {
    const event = queue.receive(Math.min(10, left));
    left -= event.Records.length;
    queue.settle(event, await handler(event));
  }
}

async function measureOne(
  name: string,
  options: Required<Pick<MeasureOptions, 'messages' | 'warmUpMessages'>> & { readonly kms: KmsLocal },
  queue: InMemoryQueue,
  makeHandler: (onDecision: (decision: RecordDecision) => void) => (event: SqsEvent) => Promise<SqsBatchResponse>,
): Promise<ConsumerMeasurement> {
  const decisions: RecordDecision[] = [];
  let measuring = false;
  const handler = makeHandler((decision) => {
    if (measuring) decisions.push(decision);
  });
  await drain(queue, handler, options.warmUpMessages);
  measuring = true;
  const before = Object.fromEntries(OPERATIONS.map((operation) => [operation, options.kms.callCount(operation)]));
  const totalBefore = options.kms.callCount();
  await drain(queue, handler, options.messages);
  const kmsCalls = options.kms.callCount() - totalBefore;
  const kmsCallsByOperation = Object.fromEntries(OPERATIONS.map((operation) => [operation, options.kms.callCount(operation) - (before[operation] ?? 0)]));
  const times = decisions.map((decision) => decision.verifyMs);
  return {
    consumer: name,
    messages: decisions.length,
    accepted: decisions.filter((decision) => decision.outcome === 'accepted').length,
    kmsCalls,
    kmsCallsByOperation,
    medianMs: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
  };
}

const ms = (value: number): string => `${value.toFixed(3)} ms`;

/** Sends the messages with each producer, then measures each consumer on them. */
export async function measureConsumers(options: MeasureOptions): Promise<Measurement> {
  const messages = options.messages ?? 200;
  const messageBytes = options.messageBytes ?? 8192;
  const warmUpMessages = options.warmUpMessages ?? 20;
  const total = messages + warmUpMessages;

  const ourQueue = new InMemoryQueue({ name: 'order-events-signed' });
  const producer = createProducer({ client: options.client, keyId: options.keyId, queueUrl: ourQueue.url, sendMessage: ourQueue.sendMessage });
  const seedQueue = new InMemoryQueue({ name: 'order-events-kms-verify' });
  const seedProducer = createKmsVerifyProducer({ client: options.client, keyId: options.keyId, queueUrl: seedQueue.url, sendMessage: seedQueue.sendMessage });
  for (let index = 0; index < total; index++) {
    await producer.publish(orderEvent(`o-${index}`, messageBytes));
    await seedProducer.publish(orderEvent(`o-${index}`, messageBytes));
  }

  const settings = { kms: options.kms, messages, warmUpMessages };
  // Only offline keys: this consumer has no KMS client at all.
  const keys = createKmsKeyProvider({ offlineKeys: [{ key: options.jwks }] });
  const offline = await measureOne('offline: kms-jwt-verifier + deploy-time JWKS', settings, ourQueue, (onDecision) =>
    createSqsHandler({ keys, maxMessageAgeSeconds: 3600, process: () => undefined, onDecision }),
  );
  const kmsVerify = await measureOne('seed: KMS Verify per message (DIGEST)', settings, seedQueue, (onDecision) =>
    createKmsVerifyHandler({ client: options.client, keyId: options.keyId, process: () => undefined, onDecision }),
  );

  const rows = [offline, kmsVerify].map((result) => [
    result.consumer,
    result.messages,
    result.accepted,
    result.kmsCalls,
    (result.kmsCalls / Math.max(1, result.messages)).toFixed(2),
    ms(result.medianMs),
    ms(result.p99Ms),
  ]);
  return {
    messageBytes,
    offline,
    kmsVerify,
    table: table(['consumer', 'messages', 'accepted', 'KMS calls', 'per message', 'median', 'p99'], rows),
  };
}
