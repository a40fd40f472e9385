export { kmsLocalEnvironment, startKmsLocal, type KmsLocal, type KmsLocalClientConfig, type KmsLocalOptions } from './start-kms-local.js';
export type { FaultController, FaultRule } from './faults.js';
export type { KmsLocalSeed, SeedKey } from './seed.js';
export type { KmsOperationName } from './operations/index.js';
export {
  HMAC_KEY_SPECS,
  MAC_ALGORITHMS,
  SIGNING_ALGORITHMS,
  SIGNING_KEY_SPECS,
  type HmacKeySpec,
  type KeySpec,
  type KeyUsage,
  type MacAlgorithm,
  type SigningAlgorithm,
  type SigningKeySpec,
} from './key-specs.js';
export type { KmsErrorType } from './errors.js';
