import { CreateKeyCommand, DescribeKeyCommand, ListAliasesCommand, ListKeysCommand, type AliasListEntry, type KeyListEntry, type KeyMetadata, type KeySpec, type KMSClient } from '@aws-sdk/client-kms';
import { ALGORITHMS_BY_KEY_SPEC, type KmsSigningKeySpec } from 'kms-jwt-verifier';
import { CliError } from '../../lib/errors.js';
import { EXIT_CODES } from '../../lib/exit-codes.js';
import { exceptionName, kmsCallFailed } from '../../lib/kms-errors.js';

/** The key specs kms-jwt signs and verifies with. */
export const SIGNING_KEY_SPECS = Object.keys(ALGORITHMS_BY_KEY_SPEC) as KmsSigningKeySpec[];

export function isSigningKeySpec(value: string): value is KmsSigningKeySpec {
  return (SIGNING_KEY_SPECS as string[]).includes(value);
}

/** Whether kms-jwt can sign with this key: KeyUsage SIGN_VERIFY and a key spec it has a JWS algorithm for. */
export function isSigningKey(metadata: KeyMetadata): boolean {
  return metadata.KeyUsage === 'SIGN_VERIFY' && metadata.KeySpec !== undefined && isSigningKeySpec(metadata.KeySpec);
}

/** `a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT`, for messages about keys kms-jwt does not sign with. */
export function describeKind(metadata: KeyMetadata): string {
  return `a ${metadata.KeySpec ?? 'key-spec-less'} key for ${metadata.KeyUsage ?? 'an unknown usage'}`;
}

/** DescribeKey of a key or alias; `undefined` when KMS has no such key or alias. */
export async function describeKey(client: KMSClient, keyId: string, where: string): Promise<KeyMetadata | undefined> {
  try {
    return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (error) {
    if (exceptionName(error) === 'NotFoundException') return undefined;
    throw kmsCallFailed(error, `look up ${keyId}`, where);
  }
}

/** A key's metadata with the fields every command relies on. */
export type KnownKey = KeyMetadata & { Arn: string; KeyId: string; KeyState: NonNullable<KeyMetadata['KeyState']> };

/** DescribeKey of a key id, key ARN or alias that must exist: exit 1 naming it when KMS has no such key or alias. */
export async function requireKey(client: KMSClient, ref: string, where: string): Promise<KnownKey> {
  const metadata = await describeKey(client, ref, where);
  if (metadata === undefined) throw new CliError(`${ref} does not exist in ${where}: check the key id, key ARN or alias (kms-jwt keys list shows them)`, EXIT_CODES.failure);
  const { Arn, KeyId, KeyState } = metadata;
  if (Arn === undefined || KeyId === undefined || KeyState === undefined) throw new CliError(`DescribeKey for ${ref} answered without the key ARN, key id or key state`, EXIT_CODES.failure);
  return { ...metadata, Arn, KeyId, KeyState };
}

/** The names of the aliases that point to a key (ListAliases with KeyId, every page). */
export async function aliasesOf(client: KMSClient, keyArn: string, where: string): Promise<string[]> {
  const names: string[] = [];
  for await (const alias of listAliases(client, where, keyArn)) if (alias.AliasName !== undefined) names.push(alias.AliasName);
  return names.sort();
}

/** Every alias (or every alias of one key), following ListAliases' pages. */
export async function* listAliases(client: KMSClient, where: string, keyId?: string): AsyncGenerator<AliasListEntry> {
  let marker: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListAliasesCommand({ ...(keyId === undefined ? {} : { KeyId: keyId }), ...(marker === undefined ? {} : { Marker: marker }) }));
    } catch (error) {
      throw kmsCallFailed(error, keyId === undefined ? 'list the aliases' : `list the aliases of ${keyId}`, where);
    }
    yield* page.Aliases ?? [];
    marker = page.Truncated === true ? page.NextMarker : undefined;
  } while (marker !== undefined);
}

/** Every key, following ListKeys' pages. */
export async function* listKeys(client: KMSClient, where: string): AsyncGenerator<KeyListEntry> {
  let marker: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListKeysCommand(marker === undefined ? {} : { Marker: marker }));
    } catch (error) {
      throw kmsCallFailed(error, 'list the keys', where);
    }
    yield* page.Keys ?? [];
    marker = page.Truncated === true ? page.NextMarker : undefined;
  } while (marker !== undefined);
}

/** CreateKey of an asymmetric SIGN_VERIFY key; resolves to its metadata. */
export async function createSigningKey(client: KMSClient, keySpec: string, description: string, where: string): Promise<KeyMetadata & { Arn: string; KeyId: string }> {
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await client.send(new CreateKeyCommand({ KeySpec: keySpec as KeySpec, KeyUsage: 'SIGN_VERIFY', Description: description }))).KeyMetadata;
  } catch (error) {
    throw kmsCallFailed(error, `create a ${keySpec} key`, where);
  }
  const { Arn, KeyId } = metadata ?? {};
  if (Arn === undefined || KeyId === undefined) throw kmsCallFailed(new Error('CreateKey answered without the key ARN'), `create a ${keySpec} key`, where);
  return { ...metadata, Arn, KeyId };
}
