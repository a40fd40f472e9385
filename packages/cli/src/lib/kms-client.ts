import { KMSClient } from '@aws-sdk/client-kms';
import { checkKmsFlags, type KmsFlags } from './kms-flags.js';

/**
 * One KMS client for the command, from `--endpoint` and `--region`, else the SDK's own
 * configuration (AWS_ENDPOINT_URL_KMS, AWS_REGION, AWS_PROFILE, the credential chain).
 */
export function createKmsClient(flags: KmsFlags): KMSClient {
  checkKmsFlags(flags);
  return new KMSClient({
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
  });
}
