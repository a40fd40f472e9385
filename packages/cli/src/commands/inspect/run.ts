import type { ParsedArgs } from '../../lib/command.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import type { CliIo } from '../../lib/io.js';
import { describeTime, prettyJson } from '../../lib/output.js';
import { readToken } from '../../lib/token-input.js';
import { decodeToken } from './decode.js';
import type { inspectOptions } from './definition.js';

export const UNVERIFIED_WARNING = 'UNVERIFIED: decoded only. The signature, the key and the claims were NOT checked; do not trust any of it. Use kms-jwt verify.';

export async function run({ values, positionals }: ParsedArgs<typeof inspectOptions>, io: CliIo): Promise<ExitCode> {
  const decoded = decodeToken(await readToken(positionals[0], io));
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ verified: false, warning: UNVERIFIED_WARNING, header: decoded.header, payload: decoded.payload, signatureBytes: decoded.signatureBytes })}\n`);
    return EXIT_CODES.success;
  }
  const lines = [UNVERIFIED_WARNING, `UNVERIFIED header: ${JSON.stringify(decoded.header)}`, `UNVERIFIED payload: ${prettyJson(decoded.payload).trimEnd()}`];
  if (typeof decoded.payload === 'object' && decoded.payload !== null) {
    const now = Date.now();
    for (const claim of ['iat', 'nbf', 'exp']) {
      const when = describeTime((decoded.payload as Record<string, unknown>)[claim], now);
      if (when !== undefined) lines.push(`UNVERIFIED ${claim}: ${when}`);
    }
  }
  lines.push(`signature: ${decoded.signatureBytes} bytes, NOT checked`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_CODES.success;
}
