import {
  CreateAliasCommand,
  CreateKeyCommand,
  KMSClient,
  SignCommand,
  type KeySpec,
  type KeyUsageType,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { derToJose, type JwsAlgorithm } from 'kms-jwt-verifier';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { createKmsKeyProvider } from '../src/index.js';
import type { KeyFetchedEvent, KeyFetchFailedEvent, KeyMismatchEvent, KeyProviderHooks, KeyUntrustedEvent, KmsKeyProviderOptions, KmsKeySnapshot, ProviderTimers, RotationEvent } from '../src/index.js';

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'orders-api';

/** A clock and timers that only move when the test says so; due timers fire in order. */
export interface ManualTime {
  readonly nowMs: () => number;
  readonly timers: ProviderTimers;
  /** Moves the clock forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void;
  /** Timers armed and not yet fired. */
  pending(): number;
}

export function manualTime(start = Date.now()): ManualTime {
  let now = start;
  let sequence = 0;
  const armed = new Map<number, { at: number; callback: () => void }>();
  return {
    nowMs: () => now,
    timers: {
      setTimeout(callback, delayMs) {
        sequence += 1;
        armed.set(sequence, { at: now + delayMs, callback });
        return sequence;
      },
      clearTimeout(handle) {
        armed.delete(handle as number);
      },
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next: [number, { at: number; callback: () => void }] | undefined;
        for (const timer of armed) if (timer[1].at <= end && (next === undefined || timer[1].at < next[1].at)) next = timer;
        if (next === undefined) break;
        armed.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].callback();
      }
      now = end;
    },
    pending: () => armed.size,
  };
}

/** kms-local on a free loopback port and an SDK client for the test's own KMS calls (creating keys, signing). */
export interface KmsFixture {
  readonly kms: KmsLocal;
  /** For the test's own calls: its calls are counted by kms-local too, so reset counts before measuring. */
  readonly admin: KMSClient;
  /** A client for providers: one attempt per call (the provider's penalty box does the retrying). */
  readonly client: KMSClient;
}

/** Starts kms-local in beforeAll and closes it in afterAll; read the fixture inside tests. */
export function useKms(): () => KmsFixture {
  let fixture: KmsFixture | undefined;
  beforeAll(async () => {
    const kms = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined });
    fixture = { kms, admin: new KMSClient(kms.clientConfig), client: new KMSClient({ ...kms.clientConfig, maxAttempts: 1 }) };
  });
  afterAll(async () => {
    fixture?.admin.destroy();
    fixture?.client.destroy();
    await fixture?.kms.close();
  });
  return () => {
    if (!fixture) throw new Error('useKms(): the fixture is read before beforeAll ran');
    return fixture;
  };
}

/** Creates a key in kms-local and returns its ARN (and id). */
export async function createKey(client: KMSClient, keySpec: KeySpec = 'ECC_NIST_P256', keyUsage: KeyUsageType = 'SIGN_VERIFY'): Promise<{ arn: string; keyId: string }> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: keyUsage }));
  if (!KeyMetadata?.Arn || !KeyMetadata.KeyId) throw new Error('CreateKey answered without Arn');
  return { arn: KeyMetadata.Arn, keyId: KeyMetadata.KeyId };
}

/** The snapshot of a provider with `options` once ready() fetched its keys; the provider is closed. */
export async function takeSnapshot(options: KmsKeyProviderOptions): Promise<KmsKeySnapshot> {
  const provider = createKmsKeyProvider(options);
  try {
    await provider.ready();
    return provider.exportSnapshot();
  } finally {
    provider.close();
  }
}

let aliasSequence = 0;

/** Creates a fresh alias pointing to `keyId`; returns its name. */
export async function createAlias(client: KMSClient, keyId: string): Promise<string> {
  aliasSequence += 1;
  const name = `alias/provider-test-${process.pid}-${aliasSequence}`;
  await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId }));
  return name;
}

