import { describe, expect, it } from 'vitest';
import type { RecordDecision } from '../src/decision.js';
import { InMemoryQueue } from '../src/in-memory-queue.js';
import { createKmsVerifyHandler, decodeByteArray } from '../src/kms-verify-consumer.js';
import { createKmsVerifyProducer, encodeByteArray } from '../src/kms-verify-producer.js';
import { orderEvent } from '../src/orders.js';
import { PRODUCER_ALIAS, useKms } from './support.js';

const kms = useKms();

describe("the seed's consumer, kept for comparison: KMS Verify per message", () => {
  it('verifies each message with one KMS Verify call, and refuses a tampered body with KMSInvalidSignatureException', async () => {
    const { client } = kms();
    const queue = new InMemoryQueue();
    const producer = createKmsVerifyProducer({ client, keyId: PRODUCER_ALIAS, queueUrl: queue.url, sendMessage: queue.sendMessage });
    const decisions: RecordDecision[] = [];
    const processed: unknown[] = [];
    const handler = createKmsVerifyHandler({ client, keyId: PRODUCER_ALIAS, process: (json) => void processed.push(json), onDecision: (decision) => void decisions.push(decision) });
    await producer.publish(orderEvent('o-1', 6000));
    await producer.publish(orderEvent('o-2', 6000));
    const signature = queue.receive(1).Records[0]?.messageAttributes['signature']?.stringValue ?? '';
    expect(signature).toMatch(/^\d{1,3}(,\d{1,3}){60,}$/);
    await queue.sendMessage({ QueueUrl: queue.url, MessageBody: JSON.stringify(orderEvent('o-1', 6001)), MessageAttributes: { signature: { DataType: 'String', StringValue: signature } } });

    const event = queue.receive();
    const verifyCalls = kms().kms.callCount('Verify');
    const response = await handler(event);
    expect(kms().kms.callCount('Verify') - verifyCalls).toBe(2);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]?.messageId }] });
    expect(decisions.map((decision) => [decision.outcome, decision.code])).toEqual([
      ['accepted', undefined],
      ['refused', 'KMSInvalidSignatureException'],
    ]);
    expect(processed).toEqual([orderEvent('o-2', 6000)]);
  });

  it('writes signatures as a stringified byte array, whose decoding turns bad items into other bytes silently', () => {
    expect(encodeByteArray(Uint8Array.of(48, 69, 2, 33))).toBe('48,69,2,33');
    expect([...decodeByteArray('48,69,2,33')]).toEqual([48, 69, 2, 33]);
    expect([...decodeByteArray('48,,300,x')]).toEqual([48, 0, 44, 0]);
  });
});
