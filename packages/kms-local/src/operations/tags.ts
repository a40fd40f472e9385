import { KmsError } from '../errors.js';
import type { Input } from '../input.js';

/** At most this many tags per key, as KMS allows. */
export const MAX_TAGS_PER_KEY = 50;

/** Reads a `Tags` list of `{TagKey, TagValue}`; reserved `aws:` keys are a TagException. */
export function readTags(input: Input, required: boolean): Array<[string, string]> {
  const list = input.list('Tags');
  if (list === undefined) {
    if (required) throw new KmsError('ValidationException', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    return [];
  }
  return list.map((tag) => {
    const key = tag.requiredString('TagKey', { max: 128 });
    const value = tag.string('TagValue', { max: 256 });
    if (value === undefined) throw new KmsError('ValidationException', "1 validation error detected: Value null at 'tagValue' failed to satisfy constraint: Member must not be null");
    if (key.toLowerCase().startsWith('aws:')) throw new KmsError('TagException', `Tag key ${key} uses the reserved prefix 'aws:'.`);
    return [key, value];
  });
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
