// aws-jwt-verify's JwtVerifier with its JWKS cache filled from a JWKS object (cacheJwks: no network), one token verified.
import { JwtVerifier } from 'aws-jwt-verify';

const { BENCH_TOKEN, BENCH_JWKS, BENCH_ISSUER, BENCH_AUDIENCE } = process.env;
const verifier = JwtVerifier.create({ issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, jwksUri: `${BENCH_ISSUER}/.well-known/jwks.json` });
verifier.cacheJwks(JSON.parse(BENCH_JWKS));
const payload = await verifier.verify(BENCH_TOKEN);
if (payload.sub !== 'user-1') throw new Error('unexpected payload');
