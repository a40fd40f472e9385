import { defineCommand, HELP_OPTION } from '../../lib/command.js';

export const inspectOptions = {
  json: { type: 'boolean' },
  ...HELP_OPTION,
} as const;

export const inspect = defineCommand({
  name: 'inspect',
  summary: 'decode a JWT WITHOUT verifying it (output labelled UNVERIFIED)',
  usage: `Usage: kms-jwt inspect [token|-] [options]

Decodes a JWT's header and payload WITHOUT verifying anything: not the signature, not the key, not
a single claim. Every output is labelled UNVERIFIED. Use kms-jwt verify to decide whether to trust a
token. The token comes from the argument or, when left out or '-', from stdin. No KMS call is made.

Options:
  --json                print {"verified":false,"warning","header","payload","signatureBytes"}
  -h, --help            show this help

Exit codes: 0 decoded, 1 not a decodable JWT, 2 usage error.
`,
  options: inspectOptions,
  maxPositionals: 1,
  load: () => import('./run.js'),
});
