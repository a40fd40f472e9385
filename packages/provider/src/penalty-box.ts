/** A failed call: when, and what it failed with. */
export interface Failure {
  /** When it failed (epoch ms). */
  readonly at: number;
  readonly error: Error;
}

/**
 * The penalty box (aws-jwt-verify's SimplePenaltyBox): the last failure per key or alias, which
 * keeps it from being asked again for `cooldownMs` unless a caller forces it. Any answer releases it.
 */
export class PenaltyBox {
  readonly #failures = new Map<string, Failure>();
  readonly #cooldownMs: number;
  readonly #nowMs: () => number;
  readonly #onFail: (() => void) | undefined;

  /** `onFail` is told of every failure recorded (telemetry's penalty-box entries). */
  constructor(cooldownMs: number, nowMs: () => number, onFail?: () => void) {
    this.#cooldownMs = cooldownMs;
    this.#nowMs = nowMs;
    this.#onFail = onFail;
  }

  /** Records that the call about `name` failed now. */
  fail(name: string, error: Error): void {
    this.#failures.set(name, { at: this.#nowMs(), error });
    this.#onFail?.();
  }

  /** Forgets the failure of `name`: the source answered (or `name` is no longer of interest). */
  release(name: string): void {
    this.#failures.delete(name);
  }

  /** The last failure of `name`, until an answer releases it (even after its cooldown). */
  failure(name: string): Failure | undefined {
    return this.#failures.get(name);
  }

  /** Whether `name` failed less than `cooldownMs` ago, so it must not be asked again yet. */
  isBoxed(name: string): boolean {
    const failure = this.#failures.get(name);
    return failure !== undefined && this.#nowMs() < failure.at + this.#cooldownMs;
  }

  /** When (epoch ms) the cooldown of `name` ends; `undefined` when it has no failure. */
  releaseAt(name: string): number | undefined {
    const failure = this.#failures.get(name);
    return failure === undefined ? undefined : failure.at + this.#cooldownMs;
  }
}
