export { KmsJwtStrategy, type KmsJwtAuthenticateOptions, type KmsJwtStrategyOptions, type VerifiedCallback, type VerifyFunction, type VerifyFunctionWithRequest } from './strategy.js';
export { authFailure } from './failures.js';
export { AdapterConfigError, HttpAuthError, type HttpAuthErrorCode } from 'kms-jwt-verifier/http';
