import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../lib/command.js';

export const signMessageOptions = {
  'key-id': { type: 'string' },
  'content-type': { type: 'string' },
  detached: { type: 'boolean' },
  'expires-in': { type: 'string' },
  'message-id': { type: 'string' },
  alg: { type: 'string' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const signMessage = defineCommand({
  name: 'sign-message',
  summary: 'sign a message (JSON or any bytes) with a KMS key as a JWS, compact or detached',
  usage: `Usage: kms-jwt sign-message --key-id <key> [file|-] [options]

Signs a message for another service with a KMS key (KMS Sign; a SHA digest above 4096 bytes) and
prints the JWS, and nothing else, to stdout. The message is the file's bytes, or stdin's when the
file is left out or '-', signed exactly as they are (up to 256 KiB). Its header carries
typ kms-jwt-message+jws, kid (the ARN of the key that signed), cty, iat and a message id (jti):
kms-jwt verify-message and kms-jwt-verifier's createMessageVerifier check it; an access-token
verifier never accepts it.

Key:
  --key-id <key>          key id, key ARN, alias name (alias/...) or alias ARN (required)
  --alg <alg>             JWS algorithm, for RSA keys: RS256 (default), RS384, RS512, PS256, PS384, PS512

Message:
  --content-type <type>   the message's media type (default application/json: then it must be JSON)
  --detached              print only the detached JWS (header..signature, RFC 7515 Appendix F) to
                          send beside the unchanged message (an SQS attribute, an HTTP header)
                          (default: the compact JWS, the message inside)
  --expires-in <time>     exp: 900, 90s, 15m, 1h, 7d from now (default: none; verifiers bound the age)
  --message-id <id>       the message id, jti (default: a random UUID)

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help              show this help

Exit codes: 0 signed, 1 KMS refused (key not found, disabled, access denied; an Ed25519 key and a
            message over 4096 bytes of signing input), 2 usage error or invalid message (not JSON,
            over 256 KiB, unreadable file), 3 KMS unavailable.

Examples:
  kms-jwt sign-message --key-id alias/events order.json > order.jws
  kms-jwt sign-message --key-id alias/events --detached order.json > order.sig
  kms-jwt sign-message --key-id alias/events --content-type text/csv --expires-in 1h < report.csv
`,
  options: signMessageOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
