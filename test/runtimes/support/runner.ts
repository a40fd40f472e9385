/**
 * The verification suite every runtime runs, Node.js included: imports kms-jwt-verifier as an
 * application would (so each runtime resolves the package's conditions itself) and nothing
 * runtime-specific. Entries for each runtime (entries/) call {@link runSuite}.
 */
import { createMessageVerifier, createVerifier, keysFromJwks, type JsonWebKeySet, type KeyResolver, type StaticKey } from 'kms-jwt-verifier';

/** One trusted KMS key, as the runtime is given it: its public key as SPKI PEM and as a JWK. */
export interface SuiteKey {
  readonly alg: string;
  readonly kid: string;
  readonly pem: string;
  readonly jwk: Readonly<Record<string, unknown>>;
}

/** The tokens made for one algorithm through KMS Sign (kms-jwt-signer against kms-local). */
export interface SuiteTokens {
  readonly valid: string;
  /** The valid token with another payload under its signature. */
  readonly tampered: string;
  readonly expired: string;
  /** Signed by a KMS key of the same spec that is not trusted: its kid names no trusted key. */
  readonly untrusted: string;
  /** Signed by the untrusted key, its header claiming the trusted key's kid. */
  readonly otherKey: string;
}

export interface RuntimeSuite {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: readonly SuiteKey[];
  readonly tokens: Readonly<Record<string, SuiteTokens>>;
  /** A signed JSON message (kms-jwt-signer's message signer), compact and detached. */
  readonly message: { readonly kid: string; readonly pem: string; readonly jws: string; readonly detachedJws: string; readonly payload: string };
}

/** Where a verifier gets its trusted key: a PEM, a JWK, a JWKS, or kms-pubkey-provider's offline keys. */
export type KeySource = 'pem' | 'jwk' | 'jwks' | 'provider';

/** `ok`, or the error code (a wrapped kms-jwt error's code after `<-`, as the provider wraps the verifier's). */
export type Outcome = string;

/** How a runtime checked an algorithm's signatures: synchronously (node:crypto) or through a promise (Web Crypto). */
export type SignaturePath = 'node:crypto' | 'web-crypto';

export interface AlgorithmResults {
  /** How the first, uncached verification of the valid token ran; absent when the key could not be used. */
  path?: SignaturePath;
  /** How creating the verifier went, per key source. */
  readonly construct: Partial<Record<KeySource, Outcome>>;
  /** Each token's outcome per key source (`pem/valid`, ...); the valid token is verified three times (the cache admits it on the second). */
  readonly tokens: Record<string, Outcome>;
}

export interface SuiteResults {
  readonly algorithms: Record<string, AlgorithmResults>;
  readonly message: Record<string, Outcome>;
}

function outcomeOf(error: unknown): Outcome {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown; family?: unknown } };
  if (typeof code !== 'string') return `unexpected: ${String(error)}`;
  // Only this project's errors (they have a family), not the runtime's own causes.
  return typeof cause?.code === 'string' && typeof cause.family === 'string' ? `${code}<-${cause.code}` : code;
}

async function attempt(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return outcomeOf(error);
  }
}

/**
 * The verifier's verify-now method (under `Symbol.for('kms-jwt-verifier/verify-now')`, what the HTTP
 * layer calls) answers synchronously when the runtime checks the signature synchronously, which
 * only node:crypto does; Web Crypto's check is a promise.
 */
async function pathOf(key: SuiteKey, token: string, suite: RuntimeSuite): Promise<SignaturePath> {
  const verifier = createVerifier({ keys: [{ kid: key.kid, key: key.pem }], issuer: suite.issuer, audience: suite.audience, cache: false });
  const verifyNow = (verifier as unknown as Record<symbol, (token: string) => unknown>)[Symbol.for('kms-jwt-verifier/verify-now')];
  if (typeof verifyNow !== 'function') throw new Error('the verifier has no verify-now method');
  const outcome = verifyNow.call(verifier, token);
  if (!(outcome instanceof Promise)) return 'node:crypto';
  await outcome;
  return 'web-crypto';
}

/**
 * Verifies every token of the suite with verifiers built from each key source, and the signed
 * message. `offlineProvider`, when given, builds kms-pubkey-provider's offline key source from a
 * JWKS (runtimes where the provider cannot load run without it).
 */
export async function runSuite(suite: RuntimeSuite, offlineProvider?: (jwks: JsonWebKeySet) => KeyResolver): Promise<SuiteResults> {
  const algorithms: Record<string, AlgorithmResults> = {};
  for (const key of suite.keys) {
    const tokens = suite.tokens[key.alg];
    if (tokens === undefined) throw new Error(`no tokens for ${key.alg}`);
    const jwks = { keys: [{ ...key.jwk, kid: key.kid }] } as JsonWebKeySet;
    const sources: [KeySource, () => readonly StaticKey[] | KeyResolver][] = [
      ['pem', () => [{ kid: key.kid, key: key.pem }]],
      ['jwk', () => [{ kid: key.kid, key: key.jwk as StaticKey['key'] }]],
      ['jwks', () => keysFromJwks(jwks)],
    ];
    if (offlineProvider !== undefined) sources.push(['provider', () => offlineProvider(jwks)]);
    const results: AlgorithmResults = { construct: {}, tokens: {} };
    for (const [source, keys] of sources) {
      let verifier: ReturnType<typeof createVerifier>;
      try {
        // One algorithm per verifier, as tokens of another would be refused anyway.
        verifier = createVerifier({ keys: keys(), issuer: suite.issuer, audience: suite.audience, algorithms: [key.alg as 'ES256'] });
      } catch (error) {
        results.construct[source] = outcomeOf(error);
        continue;
      }
      results.construct[source] = 'ok';
      if (source === 'pem') results.path = await pathOf(key, tokens.valid, suite);
      for (const [name, token] of Object.entries(tokens)) {
        results.tokens[`${source}/${name}`] = await attempt(() => verifier.verify(token));
        if (name === 'valid') {
          results.tokens[`${source}/valid (again)`] = await attempt(() => verifier.verify(token));
          results.tokens[`${source}/valid (cached)`] = await attempt(() => verifier.verify(token));
        }
      }
    }
    algorithms[key.alg] = results;
  }

  const { message } = suite;
  const messages = createMessageVerifier({ keys: [{ kid: message.kid, key: message.pem }], maxMessageAgeSeconds: 300 });
  const decoded = async (run: () => Promise<{ payload: unknown }>, expected: unknown): Promise<Outcome> => {
    const outcome = await attempt(async () => {
      const { payload } = await run();
      const text = payload instanceof Uint8Array ? new TextDecoder().decode(payload) : JSON.stringify(payload);
      if (text !== expected) throw new Error(`the payload came back as ${text}`);
    });
    return outcome;
  };
  const messageResults: Record<string, Outcome> = {
    compact: await decoded(() => messages.verify(message.jws), message.payload),
    detached: await decoded(() => messages.verify({ jws: message.detachedJws, payload: message.payload }), message.payload),
    bytes: await decoded(() => messages.verifyBytes({ jws: message.detachedJws, payload: new TextEncoder().encode(message.payload) }), message.payload),
    tampered: await attempt(() => messages.verify({ jws: message.detachedJws, payload: message.payload.replace('o-1', 'o-2') })),
    token: await attempt(() => messages.verify(suite.tokens['ES256']?.valid ?? '')),
  };
  return { algorithms, message: messageResults };
}
