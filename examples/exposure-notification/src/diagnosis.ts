/*
 * The diagnosis certificate's own claims and the day arithmetic behind them. The claims describe a
 * test result and one TEK batch, never a person: no name, phone number, birth date, test-sample id
 * or device id, and no `sub`.
 */
import type { JwtPayload } from 'kms-jwt-verifier';
import { decodeBase64, TEK_MAC_BYTES } from './tek.js';

/** The results a certificate is issued for: a confirmed (lab) test or a clinical diagnosis. */
export const REPORT_TYPES = ['confirmed', 'likely'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** The private claims of a diagnosis certificate (names as in the GAEN verification protocol). */
export interface DiagnosisClaims {
  /** HMAC-SHA256 (standard base64) of the TEK batch the certificate covers, keyed by the device's secret. */
  readonly tekmac: string;
  /** What the test found. */
  readonly reportType: ReportType;
  /** The day of the test: the 10-minute interval number of its UTC midnight. */
  readonly testDateInterval: number;
  /** The day symptoms started, same unit; absent when there were none (or the patient did not say). */
  readonly symptomOnsetInterval?: number;
}

/** Seconds in one 10-minute interval, the unit of exposure-notification time. */
const INTERVAL_SECONDS = 600;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch milliseconds of the UTC midnight of a `YYYY-MM-DD` calendar date, or `undefined` if it is not one. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE.exec(value);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().startsWith(value) ? ms : undefined;
}

/** The interval number of a UTC midnight (epoch ms): days since the epoch × 144. */
export function intervalNumberOfDay(dayMs: number): number {
  return Math.floor(dayMs / 1000 / INTERVAL_SECONDS);
}

/** The `YYYY-MM-DD` date an interval number falls on. */
export function dateOfIntervalNumber(interval: number): string {
  return new Date(interval * INTERVAL_SECONDS * 1000).toISOString().slice(0, 10);
}

/** The `YYYY-MM-DD` date `days` days before the instant `nowMs` (UTC). */
export function daysBefore(nowMs: number, days: number): string {
  return new Date(Math.floor(nowMs / DAY_MS) * DAY_MS - days * DAY_MS).toISOString().slice(0, 10);
}

function isInterval(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value % 144 === 0;
}

/**
 * Reads the diagnosis claims of a verified payload; throws an Error saying which claim is wrong
 * (without its value). The ENS runs it as the verifier's `validate` hook.
 */
export function diagnosisClaimsOf(payload: JwtPayload): DiagnosisClaims {
  const { tekmac, reportType, testDateInterval, symptomOnsetInterval } = payload;
  if (typeof tekmac !== 'string' || decodeBase64(tekmac, TEK_MAC_BYTES) === undefined) throw new Error(`tekmac must be a ${TEK_MAC_BYTES}-byte HMAC in standard base64`);
  if (!(REPORT_TYPES as readonly unknown[]).includes(reportType)) throw new Error(`reportType must be one of ${REPORT_TYPES.join(', ')}`);
  if (!isInterval(testDateInterval)) throw new Error('testDateInterval must be the interval number of a UTC midnight');
  if (symptomOnsetInterval !== undefined && !isInterval(symptomOnsetInterval)) throw new Error('symptomOnsetInterval must be the interval number of a UTC midnight');
  const claims = { tekmac, reportType: reportType as ReportType, testDateInterval };
  return symptomOnsetInterval === undefined ? claims : { ...claims, symptomOnsetInterval };
}
