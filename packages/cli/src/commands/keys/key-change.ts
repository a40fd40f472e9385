import type { KMSClient } from '@aws-sdk/client-kms';
import { HELP_OPTION, KMS_OPTIONS } from '../../lib/command.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES } from '../../lib/exit-codes.js';
import type { CliIo } from '../../lib/io.js';
import { keyOrAliasRef } from '../../lib/key-refs.js';
import { describeTime, isoSeconds } from '../../lib/output.js';
import { aliasesOf, describeKind, isSigningKey, type KnownKey } from './kms-keys.js';

/** The flags of every command that changes a key's state: `--json`, the KMS flags and `--help`. */
export const KEY_CHANGE_OPTIONS = { json: { type: 'boolean' }, ...KMS_OPTIONS, ...HELP_OPTION } as const;

/** `--force`, for the commands that retire a key (disable, schedule-deletion). */
export const FORCE_OPTION = { force: { type: 'boolean' } } as const;

/** The help paragraph on `<key>`. */
export const KEY_ARGUMENT_USAGE = `<key> is a key id, key ARN, alias name (alias/...) or alias ARN; an alias stands for the key it
points to now.`;

/** The `<key>` argument, required. */
export function keyArgument(positionals: readonly string[]): string {
  const [value] = positionals;
  if (value === undefined) throw new UsageError('needs the key: a key id, key ARN, alias name (alias/...) or alias ARN');
  return keyOrAliasRef(value);
}

/** `2026-06-01T12:00:00Z (in 30d)`. */
function deletionTime(date: Date): string {
  return describeTime(Math.floor(date.getTime() / 1000), Date.now()) ?? isoSeconds(date);
}

/** ` (deletion date 2026-06-01T12:00:00Z, in 30d)` for a key pending deletion, else ''. */
export function deletionNote(key: KnownKey): string {
  return key.DeletionDate === undefined ? '' : ` (deletion date ${deletionTime(key.DeletionDate).replace(/ \((.*)\)$/, ', $1')})`;
}

/**
 * Refuses to retire (disable, schedule the deletion of) a key that an alias points to or that is not
 * a signing key, unless `force`; with `force`, says what is about to break on stderr. An alias's
 * current key is what issuers sign with: retiring it stops every issuer signing through the alias at
 * once, and verifiers following the alias stop trusting the tokens already out.
 */
export async function guardRetirement(options: {
  readonly client: KMSClient;
  readonly key: KnownKey;
  /** `disable`, `schedule the deletion of` */
  readonly action: string;
  readonly force: boolean;
  readonly where: string;
  readonly io: CliIo;
}): Promise<void> {
  const { client, key, action, force, where, io } = options;
  const reasons: { readonly problem: string; readonly fix?: string }[] = [];
  const aliases = await aliasesOf(client, key.Arn, where);
  if (aliases.length > 0) {
    const one = aliases.length === 1;
    reasons.push({
      problem: `${aliases.join(', ')} ${one ? 'points' : 'point'} to it: issuers signing through ${one ? 'that alias' : 'those aliases'} would fail at once and verifiers following ${one ? 'it' : 'them'} would reject the tokens already out`,
      fix: `move ${one ? 'the alias' : 'each alias'} to another key first (kms-jwt keys rotate --alias ${aliases[0] ?? ''})`,
    });
  }
  if (!isSigningKey(key)) reasons.push({ problem: `it is ${describeKind(key)}, not a signing key kms-jwt uses` });
  if (reasons.length === 0) return;
  if (!force) {
    const fixes = reasons.flatMap((reason) => (reason.fix === undefined ? [] : [reason.fix]));
    const explained = reasons.map((reason) => (reason.fix === undefined ? reason.problem : `${reason.problem}; ${reason.fix}`)).join('; and ');
    throw new CliError(`refusing to ${action} ${key.Arn}: ${explained}; ${fixes.length > 0 ? 'or ' : ''}pass --force to go ahead anyway`, EXIT_CODES.failure);
  }
  io.stderr.write(`warning: ${reasons.map((reason) => reason.problem).join('; and ')}; going ahead because of --force\n`);
}

/** What a state change did, as printed. */
export interface KeyStateResult {
  readonly keyArn: string;
  readonly keyId: string;
  readonly keyState: string;
  readonly previousKeyState: string;
  readonly deletionDate?: Date | undefined;
  readonly pendingWindowInDays?: number | undefined;
}

/** Prints the key and its state: `key: <arn>` / `state: <state>` lines, or one JSON object with `--json`. */
export function printKeyState(io: CliIo, json: boolean, result: KeyStateResult): void {
  const deletionDate = result.deletionDate === undefined ? undefined : isoSeconds(result.deletionDate);
  if (json) {
    const { keyArn, keyId, keyState, previousKeyState, pendingWindowInDays } = result;
    io.stdout.write(`${JSON.stringify({ keyArn, keyId, keyState, previousKeyState, ...(deletionDate === undefined ? {} : { deletionDate, pendingWindowInDays }) })}\n`);
    return;
  }
  const lines = [`key: ${result.keyArn}`, `state: ${result.keyState}`];
  if (result.deletionDate !== undefined) lines.push(`deletion date: ${deletionTime(result.deletionDate)}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
