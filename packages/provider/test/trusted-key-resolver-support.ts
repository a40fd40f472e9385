import type { TrustedKey } from 'kms-jwt-verifier';
import { AliasWatcher } from '../src/alias-watcher.js';
import { HookEmitter } from '../src/hook-emitter.js';
import { KeyCache } from '../src/key-cache.js';
import { PenaltyBox } from '../src/penalty-box.js';
import { TrustedKeyResolver } from '../src/trusted-key-resolver.js';
import { TrustSet } from '../src/trust-set.js';
import { MemorySource } from './parts-support.js';
import { manualTime, recordEvents } from './support.js';

// A TrustedKeyResolver over parts wired by hand, with an in-memory source in place of KMS: the setup
// of trusted-key-resolver.test.ts and trusted-key-resolver-rules.test.ts.

export const TTL = 60_000;
export const COOLDOWN = 5_000;

/** The resolver's parts, on a manual clock; `retiredKeyGraceMs` defaults to 10 minutes. */
export function assemble(options: { keys?: readonly string[]; aliases?: readonly string[]; offline?: ReadonlyMap<string, TrustedKey>; retiredKeyGraceMs?: number } = {}) {
  const time = manualTime();
  const log = recordEvents();
  const events = new HookEmitter(log.hooks);
  const source = new MemorySource();
  const trust: TrustSet = new TrustSet({ retiredKeyGraceMs: options.retiredKeyGraceMs ?? 600_000, events, onDropped: (record) => cache.forget(record.keyId) });
  const cache: KeyCache = new KeyCache({
    source,
    penaltyBox: new PenaltyBox(COOLDOWN, time.nowMs),
    events,
    nowMs: time.nowMs,
    cacheMaxAgeMs: TTL,
    maxStaleMs: 0,
    maxEntries: 100,
    honorKeyState: true,
    recheckIntervalMs: COOLDOWN,
    bindArn: (record, keyArn) => trust.bindArn(record, keyArn),
    onSettled: () => undefined,
  });
  for (const arn of options.keys ?? []) trust.configure(arn, arn.split('/')[1] as string, arn);
  const aliases = new AliasWatcher({
    aliases: options.aliases ?? [],
    source,
    trust,
    penaltyBox: new PenaltyBox(COOLDOWN, time.nowMs),
    events,
    nowMs: time.nowMs,
    aliasRefreshMs: TTL,
    onTarget: (record, enabled) => cache.noteKeyState(record, enabled),
    onSettled: () => undefined,
  });
  const resolver = new TrustedKeyResolver({ offline: options.offline ?? new Map(), offlinePinFailures: [], trust, cache, aliases, nowMs: time.nowMs });
  return { time, log, source, trust, cache, resolver };
}
