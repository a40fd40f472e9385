import type { KeyUntrustedEvent } from './events.js';

/** Why a key of a remote JWKS is not trusted. */
export type JwksKeyIgnoredReason =
  /** The entry is not a JSON object. */
  | 'malformed'
  /** It carries private or secret members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`): a JWKS publishes public keys only. */
  | 'private-key'
  /** It has no `kid`. */
  | 'kid-missing'
  /** Its `kid` is not a KMS key ARN (an alias, an alias ARN, a bare key id, anything else): tokens name the key that signed. */
  | 'kid-not-key-arn'
  /** Its `kid` is a key ARN that neither `keyArns` nor `trust` allows. */
  | 'not-allowlisted'
  /** The JWKS lists its `kid` more than once. */
  | 'duplicate-kid'
  /** Its `use` is not `sig`, or its `key_ops` do not allow `verify`. */
  | 'not-for-signing'
  /** Its `kty`, `crv`, size or `alg` are not those of a KMS signing key spec, or no allowed algorithm is left. */
  | 'unusable';

/** A key of the remote JWKS was not trusted; the event never holds key material. */
export interface JwksKeyIgnoredEvent {
  /** The JWKS URL, without query or fragment. */
  readonly url: string;
  /** The key's position in the JWKS `keys` array. */
  readonly index: number;
  /** Its `kid` (at most 256 characters), when it has a non-empty string one. */
  readonly kid: string | undefined;
  readonly reason: JwksKeyIgnoredReason;
  /** What is wrong, and what to fix. */
  readonly message: string;
}

/** A key the JWKS stopped listing: still trusted until `graceUntilMs`. */
export interface JwksWithdrawnKey {
  readonly keyArn: string;
  readonly graceUntilMs: number;
}

/** The remote JWKS answered: a new document (200), or the cached one confirmed (304). */
export interface JwksFetchedEvent {
  /** The JWKS URL, without query or fragment. */
  readonly url: string;
  /** `200`: a new document; `304`: the cached one still holds (its `ETag` matched `If-None-Match`). */
  readonly status: 200 | 304;
  /** The key ARNs the JWKS lists that are trusted now. */
  readonly keyArns: readonly string[];
  /** Keys this answer stopped listing: trusted until the end of their grace window (`retiredKeyGraceMs`). */
  readonly withdrawn: readonly JwksWithdrawnKey[];
  /** When (epoch ms) the document is fetched again: its `Cache-Control: max-age`, within `minCacheMaxAgeMs` and `maxCacheMaxAgeMs`. */
  readonly freshUntilMs: number;
}

/** Why a fetch of the remote JWKS failed. */
export type JwksFetchFailureReason =
  /** No complete answer within `requestTimeoutMs`. */
  | 'timeout'
  /** The connection failed (refused, reset, DNS, TLS). */
  | 'network'
  /** An HTTP status other than 200 (or 304 to a conditional request); redirects are not followed. */
  | 'http-status'
  /** The document is oversize, has too many keys, or is not a JWKS: `error` is a `JwksInvalidError`. */
  | 'invalid';

/** A fetch of the remote JWKS failed; the keys at hand are kept (stale-if-error). */
export interface JwksFetchFailedEvent {
  /** The JWKS URL, without query or fragment. */
  readonly url: string;
  readonly reason: JwksFetchFailureReason;
  /** The HTTP status, for `http-status`. */
  readonly httpStatus: number | undefined;
  /** What failed; its message never holds the body or key material. */
  readonly error: Error;
  /** Until when (epoch ms) the keys at hand keep being served; `undefined` when none are. */
  readonly servingStaleUntilMs: number | undefined;
}

/** Hooks `createJwksKeyProvider` calls; none receives key material or tokens. Errors they throw are ignored. */
export interface JwksKeyProviderHooks {
  /** The JWKS answered 200 or 304. Default: none. */
  readonly onJwksFetched?: (event: JwksFetchedEvent) => void;
  /** A fetch of the JWKS failed. Default: none. */
  readonly onJwksFetchFailed?: (event: JwksFetchFailedEvent) => void;
  /** A key of a new JWKS document is not trusted, and why (once per key and reason while the document keeps it). Default: none. */
  readonly onJwksKeyIgnored?: (event: JwksKeyIgnoredEvent) => void;
  /** A key the JWKS stopped listing left the trusted set at the end of its grace window (`reason: 'grace-ended'`). Default: none. */
  readonly onKeyUntrusted?: (event: KeyUntrustedEvent) => void;
}

/** The JWKS hooks, each optional. */
export type JwksHooks = { readonly [K in keyof JwksKeyProviderHooks]-?: JwksKeyProviderHooks[K] | undefined };

/** The event a JWKS hook takes. */
export type JwksHookEvent<K extends keyof JwksKeyProviderHooks> = Parameters<NonNullable<JwksKeyProviderHooks[K]>>[0];

/** Calls the configured JWKS hooks; a hook that throws never breaks key resolution. */
export class JwksHookEmitter {
  readonly #hooks: JwksHooks;

  constructor(hooks: JwksHooks) {
    this.#hooks = hooks;
  }

  emit<K extends keyof JwksKeyProviderHooks>(name: K, event: JwksHookEvent<K>): void {
    const hook = this.#hooks[name] as ((event: JwksHookEvent<K>) => void) | undefined;
    if (hook === undefined) return;
    try {
      hook(event);
    } catch {
      // A failing hook must not break key resolution.
    }
  }
}
