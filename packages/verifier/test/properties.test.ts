import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStaticKeyResolver, createVerifier, KmsJwtError, type JwsAlgorithm, type Verifier, type VerifierOptions } from '../src/index.js';
import { AUDIENCE, b64, claims, encode, ISSUER, keyPairFor, KID, NOW, signInput, signToken } from './support/tokens.js';

/**
 * Property-based tests (issue 3, "Must show" 3): random mutations of valid tokens never verify,
 * and `verify` only ever settles, in time, by resolving or by rejecting with this package's errors —
 * for every verifier shape: cache on and off, signatures sync and on the threadpool, a resolver
 * that answers with promises.
 */

const SETTLE_MS = 2000;
const ALGS = ['ES256', 'ES512', 'EdDSA', 'RS256', 'PS256'] as const satisfies readonly JwsAlgorithm[];
const pairs = new Map(ALGS.map((alg) => [alg, keyPairFor(alg)] as const));
const kidOf = (alg: JwsAlgorithm): string => `${KID}-${alg}`;
const keys = ALGS.map((alg) => ({ kid: kidOf(alg), key: pairs.get(alg)?.publicKey ?? fail(alg), algorithms: [alg] }));

function fail(what: string): never {
  throw new Error(`missing ${what}`);
}

const base: VerifierOptions = { keys, issuer: ISSUER, audience: AUDIENCE, nowMs: () => NOW * 1000 };
const staticResolver = createStaticKeyResolver(keys);
const VERIFIERS: ReadonlyArray<readonly [string, Verifier]> = [
  ['cache on, sync', createVerifier(base)],
  ['cache off, sync', createVerifier({ ...base, cache: false })],
  ['cache on, threadpool', createVerifier({ ...base, signatureVerification: 'threadpool' })],
  ['cache off, threadpool', createVerifier({ ...base, cache: false, signatureVerification: 'threadpool' })],
  ['cache on, async resolver, DER accepted', createVerifier({ ...base, keys: { resolve: async (kid) => staticResolver.resolve(kid) }, acceptDerSignatures: true })],
];

/** Valid tokens to mutate: every kind of key, with claims of several shapes. */
const VALID: readonly string[] = ALGS.flatMap((alg) => {
  const privateKey = pairs.get(alg)?.privateKey ?? fail(alg);
  const header = { alg, typ: 'JWT', kid: kidOf(alg) };
  return [
    signToken(alg, privateKey, claims(), header),
    signToken(alg, privateKey, claims({ aud: [AUDIENCE, 'other'], scope: 'orders:read orders:write', nested: { a: [1, 2, { b: null }] } }), header),
    signToken(alg, privateKey, claims({ name: 'Zoë 🚀', note: 'quote " and \\ backslash' }), header),
  ];
});

type Outcome = { readonly settled: 'resolved' } | { readonly settled: 'rejected'; readonly reason: unknown };

/** Settles `promise` or fails after SETTLE_MS: a hang is a failure, not a stuck test run. */
async function settle(promise: Promise<unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`verify did not settle within ${SETTLE_MS} ms`)), SETTLE_MS);
  });
  try {
    return await Promise.race([promise.then((): Outcome => ({ settled: 'resolved' }), (reason: unknown): Outcome => ({ settled: 'rejected', reason })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection is one of this package's errors, for a token problem (401), never a crash. */
function expectOwnTokenError(outcome: Outcome, where: string): void {
  if (outcome.settled !== 'rejected') throw new Error(`${where}: a mutated or random token verified`);
  const reason = outcome.reason;
  if (!(reason instanceof KmsJwtError)) throw new Error(`${where}: rejected with a foreign error: ${String(reason)}`);
  expect(reason.status, where).toBe(401);
  expect(reason.code, where).toMatch(/^ERR_/);
}

async function expectRejectedEverywhere(token: unknown): Promise<void> {
  for (const [name, verifier] of VERIFIERS) expectOwnTokenError(await settle(verifier.verify(token as string)), name);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters to put into tokens: mostly base64url, plus separators, the wrong alphabet, whitespace, any Unicode. */
const tokenChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ALPHABET) },
  { weight: 2, arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '\t', '\n', '\r', '\0', '"', '\\', '%') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);

/** One edit of a token, kept as data so a counterexample reads well. */
type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly char: string }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'flip-case'; readonly at: number }
  | { readonly kind: 'trailing-bits'; readonly segment: number; readonly bits: number }
  | { readonly kind: 'segments'; readonly order: readonly number[] }
  | { readonly kind: 'header-members' | 'payload-members'; readonly members: Readonly<Record<string, unknown>> }
  | { readonly kind: 'truncate'; readonly length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: tokenChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.array(tokenChar, { minLength: 1, maxLength: 4 }).map((chars) => chars.join('')) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('flip-case' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('trailing-bits' as const), segment: fc.integer({ min: 0, max: 2 }), bits: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ kind: fc.constant('segments' as const), order: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }) }),
  fc.record({ kind: fc.constantFrom('header-members' as const, 'payload-members' as const), members: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 }) }),
  fc.record({ kind: fc.constant('truncate' as const), length: fc.nat() }),
);

