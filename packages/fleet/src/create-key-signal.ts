import { FleetConfigError } from './errors.js';
import type { FleetRedisClient } from './options.js';

/** What a key event asks: the key was disabled in KMS, or should simply be re-checked. Either way it is only re-checked with KMS. */
export type KeyEventKind = 'disabled' | 'recheck';

/** A key event: which key, and why. */
export interface KeyEvent {
  /** The key ARN (or key id) as the providers trust it. */
  readonly keyArn: string;
  readonly event: KeyEventKind;
}

/** The part of a key provider the signal uses: kms-pubkey-provider's `recheck` (rate-limited, trusted set only, never trusts anything). */
export interface RecheckableKeys {
  recheck(keyArn: string): Promise<void>;
}

/** What `onKeyEvent` reports once a received event's re-check settled. */
export interface KeyEventReceived extends KeyEvent {
  /** `'rechecked'`: the provider's re-check settled (KMS asked, or rate-limited); `'failed'`: it threw. */
  readonly outcome: 'rechecked' | 'failed';
}

/** Options of `createKeySignal`. */
export interface KeySignalOptions {
  /** A connected node-redis client or cluster; publishes with it, subscribes with `client.duplicate()`. Required. */
  readonly client: FleetRedisClient;
  /** The provider to re-check keys with when an event arrives; without it, the signal only publishes. Default: none. */
  readonly provider?: RecheckableKeys;
  /** The pub/sub channel. Default: `'kms-jwt:key-events'`. */
  readonly channel?: string;
  /** Called when a received event's re-check settled. Default: none. */
  readonly onKeyEvent?: (event: KeyEventReceived) => void;
  /** Called with a subscriber error (the signal resubscribes on reconnect by itself). Default: none. */
  readonly onError?: (error: Error) => void;
}

/** Key events across a fleet: a publisher, and (with a `provider`) a subscriber that re-checks keys with KMS. */
export interface KeySignal {
  /** Subscribes (when a `provider` is given). Await it before relying on the signal. */
  ready(): Promise<void>;
  /** Tells every subscribed provider to re-check `keyArn` with KMS now. Resolves with how many subscribers Redis delivered it to (one node's count on a cluster). */
  publishKeyEvent(event: KeyEvent): Promise<number>;
  /** Stops the subscription; the caller's `client` is left open. */
  close(): Promise<void>;
}

const MAX_KEY_LENGTH = 2048;

function parseKeyEvent(message: string): KeyEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { keyArn, event } = value as Record<string, unknown>;
  if (typeof keyArn !== 'string' || keyArn === '' || keyArn.length > MAX_KEY_LENGTH || (event !== 'disabled' && event !== 'recheck')) return undefined;
  return { keyArn, event };
}

/**
 * Creates a key signal. An event only triggers a re-check through the provider's rate-limited
 * `recheck`: trust still comes from KMS, so a writer to Redis can cause extra KMS calls (bounded),
 * never make a key trusted.
 */
export function createKeySignal(options: KeySignalOptions): KeySignal {
  if (typeof options !== 'object' || options === null) throw new FleetConfigError('createKeySignal takes an options object with a client');
  const { client, provider, onKeyEvent, onError } = options;
  if (typeof client !== 'object' || client === null || typeof (client as { duplicate?: unknown }).duplicate !== 'function') {
    throw new FleetConfigError('client must be a connected node-redis client or cluster (createClient/createCluster)');
  }
  if (provider !== undefined && typeof provider?.recheck !== 'function') throw new FleetConfigError('provider must have recheck(keyArn) (kms-pubkey-provider 0.x or later)');
  const channel = options.channel ?? 'kms-jwt:key-events';
  if (typeof channel !== 'string' || channel === '') throw new FleetConfigError('channel must be a non-empty string');
  let subscriber: { destroy(): void } | undefined;

  async function received(message: string): Promise<void> {
    const event = parseKeyEvent(message);
    if (event === undefined || provider === undefined) return;
    let outcome: KeyEventReceived['outcome'] = 'rechecked';
    try {
      await provider.recheck(event.keyArn);
    } catch {
      outcome = 'failed';
    }
    onKeyEvent?.({ ...event, outcome });
  }

  return {
    async ready() {
      if (provider === undefined || subscriber !== undefined) return;
      const duplicate = client.duplicate();
      subscriber = duplicate;
      duplicate.on('error', (error: unknown) => onError?.(error instanceof Error ? error : new Error(String(error))));
      await duplicate.connect();
      await duplicate.subscribe(channel, (message: string) => void received(message));
    },
    async publishKeyEvent(event) {
      const checked = parseKeyEvent(JSON.stringify(event ?? null));
      if (checked === undefined) throw new FleetConfigError("publishKeyEvent needs { keyArn, event: 'disabled' | 'recheck' }");
      return client.publish(channel, JSON.stringify(checked));
    },
    async close() {
      subscriber?.destroy();
      subscriber = undefined;
    },
  };
}
