import { describe, expect, it } from 'vitest';
import { verified } from './tokens.js';
import { createRevocationList, FleetConfigError, RevocationInvalidError, RevocationListFullError } from '../src/index.js';

const ISS = 'https://issuer.example';


describe('createRevocationList without a client (embedded)', () => {
  it('refuses a revoked (iss, jti) in both call forms, and nothing else', async () => {
    let now = 1_000_000_000_000;
    const list = createRevocationList({ nowMs: () => now });
    await list.ready();
    const exp = now / 1000 + 600;
    await list.revoke({ iss: ISS, jti: 'a', exp });
    await list.revoke(verified({ iss: ISS, jti: 'b', exp: exp + 100 }));
    expect(list.isRevoked(verified({ iss: ISS, jti: 'a', exp }))).toBe(true);
    expect(list.isRevoked({ req: true }, verified({ iss: ISS, jti: 'b', exp: exp + 100 }))).toBe(true);
    expect(list.isRevoked(verified({ iss: 'https://other.example', jti: 'a', exp }))).toBe(false);
    expect(list.isRevoked(verified({ iss: ISS, jti: 'c', exp }))).toBe(false);
    expect(list.isRevoked(verified({ iss: ISS }))).toBe(false);
    expect(list.list().sort((x, y) => x.jti.localeCompare(y.jti))).toEqual([
      { iss: ISS, jti: 'a', exp },
      { iss: ISS, jti: 'b', exp: exp + 100 },
    ]);
    // Kept until exp plus the tolerance (60 s by default), then gone.
    now += 600_000 + 59_000;
    expect(list.isRevoked(verified({ iss: ISS, jti: 'a', exp }))).toBe(true);
    now += 1_000;
    expect(list.isRevoked(verified({ iss: ISS, jti: 'a', exp }))).toBe(false);
    expect(list.list()).toEqual([{ iss: ISS, jti: 'b', exp: exp + 100 }]);
    await list.close();
  });

  it('ignores a token already expired past the tolerance, and refuses bad input with RevocationInvalidError', async () => {
    const now = 1_000_000_000_000;
    const list = createRevocationList({ nowMs: () => now, clockToleranceSeconds: 0 });
    await list.revoke({ iss: ISS, jti: 'old', exp: now / 1000 - 1 });
    expect(list.list()).toEqual([]);
    for (const bad of [{ iss: ISS, jti: '', exp: 1 }, { iss: 1, jti: 'x', exp: 1 }, { iss: ISS, jti: 'x', exp: 1.5 }, { iss: ISS, jti: 'x' }, null, verified({ iss: ISS, exp: 5 })]) {
      await expect(list.revoke(bad as never)).rejects.toBeInstanceOf(RevocationInvalidError);
    }
    await expect(list.revoke({ iss: ISS, jti: 'x'.repeat(1025), exp: now / 1000 + 5 })).rejects.toMatchObject({ code: 'ERR_REVOCATION_INVALID' });
    await list.close();
  });

  it('refuses a revocation past maxEntries with RevocationListFullError, and takes one again once entries expire', async () => {
    let now = 1_000_000_000_000;
    const list = createRevocationList({ nowMs: () => now, maxEntries: 2, clockToleranceSeconds: 0 });
    await list.revoke({ iss: ISS, jti: 'a', exp: now / 1000 + 10 });
    await list.revoke({ iss: ISS, jti: 'b', exp: now / 1000 + 20 });
    await list.revoke({ iss: ISS, jti: 'b', exp: now / 1000 + 20 });
    const error = await list.revoke({ iss: ISS, jti: 'c', exp: now / 1000 + 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevocationListFullError);
    expect(error).toMatchObject({ code: 'ERR_REVOCATION_LIST_FULL' });
    now += 10_000;
    await list.revoke({ iss: ISS, jti: 'c', exp: now / 1000 + 20 });
    expect(list.list().map((r) => r.jti).sort()).toEqual(['b', 'c']);
    await list.close();
  });

  it('throws FleetConfigError for wrong options', () => {
    for (const options of [{ maxStalenessMs: 0 }, { failurePolicy: 'open' }, { client: {} }, { keyPrefix: 'a b' }, { heartbeatIntervalMs: 4000 }, { clockToleranceSeconds: -1 }, { onStale: 5 }]) {
      expect(() => createRevocationList(options as never)).toThrow(FleetConfigError);
    }
  });
});
