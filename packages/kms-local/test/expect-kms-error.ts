import { KMSServiceException } from '@aws-sdk/client-kms';
import { expect } from 'vitest';

/** An exception class the SDK exports, e.g. `NotFoundException`. */
export type KmsExceptionClass = abstract new (...args: never[]) => KMSServiceException;

export interface ExpectedKmsError {
  /** The SDK exception class, where the SDK exports one for this name. */
  readonly type?: KmsExceptionClass;
  /** HTTP status of the answer. Default: 400. */
  readonly status?: number;
  /** A fragment (or pattern) the message must contain. */
  readonly message?: string | RegExp;
}

/**
 * Awaits a `client.send(...)` that must fail, and checks what the SDK made of kms-local's answer:
 * the exception `name`, the SDK class (when given), the HTTP status and the message.
 */
export async function expectKmsError(request: Promise<unknown>, name: string, expected: ExpectedKmsError = {}): Promise<KMSServiceException> {
  let caught: unknown;
  try {
    await request;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected the request to fail with ${name}`).toBeInstanceOf(KMSServiceException);
  const error = caught as KMSServiceException;
  expect(error.name).toBe(name);
  if (expected.type !== undefined) expect(error).toBeInstanceOf(expected.type);
  expect(error.$metadata.httpStatusCode).toBe(expected.status ?? 400);
  if (expected.message !== undefined) expect(error.message).toMatch(expected.message);
  return error;
}
