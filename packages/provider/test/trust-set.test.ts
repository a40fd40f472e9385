import { describe, expect, it } from 'vitest';
import { HookEmitter } from '../src/hook-emitter.js';
import { TrustSet, type TrustRecord } from '../src/trust-set.js';
import { newKeyRef } from './parts-support.js';
import { recordEvents } from './support.js';

const GRACE = 600_000;

function trustSet() {
  const events = recordEvents();
  const dropped: TrustRecord[] = [];
  const trust = new TrustSet({ retiredKeyGraceMs: GRACE, events: new HookEmitter(events.hooks), onDropped: (record) => dropped.push(record) });
  return { trust, events, dropped };
}

describe('TrustSet', () => {
  it('finds a key configured by key id by that id, and by its ARN only once a source answered with it', () => {
    const { trust } = trustSet();
    const key = newKeyRef();
    trust.configure(key.keyId, key.keyId, undefined);
    const record = trust.find(key.keyId) as TrustRecord;
    expect(trust.isTrusted(record, 0)).toBe(true);
    expect(trust.find(key.arn)).toBeUndefined();

    // An answer about another key id is never bound to this key.
    expect(trust.bindArn(record, newKeyRef().arn)).toBe(false);
    expect(trust.bindArn(record, key.arn)).toBe(true);
    expect(trust.find(key.arn)).toBe(record);
    // Once bound, an ARN of another account with the same key id is not this key.
    const lookalike = key.arn.replace('111122223333', '999999999999');
    expect(trust.bindArn(record, lookalike)).toBe(false);
    expect(trust.find(lookalike)).toBeUndefined();
    expect(trust.describe(record)).toBe(key.keyId);
  });

  it('refuses an answer for another account when the ARN was configured', () => {
    const { trust } = trustSet();
    const key = newKeyRef();
    trust.configure(key.arn, key.keyId, key.arn);
    const record = trust.find(key.arn) as TrustRecord;
    expect(trust.find(key.keyId)).toBe(record);
    expect(trust.bindArn(record, key.arn.replace('111122223333', '999999999999'))).toBe(false);
    expect(trust.describe(record)).toBe(key.arn);
  });

  it('trusts the target of an alias, and keeps the key it leaves only within its grace window', () => {
    const { trust, events, dropped } = trustSet();
    const [a, b] = [newKeyRef(), newKeyRef()];
    const recordA = trust.pointAlias('alias/signing', a, 1_000) as TrustRecord;
    expect(trust.find(a.arn)).toBe(recordA);
    expect(trust.describe(recordA)).toBe(`${a.arn} (target of alias/signing)`);
    expect(events.log).toEqual([]);

    trust.pointAlias('alias/signing', b, 2_000);
    expect(trust.targetOf('alias/signing')).toEqual(b);
    expect(events.log).toEqual([{ type: 'rotation', alias: 'alias/signing', previousKeyArn: a.arn, keyArn: b.arn, graceUntilMs: 2_000 + GRACE }]);
    expect(trust.retiredOf('alias/signing', 2_000)).toEqual([{ keyArn: a.arn, graceUntilMs: 2_000 + GRACE }]);
    expect(trust.nextGraceEnd()).toBe(2_000 + GRACE);

    expect(trust.prune(recordA, 2_000 + GRACE - 1)).toBe(true);
    trust.pruneAll(2_000 + GRACE);
    expect(trust.find(a.arn)).toBeUndefined();
    expect(trust.isMember(recordA)).toBe(false);
    expect(dropped).toEqual([recordA]);
    expect(events.log.at(-1)).toMatchObject({ type: 'keyUntrusted', keyArn: a.arn, reason: 'grace-ended' });
    expect(trust.nextGraceEnd()).toBe(Infinity);
  });

  it('makes a retired key current again at once when its alias moves back within the grace window', () => {
    const { trust, dropped } = trustSet();
    const [a, b] = [newKeyRef(), newKeyRef()];
    const recordA = trust.pointAlias('alias/signing', a, 0) as TrustRecord;
    trust.pointAlias('alias/signing', b, 10);
    trust.pointAlias('alias/signing', a, 20);
    expect(recordA.retiredFrom.size).toBe(0);
    trust.pruneAll(10 * GRACE);
    expect(trust.isMember(recordA)).toBe(true);
    expect(trust.find(b.arn)).toBeUndefined();
    expect(dropped.map((record) => record.arn)).toEqual([b.arn]);
  });

  it('starts the grace window of the target when its alias is deleted, and keeps a key configured directly', () => {
    const { trust, events } = trustSet();
    const [direct, other] = [newKeyRef(), newKeyRef()];
    trust.configure(direct.arn, direct.keyId, direct.arn);
    trust.pointAlias('alias/direct', direct, 0);
    trust.pointAlias('alias/other', other, 0);
    trust.pointAlias('alias/direct', undefined, 5);
    trust.pointAlias('alias/other', undefined, 5);
    expect(events.log.filter((event) => event.type === 'rotation').map((event) => (event.type === 'rotation' ? event.keyArn : 'x'))).toEqual([undefined, undefined]);
    trust.pruneAll(5 + GRACE);
    expect(trust.find(direct.arn)).toBeDefined();
    expect(trust.find(other.arn)).toBeUndefined();
  });

  it('takes a retired key from a snapshot unless the alias points to it now', () => {
    const { trust } = trustSet();
    const [current, retired] = [newKeyRef(), newKeyRef()];
    trust.pointAlias('alias/signing', current, 0);
    trust.retire('alias/signing', current.arn, 100);
    trust.retire('alias/signing', retired.arn, 100);
    expect(trust.retiredOf('alias/signing', 50)).toEqual([{ keyArn: retired.arn, graceUntilMs: 100 }]);
    expect(trust.retiredOf('alias/signing', 100)).toEqual([]);
  });

  it('finds the replicas of a multi-Region key configured by ARN: same partition, account and key id, another allowed Region; nothing else', () => {
    const { trust } = trustSet();
    const keyId = `mrk-${'0123456789abcdef'.repeat(2)}`;
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
    trust.configure(arn, keyId, arn, { replicaRegions: new Set(['eu-west-1', 'us-east-1']) });
    const record = trust.find(arn) as TrustRecord;
    expect(trust.findReplica(arn.replace('us-east-1', 'eu-west-1'))).toBe(record);
    for (const other of [
      arn,
      arn.replace('us-east-1', 'ap-southeast-2'),
      arn.replace('us-east-1', 'eu-west-1').replace('111122223333', '999999999999'),
      arn.replace('arn:aws:', 'arn:aws-cn:').replace('us-east-1', 'eu-west-1'),
      'alias/eu-west-1',
    ]) {
      expect(trust.findReplica(other), other).toBeUndefined();
    }
    expect(trust.listedReplicaArns(record)).toEqual([arn.replace('us-east-1', 'eu-west-1')]);

    // A key that is not configured for replicas has none, even with an mrk- id.
    const plain = newKeyRef();
    trust.configure(plain.arn, plain.keyId, plain.arn);
    expect(trust.findReplica(plain.arn.replace('us-east-1', 'eu-west-1'))).toBeUndefined();
  });

  it('confines an alias to where the source says it lives: the targets a snapshot put elsewhere leave at once, without a grace window', () => {
    const { trust, events, dropped } = trustSet();
    const home = newKeyRef();
    const foreign = { keyId: home.keyId.replace(/^./, 'f'), arn: '' };
    foreign.arn = `arn:aws:kms:us-east-1:999999999999:key/${foreign.keyId}`;
    const retiredForeign = newKeyRef();
    const retiredArn = retiredForeign.arn.replace('111122223333', '999999999999');
    trust.pointAlias('alias/signing', foreign, 0);
    trust.retire('alias/signing', retiredArn, GRACE);
    expect(trust.find(foreign.arn)).toBeDefined();

    const dropping = trust.confineAlias('alias/signing', { partition: 'aws', account: '111122223333', region: 'us-east-1' }, 10);
    expect(dropping.sort()).toEqual([foreign.arn, retiredArn].sort());
    expect(trust.find(foreign.arn)).toBeUndefined();
    expect(trust.find(retiredArn)).toBeUndefined();
    expect(dropped.map((record) => record.arn).sort()).toEqual([foreign.arn, retiredArn].sort());
    // Then the source's answer: no rotation event, so no grace for the snapshot's foreign target.
    trust.pointAlias('alias/signing', home, 10);
    expect(events.log).toEqual([]);
    expect(trust.retiredOf('alias/signing', 10)).toEqual([]);
  });
  it('stops trusting a retired key at the exact end of its grace window, even before anything prunes it', () => {
    const { trust } = trustSet();
    const [a, b] = [newKeyRef(), newKeyRef()];
    const recordA = trust.pointAlias('alias/signing', a, 1_000) as TrustRecord;
    trust.pointAlias('alias/signing', b, 2_000);
    expect(trust.isTrusted(recordA, 2_000 + GRACE - 1)).toBe(true);
    expect(trust.isTrusted(recordA, 2_000 + GRACE)).toBe(false);
    expect(trust.isTrusted(recordA, 2_000 + GRACE + 1)).toBe(false);
    expect(trust.retiredOf('alias/signing', 2_000 + GRACE)).toEqual([]);
  });

  it('drops each ended grace window when pruning, keeping the key for the windows still open', () => {
    const { trust, events, dropped } = trustSet();
    const [a, b, c] = [newKeyRef(), newKeyRef(), newKeyRef()];
    const recordA = trust.pointAlias('alias/one', a, 0) as TrustRecord;
    trust.pointAlias('alias/two', a, 0);
    trust.pointAlias('alias/one', b, 1_000);
    trust.pointAlias('alias/two', c, 5_000);
    expect(trust.nextGraceEnd()).toBe(1_000 + GRACE);
    expect(trust.prune(recordA, 1_000 + GRACE)).toBe(true);
    expect([...recordA.retiredFrom.keys()]).toEqual(['alias/two']);
    expect(trust.nextGraceEnd()).toBe(5_000 + GRACE);
    expect(dropped).toEqual([]);
    expect(events.log.filter((event) => event.type === 'keyUntrusted')).toEqual([]);
  });

  it('takes a key out once when its last grace window ends: not found by id or ARN, one event, one onDropped, prune answers false', () => {
    const { trust, events, dropped } = trustSet();
    const [a, b] = [newKeyRef(), newKeyRef()];
    const recordA = trust.pointAlias('alias/signing', a, 0) as TrustRecord;
    trust.pointAlias('alias/signing', b, 0);
    expect(trust.prune(recordA, GRACE)).toBe(false);
    expect(trust.prune(recordA, GRACE + 1)).toBe(false);
    trust.pruneAll(GRACE + 2);
    expect(trust.find(a.keyId)).toBeUndefined();
    expect(trust.find(a.arn)).toBeUndefined();
    expect(trust.get(a.keyId)).toBeUndefined();
    expect(trust.isMember(recordA)).toBe(false);
    expect(dropped).toEqual([recordA]);
    expect(events.log.filter((event) => event.type === 'keyUntrusted')).toEqual([
      {
        type: 'keyUntrusted',
        keyArn: a.arn,
        reason: 'grace-ended',
        message: `no configured alias points to this key and no JWKS lists it any more, and its grace window (retiredKeyGraceMs: ${GRACE} ms) has ended`,
      },
    ]);
  });

  it('does not take out the member that replaced a dropped record with the same key id', () => {
    const { trust, dropped } = trustSet();
    const [a, b] = [newKeyRef(), newKeyRef()];
    const old = trust.pointAlias('alias/signing', a, 0) as TrustRecord;
    trust.pointAlias('alias/signing', b, 0);
    expect(trust.prune(old, GRACE)).toBe(false);
    trust.configure(a.keyId, a.keyId, undefined);
    const fresh = trust.find(a.keyId) as TrustRecord;
    expect(fresh).not.toBe(old);
    expect(trust.prune(old, GRACE + 1)).toBe(false);
    expect(trust.find(a.keyId)).toBe(fresh);
    expect(trust.isMember(fresh)).toBe(true);
    expect(dropped).toEqual([old]);
  });

  it('keeps the ARN a key was configured with: a target or retired key with the same key id elsewhere is not found by its ARN', () => {
    const { trust } = trustSet();
    const keyId = `mrk-${'0123456789abcdef'.repeat(2)}`;
    const home = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
    const elsewhere = `arn:aws:kms:eu-west-1:111122223333:key/${keyId}`;
    trust.configure(home, keyId, home);
    const record = trust.find(home) as TrustRecord;
    trust.retire('alias/signing', elsewhere, GRACE);
    trust.pointAlias('alias/other', { keyId, arn: elsewhere }, 0);
    expect(record.arn).toBe(home);
    expect(trust.find(elsewhere)).toBeUndefined();
    expect(trust.find(home)).toBe(record);
  });
  it('confines an alias that has only a snapshot\'s retired keys, and keeps a current target inside the scope, with its trust', () => {
    const { trust, dropped } = trustSet();
    const inside = newKeyRef();
    const outsideArn = inside.arn.replace('111122223333', '999999999999').replace(inside.keyId, newKeyRef().keyId);
    trust.retire('alias/snap', outsideArn, GRACE);
    const scope = { partition: 'aws', region: 'us-east-1', account: '111122223333' };
    expect(trust.confineAlias('alias/snap', scope, 0)).toEqual([outsideArn]);
    expect(trust.find(outsideArn)).toBeUndefined();

    const current = trust.pointAlias('alias/signing', inside, 0) as TrustRecord;
    expect(trust.confineAlias('alias/signing', scope, 0)).toEqual([]);
    expect(trust.targetOf('alias/signing')).toEqual(inside);
    expect([...current.currentOf]).toEqual(['alias/signing']);
    expect(trust.isTrusted(current, GRACE * 10)).toBe(true);
    expect(dropped.map((record) => record.arn)).toEqual([outsideArn]);
  });

  it('ends the grace window a JWKS gave a key when it lists the key again, and names every alias a key is the target of', () => {
    const { trust } = trustSet();
    const key = newKeyRef();
    const url = 'https://issuer.example/.well-known/jwks.json';
    const record = trust.list(url, key.arn);
    expect(trust.unlist(url, record, 1_000)).toBe(1_000 + GRACE);
    expect(trust.nextGraceEnd()).toBe(1_000 + GRACE);
    trust.list(url, key.arn);
    expect([...record.retiredFrom.keys()]).toEqual([]);
    expect(trust.nextGraceEnd()).toBe(Infinity);

    const target = newKeyRef();
    const both = trust.pointAlias('alias/a', target, 0) as TrustRecord;
    trust.pointAlias('alias/b', target, 0);
    expect(trust.describe(both)).toBe(`${target.arn} (target of alias/a, alias/b)`);
  });
  it('gives a key configured by bare key id no replicas, whatever replicaRegions says (there is no home ARN to compare with)', () => {
    const { trust } = trustSet();
    const keyId = `mrk-${'fedcba9876543210'.repeat(2)}`;
    trust.configure(keyId, keyId, undefined, { replicaRegions: 'any' });
    const record = trust.find(keyId) as TrustRecord;
    expect(record.replicas).toBeUndefined();
    expect(trust.findReplica(`arn:aws:kms:eu-west-1:111122223333:key/${keyId}`)).toBeUndefined();
    expect(trust.listedReplicaArns(record)).toEqual([]);
  });

  it('confines an alias whose recorded target is not a key ARN: that target leaves at once', () => {
    const { trust, dropped } = trustSet();
    const keyId = newKeyRef().keyId;
    trust.pointAlias('alias/odd', { keyId, arn: `not-an-arn/${keyId}` }, 0);
    expect(trust.confineAlias('alias/odd', { partition: 'aws', region: 'us-east-1', account: '111122223333' }, 0)).toEqual([`not-an-arn/${keyId}`]);
    expect(trust.targetOf('alias/odd')).toBeUndefined();
    expect(trust.find(keyId)).toBeUndefined();
    expect(dropped).toHaveLength(1);
  });
});
