import {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  InvalidAliasNameException,
  InvalidMarkerException,
  KMSInvalidStateException,
  ListAliasesCommand,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UpdateAliasCommand,
  type AliasListEntry,
  type CreateKeyCommandInput,
  type KMSClient,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const P256: CreateKeyCommandInput = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' };

async function createKey(client: KMSClient, input: CreateKeyCommandInput = P256): Promise<KeyMetadata> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand(input));
  if (KeyMetadata === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return KeyMetadata;
}

async function aliasEntry(client: KMSClient, aliasName: string): Promise<AliasListEntry | undefined> {
  const { Aliases } = await client.send(new ListAliasesCommand({ Limit: 100 }));
  return Aliases?.find((alias) => alias.AliasName === aliasName);
}

describe('aliases through the SDK', () => {
  const env = useKmsLocal();

  describe('CreateAlias', () => {
    it('creates an alias that ListAliases lists with its ARN, target key id and dates', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/create/listed', TargetKeyId: key.KeyId }));
      const entry = await aliasEntry(client, 'alias/create/listed');
      expect(entry?.AliasArn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:alias/create/listed`);
      expect(entry?.TargetKeyId).toBe(key.KeyId);
      expect(entry?.CreationDate).toBeInstanceOf(Date);
      expect(entry?.LastUpdatedDate).toEqual(entry?.CreationDate);
    });

    it('accepts a key ARN as TargetKeyId and stores the key id', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/create/by-arn', TargetKeyId: key.Arn }));
      expect((await aliasEntry(client, 'alias/create/by-arn'))?.TargetKeyId).toBe(key.KeyId);
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/create/by-arn' }));
      expect(KeyMetadata?.Arn).toBe(key.Arn);
    });

    it('lets one key have several aliases', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/create/first', TargetKeyId: key.KeyId }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/create/second', TargetKeyId: key.KeyId }));
      const { Aliases } = await client.send(new ListAliasesCommand({ KeyId: key.KeyId }));
      expect(Aliases?.map((alias) => alias.AliasName)).toEqual(['alias/create/first', 'alias/create/second']);
    });

    it('rejects an alias name that already exists with AlreadyExistsException and keeps the old target', async () => {
      const { client } = env();
      const first = await createKey(client);
      const second = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/create/taken', TargetKeyId: first.KeyId }));
      await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'alias/create/taken', TargetKeyId: second.KeyId })), 'AlreadyExistsException', {
        type: AlreadyExistsException,
        message: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/create/taken already exists`,
      });
      expect((await aliasEntry(client, 'alias/create/taken'))?.TargetKeyId).toBe(first.KeyId);
    });

    it('rejects a name without the alias/ prefix with ValidationException, as KMS does', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: key.KeyId })), 'ValidationException', {
        message: 'Alias must start with the prefix "alias/"',
      });
    });

    it.each(['alias/has space', 'alias/dots.are.out', 'alias/ünïcode', 'alias/star*'])(
      'rejects %j, whose characters break the AliasName pattern, with ValidationException',
      async (aliasName) => {
        const { client } = env();
        const key = await createKey(client);
        await expectKmsError(client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId })), 'ValidationException', {
          message: 'regular expression pattern',
        });
      },
    );

    it.each(['alias/has:colon', 'alias/'])('rejects %j, which the pattern allows but an alias name may not be, with InvalidAliasNameException', async (aliasName) => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId })), 'InvalidAliasNameException', {
        type: InvalidAliasNameException,
        message: aliasName,
      });
    });

    it('rejects a name under the reserved alias/aws/ prefix with InvalidAliasNameException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId })), 'InvalidAliasNameException', {
        type: InvalidAliasNameException,
        message: 'reserved',
      });
      expect(await aliasEntry(client, 'alias/aws/mine')).toBeUndefined();
    });

    it('rejects a name longer than 256 characters with ValidationException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new CreateAliasCommand({ AliasName: `alias/${'a'.repeat(251)}`, TargetKeyId: key.KeyId })), 'ValidationException', {
        message: '256',
      });
    });

    it('rejects an alias name as TargetKeyId with NotFoundException: aliases must point at keys', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/create/target', TargetKeyId: key.KeyId }));
      await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'alias/create/chained', TargetKeyId: 'alias/create/target' })), 'NotFoundException', {
        type: NotFoundException,
        message: 'not an alias',
      });
      expect(await aliasEntry(client, 'alias/create/chained')).toBeUndefined();
    });

    it('rejects an alias ARN as TargetKeyId with NotFoundException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/create/target-arn', TargetKeyId: key.KeyId }));
      await expectKmsError(
        client.send(new CreateAliasCommand({ AliasName: 'alias/create/chained-arn', TargetKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/create/target-arn` })),
        'NotFoundException',
        { type: NotFoundException, message: 'not an alias' },
      );
    });

    it('rejects an unknown TargetKeyId with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new CreateAliasCommand({ AliasName: 'alias/create/orphan', TargetKeyId: '00000000-0000-4000-8000-000000000000' })),
        'NotFoundException',
        { type: NotFoundException, message: 'does not exist' },
      );
    });
  });

  describe('UpdateAlias', () => {
    it('points an alias at another key and moves LastUpdatedDate, not CreationDate', async () => {
      const { client } = env();
      const first = await createKey(client);
      const second = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/update/rotating', TargetKeyId: first.KeyId }));
      const before = await aliasEntry(client, 'alias/update/rotating');
      await new Promise((resolve) => setTimeout(resolve, 5));
      await client.send(new UpdateAliasCommand({ AliasName: 'alias/update/rotating', TargetKeyId: second.Arn }));
      const after = await aliasEntry(client, 'alias/update/rotating');
      expect(after?.TargetKeyId).toBe(second.KeyId);
      expect(after?.CreationDate).toEqual(before?.CreationDate);
      expect(after?.LastUpdatedDate?.getTime()).toBeGreaterThan(before?.LastUpdatedDate?.getTime() ?? Number.POSITIVE_INFINITY);
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/update/rotating' }));
      expect(KeyMetadata?.KeyId).toBe(second.KeyId);
    });

    it('allows a key of another spec with the same key usage', async () => {
      const { client } = env();
      const p256 = await createKey(client);
      const ed25519 = await createKey(client, { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
      await client.send(new CreateAliasCommand({ AliasName: 'alias/update/spec-change', TargetKeyId: p256.KeyId }));
      await client.send(new UpdateAliasCommand({ AliasName: 'alias/update/spec-change', TargetKeyId: ed25519.KeyId }));
      expect((await aliasEntry(client, 'alias/update/spec-change'))?.TargetKeyId).toBe(ed25519.KeyId);
    });

    it('rejects a key of a different key usage with ValidationException and keeps the old target', async () => {
      const { client } = env();
      const signing = await createKey(client);
      const encrypting = await createKey(client, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
      await client.send(new CreateAliasCommand({ AliasName: 'alias/update/usage', TargetKeyId: signing.KeyId }));
      await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: 'alias/update/usage', TargetKeyId: encrypting.KeyId })), 'ValidationException', {
        message: 'same type and key usage',
      });
      expect((await aliasEntry(client, 'alias/update/usage'))?.TargetKeyId).toBe(signing.KeyId);
    });

    it('rejects moving an alias from an asymmetric ENCRYPT_DECRYPT key to a symmetric key with ValidationException', async () => {
      const { client } = env();
      const rsa = await createKey(client, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
      const symmetric = await createKey(client, {});
      await client.send(new CreateAliasCommand({ AliasName: 'alias/update/symmetry', TargetKeyId: rsa.KeyId }));
      await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: 'alias/update/symmetry', TargetKeyId: symmetric.KeyId })), 'ValidationException', {
        message: 'symmetric',
      });
    });

    it('rejects an alias that does not exist with NotFoundException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: 'alias/update/never-created', TargetKeyId: key.KeyId })), 'NotFoundException', {
        type: NotFoundException,
        message: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/update/never-created is not found`,
      });
    });

    it('rejects an alias as TargetKeyId with NotFoundException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/update/a', TargetKeyId: key.KeyId }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/update/b', TargetKeyId: key.KeyId }));
      await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: 'alias/update/a', TargetKeyId: 'alias/update/b' })), 'NotFoundException', {
        type: NotFoundException,
        message: 'not an alias',
      });
    });

    it('rejects a name under alias/aws/ with InvalidAliasNameException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: 'alias/aws/kms', TargetKeyId: key.KeyId })), 'InvalidAliasNameException', {
        type: InvalidAliasNameException,
        message: 'reserved',
      });
    });
  });

  describe('DeleteAlias', () => {
    it('deletes an alias so that it no longer resolves, and leaves the key alone', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/delete/me', TargetKeyId: key.KeyId }));
      await client.send(new DeleteAliasCommand({ AliasName: 'alias/delete/me' }));
      expect(await aliasEntry(client, 'alias/delete/me')).toBeUndefined();
      await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: 'alias/delete/me' })), 'NotFoundException', { type: NotFoundException, message: 'is not found' });
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(KeyMetadata?.KeyState).toBe('Enabled');
    });

    it('rejects deleting an alias that does not exist with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new DeleteAliasCommand({ AliasName: 'alias/delete/never-created' })), 'NotFoundException', {
        type: NotFoundException,
        message: 'alias/delete/never-created is not found',
      });
    });

    it('rejects a name without the alias/ prefix with ValidationException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new DeleteAliasCommand({ AliasName: 'delete-me' })), 'ValidationException', { message: 'prefix "alias/"' });
    });
  });

  describe('ListAliases filtered by KeyId', () => {
    let target: KeyMetadata;
    let other: KeyMetadata;

    beforeAll(async () => {
      const { client } = env();
      target = await createKey(client);
      other = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/filter/one', TargetKeyId: target.KeyId }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/filter/two', TargetKeyId: target.KeyId }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/filter/other', TargetKeyId: other.KeyId }));
    });

    it('lists only the aliases of the key given by key id', async () => {
      const { client } = env();
      const { Aliases, Truncated } = await client.send(new ListAliasesCommand({ KeyId: target.KeyId }));
      expect(Aliases?.map((alias) => alias.AliasName)).toEqual(['alias/filter/one', 'alias/filter/two']);
      expect(Aliases?.every((alias) => alias.TargetKeyId === target.KeyId)).toBe(true);
      expect(Truncated).toBe(false);
    });

    it('lists only the aliases of the key given by key ARN', async () => {
      const { client } = env();
      const { Aliases } = await client.send(new ListAliasesCommand({ KeyId: other.Arn }));
      expect(Aliases?.map((alias) => alias.AliasName)).toEqual(['alias/filter/other']);
    });

    it('answers an empty list for a key without aliases', async () => {
      const { client } = env();
      const lonely = await createKey(client);
      const { Aliases, Truncated } = await client.send(new ListAliasesCommand({ KeyId: lonely.KeyId }));
      expect(Aliases).toEqual([]);
      expect(Truncated).toBe(false);
    });

    it('rejects an unknown KeyId with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new ListAliasesCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), 'NotFoundException', {
        type: NotFoundException,
        message: 'does not exist',
      });
    });

    it('rejects an alias as KeyId with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new ListAliasesCommand({ KeyId: 'alias/filter/one' })), 'NotFoundException', { type: NotFoundException, message: 'not an alias' });
    });
  });

  describe('an alias whose key is pending deletion', () => {
    let doomed: KeyMetadata;
    let healthy: KeyMetadata;

    beforeAll(async () => {
      const { client } = env();
      doomed = await createKey(client);
      healthy = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed/current', TargetKeyId: doomed.KeyId }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed/moving', TargetKeyId: doomed.KeyId }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed/healthy', TargetKeyId: healthy.KeyId }));
      await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    });

    it('is still listed and still resolves, to a key in state PendingDeletion', async () => {
      const { client } = env();
      expect((await aliasEntry(client, 'alias/doomed/current'))?.TargetKeyId).toBe(doomed.KeyId);
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/doomed/current' }));
      expect(KeyMetadata?.KeyState).toBe('PendingDeletion');
    });

    it('cannot be used to sign: KMSInvalidStateException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new SignCommand({ KeyId: 'alias/doomed/current', Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
        'KMSInvalidStateException',
        { type: KMSInvalidStateException, message: 'pending deletion' },
      );
    });

    it('rejects a new alias for the key pending deletion with KMSInvalidStateException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new CreateAliasCommand({ AliasName: 'alias/doomed/new', TargetKeyId: doomed.KeyId })), 'KMSInvalidStateException', {
        type: KMSInvalidStateException,
        message: 'pending deletion',
      });
      expect(await aliasEntry(client, 'alias/doomed/new')).toBeUndefined();
    });

    it('rejects pointing another alias at the key pending deletion with KMSInvalidStateException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new UpdateAliasCommand({ AliasName: 'alias/doomed/healthy', TargetKeyId: doomed.KeyId })), 'KMSInvalidStateException', {
        type: KMSInvalidStateException,
        message: 'pending deletion',
      });
      expect((await aliasEntry(client, 'alias/doomed/healthy'))?.TargetKeyId).toBe(healthy.KeyId);
    });

    it('can be moved to an enabled key', async () => {
      const { client } = env();
      await client.send(new UpdateAliasCommand({ AliasName: 'alias/doomed/moving', TargetKeyId: healthy.KeyId }));
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/doomed/moving' }));
      expect(KeyMetadata?.KeyState).toBe('Enabled');
      expect(KeyMetadata?.KeyId).toBe(healthy.KeyId);
    });

    it('can be deleted', async () => {
      const { client } = env();
      await client.send(new DeleteAliasCommand({ AliasName: 'alias/doomed/current' }));
      expect(await aliasEntry(client, 'alias/doomed/current')).toBeUndefined();
    });
  });
});

