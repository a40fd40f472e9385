import { KeySourceUnavailableError, type TrustedKey } from 'kms-jwt-verifier';
import type { JwksAllowlist } from './jwks-allowlist.js';
import type { RemoteJwks } from './remote-jwks.js';
import type { ResolutionTally } from './resolution-tally.js';
import type { TrustSet } from './trust-set.js';

type Resolved = TrustedKey | undefined | Promise<TrustedKey | undefined>;

export interface JwksKeyResolverOptions {
  readonly trust: TrustSet;
  readonly jwks: RemoteJwks;
  readonly allowlist: JwksAllowlist;
  readonly shownUrl: string;
  readonly nowMs: () => number;
  /** Telemetry's tallies, when it asked for them. */
  readonly tally: ResolutionTally | undefined;
}

/**
 * `resolve(kid)` over a remote JWKS: a key ARN the JWKS lists (or listed, within grace) answered
 * synchronously from the document at hand; an allowed key ARN it does not list fetches the JWKS again
 * at most once per `unknownKidCooldownMs`; any other kid is `undefined` at once, without any fetch.
 */
export class JwksKeyResolver {
  readonly #options: JwksKeyResolverOptions;

  constructor(options: JwksKeyResolverOptions) {
    this.#options = options;
  }

  resolve(kid: string): Resolved {
    const { tally } = this.#options;
    if (tally === undefined) return this.#resolve(kid);
    let answer: Resolved;
    try {
      answer = this.#resolve(kid);
    } catch (error) {
      tally.unavailable();
      throw error;
    }
    return tally.record('cache', answer);
  }

  #resolve(kid: string): Resolved {
    if (typeof kid !== 'string') return undefined;
    const { trust, nowMs } = this.#options;
    const now = nowMs();
    // Members are keyed by key ARN: a bare key id finds nothing.
    const record = trust.find(kid);
    if (record !== undefined) {
      if (trust.isTrusted(record, now)) return this.#answer(kid, now);
      trust.prune(record, now);
    }
    return this.#unknownKid(kid, now);
  }

  #answer(arn: string, now: number): Resolved {
    const { jwks } = this.#options;
    const entry = jwks.entry(arn);
    if (entry !== undefined && jwks.isUsable(now)) {
      if (!jwks.isFresh(now)) {
        void jwks.refresh(false);
        const { tally } = this.#options;
        if (tally !== undefined && jwks.failure() !== undefined) tally.staleServed += 1;
      }
      return entry.key;
    }
    // Stale past maxStaleMs: nothing usable until the JWKS answers.
    const run = jwks.refresh(false);
    if (run === undefined) throw this.#unavailable();
    return run.then(() => this.#settled(arn));
  }

  #unknownKid(kid: string, now: number): Resolved {
    const { jwks, allowlist } = this.#options;
    // A kid the JWKS may never make trusted costs nothing: no fetch, whatever the JWKS holds.
    if (!allowlist.allows(kid)) return undefined;
    if (!jwks.isUsable(now)) {
      // Cold, or stale past maxStaleMs: whether the JWKS lists the kid is not known until it answers
      // (one fetch per failureCooldownMs at most while it fails).
      const run = jwks.refresh(false);
      if (run === undefined) throw this.#unavailable();
      return run.then(() => this.#settled(kid));
    }
    // The JWKS at hand does not list it: a key may just have been added.
    const run = jwks.refreshForUnknownKid();
    return run === undefined ? undefined : run.then(() => this.#settled(kid));
  }

  /** What `resolve` answers once a fetch settled. */
  #settled(kid: string): TrustedKey | undefined {
    const { trust, jwks, nowMs } = this.#options;
    const now = nowMs();
    const record = trust.find(kid);
    if (record === undefined || !trust.isTrusted(record, now)) {
      if (jwks.isUsable(now)) return undefined;
      throw this.#unavailable();
    }
    const entry = jwks.entry(kid);
    if (entry !== undefined && jwks.isUsable(now)) return entry.key;
    throw this.#unavailable();
  }

  #unavailable(): KeySourceUnavailableError {
    const { jwks, shownUrl } = this.#options;
    const failure = jwks.failure();
    if (failure === undefined && !jwks.closed && jwks.hasDocument()) {
      // The JWKS answered (nothing failed since), but its document is past its freshness + maxStaleMs by the injected clock (nowMs jumped).
      return new KeySourceUnavailableError(
        `kms-pubkey-provider: the JWKS fetched from ${shownUrl} is too old to use (older than its cache lifetime + maxStaleMs by nowMs, and no newer one has been fetched since); retry later`,
      );
    }
    const why = jwks.closed ? 'the provider is closed' : failure ? failure.error.message.replace(/^kms-pubkey-provider: /, '') : 'no answer yet';
    return new KeySourceUnavailableError(`kms-pubkey-provider: cannot fetch the JWKS at ${shownUrl} and no usable key is cached (${why}); retry later`, failure ? { cause: failure.error } : undefined);
  }
}
