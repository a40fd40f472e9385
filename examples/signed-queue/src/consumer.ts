/*
 * The consumer: a Lambda handler for an SQS trigger that verifies each record offline with
 * kms-jwt-verifier's message verifier — the body as received, the detached JWS from the `signature`
 * message attribute — against keys it was given at deploy time, and answers SQS partial batch
 * failures. It makes no KMS call: its keys come from a JWKS (or snapshot) file, not from KMS.
 */
import { performance } from 'node:perf_hooks';
import { createMessageVerifier, KmsJwtError, type KeyResolver, type StaticKey, type VerifiedMessage } from 'kms-jwt-verifier';
import type { RecordDecision } from './decision.js';
import { SIGNATURE_ATTRIBUTE } from './producer.js';
import { InMemoryReplayStore } from './replay-store.js';
import type { SqsBatchResponse, SqsEvent, SqsRecord } from './sqs-types.js';

/** Where accepted message ids are remembered: {@link InMemoryReplayStore}, or a shared store with the same two methods. */
export interface ReplayStore {
  isReplayed: InMemoryReplayStore['isReplayed'];
  forget(key: string, messageId: string): void;
}

/** Options of {@link createSqsHandler}. */
export interface SqsHandlerOptions<P> {
  /**
   * The producer's keys: a KeyResolver such as kms-pubkey-provider's `createKmsKeyProvider({ offlineKeys:
   * [{ file: 'producer-jwks.json' }] })` (no KMS client is ever created with only offline keys), or
   * static keys. Required.
   */
  readonly keys: KeyResolver | readonly StaticKey[];
  /** Does the work for a verified message; a throw reports the record for another delivery. Required. */
  readonly process: (message: VerifiedMessage<P>, record: SqsRecord) => Promise<void> | void;
  /**
   * Oldest message accepted, in seconds since it was signed: longer than a message may wait in the
   * queue, retries included, and as long as the replay store remembers ids. Default: `3600`.
   */
  readonly maxMessageAgeSeconds?: number;
  /** Default: a new {@link InMemoryReplayStore} (one per handler, so per Lambda container). */
  readonly replayStore?: ReplayStore;
  /** Told each record's decision, e.g. to log it. Default: none. */
  readonly onDecision?: (decision: RecordDecision) => void;
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

/** A Lambda handler for an SQS trigger with `ReportBatchItemFailures`. */
export type SqsHandler = (event: SqsEvent) => Promise<SqsBatchResponse>;

/**
 * Creates the handler. Each record is verified, then processed; a record that is not accepted is
 * reported in `batchItemFailures`, so that SQS keeps it: a refused one (tampered, untrusted key,
 * replayed, too old) until the redrive policy moves it to the dead-letter queue, where it can be
 * looked at; a `retry` one (the replay store down, processing failed) to be delivered again.
 */
export function createSqsHandler<P = unknown>(options: SqsHandlerOptions<P>): SqsHandler {
  const replayStore = options.replayStore ?? new InMemoryReplayStore(options.nowMs === undefined ? {} : { nowMs: options.nowMs });
  const verifier = createMessageVerifier({
    keys: options.keys,
    maxMessageAgeSeconds: options.maxMessageAgeSeconds ?? 3600,
    isReplayed: replayStore.isReplayed,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
  const decide = (decision: RecordDecision): RecordDecision => {
    options.onDecision?.(decision);
    return decision;
  };

  async function handleRecord(record: SqsRecord): Promise<RecordDecision> {
    const base = { sqsMessageId: record.messageId, bodyBytes: Buffer.byteLength(record.body, 'utf8') };
    const started = performance.now();
    let message: VerifiedMessage<P>;
    try {
      message = await verifier.verify<P>({ jws: record.messageAttributes[SIGNATURE_ATTRIBUTE]?.stringValue, payload: record.body });
    } catch (error) {
      const verifyMs = performance.now() - started;
      if (!(error instanceof KmsJwtError)) throw error;
      // 401: not genuine, or a replay; 503: the replay store (or a key source) is down, try again later.
      return decide({ ...base, outcome: error.status === 503 ? 'retry' : 'refused', code: error.code, messageId: undefined, verifyMs });
    }
    const verifyMs = performance.now() - started;
    try {
      await options.process(message, record);
    } catch {
      // Its id is remembered already: forget it, or the next delivery would be refused as a replay.
      replayStore.forget(message.key, message.messageId);
      return decide({ ...base, outcome: 'retry', code: 'PROCESSING_FAILED', messageId: message.messageId, verifyMs });
    }
    return decide({ ...base, outcome: 'accepted', code: undefined, messageId: message.messageId, verifyMs });
  }

  return async (event) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      let decision: RecordDecision;
      try {
        decision = await handleRecord(record);
      } catch {
        decision = decide({ sqsMessageId: record.messageId, outcome: 'retry', code: 'UNEXPECTED_ERROR', messageId: undefined, bodyBytes: Buffer.byteLength(record.body, 'utf8'), verifyMs: 0 });
      }
      if (decision.outcome !== 'accepted') batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  };
}
