import { describe, expect, it } from 'vitest';
import { parseConfiguredKeys } from '../src/key-config.js';
import { configRefusal } from './config-support.js';

// The `keys` option read on its own (key-config.ts): which entries get replica Regions, which
// mistakes are refused, and that each refusal names the entry and says what to write instead.

const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const MRK_ARN = `arn:aws:kms:us-east-1:111122223333:key/${MRK_ID}`;
const KEY_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const PIN = 'A'.repeat(43);

const refusal = (keys: unknown, replicaRegions?: unknown): string => configRefusal(() => parseConfiguredKeys(keys, replicaRegions));

describe('parseConfiguredKeys: replica Regions', () => {
  it("gives a multi-Region key configured by ARN the replicaRegions default ('any' when unset), and none to a key id or a single-Region key", () => {
    const [byArn, byId, single] = parseConfiguredKeys([MRK_ARN, 'mrk-0000abcd12ab34cd56ef1234567890ab', KEY_ARN], undefined);
    expect(byArn).toMatchObject({ kind: 'key', keyId: MRK_ID, arn: MRK_ARN, replicaRegions: 'any' });
    expect(byId).toEqual({ kind: 'key', ref: 'mrk-0000abcd12ab34cd56ef1234567890ab', keyId: 'mrk-0000abcd12ab34cd56ef1234567890ab', arn: undefined });
    expect(single).toEqual({ kind: 'key', ref: KEY_ARN, keyId: KEY_ID, arn: KEY_ARN });
    const [listed] = parseConfiguredKeys([MRK_ARN], ['eu-west-1']);
    expect(listed).toMatchObject({ replicaRegions: new Set(['eu-west-1']) });
  });

  it("takes an entry's own replicaRegions over the default, the default when it has none, and none for a single-Region key", () => {
    const [own, inherited, single] = parseConfiguredKeys(
      [{ arn: MRK_ARN, replicaRegions: ['us-west-2'] }, { arn: MRK_ARN.replace('111122223333', '444455556666').replace(MRK_ID, 'mrk-9999abcd12ab34cd56ef1234567890ab') }, { arn: KEY_ARN, spkiSha256: PIN }],
      ['eu-west-1'],
    );
    expect(own).toMatchObject({ replicaRegions: new Set(['us-west-2']) });
    expect(inherited).toMatchObject({ replicaRegions: new Set(['eu-west-1']) });
    expect(single).toEqual({ kind: 'key', ref: KEY_ARN, keyId: KEY_ID, arn: KEY_ARN, spkiSha256: PIN, replicaRegions: undefined });
    const [any] = parseConfiguredKeys([{ arn: MRK_ARN, replicaRegions: 'any' }], []);
    expect(any).toMatchObject({ replicaRegions: 'any' });
  });
});

describe('parseConfiguredKeys: refusals say what to fix', () => {
  it('refuses keys that is not an array', () => {
    expect(refusal('alias/issuer')).toMatch(/keys must be an array of key ARNs, key ids, alias names or alias ARNs \(or \{ arn, spkiSha256\?, replicaRegions\? \}\)/);
  });

  it('refuses a replicaRegions option or entry that is not an array of Region names, naming where', () => {
    expect(refusal([MRK_ARN], 'eu-west-1')).toMatch(/^kms-pubkey-provider: replicaRegions must be 'any' or an array of AWS Region names such as \['eu-west-1', 'us-west-2'\]/);
    expect(refusal([MRK_ARN], ['eu-west-1', 'Europe'])).toMatch(/replicaRegions must be 'any'/);
    expect(refusal([{ arn: MRK_ARN, replicaRegions: ['nowhere'] }])).toMatch(/keys\[0\]\.replicaRegions must be 'any' or an array of AWS Region names/);
  });

  it('names a string entry that is no key reference, and an object entry by its JSON', () => {
    expect(refusal([KEY_ARN, 'my-key'])).toMatch(/keys\[1\] \(my-key\) is not a key ARN, key id, alias\/\.\.\. name or alias ARN/);
    expect(refusal([42])).toMatch(/keys\[0\] must be a string \(key ARN, key id, alias\) or \{ arn, spkiSha256\?, replicaRegions\? \}/);
    expect(refusal([null])).toMatch(/keys\[0\] must be a string/);
    expect(refusal([[KEY_ARN]])).toMatch(/keys\[0\] must be a string/);
  });

  it('refuses an object entry whose arn is not a key ARN (a key id or alias cannot carry a pin)', () => {
    // [KEY_ARN] spells the ARN when made a string: only a string is read as one.
    for (const arn of [KEY_ID, 'alias/issuer', undefined, 7, [KEY_ARN]]) {
      expect(refusal([{ arn, spkiSha256: PIN }])).toMatch(/keys\[0\]\.arn must be a key ARN \(arn:aws:kms:<region>:<account>:key\/<key id>\)/);
    }
  });

  it('refuses a malformed pin, naming the ARN and the form expected', () => {
    expect(refusal([{ arn: KEY_ARN, spkiSha256: 'abc' }])).toContain(`keys[0].spkiSha256 (${KEY_ARN}) must be the base64url SHA-256 of the key's DER SubjectPublicKeyInfo: 43 characters of A-Z a-z 0-9 - _`);
  });

  it('refuses replicaRegions on a key that is not multi-Region', () => {
    expect(refusal([{ arn: KEY_ARN, replicaRegions: ['eu-west-1'] }])).toContain(
      `keys[0].replicaRegions: ${KEY_ARN} is not a multi-Region key (its id does not start with mrk-), so it has no replicas`,
    );
  });

  it('refuses two names of one multi-Region key with its own message, and any key or alias listed twice', () => {
    expect(refusal([MRK_ARN, MRK_ID])).toContain(`keys lists ${MRK_ARN} and ${MRK_ID}, two names of the multi-Region key ${MRK_ID}: list it once; its replicas in other Regions are trusted through replicaRegions`);
    expect(refusal([MRK_ARN, MRK_ARN])).toMatch(new RegExp(`keys lists ${MRK_ARN} twice$`));
    expect(refusal([KEY_ARN, KEY_ID])).toMatch(new RegExp(`keys lists ${KEY_ID} twice$`));
    expect(refusal(['alias/issuer', 'alias/issuer'])).toMatch(/keys lists alias\/issuer twice$/);
    expect(parseConfiguredKeys(['alias/issuer', 'arn:aws:kms:us-east-1:111122223333:alias/issuer'], undefined)).toHaveLength(2);
  });
});
