import type { VerifierOptions } from 'kms-jwt-verifier';
import { parseDurationSeconds } from './duration.js';
import { UsageError } from './errors.js';
import { parseAlgorithms, parseClockTolerance } from './flag-values.js';

/** The claim flags of `verify` and `console`. */
export const CLAIM_OPTIONS = {
  issuer: { type: 'string', multiple: true },
  audience: { type: 'string', multiple: true },
  'any-issuer': { type: 'boolean' },
  'any-audience': { type: 'boolean' },
  subject: { type: 'string' },
  alg: { type: 'string', multiple: true },
  'clock-tolerance': { type: 'string' },
  'max-lifetime': { type: 'string' },
} as const;

/** The flags of {@link CLAIM_OPTIONS}, as parsed. */
export interface ClaimFlags {
  readonly issuer?: readonly string[] | undefined;
  readonly audience?: readonly string[] | undefined;
  readonly 'any-issuer'?: boolean | undefined;
  readonly 'any-audience'?: boolean | undefined;
  readonly subject?: string | undefined;
  readonly alg?: readonly string[] | undefined;
  readonly 'clock-tolerance'?: string | undefined;
  readonly 'max-lifetime'?: string | undefined;
}

function claimRule(values: readonly string[] | undefined, any: boolean | undefined, name: 'issuer' | 'audience', required: boolean): readonly string[] | null {
  const given = values ?? [];
  if (any === true && given.length > 0) throw new UsageError(`give --${name} or --any-${name}, not both`);
  if (any === true) return null;
  if (given.length === 0 && !required) return null;
  if (given.length === 0) throw new UsageError(`--${name} is required: the accepted ${name === 'issuer' ? 'iss' : 'aud'} value(s), or --any-${name} to accept any`);
  return given;
}

/**
 * The verifier's claim rules from the claim flags. With `requireIssuerAudience` (verify), leaving out
 * both --issuer and --any-issuer (or --audience and --any-audience) is a usage error; without it
 * (console), it accepts any.
 */
export function claimRulesFrom(values: ClaimFlags, requireIssuerAudience: boolean): Omit<VerifierOptions, 'keys'> {
  const algorithms = parseAlgorithms(values.alg);
  const clockToleranceSeconds = parseClockTolerance(values['clock-tolerance']);
  let maxTokenLifetimeSeconds: number | null | undefined;
  if (values['max-lifetime'] !== undefined) {
    maxTokenLifetimeSeconds = values['max-lifetime'] === 'none' ? null : parseDurationSeconds(values['max-lifetime']);
    if (maxTokenLifetimeSeconds === undefined || maxTokenLifetimeSeconds === 0) throw new UsageError(`--max-lifetime must be a duration such as 1h or 7d, or none, not ${values['max-lifetime']}`);
  }
  if (values.subject !== undefined && values.subject.length === 0) throw new UsageError('--subject must not be empty');
  return {
    issuer: claimRule(values.issuer, values['any-issuer'], 'issuer', requireIssuerAudience),
    audience: claimRule(values.audience, values['any-audience'], 'audience', requireIssuerAudience),
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    ...(algorithms.length === 0 ? {} : { algorithms }),
    ...(clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds }),
    ...(maxTokenLifetimeSeconds === undefined ? {} : { maxTokenLifetimeSeconds }),
    cache: false,
  };
}
