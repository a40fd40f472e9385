import type { JwksKeyProviderHooks, KeyProviderHooks, KeyUntrustedReason } from 'kms-pubkey-provider';

/** A key the provider stopped trusting (or KMS refused on its first fetch), as the page shows it. */
export interface UntrustedKey {
  readonly keyArn: string;
  readonly reason: KeyUntrustedReason;
  readonly message: string;
  readonly atMs: number;
}

/** An alias that moved while the console ran. */
export interface ObservedRotation {
  readonly alias: string;
  readonly previousKeyArn: string;
  readonly keyArn: string | null;
  readonly graceUntilMs: number;
  readonly atMs: number;
}

/** A KMS call (or a fetch of the --jwks-url: operation `JwksFetch`) that failed for a reason that may pass. */
export interface FetchFailure {
  readonly key: string;
  readonly operation: string;
  readonly errorName: string;
  readonly atMs: number;
}

/** How many rotations and failures are kept (the newest). */
const KEPT = 20;

function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > KEPT) list.shift();
}

/**
 * What the provider's hooks told while the console ran: when each key was last confirmed by KMS,
 * which keys stopped being trusted and why, the rotations seen and the failed KMS calls. The hooks
 * carry no token and no key material; neither does this.
 */
export class TrustRecorder {
  readonly #confirmedAt = new Map<string, number>();
  readonly #untrusted = new Map<string, UntrustedKey>();
  readonly #rotations: ObservedRotation[] = [];
  readonly #failures: FetchFailure[] = [];
  readonly #nowMs: () => number;

  constructor(nowMs: () => number = Date.now) {
    this.#nowMs = nowMs;
  }

  /** The hooks to give the provider. */
  hooks(): KeyProviderHooks {
    return {
      onKeyFetched: (event) => {
        this.#confirmedAt.set(event.keyArn, this.#nowMs());
        this.#untrusted.delete(event.keyArn);
      },
      onKeyUntrusted: (event) => {
        this.#untrusted.set(event.keyArn, { keyArn: event.keyArn, reason: event.reason, message: event.message, atMs: this.#nowMs() });
      },
      onRotation: (event) => {
        keep(this.#rotations, { alias: event.alias, previousKeyArn: event.previousKeyArn, keyArn: event.keyArn ?? null, graceUntilMs: event.graceUntilMs, atMs: this.#nowMs() });
      },
      onKeyFetchFailed: (event) => {
        keep(this.#failures, { key: event.key, operation: event.operation, errorName: event.errorName, atMs: this.#nowMs() });
      },
    };
  }

  /** The hooks to give a remote JWKS provider (--jwks-url): keys it stopped trusting, failed fetches. */
  jwksHooks(): JwksKeyProviderHooks {
    return {
      onKeyUntrusted: (event) => {
        this.#untrusted.set(event.keyArn, { keyArn: event.keyArn, reason: event.reason, message: event.message, atMs: this.#nowMs() });
      },
      onJwksFetched: (event) => {
        for (const keyArn of event.keyArns) this.#untrusted.delete(keyArn);
      },
      onJwksFetchFailed: (event) => {
        keep(this.#failures, { key: event.url, operation: 'JwksFetch', errorName: event.httpStatus === undefined ? event.reason : `${event.reason} ${event.httpStatus}`, atMs: this.#nowMs() });
      },
    };
  }

  /** When KMS last confirmed the key (epoch ms), or `undefined`. */
  confirmedAt(keyArn: string): number | undefined {
    return this.#confirmedAt.get(keyArn);
  }

  untrusted(): readonly UntrustedKey[] {
    return [...this.#untrusted.values()];
  }

  rotations(): readonly ObservedRotation[] {
    return [...this.#rotations];
  }

  failures(): readonly FetchFailure[] {
    return [...this.#failures];
  }
}
