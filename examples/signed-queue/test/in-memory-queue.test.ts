import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryQueue } from '../src/in-memory-queue.js';
import { md5OfMessageAttributes } from '../src/sqs-md5.js';

describe('the in-memory queue standing in for SQS and its Lambda trigger', () => {
  it('delivers records in the shape of a Lambda SQS event', async () => {
    const queue = new InMemoryQueue({ name: 'orders', region: 'eu-west-1', accountId: '444455556666', nowMs: () => 1_700_000_000_000 });
    const sent = await queue.sendMessage({ QueueUrl: queue.url, MessageBody: '{"orderId":"o-1"}', MessageAttributes: { signature: { DataType: 'String', StringValue: 'eyJh..c2ln' } } });
    const { Records } = queue.receive();
    expect(Records).toHaveLength(1);
    const record = Records[0];
    expect(record).toMatchObject({
      messageId: sent.MessageId,
      body: '{"orderId":"o-1"}',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1700000000000', ApproximateFirstReceiveTimestamp: '1700000000000' },
      messageAttributes: { signature: { stringValue: 'eyJh..c2ln', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: createHash('md5').update('{"orderId":"o-1"}').digest('hex'),
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:444455556666:orders',
      awsRegion: 'eu-west-1',
    });
    expect(record?.receiptHandle).toMatch(/^[A-Za-z0-9+/=]{100,}$/);
    expect(sent.MD5OfMessageBody).toBe(record?.md5OfBody);
    expect(queue.url).toBe('https://sqs.eu-west-1.amazonaws.com/444455556666/orders');
  });

  it('computes the MD5 of message attributes as SQS does', () => {
    // Values published with SQS's documentation and SDK tests.
    expect(md5OfMessageAttributes({ SellerName: { DataType: 'String', StringValue: 'Example Store' } })).toBe('cd28f3b68aeee4b2eac9c66f2f694b58');
    expect(md5OfMessageAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } })).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(md5OfMessageAttributes({ ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } })).toBe('d21ae90c49061e927f57df5f5d72be1f');
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });

  it('deletes records not reported, returns reported ones, and moves them to the dead-letter queue at maxReceiveCount', async () => {
    const queue = new InMemoryQueue({ maxReceiveCount: 2 });
    const good = await queue.sendMessage({ QueueUrl: queue.url, MessageBody: 'good' });
    const bad = await queue.sendMessage({ QueueUrl: queue.url, MessageBody: 'bad' });
    const first = queue.receive();
    expect(first.Records.map((record) => record.messageId)).toEqual([good.MessageId, bad.MessageId]);
    expect(queue.settle(first, { batchItemFailures: [{ itemIdentifier: bad.MessageId }] })).toEqual({ deleted: 1, returned: 1, deadLettered: 0 });
    const second = queue.receive();
    expect(second.Records.map((record) => [record.body, record.attributes.ApproximateReceiveCount])).toEqual([['bad', '2']]);
    expect(queue.settle(second, { batchItemFailures: [{ itemIdentifier: bad.MessageId }] })).toEqual({ deleted: 0, returned: 0, deadLettered: 1 });
    expect(queue.size).toBe(0);
    expect(queue.deadLetters).toEqual(['bad']);
  });

  it('returns every record of a batch whose handler threw', async () => {
    const queue = new InMemoryQueue();
    await queue.sendMessage({ QueueUrl: queue.url, MessageBody: 'a' });
    await queue.sendMessage({ QueueUrl: queue.url, MessageBody: 'b' });
    expect(queue.settle(queue.receive(), undefined)).toEqual({ deleted: 0, returned: 2, deadLettered: 0 });
    expect(queue.size).toBe(2);
  });

  it('takes at most the batch size asked for', async () => {
    const queue = new InMemoryQueue();
    for (let index = 0; index < 12; index++) await queue.sendMessage({ QueueUrl: queue.url, MessageBody: String(index) });
    expect(queue.receive().Records).toHaveLength(10);
    expect(queue.receive(10).Records.map((record) => record.body)).toEqual(['10', '11']);
  });

  it('refuses a message over its size limit, attributes included, and a wrong queue URL', async () => {
    const queue = new InMemoryQueue({ maxMessageBytes: 100 });
    await expect(queue.sendMessage({ QueueUrl: queue.url, MessageBody: 'x'.repeat(80), MessageAttributes: { signature: { DataType: 'String', StringValue: 'y'.repeat(20) } } })).rejects.toThrow(
      'the message is 115 bytes with its attributes, over the queue\'s 100',
    );
    await expect(queue.sendMessage({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/other', MessageBody: 'x' })).rejects.toThrow('no queue at');
    expect(queue.size).toBe(0);
  });
});
