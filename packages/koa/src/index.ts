export { kmsJwt, type KmsJwtOptions } from './kms-jwt.js';
export { requireClaims, requireScopes } from './authorization.js';
export { jwksHandler, type KoaJwksOptions } from './jwks-handler.js';
export { authFailure } from './state.js';
export { AdapterConfigError, HttpAuthError, type ClaimExpectation, type ClaimRequirements, type HttpAuthErrorCode, type JwksSource } from 'kms-jwt-verifier/http';
