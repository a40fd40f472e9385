import { describe, expect, it } from 'vitest';
import { KeyProviderConfigError } from '../src/errors.js';
import { toAllowlist } from '../src/jwks-allowlist.js';

// The JWKS allowlist at its edges (jwks-allowlist.ts): which key ARNs keyArns and trust let a JWKS
// make trusted, how rules of one account and Region add up, and what each refusal says.

const ACCOUNT = '111122223333';
const KEY_A = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_B = '0f0f0f0f-0000-4000-8000-000000000000';
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const arn = (keyId: string, region = 'us-east-1', account = ACCOUNT, partition = 'aws'): string => `arn:${partition}:kms:${region}:${account}:key/${keyId}`;

function configError(keyArns: unknown, trust: unknown): string {
  try {
    toAllowlist(keyArns, trust);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    return (error as Error).message.replace(/^kms-pubkey-provider: /, '');
  }
  throw new Error('expected a KeyProviderConfigError');
}

describe('JwksAllowlist: what it allows', () => {
  it('allows the keyArns listed and nothing else when there is no trust rule', () => {
    const allowlist = toAllowlist([arn(KEY_A)], undefined);
    expect(allowlist.allows(arn(KEY_A))).toBe(true);
    expect(allowlist.check(arn(KEY_A))).toBeUndefined();
    expect(allowlist.allows(arn(KEY_B))).toBe(false);
    expect(allowlist.check(arn(KEY_B))?.reason).toBe('not-allowlisted');
  });

  it('allows only the keyIds of a rule in its account and Region', () => {
    const allowlist = toAllowlist(undefined, [{ accountId: ACCOUNT, region: 'us-east-1', keyIds: [KEY_A] }]);
    expect(allowlist.allows(arn(KEY_A))).toBe(true);
    expect(allowlist.allows(arn(KEY_B))).toBe(false);
    expect(allowlist.allows(arn(KEY_A, 'us-west-2'))).toBe(false);
    expect(allowlist.allows(arn(KEY_A, 'us-east-1', '444455556666'))).toBe(false);
    expect(allowlist.allows(arn(KEY_A, 'us-east-1', ACCOUNT, 'aws-cn'))).toBe(false);
  });

  it('adds up the keyIds of two rules for one account and Region', () => {
    const allowlist = toAllowlist(undefined, [
      { accountId: ACCOUNT, region: 'us-east-1', keyIds: [KEY_A] },
      { accountId: ACCOUNT, region: 'us-east-1', keyIds: [MRK] },
    ]);
    expect(allowlist.allows(arn(KEY_A))).toBe(true);
    expect(allowlist.allows(arn(MRK))).toBe(true);
    expect(allowlist.allows(arn(KEY_B))).toBe(false);
  });

  it('keeps every key of an account and Region allowed when another rule for it lists keyIds, in either order', () => {
    const any = { accountId: ACCOUNT, region: 'us-east-1' };
    const some = { accountId: ACCOUNT, region: 'us-east-1', keyIds: [KEY_A] };
    for (const rules of [
      [any, some],
      [some, any],
    ]) {
      const allowlist = toAllowlist(undefined, rules);
      expect(allowlist.allows(arn(KEY_B))).toBe(true);
      expect(allowlist.allows(arn(KEY_A))).toBe(true);
    }
  });

  it('reads the partition of a rule, aws by default', () => {
    const allowlist = toAllowlist(undefined, [
      { accountId: ACCOUNT, region: 'us-east-1' },
      { accountId: ACCOUNT, region: 'us-gov-west-1', partition: 'aws-us-gov' },
    ]);
    expect(allowlist.allows(arn(KEY_A))).toBe(true);
    expect(allowlist.allows(arn(KEY_A, 'us-gov-west-1', ACCOUNT, 'aws-us-gov'))).toBe(true);
    expect(allowlist.allows(arn(KEY_A, 'us-gov-west-1'))).toBe(false);
    expect(allowlist.allows(arn(KEY_A, 'us-east-1', ACCOUNT, 'aws-cn'))).toBe(false);
  });

  it('allows nothing that is not a key ARN, whatever the rules', () => {
    const allowlist = toAllowlist([arn(KEY_A)], [{ accountId: ACCOUNT, region: 'us-east-1' }]);
    for (const kid of [KEY_A, `arn:aws:kms:us-east-1:${ACCOUNT}:alias/issuer`, `${arn(KEY_A)}:extra`, `x${arn(KEY_A)}`, 'aws:us-east-1:111122223333']) {
      expect(allowlist.allows(kid)).toBe(false);
      expect(allowlist.check(kid)?.reason).toBe('kid-not-key-arn');
    }
  });
});

