/** What a consumer decided for one SQS record: the same shape for the offline consumer and the KMS Verify one, so the two can be compared. */
export interface RecordDecision {
  /** The SQS message id of the record. */
  readonly sqsMessageId: string;
  /** `accepted`: verified and processed (SQS deletes it); `refused`: not genuine, or a replay (kept in the queue until the dead-letter queue); `retry`: could not be decided or processed now. */
  readonly outcome: 'accepted' | 'refused' | 'retry';
  /** Why it was not accepted: the verifier's error code (`ERR_JWS_SIGNATURE_INVALID`, …), KMS's exception name, or `PROCESSING_FAILED`. */
  readonly code: string | undefined;
  /** The signed message's own id (header `jti`), once verified. */
  readonly messageId: string | undefined;
  /** Size of the body, in bytes. */
  readonly bodyBytes: number;
  /** Time spent verifying the record's signature (including any KMS call), in milliseconds. */
  readonly verifyMs: number;
}
