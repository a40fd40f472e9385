export { kmsJwt, type KmsJwtOptions, type KmsJwtState } from './kms-jwt.js';
export { requireClaims, requireScopes } from './authorization.js';
export { jwksHandler, type KoaJwksOptions } from './jwks-handler.js';
export { authFailure, authToken } from './state.js';
export { AdapterConfigError, HttpAuthError, type AuthToken, type ClaimExpectation, type ClaimRequirements, type HttpAuthErrorCode, type JwksSource } from 'kms-jwt-verifier/http';
