import { latin1Bytes, reusedLatin1Writer, verifySignatureAsync, verifySignatureSync } from '#runtime';
import type { JwsAlgorithm } from './algorithms.js';
import { decodeBase64url, decodeBase64urlText } from './base64url.js';
import { checkIdentityClaims, checkTimeClaims, timeClaimsWindow, type ClockWindow } from './claims.js';
import { deepFreeze } from './deep-freeze.js';
import { ownError, unavailable } from './error-wrapping.js';
import { JwtClaimInvalidError, JwtMalformedError, JwtTooLargeError, KmsJwtError, SignatureHighSError, SignatureInvalidError, VerifierConfigError } from './errors.js';
import { isHighS } from './ecdsa-low-s.js';
import { parseJsonObject } from './json.js';
import { checkHeader, type ParsedHeader } from './jws-header.js';
import type { TrustedKey } from './key-resolver.js';
import { checkKeyAllows, checkKeyVerifies } from './key-policy.js';
import { TokenLru } from './token-lru.js';
import { toRules, type Rules, type ValidateHook, type VerifierOptions, type VerifyOverrides } from './options.js';
import { joseSignature } from './signature.js';
import { signatureCheckFailed } from './signature-failure.js';
import { keyResolverFrom } from './static-keys.js';
import type { JwsHeader, JwtPayload, VerifiedToken } from './types.js';
import { isPromise, KNOWN_TOKEN, VERIFY_NOW, type KnownToken, type VerifyNow } from './verify-now.js';
import { VERIFIER_TELEMETRY, type VerifierTelemetry } from './verifier-telemetry.js';

/** Verifies compact JWS tokens offline against trusted keys. */
export interface Verifier {
  /**
   * Verifies `token`: structure, trusted `kid`, allowed `alg`, signature, then claims. Resolves to
   * the frozen `{ header, payload, key }`; rejects with a {@link KmsJwtError} subclass only.
   */
  verify<P extends object = JwtPayload>(token: string, overrides?: VerifyOverrides): Promise<VerifiedToken<P>>;
}

interface CacheEntry {
  /** The cache key: the token itself. */
  readonly token: string;
  readonly result: VerifiedToken;
  readonly kid: string;
  readonly key: TrustedKey;
  /** When the entry stops being served, by the verifier's clock: the token's exp or the cache's max age. */
  readonly expiresAtMs: number;
  /** The token's {@link tokenMark}. */
  readonly mark: number;
  /** Where on the clock its time claims surely pass: a hit inside it skips checkTimeClaims. */
  readonly valid: ClockWindow;
}

/**
 * A number from a token's last four characters: signature characters, 20 to 24 random bits (the
 * last character of a 64-byte ES256 or EdDSA signature, or of a 2048-bit RSA one, carries 2 bits;
 * ES384's and ES512's carry 6). Equal tokens have equal marks, so a token whose mark no cache entry has is a miss
 * found without hashing the whole token; the doorkeeper remembers first sightings by it too.
 */
function tokenMark(token: string): number {
  const end = token.length;
  return ((token.charCodeAt(end - 1) & 0x7f) << 21) | ((token.charCodeAt(end - 2) & 0x7f) << 14) | ((token.charCodeAt(end - 3) & 0x7f) << 7) | (token.charCodeAt(end - 4) & 0x7f);
}

