import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisabledException,
  DisableKeyCommand,
  EnableKeyCommand,
  GetPublicKeyCommand,
  KMSInvalidStateException,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UntagResourceCommand,
  VerifyCommand,
  type KMSClient,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

const DAY_MS = 86_400_000;
const MESSAGE = Buffer.from('header.payload');

async function createKey(client: KMSClient): Promise<KeyMetadata> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  if (KeyMetadata === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return KeyMetadata;
}

async function describeKey(client: KMSClient, keyId: string): Promise<KeyMetadata> {
  const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  if (KeyMetadata === undefined) throw new Error('DescribeKey returned no KeyMetadata');
  return KeyMetadata;
}

function sign(client: KMSClient, keyId: string): Promise<unknown> {
  return client.send(new SignCommand({ KeyId: keyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }));
}

describe('key states through the SDK', () => {
  const env = useKmsLocal();

  describe('EnableKey and DisableKey', () => {
    it('disables a key: DescribeKey shows Disabled and Enabled false', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      const metadata = await describeKey(client, key.KeyId ?? '');
      expect(metadata.KeyState).toBe('Disabled');
      expect(metadata.Enabled).toBe(false);
    });

    it('enables a disabled key again so that it signs', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new DisableKeyCommand({ KeyId: key.Arn }));
      await client.send(new EnableKeyCommand({ KeyId: key.Arn }));
      const metadata = await describeKey(client, key.KeyId ?? '');
      expect(metadata.KeyState).toBe('Enabled');
      expect(metadata.Enabled).toBe(true);
      const signed = await client.send(new SignCommand({ KeyId: key.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }));
      expect(signed.KeyId).toBe(key.Arn);
    });

    it('accepts DisableKey on a disabled key and EnableKey on an enabled key', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
      expect((await describeKey(client, key.KeyId ?? '')).KeyState).toBe('Enabled');
      await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      expect((await describeKey(client, key.KeyId ?? '')).KeyState).toBe('Disabled');
    });

    it('rejects an unknown key with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new DisableKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), 'NotFoundException', {
        type: NotFoundException,
        message: 'does not exist',
      });
    });
  });

  describe('a Disabled key', () => {
    let key: KeyMetadata;
    let signature: Uint8Array;

    beforeAll(async () => {
      const { client } = env();
      key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/states/disabled', TargetKeyId: key.KeyId }));
      const signed = await client.send(new SignCommand({ KeyId: key.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }));
      signature = signed.Signature ?? new Uint8Array();
      await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    });

    it('rejects Sign with DisabledException', async () => {
      const { client } = env();
      await expectKmsError(sign(client, key.KeyId ?? ''), 'DisabledException', { type: DisabledException, message: `${key.Arn} is disabled` });
    });

    it('rejects Sign through an alias with DisabledException', async () => {
      const { client } = env();
      await expectKmsError(sign(client, 'alias/states/disabled'), 'DisabledException', { type: DisabledException, message: 'is disabled' });
    });

    it('rejects Verify with DisabledException, even for a signature it made while enabled', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: key.KeyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'DisabledException',
        { type: DisabledException, message: 'is disabled' },
      );
    });

    it('rejects GetPublicKey with DisabledException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new GetPublicKeyCommand({ KeyId: key.Arn })), 'DisabledException', { type: DisabledException, message: 'is disabled' });
    });

    it('can still be described, tagged and listed', async () => {
      const { client } = env();
      await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'state', TagValue: 'disabled' }] }));
      const { Tags } = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(Tags).toEqual([{ TagKey: 'state', TagValue: 'disabled' }]);
      expect((await describeKey(client, 'alias/states/disabled')).KeyState).toBe('Disabled');
    });
  });

  describe('ScheduleKeyDeletion', () => {
    it('answers with the key ARN, KeyState PendingDeletion, the window and a DeletionDate that many days ahead', async () => {
      const { client } = env();
      const key = await createKey(client);
      const before = Date.now();
      const answer = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      const after = Date.now();
      expect(answer.KeyId).toBe(key.Arn);
      expect(answer.KeyState).toBe('PendingDeletion');
      expect(answer.PendingWindowInDays).toBe(7);
      expect(answer.DeletionDate).toBeInstanceOf(Date);
      expect(answer.DeletionDate?.getTime()).toBeGreaterThanOrEqual(before + 7 * DAY_MS - 1000);
      expect(answer.DeletionDate?.getTime()).toBeLessThanOrEqual(after + 7 * DAY_MS + 1000);
    });

    it('defaults the window to 30 days', async () => {
      const { client } = env();
      const key = await createKey(client);
      const answer = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      expect(answer.PendingWindowInDays).toBe(30);
      expect(Math.abs((answer.DeletionDate?.getTime() ?? 0) - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
    });

    it('shows DeletionDate in DescribeKey while the key is pending deletion, and no PendingDeletionWindowInDays (a multi-Region primary\'s only)', async () => {
      const { client } = env();
      const key = await createKey(client);
      const answer = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn, PendingWindowInDays: 30 }));
      const metadata = await describeKey(client, key.KeyId ?? '');
      expect(metadata.KeyState).toBe('PendingDeletion');
      expect(metadata.Enabled).toBe(false);
      expect(metadata.DeletionDate).toEqual(answer.DeletionDate);
      expect(metadata.PendingDeletionWindowInDays).toBeUndefined();
    });

    it('schedules a Disabled key for deletion too', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      const answer = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 }));
      expect(answer.KeyState).toBe('PendingDeletion');
    });

    it.each([6, 31, 0])('rejects PendingWindowInDays %i, outside 7..30, with ValidationException and leaves the key Enabled', async (days) => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: days })), 'ValidationException', {
        message: 'between 7 and 30',
      });
      expect((await describeKey(client, key.KeyId ?? '')).KeyState).toBe('Enabled');
    });
  });

  describe('CancelKeyDeletion', () => {
    it('answers with the key ARN and leaves the key Disabled, without a deletion date', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      const answer = await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
      expect(answer.KeyId).toBe(key.Arn);
      const metadata = await describeKey(client, key.KeyId ?? '');
      expect(metadata.KeyState).toBe('Disabled');
      expect(metadata.Enabled).toBe(false);
      expect(metadata.DeletionDate).toBeUndefined();
      expect(metadata.PendingDeletionWindowInDays).toBeUndefined();
      await expectKmsError(sign(client, key.KeyId ?? ''), 'DisabledException', { type: DisabledException, message: 'is disabled' });
      await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
      expect((await describeKey(client, key.KeyId ?? '')).KeyState).toBe('Enabled');
    });

    it('rejects a key that is not pending deletion with KMSInvalidStateException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', {
        type: KMSInvalidStateException,
        message: 'is not pending deletion',
      });
      expect((await describeKey(client, key.KeyId ?? '')).KeyState).toBe('Enabled');
    });
  });

  describe('a key pending deletion', () => {
    let key: KeyMetadata;
    let signature: Uint8Array;

    beforeAll(async () => {
      const { client } = env();
      key = await createKey(client);
      await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'team', TagValue: 'identity' }] }));
      await client.send(new CreateAliasCommand({ AliasName: 'alias/states/pending', TargetKeyId: key.KeyId }));
      const signed = await client.send(new SignCommand({ KeyId: key.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }));
      signature = signed.Signature ?? new Uint8Array();
      await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    });

    it('rejects Sign with KMSInvalidStateException', async () => {
      const { client } = env();
      await expectKmsError(sign(client, key.Arn ?? ''), 'KMSInvalidStateException', { type: KMSInvalidStateException, message: `${key.Arn} is pending deletion` });
    });

    it('rejects Verify with KMSInvalidStateException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new VerifyCommand({ KeyId: key.KeyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
        'KMSInvalidStateException',
        { type: KMSInvalidStateException, message: 'pending deletion' },
      );
    });

    it('rejects GetPublicKey with KMSInvalidStateException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new GetPublicKeyCommand({ KeyId: 'alias/states/pending' })), 'KMSInvalidStateException', {
        type: KMSInvalidStateException,
        message: 'pending deletion',
      });
    });

    const refused: ReadonlyArray<{ readonly operation: string; readonly send: (client: KMSClient, keyId: string) => Promise<unknown> }> = [
      { operation: 'EnableKey', send: (client, keyId) => client.send(new EnableKeyCommand({ KeyId: keyId })) },
      { operation: 'DisableKey', send: (client, keyId) => client.send(new DisableKeyCommand({ KeyId: keyId })) },
      { operation: 'ScheduleKeyDeletion', send: (client, keyId) => client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })) },
      { operation: 'TagResource', send: (client, keyId) => client.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] })) },
      { operation: 'UntagResource', send: (client, keyId) => client.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['team'] })) },
      { operation: 'CreateAlias', send: (client, keyId) => client.send(new CreateAliasCommand({ AliasName: 'alias/states/too-late', TargetKeyId: keyId })) },
    ];

    it.each(refused)('rejects $operation with KMSInvalidStateException and stays PendingDeletion', async ({ send }) => {
      const { client } = env();
      await expectKmsError(send(client, key.KeyId ?? ''), 'KMSInvalidStateException', { type: KMSInvalidStateException, message: 'pending deletion' });
      expect((await describeKey(client, key.KeyId ?? '')).KeyState).toBe('PendingDeletion');
    });

    it('keeps its tags readable with ListResourceTags', async () => {
      const { client } = env();
      const { Tags } = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(Tags).toEqual([{ TagKey: 'team', TagValue: 'identity' }]);
    });

    it('is still listed by ListKeys', async () => {
      const { client } = env();
      const { Keys } = await client.send(new ListKeysCommand({ Limit: 1000 }));
      expect(Keys?.map((listed) => listed.KeyArn)).toContain(key.Arn);
    });
  });

  describe('operations that take only a key id or key ARN', () => {
    let key: KeyMetadata;
    const aliasName = 'alias/states/no-aliases-here';

    beforeAll(async () => {
      const { client } = env();
      key = await createKey(client);
      await client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));
    });

    const operations: ReadonlyArray<{ readonly operation: string; readonly send: (client: KMSClient, keyId: string) => Promise<unknown> }> = [
      { operation: 'EnableKey', send: (client, keyId) => client.send(new EnableKeyCommand({ KeyId: keyId })) },
      { operation: 'DisableKey', send: (client, keyId) => client.send(new DisableKeyCommand({ KeyId: keyId })) },
      { operation: 'ScheduleKeyDeletion', send: (client, keyId) => client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })) },
      { operation: 'CancelKeyDeletion', send: (client, keyId) => client.send(new CancelKeyDeletionCommand({ KeyId: keyId })) },
    ];

    it.each(operations)('$operation rejects an alias name with NotFoundException and leaves the key Enabled', async ({ send }) => {
      const { client } = env();
      await expectKmsError(send(client, aliasName), 'NotFoundException', { type: NotFoundException, message: 'not an alias' });
      expect((await describeKey(client, key.KeyId ?? '')).KeyState).toBe('Enabled');
    });

    it.each(operations)('$operation rejects an alias ARN with NotFoundException', async ({ send }) => {
      const { client } = env();
      await expectKmsError(send(client, `arn:aws:kms:us-east-1:111122223333:${aliasName}`), 'NotFoundException', { type: NotFoundException, message: 'not an alias' });
    });
  });
});

