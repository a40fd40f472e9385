export { kmsJwt, type KmsJwtEnv, type KmsJwtOptions, type KmsJwtVariables } from './kms-jwt.js';
export { requireClaims, requireScopes } from './authorization.js';
export { jwksHandler } from './jwks-handler.js';
export { authToken } from './state.js';
export { AdapterConfigError, HttpAuthError, type AuthToken, type ClaimExpectation, type ClaimRequirements, type HttpAuthErrorCode, type JwksOptions, type JwksSource } from 'kms-jwt-verifier/http';
