import type { JsonWebKeySet, KeyResolver, TrustedKey } from 'kms-jwt-verifier';
import { HookEmitter } from './hook-emitter.js';
import { JwksHookEmitter } from './jwks-events.js';
import { JwksKeyResolver } from './jwks-key-resolver.js';
import { toJwksSettings, type JwksKeyProviderOptions } from './jwks-options.js';
import { checkJwksReady } from './jwks-ready-check.js';
import { toJwk } from './jwks.js';
import { PenaltyBox } from './penalty-box.js';
import { RemoteJwks } from './remote-jwks.js';
import { ResolutionTally } from './resolution-tally.js';
import { notify, registerTallies } from './telemetry.js';
import { Scheduler } from './scheduler.js';
import { TrustSet } from './trust-set.js';

/** A `KeyResolver` over the KMS keys a remote JWKS publishes, for `createVerifier({ keys: provider })`. */
export interface JwksKeyProvider extends KeyResolver {
  /**
   * The trusted key `kid` names, a key ARN the JWKS lists (or listed, within `retiredKeyGraceMs`):
   * synchronously from the document at hand (fresh, or stale within `maxStaleMs` while a fetch runs),
   * a promise only on a cold start or when an allowed key ARN is not listed yet (one fetch per
   * `unknownKidCooldownMs` at most), and `undefined` synchronously, without any fetch, for a kid that
   * `keyArns` and `trust` do not allow. The same `TrustedKey` object is returned for as long as the
   * key stays listed and unchanged. Throws (or rejects with) `KeySourceUnavailableError` when the JWKS
   * cannot be fetched and nothing usable is at hand.
   */
  resolve(kid: string): TrustedKey | undefined | Promise<TrustedKey | undefined>;
  /**
   * Fetches the JWKS now (unless its last answer is still fresh); rejects with `JwksInvalidError`
   * (ERR_JWKS_INVALID) for a document that cannot be used, `KeySourceUnavailableError`
   * (ERR_KEY_SOURCE_UNAVAILABLE) for no answer or an HTTP error, and `KeyProviderConfigError`
   * (ERR_CONFIG_INVALID) when it lists no key that `keyArns` and `trust` allow, or when `close()`
   * interrupted it.
   */
  ready(): Promise<void>;
  /** The same as {@link JwksKeyProvider.ready}. */
  hydrate(): Promise<void>;
  /** The trusted keys at hand (listed, or within grace) as a JWKS: `kid` = key ARN, `use: 'sig'`, `alg`. */
  exportJwks(): JsonWebKeySet;
  /** Stops background fetches (aborting one in flight); keys at hand keep being answered until `maxStaleMs` past their freshness. */
  close(): void;
}

/**
 * Creates a key provider over a remote JWKS (an issuer's `jwksHandler`, `kms-jwt jwks --out` behind
 * a web server), for verifiers without AWS access. A key is trusted only when its kid is a KMS key
 * ARN that `keyArns` or `trust` allows: the JWKS can withhold keys but never widen trust. Nothing is
 * fetched here: call `ready()` at boot, or let the first `resolve` fetch. Every configuration mistake
 * throws a `KeyProviderConfigError` (ERR_CONFIG_INVALID) here.
 */
export function createJwksKeyProvider(options: JwksKeyProviderOptions): JwksKeyProvider {
  const settings = toJwksSettings(options);
  const { nowMs, url, allowlist } = settings;
  const { telemetry } = settings;
  const scheduler = new Scheduler(settings.timers, nowMs);
  const onPenaltyBox = telemetry?.onPenaltyBox;
  const trust: TrustSet = new TrustSet({
    retiredKeyGraceMs: settings.retiredKeyGraceMs,
    events: new HookEmitter({ onKeyFetched: undefined, onKeyFetchFailed: undefined, onRotation: undefined, onKeyMismatch: undefined, onKeyUntrusted: settings.hooks.onKeyUntrusted }, telemetry),
    onDropped: (record) => jwks.forget(record.keyId),
  });
  const jwks: RemoteJwks = new RemoteJwks({
    url,
    allowlist,
    algorithms: settings.algorithms,
    trust,
    penaltyBox: new PenaltyBox(settings.failureCooldownMs, nowMs, onPenaltyBox === undefined ? undefined : () => notify(onPenaltyBox, { operation: 'JwksFetch' })),
    events: new JwksHookEmitter(settings.hooks),
    nowMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    maxKeys: settings.maxKeys,
    cacheMaxAgeMs: settings.cacheMaxAgeMs,
    freshness: { minMs: settings.minCacheMaxAgeMs, maxMs: settings.maxCacheMaxAgeMs },
    maxStaleMs: settings.maxStaleMs,
    unknownKidCooldownMs: settings.unknownKidCooldownMs,
    onSettled: () => scheduler.reschedule(),
  });
  const trustedKeys = (): TrustedKey[] => {
    const now = nowMs();
    const keys: TrustedKey[] = [];
    for (const record of trust.values()) {
      const entry = jwks.entry(record.keyId);
      if (entry !== undefined && trust.isTrusted(record, now) && jwks.isUsable(now)) keys.push(entry.key);
    }
    return keys;
  };
  const tally = telemetry?.register === undefined ? undefined : new ResolutionTally('jwks', () => trustedKeys().length);
  const unregister = tally === undefined ? undefined : registerTallies(telemetry, tally);
  const resolver = new JwksKeyResolver({ trust, jwks, allowlist, shownUrl: url.shown, nowMs, tally });
  scheduler.add({ nextDueAt: () => trust.nextGraceEnd(), runDue: (now) => trust.pruneAll(now) });
  scheduler.add(jwks);
  const ready = (): Promise<void> => checkJwksReady(jwks, url.shown, nowMs);
  return {
    resolve: (kid) => resolver.resolve(kid),
    ready,
    hydrate: ready,
    exportJwks: () => ({ keys: trustedKeys().map(toJwk) }),
    close() {
      scheduler.close();
      jwks.close();
      unregister?.();
    },
  };
}
