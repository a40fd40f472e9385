import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { describe, expect, it } from 'vitest';
import { createSqsHandler, type SqsHandlerOptions } from '../src/consumer.js';
import type { RecordDecision } from '../src/decision.js';
import { InMemoryQueue } from '../src/in-memory-queue.js';
import { orderEvent } from '../src/orders.js';
import { createProducer } from '../src/producer.js';
import { InMemoryReplayStore } from '../src/replay-store.js';
import type { SqsEvent } from '../src/sqs-types.js';
import { PRODUCER_ALIAS, useKms } from './support.js';

const kms = useKms();

interface Setup {
  readonly queue: InMemoryQueue;
  readonly producer: ReturnType<typeof createProducer>;
  readonly decisions: RecordDecision[];
  readonly processed: string[];
  readonly handler: (event: SqsEvent) => ReturnType<ReturnType<typeof createSqsHandler>>;
}

function setup(overrides: Partial<SqsHandlerOptions<Record<string, unknown>>> = {}): Setup {
  const { client, jwks } = kms();
  const queue = new InMemoryQueue();
  const producer = createProducer({ client, keyId: PRODUCER_ALIAS, queueUrl: queue.url, sendMessage: queue.sendMessage });
  const decisions: RecordDecision[] = [];
  const processed: string[] = [];
  const handler = createSqsHandler<Record<string, unknown>>({
    // Only offline keys: no KMS client exists in this handler.
    keys: createKmsKeyProvider({ offlineKeys: [{ key: jwks }] }),
    process: (message) => void processed.push(String(message.payload['orderId'])),
    onDecision: (decision) => void decisions.push(decision),
    ...overrides,
  });
  return { queue, producer, decisions, processed, handler };
}

describe('the SQS handler that verifies signed messages offline', () => {
  it('accepts messages from the producer, processes their payload and reports no batch item failure, without a KMS call', async () => {
    const { queue, producer, decisions, processed, handler } = setup();
    const first = await producer.publish(orderEvent('o-1', 700));
    await producer.publish(orderEvent('o-2', 9000));
    const event = queue.receive();
    const callsBefore = kms().kms.callCount();
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(kms().kms.callCount()).toBe(callsBefore);
    expect(processed).toEqual(['o-1', 'o-2']);
    expect(decisions.map((decision) => [decision.outcome, decision.code])).toEqual([
      ['accepted', undefined],
      ['accepted', undefined],
    ]);
    expect(decisions[0]?.messageId).toBe(first.signed.messageId);
    expect(decisions[1]?.bodyBytes).toBe(9000);
  });

  it('reports a tampered body, an untrusted key, a replay and a missing signature in batchItemFailures, with the verifier code of each', async () => {
    const { queue, producer, decisions, processed, handler } = setup();
    const genuine = await producer.publish(orderEvent('o-1', 800));
    const signed = await producer.signer.sign({ json: orderEvent('o-2', 800) });
    const tampered = await queue.sendMessage({ ...producer.toSendMessageInput(signed), MessageBody: JSON.stringify(orderEvent('o-2', 801)) });
    const intruder = createProducer({ client: kms().client, keyId: kms().otherKeyArn, queueUrl: queue.url, sendMessage: queue.sendMessage });
    const untrusted = await intruder.publish(orderEvent('o-3', 800));
    const replayed = await queue.sendMessage(producer.toSendMessageInput(genuine.signed));
    const unsigned = await queue.sendMessage({ QueueUrl: queue.url, MessageBody: JSON.stringify(orderEvent('o-4', 800)) });

    const response = await handler(queue.receive());

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([tampered.MessageId, untrusted.sqsMessageId, replayed.MessageId, unsigned.MessageId]);
    expect(decisions.map((decision) => `${decision.outcome} ${decision.code ?? ''}`.trim())).toEqual([
      'accepted',
      'refused ERR_JWS_SIGNATURE_INVALID',
      'refused ERR_KID_UNTRUSTED',
      'refused ERR_MESSAGE_REPLAYED',
      'refused ERR_TOKEN_MALFORMED',
    ]);
    expect(processed).toEqual(['o-1']);
  });

  it('refuses a message older than maxMessageAgeSeconds', async () => {
    const nowMs = Date.now();
    const { queue, producer, decisions, handler } = setup({ maxMessageAgeSeconds: 60, nowMs: () => nowMs + 61_000 });
    const sent = await producer.publish(orderEvent('o-1', 500));
    expect(await handler(queue.receive())).toEqual({ batchItemFailures: [{ itemIdentifier: sent.sqsMessageId }] });
    expect(decisions[0]).toMatchObject({ outcome: 'refused', code: 'ERR_JWT_TOO_OLD' });
  });

  it('asks for a retry when processing fails, and accepts the next delivery of the same message instead of calling it a replay', async () => {
    let failures = 1;
    const processed: string[] = [];
    const { queue, producer, decisions, handler } = setup({
      process: (message) => {
        if (failures-- > 0) throw new Error('the database is down');
        processed.push(message.messageId);
      },
    });
    const sent = await producer.publish(orderEvent('o-1', 500));

    const firstEvent = queue.receive();
    const firstResponse = await handler(firstEvent);
    expect(firstResponse).toEqual({ batchItemFailures: [{ itemIdentifier: sent.sqsMessageId }] });
    expect(queue.settle(firstEvent, firstResponse)).toEqual({ deleted: 0, returned: 1, deadLettered: 0 });

    const secondEvent = queue.receive();
    expect(secondEvent.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(await handler(secondEvent)).toEqual({ batchItemFailures: [] });
    expect(decisions.map((decision) => [decision.outcome, decision.code])).toEqual([
      ['retry', 'PROCESSING_FAILED'],
      ['accepted', undefined],
    ]);
    expect(processed).toEqual([sent.signed.messageId]);
  });

  it('asks for a retry, not a refusal, when the replay store is unavailable', async () => {
    const store = new InMemoryReplayStore();
    const { queue, producer, decisions, processed, handler } = setup({
      replayStore: {
        isReplayed: () => {
          throw new Error('DynamoDB is unreachable');
        },
        forget: (key, messageId) => store.forget(key, messageId),
      },
    });
    const sent = await producer.publish(orderEvent('o-1', 500));
    expect(await handler(queue.receive())).toEqual({ batchItemFailures: [{ itemIdentifier: sent.sqsMessageId }] });
    expect(decisions[0]).toMatchObject({ outcome: 'retry', code: 'ERR_REPLAY_CHECK_UNAVAILABLE' });
    expect(processed).toEqual([]);
  });

  it('shares one replay store between handlers (Lambda containers) when given one', async () => {
    const replayStore = new InMemoryReplayStore();
    const one = setup({ replayStore });
    const two = setup({ replayStore });
    const sent = await one.producer.publish(orderEvent('o-1', 500));
    await two.queue.sendMessage(one.producer.toSendMessageInput(sent.signed));
    expect(await one.handler(one.queue.receive())).toEqual({ batchItemFailures: [] });
    const replayed = two.queue.receive();
    expect(await two.handler(replayed)).toEqual({ batchItemFailures: [{ itemIdentifier: replayed.Records[0]?.messageId }] });
    expect(two.decisions[0]).toMatchObject({ outcome: 'refused', code: 'ERR_MESSAGE_REPLAYED' });
  });
});
