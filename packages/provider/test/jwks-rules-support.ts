import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import { createJwksKeyProvider, type JwksKeyProvider, type JwksKeyProviderOptions, type ProviderTimers } from '../src/index.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { recordJwksEvents, startJwksServer, type JwksMode, type JwksServer } from './jwks-support.js';

// Shared setup of the JWKS *-rules tests that need no KMS: public keys generated here, published
// under key ARNs of one account and Region, and a provider on a clock that only the test moves.

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const TRUST = [{ accountId: ACCOUNT, region: REGION }] as const;

/** A fresh key ARN of the trusted account and Region. */
export const keyArn = (): string => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${randomUUID()}`;

/** A generated EC public key as a JWK under `kid` (P-256 unless told). */
export function publicJwk(kid: string, namedCurve = 'P-256'): JsonWebKey {
  return { ...generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' }), kid };
}

/** Timers that never fire: nothing runs in the background unless `resolve` or `ready()` starts it. */
export const inertTimers: ProviderTimers = { setTimeout: () => 0, clearTimeout: () => undefined };

export interface JwksRig {
  readonly provider: JwksKeyProvider;
  readonly events: ReturnType<typeof recordJwksEvents>;
  readonly nowMs: () => number;
  advance(ms: number): void;
  /** Publishes exactly these JWKs. */
  publish(...keys: JsonWebKey[]): void;
  /** Fetches of the JWKS that settled so far (answered or failed), by the provider's own events. */
  fetches(): number;
}

/** A provider over `server` (published keys only, trust = the test account and Region), inert timers unless given. */
export function jwksRig(server: JwksServer, options: Partial<JwksKeyProviderOptions> = {}): JwksRig {
  let now = Date.now();
  const events = recordJwksEvents();
  const publish = (...keys: JsonWebKey[]): void => server.publish({ exportJwks: () => ({ keys }) });
  const provider = createJwksKeyProvider({ url: server.url, trust: TRUST, nowMs: () => now, timers: inertTimers, ...events.hooks, ...options });
  return {
    provider,
    events,
    nowMs: () => now,
    advance: (ms) => {
      now += ms;
    },
    publish,
    fetches: () => events.count('fetched') + events.count('fetchFailed'),
  };
}

/** A JWKS server for the file's tests: started once, listening, in `mode` and with counts reset before each test. */
export function useJwksServer(options: { cacheMaxAgeSeconds?: number; mode?: JwksMode } = {}): () => JwksServer {
  let server: JwksServer | undefined;
  beforeAll(async () => {
    server = await startJwksServer({ cacheMaxAgeSeconds: options.cacheMaxAgeSeconds ?? 300 });
  });
  afterAll(() => server?.close());
  beforeEach(async () => {
    const started = server as JwksServer;
    await started.start();
    started.mode = options.mode ?? { kind: 'jwks' };
    started.resetCounts();
  });
  return () => server as JwksServer;
}
