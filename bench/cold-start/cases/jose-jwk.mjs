// jose: importJWK of the JWKS's key, then jwtVerify of one token.
import { importJWK, jwtVerify } from 'jose';

const { BENCH_TOKEN, BENCH_JWKS, BENCH_ISSUER, BENCH_AUDIENCE } = process.env;
const key = await importJWK(JSON.parse(BENCH_JWKS).keys[0], 'ES256');
const { payload } = await jwtVerify(BENCH_TOKEN, key, { issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, algorithms: ['ES256'] });
if (payload.sub !== 'user-1') throw new Error('unexpected payload');
