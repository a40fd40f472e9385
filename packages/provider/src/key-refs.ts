/** Which Regions' replicas of a multi-Region key are trusted: any Region, or these. */
export type ReplicaRegions = 'any' | ReadonlySet<string>;

/** How one entry of the `keys` option names a KMS key. */
export type KeyRef =
  | {
      readonly kind: 'key';
      readonly ref: string;
      readonly keyId: string;
      readonly arn: string | undefined;
      /** The pinned SPKI thumbprint (`spkiSha256`), when the entry has one. */
      readonly spkiSha256?: string | undefined;
      /** For a multi-Region key configured by ARN: the Regions whose replicas are trusted too. */
      readonly replicaRegions?: ReplicaRegions | undefined;
    }
  | { readonly kind: 'alias'; readonly ref: string };

/** Where an ARN lives: what KMS never lets an alias (or a replica) cross, except the Region for replicas. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([A-Za-z0-9-]{1,100})$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/[A-Za-z0-9/_-]{1,250}$/;
const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
/** A key id as KMS prints it: a UUID, or `mrk-` and 32 hex digits for multi-Region keys. */
const KEY_ID = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$/;
const MULTI_REGION_KEY_ID = /^mrk-[0-9a-fA-F]{32}$/;
/** The partition, Region and account of a key or alias ARN. */
const SCOPED_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(?:key|alias)\//;
/** A Region name as AWS spells them: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
const REGION_NAME = /^[a-z]{2}(?:-[a-z]+){1,2}-\d{1,2}$/;

/** Parses a configured key reference: key ARN, key id, `alias/...` or alias ARN; `undefined` when it is none of them. */
export function parseKeyRef(ref: string): KeyRef | undefined {
  const arn = KEY_ARN.exec(ref);
  if (arn) return { kind: 'key', ref, keyId: arn[1] as string, arn: ref };
  if (KEY_ID.test(ref)) return { kind: 'key', ref, keyId: ref, arn: undefined };
  if (ALIAS_NAME.test(ref) || ALIAS_ARN.test(ref)) return { kind: 'alias', ref };
  return undefined;
}

/**
 * The key id a token's `kid` names, when it is a key ARN or a bare key id; `undefined` for
 * anything else (aliases included: tokens name the key that signed, never an alias).
 */
export function keyIdOfKid(kid: string): string | undefined {
  if (kid.startsWith('arn:')) return KEY_ARN.exec(kid)?.[1];
  return KEY_ID.test(kid) ? kid : undefined;
}

/** The key id at the end of a key ARN, or `undefined` when `arn` is not a key ARN. */
export function keyIdOfArn(arn: string): string | undefined {
  return KEY_ARN.exec(arn)?.[1];
}

/** Whether a key id is a multi-Region key's (`mrk-` and 32 hex digits): only those have replicas. */
export function isMultiRegionKeyId(keyId: string): boolean {
  return MULTI_REGION_KEY_ID.test(keyId);
}

/** Whether `region` is spelled like an AWS Region name. */
export function isRegionName(region: unknown): region is string {
  return typeof region === 'string' && REGION_NAME.test(region);
}

/** The partition, Region and account of a key ARN or alias ARN; `undefined` for anything else. */
export function scopeOfArn(arn: string): ArnScope | undefined {
  if (KEY_ARN.test(arn) === false && ALIAS_ARN.test(arn) === false) return undefined;
  const match = SCOPED_ARN.exec(arn);
  return match === null ? undefined : { partition: match[1] as string, region: match[2] as string, account: match[3] as string };
}

/** Whether two scopes are the same partition, Region and account. */
export function sameScope(a: ArnScope, b: ArnScope): boolean {
  return a.partition === b.partition && a.region === b.region && a.account === b.account;
}

/** The ARN of the key `keyId` in `scope`: how a replica of a multi-Region key is named in another Region. */
export function keyArnIn(scope: ArnScope, keyId: string): string {
  return `arn:${scope.partition}:kms:${scope.region}:${scope.account}:key/${keyId}`;
}
