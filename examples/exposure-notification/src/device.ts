/*
 * A simulated phone: the TEKs it used over the last days, and the secret HMAC key it generates for
 * one upload. The EVS only ever sees the MAC; the ENS gets the keys and the secret.
 */
import { randomBytes } from 'node:crypto';
import { computeTekMac, type TemporaryExposureKey } from './tek.js';

const DAY_MS = 86_400_000;

/** A device's keys and its upload secret. */
export interface Device {
  /** One TEK per day before today, most recent first. */
  readonly keys: readonly TemporaryExposureKey[];
  /** 32 random bytes, generated for this upload only. */
  readonly hmacKey: Buffer;
  /** The MAC the device sends the EVS: HMAC-SHA256 of `keys` under `hmacKey`. */
  readonly tekmac: string;
}

/** A random TEK for the day starting at `dayMs` (UTC midnight). */
export function randomTek(dayMs: number, transmissionRisk: number): TemporaryExposureKey {
  return { key: randomBytes(16).toString('base64'), rollingStartNumber: dayMs / 600_000, rollingPeriod: 144, transmissionRisk };
}

/** A device with `days` daily keys ending yesterday (by `nowMs`). */
export function createDevice(nowMs: number, days = 14): Device {
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const keys = Array.from({ length: days }, (_, index) => randomTek(todayMs - (index + 1) * DAY_MS, index < 5 ? 6 : 3));
  const hmacKey = randomBytes(32);
  return { keys, hmacKey, tekmac: computeTekMac(keys, hmacKey) };
}

/** The body of an upload to the ENS (the GAEN key server's field names). */
export function uploadBody(keys: readonly TemporaryExposureKey[], hmacKey: Uint8Array, certificate: string): Record<string, unknown> {
  return { temporaryExposureKeys: keys, hmacKey: Buffer.from(hmacKey).toString('base64'), verificationPayload: certificate };
}
