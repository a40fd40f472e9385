import { describe, expect, it } from 'vitest';
import { createKmsJwtSigner, createKmsMessageSigner, SignerConfigError, type KmsJwtSignerOptions, type KmsMessageSignerOptions } from '../src/index.js';
import { expectSignerThrow, unreachableClient } from './support.js';

// The whole text of each configuration error: it names the option and says what it must be.

const client = unreachableClient();
const token: KmsJwtSignerOptions = { keyId: 'alias/issuer', expiresInSeconds: 300, client };
const message: KmsMessageSignerOptions = { keyId: 'alias/issuer', client };
const ALGORITHMS = 'ES256, ES384, ES512, ES256K, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA';

/** Mistakes both signers refuse the same way (the options every signer takes). */
const common: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
  ['a keyId that is not a string', { keyId: 7 }, 'keyId is required: a KMS key id, key ARN, alias name (alias/...) or alias ARN'],
  ['an empty keyId', { keyId: '' }, 'keyId is required: a KMS key id, key ARN, alias name (alias/...) or alias ARN'],
  ['a keyId of spaces only', { keyId: ' \t ' }, 'keyId is required: a KMS key id, key ARN, alias name (alias/...) or alias ARN'],
  ['algorithm RS1', { algorithm: 'RS1' }, `algorithm must be one of ${ALGORITHMS} (the JWS algorithms KMS keys make)`],
  ['a client that is null', { client: null }, 'client must be a KMSClient from @aws-sdk/client-kms'],
  ['a client that is a function', { client: () => undefined }, 'client must be a KMSClient from @aws-sdk/client-kms'],
  ['a client whose send is not a function', { client: { send: 'x' } }, 'client must be a KMSClient from @aws-sdk/client-kms'],
  ['a client that is a function with a send function', { client: Object.assign(() => undefined, { send: () => undefined }) }, 'client must be a KMSClient from @aws-sdk/client-kms'],
  ['a trustedEndpoint that is a number', { trustedEndpoint: 443 }, "trustedEndpoint must be the http:// or https:// URL of a KMS endpoint you trust, such as 'https://kms-proxy.internal'"],
  [
    'a trustedEndpoint that only turns into a URL as a string',
    { trustedEndpoint: { toString: () => 'https://kms-proxy.internal' } },
    "trustedEndpoint must be the http:// or https:// URL of a KMS endpoint you trust, such as 'https://kms-proxy.internal'",
  ],
  ['maxConcurrency -1', { maxConcurrency: -1 }, 'maxConcurrency must be a whole number >= 1, or Infinity'],
  ['maxConcurrency -Infinity', { maxConcurrency: Number.NEGATIVE_INFINITY }, 'maxConcurrency must be a whole number >= 1, or Infinity'],
  ['maxRatePerSecond as a string', { maxRatePerSecond: '10' }, 'maxRatePerSecond must be a number > 0 and <= 100000'],
  ['maxRatePerSecond -1', { maxRatePerSecond: -1 }, 'maxRatePerSecond must be a number > 0 and <= 100000'],
  ['maxRatePerSecond just over 100000', { maxRatePerSecond: 100_000.5 }, 'maxRatePerSecond must be a number > 0 and <= 100000'],
  ['selfVerify 1', { selfVerify: 1 }, 'selfVerify must be true or false'],
  ['aliasCacheMaxAgeMs Infinity', { aliasCacheMaxAgeMs: Number.POSITIVE_INFINITY }, 'aliasCacheMaxAgeMs must be a finite number of milliseconds >= 0'],
  ['aliasCacheMaxAgeMs as a string', { aliasCacheMaxAgeMs: '1000' }, 'aliasCacheMaxAgeMs must be a finite number of milliseconds >= 0'],
  ['aliasCacheMaxAgeMs NaN', { aliasCacheMaxAgeMs: Number.NaN }, 'aliasCacheMaxAgeMs must be a finite number of milliseconds >= 0'],
  ['aliasCacheMaxAgeMs -1', { aliasCacheMaxAgeMs: -1 }, 'aliasCacheMaxAgeMs must be a finite number of milliseconds >= 0'],
  ['nowMs as a number', { nowMs: 1 }, 'nowMs must be a function returning epoch milliseconds'],
  ['telemetry that is null', { telemetry: null }, 'telemetry must be an object, such as createKmsJwtTelemetry().signer from kms-jwt-opentelemetry'],
  ['telemetry that is a string', { telemetry: 'otel' }, 'telemetry must be an object, such as createKmsJwtTelemetry().signer from kms-jwt-opentelemetry'],
  ['telemetry.traceKmsCall that is not a function', { telemetry: { traceKmsCall: {} } }, 'telemetry.traceKmsCall must be a function'],
  ['telemetry.traceSign that is not a function', { telemetry: { traceSign: true } }, 'telemetry.traceSign must be a function'],
  ['telemetry.onLimiterWait that is not a function', { telemetry: { onLimiterWait: 'log' } }, 'telemetry.onLimiterWait must be a function'],
];

