import { describe, expect, it } from 'vitest';
import { createJwksKeyProvider, KeyProviderConfigError, type JwksKeyProviderOptions } from '../src/index.js';
import { freshnessMs } from '../src/jwks-cache-control.js';
import { toAllowlist } from '../src/jwks-allowlist.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const BASE: JwksKeyProviderOptions = { url: 'https://issuer.example/.well-known/jwks.json', keyArns: [ARN] };

function configError(options: unknown): string {
  try {
    createJwksKeyProvider(options as JwksKeyProviderOptions).close();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    return (error as Error).message.replace(/^kms-pubkey-provider: /, '');
  }
  throw new Error('expected a KeyProviderConfigError');
}

describe('createJwksKeyProvider options', () => {
  it('refuses plain http to a host that is not loopback, at construction', () => {
    for (const url of ['http://issuer.example/jwks.json', 'http://10.0.0.1/jwks.json', 'http://[::ffff:127.0.0.1]/jwks.json', 'http://localhost.example/jwks.json']) {
      expect(configError({ ...BASE, url })).toMatch(/must use https: plain http is allowed only on a loopback host \(127\.0\.0\.0\/8, ::1, localhost\)/);
    }
  });

  it('takes https anywhere, and plain http on 127.0.0.0/8, ::1 and localhost', () => {
    for (const url of ['https://issuer.example/jwks.json', new URL('https://issuer.example/jwks.json?tenant=a'), 'http://127.0.0.1:8080/jwks.json', 'http://127.42.0.7/jwks.json', 'http://[::1]:3000/jwks.json', 'http://localhost/jwks.json']) {
      createJwksKeyProvider({ ...BASE, url }).close();
    }
  });

  it.each([
    [{ url: undefined }, 'url is required: the https:// URL of the JWKS to trust keys from'],
    [{ url: 'jwks.json' }, 'url is not a valid absolute URL; give the https:// URL of the JWKS'],
    [{ url: 'file:///etc/jwks.json' }, 'url must be an https:// URL, not file:'],
    [{ url: 'https://user:secret@issuer.example/jwks.json' }, 'url (https://issuer.example/jwks.json) must not carry credentials'],
    [{ keyArns: undefined }, 'give keyArns, trust or both: the KMS key ARNs (or accounts and Regions) whose keys the JWKS may publish; a JWKS never decides on its own which keys are trusted'],
    [{ keyArns: ['alias/token-issuer'] }, 'keyArns[0] must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias or a key id'],
    [{ keyArns: undefined, trust: [{ accountId: '1111', region: 'us-east-1' }] }, 'trust[0].accountId must be a 12-digit AWS account id (as a string)'],
    [{ keyArns: undefined, trust: [{ accountId: '111122223333', region: 'US East' }] }, 'trust[0].region must be an AWS Region such as us-east-1'],
    [{ keyArns: undefined, trust: [{ accountId: '111122223333', region: 'us-east-1', keyIds: [ARN] }] }, 'trust[0].keyIds[0] must be a key id (a UUID, or mrk- and 32 hex digits), not an ARN or an alias'],
    [{ keyArns: undefined, trust: [{ accountId: '111122223333', region: 'us-east-1', keyIds: [] }] }, 'trust[0].keyIds must be a non-empty array of key ids (leave it out to allow every key of the account and Region)'],
    [{ keyArns: undefined, trust: [{ accountId: '111122223333', region: 'us-east-1', partition: 'amazon' }] }, 'trust[0].partition must be an ARN partition such as aws, aws-cn or aws-us-gov'],
    [{ maxKeys: 0 }, 'maxKeys must be an integer >= 1'],
    [{ maxResponseBytes: 1.5 }, 'maxResponseBytes must be an integer >= 1'],
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs must be a finite number of milliseconds >= 1'],
    [{ unknownKidCooldownMs: -1 }, 'unknownKidCooldownMs must be a finite number of milliseconds >= 0'],
    [{ minCacheMaxAgeMs: 120_000, maxCacheMaxAgeMs: 60_000 }, 'minCacheMaxAgeMs must not exceed maxCacheMaxAgeMs'],
    [{ cacheMaxAgeMs: 10_000 }, 'cacheMaxAgeMs must lie between minCacheMaxAgeMs and maxCacheMaxAgeMs'],
    [{ algorithms: ['HS256'] }, 'algorithms must be a non-empty array of JWS algorithms a KMS key produces (ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)'],
    [{ onJwksKeyIgnored: 'log' }, 'onJwksKeyIgnored must be a function'],
    [{ timers: {} }, 'timers must have setTimeout(callback, delayMs) and clearTimeout(handle)'],
  ])('refuses %j', (override, message) => {
    expect(configError({ ...BASE, ...override })).toBe(message);
  });

  it('refuses a missing options object', () => {
    expect(configError(undefined)).toBe('createJwksKeyProvider needs an options object with url and keyArns or trust');
  });

  it('keeps the default cacheMaxAgeMs within the bounds given', () => {
    createJwksKeyProvider({ ...BASE, maxCacheMaxAgeMs: 60_000 }).close();
    createJwksKeyProvider({ ...BASE, minCacheMaxAgeMs: 600_000 }).close();
  });
});

