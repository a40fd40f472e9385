import { KmsError } from './errors.js';
import { isPlainObject } from './input.js';

/** The model's limit on a key policy (PolicyType), in characters. */
export const MAX_POLICY_LENGTH = 131_072;

/**
 * The default key policy KMS gives a key created without one (CreateKey) or replicated without one
 * (ReplicateKey): the account's root principal may do everything, so IAM policies decide.
 */
export function defaultKeyPolicy(partition: string, accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * Printable ASCII from the space on, Basic Latin and Latin-1 Supplement printables, tab, line feed and
 * carriage return: the characters the KMS API reference allows in a key policy document.
 */
const POLICY_CHARACTERS = /^[\t\n\r\u0020-\u007e\u00a1-\u00ff]*$/;

/**
 * Checks a key policy the way kms-local can: a JSON object with a Statement, in the allowed
 * characters. KMS also checks principals and the lockout rule; kms-local stores the text as given.
 */
export function checkKeyPolicy(policy: string): void {
  if (!POLICY_CHARACTERS.test(policy)) {
    throw new KmsError('MalformedPolicyDocumentException', 'The key policy contains a character KMS does not allow (printable ASCII and Latin-1, tab, line feed and carriage return only).');
  }
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    throw new KmsError('MalformedPolicyDocumentException', 'The new key policy is not a valid JSON document.');
  }
  if (!isPlainObject(document)) throw new KmsError('MalformedPolicyDocumentException', 'The key policy must be a JSON object.');
  const statement = document['Statement'];
  if (!(isPlainObject(statement) || (Array.isArray(statement) && statement.length > 0 && statement.every(isPlainObject)))) {
    throw new KmsError('MalformedPolicyDocumentException', 'The key policy must have a Statement: a statement object or a non-empty list of them.');
  }
}
