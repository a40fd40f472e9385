/*
 * The seed scenario's producer, kept for comparison: it hashes the body with SHA-256 itself, has KMS
 * sign the digest (Sign, MessageType DIGEST, ECDSA_SHA_256), and sends the DER signature as the
 * `signature` attribute written as a stringified byte array ("48,69,2,33,…"). The signature covers
 * the body only: no key id, no message id, no time.
 */
import { createHash } from 'node:crypto';
import { SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SIGNATURE_ATTRIBUTE } from './producer.js';
import type { SqsSendMessageInput, SqsSendMessageOutput } from './sqs-types.js';

/** Options of {@link createKmsVerifyProducer}. */
export interface KmsVerifyProducerOptions {
  /** Required. */
  readonly client: KMSClient;
  /** The ECC_NIST_P256 signing key. Required. */
  readonly keyId: string;
  /** Required. */
  readonly queueUrl: string;
  /** Required. */
  readonly sendMessage: (input: SqsSendMessageInput) => Promise<SqsSendMessageOutput>;
}

/** The signature bytes as the seed writes them: decimal bytes joined by commas (what `String(uint8Array)` gives). */
export function encodeByteArray(bytes: Uint8Array): string {
  return Array.from(bytes).join(',');
}

/** Signs (one KMS Sign call) and sends messages the seed's way. */
export function createKmsVerifyProducer(options: KmsVerifyProducerOptions): { publish(json: unknown): Promise<SqsSendMessageOutput> } {
  return {
    async publish(json) {
      const body = JSON.stringify(json);
      const digest = createHash('sha256').update(body, 'utf8').digest();
      const { Signature } = await options.client.send(new SignCommand({ KeyId: options.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
      if (Signature === undefined) throw new Error('KMS Sign returned no signature');
      return options.sendMessage({
        QueueUrl: options.queueUrl,
        MessageBody: body,
        MessageAttributes: { [SIGNATURE_ATTRIBUTE]: { DataType: 'String', StringValue: encodeByteArray(Signature) } },
      });
    },
  };
}
