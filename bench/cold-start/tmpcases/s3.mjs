import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
const { BENCH_TOKEN, BENCH_KEY_ARN, BENCH_SNAPSHOT_FILE, BENCH_ISSUER, BENCH_AUDIENCE } = process.env;
const provider = createKmsKeyProvider({ keys: [BENCH_KEY_ARN], snapshot: BENCH_SNAPSHOT_FILE, confirmSnapshot: false });
