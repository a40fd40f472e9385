/**
 * kms-jwt-verifier/kms-endpoint: which endpoint a `KMSClient` calls and whether to trust it, shared
 * by kms-pubkey-provider and kms-jwt-signer. It never imports `@aws-sdk/client-kms`: a client is read
 * through a structural type.
 */
export { resolveKmsEndpoint, formatEndpoint, type KmsClientConfigLike, type KmsClientLike, type KmsEndpointSource, type ResolvedKmsEndpoint } from './resolve-kms-endpoint.js';
export { classifyKmsEndpoint, isAwsKmsHost, isLoopbackHost, type KmsEndpointKind } from './classify-kms-endpoint.js';
export { checkKmsEndpoint, NON_AWS_ENDPOINT_WARNING, toTrustedEndpoint, type KmsEndpointCheckOptions, type KmsEndpointVerdict } from './check-kms-endpoint.js';