/** Creates the verifier; every configuration mistake throws a VerifierConfigError here. */
export function createVerifier(options: VerifierOptions): Verifier {
  if (typeof options !== 'object' || options === null) throw new VerifierConfigError('createVerifier needs an options object');
  const resolver = keyResolverFrom(options.keys);

  const baseRules = toRules(options);
  const maxTokenBytes = options.maxTokenBytes ?? 8192;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 64) throw new VerifierConfigError('maxTokenBytes must be an integer >= 64');
  const acceptDer = options.acceptDerSignatures ?? false;
  const rejectHighS = options.rejectHighS ?? false;
  if (typeof rejectHighS !== 'boolean') throw new VerifierConfigError('rejectHighS must be true or false');
  const mode = options.signatureVerification ?? 'sync';
  if (mode !== 'sync' && mode !== 'threadpool') throw new VerifierConfigError("signatureVerification must be 'sync' or 'threadpool'");
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') throw new VerifierConfigError('nowMs must be a function returning epoch milliseconds');
  const telemetry = options.telemetry;
  if (telemetry !== undefined && !isTelemetry(telemetry)) {
    throw new VerifierConfigError('telemetry must have the methods verified, refused, cacheHit, cacheMiss and requestRefused (such as kms-jwt-opentelemetry\'s createKmsJwtTelemetry().verifier)');
  }

  // The LRU is built on the first admission, not here: its constructor preallocates maxEntries slots
  // (about 15 million instructions for the default 10,000), which a cold start that verifies a token
  // once never needs.
  const cacheEnabled = options.cache !== false;
  let cache: TokenLru<CacheEntry> | undefined;
  let cacheMaxEntries = 0;
  let cacheMaxAgeMs = 0;
  let doorkeeperSlots = 0;
  if (cacheEnabled) {
    const maxEntries = options.cache?.maxEntries ?? 10_000;
    const maxAgeSeconds = options.cache?.maxAgeSeconds ?? 600;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new VerifierConfigError('cache.maxEntries must be an integer >= 1');
    if (!(maxAgeSeconds > 0)) throw new VerifierConfigError('cache.maxAgeSeconds must be > 0');
    cacheMaxAgeMs = maxAgeSeconds * 1000;
    cacheMaxEntries = maxEntries;
    doorkeeperSlots = Math.min(2 ** Math.ceil(Math.log2(2 * maxEntries)), 2 ** 20);
  }
  const signingInput = reusedLatin1Writer(mode === 'sync' ? maxTokenBytes : 0);
  // First sightings: a fixed table of token marks (plus one, so 0 is an empty slot), one mark a
  // slot, indexed by a multiplicative hash of the mark. Nothing is allocated per token; a mark that
  // another takes the slot of is forgotten, which only delays that token's admission.
  const doorkeeper = new Int32Array(doorkeeperSlots);
  const doorkeeperShift = 32 - Math.log2(Math.max(doorkeeperSlots, 1));
  // How many cache entries have each mark: a mark missing here is a cache miss.
  const cachedMarks = new Map<number, number>();
  // Hits without hashing the token: entries found lately, one a slot by their mark. A hit compares the
  // token with the entry's (a memory compare) instead of hashing it for the LRU's Map (every request's
  // token is a new string, whose hash is not cached) and moving it to the end of that Map; one such hit in
  // HOT_TOUCH_EVERY still goes through the LRU, so a token in use stays recently used there.
  const hot: (CacheEntry | undefined)[] = new Array<CacheEntry | undefined>(HOT_SLOTS).fill(undefined);
  let hotHits = 0;
  const hotSlot = (mark: number): number => Math.imul(mark, 0x9e3779b1) >>> (32 - HOT_SLOT_BITS);
  /** An entry leaves the cache (expired, evicted, replaced or its key distrusted): it leaves the hot slots too. */
  function forget(entry: CacheEntry): void {
    const count = cachedMarks.get(entry.mark) ?? 0;
    if (count > 1) cachedMarks.set(entry.mark, count - 1);
    else cachedMarks.delete(entry.mark);
    const slot = hotSlot(entry.mark);
    if (hot[slot] === entry) hot[slot] = undefined;
  }
  const headers = new Map<string, ParsedHeader>();
  // The header segment seen last: tokens of one issuer share it, and comparing strings is cheaper than hashing one.
  let lastSegment = '';
  let lastHeader: ParsedHeader | undefined;
  function parseHeader(segment: string): ParsedHeader {
    if (segment === lastSegment && lastHeader !== undefined) return lastHeader;
    let parsed = headers.get(segment);
    if (parsed === undefined) {
      parsed = checkHeader(segment, 'token');
      if (headers.size >= HEADER_CACHE_SIZE) headers.clear();
      headers.set(segment, parsed);
    }
    lastSegment = segment;
    lastHeader = parsed;
    return parsed;
  }

  /**
   * A verified token remembered for `token`, when its entry is still fresh and its key is still the
   * one the resolver trusts for its kid (asking the resolver again, so a key that stopped being
   * trusted drops the entry). Time claims (against the entry's window) and the validate hook are checked on every hit. Resolves
   * to `undefined` on a miss; a resolver that fails is the key source being unavailable (503).
   */
  function fromCache(token: string): VerifiedToken | Promise<VerifiedToken | undefined> | undefined {
    const mark = tokenMark(token);
    const slot = hotSlot(mark);
    let entry = hot[slot];
    // A hot slot holds cache entries only (forget() empties it when its entry leaves): a match there is a hit.
    // The cache exists wherever an entry is in hand or a mark is counted: both come from its first admission (hence `cache!`).
    if (entry === undefined || entry.token !== token || ++hotHits % HOT_TOUCH_EVERY === 0) {
      if (!cachedMarks.has(mark)) return undefined;
      entry = cache!.get(token);
      if (!entry) return undefined;
      hot[slot] = entry;
    }
    const now = nowMs();
    if (now >= entry.expiresAtMs) {
      cache!.delete(token);
      return undefined;
    }
    let current: TrustedKey | undefined | Promise<TrustedKey | undefined>;
    try {
      current = resolver.resolve(entry.kid);
    } catch (error) {
      cache!.delete(token);
      throw unavailable(error);
    }
    if (isPromise(current)) {
      return current.then(
        (key) => hit(token, entry, key, nowMs()),
        (error: unknown) => {
          cache!.delete(token);
          return Promise.reject(unavailable(error));
        },
      );
    }
    return hit(token, entry, current, now);
  }

  function hit(token: string, entry: CacheEntry, current: TrustedKey | undefined, now: number): VerifiedToken | Promise<VerifiedToken> | undefined {
    // A key that stopped being trusted (or changed) invalidates what it verified.
    if (current !== entry.key) {
      cache!.delete(token);
      return undefined;
    }
    if (telemetry !== undefined) telemetry.cacheHit();
    // Inside the entry's window the time claims pass (one comparison); outside, the checks decide, to the exact error.
    if (!(now >= entry.valid.fromMs && now < entry.valid.untilMs)) checkTimeClaims(entry.result.payload, baseRules, now / 1000);
    // The hook may depend on time or state (revocation, replay): it runs on every hit.
    return baseRules.validate ? validated(entry.result, baseRules.validate, () => entry.result) : entry.result;
  }

  function finish(
    token: string,
    rules: Rules,
    header: Record<string, unknown>,
    payloadSegment: string,
    key: TrustedKey,
    valid: boolean,
    highS: boolean,
    cacheable: boolean,
  ): VerifiedToken | Promise<VerifiedToken> {
    if (!valid) throw new SignatureInvalidError('the signature does not verify with the trusted key named by kid');
    if (highS) {
      throw new SignatureHighSError(
        'the ECDSA signature verifies but is not in canonical low-S form (s > n/2), which rejectHighS refuses: it is a malleated copy of a token, or its issuer does not normalise signatures (kms-jwt-signer does)',
      );
    }
    const payloadText = decodeBase64urlText(payloadSegment);
    const payload = payloadText === undefined ? undefined : parseJsonObject(payloadText);
    if (!payload) throw new JwtMalformedError('the payload is not a base64url-encoded JSON object');
    const now = nowMs();
    checkTimeClaims(payload, rules, now / 1000);
    checkIdentityClaims(payload, header, rules);
    const result: VerifiedToken = { header: header as JwsHeader, payload: deepFreeze(payload) as JwtPayload, key: key.id };
    Object.freeze(result);
    if (rules.validate) return validated(result, rules.validate, () => remember(token, result, key, now, cacheable));
    return remember(token, result, key, now, cacheable);
  }

  /**
   * Keeps a verified result for later calls without overrides; entries last until exp or the cache's
   * max age. A token is admitted on its second verification only (a doorkeeper of token marks
   * remembers first sightings), so traffic of never-repeated tokens does not churn the cache and the
   * garbage collector, while a token a client reuses is cached from its second request on.
   */
  function remember(token: string, result: VerifiedToken, key: TrustedKey, now: number, cacheable: boolean): VerifiedToken {
    if (!cacheable || !cacheEnabled) return result;
    const mark = tokenMark(token);
    const slot = Math.imul(mark, 0x9e3779b1) >>> doorkeeperShift;
    if (doorkeeper[slot] !== mark + 1) {
      doorkeeper[slot] = mark + 1;
      return result;
    }
    doorkeeper[slot] = 0;
    const exp = result.payload.exp;
    const expiresAtMs = typeof exp === 'number' ? Math.min(now + cacheMaxAgeMs, exp * 1000) : now + cacheMaxAgeMs;
    cache ??= new TokenLru<CacheEntry>(cacheMaxEntries, forget);
    cache.set(token, { token, result, kid: result.header.kid, key, expiresAtMs, mark, valid: timeClaimsWindow(result.payload, baseRules) });
    cachedMarks.set(mark, (cachedMarks.get(mark) ?? 0) + 1);
    return result;
  }

  function attempt(token: unknown, overrides: VerifyOverrides | undefined): VerifiedToken | Promise<VerifiedToken> {
    if (typeof token !== 'string') throw new JwtMalformedError('the token must be a string (a compact JWS)');
    if (token.length > maxTokenBytes) throw new JwtTooLargeError(`the token is longer than ${maxTokenBytes} bytes (maxTokenBytes)`);
    if (overrides === undefined && cacheEnabled) {
      const cached = fromCache(token);
      if (cached !== undefined) {
        if (!isPromise(cached)) return cached;
        return cached.then((result) => result ?? missed(token));
      }
      if (telemetry !== undefined) telemetry.cacheMiss();
    }
    return verifyUncached(token, overrides);
  }

  /** A cache lookup that found an entry, but one no longer usable (its key changed): a miss. */
  function missed(token: string): VerifiedToken | Promise<VerifiedToken> {
    if (telemetry !== undefined) telemetry.cacheMiss();
    return verifyUncached(token, undefined);
  }

  function verifyUncached(token: string, overrides: VerifyOverrides | undefined): VerifiedToken | Promise<VerifiedToken> {
    const cacheable = overrides === undefined;
    const rules = overrides === undefined ? baseRules : toRules(overrides, baseRules);

    const firstDot = token.indexOf('.');
    // With no dot at all (firstDot -1) the search from index 0 finds none either: secondDot is -1.
    const secondDot = token.indexOf('.', firstDot + 1);
    if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
      throw new JwtMalformedError('the token must have exactly three dot-separated segments (compact JWS)');
    }
    const { header, alg, kid } = parseHeader(token.slice(0, firstDot));

    const signature = decodeBase64url(token.slice(secondDot + 1));
    if (!signature || signature.length === 0) throw new JwtMalformedError('the signature is not base64url');
    let resolved: TrustedKey | undefined | Promise<TrustedKey | undefined>;
    try {
      resolved = resolver.resolve(kid);
    } catch (error) {
      throw unavailable(error);
    }
    if (isPromise(resolved)) {
      return resolved.then(
        (key) => verifyWithKey(token, firstDot, secondDot, rules, header, alg, signature, key, cacheable),
        (error: unknown) => Promise.reject(unavailable(error)),
      );
    }
    return verifyWithKey(token, firstDot, secondDot, rules, header, alg, signature, resolved, cacheable);
  }

  /** The signature check against the key the kid resolved to, then the claims. */
  function verifyWithKey(
    token: string,
    firstDot: number,
    secondDot: number,
    rules: Rules,
    header: Record<string, unknown>,
    alg: JwsAlgorithm,
    signature: Uint8Array,
    key: TrustedKey | undefined,
    cacheable: boolean,
  ): VerifiedToken | Promise<VerifiedToken> {
    checkKeyAllows(key, alg, rules.algorithms, 'token');
    checkKeyVerifies(key, alg);
    const jose = joseSignature(alg, signature, acceptDer, key.publicKey);
    // Only a signature that verifies is refused for being high-S; an invalid one stays ERR_JWS_SIGNATURE_INVALID.
    const highS = rejectHighS && isHighS(alg, jose);
    // The signing input as bytes (latin1: the header was checked as base64url, and a payload segment that is not base64url fails its decoding below).
    // The sync path writes it into one reused buffer where the runtime checks signatures synchronously (node:crypto is done with it before returning).
    const data = mode === 'sync' ? signingInput(token, secondDot) : latin1Bytes(token.slice(0, secondDot));
    const payloadSegment = token.slice(firstDot + 1, secondDot);
    if (mode === 'threadpool') {
      return verifySignatureAsync(alg, key.publicKey, data, jose).then(
        (valid) => finish(token, rules, header, payloadSegment, key, valid, highS, cacheable),
        (error: unknown) => Promise.reject(signatureCheckFailed(error, alg, key)),
      );
    }
    let valid: boolean | Promise<boolean>;
    try {
      valid = verifySignatureSync(alg, key.publicKey, data, jose);
    } catch (error) {
      // The check could not run (a key node:crypto cannot use): not a verdict on the token.
      throw signatureCheckFailed(error, alg, key);
    }
    // A boolean from node:crypto; a promise where the runtime verifies through Web Crypto.
    if (typeof valid === 'boolean') return finish(token, rules, header, payloadSegment, key, valid, highS, cacheable);
    return valid.then(
      (checked) => finish(token, rules, header, payloadSegment, key, checked, highS, cacheable),
      (error: unknown) => Promise.reject(signatureCheckFailed(error, alg, key)),
    );
  }

  /** The error `verify` rejects with (this package's own), reported to the telemetry. */
  function refusal(error: unknown): KmsJwtError {
    const own = ownError(error);
    if (telemetry !== undefined) telemetry.refused(own.code);
    return own;
  }
  const rejectOwn = (error: unknown): Promise<never> => Promise.reject(refusal(error));
  // Without telemetry a settled promise passes through as before; with it, verifications are counted.
  const resolved =
    telemetry === undefined
      ? undefined
      : (result: VerifiedToken): VerifiedToken => {
          telemetry.verified();
          return result;
        };

  const verifier: Verifier & { readonly [VERIFY_NOW]: VerifyNow; readonly [VERIFIER_TELEMETRY]: VerifierTelemetry | undefined; readonly [KNOWN_TOKEN]: KnownToken } = {
    verify<P extends object = JwtPayload>(token: string, overrides?: VerifyOverrides): Promise<VerifiedToken<P>> {
      try {
        const outcome = attempt(token, overrides);
        if (isPromise(outcome)) return outcome.then(resolved, rejectOwn) as Promise<VerifiedToken<P>>;
        if (telemetry !== undefined) telemetry.verified();
        return Promise.resolve(outcome) as Promise<VerifiedToken<P>>;
      } catch (error) {
        return Promise.reject(refusal(error));
      }
    },
    [VERIFY_NOW](token: string): VerifiedToken | Promise<VerifiedToken> {
      let outcome: VerifiedToken | Promise<VerifiedToken>;
      try {
        outcome = attempt(token, undefined);
      } catch (error) {
        throw refusal(error);
      }
      if (isPromise(outcome)) return outcome.then(resolved, rejectOwn);
      if (telemetry !== undefined) telemetry.verified();
      return outcome;
    },
    [VERIFIER_TELEMETRY]: telemetry,
    [KNOWN_TOKEN](candidate: string): string | undefined {
      // A string shorter than four characters has a mark too (a character past the end reads as 0); no cached token is that short.
      const entry = hot[hotSlot(tokenMark(candidate))];
      return entry !== undefined && entry.token === candidate ? entry.token : undefined;
    },
  };
  return verifier;
}

