/** How one entry of the `keys` option names a KMS key. */
export type KeyRef =
  | { readonly kind: 'key'; readonly ref: string; readonly keyId: string; readonly arn: string | undefined }
  | { readonly kind: 'alias'; readonly ref: string };

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([A-Za-z0-9-]{1,100})$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/[A-Za-z0-9/_-]{1,250}$/;
const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
/** A key id as KMS prints it: a UUID, or `mrk-` and 32 hex digits for multi-Region keys. */
const KEY_ID = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$/;

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
