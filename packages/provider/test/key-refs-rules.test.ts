import { describe, expect, it } from 'vitest';
import { isMultiRegionKeyId, isRegionName, keyArnIn, keyIdOfArn, keyIdOfKid, parseKeyRef, sameScope, scopeOfArn } from '../src/key-refs.js';

// How key references, kids and ARNs are read (key-refs.ts), at the edges of each form: what is
// not exactly a key ARN, key id or alias must never be read as one, and a scope is the whole
// partition, Region and account.

const KEY_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const ALIAS_ARN = 'arn:aws:kms:us-east-1:111122223333:alias/issuer/prod_1-a';

/** Strings that are near a key ARN, key id or alias and are none of them. */
const NOT_REFS: readonly string[] = [
  '',
  'my-key',
  `x${KEY_ARN}`,
  `${KEY_ARN}x!`,
  `${KEY_ARN}\n`,
  `arn:aws:kms:us-east-1:11112222333:key/${KEY_ID}`,
  `arn:aws:kms:us-east-1:1111222233334:key/${KEY_ID}`,
  `arn:aws:kms:us-east-1:11112222333a:key/${KEY_ID}`,
  `arn:aws:kms::111122223333:key/${KEY_ID}`,
  `arn:aws:kms:US-EAST-1:111122223333:key/${KEY_ID}`,
  `arn:aws:s3:us-east-1:111122223333:key/${KEY_ID}`,
  `arn:gcp:kms:us-east-1:111122223333:key/${KEY_ID}`,
  `arn:AWS:kms:us-east-1:111122223333:key/${KEY_ID}`,
  'arn:aws:kms:us-east-1:111122223333:key/',
  `arn:aws:kms:us-east-1:111122223333:key/${'a'.repeat(101)}`,
  'arn:aws:kms:us-east-1:111122223333:key/a_b',
  'arn:aws:kms:us-east-1:111122223333:alias/',
  `x${ALIAS_ARN}`,
  `arn:aws:kms:us-east-1:111122223333:alias/issuer\n`,
  'arn:aws:kms:us-east-1:111122223333:alias/a b',
  `arn:aws:kms:us-east-1:111122223333:alias/${'a'.repeat(251)}`,
  'alias/',
  'alias/a b',
  'alias/a.b',
  `alias/${'a'.repeat(251)}`,
  'xalias/issuer',
  'alias/issuer ',
  `${KEY_ID}0`,
  `0${KEY_ID}`,
  KEY_ID.replace(/-/g, ''),
  KEY_ID.replace('0f1e2d3c', '0f1e2d3g'),
  KEY_ID.replace('4b5a', '4b5'),
  KEY_ID.replace('4978', '49789'),
  KEY_ID.replace('8695', '869'),
  KEY_ID.replace('a4b3c2d1e0f9', 'a4b3c2d1e0f'),
  'mrk-1234abcd12ab34cd56ef1234567890a',
  'mrk-1234abcd12ab34cd56ef1234567890abc',
  'mrk-1234abcd12ab34cd56ef1234567890ag',
  'mrkx1234abcd12ab34cd56ef1234567890ab',
  `x${MRK_ID}`,
];

describe('parseKeyRef', () => {
  it('reads a key ARN (any AWS partition), a key id (UUID or mrk-), an alias name and an alias ARN', () => {
    expect(parseKeyRef(KEY_ARN)).toEqual({ kind: 'key', ref: KEY_ARN, keyId: KEY_ID, arn: KEY_ARN });
    const gov = `arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${MRK_ID}`;
    expect(parseKeyRef(gov)).toEqual({ kind: 'key', ref: gov, keyId: MRK_ID, arn: gov });
    const china = `arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID.toUpperCase()}`;
    expect(parseKeyRef(china)).toEqual({ kind: 'key', ref: china, keyId: KEY_ID.toUpperCase(), arn: china });
    expect(parseKeyRef(`arn:aws:kms:us-east-1:111122223333:key/${'a'.repeat(100)}`)).toMatchObject({ kind: 'key', keyId: 'a'.repeat(100) });
    expect(parseKeyRef(KEY_ID)).toEqual({ kind: 'key', ref: KEY_ID, keyId: KEY_ID, arn: undefined });
    expect(parseKeyRef(KEY_ID.toUpperCase())).toEqual({ kind: 'key', ref: KEY_ID.toUpperCase(), keyId: KEY_ID.toUpperCase(), arn: undefined });
    expect(parseKeyRef(MRK_ID)).toEqual({ kind: 'key', ref: MRK_ID, keyId: MRK_ID, arn: undefined });
    expect(parseKeyRef('mrk-1234ABCD12ab34cd56ef1234567890ab')).toMatchObject({ kind: 'key', arn: undefined });
    for (const alias of ['alias/issuer', 'alias/a', `alias/${'a'.repeat(250)}`, 'alias/team/issuer_1-A', ALIAS_ARN, 'arn:aws-cn:kms:cn-north-1:111122223333:alias/issuer', `arn:aws:kms:us-east-1:111122223333:alias/${'z'.repeat(250)}`]) {
      expect(parseKeyRef(alias)).toEqual({ kind: 'alias', ref: alias });
    }
  });

  it('reads nothing from a string that is only near one of those forms', () => {
    for (const ref of NOT_REFS) expect(parseKeyRef(ref), ref).toBeUndefined();
  });
});

