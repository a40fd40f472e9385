/*
 * The consumer as its own process, standing in for a Lambda function and its runtime:
 * `node dist/consumer-main.js --jwks producer-jwks.json`. It reads one SQS event per line on stdin,
 * calls the handler, and writes one JSON line per invocation on stdout — `ready` first, then
 * `result` with the handler's answer (`batchItemFailures`) and each record's decision. It exits when
 * stdin closes, or on SIGTERM or SIGINT. It is given no AWS credentials, region or endpoint, and
 * creates no KMS client: its only trust is the JWKS file made at deploy time.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { createSqsHandler } from './consumer.js';
import type { RecordDecision } from './decision.js';
import type { ConsumerInvocation, ProcessedMessage } from './consumer-protocol.js';

const USAGE = 'usage: node dist/consumer-main.js --jwks <producer-jwks.json> [--max-message-age-seconds 3600]';

function line(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function main(): void {
  const { values } = parseArgs({ options: { jwks: { type: 'string' }, 'max-message-age-seconds': { type: 'string' } }, strict: true });
  if (values.jwks === undefined) throw new Error(`--jwks is required\n${USAGE}`);
  const maxAge = Number(values['max-message-age-seconds'] ?? '3600');
  if (!Number.isInteger(maxAge) || maxAge < 1) throw new Error('--max-message-age-seconds must be a whole number >= 1');

  // Only offline keys: kms-pubkey-provider never creates a KMS client for them.
  const keys = createKmsKeyProvider({ offlineKeys: [{ file: values.jwks }] });
  let decisions: RecordDecision[] = [];
  let processed: ProcessedMessage[] = [];
  const handler = createSqsHandler({
    keys,
    maxMessageAgeSeconds: maxAge,
    process: (message, record) => {
      // The signature says who sent the JSON, not that it has the expected shape: check it.
      const payload = message.payload;
      const orderId = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>)['orderId'] : undefined;
      processed.push({ messageId: message.messageId, orderId: typeof orderId === 'string' ? orderId : undefined, bodyBytes: Buffer.byteLength(record.body, 'utf8') });
    },
    onDecision: (decision) => void decisions.push(decision),
  });
  line({ type: 'ready', pid: process.pid, trustedKids: keys.exportJwks().keys.map((key) => key.kid), environment: Object.keys(process.env).sort() });

  // One invocation at a time, in order, as one Lambda container runs them.
  let queue = Promise.resolve();
  const input = createInterface({ input: process.stdin });
  input.on('line', (text) => {
    queue = queue
      .then(async () => {
        const invocation = JSON.parse(text) as ConsumerInvocation;
        decisions = [];
        processed = [];
        const response = await handler(invocation.event);
        line({ type: 'result', id: invocation.id, response, decisions, processed });
      })
      // A handler that throws fails the whole invocation, as in Lambda: every record comes back.
      .catch((error: unknown) => line({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
  });
  input.on('close', () => void queue.then(() => process.exit(0)));
  const stop = (): void => void queue.then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

try {
  main();
} catch (error) {
  process.stderr.write(`consumer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
