/** The exit codes of every `kms-jwt` command. */
export const EXIT_CODES = {
  /** It worked: the token is valid, the token or keys were printed. */
  success: 0,
  /** It did not: the token is invalid (verify), cannot be decoded (inspect), or KMS refused the request (not found, disabled, access denied, alias exists), or the revocation list is full. */
  failure: 1,
  /** The command line is wrong: unknown command or flag, a missing or malformed value, unreadable input. */
  usage: 2,
  /** KMS, the key source or the fleet's Redis is unavailable (unreachable, throttled, failing); for verify, no key to decide with could be obtained. Retrying may help. */
  unavailable: 3,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