const SIGNING: Readonly<Partial<Record<JwsAlgorithm, { kms: SigningAlgorithmSpec; size?: number }>>> = {
  ES256: { kms: 'ECDSA_SHA_256', size: 32 },
  ES256K: { kms: 'ECDSA_SHA_256', size: 32 },
  ES384: { kms: 'ECDSA_SHA_384', size: 48 },
  ES512: { kms: 'ECDSA_SHA_512', size: 66 },
  RS256: { kms: 'RSASSA_PKCS1_V1_5_SHA_256' },
  PS256: { kms: 'RSASSA_PSS_SHA_256' },
  EdDSA: { kms: 'ED25519_SHA_512' },
};

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface SignOptions {
  /** What Sign is called with: a key ARN, key id or alias. */
  readonly keyId: string;
  /** The header kid: the key ARN that KMS must report having signed with. */
  readonly kid: string;
  readonly alg?: JwsAlgorithm;
  /** Issue time, epoch ms. */
  readonly nowMs: number;
  /** Token lifetime. Default: 1 hour. */
  readonly lifetimeMs?: number;
  readonly claims?: Record<string, unknown>;
  /** Sign with `keyId` whatever `kid` says (a forged token). Default: `false`, the signer must be `kid`. */
  readonly forge?: boolean;
}

/** Signs a JWT through KMS Sign (as kms-jwt-signer does): DER → R‖S for ECDSA, kid = the key ARN. */
export async function signToken(client: KMSClient, options: SignOptions): Promise<string> {
  const alg = options.alg ?? 'ES256';
  const signing = SIGNING[alg];
  if (!signing) throw new Error(`signToken: no KMS algorithm for ${alg}`);
  const iat = Math.floor(options.nowMs / 1000);
  const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'user-42', iat, exp: iat + Math.floor((options.lifetimeMs ?? 3_600_000) / 1000), ...options.claims };
  const input = `${encode({ alg, typ: 'JWT', kid: options.kid })}.${encode(payload)}`;
  const { Signature, KeyId } = await client.send(
    new SignCommand({ KeyId: options.keyId, Message: Buffer.from(input), MessageType: 'RAW', SigningAlgorithm: signing.kms }),
  );
  if (!Signature) throw new Error('Sign answered without a signature');
  const signer = options.kid.startsWith('arn:') ? KeyId === options.kid : KeyId?.endsWith(`/${options.kid}`) === true;
  if (!signer && options.forge !== true) throw new Error(`signed with ${KeyId}, not ${options.kid}`);
  const signature = signing.size === undefined ? Buffer.from(Signature) : derToJose(Buffer.from(Signature), signing.size);
  if (!signature) throw new Error('KMS returned a signature that is not strict DER');
  return `${input}.${signature.toString('base64url')}`;
}

export type ProviderEvent =
  | ({ readonly type: 'keyFetched' } & KeyFetchedEvent)
  | ({ readonly type: 'keyFetchFailed' } & KeyFetchFailedEvent)
  | ({ readonly type: 'rotation' } & RotationEvent)
  | ({ readonly type: 'keyUntrusted' } & KeyUntrustedEvent)
  | ({ readonly type: 'keyMismatch' } & KeyMismatchEvent);

/** Records every hook call, for assertions and for waiting on background refreshes. */
export function recordEvents(): { readonly log: ProviderEvent[]; readonly hooks: Required<KeyProviderHooks>; until(predicate: (event: ProviderEvent) => boolean): Promise<ProviderEvent> } {
  const log: ProviderEvent[] = [];
  return {
    log,
    hooks: {
      onKeyFetched: (event) => log.push({ type: 'keyFetched', ...event }),
      onKeyFetchFailed: (event) => log.push({ type: 'keyFetchFailed', ...event }),
      onRotation: (event) => log.push({ type: 'rotation', ...event }),
      onKeyUntrusted: (event) => log.push({ type: 'keyUntrusted', ...event }),
      onKeyMismatch: (event) => log.push({ type: 'keyMismatch', ...event }),
    },
    /** Waits (polling, real time) for a recorded event that matches, and returns it. */
    until: (predicate) =>
      vi.waitFor(
        () => {
          const found = log.find(predicate);
          expect(found, 'the expected provider event').toBeDefined();
          return found as ProviderEvent;
        },
        { timeout: 5_000, interval: 5 },
      ),
  };
}

/** Resolves to the error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Whether a value is a promise (the resolver answered asynchronously). */
export function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
