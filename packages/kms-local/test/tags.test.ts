import {
  CreateAliasCommand,
  CreateKeyCommand,
  InvalidMarkerException,
  LimitExceededException,
  ListResourceTagsCommand,
  NotFoundException,
  TagException,
  TagResourceCommand,
  UntagResourceCommand,
  type KMSClient,
  type KeyMetadata,
  type Tag,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError } from './expect-kms-error.js';
import { useKmsLocal } from './support.js';

async function createKey(client: KMSClient, tags?: Tag[]): Promise<KeyMetadata> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', ...(tags === undefined ? {} : { Tags: tags }) }));
  if (KeyMetadata === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return KeyMetadata;
}

async function tagsOf(client: KMSClient, keyId: string): Promise<Tag[]> {
  const { Tags, Truncated } = await client.send(new ListResourceTagsCommand({ KeyId: keyId }));
  expect(Truncated).toBe(false);
  return Tags ?? [];
}

function numberedTags(count: number, prefix = 'tag'): Tag[] {
  return Array.from({ length: count }, (_, index) => ({ TagKey: `${prefix}-${String(index).padStart(2, '0')}`, TagValue: `value-${index}` }));
}

describe('tags through the SDK', () => {
  const env = useKmsLocal();

  it('adds tags with TagResource and lists them with ListResourceTags', async () => {
    const { client } = env();
    const key = await createKey(client);
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'team', TagValue: 'identity' }, { TagKey: 'env', TagValue: 'test' }] }));
    expect(await tagsOf(client, key.KeyId ?? '')).toEqual([
      { TagKey: 'team', TagValue: 'identity' },
      { TagKey: 'env', TagValue: 'test' },
    ]);
  });

  it('accepts a key ARN and an empty tag value', async () => {
    const { client } = env();
    const key = await createKey(client);
    await client.send(new TagResourceCommand({ KeyId: key.Arn, Tags: [{ TagKey: 'empty', TagValue: '' }] }));
    expect(await tagsOf(client, key.Arn ?? '')).toEqual([{ TagKey: 'empty', TagValue: '' }]);
  });

  it('replaces the value of a tag key that is already there', async () => {
    const { client } = env();
    const key = await createKey(client, [{ TagKey: 'stage', TagValue: 'beta' }]);
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'stage', TagValue: 'prod' }] }));
    expect(await tagsOf(client, key.KeyId ?? '')).toEqual([{ TagKey: 'stage', TagValue: 'prod' }]);
  });

  it('keeps the tags given to CreateKey', async () => {
    const { client } = env();
    const key = await createKey(client, [{ TagKey: 'created-with', TagValue: 'CreateKey' }]);
    expect(await tagsOf(client, key.KeyId ?? '')).toEqual([{ TagKey: 'created-with', TagValue: 'CreateKey' }]);
  });

  it('removes the named tags with UntagResource and ignores tag keys that are not there', async () => {
    const { client } = env();
    const key = await createKey(client, [
      { TagKey: 'a', TagValue: '1' },
      { TagKey: 'b', TagValue: '2' },
      { TagKey: 'c', TagValue: '3' },
    ]);
    await client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a', 'c', 'never-there'] }));
    expect(await tagsOf(client, key.KeyId ?? '')).toEqual([{ TagKey: 'b', TagValue: '2' }]);
  });

  it('answers an empty list for a key without tags', async () => {
    const { client } = env();
    const key = await createKey(client);
    expect(await tagsOf(client, key.KeyId ?? '')).toEqual([]);
  });

  describe('reserved aws: tag keys', () => {
    it.each(['aws:createdBy', 'AWS:Owner', 'Aws:x'])('rejects TagResource with tag key %j with TagException and adds no tag', async (tagKey) => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(
        client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'fine', TagValue: 'x' }, { TagKey: tagKey, TagValue: 'y' }] })),
        'TagException',
        { type: TagException, message: `${tagKey} uses the reserved prefix 'aws:'` },
      );
      expect(await tagsOf(client, key.KeyId ?? '')).toEqual([]);
    });

    it('rejects CreateKey with an aws: tag key with TagException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: [{ TagKey: 'aws:cloudformation:stack-name', TagValue: 's' }] })),
        'TagException',
        { type: TagException, message: 'reserved prefix' },
      );
    });

    it('accepts a tag key that merely contains aws: later on', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'not-aws:prefix', TagValue: 'ok' }] }));
      expect(await tagsOf(client, key.KeyId ?? '')).toEqual([{ TagKey: 'not-aws:prefix', TagValue: 'ok' }]);
    });
  });

  describe('a tag key given twice in one request', () => {
    it('rejects TagResource with TagException ("Duplicate tag keys", as AWS answers) and adds neither tag', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(
        client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'team', TagValue: 'a' }, { TagKey: 'team', TagValue: 'b' }] })),
        'TagException',
        { type: TagException, message: /^Duplicate tag keys: team/ },
      );
      expect(await tagsOf(client, key.KeyId ?? '')).toEqual([]);
    });

    it('rejects CreateKey with TagException and creates no key', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: [{ TagKey: 'x', TagValue: '1' }, { TagKey: 'x', TagValue: '1' }] })),
        'TagException',
        { type: TagException, message: /^Duplicate tag keys/ },
      );
    });

    it('treats tag keys that differ in case as different keys', async () => {
      const { client } = env();
      const key = await createKey(client);
      await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'Team', TagValue: 'a' }, { TagKey: 'team', TagValue: 'b' }] }));
      expect(await tagsOf(client, key.KeyId ?? '')).toHaveLength(2);
    });
  });

  describe('the limit of 50 tags per key', () => {
    // The SDK counts LimitExceededException as throttling and retries it with back-off; one attempt keeps these fast.
    const limited = useKmsLocal({}, { maxAttempts: 1 });

    it('accepts exactly 50 tags', async () => {
      const { client } = limited();
      const key = await createKey(client);
      await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: numberedTags(50) }));
      const { Tags } = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(Tags).toHaveLength(50);
    });

    it('rejects a 51st tag with LimitExceededException and keeps the 50 there are', async () => {
      const { client } = limited();
      const key = await createKey(client, numberedTags(50));
      await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'one-too-many', TagValue: 'x' }] })), 'LimitExceededException', {
        type: LimitExceededException,
        message: 'at most 50 tags',
      });
      const { Tags } = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(Tags).toEqual(numberedTags(50));
    });

    it('rejects 51 tags in one TagResource with TagException ("Too many tags", as AWS answers) and adds none of them', async () => {
      const { client } = limited();
      const key = await createKey(client);
      await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: numberedTags(51) })), 'TagException', {
        type: TagException,
        message: /^Too many tags/,
      });
      expect(await tagsOf(client, key.KeyId ?? '')).toEqual([]);
    });

    it('still lets a key with 50 tags change the value of one of them', async () => {
      const { client } = limited();
      const key = await createKey(client, numberedTags(50));
      await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'tag-07', TagValue: 'changed' }] }));
      const { Tags } = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(Tags).toHaveLength(50);
      expect(Tags?.find((tag) => tag.TagKey === 'tag-07')?.TagValue).toBe('changed');
    });

    it('rejects CreateKey with 51 tags with TagException', async () => {
      const { client } = limited();
      await expectKmsError(
        client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: numberedTags(51) })),
        'TagException',
        { type: TagException, message: /^Too many tags/ },
      );
    });
  });

  describe('tag validation', () => {
    it('rejects a tag key longer than 128 characters with ValidationException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'k'.repeat(129), TagValue: 'v' }] })), 'ValidationException', {
        message: 'less than or equal to 128',
      });
    });

    it('rejects a tag value longer than 256 characters with ValidationException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'k', TagValue: 'v'.repeat(257) }] })), 'ValidationException', {
        message: 'less than or equal to 256',
      });
    });

    it('rejects an empty tag key with ValidationException', async () => {
      const { client } = env();
      const key = await createKey(client);
      await expectKmsError(client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: '', TagValue: 'v' }] })), 'ValidationException', {
        message: "'tagKey'",
      });
    });
  });

  describe('key identifiers', () => {
    let key: KeyMetadata;

    beforeAll(async () => {
      const { client } = env();
      key = await createKey(client, [{ TagKey: 'kept', TagValue: 'yes' }]);
      await client.send(new CreateAliasCommand({ AliasName: 'alias/tags/target', TargetKeyId: key.KeyId }));
    });

    it('TagResource rejects an alias name with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new TagResourceCommand({ KeyId: 'alias/tags/target', Tags: [{ TagKey: 'k', TagValue: 'v' }] })), 'NotFoundException', {
        type: NotFoundException,
        message: 'not an alias',
      });
      expect(await tagsOf(client, key.KeyId ?? '')).toEqual([{ TagKey: 'kept', TagValue: 'yes' }]);
    });

    it('UntagResource rejects an alias ARN with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(
        client.send(new UntagResourceCommand({ KeyId: 'arn:aws:kms:us-east-1:111122223333:alias/tags/target', TagKeys: ['kept'] })),
        'NotFoundException',
        { type: NotFoundException, message: 'not an alias' },
      );
      expect(await tagsOf(client, key.KeyId ?? '')).toEqual([{ TagKey: 'kept', TagValue: 'yes' }]);
    });

    it('ListResourceTags rejects an alias name with NotFoundException', async () => {
      const { client } = env();
      await expectKmsError(client.send(new ListResourceTagsCommand({ KeyId: 'alias/tags/target' })), 'NotFoundException', { type: NotFoundException, message: 'not an alias' });
    });

    it.each(['TagResource', 'UntagResource', 'ListResourceTags'] as const)('%s rejects an unknown key with NotFoundException', async (operation) => {
      const { client } = env();
      const keyId = '00000000-0000-4000-8000-000000000000';
      const request =
        operation === 'TagResource'
          ? client.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }))
          : operation === 'UntagResource'
            ? client.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['k'] }))
            : client.send(new ListResourceTagsCommand({ KeyId: keyId }));
      await expectKmsError(request, 'NotFoundException', { type: NotFoundException, message: `key/${keyId}' does not exist` });
    });
  });
});