function applyMutation(token: string, m: Mutation): string {
  const at = (n: number): number => (token.length === 0 ? 0 : n % token.length);
  switch (m.kind) {
    case 'replace':
      return `${token.slice(0, at(m.at))}${m.char}${token.slice(at(m.at) + 1)}`;
    case 'insert':
      return `${token.slice(0, at(m.at))}${m.text}${token.slice(at(m.at))}`;
    case 'delete':
      return `${token.slice(0, at(m.at))}${token.slice(at(m.at) + m.length)}`;
    case 'flip-case': {
      const c = token.charAt(at(m.at));
      const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return `${token.slice(0, at(m.at))}${flipped}${token.slice(at(m.at) + 1)}`;
    }
    case 'trailing-bits': {
      // Same bytes, non-canonical encoding: sets unused bits of the segment's last character.
      const segments = token.split('.');
      const segment = segments[m.segment] ?? '';
      if (segment.length % 4 === 0) return token;
      const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
      const unused = segment.length % 4 === 2 ? 0b1111 : 0b11;
      segments[m.segment] = `${segment.slice(0, -1)}${ALPHABET.charAt(last | (m.bits & unused))}`;
      return segments.join('.');
    }
    case 'segments': {
      const segments = token.split('.');
      return m.order.map((i) => segments[i] ?? '').join('.');
    }
    case 'header-members':
    case 'payload-members': {
      // Re-encodes one segment with extra members (which may also replace alg, kid or claims), keeping the signature.
      const segments = token.split('.');
      const index = m.kind === 'header-members' ? 0 : 1;
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(segments[index] ?? '', 'base64url').toString('utf8'));
      } catch {
        return token; // an earlier edit broke this segment: nothing to re-encode
      }
      if (typeof decoded !== 'object' || decoded === null) return token;
      segments[index] = encode({ ...decoded, ...m.members });
      return segments.join('.');
    }
    case 'truncate':
      return token.slice(0, at(m.length));
  }
}

describe('properties', () => {
  it('every valid token used as a seed verifies on every verifier', async () => {
    for (const token of VALID) {
      for (const [name, verifier] of VERIFIERS) {
        expect(await settle(verifier.verify(token)), name).toEqual({ settled: 'resolved' });
      }
    }
  });

  it('random mutations of valid tokens never verify, and reject with this package errors only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (token, mutations) => {
        const mutated = mutations.reduce(applyMutation, token);
        fc.pre(mutated !== token);
        await expectRejectedEverywhere(mutated);
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary strings and non-strings are rejected with this package errors only', async () => {
    const dotted = fc.array(fc.string({ unit: fc.oneof(tokenChar, fc.constantFrom(...ALPHABET)), maxLength: 40 }), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
    const anything = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      dotted,
      fc.anything({ maxDepth: 2 }),
      fc.string({ minLength: 8193, maxLength: 9000 }),
    );
    await fc.assert(
      fc.asyncProperty(anything, async (value) => {
        await expectRejectedEverywhere(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('validly signed tokens with random headers and payloads verify or reject with this package errors only', async () => {
    const privateKey = pairs.get('ES256')?.privateKey ?? fail('ES256');
    const claimValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double(), fc.integer());
    /** Mostly `likely`, sometimes anything: most tokens get far, many verify, the rest probe every check. */
    const mostly = <T>(likely: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
      fc.oneof({ weight: 4, arbitrary: likely }, { weight: 1, arbitrary: other });
    const header = fc.oneof(
      { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
      {
        weight: 4,
        arbitrary: fc
          .record(
            {
              alg: mostly(fc.constant('ES256'), fc.oneof(fc.constantFrom('none', 'HS256', 'ES384', 'RS256', 'es256'), fc.jsonValue({ maxDepth: 1 }))),
              kid: mostly(fc.constant(kidOf('ES256')), fc.oneof(fc.constant(kidOf('RS256')), fc.jsonValue({ maxDepth: 1 }))),
              typ: mostly(fc.constantFrom('JWT', 'at+jwt'), fc.jsonValue({ maxDepth: 1 })),
              extra: mostly(
                fc.constant({}),
                fc.record({ crit: fc.jsonValue({ maxDepth: 1 }), b64: fc.boolean(), jwk: fc.jsonValue({ maxDepth: 1 }), x5c: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
              ),
            },
            { requiredKeys: ['alg', 'kid'] },
          )
          .map(({ extra, ...h }) => JSON.stringify({ ...h, ...(typeof extra === 'object' && extra !== null ? extra : {}) })),
      },
    );
    const time = (min: number, max: number): fc.Arbitrary<unknown> => mostly(fc.integer({ min: NOW + min, max: NOW + max }), claimValue);
    const payload = fc.oneof(
      { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
      {
        weight: 4,
        arbitrary: fc
          .record(
            {
              iss: mostly(fc.constant(ISSUER), claimValue),
              aud: mostly(fc.constantFrom(AUDIENCE, [AUDIENCE, 'x'], ['x', AUDIENCE]), claimValue),
              sub: claimValue,
              exp: time(-10, 1000),
              nbf: time(-1000, 10),
              iat: time(-1000, 10),
              extra: fc.dictionary(fc.string({ maxLength: 5 }), claimValue, { maxKeys: 3 }),
            },
            { requiredKeys: ['iss', 'aud', 'exp'] },
          )
          .map(({ extra, ...p }) => JSON.stringify({ ...extra, ...p })),
      },
    );
    const seen = { resolved: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(header, payload, async (headerJson, payloadJson) => {
        const input = `${b64(headerJson)}.${b64(payloadJson)}`;
        const token = `${input}.${b64(signInput('ES256', privateKey, input))}`;
        const outcomes: Outcome[] = [];
        for (const [name, verifier] of VERIFIERS) {
          const outcome = await settle(verifier.verify(token));
          if (outcome.settled === 'rejected') expectOwnTokenError(outcome, name);
          outcomes.push(outcome);
        }
        // Every verifier shape reaches the same verdict.
        expect(new Set(outcomes.map((o) => o.settled)).size).toBe(1);
        seen[outcomes[0]?.settled ?? 'rejected'] += 1;
      }),
      { numRuns: 1000 },
    );
    // The generators reach both verdicts, so the success path is exercised too.
    expect(seen.resolved).toBeGreaterThan(20);
    expect(seen.rejected).toBeGreaterThan(20);
  });
});