describe('ListAliases paging', () => {
  const env = useKmsLocal();
  const names = ['alias/page/a', 'alias/page/b', 'alias/page/c', 'alias/page/d', 'alias/page/e'];

  beforeAll(async () => {
    const { client } = env();
    const key = await createKey(client);
    for (const name of names) await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId }));
  });

  it('pages through the aliases with Limit and Marker until Truncated is false', async () => {
    const { client } = env();
    const seen: string[] = [];
    let marker: string | undefined;
    const pages: boolean[] = [];
    do {
      const page = await client.send(new ListAliasesCommand({ Limit: 2, ...(marker === undefined ? {} : { Marker: marker }) }));
      expect(page.Aliases?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.Aliases ?? []).map((alias) => alias.AliasName ?? ''));
      pages.push(page.Truncated ?? false);
      marker = page.NextMarker;
      expect(marker === undefined).toBe(page.Truncated === false);
    } while (marker !== undefined);
    expect(seen).toEqual(names);
    expect(pages).toEqual([true, true, false]);
  });

  it('rejects a Marker it did not issue with InvalidMarkerException', async () => {
    const { client } = env();
    await expectKmsError(client.send(new ListAliasesCommand({ Marker: 'bogus' })), 'InvalidMarkerException', { type: InvalidMarkerException, message: 'marker' });
  });

  it.each([0, 101])('rejects Limit %i, outside 1..100, with ValidationException', async (limit) => {
    const { client } = env();
    await expectKmsError(client.send(new ListAliasesCommand({ Limit: limit })), 'ValidationException', { message: 'between 1 and 100' });
  });
});
