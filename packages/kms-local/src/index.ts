export { kmsLocalEnvironment, startKmsLocal, type KmsLocal, type KmsLocalClientConfig, type KmsLocalOptions } from './start-kms-local.js';
export type { FaultController, FaultRule } from './faults.js';
export type { KmsLocalSeed, SeedKey } from './seed.js';
export type { KmsOperationName } from './operations/index.js';
export { SIGNING_ALGORITHMS, SIGNING_KEY_SPECS, type KeySpec, type KeyUsage, type SigningAlgorithm, type SigningKeySpec } from './key-specs.js';
export type { KmsErrorType } from './errors.js';
