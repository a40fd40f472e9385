import { UsageError } from './errors.js';

const KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const KEY_ID = /^(mrk-)?[0-9a-f-]{32,36}$/i;

/** The value as a message may show it: in full when it looks like a KMS identifier, else its start (it may be a token pasted in the wrong place). */
function shown(value: string): string {
  return /^[\w:/-]{1,256}$/.test(value) ? value : `${value.slice(0, 12)}...`;
}

/** `issuer` or `alias/issuer` → `alias/issuer`; alias ARNs are kept. Refuses AWS-managed aliases. */
export function aliasName(value: string, flag = '--alias'): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new UsageError(`${flag} needs an alias name such as alias/token-issuer`);
  if (trimmed.startsWith('arn:')) {
    if (!/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:alias\/[\w/-]+$/.test(trimmed)) throw new UsageError(`${flag} ${trimmed} is not an alias ARN`);
    return trimmed;
  }
  const name = trimmed.startsWith('alias/') ? trimmed : `alias/${trimmed}`;
  if (!/^alias\/[\w/-]{1,250}$/.test(name)) throw new UsageError(`${flag} ${trimmed} is not an alias name (letters, digits, / _ -)`);
  if (name.startsWith('alias/aws/')) throw new UsageError(`${flag} ${name}: alias/aws/ names are reserved for AWS managed keys`);
  return name;
}

/** A `--key`: a key ARN or key id (aliases go through `--alias`). */
export function keyRef(value: string): string {
  const trimmed = value.trim();
  if (KEY_ARN.test(trimmed) || KEY_ID.test(trimmed)) return trimmed;
  if (trimmed.startsWith('alias/') || /:alias\//.test(trimmed)) return aliasName(trimmed, '--key');
  throw new UsageError(`--key ${trimmed} is not a KMS key ARN or key id (use --alias for an alias)`);
}

/** A key given by key ARN or key id only, as KMS takes the target of an alias. */
export function keyIdOrArn(value: string, flag: string): string {
  const trimmed = value.trim();
  if (KEY_ARN.test(trimmed) || KEY_ID.test(trimmed)) return trimmed;
  if (trimmed.length === 0) throw new UsageError(`${flag} is empty: give a KMS key ARN or key id`);
  throw new UsageError(`${flag} ${shown(trimmed)} is not a KMS key ARN or key id`);
}

/**
 * A `<key>` argument: a key id, key ARN, alias name (`alias/…`) or alias ARN. A bare name is refused
 * rather than taken as an alias: these commands change keys, and a typo must not reach one.
 */
export function keyOrAliasRef(value: string, what = '<key>'): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new UsageError(`${what} is empty: give a key id, key ARN, alias name (alias/...) or alias ARN`);
  if (KEY_ARN.test(trimmed) || KEY_ID.test(trimmed)) return trimmed;
  if (trimmed.startsWith('alias/') || /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(trimmed)) return aliasName(trimmed, what);
  throw new UsageError(`${what} ${shown(trimmed)} is not a key id, key ARN, alias name (alias/...) or alias ARN`);
}

/** A key given by key ARN only (the kid tokens carry), e.g. `--jwks-key-arn`. */
export function keyArnRef(value: string, flag: string): string {
  const trimmed = value.trim();
  if (KEY_ARN.test(trimmed)) return trimmed;
  throw new UsageError(`${flag} ${shown(trimmed)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>): tokens carry the key ARN as kid`);
}
