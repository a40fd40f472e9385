// kms-pubkey-provider fetching the key from KMS (kms-local, already running) through @aws-sdk/client-kms, one token verified.
import { KMSClient } from '@aws-sdk/client-kms';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider } from 'kms-pubkey-provider';

const { BENCH_TOKEN, BENCH_KEY_ARN, BENCH_KMS_CLIENT_CONFIG, BENCH_ISSUER, BENCH_AUDIENCE } = process.env;
const client = new KMSClient(JSON.parse(BENCH_KMS_CLIENT_CONFIG));
const provider = createKmsKeyProvider({ keys: [BENCH_KEY_ARN], client });
const verifier = createVerifier({ keys: provider, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE });
const { payload } = await verifier.verify(BENCH_TOKEN);
if (payload.sub !== 'user-1') throw new Error('unexpected payload');
// A server would keep both; this process ends here, so it lets go of the client's keep-alive socket.
provider.close();
client.destroy();
