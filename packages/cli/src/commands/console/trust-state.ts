import type { KMSClient } from '@aws-sdk/client-kms';
import type { RevocationList } from 'kms-jwt-fleet';
import type { JsonWebKeySet } from 'kms-jwt-verifier';
import type { TrustedKeys } from '../../lib/trusted-keys.js';
import { describeKey } from '../keys/kms-keys.js';
import type { FetchFailure, ObservedRotation, TrustRecorder, UntrustedKey } from './trust-recorder.js';

/** The provider's default `retiredKeyGraceMs` (the console does not change it): how long a retired alias target stays trusted. */
export const RETIRED_KEY_GRACE_MS = 3_600_000;

/** Why a key is trusted; a key may be trusted for several. */
export type TrustReason =
  | { readonly kind: 'configured' }
  | { readonly kind: 'alias-target'; readonly alias: string }
  | { readonly kind: 'grace'; readonly alias: string; readonly graceUntilMs: number }
  | { readonly kind: 'offline' }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'jwks'; readonly url: string };

/** One trusted key as the page shows it. */
export interface KeyView {
  readonly keyArn: string;
  readonly keySpec: string | null;
  readonly algorithms: readonly string[];
  /** DescribeKey's KeyState (`Enabled`, `Disabled`, `PendingDeletion`...); `null` for offline and remote JWKS keys or when KMS did not say. */
  readonly keyState: string | null;
  readonly reasons: readonly TrustReason[];
  /** When KMS last confirmed the key while the console ran (epoch ms); `null` if it did not (offline, or before the console started). */
  readonly lastConfirmedMs: number | null;
}

/** An alias with its current target and the retired targets still within their grace window. */
export interface AliasView {
  readonly alias: string;
  readonly keyArn: string | null;
  readonly retired: readonly { readonly keyArn: string; readonly retiredAtMs: number; readonly graceUntilMs: number }[];
}

/** The fleet's revocation list, when --redis-url is given. */
export interface FleetView {
  readonly where: string;
  /** The unexpired revocations, soonest exp first, at most {@link MAX_SHOWN}. */
  readonly entries: readonly { readonly iss: string; readonly jti: string; readonly exp: number }[];
  readonly total: number;
  /** When the mirror was last known complete (epoch ms); `null` before it loaded. */
  readonly syncedAtMs: number | null;
}

/** What `GET /api/state` answers. */
export interface ConsoleState {
  readonly nowMs: number;
  /** Where the keys come from: the KMS endpoint, `offline keys`, or `the JWKS at <url>`. */
  readonly where: string;
  readonly retiredKeyGraceMs: number;
  readonly claims: { readonly issuer: readonly string[] | null; readonly audience: readonly string[] | null };
  readonly keys: readonly KeyView[];
  readonly aliases: readonly AliasView[];
  readonly untrusted: readonly UntrustedKey[];
  readonly rotations: readonly ObservedRotation[];
  readonly failures: readonly FetchFailure[];
  readonly fleet: FleetView | null;
}

/** The most revocations the page lists. */
const MAX_SHOWN = 200;

/** What the state is built from. */
export interface TrustStateSources {
  /** The keys the console verifies with (KMS and offline, or a remote JWKS). */
  readonly trusted: TrustedKeys;
  readonly recorder: TrustRecorder;
  /** The `--key` references (ARN or key id). */
  readonly configuredKeys: readonly string[];
  /** Trust given by an offline snapshot (no --key or --alias). */
  readonly offlineSnapshot: boolean;
  readonly claims: ConsoleState['claims'];
  readonly fleet: { readonly list: RevocationList; readonly where: string } | undefined;
  readonly nowMs: () => number;
}

function isConfigured(keyArn: string, refs: readonly string[]): boolean {
  return refs.some((ref) => ref === keyArn || keyArn.endsWith(`/${ref}`));
}

function jwkSpec(jwk: JsonWebKeySet['keys'][number]): string | null {
  if (jwk.kty === 'EC' && typeof jwk.crv === 'string') return `ECC_NIST_${jwk.crv.replace('-', '')}`;
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string') return `RSA_${Math.round((Buffer.from(jwk.n, 'base64url').length * 8) / 1024) * 1024}`;
  return null;
}

