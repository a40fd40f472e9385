import { defineCommand, HELP_OPTION, KMS_OPTIONS, KMS_OPTIONS_USAGE } from '../../../lib/command.js';

export const listOptions = {
  signing: { type: 'boolean' },
  json: { type: 'boolean' },
  ...KMS_OPTIONS,
  ...HELP_OPTION,
} as const;

export const keysList = defineCommand({
  name: 'keys list',
  summary: 'list the keys with their key spec, usage, state and aliases',
  usage: `Usage: kms-jwt keys list [--signing] [--json] [options]

Lists the KMS keys of the account and region (ListKeys, every page), each with what DescribeKey says
of it (key spec, key usage, key state, deletion date) and the aliases that point to it (ListAliases,
every page). Keys kms-jwt cannot sign with (other key usages or specs) are listed too, unless
--signing; AWS managed keys are listed as KMS lists them.

Options:
  --signing             only the keys kms-jwt signs with (SIGN_VERIFY and a key spec it has a JWS
                        algorithm for)
  --json                print {"keys":[{"keyArn","keyId","keySpec","keyUsage","keyState","signing",
                        "description","creationDate","deletionDate","aliases"}]} instead of a table

KMS:
${KMS_OPTIONS_USAGE}
  -h, --help            show this help

Exit codes: 0 listed (an empty list included), 1 KMS refused (access denied), 2 usage error,
            3 KMS unavailable.

Example:
  kms-jwt keys list --signing
`,
  options: listOptions,
  maxPositionals: 0,
  load: () => import('./run.js'),
});