describe('JwksAllowlist: what a refusal says', () => {
  const allowlist = toAllowlist([arn(KEY_A)], undefined);
  const HOW = 'a JWKS key is trusted only under the key ARN tokens carry as kid (arn:aws:kms:<region>:<account>:key/<key id>)';

  it.each([
    ['alias/token-issuer', `the kid is an alias; ${HOW}`],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/token-issuer`, `the kid is an alias; ${HOW}`],
    [KEY_B, `the kid is a bare key id; ${HOW}`],
    ['https://issuer.example/keys/1', `the kid is not a KMS key ARN; ${HOW}`],
    [arn(KEY_B), 'the kid is a key ARN that neither keyArns nor trust allows; add it (or its account and Region) if this issuer may sign with it'],
  ])('for %s', (kid, message) => {
    expect(allowlist.check(kid)?.message).toBe(message);
  });
});

describe('toAllowlist: refusals', () => {
  const RULE = { accountId: ACCOUNT, region: 'us-east-1' };

  it.each([
    [arn(KEY_A), undefined, 'keyArns must be an array of KMS key ARNs'],
    [[arn(KEY_A), 42], undefined, 'keyArns[1] must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias or a key id'],
    [[KEY_A], undefined, 'keyArns[0] must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias or a key id'],
    [undefined, RULE, 'trust must be an array of { accountId, region, keyIds?, partition? }'],
    [undefined, [RULE, null], 'trust[1] must be an object { accountId, region, keyIds?, partition? }'],
    [undefined, ['111122223333:us-east-1'], 'trust[0] must be an object { accountId, region, keyIds?, partition? }'],
    [undefined, [{ ...RULE, accountId: 111122223333 }], 'trust[0].accountId must be a 12-digit AWS account id (as a string)'],
    [undefined, [{ ...RULE, accountId: { toString: (): string => ACCOUNT } }], 'trust[0].accountId must be a 12-digit AWS account id (as a string)'],
    [undefined, [{ ...RULE, region: { toString: (): string => 'us-east-1' } }], 'trust[0].region must be an AWS Region such as us-east-1'],
    [undefined, [{ ...RULE, partition: { toString: (): string => 'aws' } }], 'trust[0].partition must be an ARN partition such as aws, aws-cn or aws-us-gov'],
    [undefined, [{ ...RULE, accountId: '1111222233334' }], 'trust[0].accountId must be a 12-digit AWS account id (as a string)'],
    [undefined, [{ ...RULE, region: undefined }], 'trust[0].region must be an AWS Region such as us-east-1'],
    [undefined, [{ ...RULE, region: 'useast1' }], 'trust[0].region must be an AWS Region such as us-east-1'],
    [undefined, [{ ...RULE, region: 'US-east-1' }], 'trust[0].region must be an AWS Region such as us-east-1'],
    [undefined, [{ ...RULE, region: 'us-east-1!' }], 'trust[0].region must be an AWS Region such as us-east-1'],
    [undefined, [{ ...RULE, partition: 'my-aws' }], 'trust[0].partition must be an ARN partition such as aws, aws-cn or aws-us-gov'],
    [undefined, [{ ...RULE, partition: 5 }], 'trust[0].partition must be an ARN partition such as aws, aws-cn or aws-us-gov'],
    [undefined, [{ ...RULE, partition: 'aws-' }], 'trust[0].partition must be an ARN partition such as aws, aws-cn or aws-us-gov'],
    [undefined, [{ ...RULE, keyIds: KEY_A }], 'trust[0].keyIds must be a non-empty array of key ids (leave it out to allow every key of the account and Region)'],
    [undefined, [{ ...RULE, keyIds: [KEY_A, 7] }], 'trust[0].keyIds[1] must be a key id (a UUID, or mrk- and 32 hex digits), not an ARN or an alias'],
    [undefined, [{ ...RULE, keyIds: [{ toString: (): string => KEY_A }] }], 'trust[0].keyIds[0] must be a key id (a UUID, or mrk- and 32 hex digits), not an ARN or an alias'],
    [[{ toString: (): string => arn(KEY_A) }], undefined, 'keyArns[0] must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias or a key id'],
    [undefined, [{ ...RULE, keyIds: ['alias/token-issuer'] }], 'trust[0].keyIds[0] must be a key id (a UUID, or mrk- and 32 hex digits), not an ARN or an alias'],
    [[], [], 'give keyArns, trust or both: the KMS key ARNs (or accounts and Regions) whose keys the JWKS may publish; a JWKS never decides on its own which keys are trusted'],
  ])('refuses keyArns %j with trust %j', (keyArns, trust, message) => {
    expect(configError(keyArns, trust)).toBe(message);
  });

  it('takes keyArns alone, or trust alone', () => {
    expect(toAllowlist([arn(KEY_A)], []).allows(arn(KEY_A))).toBe(true);
    expect(toAllowlist([], [RULE]).allows(arn(KEY_A))).toBe(true);
  });
});
