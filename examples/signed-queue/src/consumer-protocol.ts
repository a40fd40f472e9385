/** The lines the consumer process reads and writes (see consumer-main.ts). */
import type { SqsEvent } from './sqs-types.js';

/** One line on its stdin: an invocation of the handler. */
export interface ConsumerInvocation {
  readonly id: number;
  readonly event: SqsEvent;
}

/** What the consumer did with an accepted message: its id and the order it carried. */
export interface ProcessedMessage {
  readonly messageId: string;
  readonly orderId: string | undefined;
  readonly bodyBytes: number;
}
