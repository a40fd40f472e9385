/** Every error code this package throws; `switch (error.code)` on it. */
export type KmsJwtErrorCode =
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_JWS_HEADER_UNSUPPORTED'
  | 'ERR_ALG_NOT_ALLOWED'
  | 'ERR_JWS_SIGNATURE_INVALID'
  | 'ERR_JWS_SIGNATURE_HIGH_S'
  | 'ERR_KID_MISSING'
  | 'ERR_KID_UNTRUSTED'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_NOT_YET_VALID'
  | 'ERR_JWT_ISSUED_IN_FUTURE'
  | 'ERR_JWT_TOO_OLD'
  | 'ERR_JWT_LIFETIME_TOO_LONG'
  | 'ERR_JWT_CLAIM_MISSING'
  | 'ERR_JWT_CLAIM_INVALID'
  | 'ERR_TOKEN_IS_MESSAGE'
  | 'ERR_MESSAGE_TYPE_INVALID'
  | 'ERR_MESSAGE_REPLAYED'
  | 'ERR_KEY_SOURCE_UNAVAILABLE'
  | 'ERR_REPLAY_CHECK_UNAVAILABLE'
  | 'ERR_JWKS_INVALID'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_ALG_UNSUPPORTED_BY_RUNTIME'
  | 'ERR_SIGNATURE_CHECK_UNAVAILABLE';

/**
 * What kind of failure: the token itself, its claims, key trust, the key source's availability,
 * or the verifier's configuration.
 */
export type KmsJwtErrorFamily = 'token' | 'claims' | 'keys' | 'infrastructure' | 'config';

/**
 * Base class of every error this package throws. Messages say what to fix and never contain the
 * token, a signature or key material.
 */
export abstract class KmsJwtError extends Error {
  abstract readonly code: KmsJwtErrorCode;
  abstract readonly family: KmsJwtErrorFamily;
  /** The HTTP status an adapter should answer with: 401 (reject the credentials) or 503 (retry later). */
  abstract readonly status: 401 | 503 | 500;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** A verification failure about the token (401). */
export abstract class JwtTokenError extends KmsJwtError {
  readonly family = 'token' as const;
  readonly status = 401 as const;
}

/** Not a compact JWS: wrong segment count, bad base64url, a header or payload that is not a JSON object. */
export class JwtMalformedError extends JwtTokenError {
  readonly code = 'ERR_TOKEN_MALFORMED' as const;
}

/** Longer than `maxTokenBytes`; rejected before any parsing. */
export class JwtTooLargeError extends JwtTokenError {
  readonly code = 'ERR_TOKEN_TOO_LARGE' as const;
}

/** A header parameter this verifier refuses: embedded or remote keys, unknown `crit`, `b64: false`. */
export class JwsHeaderUnsupportedError extends JwtTokenError {
  readonly code = 'ERR_JWS_HEADER_UNSUPPORTED' as const;
}

/** `alg` is not allowed for the key that `kid` names (or is never allowed: `none`, HMAC). */
export class AlgNotAllowedError extends JwtTokenError {
  readonly code = 'ERR_ALG_NOT_ALLOWED' as const;
}

/** The signature does not verify with the trusted key, or is not in the JWS encoding. */
export class SignatureInvalidError extends JwtTokenError {
  readonly code = 'ERR_JWS_SIGNATURE_INVALID' as const;
}

/**
 * With `rejectHighS`: the ECDSA signature verifies but is not in canonical low-S form (`s > n / 2`),
 * as a malleated copy of a token, or a token from an issuer that does not normalise, has.
 */
export class SignatureHighSError extends JwtTokenError {
  readonly code = 'ERR_JWS_SIGNATURE_HIGH_S' as const;
}

/**
 * The access-token path was given a signed message (header `typ` `kms-jwt-message+jws`, from
 * kms-jwt-signer's `createKmsMessageSigner`): refused whatever the `typ` option says, so that a
 * message signed by a key that also signs access tokens can never be used as one (RFC 8725 §3.11).
 */
export class TokenIsMessageError extends JwtTokenError {
  readonly code = 'ERR_TOKEN_IS_MESSAGE' as const;
}

/**
 * The message path was given a JWS that is not a signed message: its header `typ` is missing or is
 * not `kms-jwt-message+jws` (an access token, `typ: JWT`, is never accepted as a message).
 */
export class MessageTypeInvalidError extends JwtTokenError {
  readonly code = 'ERR_MESSAGE_TYPE_INVALID' as const;
}

/** A verification failure about key trust (401). */
export abstract class KeyTrustError extends KmsJwtError {
  readonly family = 'keys' as const;
  readonly status = 401 as const;
}

/** The header has no `kid`, so no trusted key can be chosen. */
export class KidMissingError extends KeyTrustError {
  readonly code = 'ERR_KID_MISSING' as const;
}

/** The `kid` names no trusted key (or a key that is no longer trusted). */
export class KidUntrustedError extends KeyTrustError {
  readonly code = 'ERR_KID_UNTRUSTED' as const;
}

/** A verification failure about the claims (401); `claim` names the claim. */
export abstract class JwtClaimsError extends KmsJwtError {
  readonly family = 'claims' as const;
  readonly status = 401 as const;
  /** The claim (or header parameter, for `typ`) that failed. */
  readonly claim: string;
  /** What was expected, when there is one value to show (never a secret). */
  readonly expected?: unknown;
  /** What the token carried. */
  readonly actual?: unknown;

