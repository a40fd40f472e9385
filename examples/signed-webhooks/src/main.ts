/*
 * `pnpm start`: the narrated scenario (run.ts) on an embedded kms-local; then the sender and the
 * receiver keep running, with the commands to try them. Ctrl-C (or SIGTERM) stops everything and
 * exits 0. Exits 1 at once if a step did not behave as expected.
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

import { runScenario } from './run.js';

const print = (line = ''): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const result = await runScenario({ keepRunning: true });
  if (result.running === undefined) {
    process.exitCode = 1;
    return;
  }
  const { sender, receiver, stop } = result.running;
  print();
  print(`sender listening on ${sender.url}`);
  print(`receiver listening on ${receiver.url}`);
  print();
  print('Try it:');
  print(`  curl -s -X POST ${sender.url}/events -H 'content-type: application/json' -d '{"type":"order.placed","orderId":"o-9"}'`);
  print('    the sender signs the event for the receiver\'s endpoint and delivers it');
  print(`  curl -s ${receiver.url}/events`);
  print(`  curl -s ${sender.jwksUrl}`);
  print(`  curl -i -X POST ${receiver.endpoint} -H 'content-type: application/json' -d '{"orderId":"o-9"}'`);
  print('    401: no Webhook-Signature');
  print();
  print('Ctrl-C stops it.');
  const shutdown = (): void => {
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nThe scenario failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
