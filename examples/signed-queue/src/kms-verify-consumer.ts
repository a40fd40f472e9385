/*
 * The seed scenario's consumer, kept for comparison: for every record it hashes the body and asks
 * KMS whether the signature is valid (Verify, MessageType DIGEST, ECDSA_SHA_256) — one KMS request
 * per message, from the account's shared request quota, with KMS's latency on every message and
 * KMS access (kms:Verify) for the consumer. It has no replay or age check: the signature covers the
 * body alone.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { VerifyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { RecordDecision } from './decision.js';
import { SIGNATURE_ATTRIBUTE } from './producer.js';
import type { SqsBatchResponse, SqsEvent, SqsRecord } from './sqs-types.js';

/** Options of {@link createKmsVerifyHandler}. */
export interface KmsVerifyHandlerOptions {
  /** A client allowed kms:Verify on the key. Required. */
  readonly client: KMSClient;
  /** The producer's key. Required. */
  readonly keyId: string;
  /** Does the work for a verified body. Required. */
  readonly process: (json: unknown, record: SqsRecord) => Promise<void> | void;
  /** Told each record's decision. Default: none. */
  readonly onDecision?: (decision: RecordDecision) => void;
}

/**
 * The seed's decoding of "48,69,2,…" back into bytes. Fragile: `Number` turns an empty or
 * non-numeric item into 0 or NaN, and `Uint8Array` turns NaN into 0 and 256 into 0, silently, so a
 * mangled attribute reaches KMS as some other signature instead of failing to parse.
 */
export function decodeByteArray(text: string): Uint8Array {
  return Uint8Array.from(text.split(',').map(Number));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

/** Creates the seed's handler: one KMS Verify call per record. */
export function createKmsVerifyHandler(options: KmsVerifyHandlerOptions): (event: SqsEvent) => Promise<SqsBatchResponse> {
  return async (event) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const base = { sqsMessageId: record.messageId, messageId: undefined, bodyBytes: Buffer.byteLength(record.body, 'utf8') };
      const signature = record.messageAttributes[SIGNATURE_ATTRIBUTE]?.stringValue ?? '';
      const started = performance.now();
      let decision: RecordDecision;
      try {
        const digest = createHash('sha256').update(record.body, 'utf8').digest();
        await options.client.send(new VerifyCommand({ KeyId: options.keyId, Message: digest, MessageType: 'DIGEST', Signature: decodeByteArray(signature), SigningAlgorithm: 'ECDSA_SHA_256' }));
        const verifyMs = performance.now() - started;
        try {
          await options.process(JSON.parse(record.body) as unknown, record);
          decision = { ...base, outcome: 'accepted', code: undefined, verifyMs };
        } catch {
          decision = { ...base, outcome: 'retry', code: 'PROCESSING_FAILED', verifyMs };
        }
      } catch (error) {
        const name = errorName(error);
        // KMS answers an invalid signature with an exception; anything else (throttling, an outage) may pass.
        decision = { ...base, outcome: name === 'KMSInvalidSignatureException' ? 'refused' : 'retry', code: name, verifyMs: performance.now() - started };
      }
      options.onDecision?.(decision);
      if (decision.outcome !== 'accepted') batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  };
}