  constructor(message: string, details: { claim: string; expected?: unknown; actual?: unknown; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.claim = details.claim;
    // Declared fields (ES2022): own properties, `undefined` when not given, either way.
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

/** `exp` has passed (beyond the clock tolerance). */
export class JwtExpiredError extends JwtClaimsError {
  readonly code = 'ERR_JWT_EXPIRED' as const;
}

/** `nbf` is still in the future (beyond the clock tolerance). */
export class JwtNotYetValidError extends JwtClaimsError {
  readonly code = 'ERR_JWT_NOT_YET_VALID' as const;
}

/** `iat` is in the future (beyond the clock tolerance). */
export class JwtIssuedInFutureError extends JwtClaimsError {
  readonly code = 'ERR_JWT_ISSUED_IN_FUTURE' as const;
}

/** Older than `maxTokenAgeSeconds` by its `iat`. */
export class JwtTooOldError extends JwtClaimsError {
  readonly code = 'ERR_JWT_TOO_OLD' as const;
}

/** Lives longer than `maxTokenLifetimeSeconds`: `exp − iat`, or `exp − now` without `iat`. */
export class JwtLifetimeTooLongError extends JwtClaimsError {
  readonly code = 'ERR_JWT_LIFETIME_TOO_LONG' as const;
}

/** A required claim is absent. */
export class JwtClaimMissingError extends JwtClaimsError {
  readonly code = 'ERR_JWT_CLAIM_MISSING' as const;
}

/** A claim has the wrong type or value (iss, aud, sub, typ, or the `validate` hook's verdict). */
export class JwtClaimInvalidError extends JwtClaimsError {
  readonly code = 'ERR_JWT_CLAIM_INVALID' as const;
}

/** The message verifier's `isReplayed` hook answered `true`: the message id (`jti`) was seen before. */
export class MessageReplayedError extends JwtClaimsError {
  readonly code = 'ERR_MESSAGE_REPLAYED' as const;
}

/** The key source is down and holds nothing usable for this `kid` (503: retry later, not 401). */
export class KeySourceUnavailableError extends KmsJwtError {
  readonly code = 'ERR_KEY_SOURCE_UNAVAILABLE' as const;
  readonly family = 'infrastructure' as const;
  readonly status = 503 as const;
}

/**
 * The message verifier's `isReplayed` hook threw or rejected (its store is down, say), so whether
 * the message is a replay is unknown (503: retry later; the hook's error is the `cause`).
 */
export class ReplayCheckUnavailableError extends KmsJwtError {
  readonly code = 'ERR_REPLAY_CHECK_UNAVAILABLE' as const;
  readonly family = 'infrastructure' as const;
  readonly status = 503 as const;
}

/** The verifier's options are wrong: thrown by `createVerifier`, or by `verify` for invalid per-call overrides only. */
export class VerifierConfigError extends KmsJwtError {
  readonly code = 'ERR_CONFIG_INVALID' as const;
  readonly family = 'config' as const;
  readonly status = 500 as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(`kms-jwt-verifier: ${message}`, options);
  }
}

/**
 * The runtime's crypto cannot verify a trusted key's algorithm: ES256K (secp256k1) on workerd, in
 * browsers and on Bun (Web Crypto and BoringSSL have no secp256k1), or EdDSA where Web Crypto lacks
 * Ed25519. Thrown by `createVerifier` for such a static key; a verification that needs such a key
 * from a resolver rejects with it. Not the token's fault (500): verify on Node.js or Deno, or trust
 * keys of another key spec.
 */
export class AlgUnsupportedByRuntimeError extends KmsJwtError {
  readonly code = 'ERR_ALG_UNSUPPORTED_BY_RUNTIME' as const;
  readonly family = 'config' as const;
  readonly status = 500 as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(`kms-jwt-verifier: ${message}`, options);
  }
}

/**
 * The signature check could not run: the runtime's crypto threw instead of answering (a trusted
 * key it cannot use, such as a resolver's `publicKey` that is not a key object or a key of another
 * type than its `algorithms` say, or a crypto library without the algorithm). Whether the token is
 * valid is unknown, so it is neither accepted nor refused as invalid: this is the environment's
 * fault (500), and the runtime's error is the `cause`. Fix the key resolver or the runtime.
 */
export class SignatureCheckUnavailableError extends KmsJwtError {
  readonly code = 'ERR_SIGNATURE_CHECK_UNAVAILABLE' as const;
  readonly family = 'config' as const;
  readonly status = 500 as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(`kms-jwt-verifier: ${message}`, options);
  }
}
