import type { JsonWebKey } from 'node:crypto';
import { bitLength, EC_CURVES, jwkOf, type KeyDescription } from '../key-description.js';
import type { WebCryptoPublicKey } from '../public-key.js';

/** A public key of the Web Crypto build: parsed and checked at once, imported into Web Crypto when first used. */
class ParsedPublicKey implements WebCryptoPublicKey {
  readonly type = 'public' as const;
  readonly asymmetricKeyType: WebCryptoPublicKey['asymmetricKeyType'];
  readonly asymmetricKeyDetails: WebCryptoPublicKey['asymmetricKeyDetails'];
  readonly #jwk: JsonWebKey;

  constructor(key: KeyDescription) {
    this.#jwk = Object.freeze(jwkOf(key));
    switch (key.kind) {
      case 'ec':
        this.asymmetricKeyType = 'ec';
        this.asymmetricKeyDetails = Object.freeze({ namedCurve: EC_CURVES[key.curve].openSslName });
        break;
      case 'rsa':
        this.asymmetricKeyType = 'rsa';
        this.asymmetricKeyDetails = Object.freeze({ modulusLength: bitLength(key.n) });
        break;
      case 'ed25519':
        this.asymmetricKeyType = 'ed25519';
        this.asymmetricKeyDetails = Object.freeze({});
        break;
    }
    Object.freeze(this);
  }

  export(options: { format: 'jwk' }): JsonWebKey {
    if (options?.format !== 'jwk') throw new TypeError('a Web Crypto build key exports as a JWK only: export({ format: "jwk" })');
    return { ...this.#jwk };
  }
}

/** A key object of the Web Crypto build from a described key; secp256k1 is refused, Web Crypto has no such curve. */
export function webPublicKey(key: KeyDescription | string): WebCryptoPublicKey {
  if (typeof key === 'string') throw new Error(key);
  if (key.kind === 'ec' && key.curve === 'secp256k1') throw new Error('secp256k1 (ES256K) keys cannot be used here: Web Crypto has no secp256k1');
  return new ParsedPublicKey(key);
}