async function keyStates(client: KMSClient | undefined, keyArns: readonly string[], where: string): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (client === undefined) return states;
  await Promise.all(
    keyArns.map(async (keyArn) => {
      const metadata = await describeKey(client, keyArn, where).catch(() => undefined);
      if (metadata?.KeyState !== undefined) states.set(keyArn, metadata.KeyState);
    }),
  );
  return states;
}

/** The trust state now: the provider's trusted keys and aliases, what its hooks told, KMS key states, the fleet's list. */
export async function trustState(sources: TrustStateSources): Promise<ConsoleState> {
  const { trusted, recorder } = sources;
  const now = sources.nowMs();
  const snapshot = trusted.kind === 'kms' ? trusted.provider.exportSnapshot() : { keys: [], aliases: [] };
  const aliases: AliasView[] = snapshot.aliases.map((alias) => ({
    alias: alias.alias,
    keyArn: alias.keyArn,
    retired: alias.retired.map((old) => ({ keyArn: old.keyArn, graceUntilMs: old.graceUntilMs, retiredAtMs: old.graceUntilMs - RETIRED_KEY_GRACE_MS })),
  }));
  const reasonsOf = (keyArn: string): TrustReason[] => {
    const reasons: TrustReason[] = [];
    if (isConfigured(keyArn, sources.configuredKeys)) reasons.push({ kind: 'configured' });
    for (const alias of aliases) {
      if (alias.keyArn === keyArn) reasons.push({ kind: 'alias-target', alias: alias.alias });
      for (const old of alias.retired) if (old.keyArn === keyArn) reasons.push({ kind: 'grace', alias: alias.alias, graceUntilMs: old.graceUntilMs });
    }
    if (reasons.length === 0 && sources.offlineSnapshot) reasons.push({ kind: 'snapshot' });
    return reasons;
  };
  const kmsKeys = snapshot.keys.map((key) => key.keyArn);
  const states = await keyStates(trusted.client, [...new Set([...kmsKeys, ...recorder.untrusted().map((key) => key.keyArn)])], trusted.where);
  const keys: KeyView[] = snapshot.keys.map((key) => ({
    keyArn: key.keyArn,
    keySpec: key.keySpec,
    algorithms: key.algorithms,
    keyState: states.get(key.keyArn) ?? null,
    reasons: reasonsOf(key.keyArn),
    lastConfirmedMs: recorder.confirmedAt(key.keyArn) ?? null,
  }));
  const known = new Set(kmsKeys);
  const reason: TrustReason = trusted.kind === 'jwks' ? { kind: 'jwks', url: trusted.url } : { kind: 'offline' };
  for (const jwk of trusted.provider.exportJwks().keys) {
    if (typeof jwk.kid !== 'string' || known.has(jwk.kid)) continue;
    known.add(jwk.kid);
    keys.push({ keyArn: jwk.kid, keySpec: jwkSpec(jwk), algorithms: typeof jwk.alg === 'string' ? [jwk.alg] : [], keyState: null, reasons: [reason], lastConfirmedMs: null });
  }
  const untrusted = recorder.untrusted().map((key) => ({ ...key, ...(states.has(key.keyArn) ? { message: `${key.message} (KMS key state now: ${states.get(key.keyArn)})` } : {}) }));
  let fleet: FleetView | null = null;
  if (sources.fleet !== undefined) {
    const entries = sources.fleet.list.list().sort((a, b) => a.exp - b.exp || a.iss.localeCompare(b.iss) || a.jti.localeCompare(b.jti));
    fleet = {
      where: sources.fleet.where,
      entries: entries.slice(0, MAX_SHOWN).map(({ iss, jti, exp }) => ({ iss, jti, exp })),
      total: entries.length,
      syncedAtMs: sources.fleet.list.syncedAtMs() ?? null,
    };
  }
  return {
    nowMs: now,
    where: trusted.where,
    retiredKeyGraceMs: RETIRED_KEY_GRACE_MS,
    claims: sources.claims,
    keys,
    aliases,
    untrusted: untrusted.filter((key) => !known.has(key.keyArn)),
    rotations: recorder.rotations(),
    failures: recorder.failures(),
    fleet,
  };
}
