/*
 * Temporary exposure keys (TEKs) and the MAC that binds a batch of them to a diagnosis certificate,
 * computed as the Google/Apple Exposure Notifications verification protocol does: HMAC-SHA256, keyed
 * by a secret the device generates for this one upload, over the sorted key data and metadata.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** One TEK with its metadata, as a device uploads it (the field names of the GAEN key server API). */
export interface TemporaryExposureKey {
  /** The 16-byte key, standard base64. */
  readonly key: string;
  /** The first 10-minute interval the key was used in (seconds since the epoch / 600). */
  readonly rollingStartNumber: number;
  /** How many 10-minute intervals the key was used for: 1 to 144 (one day). */
  readonly rollingPeriod: number;
  /** The transmission risk the device computed: 0 to 8. */
  readonly transmissionRisk: number;
}

/** Most keys in one upload: 14 days of keys, with room for a key rotated within a day. */
export const MAX_KEYS_PER_UPLOAD = 30;
/** Bytes of a TEK. */
export const TEK_BYTES = 16;
/** Fewest bytes of the device's HMAC key (128 bits, as the protocol requires). */
export const MIN_HMAC_KEY_BYTES = 16;
/** Bytes of an HMAC-SHA256. */
export const TEK_MAC_BYTES = 32;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical standard base64 (with padding) of exactly `bytes` bytes, or `undefined`. */
export function decodeBase64(value: unknown, bytes?: number): Buffer | undefined {
  if (typeof value !== 'string' || !BASE64.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64');
  if (decoded.toString('base64') !== value) return undefined;
  if (bytes !== undefined && decoded.length !== bytes) return undefined;
  return decoded;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Checks an uploaded batch; throws an Error saying what is wrong (never echoing a key). */
export function parseTekBatch(value: unknown): TemporaryExposureKey[] {
  if (!Array.isArray(value) || value.length === 0) throw new Error('temporaryExposureKeys must be a non-empty array');
  if (value.length > MAX_KEYS_PER_UPLOAD) throw new Error(`temporaryExposureKeys holds more than ${MAX_KEYS_PER_UPLOAD} keys`);
  const seen = new Set<string>();
  return value.map((entry: unknown, index): TemporaryExposureKey => {
    if (typeof entry !== 'object' || entry === null) throw new Error(`temporaryExposureKeys[${index}] must be an object`);
    const { key, rollingStartNumber, rollingPeriod, transmissionRisk } = entry as Record<string, unknown>;
    if (decodeBase64(key, TEK_BYTES) === undefined) throw new Error(`temporaryExposureKeys[${index}].key must be ${TEK_BYTES} bytes in standard base64`);
    if (!isIntegerIn(rollingStartNumber, 1, 2 ** 31 - 1)) throw new Error(`temporaryExposureKeys[${index}].rollingStartNumber must be a positive 32-bit integer`);
    if (!isIntegerIn(rollingPeriod, 1, 144)) throw new Error(`temporaryExposureKeys[${index}].rollingPeriod must be an integer from 1 to 144`);
    if (!isIntegerIn(transmissionRisk, 0, 8)) throw new Error(`temporaryExposureKeys[${index}].transmissionRisk must be an integer from 0 to 8`);
    const text = key as string;
    if (seen.has(text)) throw new Error(`temporaryExposureKeys[${index}] repeats a key`);
    seen.add(text);
    return { key: text, rollingStartNumber, rollingPeriod, transmissionRisk };
  });
}

/**
 * The protocol's cleartext: for each key `base64(key).rollingStartNumber.rollingPeriod.transmissionRisk`,
 * sorted by the base64 key (byte order), joined with commas.
 */
export function tekMacCleartext(keys: readonly TemporaryExposureKey[]): string {
  return [...keys]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((k) => `${k.key}.${k.rollingStartNumber}.${k.rollingPeriod}.${k.transmissionRisk}`)
    .join(',');
}

/** HMAC-SHA256 of the batch keyed by the device's secret, in standard base64: the `tekmac` claim. */
export function computeTekMac(keys: readonly TemporaryExposureKey[], hmacKey: Uint8Array): string {
  if (keys.length === 0) throw new Error('cannot compute the MAC of an empty batch');
  if (hmacKey.length < MIN_HMAC_KEY_BYTES) throw new Error(`the HMAC key must be at least ${MIN_HMAC_KEY_BYTES} bytes`);
  return createHmac('sha256', hmacKey).update(tekMacCleartext(keys), 'utf8').digest('base64');
}

/** Whether `tekmac` is the MAC of exactly this batch under `hmacKey`, compared in constant time. */
export function tekMacMatches(keys: readonly TemporaryExposureKey[], hmacKey: Uint8Array, tekmac: string): boolean {
  const claimed = decodeBase64(tekmac, TEK_MAC_BYTES);
  if (claimed === undefined) return false;
  return timingSafeEqual(Buffer.from(computeTekMac(keys, hmacKey), 'base64'), claimed);
}
