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

/**
 * `{ trustedEndpoint }` for the provider or signer of a command run with `--endpoint`: an endpoint
 * named on the command line is the user's explicit choice, so it is used without the non-AWS
 * warning (and may be plain HTTP). One from the environment (AWS_ENDPOINT_URL_KMS) is not: the
 * provider and signer check it, warn about a non-AWS host and refuse plain HTTP outside loopback.
 */
export function trustedEndpointOf(flags: KmsFlags): { trustedEndpoint?: string } {
  return flags.endpoint === undefined ? {} : { trustedEndpoint: flags.endpoint };
}
