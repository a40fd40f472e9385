/*
 * The producer: signs each message once through KMS with kms-jwt-signer, and sends it to SQS as it
 * was signed — the JSON text as the message body, the detached JWS (`header..signature`) as the
 * `signature` message attribute.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { createKmsMessageSigner, type KmsMessageSigner, type SignedMessage } from 'kms-jwt-signer';
import type { SqsSendMessageInput, SqsSendMessageOutput } from './sqs-types.js';

/** The message attribute that carries the detached JWS. */
export const SIGNATURE_ATTRIBUTE = 'signature';

/** Options of {@link createProducer}. */
export interface ProducerOptions {
  /** The KMS client, created once and shared. Required. */
  readonly client: KMSClient;
  /** The signing key: an alias (`alias/order-events`), a key ARN or a key id. Required. */
  readonly keyId: string;
  /** The queue's URL. Required. */
  readonly queueUrl: string;
  /** SendMessage: `(input) => sqs.send(new SendMessageCommand(input))` with @aws-sdk/client-sqs, or an {@link InMemoryQueue}'s `sendMessage`. Required. */
  readonly sendMessage: (input: SqsSendMessageInput) => Promise<SqsSendMessageOutput>;
}

/** What {@link Producer.publish} sent. */
export interface Published {
  /** The signed message: its id, key ARN, payload and both JWS forms. */
  readonly signed: SignedMessage;
  /** The SendMessage input, as sent. */
  readonly input: SqsSendMessageInput;
  /** The SQS message id. */
  readonly sqsMessageId: string;
}

/** Signs and sends messages. */
export interface Producer {
  /** Signs `json` (one KMS Sign call) and sends it; `messageId` sets the signed message's id (default: a random UUID). */
  publish(json: unknown, options?: { readonly messageId?: string }): Promise<Published>;
  /** The SendMessage input for a message signed already: what {@link publish} sends. */
  toSendMessageInput(signed: SignedMessage): SqsSendMessageInput;
  /** The signer, e.g. to `hydrate()` it at startup. */
  readonly signer: KmsMessageSigner;
}

/** Creates the producer; no KMS call until the first `publish`. */
export function createProducer(options: ProducerOptions): Producer {
  const signer = createKmsMessageSigner({ client: options.client, keyId: options.keyId });
  const toSendMessageInput = (signed: SignedMessage): SqsSendMessageInput => ({
    QueueUrl: options.queueUrl,
    MessageBody: signed.payload.toString('utf8'),
    MessageAttributes: { [SIGNATURE_ATTRIBUTE]: { DataType: 'String', StringValue: signed.detachedJws } },
  });
  return {
    signer,
    toSendMessageInput,
    async publish(json, publishOptions = {}) {
      const signed = await signer.sign({ json }, publishOptions.messageId === undefined ? undefined : { messageId: publishOptions.messageId });
      const input = toSendMessageInput(signed);
      const sent = await options.sendMessage(input);
      return { signed, input, sqsMessageId: sent.MessageId };
    },
  };
}
