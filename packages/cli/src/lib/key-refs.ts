import { UsageError } from './errors.js';

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
  if (/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(trimmed) || /^(mrk-)?[0-9a-f-]{32,36}$/i.test(trimmed)) return trimmed;
  if (trimmed.startsWith('alias/') || /:alias\//.test(trimmed)) return aliasName(trimmed, '--key');
  throw new UsageError(`--key ${trimmed} is not a KMS key ARN or key id (use --alias for an alias)`);
}
