import { createKeySignal } from 'kms-jwt-fleet';
import type { ParsedArgs } from '../../../lib/command.js';
import { UsageError } from '../../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../../lib/exit-codes.js';
import type { CliIo } from '../../../lib/io.js';
import { prettyJson } from '../../../lib/output.js';
import { connectRedis, redisTarget, redisUnavailable } from '../../../lib/redis-connection.js';
import type { recheckOptions } from './definition.js';

/** A KMS key ARN, as verifiers trust keys and as tokens name them in `kid`. */
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

export async function run({ values, positionals }: ParsedArgs<typeof recheckOptions>, io: CliIo): Promise<ExitCode> {
  const [keyArn] = positionals;
  if (keyArn === undefined) throw new UsageError('no key given: pass the key ARN the verifiers trust');
  if (!KEY_ARN.test(keyArn)) throw new UsageError('the key must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), as the verifiers trust it');
  if (values.channel === '') throw new UsageError('--channel must not be empty');
  const target = redisTarget(values);
  const event = values.disabled === true ? 'disabled' : 'recheck';
  const client = await connectRedis(target);
  const signal = createKeySignal({ client, ...(values.channel === undefined ? {} : { channel: values.channel }) });
  let receivers: number;
  try {
    receivers = await signal.publishKeyEvent({ keyArn, event });
  } catch (error) {
    throw redisUnavailable(error, 'publish the key event', target.where);
  } finally {
    await signal.close();
    client.destroy();
  }
  const heard = receivers === 0 ? 'no subscription got it (no verifier with a key signal is listening)' : `${receivers} subscription${receivers === 1 ? '' : 's'} got it; each verifier re-checks the key with KMS now`;
  io.stderr.write(`published '${event}' for ${keyArn} in ${target.where}: ${heard}\n`);
  if (values.json === true) io.stdout.write(prettyJson({ keyArn, event, receivers }));
  return EXIT_CODES.success;
}
