import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A leak is any run of this many characters of a secret's text form: long enough that it never
 * matches by chance (18 bytes of base64), short enough to catch a truncated token or a PEM line.
 */
export const WINDOW = 24;

/** Runs of the characters base64, base64url and hex are made of: the only places a window can be. */
const CANDIDATE_RUN = new RegExp(`[A-Za-z0-9+/_=-]{${WINDOW},}`, 'g');

/** What was found, never the secret itself: which secret, and where in the scanned text. */
export interface Leak {
  readonly secret: string;
  readonly offset: number;
}

function windowsOf(text: string): string[] {
  const windows: string[] = [];
  for (let start = 0; start + WINDOW <= text.length; start += 1) windows.push(text.slice(start, start + WINDOW));
  return windows;
}

/** The secrets of a run (tokens, what was sent to KMS Sign, private keys), and a scanner for them. */
export class Secrets {
  readonly #windows = new Map<string, string>();
  readonly #literals = new Map<string, string>();
  #tokens = 0;
  #privateKeys = 0;

  get tokenCount(): number {
    return this.#tokens;
  }

  get privateKeyCount(): number {
    return this.#privateKeys;
  }

  #add(text: string, label: string): void {
    for (const window of windowsOf(text)) if (!this.#windows.has(window)) this.#windows.set(window, label);
  }

  /**
   * A token, or any compact-JWS-shaped string made from one: every segment and the signing input
   * (header.payload), in base64url as sent and, for the signing input and the signature bytes, in
   * the other encodings a log might show them (base64, hex).
   */
  addToken(token: string, label: string): void {
    this.#tokens += 1;
    this.#add(token, `token ${label}`);
    const [header = '', payload = '', signature = ''] = token.split('.');
    const signingInput = `${header}.${payload}`;
    this.#add(Buffer.from(signingInput, 'latin1').toString('base64'), `token ${label} (signing input, base64)`);
    const signatureBytes = Buffer.from(signature, 'base64url');
    if (signatureBytes.length >= WINDOW) {
      this.#add(signatureBytes.toString('base64'), `token ${label} (signature, base64)`);
      this.#add(signatureBytes.toString('hex'), `token ${label} (signature, hex)`);
    }
  }

  /** Bytes sent to KMS Sign (a signing input, or its digest) or received from it (a DER signature). */
  addBytes(bytes: Uint8Array, label: string): void {
    const buffer = Buffer.from(bytes);
    this.#add(buffer.toString('base64'), `${label} (base64)`);
    this.#add(buffer.toString('base64url'), `${label} (base64url)`);
    this.#add(buffer.toString('hex'), `${label} (hex)`);
    if (/^[\x20-\x7e]+$/.test(buffer.toString('latin1'))) this.#add(buffer.toString('latin1'), `${label} (text)`);
  }

  /**
   * A private key as kms-local stores it (PKCS#8 PEM): its private scalar in every usual encoding,
   * and every window of the PEM's base64 that is secret — those that neither the public key's
   * encodings (SPKI, JWK) nor another key of the same type (the DER structure every such key shares)
   * also contain.
   */
  addPrivateKeyPem(pem: string, label: string): void {
    this.#privateKeys += 1;
    const privateKey = createPrivateKey(pem);
    const publicKey = createPublicKey(privateKey);
    const shared = new Set<string>();
    const share = (text: string | undefined): void => {
      if (text !== undefined) for (const window of windowsOf(text)) shared.add(window);
    };
    const publicJwk = publicKey.export({ format: 'jwk' });
    share(pemBody(publicKey.export({ type: 'spki', format: 'pem' }).toString()));
    share(publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'));
    for (const member of ['x', 'y', 'n', 'e'] as const) share(publicJwk[member]);
    share(pemBody(exportPkcs8(sameTypeKey(privateKey))));
    for (const window of windowsOf(pemBody(pem))) if (!shared.has(window) && !this.#windows.has(window)) this.#windows.set(window, `private key ${label} (PEM)`);

    const d = privateKey.export({ format: 'jwk' }).d;
    if (typeof d !== 'string') throw new Error(`private key ${label} has no private scalar`);
    this.addBytes(Buffer.from(d, 'base64url'), `private key ${label} (private scalar)`);
  }

  /** A text that must not appear at all (case-sensitive). */
  addLiteral(text: string, label: string): void {
    this.#literals.set(text, label);
  }

  /** Every secret that appears in `text`, with where; empty when the text is clean. */
  findLeaks(text: string): Leak[] {
    const leaks: Leak[] = [];
    const found = new Set<string>();
    for (const [literal, label] of this.#literals) {
      const at = text.indexOf(literal);
      if (at >= 0) leaks.push({ secret: label, offset: at });
    }
    for (const run of text.matchAll(CANDIDATE_RUN)) {
      for (let start = 0; start + WINDOW <= run[0].length; start += 1) {
        const label = this.#windows.get(run[0].slice(start, start + WINDOW));
        if (label !== undefined && !found.has(label)) {
          found.add(label);
          leaks.push({ secret: label, offset: (run.index ?? 0) + start });
        }
      }
    }
    return leaks;
  }
}

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
}

function exportPkcs8(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Another key of the same type and size, whose PKCS#8 shares the structure but no secret. */
function sameTypeKey(key: KeyObject): KeyObject {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return generateKeyPairSync('ec', { namedCurve: details.namedCurve ?? 'prime256v1' }).privateKey;
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: details.modulusLength ?? 2048 }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
    default:
      throw new Error(`no same-type key for ${String(key.asymmetricKeyType)}`);
  }
}

/** The private keys kms-local persisted to its data file (`privateKeyPem` of every asymmetric key), by key id. */
export function privateKeysOfDataFile(dataFile: string): Map<string, string> {
  const data = JSON.parse(readFileSync(dataFile, 'utf8')) as { keys: { keyId: string; privateKeyPem?: string }[] };
  const keys = new Map<string, string>();
  for (const key of data.keys) if (key.privateKeyPem !== undefined) keys.set(key.keyId, key.privateKeyPem);
  return keys;
}

/**
 * Text that never belongs in a log: any PEM private key block, and a private KeyObject (which
 * reaching a log means a logger could export it).
 */
export function addForbiddenLiterals(secrets: Secrets): void {
  secrets.addLiteral('PRIVATE KEY', 'a PEM private key block');
  secrets.addLiteral('PrivateKeyObject', 'a private KeyObject');
}
