// kms-jwt-verifier alone with the key as a PEM (SPKI) string, one token verified.
import { createVerifier } from 'kms-jwt-verifier';

const { BENCH_TOKEN, BENCH_KEY_ARN, BENCH_PEM, BENCH_ISSUER, BENCH_AUDIENCE } = process.env;
const verifier = createVerifier({ keys: [{ kid: BENCH_KEY_ARN, key: BENCH_PEM }], issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE });
const { payload } = await verifier.verify(BENCH_TOKEN);
if (payload.sub !== 'user-1') throw new Error('unexpected payload');
