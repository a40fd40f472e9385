import { JWS_ALGORITHMS, type JwsAlgorithm } from 'kms-jwt-verifier';
import { parseDurationSeconds } from './duration.js';
import { UsageError } from './errors.js';

/** `--alg <alg>` of a signing command: the JWS algorithm, or `undefined` for the key spec's own. */
export function parseAlgorithm(value: string | undefined): JwsAlgorithm | undefined {
  if (value === undefined) return undefined;
  if (!(JWS_ALGORITHMS as readonly string[]).includes(value)) throw new UsageError(`--alg must be one of ${JWS_ALGORITHMS.join(', ')}, not ${value}`);
  return value as JwsAlgorithm;
}

/** `--alg`, repeatable: each a JWS algorithm a KMS key makes. */
export function parseAlgorithms(values: readonly string[] | undefined): JwsAlgorithm[] {
  const algorithms = values ?? [];
  const unknown = algorithms.filter((alg) => !(JWS_ALGORITHMS as readonly string[]).includes(alg));
  if (unknown.length > 0) throw new UsageError(`--alg must be one of ${JWS_ALGORITHMS.join(', ')}, not ${unknown.join(', ')}`);
  return algorithms as JwsAlgorithm[];
}

/** `--clock-tolerance <time>`: whole seconds, or `undefined` when not given. */
export function parseClockTolerance(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) throw new UsageError(`--clock-tolerance must be a duration such as 30, 30s or 2m, not ${value}`);
  return seconds;
}