const TELEMETRY_METHODS = ['verified', 'refused', 'cacheHit', 'cacheMiss', 'requestRefused'] as const;

function isTelemetry(value: unknown): value is VerifierTelemetry {
  return typeof value === 'object' && value !== null && TELEMETRY_METHODS.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** log2 of the hot slots of the verified-token cache (4,096: 32 KiB of references). */
const HOT_SLOT_BITS = 12;
const HOT_SLOTS = 2 ** HOT_SLOT_BITS;
/** One hit from the hot slots in this many goes through the LRU, to keep its recency. */
const HOT_TOUCH_EVERY = 32;

/** Most distinct header segments remembered; tokens of one issuer share a handful. */
const HEADER_CACHE_SIZE = 256;

/** Runs the validate hook on a verified result, then `done`; its errors become claim errors. */
function validated(result: VerifiedToken, validate: ValidateHook, done: () => VerifiedToken): VerifiedToken | Promise<VerifiedToken> {
  let outcome: void | Promise<void>;
  try {
    outcome = validate(result.payload, result.header);
  } catch (error) {
    throw wrapValidateError(error);
  }
  if (isPromise(outcome)) return outcome.then(done, (error: unknown) => Promise.reject(wrapValidateError(error)));
  return done();
}

function wrapValidateError(error: unknown): KmsJwtError {
  if (error instanceof KmsJwtError) return error;
  return new JwtClaimInvalidError(`the validate hook rejected the token${error instanceof Error && error.message ? `: ${error.message}` : ''}`, {
    claim: 'validate',
    cause: error,
  });
}
