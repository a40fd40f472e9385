import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../lib/command.js';
import { KEY_OPTIONS, keyOptionsUsage } from '../../lib/trusted-keys.js';

export const verifyMessageOptions = {
  detached: { type: 'string' },
  ...KEY_OPTIONS,
  'max-age': { type: 'string' },
  bytes: { type: 'boolean' },
  alg: { type: 'string', multiple: true },
  'clock-tolerance': { type: 'string' },
  json: { type: 'boolean' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const verifyMessage = defineCommand({
  name: 'verify-message',
  summary: 'verify a signed message (compact or detached) and print it',
  usage: `Usage: kms-jwt verify-message [file|-] [--detached <file>] (--key|--alias|--jwks|--pem --kid|--snapshot) --max-age <time|none> [options]

Verifies a signed message (from kms-jwt sign-message, or kms-jwt-signer's createKmsMessageSigner):
its typ must be kms-jwt-message+jws (an access token is refused), its kid must name a trusted key,
its alg must be one that key makes, its signature must verify, and it must be neither expired nor
older than --max-age. Prints the message, exactly as signed, to stdout and VALID with the key and
message id to stderr.

Input:
  [file|-]              the compact JWS; with --detached, the message itself, exactly as received
                        (default: stdin)
  --detached <file>     the detached JWS (header..signature, from sign-message --detached) is in
                        this file, and the input is the message it signs

Trusted keys (at least one; they add up):
${keyOptionsUsage('messages')}

Checks:
  --max-age <time|none> the oldest message accepted, by its iat: 5m, 1h, 7d, or none for any age (required)
  --bytes               accept any content type (default: JSON only, parsed strictly)
  --alg <alg>           accepted algorithms (default: each key's own); repeatable
  --clock-tolerance <time>  clock skew allowed for exp, iat and the age: 30, 30s, 2m (default 0)

Output:
  --json                print {"valid":true,"messageId","key","contentType","header","payload"} (payload is
                        the JSON value; payloadBase64 instead with --bytes) or {"valid":false,"error"}

KMS (for --key and --alias):
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 valid; 1 invalid, with the error code and reason on stderr; 2 usage error;
            3 no verdict: the keys could not be obtained (KMS unavailable, a --key KMS will not
            provide, a key file that cannot be loaded).

Examples:
  kms-jwt verify-message --alias alias/events --max-age 1h order.jws > order.json
  kms-jwt verify-message --jwks jwks.json --max-age 15m --detached order.sig order.json --json
`,
  options: verifyMessageOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
