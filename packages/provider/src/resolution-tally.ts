import type { TrustedKey } from 'kms-jwt-verifier';
import type { KeyProviderTallies, KeyResolutionOutcome, KeyResolutionSource } from './telemetry.js';

type Counts = Record<KeyResolutionOutcome, number>;

const counts = (): Counts => ({ found: 0, 'not-found': 0, unavailable: 0 });

/** The tallies of one provider, kept only when it has telemetry: a few integer increments per `resolve`, no allocation on a synchronous answer. */
export class ResolutionTally implements KeyProviderTallies {
  readonly resolutions: Record<KeyResolutionSource, Counts> = { cache: counts(), kms: counts(), snapshot: counts(), jwks: counts(), offline: counts() };
  staleServed = 0;
  readonly trustedKeys: () => number;
  /** Where a fetch's answer comes from (`kms` or `jwks`): every promise and every throw of `resolve` is one. */
  readonly #fetchSource: 'kms' | 'jwks';

  constructor(fetchSource: 'kms' | 'jwks', trustedKeys: () => number) {
    this.#fetchSource = fetchSource;
    this.trustedKeys = trustedKeys;
  }

  /** Counts what `resolve` answered; `source` is where a synchronous answer came from. Returns the answer (a promise counted when it settles). */
  record(source: KeyResolutionSource, answer: TrustedKey | undefined | Promise<TrustedKey | undefined>): TrustedKey | undefined | Promise<TrustedKey | undefined> {
    if (!(answer instanceof Promise)) {
      this.resolutions[source][answer === undefined ? 'not-found' : 'found'] += 1;
      return answer;
    }
    const fetched = this.resolutions[this.#fetchSource];
    return answer.then(
      (key) => {
        fetched[key === undefined ? 'not-found' : 'found'] += 1;
        return key;
      },
      (error: unknown) => {
        fetched.unavailable += 1;
        throw error;
      },
    );
  }

  /** Counts a `resolve` that threw (nothing usable at hand and no fetch possible now). */
  unavailable(): void {
    this.resolutions[this.#fetchSource].unavailable += 1;
  }
}
