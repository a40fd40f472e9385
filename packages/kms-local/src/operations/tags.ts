import { KmsError } from '../errors.js';
import type { Input } from '../input.js';

/** At most this many tags per key, as KMS allows. */
export const MAX_TAGS_PER_KEY = 50;

/**
 * Reads a `Tags` list of `{TagKey, TagValue}`. As KMS answers (recorded from AWS in localstack's KMS
 * snapshot tests): reserved `aws:` keys, a tag key given twice, and more than 50 tags in one request are
 * each a TagException.
 */
export function readTags(input: Input, required: boolean): Array<[string, string]> {
  const list = input.list('Tags');
  if (list === undefined) {
    if (required) throw new KmsError('ValidationException', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    return [];
  }
  const tags = list.map((tag): [string, string] => {
    const key = tag.requiredString('TagKey', { max: 128 });
    const value = tag.string('TagValue', { max: 256 });
    if (value === undefined) throw new KmsError('ValidationException', "1 validation error detected: Value null at 'tagValue' failed to satisfy constraint: Member must not be null");
    if (key.toLowerCase().startsWith('aws:')) throw new KmsError('TagException', `Tag key ${key} uses the reserved prefix 'aws:'.`);
    return [key, value];
  });
  const keys = new Set(tags.map(([key]) => key));
  if (keys.size < tags.length) {
    const repeated = tags.find(([key], index) => tags.findIndex(([other]) => other === key) !== index)?.[0] ?? '';
    throw new KmsError('TagException', `Duplicate tag keys: ${repeated} is given more than once; give each tag key once.`);
  }
  if (tags.length > MAX_TAGS_PER_KEY) throw new KmsError('TagException', `Too many tags: ${tags.length} in one request; a KMS key can have at most ${MAX_TAGS_PER_KEY}.`);
  return tags;
}

/** Adds tags to a key's tags, refusing to go past MAX_TAGS_PER_KEY. */
export function applyTags(target: Map<string, string>, tags: ReadonlyArray<[string, string]>): void {
  const merged = new Map(target);
  for (const [key, value] of tags) merged.set(key, value);
  if (merged.size > MAX_TAGS_PER_KEY) {
    throw new KmsError('LimitExceededException', `A KMS key can have at most ${MAX_TAGS_PER_KEY} tags.`);
  }
  for (const [key, value] of tags) target.set(key, value);
}