/** Mistakes only the token signer can make. */
const tokenOnly: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
  ['no options', { keyId: undefined, expiresInSeconds: undefined, client: undefined }, 'keyId is required: a KMS key id, key ARN, alias name (alias/...) or alias ARN'],
  ['a keyId of spaces only, before a missing expiresInSeconds', { keyId: ' ', expiresInSeconds: undefined }, 'keyId is required: a KMS key id, key ARN, alias name (alias/...) or alias ARN'],
  ['expiresInSeconds undefined', { expiresInSeconds: undefined }, 'expiresInSeconds is required: the lifetime of each token in seconds, or null to issue tokens without exp (not recommended)'],
  ['expiresInSeconds Infinity', { expiresInSeconds: Number.POSITIVE_INFINITY }, 'expiresInSeconds must be a whole number of seconds >= 1, or null'],
  ['notBeforeSeconds as a string', { notBeforeSeconds: '10' }, 'notBeforeSeconds must be a whole number of seconds'],
  ['an issuer that is a number', { issuer: 1 }, 'issuer must be a non-empty string'],
  ['an audience that is an empty string', { audience: '' }, 'audience must be a non-empty string or a non-empty array of them'],
  ['typ as a number', { typ: 1 }, "typ must be a non-empty string (such as 'JWT' or 'at+jwt') or null"],
  ['typ of the signed messages', { typ: 'application/KMS-JWT-MESSAGE+JWS' }, "typ kms-jwt-message+jws is the signed messages' own: sign messages with createKmsMessageSigner"],
  ['typ of the signed messages without application/', { typ: 'kms-jwt-message+jws' }, "typ kms-jwt-message+jws is the signed messages' own: sign messages with createKmsMessageSigner"],
  ['header.typ', { header: { typ: 'JWT' } }, 'header: typ cannot be given: typ is set by the typ option'],
  ['a header holding a BigInt', { header: { n: 1n } }, 'header: extra header parameters must be JSON-serializable'],
  ['jwtId true', { jwtId: true }, 'jwtId must be a function returning a string, or false'],
];

/** Mistakes only the message signer can make. */
const messageOnly: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
  ['expiresInSeconds 1.5', { expiresInSeconds: 1.5 }, 'expiresInSeconds must be a whole number of seconds >= 1, or null'],
  ['generateMessageId as a string', { generateMessageId: 'id' }, 'generateMessageId must be a function returning a non-empty string'],
  ['header.cty', { header: { cty: 'json' } }, 'header: cty cannot be given: cty is set from the content type'],
  ['header.x5c', { header: { x5c: [] } }, 'header: x5c cannot be given: verifiers take keys from their trusted key source only, never from the message'],
  ['a header that is an array', { header: [] }, 'header: extra header parameters must be a plain object'],
  ['maxPayloadBytes 1.5', { maxPayloadBytes: 1.5 }, 'maxPayloadBytes must be a whole number of bytes >= 1'],
];

describe('kms-jwt-signer options: each configuration error names the option and what it must be', () => {
  it.each(common)('createKmsJwtSigner refuses %s', (_name, options, text) => {
    const error = expectSignerThrow(() => createKmsJwtSigner({ ...token, ...options } as KmsJwtSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
    expect(error.message).toBe(`kms-jwt-signer: ${text}`);
    expect(error.name).toBe('SignerConfigError');
    expect(error.keyId).toBeUndefined();
  });

  it.each(common)('createKmsMessageSigner refuses %s', (_name, options, text) => {
    const error = expectSignerThrow(() => createKmsMessageSigner({ ...message, ...options } as KmsMessageSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
    expect(error.message).toBe(`kms-jwt-signer: ${text}`);
  });

  it.each(tokenOnly)('createKmsJwtSigner refuses %s', (_name, options, text) => {
    const error = expectSignerThrow(() => createKmsJwtSigner({ ...token, ...options } as KmsJwtSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
    expect(error.message).toBe(`kms-jwt-signer: ${text}`);
  });

  it.each(messageOnly)('createKmsMessageSigner refuses %s', (_name, options, text) => {
    const error = expectSignerThrow(() => createKmsMessageSigner({ ...message, ...options } as KmsMessageSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
    expect(error.message).toBe(`kms-jwt-signer: ${text}`);
  });

  it('names each signer in the error for options that are not an object', () => {
    expect(expectSignerThrow(() => createKmsJwtSigner([] as unknown as KmsJwtSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID').message).toBe(
      'kms-jwt-signer: createKmsJwtSigner needs an options object like { keyId, expiresInSeconds }',
    );
    expect(expectSignerThrow(() => createKmsMessageSigner(null as unknown as KmsMessageSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID').message).toBe(
      'kms-jwt-signer: createKmsMessageSigner needs an options object like { keyId }',
    );
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'alias/issuer'],
    ['a function', () => token],
  ])('refuses options that are %s with a SignerConfigError, not a crash', (_name, options) => {
    expectSignerThrow(() => createKmsJwtSigner(options as unknown as KmsJwtSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
    expectSignerThrow(() => createKmsMessageSigner(options as unknown as KmsMessageSignerOptions), SignerConfigError, 'ERR_CONFIG_INVALID');
  });

  it.each([
    ['Infinity maxConcurrency', { maxConcurrency: Number.POSITIVE_INFINITY }],
    ['maxRatePerSecond 100000', { maxRatePerSecond: 100_000 }],
    ['a fractional maxRatePerSecond', { maxRatePerSecond: 0.5 }],
    ['aliasCacheMaxAgeMs 0', { aliasCacheMaxAgeMs: 0 }],
    ['a negative notBeforeSeconds', { notBeforeSeconds: -30 }],
    ['notBeforeSeconds 0', { notBeforeSeconds: 0 }],
    ['expiresInSeconds null', { expiresInSeconds: null }],
    ['expiresInSeconds 1', { expiresInSeconds: 1 }],
    ['typ null', { typ: null }],
    ['an empty telemetry object', { telemetry: {} }],
    ['telemetry with every member a function', { telemetry: { traceKmsCall: () => undefined, traceSign: () => undefined, onLimiterWait: () => undefined } }],
    ['a trustedEndpoint', { trustedEndpoint: 'https://kms-proxy.internal' }],
    ['an audience list', { audience: ['a', 'b'] }],
    ['selfVerify true', { selfVerify: true }],
  ])('accepts %s', (_name, options) => {
    expect(() => createKmsJwtSigner({ ...token, ...options } as KmsJwtSignerOptions)).not.toThrow();
  });
});
