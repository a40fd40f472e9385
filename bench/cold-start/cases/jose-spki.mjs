// jose: importSPKI of the PEM, then jwtVerify of one token.
import { importSPKI, jwtVerify } from 'jose';

const { BENCH_TOKEN, BENCH_PEM, BENCH_ISSUER, BENCH_AUDIENCE } = process.env;
const key = await importSPKI(BENCH_PEM, 'ES256');
const { payload } = await jwtVerify(BENCH_TOKEN, key, { issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, algorithms: ['ES256'] });
if (payload.sub !== 'user-1') throw new Error('unexpected payload');
