import { expect } from 'vitest';
import { KeyProviderConfigError } from '../src/errors.js';

/** The message of the KeyProviderConfigError `run` throws; fails the test when it throws nothing else or nothing. */
export function configRefusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a KeyProviderConfigError');
}