describe('ListResourceTags paging', () => {
  const env = useKmsLocal();
  const tags = numberedTags(7, 'page');
  let keyId = '';

  beforeAll(async () => {
    const { client } = env();
    keyId = (await createKey(client, tags)).KeyId ?? '';
  });

  it('pages through the tags with Limit and Marker until Truncated is false', async () => {
    const { client } = env();
    const first = await client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 3 }));
    expect(first.Tags).toEqual(tags.slice(0, 3));
    expect(first.Truncated).toBe(true);
    const second = await client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 3, Marker: first.NextMarker }));
    expect(second.Tags).toEqual(tags.slice(3, 6));
    expect(second.Truncated).toBe(true);
    const third = await client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 3, Marker: second.NextMarker }));
    expect(third.Tags).toEqual(tags.slice(6));
    expect(third.Truncated).toBe(false);
    expect(third.NextMarker).toBeUndefined();
  });

  it('rejects a Marker it did not issue with InvalidMarkerException', async () => {
    const { client } = env();
    await expectKmsError(client.send(new ListResourceTagsCommand({ KeyId: keyId, Marker: 'made-up' })), 'InvalidMarkerException', {
      type: InvalidMarkerException,
      message: 'marker',
    });
  });

  it.each([0, 51])('rejects Limit %i, outside 1..50, with ValidationException', async (limit) => {
    const { client } = env();
    await expectKmsError(client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: limit })), 'ValidationException', { message: 'between 1 and 50' });
  });
});
