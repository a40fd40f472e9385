import { readFile } from 'node:fs/promises';
import type { JwtClaims } from 'kms-jwt-signer';
import { UsageError } from '../../lib/errors.js';
import { readStdin, StdinIsTerminal, type CliIo } from '../../lib/io.js';

/** The claim flags of `sign`. */
export interface ClaimFlags {
  readonly sub?: string | undefined;
  readonly iss?: string | undefined;
  readonly aud?: readonly string[] | undefined;
  readonly claim?: readonly string[] | undefined;
  readonly 'claim-json'?: readonly string[] | undefined;
  readonly claims?: string | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readClaimsSource(source: string, io: CliIo): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = source === '-' ? await readStdin(io, 'claims') : await readFile(source, 'utf8');
  } catch (error) {
    if (error instanceof StdinIsTerminal) throw new UsageError('--claims - reads the claims from stdin, but stdin is a terminal: pipe the JSON in');
    throw new UsageError(`--claims: cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--claims ${source === '-' ? '(stdin)' : source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isPlainObject(value)) throw new UsageError(`--claims ${source === '-' ? '(stdin)' : source} must hold a JSON object of claims`);
  return value;
}

function splitPair(flag: string, pair: string): [string, string] {
  const at = pair.indexOf('=');
  if (at <= 0) throw new UsageError(`${flag} needs name=value, such as ${flag === '--claim' ? 'scope=orders:read' : 'admin=true'}`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

/** The claims to sign: `--claims` first, then each flag over it. */
export async function collectClaims(flags: ClaimFlags, io: CliIo): Promise<JwtClaims> {
  const claims: Record<string, unknown> = flags.claims === undefined ? {} : await readClaimsSource(flags.claims, io);
  for (const pair of flags.claim ?? []) {
    const [name, value] = splitPair('--claim', pair);
    claims[name] = value;
  }
  for (const pair of flags['claim-json'] ?? []) {
    const [name, text] = splitPair('--claim-json', pair);
    try {
      claims[name] = JSON.parse(text) as unknown;
    } catch (error) {
      throw new UsageError(`--claim-json ${name}: the value is not JSON (quote strings: ${name}='"text"', or use --claim)`, { cause: error });
    }
  }
  if (flags.sub !== undefined) claims['sub'] = flags.sub;
  if (flags.iss !== undefined) claims['iss'] = flags.iss;
  const aud = flags.aud ?? [];
  if (aud.length > 0) claims['aud'] = aud.length === 1 ? aud[0] : [...aud];
  return claims as JwtClaims;
}
