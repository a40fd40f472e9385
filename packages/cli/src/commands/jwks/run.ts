import { createPublicKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { KmsJwtError } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';
import type { ParsedArgs } from '../../lib/command.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import type { CliIo } from '../../lib/io.js';
import { aliasName, keyRef } from '../../lib/key-refs.js';
import { createKmsClient, trustedEndpointOf } from '../../lib/kms-client.js';
import { describeEndpoint } from '../../lib/kms-flags.js';
import { findSetupProblem } from '../../lib/kms-errors.js';
import { prettyJson } from '../../lib/output.js';
import type { jwksOptions } from './definition.js';

const FORMATS = ['jwks', 'pem', 'snapshot'] as const;
type Format = (typeof FORMATS)[number];

function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** ready() failed: KMS refused a key (exit 1) or could not be reached (exit 3). */
function fetchFailed(error: unknown, where: string): CliError {
  const setup = findSetupProblem(error);
  if (setup !== undefined) return setup;
  const message = error instanceof Error ? error.message.replace(/^kms-pubkey-provider: /, '') : String(error);
  if (error instanceof KmsJwtError && error.code === 'ERR_KEY_SOURCE_UNAVAILABLE') {
    return new CliError(`cannot fetch the public keys: KMS is unavailable at ${where}: ${message}`, EXIT_CODES.unavailable, { cause: error });
  }
  return new CliError(`cannot export the keys: ${message}`, EXIT_CODES.failure, { cause: error });
}

function render(provider: KmsKeyProvider, format: Format, io: CliIo): { text: string; kids: readonly string[] } {
  const set = provider.exportJwks();
  const kids = set.keys.map((jwk) => (typeof jwk.kid === 'string' ? jwk.kid : ''));
  switch (format) {
    case 'jwks':
      return { text: prettyJson(set), kids };
    case 'snapshot':
      return { text: prettyJson(provider.exportSnapshot()), kids };
    case 'pem': {
      const [only] = set.keys;
      if (only === undefined || set.keys.length !== 1) {
        throw new UsageError(`--format pem writes exactly one key, and these flags name ${set.keys.length}: give one --key or --alias, or use --format jwks`);
      }
      io.stderr.write(`kid (bind it with kms-jwt verify --pem <file> --kid <kid>): ${kids[0] ?? ''}\n`);
      return { text: createPublicKey({ key: only, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString(), kids };
    }
  }
}

export async function run({ values }: ParsedArgs<typeof jwksOptions>, io: CliIo): Promise<ExitCode> {
  if (!isFormat(values.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${values.format}`);
  const refs = [...(values.key ?? []).map(keyRef), ...(values.alias ?? []).map((alias) => aliasName(alias))];
  if (refs.length === 0) throw new UsageError('name the keys to export: --key <arn|id> or --alias <name>, repeatable');
  if (values.out !== undefined && values.out.length === 0) throw new UsageError('--out needs a file name');
  const client = createKmsClient(values);
  const where = describeEndpoint(values);
  let provider: KmsKeyProvider | undefined;
  try {
    provider = createKmsKeyProvider({ keys: [...new Set(refs)], client, ...trustedEndpointOf(values) });
    io.stderr.write(`fetching the public key${refs.length === 1 ? '' : 's'} of ${refs.join(', ')} from ${where}...\n`);
    try {
      await provider.ready();
    } catch (error) {
      throw fetchFailed(error, where);
    }
    const { text, kids } = render(provider, values.format, io);
    if (values.out === undefined) {
      io.stdout.write(text);
    } else {
      try {
        await writeFile(values.out, text);
      } catch (error) {
        throw new UsageError(`--out: cannot write ${values.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
      }
      io.stderr.write(`wrote ${values.format === 'pem' ? 'the PEM' : `a ${values.format === 'jwks' ? 'JWKS' : 'snapshot'}`} of ${kids.length} key${kids.length === 1 ? '' : 's'} to ${values.out}: ${kids.join(', ')}\n`);
    }
    return EXIT_CODES.success;
  } finally {
    provider?.close();
    client.destroy();
  }
}