describe('keyIdOfKid and keyIdOfArn', () => {
  it('take the key id of a key ARN or bare key id, and nothing from an alias, a near-ARN or a near-id', () => {
    expect(keyIdOfKid(KEY_ARN)).toBe(KEY_ID);
    expect(keyIdOfKid(KEY_ID)).toBe(KEY_ID);
    expect(keyIdOfKid(MRK_ID)).toBe(MRK_ID);
    expect(keyIdOfArn(KEY_ARN)).toBe(KEY_ID);
    expect(keyIdOfArn(KEY_ID)).toBeUndefined();
    for (const kid of ['alias/issuer', ALIAS_ARN, ...NOT_REFS]) {
      expect(keyIdOfKid(kid), kid).toBeUndefined();
      expect(keyIdOfArn(kid), kid).toBeUndefined();
    }
  });

  it('reads a kid starting with arn: only as an ARN, never as a key id', () => {
    // A kid "arn:" followed by a key id is neither: it must not fall through to the key id form.
    expect(keyIdOfKid(`arn:${KEY_ID}`)).toBeUndefined();
    expect(keyIdOfKid(`arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}/x`)).toBeUndefined();
  });
});

describe('isMultiRegionKeyId and isRegionName', () => {
  it('call only mrk- and 32 hex digits multi-Region', () => {
    expect(isMultiRegionKeyId(MRK_ID)).toBe(true);
    expect(isMultiRegionKeyId(MRK_ID.toUpperCase().replace('MRK', 'mrk'))).toBe(true);
    for (const id of [KEY_ID, 'mrk-1234abcd12ab34cd56ef1234567890a', 'mrk-1234abcd12ab34cd56ef1234567890abc', 'mrk-1234abcd12ab34cd56ef1234567890ag', `x${MRK_ID}`, 'MRK-1234abcd12ab34cd56ef1234567890ab']) {
      expect(isMultiRegionKeyId(id), id).toBe(false);
    }
  });

  it('take Region names as AWS spells them, and nothing else', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-10']) expect(isRegionName(region), region).toBe(true);
    for (const region of ['', 'us-east', 'useast-1', 'u-east-1', 'usa-east-1', 'US-EAST-1', 'us-east-100', 'us-gov-west-north-1', 'xus-east-1', 'us-east-1x', 'us-east-1\n', 'us--1', 'us-1-1', 5, null, undefined, ['us-east-1']]) {
      expect(isRegionName(region), String(region)).toBe(false);
    }
  });
});

describe('scopeOfArn and sameScope', () => {
  it('take the partition, Region and account of a key ARN or alias ARN', () => {
    expect(scopeOfArn(KEY_ARN)).toEqual({ partition: 'aws', region: 'us-east-1', account: '111122223333' });
    expect(scopeOfArn(ALIAS_ARN)).toEqual({ partition: 'aws', region: 'us-east-1', account: '111122223333' });
    expect(scopeOfArn(`arn:aws-us-gov:kms:us-gov-west-1:444455556666:key/${MRK_ID}`)).toEqual({ partition: 'aws-us-gov', region: 'us-gov-west-1', account: '444455556666' });
  });

  it('give no scope for a key id, an alias name, or an ARN that is not exactly a key or alias ARN', () => {
    for (const value of [KEY_ID, 'alias/issuer', `${KEY_ARN}x!`, `arn:aws:kms:us-east-1:111122223333:key/a_b`, 'arn:aws:kms:us-east-1:111122223333:alias/a b', `x${KEY_ARN}`]) {
      expect(scopeOfArn(value), value).toBeUndefined();
    }
  });

  it('call two scopes the same only when partition, Region and account all match', () => {
    const base = { partition: 'aws', region: 'us-east-1', account: '111122223333' };
    expect(sameScope(base, { ...base })).toBe(true);
    expect(sameScope(base, { ...base, partition: 'aws-cn' })).toBe(false);
    expect(sameScope(base, { ...base, region: 'eu-west-1' })).toBe(false);
    expect(sameScope(base, { ...base, account: '444455556666' })).toBe(false);
  });

  it("names a replica by the key id in another scope's partition, Region and account", () => {
    expect(keyArnIn({ partition: 'aws-cn', region: 'cn-north-1', account: '444455556666' }, MRK_ID)).toBe(`arn:aws-cn:kms:cn-north-1:444455556666:key/${MRK_ID}`);
  });
});
