import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AliasAnswer, AliasSource, KeyAddress, KeyAnswer, KeySource, RefusalReason, SourcedKey } from '../src/key-source.js';
import { checkPublicKey } from '../src/public-key.js';

export const ACCOUNT_ARN = 'arn:aws:kms:us-east-1:111122223333';

/** A fresh key id and ARN (no key material). */
export function newKeyRef(): { keyId: string; arn: string } {
  const keyId = randomUUID();
  return { keyId, arn: `${ACCOUNT_ARN}:key/${keyId}` };
}

/** A P-256 public key for `arn`, checked as a GetPublicKey answer would be. */
export function sourcedKey(arn: string): SourcedKey {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const checked = checkPublicKey(
    { KeyId: arn, PublicKey: publicKey.export({ format: 'der', type: 'spki' }), KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] },
    undefined,
  );
  if (typeof checked === 'string') throw new Error(checked);
  return checked;
}

/** What the in-memory source answers for a key: the key, a refusal, or an outage. */
export type KeyBehaviour = SourcedKey | { readonly refuse: RefusalReason } | { readonly down: Error };

/** What it answers for an alias: a target, "no such alias", or an outage. */
export type AliasBehaviour = { readonly keyId: string; readonly arn: string; readonly enabled?: boolean } | 'missing' | { readonly down: Error };

/**
 * A key source held in memory, the way a new source plugs into the key cache and alias watcher:
 * answers what the test set, counts calls, and can hold calls until the test lets them go.
 */
export class MemorySource implements KeySource, AliasSource {
  readonly operation = 'GetPublicKey' as const;
  readonly keys = new Map<string, KeyBehaviour>();
  readonly aliases = new Map<string, AliasBehaviour>();
  readonly calls: string[] = [];
  #held: (() => void)[] | undefined;

  /** Holds every call from now on until {@link MemorySource.release}. */
  hold(): void {
    this.#held ??= [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const go of held) go();
  }

  async #gate(): Promise<void> {
    if (this.#held !== undefined) await new Promise<void>((resolve) => this.#held?.push(resolve));
  }

  async fetchKey(key: KeyAddress): Promise<KeyAnswer> {
    this.calls.push(`fetchKey ${key.arn ?? key.keyId}`);
    await this.#gate();
    const behaviour = this.keys.get(key.arn ?? key.keyId) ?? { refuse: 'not-found' };
    if ('down' in behaviour) throw behaviour.down;
    if ('refuse' in behaviour) return { kind: 'refused', reason: behaviour.refuse, detail: new Error(`refused: ${behaviour.refuse}`) };
    return { kind: 'key', key: behaviour };
  }

  async describeAlias(alias: string): Promise<AliasAnswer> {
    this.calls.push(`describeAlias ${alias}`);
    await this.#gate();
    const behaviour = this.aliases.get(alias) ?? 'missing';
    if (behaviour === 'missing') return { kind: 'missing', error: Object.assign(new Error(`alias ${alias} is not found`), { name: 'NotFoundException' }) };
    if ('down' in behaviour) throw behaviour.down;
    return { kind: 'target', keyId: behaviour.keyId, arn: behaviour.arn, enabled: behaviour.enabled ?? true };
  }
}

/** An error as the SDK names a throttled call. */
export function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
}
