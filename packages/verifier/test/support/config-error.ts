import { createVerifier, type VerifierOptions } from '../../src/index.js';

/** What `createVerifier(options)` throws; fails the test when it returns a verifier. */
export function configError(options: unknown): unknown {
  try {
    createVerifier(options as VerifierOptions);
  } catch (error) {
    return error;
  }
  throw new Error('expected createVerifier to throw');
}
