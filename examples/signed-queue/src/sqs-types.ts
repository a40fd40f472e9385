/*
 * The shapes SQS and Lambda use, written out here so the example needs no SQS client or Lambda
 * types: SendMessage's input (what a producer gives @aws-sdk/client-sqs), the event a Lambda SQS
 * trigger delivers, and the partial batch response it reads back.
 */

/** A message attribute as SendMessage takes it (PascalCase, as in @aws-sdk/client-sqs). */
export interface SqsSendMessageAttribute {
  readonly DataType: 'String' | 'Number' | 'Binary';
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/** The part of SendMessage's input a producer fills in. */
export interface SqsSendMessageInput {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly MessageAttributes?: Readonly<Record<string, SqsSendMessageAttribute>>;
}

/** What SendMessage answers. */
export interface SqsSendMessageOutput {
  readonly MessageId: string;
  readonly MD5OfMessageBody: string;
  readonly MD5OfMessageAttributes?: string;
}

/** A message attribute as a Lambda SQS event carries it (camelCase). */
export interface SqsMessageAttribute {
  readonly stringValue?: string;
  readonly binaryValue?: string;
  readonly stringListValues: readonly string[];
  readonly binaryListValues: readonly string[];
  readonly dataType: string;
}

/** One record of a Lambda SQS event. */
export interface SqsRecord {
  /** The SQS message id (not the signed message's own id, which is in its signature header). */
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    readonly SenderId: string;
    readonly ApproximateFirstReceiveTimestamp: string;
  };
  readonly messageAttributes: Readonly<Record<string, SqsMessageAttribute>>;
  /** MD5 of the body: SQS's check against corruption in transit, not a signature — anyone who can write to the queue computes it. */
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

/** The event of a Lambda function triggered by SQS: up to 10 records by default. */
export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/**
 * What the function answers with `ReportBatchItemFailures` on: the records to keep in the queue.
 * SQS deletes every other record of the batch, and delivers these again until the redrive policy's
 * `maxReceiveCount` moves them to the dead-letter queue.
 */
export interface SqsBatchResponse {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}
