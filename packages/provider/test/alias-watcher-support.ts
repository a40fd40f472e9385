import { AliasWatcher } from '../src/alias-watcher.js';
import { HookEmitter } from '../src/hook-emitter.js';
import { PenaltyBox } from '../src/penalty-box.js';
import { TrustSet, type TrustRecord } from '../src/trust-set.js';
import { MemorySource } from './parts-support.js';
import { manualTime, recordEvents } from './support.js';

export const REFRESH = 60_000;
export const COOLDOWN = 5_000;
export const GRACE = 600_000;

/**
 * An alias watcher over a MemorySource, with a manual clock: the targets it reports (ARN, enabled),
 * how many lookups settled, and the hooks it emitted.
 */
export function setup(aliases: readonly string[]) {
  const time = manualTime();
  const events = recordEvents();
  const emitter = new HookEmitter(events.hooks);
  const source = new MemorySource();
  const trust = new TrustSet({ retiredKeyGraceMs: GRACE, events: emitter, onDropped: () => undefined });
  const penaltyBox = new PenaltyBox(COOLDOWN, time.nowMs);
  const targets: [string | undefined, boolean][] = [];
  const settled = { count: 0 };
  const watcher = new AliasWatcher({
    aliases,
    source,
    trust,
    penaltyBox,
    events: emitter,
    nowMs: time.nowMs,
    aliasRefreshMs: REFRESH,
    onTarget: (record: TrustRecord, enabled) => {
      targets.push([record.arn, enabled]);
      return undefined;
    },
    onSettled: () => {
      settled.count += 1;
    },
  });
  return { time, events, source, trust, penaltyBox, watcher, targets, settled };
}