describe('a key whose deletion date has passed', () => {
  const start = Date.UTC(2031, 0, 15, 12, 0, 0);
  let nowMs = start;
  const env = useKmsLocal({ now: () => nowMs });
  let doomed: KeyMetadata;
  let survivor: KeyMetadata;
  let deletionDate: Date | undefined;

  beforeAll(async () => {
    const { client } = env();
    doomed = await createKey(client);
    survivor = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/expiry/doomed', TargetKeyId: doomed.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/expiry/survivor', TargetKeyId: survivor.KeyId }));
    ({ DeletionDate: deletionDate } = await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 })));
  });

  it('was given a DeletionDate exactly the window after the server clock', () => {
    expect(deletionDate?.getTime()).toBe(start + 7 * DAY_MS);
    expect(doomed.CreationDate?.getTime()).toBe(start);
  });

  it('still exists one second before its deletion date', async () => {
    const { client } = env();
    nowMs = start + 7 * DAY_MS - 1000;
    expect((await describeKey(client, doomed.KeyId ?? '')).KeyState).toBe('PendingDeletion');
  });

  it('is gone at its deletion date: DescribeKey answers NotFoundException', async () => {
    const { client } = env();
    nowMs = start + 7 * DAY_MS;
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: doomed.KeyId })), 'NotFoundException', { type: NotFoundException, message: 'does not exist' });
  });

  it('is gone from ListKeys, while the other key stays', async () => {
    const { client } = env();
    const { Keys } = await client.send(new ListKeysCommand({}));
    expect(Keys?.map((key) => key.KeyId)).toEqual([survivor.KeyId]);
  });

  it('takes its aliases with it', async () => {
    const { client } = env();
    const { Aliases } = await client.send(new ListAliasesCommand({}));
    expect(Aliases?.map((alias) => alias.AliasName)).toEqual(['alias/expiry/survivor']);
    await expectKmsError(client.send(new DescribeKeyCommand({ KeyId: 'alias/expiry/doomed' })), 'NotFoundException', { type: NotFoundException, message: 'is not found' });
    await expectKmsError(client.send(new DeleteAliasCommand({ AliasName: 'alias/expiry/doomed' })), 'NotFoundException', { type: NotFoundException, message: 'is not found' });
  });

  it('can no longer have its deletion cancelled: NotFoundException', async () => {
    const { client } = env();
    await expectKmsError(client.send(new CancelKeyDeletionCommand({ KeyId: doomed.KeyId })), 'NotFoundException', { type: NotFoundException, message: 'does not exist' });
  });
});

describe('a key deleted while no request looked at it', () => {
  const start = Date.UTC(2032, 5, 1);
  let nowMs = start;
  const env = useKmsLocal({ now: () => nowMs });

  it('frees its alias name at the deletion date, so DeleteAlias answers NotFoundException and CreateAlias reuses the name', async () => {
    const { client } = env();
    const doomed = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/expiry/reused', TargetKeyId: doomed.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 30 }));
    nowMs = start + 31 * DAY_MS;
    await expectKmsError(client.send(new DeleteAliasCommand({ AliasName: 'alias/expiry/reused' })), 'NotFoundException', { type: NotFoundException, message: 'is not found' });
    const replacement = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/expiry/reused', TargetKeyId: replacement.KeyId }));
    expect((await describeKey(client, 'alias/expiry/reused')).KeyId).toBe(replacement.KeyId);
  });
});
