import { KeyProviderConfigError } from './errors.js';
import type { JwksKeyIgnoredReason } from './jwks-events.js';
import { keyIdOfArn, parseKeyRef } from './key-refs.js';

/** Key ARNs a remote JWKS may publish: those of one account and Region (and, optionally, only some key ids). */
export interface JwksTrustRule {
  /** The 12-digit AWS account id the key ARNs must name. Required. */
  readonly accountId: string;
  /** The Region the key ARNs must name, e.g. `us-east-1`. Required. */
  readonly region: string;
  /** Only these key ids (UUIDs, or `mrk-...` for multi-Region keys). Default: every key of the account and Region. */
  readonly keyIds?: readonly string[];
  /** The ARN partition. Default: `'aws'` (`'aws-cn'`, `'aws-us-gov'`, ... for other partitions). */
  readonly partition?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;
const PARTITION = /^aws(?:-[a-z]+)*$/;

/** Why a kid may not be trusted from the JWKS. */
export interface AllowlistRefusal {
  readonly reason: Extract<JwksKeyIgnoredReason, 'kid-not-key-arn' | 'not-allowlisted'>;
  readonly message: string;
}

/** `partition:region:account` of a key ARN, and its key id; `undefined` for anything that is not a key ARN. */
function partsOf(kid: string): { scope: string; keyId: string } | undefined {
  const keyId = keyIdOfArn(kid);
  if (keyId === undefined) return undefined;
  // A key ARN is arn:<partition>:kms:<region>:<account>:key/<key id>, with no other colon.
  const [, partition, , region, account] = kid.split(':');
  return { scope: `${partition}:${region}:${account}`, keyId };
}

/**
 * Which key ARNs a remote JWKS may make trusted: the `keyArns` listed, and the ARNs of the accounts
 * and Regions (and key ids) of `trust`. A JWKS can never widen it: any other kid is ignored.
 */
export class JwksAllowlist {
  readonly #arns: ReadonlySet<string>;
  /** By `partition:region:account`: the allowed key ids, or `'any'`. */
  readonly #scopes: ReadonlyMap<string, ReadonlySet<string> | 'any'>;

  constructor(arns: ReadonlySet<string>, scopes: ReadonlyMap<string, ReadonlySet<string> | 'any'>) {
    this.#arns = arns;
    this.#scopes = scopes;
  }

  /** Whether the JWKS may make `kid` trusted (the resolver's fast path: no allocation). */
  allows(kid: string): boolean {
    if (this.#arns.has(kid)) return true;
    const parts = partsOf(kid);
    if (parts === undefined) return false;
    const allowed = this.#scopes.get(parts.scope);
    return allowed === 'any' || (allowed !== undefined && allowed.has(parts.keyId));
  }

  /** Why the JWKS may not make `kid` trusted; `undefined` when it may. */
  check(kid: string): AllowlistRefusal | undefined {
    if (this.allows(kid)) return undefined;
    if (keyIdOfArn(kid) === undefined) {
      const ref = parseKeyRef(kid);
      const what = ref?.kind === 'alias' ? 'an alias' : ref?.kind === 'key' ? 'a bare key id' : 'not a KMS key ARN';
      return { reason: 'kid-not-key-arn', message: `the kid is ${what}; a JWKS key is trusted only under the key ARN tokens carry as kid (arn:aws:kms:<region>:<account>:key/<key id>)` };
    }
    return { reason: 'not-allowlisted', message: 'the kid is a key ARN that neither keyArns nor trust allows; add it (or its account and Region) if this issuer may sign with it' };
  }
}

function fail(message: string): never {
  throw new KeyProviderConfigError(message);
}

/** Checks `keyArns` and `trust` (at least one key ARN or rule between them). */
export function toAllowlist(keyArns: unknown, trust: unknown): JwksAllowlist {
  const arns = new Set<string>();
  const scopes = new Map<string, Set<string> | 'any'>();
  if (keyArns !== undefined) {
    if (!Array.isArray(keyArns)) fail('keyArns must be an array of KMS key ARNs');
    for (const [index, arn] of (keyArns as unknown[]).entries()) {
      if (typeof arn !== 'string' || keyIdOfArn(arn) === undefined) fail(`keyArns[${index}] must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias or a key id`);
      arns.add(arn);
    }
  }
  if (trust !== undefined) {
    if (!Array.isArray(trust)) fail('trust must be an array of { accountId, region, keyIds?, partition? }');
    for (const [index, rule] of (trust as unknown[]).entries()) {
      const where = `trust[${index}]`;
      if (typeof rule !== 'object' || rule === null) fail(`${where} must be an object { accountId, region, keyIds?, partition? }`);
      const { accountId, region, keyIds, partition = 'aws' } = rule as Partial<Record<keyof JwksTrustRule, unknown>>;
      if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) fail(`${where}.accountId must be a 12-digit AWS account id (as a string)`);
      if (typeof region !== 'string' || !REGION.test(region)) fail(`${where}.region must be an AWS Region such as us-east-1`);
      if (typeof partition !== 'string' || !PARTITION.test(partition)) fail(`${where}.partition must be an ARN partition such as aws, aws-cn or aws-us-gov`);
      const scope = `${partition}:${region}:${accountId}`;
      if (keyIds === undefined) {
        scopes.set(scope, 'any');
        continue;
      }
      if (!Array.isArray(keyIds) || keyIds.length === 0) fail(`${where}.keyIds must be a non-empty array of key ids (leave it out to allow every key of the account and Region)`);
      const ids = new Set<string>();
      for (const [at, id] of (keyIds as unknown[]).entries()) {
        const ref = typeof id === 'string' ? parseKeyRef(id) : undefined;
        if (ref?.kind !== 'key' || ref.arn !== undefined) fail(`${where}.keyIds[${at}] must be a key id (a UUID, or mrk- and 32 hex digits), not an ARN or an alias`);
        ids.add(id as string);
      }
      const known = scopes.get(scope);
      if (known !== 'any') scopes.set(scope, new Set([...(known ?? []), ...ids]));
    }
  }
  if (arns.size === 0 && scopes.size === 0) {
    fail('give keyArns, trust or both: the KMS key ARNs (or accounts and Regions) whose keys the JWKS may publish; a JWKS never decides on its own which keys are trusted');
  }
  return new JwksAllowlist(arns, scopes);
}
