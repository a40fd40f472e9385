// kms-pubkey-provider from a snapshot file (offline: confirmSnapshot false, no KMS call, no SDK), one token verified by kms-jwt-verifier.
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider } from 'kms-pubkey-provider';

const { BENCH_TOKEN, BENCH_KEY_ARN, BENCH_SNAPSHOT_FILE, BENCH_ISSUER, BENCH_AUDIENCE } = process.env;
const provider = createKmsKeyProvider({ keys: [BENCH_KEY_ARN], snapshot: BENCH_SNAPSHOT_FILE, confirmSnapshot: false });
const verifier = createVerifier({ keys: provider, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE });
const { payload } = await verifier.verify(BENCH_TOKEN);
if (payload.sub !== 'user-1') throw new Error('unexpected payload');
