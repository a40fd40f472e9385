/*
 * A stand-in for one SQS queue with a dead-letter queue, in memory: SendMessage on one side, and on
 * the other the records a Lambda SQS trigger would deliver, settled with the function's partial
 * batch response. It is not SQS (no visibility timeout, no persistence, one consumer): SQS is not
 * what this example tests, the signed messages are.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { md5OfBody, md5OfMessageAttributes } from './sqs-md5.js';
import type { SqsBatchResponse, SqsEvent, SqsMessageAttribute, SqsRecord, SqsSendMessageInput, SqsSendMessageOutput } from './sqs-types.js';

/** Options of {@link InMemoryQueue}. */
export interface InMemoryQueueOptions {
  /** The queue's name, in its URL and ARN. Default: `'order-events'`. */
  readonly name?: string;
  /** Default: `'us-east-1'`. */
  readonly region?: string;
  /** Default: `'111122223333'`. */
  readonly accountId?: string;
  /** Receives after which a message that keeps failing moves to the dead-letter queue (the redrive policy). Default: `3`. */
  readonly maxReceiveCount?: number;
  /** Largest message (body and attributes), in bytes. Default: `262144` (256 KiB, the kms-jwt signer's and verifier's default too). */
  readonly maxMessageBytes?: number;
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

/** What {@link InMemoryQueue.settle} did with a batch. */
export interface SettleResult {
  /** Records the function did not report: deleted, as SQS deletes them. */
  readonly deleted: number;
  /** Reported records put back, to be received again. */
  readonly returned: number;
  /** Reported records that reached `maxReceiveCount`: moved to the dead-letter queue. */
  readonly deadLettered: number;
}

interface StoredMessage {
  readonly messageId: string;
  readonly input: SqsSendMessageInput;
  readonly sentAtMs: number;
  receiveCount: number;
  firstReceivedAtMs: number | undefined;
}

/** The in-memory queue: `sendMessage` as a producer calls SQS, `receive` and `settle` as Lambda's event source mapping does. */
export class InMemoryQueue {
  /** The queue URL (a producer's `QueueUrl`). */
  readonly url: string;
  /** The queue ARN (a record's `eventSourceARN`). */
  readonly arn: string;
  readonly region: string;
  readonly #maxReceiveCount: number;
  readonly #maxMessageBytes: number;
  readonly #nowMs: () => number;
  readonly #waiting: StoredMessage[] = [];
  readonly #inFlight = new Map<string, StoredMessage>();
  readonly #deadLetters: StoredMessage[] = [];

  constructor(options: InMemoryQueueOptions = {}) {
    const name = options.name ?? 'order-events';
    const accountId = options.accountId ?? '111122223333';
    this.region = options.region ?? 'us-east-1';
    this.url = `https://sqs.${this.region}.amazonaws.com/${accountId}/${name}`;
    this.arn = `arn:aws:sqs:${this.region}:${accountId}:${name}`;
    this.#maxReceiveCount = options.maxReceiveCount ?? 3;
    this.#maxMessageBytes = options.maxMessageBytes ?? 262_144;
    this.#nowMs = options.nowMs ?? Date.now;
    if (!Number.isInteger(this.#maxReceiveCount) || this.#maxReceiveCount < 1) throw new Error('maxReceiveCount must be an integer >= 1');
  }

  /** Messages waiting to be received. */
  get size(): number {
    return this.#waiting.length;
  }

  /** The bodies of the messages in the dead-letter queue, oldest first. */
  get deadLetters(): readonly string[] {
    return this.#deadLetters.map((message) => message.input.MessageBody);
  }

  /** SendMessage: checks the queue URL and the size as SQS does, and enqueues the message. */
  sendMessage = async (input: SqsSendMessageInput): Promise<SqsSendMessageOutput> => {
    if (input.QueueUrl !== this.url) throw new Error(`no queue at ${input.QueueUrl}`);
    const attributes = input.MessageAttributes ?? {};
    let size = Buffer.byteLength(input.MessageBody, 'utf8');
    for (const [name, attribute] of Object.entries(attributes)) {
      size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType) + (attribute.StringValue === undefined ? (attribute.BinaryValue?.length ?? 0) : Buffer.byteLength(attribute.StringValue));
    }
    if (size > this.#maxMessageBytes) throw new Error(`the message is ${size} bytes with its attributes, over the queue's ${this.#maxMessageBytes}`);
    const messageId = randomUUID();
    this.#waiting.push({ messageId, input, sentAtMs: this.#nowMs(), receiveCount: 0, firstReceivedAtMs: undefined });
    const attributesMd5 = md5OfMessageAttributes(attributes);
    return { MessageId: messageId, MD5OfMessageBody: md5OfBody(input.MessageBody), ...(attributesMd5 === undefined ? {} : { MD5OfMessageAttributes: attributesMd5 }) };
  };

  /** Takes up to `maxMessages` messages, oldest first, as the records of one Lambda SQS event. */
  receive(maxMessages = 10): SqsEvent {
    const nowMs = this.#nowMs();
    const taken = this.#waiting.splice(0, maxMessages);
    const records = taken.map((message): SqsRecord => {
      message.receiveCount += 1;
      message.firstReceivedAtMs ??= nowMs;
      const record = this.#record(message);
      this.#inFlight.set(record.messageId, message);
      return record;
    });
    return { Records: records };
  }

  /**
   * Applies the function's answer to a batch from {@link receive}, as Lambda does with
   * `ReportBatchItemFailures`: reported records go back to the queue (or to the dead-letter queue
   * at `maxReceiveCount`), the others are deleted. `undefined` (the function threw) reports them all.
   */
  settle(event: SqsEvent, response: SqsBatchResponse | undefined): SettleResult {
    const failed = new Set(response === undefined ? event.Records.map((record) => record.messageId) : response.batchItemFailures.map((failure) => failure.itemIdentifier));
    let deleted = 0;
    let returned = 0;
    let deadLettered = 0;
    for (const record of event.Records) {
      const message = this.#inFlight.get(record.messageId);
      if (message === undefined) continue;
      this.#inFlight.delete(record.messageId);
      if (!failed.has(record.messageId)) {
        deleted += 1;
      } else if (message.receiveCount >= this.#maxReceiveCount) {
        this.#deadLetters.push(message);
        deadLettered += 1;
      } else {
        this.#waiting.push(message);
        returned += 1;
      }
    }
    return { deleted, returned, deadLettered };
  }

  #record(message: StoredMessage): SqsRecord {
    const attributes = message.input.MessageAttributes ?? {};
    const messageAttributes: Record<string, SqsMessageAttribute> = {};
    for (const [name, attribute] of Object.entries(attributes)) {
      messageAttributes[name] = {
        ...(attribute.StringValue === undefined ? {} : { stringValue: attribute.StringValue }),
        ...(attribute.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(attribute.BinaryValue).toString('base64') }),
        stringListValues: [],
        binaryListValues: [],
        dataType: attribute.DataType,
      };
    }
    const attributesMd5 = md5OfMessageAttributes(attributes);
    return {
      messageId: message.messageId,
      // A new receipt handle on every receive, as SQS gives.
      receiptHandle: randomBytes(96).toString('base64'),
      body: message.input.MessageBody,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAtMs),
        SenderId: 'AROAEXAMPLEPRODUCER:order-service',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAtMs ?? message.sentAtMs),
      },
      messageAttributes,
      md5OfBody: md5OfBody(message.input.MessageBody),
      ...(attributesMd5 === undefined ? {} : { md5OfMessageAttributes: attributesMd5 }),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.region,
    };
  }
}
