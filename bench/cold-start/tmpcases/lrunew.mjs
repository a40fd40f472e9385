import { LRUCache } from 'lru-cache';
const c = new LRUCache({ max: 1000, ttl: 1000, ttlResolution: 0, perf: { now: () => Date.now() }, allowStale: true, noDeleteOnStaleGet: true, allowStaleOnFetchRejection: true, fetchMethod: async () => 1 });
c.set('a', 1); c.get('a');