describe('the allowlist', () => {
  const allowlist = toAllowlist(
    [ARN],
    [
      { accountId: '444455556666', region: 'eu-west-1' },
      { accountId: '777788889999', region: 'us-east-1', keyIds: ['mrk-1234abcd12ab34cd56ef1234567890ab'] },
      { accountId: '111122223333', region: 'cn-north-1', partition: 'aws-cn' },
    ],
  );

  it.each([
    [ARN, undefined],
    ['arn:aws:kms:eu-west-1:444455556666:key/0f0f0f0f-0000-4000-8000-000000000000', undefined],
    ['arn:aws:kms:us-east-1:777788889999:key/mrk-1234abcd12ab34cd56ef1234567890ab', undefined],
    ['arn:aws-cn:kms:cn-north-1:111122223333:key/0f0f0f0f-0000-4000-8000-000000000000', undefined],
    ['arn:aws:kms:us-east-1:111122223333:key/0f0f0f0f-0000-4000-8000-000000000000', 'not-allowlisted'],
    ['arn:aws:kms:eu-west-2:444455556666:key/0f0f0f0f-0000-4000-8000-000000000000', 'not-allowlisted'],
    ['arn:aws:kms:us-east-1:777788889999:key/0f0f0f0f-0000-4000-8000-000000000000', 'not-allowlisted'],
    ['arn:aws:kms:cn-north-1:111122223333:key/0f0f0f0f-0000-4000-8000-000000000000', 'not-allowlisted'],
    ['arn:aws:kms:eu-west-1:444455556666:alias/token-issuer', 'kid-not-key-arn'],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', 'kid-not-key-arn'],
    ['https://issuer.example/keys/1', 'kid-not-key-arn'],
  ])('judges %s', (kid, reason) => {
    expect(allowlist.check(kid)?.reason).toBe(reason);
    expect(allowlist.allows(kid)).toBe(reason === undefined);
  });
});

describe('freshness from Cache-Control', () => {
  const bounds = { minMs: 60_000, maxMs: 900_000 };
  const headers = (values: Record<string, string>) => new Headers(values);

  it.each([
    [{}, undefined],
    [{ 'cache-control': 'public' }, undefined],
    [{ 'cache-control': 'public, max-age=300' }, 300_000],
    [{ 'cache-control': 'max-age="120"' }, 120_000],
    [{ 'cache-control': 'public, max-age=300', age: '100' }, 200_000],
    [{ 'cache-control': 'max-age=300', age: '290' }, 60_000],
    [{ 'cache-control': 'max-age=5' }, 60_000],
    [{ 'cache-control': 'max-age=86400' }, 900_000],
    [{ 'cache-control': 'max-age=300, no-cache' }, 60_000],
    [{ 'cache-control': 'no-store' }, 60_000],
    [{ 'cache-control': 'max-age=-1' }, undefined],
    [{ 'cache-control': 'max-age=1e3' }, undefined],
    [{ 'cache-control': 'max-age=300, max-age=10' }, 300_000],
  ])('reads %j as %s ms', (values, expected) => {
    expect(freshnessMs(headers(values), bounds)).toBe(expected);
  });
});
